#include "domain/uscc.h"

#include <cstdint>
#include <cstdlib>

#include "base/embedded.h"
#include "base/text.h"
#include "domain/org_code.h"

namespace xy {
namespace {

// kCharValue[c]: the USCC alphabet value of byte c, or -1.
constexpr std::array<signed char, 256> MakeCharValues() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
  }
  return t;
}
constexpr std::array<signed char, 256> kCharValue = MakeCharValues();
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// 3^(i−1) mod 31.
constexpr int kWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool RegionOk(std::string_view code, const RegionTable& regions) {
  for (int i = 2; i < 8; ++i) {
    if (!IsDigit(code[i])) return false;
  }
  if (code.substr(2, 6) == "100000") return true;  // registered at the national level
  return regions.IsProvincePrefix((code[2] - '0') * 10 + (code[3] - '0'));
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

Result<AuthorityTable> AuthorityTable::Parse(std::string_view tsv) {
  AuthorityTable table;
  int line_no = 0;
  bool header_seen = false;
  std::size_t pos = 0;
  while (pos <= tsv.size()) {
    std::size_t end = tsv.find('\n', pos);
    if (end == tsv.npos) end = tsv.size();
    std::string_view line = tsv.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (!header_seen) {
      header_seen = true;
      if (line.starts_with("authority\t")) continue;
    }
    std::vector<std::string_view> cols = SplitView(line, '\t');
    if (cols.size() != 4 || cols[0].size() != 1 || cols[2].size() != 1 ||
        UsccCharValue(cols[0][0]) < 0 || UsccCharValue(cols[2][0]) < 0 || cols[1].empty() ||
        cols[3].empty()) {
      return Fail(ErrorCode::kInvalidArgument, "authority.parse",
                  "authority table line " + std::to_string(line_no) +
                      ": expected authority<TAB>name<TAB>category<TAB>name with one-character "
                      "codes from the USCC alphabet",
                  "登记管理部门码表第 " + std::to_string(line_no) + " 行格式错误");
    }
    char a = cols[0][0], c = cols[2][0];
    if (table.index_[a][c] != 0) {
      return Fail(ErrorCode::kInvalidArgument, "authority.parse",
                  "authority table line " + std::to_string(line_no) + ": duplicate pair " +
                      std::string{a, c},
                  "登记管理部门码表第 " + std::to_string(line_no) + " 行重复");
    }
    table.pairs_.push_back({a, std::string(cols[1]), c, std::string(cols[3])});
    table.index_[a][c] = static_cast<unsigned char>(table.pairs_.size());
  }
  if (table.pairs_.empty() || table.pairs_.size() > 255) {
    return Fail(ErrorCode::kInvalidArgument, "authority.parse",
                "authority table must have 1 to 255 pairs", "登记管理部门码表为空或过大");
  }
  return table;
}

const AuthorityTable& AuthorityTable::Default() {
  static const AuthorityTable* const kTable = [] {
    Result<AuthorityTable> t = Parse(EmbeddedData("gb32100-authorities.tsv"));
    if (!t) std::abort();  // a broken embedded file is a build bug; tests parse it
    return new AuthorityTable(std::move(*t));
  }();
  return *kTable;
}

bool AuthorityTable::Allowed(char authority, char category) const {
  auto a = static_cast<unsigned char>(authority), c = static_cast<unsigned char>(category);
  return a < 128 && c < 128 && index_[a][c] != 0;
}

const AuthorityTable::Pair* AuthorityTable::Find(char authority, char category) const {
  if (!Allowed(authority, category)) return nullptr;
  return &pairs_[index_[static_cast<unsigned char>(authority)][static_cast<unsigned char>(category)] -
                 1];
}

int UsccCharValue(char c) { return kCharValue[static_cast<unsigned char>(c)]; }

char UsccValueChar(int value) {
  return value >= 0 && value < 31 ? kAlphabet[static_cast<std::size_t>(value)] : '\0';
}

char UsccCheckChar(std::string_view first17) {
  if (first17.size() < 17) return '\0';
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    int v = kCharValue[static_cast<unsigned char>(first17[i])];
    if (v < 0) return '\0';
    sum += v * kWeights[i];
  }
  return kAlphabet[static_cast<std::size_t>((31 - sum % 31) % 31)];
}

namespace {

// Tables for the hot path below, built at compile time from kCharValue and kWeights.
//
// kWeighted[i][c]: the value of byte c times the weight of position i + 1, or kBad for a byte
// outside the alphabet. The other sixteen add at most 16 × 30 × 30 = 14400, so one bad byte makes
// the whole sum negative: the charset rule is one test after the loop instead of one per character,
// and each character costs one load and one addition.
constexpr std::int16_t kBad = -16384;
using WeightedTable = std::array<std::array<std::int16_t, 256>, 17>;
constexpr WeightedTable MakeWeighted() {
  WeightedTable t{};
  for (std::size_t i = 0; i < 17; ++i) {
    for (std::size_t c = 0; c < 256; ++c) {
      t[i][c] = kCharValue[c] < 0 ? kBad : static_cast<std::int16_t>(kCharValue[c] * kWeights[i]);
    }
  }
  return t;
}
constexpr WeightedTable kWeighted = MakeWeighted();

// The same for GB 11714 over positions 9-16 (OrgCodeCheckChar, inlined: it lives in another file
// and would be a call): value (0-9, A=10 … Z=35) times weight 3 7 9 10 5 8 4 2. Only read for bytes
// the charset rule already accepted, so other bytes are 0.
using OrgWeightedTable = std::array<std::array<std::int16_t, 256>, 8>;
constexpr OrgWeightedTable MakeOrgWeighted() {
  constexpr int kOrgWeights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
  OrgWeightedTable t{};
  for (std::size_t i = 0; i < 8; ++i) {
    for (int c = '0'; c <= '9'; ++c) {
      t[i][c] = static_cast<std::int16_t>((c - '0') * kOrgWeights[i]);
    }
    for (int c = 'A'; c <= 'Z'; ++c) {
      t[i][c] = static_cast<std::int16_t>((c - 'A' + 10) * kOrgWeights[i]);
    }
  }
  return t;
}
constexpr OrgWeightedTable kOrgWeighted = MakeOrgWeighted();

// The GB 11714 check character by Σ mod 11: 11 − (Σ mod 11), with 10 written X and 11 written 0.
constexpr char kOrgCheckChar[11] = {'0', 'X', '9', '8', '7', '6', '5', '4', '3', '2', '1'};

// The MOD 31 check character by Σ mod 31: C18 = (31 − Σ mod 31) mod 31.
constexpr std::array<char, 31> MakeUsccCheckChars() {
  std::array<char, 31> t{};
  for (std::size_t r = 0; r < 31; ++r) t[r] = kAlphabet[(31 - r) % 31];
  return t;
}
constexpr std::array<char, 31> kUsccCheckChar = MakeUsccCheckChars();

}  // namespace

// The hot path, which must stay well above 20 million codes per second per core
// (bench/identifiers.cc): no early exit per character (every rule is decided after all of them are
// read, so this changes no answer), precomputed products instead of per-character multiplications
// and branches, and the organisation code check inlined.
CheckRule CheckUsccStrict(std::string_view code, const UsccRules& rules) {
  if (code.size() != 18) {
    if (code.empty()) return CheckRule::kEmpty;
    // Eighteen characters of which some are multi-byte is a charset problem, not a length one.
    return CountCodePoints(code) == 18 ? CheckRule::kCharset : CheckRule::kLength;
  }
  const auto* c = reinterpret_cast<const unsigned char*>(code.data());
  int sum = 0;
#pragma GCC unroll 17  // -O2 does not unroll; unrolled, each character is a load and an add
  for (std::size_t i = 0; i < 17; ++i) sum += kWeighted[i][c[i]];
  if (sum < 0 || kCharValue[c[17]] < 0) return CheckRule::kCharset;
  if (!rules.authorities->Allowed(code[0], code[1])) return CheckRule::kAuthority;
  if (!RegionOk(code, *rules.regions)) return CheckRule::kRegion;
  int org_sum = 0;
#pragma GCC unroll 8
  for (std::size_t i = 0; i < 8; ++i) org_sum += kOrgWeighted[i][c[8 + i]];
  // Both sums are non-negative here; unsigned remainders by a constant are a few instructions.
  if (kOrgCheckChar[static_cast<unsigned>(org_sum) % 11] != code[16]) return CheckRule::kOrgCheck;
  if (kUsccCheckChar[static_cast<unsigned>(sum) % 31] != code[17]) return CheckRule::kCheck;
  return CheckRule::kOk;
}

CheckResult CheckUscc(std::string_view input, CheckMode mode, const UsccRules& rules) {
  CheckResult r = PrepareIdentifier(input, mode);
  if (r.valid()) r.rule = CheckUsccStrict(r.canonical, rules);
  return r;
}

Error UsccCheckError(const CheckResult& result) {
  const std::string& s = result.canonical;
  std::string reason = "uscc." + std::string(CheckRuleName(result.rule));
  auto error = [&](std::string en, std::string zh) {
    return Error{ErrorCode::kInvalidArgument, reason, std::move(en), std::move(zh)};
  };
  switch (result.rule) {
    case CheckRule::kOk:
      return error("valid", "有效");
    case CheckRule::kEmpty:
      return error("the unified social credit code is empty", "统一社会信用代码为空");
    case CheckRule::kLength: {
      if (s.empty()) {  // PrepareIdentifier refused an over-long input without reading it
        std::string n = std::to_string(kMaxIdentifierInputBytes);
        return error("input longer than " + n + " bytes", "输入超过" + n + "字节");
      }
      std::string n = std::to_string(CountCodePoints(s));
      return error("a unified social credit code has 18 characters, this one has " + n,
                   "统一社会信用代码应为18位，实际为" + n + "位");
    }
    case CheckRule::kCharset: {
      // Find the first offending character and its 1-based position.
      std::size_t position = 1;
      std::string bad;
      for (std::size_t i = 0; i < s.size(); ++position) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (len == 1 && UsccCharValue(s[i]) >= 0) {
          ++i;
          continue;
        }
        bad = s.substr(i, std::min(len, s.size() - i));
        if (!IsValidUtf8(bad)) bad = "\xEF\xBF\xBD";  // show U+FFFD rather than a broken byte
        break;
      }
      std::string p = std::to_string(position);
      return error("character " + Quote(bad) + " at position " + p +
                       " is not allowed (0-9 and A-Z without I, O, Z, S, V; upper case)",
                   "第" + p + "位字符“" + bad +
                       "”不是统一社会信用代码允许的字符（数字或不含I、O、Z、S、V的大写字母）");
    }
    case CheckRule::kAuthority:
      return error("registration authority and category " + Quote(s.substr(0, 2)) +
                       " are not a pair listed in GB 32100 table 2",
                   "第1-2位登记管理部门码和机构类别码“" + s.substr(0, 2) + "”不符合GB 32100表2");
    case CheckRule::kRegion:
      return error("positions 3-8 " + Quote(s.substr(2, 6)) +
                       " are not a GB/T 2260 region code with a real province prefix",
                   "第3-8位登记管理机关行政区划码“" + s.substr(2, 6) + "”无效");
    case CheckRule::kOrgCheck: {
      std::string want(1, OrgCodeCheckChar(s.substr(8, 8)));
      return error("organisation code " + Quote(s.substr(8, 9)) +
                       " (positions 9-17) fails the GB 11714 check: position 17 should be " +
                       Quote(want),
                   "第9-17位组织机构代码“" + s.substr(8, 9) + "”校验错误，第17位应为“" + want +
                       "”");
    }
    case CheckRule::kCheck: {
      std::string want(1, UsccCheckChar(s));
      return error("MOD 31 check character is " + Quote(s.substr(17, 1)) + ", expected " +
                       Quote(want),
                   "第18位校验码为“" + s.substr(17, 1) + "”，应为“" + want + "”");
    }
    case CheckRule::kBirthdate:
      break;
  }
  return error("invalid unified social credit code", "统一社会信用代码无效");
}

Result<Uscc> Uscc::Parse(std::string_view input, CheckMode mode, const UsccRules& rules) {
  CheckResult r = CheckUscc(input, mode, rules);
  if (!r.valid()) return std::unexpected(UsccCheckError(r));
  Uscc code;
  std::copy(r.canonical.begin(), r.canonical.end(), code.chars_.begin());
  return code;
}

Result<Uscc> Uscc::Make(char authority, char category, std::string_view region6,
                        std::string_view org_body8, const UsccRules& rules) {
  std::string s{authority, category};
  s += region6;
  s += org_body8;
  if (s.size() != 16) {
    return Fail(ErrorCode::kInvalidArgument, "uscc.length",
                "region must have 6 and organisation body 8 characters",
                "行政区划码应为6位、组织机构代码本体应为8位");
  }
  char org_check = OrgCodeCheckChar(org_body8);
  if (org_check == '\0') {
    return Fail(ErrorCode::kInvalidArgument, "uscc.charset",
                "organisation body must be 0-9 and A-Z", "组织机构代码本体只能含数字和大写字母");
  }
  s += org_check;
  char check = UsccCheckChar(s);
  if (check == '\0') {
    return Fail(ErrorCode::kInvalidArgument, "uscc.charset",
                "a part contains a character outside the USCC alphabet",
                "含有统一社会信用代码不允许的字符");
  }
  s += check;
  return Parse(s, CheckMode::kStrict, rules);
}

UsccInfo DescribeUscc(const Uscc& code, const UsccRules& rules) {
  UsccInfo info;
  info.code = std::string(code.str());
  info.authority = code.authority();
  info.category = code.category();
  if (const AuthorityTable::Pair* p = rules.authorities->Find(code.authority(), code.category())) {
    info.authority_name = p->authority_name;
    info.category_name = p->category_name;
  }
  info.region_code = std::string(code.region());
  info.org_code = std::string(code.org_code());
  if (info.region_code == "100000") {
    info.region_name = "国家";
    info.region_current = true;
    return info;
  }
  // The region may be a county, a prefecture or only a province prefix with an unknown rest.
  const Region* r = rules.regions->Find(info.region_code);
  if (r != nullptr) {
    info.region_name = rules.regions->FullName(r->code);
    info.region_current = r->current();
  } else {
    int province = (code.region()[0] - '0') * 10 + (code.region()[1] - '0');
    const Region* p = rules.regions->Find(province * 10000);
    info.region_name = p != nullptr ? p->name() : "";
    info.region_current = false;
  }
  return info;
}

int UsccRegionCode(std::string_view uscc) {
  if (uscc.size() != 18) return 0;
  int region = 0;
  for (char c : uscc.substr(2, 6)) {
    if (c < '0' || c > '9') return 0;
    region = region * 10 + (c - '0');
  }
  return region;
}

}  // namespace xy
