// Fuzzes the organisation code check (domain/org_code.h): CheckOrgCode in both modes and
// OrgCodeCheckChar, checking them against GB 11714 and against the USCC, which embeds the same
// code.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/text.h"
#include "domain/check.h"
#include "domain/org_code.h"
#include "domain/uscc.h"
#include "fuzz_check.h"

namespace xy {
namespace {

constexpr std::string_view kCheckChars = "0123456789X";

bool IsBodyChar(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }

void CheckValidCode(std::string_view code) {
  XY_FUZZ_CHECK(code.size() == 9);
  for (std::size_t i = 0; i < 8; ++i) XY_FUZZ_CHECK(IsBodyChar(code[i]));
  XY_FUZZ_CHECK(OrgCodeCheckChar(code.substr(0, 8)) == code[8]);
  CheckResult again = CheckOrgCode(code, CheckMode::kStrict);
  XY_FUZZ_CHECK(again.valid() && again.reason() == "ok");

  // Any other check character is reported as exactly that.
  std::string wrong(code);
  for (char c : kCheckChars) {
    if (c == code[8]) continue;
    wrong[8] = c;
    XY_FUZZ_CHECK(CheckOrgCode(wrong, CheckMode::kStrict).rule == CheckRule::kCheck);
  }

  // A body in the USCC alphabet (no I O Z S V) can be positions 9-17 of a USCC; 91 (enterprise) and
  // 110000 (北京市) are a legal authority pair and region, so only the org code decides.
  bool uscc_alphabet = true;
  for (std::size_t i = 0; i < 9; ++i) uscc_alphabet = uscc_alphabet && UsccCharValue(code[i]) >= 0;
  if (uscc_alphabet) {
    Result<Uscc> made = Uscc::Make('9', '1', "110000", code.substr(0, 8));
    XY_FUZZ_CHECK(made.has_value() && made->org_code() == code);
  }
}

void CheckOneMode(std::string_view input, CheckMode mode) {
  CheckResult r = CheckOrgCode(input, mode);
  XY_FUZZ_CHECK(r.rule == CheckRule::kOk || r.rule == CheckRule::kEmpty ||
                r.rule == CheckRule::kLength || r.rule == CheckRule::kCharset ||
                r.rule == CheckRule::kCheck);
  if (input.size() > kMaxIdentifierInputBytes) {
    XY_FUZZ_CHECK(r.rule == CheckRule::kLength && r.canonical.empty());
  } else if (mode == CheckMode::kStrict) {
    XY_FUZZ_CHECK(r.canonical == input && !r.normalized);
  } else {
    XY_FUZZ_CHECK(r.canonical == NormalizeIdentifier(input));
    XY_FUZZ_CHECK(r.normalized == (r.canonical != input));
  }
  if (r.valid()) CheckValidCode(r.canonical);
  // Nine characters are never a length problem, however many bytes they take.
  if (r.rule == CheckRule::kLength && !r.canonical.empty()) {
    XY_FUZZ_CHECK(CountCodePoints(r.canonical) != 9);
  }
}

}  // namespace
}  // namespace xy

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xy;
  std::string_view input = fuzz::AsView(data, size);
  CheckOneMode(input, CheckMode::kStrict);
  CheckOneMode(input, CheckMode::kNormalize);

  CheckResult strict = CheckOrgCode(input, CheckMode::kStrict);
  if (strict.valid()) {
    CheckResult normalized = CheckOrgCode(input, CheckMode::kNormalize);
    XY_FUZZ_CHECK(normalized.valid() && normalized.canonical == input);
  }

  // The check character of any eight bytes: '\0' exactly when one is outside 0-9 A-Z, else 0-9 / X.
  if (input.size() >= 8) {
    std::string_view body = input.substr(0, 8);
    bool in_alphabet = true;
    for (char c : body) in_alphabet = in_alphabet && IsBodyChar(c);
    char check = OrgCodeCheckChar(body);
    XY_FUZZ_CHECK((check == '\0') == !in_alphabet);
    if (in_alphabet) {
      XY_FUZZ_CHECK(kCheckChars.find(check) != std::string_view::npos);
      CheckValidCode(std::string(body) + check);
    }
  }

  std::string once = NormalizeIdentifier(input);
  XY_FUZZ_CHECK(NormalizeIdentifier(once) == once);
  return 0;
}
