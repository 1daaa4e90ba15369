// Fuzzes the 15-digit business registration number check (domain/business_reg_no.h):
// CheckBusinessRegNo in both modes and BusinessRegNoCheckChar, against ISO 7064 MOD 11,10.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/text.h"
#include "domain/business_reg_no.h"
#include "domain/check.h"
#include "fuzz_check.h"

namespace xy {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool RegionOk(std::string_view number) {
  return number.substr(0, 6) == "100000" ||
         RegionTable::Default().IsProvincePrefix((number[0] - '0') * 10 + (number[1] - '0'));
}

void CheckValidNumber(std::string_view number) {
  XY_FUZZ_CHECK(number.size() == 15);
  for (char c : number) XY_FUZZ_CHECK(IsDigit(c));
  XY_FUZZ_CHECK(BusinessRegNoCheckChar(number.substr(0, 14)) == number[14]);
  XY_FUZZ_CHECK(RegionOk(number));
  CheckResult again = CheckBusinessRegNo(number, CheckMode::kStrict);
  XY_FUZZ_CHECK(again.valid() && again.reason() == "ok");

  // MOD 11,10 catches every single-digit substitution; in the check digit it is reported as such.
  std::string wrong(number);
  for (std::size_t i = 0; i < 15; ++i) {
    char original = wrong[i];
    wrong[i] = static_cast<char>('0' + (original - '0' + 1) % 10);
    CheckRule rule = CheckBusinessRegNo(wrong, CheckMode::kStrict).rule;
    XY_FUZZ_CHECK(rule != CheckRule::kOk);
    if (i == 14) XY_FUZZ_CHECK(rule == CheckRule::kCheck);
    wrong[i] = original;
  }
}

void CheckOneMode(std::string_view input, CheckMode mode) {
  CheckResult r = CheckBusinessRegNo(input, mode);
  XY_FUZZ_CHECK(r.rule == CheckRule::kOk || r.rule == CheckRule::kEmpty ||
                r.rule == CheckRule::kLength || r.rule == CheckRule::kCharset ||
                r.rule == CheckRule::kRegion || r.rule == CheckRule::kCheck);
  if (input.size() > kMaxIdentifierInputBytes) {
    XY_FUZZ_CHECK(r.rule == CheckRule::kLength && r.canonical.empty());
  } else if (mode == CheckMode::kStrict) {
    XY_FUZZ_CHECK(r.canonical == input && !r.normalized);
  } else {
    XY_FUZZ_CHECK(r.canonical == NormalizeIdentifier(input));
    XY_FUZZ_CHECK(r.normalized == (r.canonical != input));
  }
  if (r.valid()) CheckValidNumber(r.canonical);
}

}  // namespace
}  // namespace xy

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xy;
  std::string_view input = fuzz::AsView(data, size);
  CheckOneMode(input, CheckMode::kStrict);
  CheckOneMode(input, CheckMode::kNormalize);

  CheckResult strict = CheckBusinessRegNo(input, CheckMode::kStrict);
  if (strict.valid()) {
    CheckResult normalized = CheckBusinessRegNo(input, CheckMode::kNormalize);
    XY_FUZZ_CHECK(normalized.valid() && normalized.canonical == input);
  }

  // Fourteen digits from the input's bytes with the computed check digit: valid exactly when the
  // region prefix is, which drives the valid path far more often than raw bytes.
  if (input.size() >= 14) {
    std::string number;
    for (std::size_t i = 0; i < 14; ++i) {
      number += static_cast<char>('0' + static_cast<unsigned char>(input[i]) % 10);
    }
    char check = BusinessRegNoCheckChar(number);
    XY_FUZZ_CHECK(IsDigit(check));
    number += check;
    CheckRule rule = CheckBusinessRegNo(number, CheckMode::kStrict).rule;
    XY_FUZZ_CHECK(rule == (RegionOk(number) ? CheckRule::kOk : CheckRule::kRegion));
    if (rule == CheckRule::kOk) CheckValidNumber(number);
  }

  std::string once = NormalizeIdentifier(input);
  XY_FUZZ_CHECK(NormalizeIdentifier(once) == once);
  return 0;
}
