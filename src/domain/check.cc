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

CheckResult PrepareIdentifier(std::string_view input, CheckMode mode) {
  CheckResult r;
  if (input.size() > kMaxIdentifierInputBytes) {
    r.rule = CheckRule::kLength;
    return r;
  }
  if (mode == CheckMode::kNormalize) {
    r.canonical = NormalizeIdentifier(input);
    r.normalized = r.canonical != input;
  } else {
    r.canonical = std::string(input);
  }
  if (r.canonical.empty()) r.rule = CheckRule::kEmpty;
  return r;
}

}  // namespace xy
