// What every identifier check returns: the first rule the input broke, and whether it had to be
// normalised first. Shared by the USCC, citizen ID, organisation code and registration number checks
// so the command line, ingest and the API report them the same way.

#ifndef XY_DOMAIN_CHECK_H_
#define XY_DOMAIN_CHECK_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace xy {

// How an identifier typed or submitted by a person is read.
enum class CheckMode {
  kStrict,     // exactly as given: anything that would need normalising fails with kCharset
               // (checked right after kEmpty, so a space or hyphen is kCharset, not kLength)
  kNormalize,  // NormalizeIdentifier first (NFKC, separators removed, upper-cased)
};

// The rules, in the order they are checked; a check reports the first that fails. The stable names
// ("empty", "length", …) are the REASON column of `xinyong uscc check` and `xinyong id check`.
enum class CheckRule {
  kOk,
  kEmpty,      // nothing left (after normalising)
  kLength,     // wrong number of characters
  kCharset,    // a character outside the identifier's alphabet or position rules
  kAuthority,  // USCC: illegal registration-authority / category pair (GB 32100 table 2)
  kRegion,     // USCC positions 3–8 / ID positions 1–6 / registration number 1–6: no such region
  kBirthdate,  // citizen ID positions 7–14: not a real date, or after today
  kOrgCheck,   // USCC positions 9–17: the embedded organisation code fails GB 11714
  kCheck,      // the final check character is wrong
};

std::string_view CheckRuleName(CheckRule rule);

// Inputs longer than this (in bytes) fail with kLength without being normalised: no identifier is
// that long even with separators, and it bounds the work one hostile line can cause.
inline constexpr std::size_t kMaxIdentifierInputBytes = 4096;

struct CheckResult {
  CheckRule rule = CheckRule::kOk;
  bool normalized = false;  // the canonical form differs from the input
  std::string canonical;    // the form that was checked (the input itself in strict mode)

  bool valid() const { return rule == CheckRule::kOk; }
  // "ok", "normalized" when valid; otherwise the rule's name.
  std::string_view reason() const;
};

// The first step of every check: applies `mode` to `input`. Returns the form to check and whether it
// differs from the input; `rule` is kLength for inputs over kMaxIdentifierInputBytes, kEmpty when
// nothing is left, kCharset in strict mode when the input would need normalising, and kOk otherwise
// (the identifier's own rules then run on `canonical`).
CheckResult PrepareIdentifier(std::string_view input, CheckMode mode);

}  // namespace xy

#endif  // XY_DOMAIN_CHECK_H_
