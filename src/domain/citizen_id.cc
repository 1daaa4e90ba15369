#include "domain/citizen_id.h"

#include "base/text.h"

namespace xy {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Residence permits for Hong Kong, Macao and Taiwan residents (《港澳台居民居住证申领发放办法》,
// 国办发〔2018〕81号) are numbered like citizen IDs with these address codes. 810000 and 820000 are
// GB/T 2260 codes; 830000 is not (Taiwan is 710000 there), so it is accepted here by name.
bool IsResidencePermitCode(std::string_view six) { return six == "830000"; }

}  // namespace

char CitizenIdCheckChar(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kChecks[] = "10X98765432";
  if (first17.size() < 17) return '\0';
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    if (!IsDigit(first17[i])) return '\0';
    sum += (first17[i] - '0') * kWeights[i];
  }
  return kChecks[sum % 11];
}

CheckResult CheckCitizenId(std::string_view input, const Clock& clock, CheckMode mode,
                           const RegionTable& regions) {
  CheckResult r = PrepareIdentifier(input, mode);
  if (!r.valid()) return r;
  const std::string& s = r.canonical;
  if (s.size() != 18) {
    r.rule = CountCodePoints(s) == 18 ? CheckRule::kCharset : CheckRule::kLength;
    return r;
  }
  for (int i = 0; i < 17; ++i) {
    if (!IsDigit(s[i])) {
      r.rule = CheckRule::kCharset;
      return r;
    }
  }
  if (!IsDigit(s[17]) && s[17] != 'X') {
    r.rule = CheckRule::kCharset;
  } else if (regions.Find(std::string_view(s).substr(0, 6)) == nullptr &&
             !IsResidencePermitCode(std::string_view(s).substr(0, 6))) {
    r.rule = CheckRule::kRegion;
  } else if (Result<Date> birth = ParseCompactDate(std::string_view(s).substr(6, 8));
             !birth || static_cast<int>(birth->year()) < kEarliestBirthYear ||
             ToDayNumber(*birth) > ToDayNumber(clock.Today())) {
    r.rule = CheckRule::kBirthdate;
  } else if (CitizenIdCheckChar(s) != s[17]) {
    r.rule = CheckRule::kCheck;
  }
  return r;
}

Error CitizenIdCheckError(const CheckResult& result) {
  const std::string& s = result.canonical;
  std::string reason = "id." + std::string(CheckRuleName(result.rule));
  auto error = [&](std::string en, std::string zh) {
    return Error{ErrorCode::kInvalidArgument, reason, std::move(en), std::move(zh)};
  };
  switch (result.rule) {
    case CheckRule::kEmpty:
      return error("the identity number is empty", "身份证号码为空");
    case CheckRule::kLength: {
      if (s.empty()) {
        std::string n = std::to_string(kMaxIdentifierInputBytes);
        return error("input longer than " + n + " bytes", "输入超过" + n + "字节");
      }
      std::string n = std::to_string(CountCodePoints(s));
      std::string hint = n == "15" ? "; 15-digit first-generation numbers are no longer valid" : "";
      std::string hint_zh = n == "15" ? "（第一代15位身份证号码已停止使用）" : "";
      return error("a citizen identity number has 18 characters, this one has " + n + hint,
                   "身份证号码应为18位，实际为" + n + "位" + hint_zh);
    }
    case CheckRule::kCharset:
      return error("positions 1-17 must be digits and position 18 a digit or X (upper case)",
                   "身份证号码前17位应为数字，第18位应为数字或大写X");
    case CheckRule::kRegion:
      return error("positions 1-6 '" + s.substr(0, 6) + "' are not a GB/T 2260 region code",
                   "第1-6位地址码“" + s.substr(0, 6) + "”不是有效的行政区划代码");
    case CheckRule::kBirthdate:
      return error("positions 7-14 '" + s.substr(6, 8) +
                       "' are not a real birth date on or before today",
                   "第7-14位出生日期“" + s.substr(6, 8) + "”无效或晚于今天");
    case CheckRule::kCheck: {
      std::string want(1, CitizenIdCheckChar(s));
      return error("MOD 11-2 check character is '" + s.substr(17, 1) + "', expected '" + want + "'",
                   "第18位校验码为“" + s.substr(17, 1) + "”，应为“" + want + "”");
    }
    case CheckRule::kOk:
    case CheckRule::kAuthority:
    case CheckRule::kOrgCheck:
      break;
  }
  return error("invalid citizen identity number", "身份证号码无效");
}

Result<CitizenId> CitizenId::Parse(std::string_view input, const Clock& clock, CheckMode mode,
                                   const RegionTable& regions) {
  CheckResult r = CheckCitizenId(input, clock, mode, regions);
  if (!r.valid()) return std::unexpected(CitizenIdCheckError(r));
  CitizenId id;
  std::copy(r.canonical.begin(), r.canonical.end(), id.chars_.begin());
  return id;
}

int CitizenId::region_code() const {
  int v = 0;
  for (int i = 0; i < 6; ++i) v = v * 10 + (chars_[i] - '0');
  return v;
}

Date CitizenId::birth_date() const { return *ParseCompactDate(str().substr(6, 8)); }

std::string CitizenId::Masked() const {
  std::string out(str());
  for (int i = 6; i < 14; ++i) out[i] = '*';
  return out;
}

}  // namespace xy
