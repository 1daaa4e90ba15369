#include "domain/check.h"

#include "base/text.h"

namespace xy {

std::string_view CheckRuleName(CheckRule rule) {
  switch (rule) {
    case CheckRule::kOk:
      return "ok";
    case CheckRule::kEmpty:
      return "empty";
    case CheckRule::kLength:
      return "length";
    case CheckRule::kCharset:
      return "charset";
    case CheckRule::kAuthority:
      return "authority";
    case CheckRule::kRegion:
      return "region";
    case CheckRule::kBirthdate:
      return "birthdate";
    case CheckRule::kOrgCheck:
      return "org-check";
    case CheckRule::kCheck:
      return "check";
  }
  return "check";
}

std::string_view CheckResult::reason() const {
  if (rule == CheckRule::kOk) return normalized ? "normalized" : "ok";
  return CheckRuleName(rule);
}

namespace {

// Whether NormalizeIdentifier would change `input`, without allocating for the usual ASCII case:
// ASCII changes only through separators and lower case.
bool NeedsNormalizing(std::string_view input) {
  for (unsigned char c : input) {
    if (c >= 0x80) return NormalizeIdentifier(input) != input;
  }
  for (unsigned char c : input) {
    if (c <= ' ' || c == '-' || c == '.' || c == '/' || c == '_' || c == 0x7F ||
        (c >= 'a' && c <= 'z')) {
      return true;
    }
  }
  return false;
}

}  // namespace

CheckResult PrepareIdentifier(std::string_view input, CheckMode mode) {
  CheckResult r;
  if (input.size() > kMaxIdentifierInputBytes) {
    r.rule = CheckRule::kLength;
    return r;
  }
  if (mode == CheckMode::kNormalize) {
    r.canonical = NormalizeIdentifier(input);
    r.normalized = r.canonical != input;
    if (r.canonical.empty()) r.rule = CheckRule::kEmpty;
    return r;
  }
  r.canonical = std::string(input);
  if (r.canonical.empty()) {
    r.rule = CheckRule::kEmpty;
  } else if (NeedsNormalizing(input)) {
    // INTERFACES.md: in strict mode anything that would need normalising is a charset problem,
    // even where normalising would also fix the length (a space, a hyphen).
    r.rule = CheckRule::kCharset;
  }
  return r;
}

}  // namespace xy
