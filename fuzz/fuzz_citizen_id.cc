// Fuzzes the citizen identity number check (domain/citizen_id.h) against a FixedClock:
// CheckCitizenId in both modes, CitizenId::Parse and its accessors, CitizenIdCheckError, checking
// that they agree with each other and with GB 11643, not only that they survive the input.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/date.h"
#include "base/text.h"
#include "domain/check.h"
#include "domain/citizen_id.h"
#include "fuzz_check.h"

namespace xy {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

// A fixed "today" keeps a finding reproducible; the later clock checks that a birth date accepted
// today stays accepted.
const FixedClock kToday(Date{year(2026), month(2), day(17)});
const FixedClock kLater(Date{year(2100), month(1), day(1)});

constexpr std::string_view kCheckChars = "0123456789X";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// GB/T 2260 codes, past or present, plus 830000: Taiwan residents' residence permits use it though
// it is not in GB/T 2260 (citizen_id.cc).
bool RegionKnown(std::string_view six) {
  return six == "830000" || RegionTable::Default().Find(six) != nullptr;
}

void CheckValidId(std::string_view id) {
  XY_FUZZ_CHECK(id.size() == 18);
  for (std::size_t i = 0; i < 17; ++i) XY_FUZZ_CHECK(IsDigit(id[i]));
  XY_FUZZ_CHECK(kCheckChars.find(id[17]) != std::string_view::npos);
  XY_FUZZ_CHECK(CitizenIdCheckChar(id.substr(0, 17)) == id[17]);

  CheckResult again = CheckCitizenId(id, kToday, CheckMode::kStrict);
  XY_FUZZ_CHECK(again.valid() && again.reason() == "ok");
  XY_FUZZ_CHECK(CheckCitizenId(id, kLater, CheckMode::kStrict).valid());

  Result<CitizenId> parsed = CitizenId::Parse(id, kToday, CheckMode::kStrict);
  XY_FUZZ_CHECK(parsed.has_value() && parsed->str() == id);
  XY_FUZZ_CHECK(RegionKnown(id.substr(0, 6)));
  XY_FUZZ_CHECK(std::to_string(parsed->region_code()) == id.substr(0, 6));

  Date birth = parsed->birth_date();
  XY_FUZZ_CHECK(birth.ok());
  XY_FUZZ_CHECK(static_cast<int>(birth.year()) >= kEarliestBirthYear);
  XY_FUZZ_CHECK(ToDayNumber(birth) <= ToDayNumber(kToday.Today()));
  std::string iso = FormatIsoDate(birth);
  XY_FUZZ_CHECK(iso.size() == 10 &&
                iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2) == id.substr(6, 8));
  XY_FUZZ_CHECK(parsed->male() == ((id[16] - '0') % 2 == 1));

  std::string masked = parsed->Masked();
  XY_FUZZ_CHECK(masked.size() == 18 && masked.substr(0, 6) == id.substr(0, 6) &&
                masked.substr(6, 8) == "********" && masked.substr(14) == id.substr(14));

  // Any other check character is reported as exactly that.
  std::string wrong(id);
  for (char c : kCheckChars) {
    if (c == id[17]) continue;
    wrong[17] = c;
    XY_FUZZ_CHECK(CheckCitizenId(wrong, kToday, CheckMode::kStrict).rule == CheckRule::kCheck);
  }
}

void CheckOneMode(std::string_view input, CheckMode mode) {
  CheckResult r = CheckCitizenId(input, kToday, mode);
  XY_FUZZ_CHECK(r.rule != CheckRule::kAuthority && r.rule != CheckRule::kOrgCheck);  // USCC only
  if (input.size() > kMaxIdentifierInputBytes) {
    XY_FUZZ_CHECK(r.rule == CheckRule::kLength && r.canonical.empty());
  } else if (mode == CheckMode::kStrict) {
    XY_FUZZ_CHECK(r.canonical == input && !r.normalized);
  } else {
    XY_FUZZ_CHECK(r.canonical == NormalizeIdentifier(input));
    XY_FUZZ_CHECK(r.normalized == (r.canonical != input));
  }

  // The clock only matters to the birth-date rule.
  CheckResult later = CheckCitizenId(input, kLater, mode);
  if (r.rule != CheckRule::kBirthdate) XY_FUZZ_CHECK(later.rule == r.rule);

  Result<CitizenId> parsed = CitizenId::Parse(input, kToday, mode);
  XY_FUZZ_CHECK(parsed.has_value() == r.valid());
  if (r.valid()) {
    XY_FUZZ_CHECK(parsed->str() == r.canonical);
    CheckValidId(r.canonical);
  } else {
    for (const Error& e : {parsed.error(), CitizenIdCheckError(r)}) {
      XY_FUZZ_CHECK(e.code == ErrorCode::kInvalidArgument);
      XY_FUZZ_CHECK(e.reason == "id." + std::string(CheckRuleName(r.rule)));
      XY_FUZZ_CHECK(!e.message.empty() && IsValidUtf8(e.message));
      XY_FUZZ_CHECK(!e.message_zh.empty() && IsValidUtf8(e.message_zh));
    }
  }
}

// Seventeen digits from the input's bytes with the computed check character: only the region and
// birth-date rules can still fail, which drives the valid path far more often than raw bytes.
void CheckMade(std::string_view input) {
  if (input.size() < 17) return;
  std::string id;
  for (std::size_t i = 0; i < 17; ++i) {
    id += static_cast<char>('0' + static_cast<unsigned char>(input[i]) % 10);
  }
  id += CitizenIdCheckChar(id);
  CheckRule rule = CheckCitizenId(id, kToday, CheckMode::kStrict).rule;
  XY_FUZZ_CHECK(rule == CheckRule::kOk || rule == CheckRule::kRegion ||
                rule == CheckRule::kBirthdate);
  XY_FUZZ_CHECK((rule == CheckRule::kRegion) == !RegionKnown(std::string_view(id).substr(0, 6)));
  if (rule == CheckRule::kOk) CheckValidId(id);
}

}  // namespace
}  // namespace xy

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xy;
  std::string_view input = fuzz::AsView(data, size);
  CheckOneMode(input, CheckMode::kStrict);
  CheckOneMode(input, CheckMode::kNormalize);

  CheckResult strict = CheckCitizenId(input, kToday, CheckMode::kStrict);
  if (strict.valid()) {
    CheckResult normalized = CheckCitizenId(input, kToday, CheckMode::kNormalize);
    XY_FUZZ_CHECK(normalized.valid() && normalized.canonical == input);
  }

  std::string once = NormalizeIdentifier(input);
  XY_FUZZ_CHECK(NormalizeIdentifier(once) == once);

  CheckMade(input);
  return 0;
}
