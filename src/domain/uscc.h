// Unified social credit code (统一社会信用代码), GB 32100-2015.
//
// Eighteen characters: registration-management authority (1), organisation category (1), GB/T 2260
// region of the registering authority (6), the GB 11714 organisation code including its own check
// character (9), and a MOD 31 check character (1). The alphabet is 0-9 and A-Z without I O Z S V.
//
// The check runs these rules in order and reports the first that fails (INTERFACES.md):
// empty, length, charset, authority, region, org-check, check. Real pilot-era codes that fail MOD 31
// (厦门, before 2016) are invalid here; ingest accepts reviewed exceptions from its own list.
//
// `CheckUsccStrict` is the hot path (every ingested row, every API call): no allocation, table
// lookups only. Thread-safety: everything here is immutable or pure.

#ifndef XY_DOMAIN_USCC_H_
#define XY_DOMAIN_USCC_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "domain/check.h"
#include "domain/region.h"

namespace xy {

// GB 32100-2015 table 2 (data/gb32100-authorities.tsv): which authority / category pairs exist.
class AuthorityTable {
 public:
  struct Pair {
    char authority;
    std::string authority_name;
    char category;
    std::string category_name;
  };

  // Errors: kInvalidArgument "authority.parse", naming the line.
  static Result<AuthorityTable> Parse(std::string_view tsv);
  static const AuthorityTable& Default();

  bool Allowed(char authority, char category) const;
  // nullptr for a pair not in the table.
  const Pair* Find(char authority, char category) const;
  const std::vector<Pair>& pairs() const { return pairs_; }

 private:
  std::vector<Pair> pairs_;
  // Index of the pair in pairs_ + 1, by [authority][category] character (0 = not allowed).
  std::array<std::array<unsigned char, 128>, 128> index_{};
};

// The tables a USCC check consults. Default() uses the embedded data.
struct UsccRules {
  const AuthorityTable* authorities;
  const RegionTable* regions;

  static UsccRules Default() { return {&AuthorityTable::Default(), &RegionTable::Default()}; }
};

// The value of a USCC alphabet character (0-9 → 0-9, A → 10 … Y → 30), or -1 outside the alphabet.
int UsccCharValue(char c);
// The character for a value 0 … 30.
char UsccValueChar(int value);

// The MOD 31 check character for the first 17 characters (weights 3^(i−1) mod 31;
// C18 = (31 − Σ mod 31) mod 31). Returns '\0' if a character is outside the alphabet.
char UsccCheckChar(std::string_view first17);

// The hot path: the first failing rule for an already canonical code (no normalising).
CheckRule CheckUsccStrict(std::string_view code, const UsccRules& rules = UsccRules::Default());

// The full check, normalising first in kNormalize mode.
CheckResult CheckUscc(std::string_view input, CheckMode mode = CheckMode::kNormalize,
                      const UsccRules& rules = UsccRules::Default());

// A valid unified social credit code.
class Uscc {
 public:
  // Checks and keeps the canonical form. The error's reason is "uscc.<rule>" (uscc.check,
  // uscc.org-check, …) and its messages say exactly what is wrong, in English and Chinese.
  static Result<Uscc> Parse(std::string_view input, CheckMode mode = CheckMode::kNormalize,
                            const UsccRules& rules = UsccRules::Default());

  // Builds a code from its parts, computing both check characters. REQUIRES: the parts are in the
  // alphabet (authority/category a legal pair for the result to be valid, region six digits,
  // org_body eight characters of 0-9 A-Z). Returns an error otherwise. Used by generators and tests.
  static Result<Uscc> Make(char authority, char category, std::string_view region6,
                           std::string_view org_body8,
                           const UsccRules& rules = UsccRules::Default());

  std::string_view str() const { return {chars_.data(), chars_.size()}; }
  char authority() const { return chars_[0]; }
  char category() const { return chars_[1]; }
  std::string_view region() const { return str().substr(2, 6); }
  std::string_view org_code() const { return str().substr(8, 9); }
  char check_char() const { return chars_[17]; }

  friend bool operator==(const Uscc&, const Uscc&) = default;
  friend auto operator<=>(const Uscc&, const Uscc&) = default;

 private:
  Uscc() = default;
  std::array<char, 18> chars_{};
};

// Error messages for a failed check, with the detail that helps fix it (which position, which
// character was expected). `result.canonical` must be the checked form.
Error UsccCheckError(const CheckResult& result);

// The decoded parts of a code, for `xinyong uscc info` and subject profiles.
struct UsccInfo {
  std::string code;
  char authority;
  std::string authority_name;
  char category;
  std::string category_name;
  std::string region_code;  // "340400", or "100000" for registration at the national level
  std::string region_name;  // "安徽省/淮南市"; "国家" for 100000
  bool region_current;      // the region code is still in use
  std::string org_code;     // positions 9–17
};

UsccInfo DescribeUscc(const Uscc& code, const UsccRules& rules = UsccRules::Default());

// The GB/T 2260 code of the registering authority's region (positions 3–8) as a number, 0 when the
// text is not 18 characters or those six are not all digits (a code kept only because it is on the
// reviewed exception list may be malformed there).
int UsccRegionCode(std::string_view uscc);

}  // namespace xy

#endif  // XY_DOMAIN_USCC_H_
