// Fuzzes the unified social credit code check (domain/uscc.h): CheckUscc in both modes,
// Uscc::Parse, Uscc::Make, UsccCheckError and DescribeUscc, checking that they agree with each
// other and with the arithmetic of GB 32100 / GB 11714, not only that they survive the input.

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

const UsccRules& Rules() {
  static const UsccRules kRules = UsccRules::Default();
  return kRules;
}

bool RegionOk(std::string_view region6) {
  return region6 == "100000" ||
         Rules().regions->IsProvincePrefix((region6[0] - '0') * 10 + (region6[1] - '0'));
}

// Every failed check must explain itself in readable text, whatever bytes it was given.
void CheckError(const Error& e, const CheckResult& r) {
  XY_FUZZ_CHECK(e.code == ErrorCode::kInvalidArgument);
  XY_FUZZ_CHECK(e.reason == "uscc." + std::string(CheckRuleName(r.rule)));
  XY_FUZZ_CHECK(!e.message.empty() && IsValidUtf8(e.message));
  XY_FUZZ_CHECK(!e.message_zh.empty() && IsValidUtf8(e.message_zh));
}

void CheckValidCode(std::string_view code) {
  XY_FUZZ_CHECK(code.size() == 18);
  XY_FUZZ_CHECK(CheckUsccStrict(code, Rules()) == CheckRule::kOk);
  XY_FUZZ_CHECK(CheckUsccStrict(code) == CheckRule::kOk);  // default rules are the same tables
  XY_FUZZ_CHECK(UsccCheckChar(code.substr(0, 17)) == code[17]);
  XY_FUZZ_CHECK(OrgCodeCheckChar(code.substr(8, 8)) == code[16]);
  XY_FUZZ_CHECK(CheckOrgCode(code.substr(8, 9), CheckMode::kStrict).valid());
  XY_FUZZ_CHECK(Rules().authorities->Allowed(code[0], code[1]));
  XY_FUZZ_CHECK(RegionOk(code.substr(2, 6)));

  // Rebuilding from the parts computes the same two check characters.
  Result<Uscc> made = Uscc::Make(code[0], code[1], code.substr(2, 6), code.substr(8, 8), Rules());
  XY_FUZZ_CHECK(made.has_value() && made->str() == code);
  XY_FUZZ_CHECK(made->region() == code.substr(2, 6) && made->org_code() == code.substr(8, 9));

  UsccInfo info = DescribeUscc(*made, Rules());
  XY_FUZZ_CHECK(info.code == code && info.region_code == code.substr(2, 6));
  XY_FUZZ_CHECK(info.org_code == code.substr(8, 9));
  XY_FUZZ_CHECK(!info.authority_name.empty() && IsValidUtf8(info.authority_name));
  XY_FUZZ_CHECK(IsValidUtf8(info.category_name) && IsValidUtf8(info.region_name));

  // MOD 31 over a prime modulus catches every single substitution in positions 1-17, and a wrong
  // position 18 is reported as exactly that.
  std::string wrong(code);
  for (std::size_t i = 0; i < 18; ++i) {
    char original = wrong[i];
    wrong[i] = UsccValueChar((UsccCharValue(original) + 1) % 31);
    CheckRule rule = CheckUsccStrict(wrong, Rules());
    XY_FUZZ_CHECK(rule != CheckRule::kOk);
    if (i == 17) XY_FUZZ_CHECK(rule == CheckRule::kCheck);
    wrong[i] = original;
  }
}

void CheckOneMode(std::string_view input, CheckMode mode) {
  CheckResult r = CheckUscc(input, mode, Rules());
  if (input.size() > kMaxIdentifierInputBytes) {
    XY_FUZZ_CHECK(r.rule == CheckRule::kLength && r.canonical.empty());
  } else if (mode == CheckMode::kStrict) {
    XY_FUZZ_CHECK(r.canonical == input && !r.normalized);
  } else {
    XY_FUZZ_CHECK(r.canonical == NormalizeIdentifier(input));
    XY_FUZZ_CHECK(r.normalized == (r.canonical != input));
  }
  // The rules after the shared first step are exactly CheckUsccStrict's.
  CheckResult prepared = PrepareIdentifier(input, mode);
  XY_FUZZ_CHECK(prepared.canonical == r.canonical && prepared.normalized == r.normalized);
  if (prepared.valid()) {
    XY_FUZZ_CHECK(CheckUsccStrict(r.canonical, Rules()) == r.rule);
  } else {
    XY_FUZZ_CHECK(r.rule == prepared.rule);
  }
  XY_FUZZ_CHECK(r.rule != CheckRule::kBirthdate);

  Result<Uscc> parsed = Uscc::Parse(input, mode, Rules());
  XY_FUZZ_CHECK(parsed.has_value() == r.valid());
  if (r.valid()) {
    XY_FUZZ_CHECK(parsed->str() == r.canonical);
    // What normalising accepted, the strict path accepts as already canonical.
    CheckResult again = CheckUscc(r.canonical, CheckMode::kStrict, Rules());
    XY_FUZZ_CHECK(again.valid() && again.reason() == "ok");
    CheckValidCode(r.canonical);
  } else {
    CheckError(parsed.error(), r);
    CheckError(UsccCheckError(r), r);
  }
}

// Builds a code from the input's bytes mapped into each part's alphabet: random bytes almost never
// pass the check characters, so this is what drives Make and the valid path.
void CheckMade(std::string_view input) {
  if (input.size() < 16) return;
  auto at = [&](std::size_t i) { return static_cast<unsigned char>(input[i]); };
  char authority = UsccValueChar(at(0) % 31), category = UsccValueChar(at(1) % 31);
  std::string region, body;
  for (std::size_t i = 2; i < 8; ++i) region += static_cast<char>('0' + at(i) % 10);
  for (std::size_t i = 8; i < 16; ++i) body += UsccValueChar(at(i) % 31);
  Result<Uscc> made = Uscc::Make(authority, category, region, body, Rules());
  bool should = Rules().authorities->Allowed(authority, category) && RegionOk(region);
  XY_FUZZ_CHECK(made.has_value() == should);
  if (made) {
    CheckValidCode(made->str());
  } else {
    XY_FUZZ_CHECK(made.error().reason == "uscc.authority" || made.error().reason == "uscc.region");
  }
}

}  // namespace
}  // namespace xy

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xy;
  std::string_view input = fuzz::AsView(data, size);
  CheckOneMode(input, CheckMode::kStrict);
  CheckOneMode(input, CheckMode::kNormalize);

  // A code valid as given needs no normalising.
  CheckResult strict = CheckUscc(input, CheckMode::kStrict, Rules());
  if (strict.valid()) {
    CheckResult normalized = CheckUscc(input, CheckMode::kNormalize, Rules());
    XY_FUZZ_CHECK(normalized.valid() && normalized.canonical == input);
    XY_FUZZ_CHECK(normalized.reason() == "ok");
  }

  std::string once = NormalizeIdentifier(input);
  XY_FUZZ_CHECK(NormalizeIdentifier(once) == once);

  CheckMade(input);
  return 0;
}
