// Citizen identity number (公民身份号码), GB 11643-1999: a six-digit GB/T 2260 address code (the
// place of first registration, kept for life even after the code is retired), the birth date as
// YYYYMMDD, a three-digit sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check
// character (0-9 or X). Residence permits for Hong Kong, Macao and Taiwan residents use the same
// layout with the address codes 810000, 820000 and 830000 (the last is not in GB/T 2260 and is
// accepted by name).
//
// The check runs these rules in order and reports the first that fails (INTERFACES.md):
// empty, length, charset, region, birthdate, check. The 15-digit first-generation numbers are
// `length`: those cards stopped being valid on 2013-01-01.
//
// Thread-safety: pure functions; the clock and region table are read only.

#ifndef XY_DOMAIN_CITIZEN_ID_H_
#define XY_DOMAIN_CITIZEN_ID_H_

#include <array>
#include <string>
#include <string_view>

#include "base/date.h"
#include "base/result.h"
#include "domain/check.h"
#include "domain/region.h"

namespace xy {

// The MOD 11-2 check character for the first 17 digits: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
// check = "10X98765432"[Σ mod 11]. Returns '\0' when `first17` is not 17 digits.
char CitizenIdCheckChar(std::string_view first17);

// Birth dates before this year are not accepted (GB 11643's own example is born in 1880).
inline constexpr int kEarliestBirthYear = 1850;

CheckResult CheckCitizenId(std::string_view input, const Clock& clock,
                           CheckMode mode = CheckMode::kNormalize,
                           const RegionTable& regions = RegionTable::Default());

// A valid citizen identity number. Holding one is sensitive: store it encrypted, show it masked.
class CitizenId {
 public:
  // Errors: kInvalidArgument, reason "id.<rule>" with a message saying what is wrong.
  static Result<CitizenId> Parse(std::string_view input, const Clock& clock,
                                 CheckMode mode = CheckMode::kNormalize,
                                 const RegionTable& regions = RegionTable::Default());

  std::string_view str() const { return {chars_.data(), chars_.size()}; }
  int region_code() const;
  Date birth_date() const;
  bool male() const { return (chars_[16] - '0') % 2 == 1; }
  // "340404********1234": region kept, birth date and sequence hidden (公示脱敏).
  std::string Masked() const;

  friend bool operator==(const CitizenId&, const CitizenId&) = default;

 private:
  CitizenId() = default;
  std::array<char, 18> chars_{};
};

// The English and Chinese messages for a failed check.
Error CitizenIdCheckError(const CheckResult& result);

}  // namespace xy

#endif  // XY_DOMAIN_CITIZEN_ID_H_
