#include "services/generator.h"

#include <unicode/ucnv.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numeric>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "base/text.h"
#include "domain/business_reg_no.h"
#include "domain/citizen_id.h"
#include "domain/uscc.h"
#include "ingest/xlsx_writer.h"

namespace xy {

std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

namespace {

// ---- randomness ----

// Lemire, "Fast random integer generation in an interval" (2019): exact (rejects the biased low
// part), and only integer arithmetic, so every platform maps the same engine output the same way.
template <typename Engine>
std::uint64_t Below(Engine& engine, std::uint64_t n) {
  std::uint64_t x = engine();
  unsigned __int128 m = static_cast<unsigned __int128>(x) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      x = engine();
      m = static_cast<unsigned __int128>(x) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

// SplitMix64 as an engine: cheap to seed, so every subject gets its own stream.
struct SplitMixEngine {
  std::uint64_t state;
  std::uint64_t operator()() { return SplitMix64(state); }
};

template <typename Engine>
int Int(Engine& e, std::int64_t n) {
  return static_cast<int>(Below(e, static_cast<std::uint64_t>(n)));
}
// Inclusive range.
template <typename Engine>
std::int64_t Range(Engine& e, std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(Below(e, static_cast<std::uint64_t>(hi - lo + 1)));
}
template <typename Engine>
bool Chance(Engine& e, int per_mille) {
  return static_cast<int>(Below(e, 1000)) < per_mille;
}
template <typename Engine, typename T, std::size_t N>
const T& Pick(Engine& e, const T (&array)[N]) {
  return array[Below(e, N)];
}
template <typename Engine, typename T>
const T& Pick(Engine& e, std::span<const T> s) {
  return s[Below(e, s.size())];
}
// An index drawn with the given weights.
template <typename Engine>
int Weighted(Engine& e, std::span<const int> weights) {
  int total = std::accumulate(weights.begin(), weights.end(), 0);
  int x = Int(e, total);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (x < weights[i]) return static_cast<int>(i);
    x -= weights[i];
  }
  return static_cast<int>(weights.size()) - 1;
}

constexpr std::uint64_t Gcd(std::uint64_t a, std::uint64_t b) { return b == 0 ? a : Gcd(b, a % b); }
// The first number from `start` that is coprime with `m`: a multiplier that makes i → (a·i + b) mod
// m a permutation of [0, m).
constexpr std::uint64_t CoprimeFrom(std::uint64_t m, std::uint64_t start) {
  while (Gcd(start, m) != 1) ++start;
  return start;
}
std::uint64_t Permute(std::uint64_t index, std::uint64_t multiplier, std::uint64_t offset,
                      std::uint64_t m) {
  std::uint64_t i = index % m;
  if (i < (1ULL << 31) && multiplier < (1ULL << 31) && m < (1ULL << 32))
    return (i * multiplier + offset % m) % m;
  return static_cast<std::uint64_t>((static_cast<unsigned __int128>(i) * multiplier + offset % m) %
                                    m);
}

std::uint64_t Fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// ---- text helpers ----

// Number formatting without printf: it is most of the generator's work otherwise.
void AppendInt(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// REQUIRES: v >= 0.
void AppendPadded(std::string& out, std::int64_t v, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  for (auto n = static_cast<int>(end - buf); n < width; ++n) out += '0';
  out.append(buf, end);
}

std::string IntText(std::int64_t v) {
  std::string s;
  AppendInt(s, v);
  return s;
}

// Yuan as 万元 with at most 4 decimals, shortest form: 2000 → "0.2", 35000 → "3.5", 120000 → "12".
std::string WanYuan(std::int64_t yuan) {
  std::string s;
  AppendInt(s, yuan / 10000);
  std::int64_t frac = yuan % 10000;
  if (frac != 0) {
    s += '.';
    AppendPadded(s, frac, 4);
    while (s.back() == '0') s.pop_back();
  }
  return s;
}

// Days since 1970-01-01 ↔ dates, without going through the library for the hot path
// (Hinnant's civil_from_days / days_from_civil).
struct Ymd {
  int y;
  unsigned m, d;
};
Ymd CivilFromDays(std::int64_t z) {
  z += 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  auto doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}
std::int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  auto yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
// YYYYMMDD (compact = true) or YYYY-MM-DD. REQUIRES: a year 0 … 9999.
void AppendDay(std::string& out, std::int64_t day, bool compact) {
  Ymd c = CivilFromDays(day);
  char buf[10];
  std::size_t n = 0;
  buf[n++] = static_cast<char>('0' + c.y / 1000 % 10);
  buf[n++] = static_cast<char>('0' + c.y / 100 % 10);
  buf[n++] = static_cast<char>('0' + c.y / 10 % 10);
  buf[n++] = static_cast<char>('0' + c.y % 10);
  if (!compact) buf[n++] = '-';
  buf[n++] = static_cast<char>('0' + c.m / 10);
  buf[n++] = static_cast<char>('0' + c.m % 10);
  if (!compact) buf[n++] = '-';
  buf[n++] = static_cast<char>('0' + c.d / 10);
  buf[n++] = static_cast<char>('0' + c.d % 10);
  out.append(buf, n);
}
std::string IsoDay(std::int64_t day) {
  std::string s;
  AppendDay(s, day, false);
  return s;
}
// 2024年3月5日, as documents write dates.
std::string ChineseDay(std::int64_t day) {
  Ymd c = CivilFromDays(day);
  std::string s;
  AppendInt(s, c.y);
  s += "年";
  AppendInt(s, c.m);
  s += "月";
  AppendInt(s, c.d);
  s += "日";
  return s;
}
int YearOf(std::int64_t day) { return CivilFromDays(day).y; }
// Adds months, clamping to the month's end.
std::int64_t AddMonthsDays(std::int64_t day, int months) {
  Ymd c = CivilFromDays(day);
  int total = c.y * 12 + static_cast<int>(c.m) - 1 + months;
  int y = total / 12;
  auto m = static_cast<unsigned>(total % 12 + 1);
  static constexpr unsigned kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  unsigned last = kMonthDays[m - 1];
  if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) last = 29;
  return DaysFromCivil(y, m, std::min(c.d, last));
}
constexpr std::int64_t kOpenEnded = 47481;  // 2099-12-31, the national convention for 长期

// Cuts `s` to at most `max_chars` code points (valid UTF-8 in, valid UTF-8 out).
void TruncateChars(std::string& s, std::size_t max_chars) {
  if (s.size() <= max_chars) return;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++chars) {
    if (chars == max_chars) {
      s.resize(i);
      break;
    }
    auto c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
}

// The ASCII characters of `s` in their full-width forms (Ａ for A): what an IME in full-width mode
// types. Non-ASCII bytes are copied.
std::string FullWidth(std::string_view s) {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x21 && c <= 0x7E) {
      unsigned cp = 0xFF01 + (c - 0x21);
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += ch;
    }
  }
  return out;
}

// Calls fn(part) for each part of a multi-valued enum, split as the validator does (; ； 、 , ，),
// without trimming (the generator writes no spaces). Stops early when fn returns false.
template <typename Fn>
void ForEachPart(std::string_view s, Fn fn) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t sep = 0;
    auto c = static_cast<unsigned char>(s[i]);
    if (c == ';' || c == ',') {
      sep = 1;
    } else if (c == 0xE3 || c == 0xEF) {  // the lead bytes of 、 and of ； ，
      std::string_view three = s.substr(i, 3);
      if (three == "；" || three == "、" || three == "，") sep = 3;
    }
    if (sep == 0) {
      ++i;
      continue;
    }
    if (i > start && !fn(s.substr(start, i - start))) return;
    i += sep;
    start = i;
  }
  if (start < s.size()) fn(s.substr(start));
}

std::vector<std::string_view> SplitParts(std::string_view s) {
  std::vector<std::string_view> parts;
  ForEachPart(s, [&](std::string_view p) {
    parts.push_back(p);
    return true;
  });
  return parts;
}

bool Contains(std::span<const std::string> values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

}  // namespace

namespace {

// ---- tables ----
//
// Everything here is plausible for 淮南 but invented: departments' organisation bodies,
// roads, company names. Change freely — only the reproducibility of old files depends on them.

// ---- places ----

constexpr std::string_view kDaTongTowns[] = {"大通街道", "上窑镇", "洛河镇", "九龙岗镇", "孔店乡"};
constexpr std::string_view kTianJiaAnTowns[] = {"舜耕镇", "安成镇",   "曹庵镇",  "三和镇",
                                                "史院乡", "龙泉街道", "洞山街道"};
constexpr std::string_view kXieJiaJiTowns[] = {"望峰岗镇", "李郢孜镇", "唐山镇",
                                               "杨公镇",   "孙庙乡",   "孤堆回族乡"};
constexpr std::string_view kBaGongShanTowns[] = {"八公山镇", "山王镇", "新庄孜街道", "土坝孜街道"};
constexpr std::string_view kPanJiTowns[] = {"泥河镇", "潘集镇", "平圩镇", "芦集镇",    "高皇镇",
                                            "架河镇", "夹沟镇", "祁集镇", "古沟回族乡"};
constexpr std::string_view kFengTaiTowns[] = {"城关镇", "新集镇", "朱马店镇", "岳张集镇", "顾桥镇",
                                              "毛集镇", "夏集镇", "桂集镇",   "焦岗湖镇", "凤凰镇",
                                              "杨村镇", "丁集镇", "刘集镇",   "大山镇",   "尚塘镇"};
constexpr std::string_view kShouXianTowns[] = {
    "寿春镇", "双桥镇", "涧沟镇", "丰庄镇", "正阳关镇", "迎河镇", "板桥镇", "安丰塘镇", "众兴镇",
    "茶庵镇", "三觉镇", "炎刘镇", "刘岗镇", "隐贤镇",   "保义镇", "小甸镇", "堰口镇",   "瓦埠镇"};

constexpr std::string_view kTianJiaAnRoads[] = {"洞山中路", "国庆中路", "朝阳中路", "淮河大道",
                                                "舜耕中路", "龙湖南路", "人民南路", "广场北路",
                                                "学院南路", "民惠街",   "和平路",   "建设北路"};
constexpr std::string_view kTownRoads[] = {
    "人民路", "建设路", "新华路", "解放路",   "文化路", "团结路", "朝阳路", "光明路",
    "幸福路", "工农路", "兴业路", "创业大道", "商贸街", "淮河路", "府前街", "振兴路"};

struct District {
  const char* code;
  const char* name;    // 田家庵区
  const char* prefix;  // 淮南市田家庵区 / 凤台县 (how local names start)
  std::span<const std::string_view> towns;
  std::span<const std::string_view> roads;
};

constexpr District kDistricts[] = {
    {"340402", "大通区", "淮南市大通区", kDaTongTowns, kTownRoads},
    {"340403", "田家庵区", "淮南市田家庵区", kTianJiaAnTowns, kTianJiaAnRoads},
    {"340404", "谢家集区", "淮南市谢家集区", kXieJiaJiTowns, kTownRoads},
    {"340405", "八公山区", "淮南市八公山区", kBaGongShanTowns, kTownRoads},
    {"340406", "潘集区", "淮南市潘集区", kPanJiTowns, kTownRoads},
    {"340421", "凤台县", "凤台县", kFengTaiTowns, kTownRoads},
    {"340422", "寿县", "寿县", kShouXianTowns, kTownRoads},
};
constexpr int kDistrictCount = static_cast<int>(std::size(kDistricts));
// Where people and firms are: 田家庵 is the city centre.
constexpr int kDistrictWeights[] = {12, 30, 12, 6, 10, 14, 16};

// The first part of a company name and the region its registering authority has. Index < 7: the
// district of kDistricts; the others register with the city (340400).
struct NamePrefix {
  const char* text;
  int district;  // -1: the city
};
constexpr NamePrefix kNamePrefixes[] = {
    {"淮南市大通区", 0}, {"淮南市田家庵区", 1}, {"淮南市谢家集区", 2}, {"淮南市八公山区", 3},
    {"淮南市潘集区", 4}, {"凤台县", 5},         {"寿县", 6},           {"淮南", -1},
    {"淮南市", -1},      {"安徽", -1},
};

// ---- names ----

constexpr std::string_view kBrandFirst[] = {
    "鑫", "华", "恒", "泰", "瑞", "金", "宏", "盛", "兴", "隆", "德", "信", "丰",
    "源", "利", "安", "永", "昌", "祥", "宇", "佳", "嘉", "新", "正", "天", "东",
    "辰", "博", "诚", "达", "中", "润", "汇", "明", "康", "欣", "荣", "和", "美",
    "聚", "凯", "腾", "鼎", "禾", "淮", "舜", "楚", "皖", "万", "豪"};
constexpr std::string_view kBrandSecond[] = {
    "源", "达", "盛", "泰", "丰", "鑫", "利", "通", "发", "隆", "运", "航", "程", "宇", "辉", "洋",
    "远", "诚", "信", "华", "昌", "瑞", "峰", "顺", "联", "成", "邦", "创", "科", "晟", "弘", "康",
    "益", "和", "润", "佳", "悦", "泽", "恒", "森", "林", "海", "川", "阳", "茂", "旺", "祥", "升"};

enum IndustryGroup {
  kFood,
  kBuild,
  kTransport,
  kIndustrial,
  kTrade,
  kService,
  kHealth,
  kFarm,
  kTech
};

struct Industry {
  const char* word;  // 商贸 → 鑫源商贸有限公司
  IndustryGroup group;
  const char* scope;  // 经营范围
};

constexpr Industry kIndustries[] = {
    {"商贸", kTrade,
     "日用百货、五金交电、建筑材料、办公用品销售；货物进出口（依法须经批准的项目，经相关部门批准后"
     "方可开展经营活动）"},
    {"建筑工程", kBuild,
     "房屋建筑工程、市政公用工程、水利水电工程施工；建筑劳务分包；土石方工程施工"},
    {"建材", kTrade, "建筑材料、装饰材料、水泥制品、钢材销售"},
    {"物流", kTransport,
     "道路普通货物运输；仓储服务（不含危险化学品）；货物装卸搬运；物流信息咨询"},
    {"餐饮管理", kFood, "餐饮服务；餐饮管理；食品销售；外卖递送服务"},
    {"食品", kFood, "食品生产；食品销售；农副产品收购；预包装食品批发"},
    {"矿山机械", kIndustrial, "矿山机械设备制造、维修、租赁；液压支架配件加工；机电设备安装"},
    {"煤炭销售", kIndustrial, "煤炭及制品销售；洗精煤加工；矿产品销售"},
    {"电子科技", kTech, "电子产品研发、销售；计算机软硬件开发；安防监控系统安装"},
    {"信息技术", kTech, "信息技术咨询服务；软件开发；信息系统集成服务；数据处理服务"},
    {"房地产开发", kBuild, "房地产开发经营；商品房销售；物业管理"},
    {"物业管理", kService, "物业管理；停车场服务；家政服务；园林绿化工程施工"},
    {"农业科技", kFarm,
     "农业技术推广服务；农作物种植；农副产品销售；化肥、农药（不含危险化学品）销售"},
    {"汽车销售服务", kTrade, "汽车及零配件销售；汽车维修；二手车经纪；汽车租赁"},
    {"环保科技", kIndustrial, "环保设备研发、销售；污水处理；固体废物治理；环境监测"},
    {"医药", kHealth, "药品零售；医疗器械销售；保健食品销售；消毒用品销售"},
    {"服饰", kTrade, "服装、鞋帽、针纺织品批发零售；服装加工"},
    {"装饰工程", kBuild, "室内外装饰装修工程设计、施工；建筑幕墙工程；家具销售"},
    {"劳务", kBuild, "建筑劳务分包；劳务派遣；人力资源服务"},
    {"新能源科技", kTech, "光伏发电设备研发、销售、安装；储能技术服务；充电桩销售"},
    {"酒店管理", kService, "住宿服务；餐饮服务；会议及展览服务；酒店管理"},
    {"文化传媒", kService, "广告设计、制作、代理、发布；文艺活动策划；影视制作"},
    {"教育咨询", kService, "教育咨询服务（不含涉许可审批的教育培训活动）；文化艺术交流活动组织"},
    {"机电设备", kIndustrial, "机电设备销售、安装、维修；电线电缆销售；五金产品批发"},
    {"化工", kIndustrial, "化工产品（不含危险化学品）生产、销售；专用化学产品制造"},
    {"运输", kTransport, "道路普通货物运输；道路旅客运输；汽车租赁"},
    {"水泥制品", kIndustrial, "水泥制品制造、销售；商品混凝土生产、销售"},
    {"家具", kTrade, "家具制造、销售；木制品加工；室内装饰材料销售"},
    {"印刷", kIndustrial, "包装装潢印刷品、其他印刷品印刷；纸制品销售"},
    {"健康管理", kHealth, "健康咨询服务；养老服务；康复辅具适配服务"},
    {"超市", kFood, "食品销售；日用百货销售；烟草制品零售；农副产品销售"},
    {"生物科技", kTech, "生物技术推广服务；饲料添加剂销售；农业生物制品研发"},
    {"人力资源", kService, "人力资源服务；劳务派遣；职业中介活动"},
    {"置业", kBuild, "房地产开发经营；房屋租赁；商业综合体管理服务"},
    {"电力工程", kBuild, "电力设施承装、承修、承试；输变电工程施工；电气设备销售"},
    {"安全技术", kService, "安全生产技术咨询；安全评价；职业卫生技术服务"},
};

constexpr std::string_view kCoopTypes[] = {
    "种植", "养殖", "农机", "果蔬种植", "水产养殖", "中药材种植", "粮食种植", "畜禽养殖", "苗木"};
constexpr std::string_view kPublicInstitutionTypes[] = {
    "中心小学",       "初级中学", "中心幼儿园",       "卫生院",
    "农业综合服务站", "文化站",   "社区卫生服务中心", "水利站"};
constexpr std::string_view kNonProfitTypes[] = {
    "培训学校", "养老服务中心", "幼儿园", "职业技能培训学校", "康复中心", "社会工作服务中心"};

struct Trade {
  const char* word;  // 小吃店
  IndustryGroup group;
};
constexpr Trade kTrades[] = {
    {"小吃店", kFood},        {"烧烤店", kFood},          {"便利店", kFood},   {"五金店", kTrade},
    {"理发店", kService},     {"汽车修理部", kTransport}, {"副食品店", kFood}, {"饭店", kFood},
    {"服装店", kTrade},       {"手机维修部", kService},   {"大药房", kHealth}, {"水果店", kFood},
    {"家电维修部", kService}, {"建材店", kTrade},         {"百货店", kTrade},  {"茶叶店", kTrade},
    {"诊所", kHealth},        {"洗车行", kTransport},     {"快餐店", kFood},   {"面馆", kFood},
    {"熟食店", kFood},        {"粮油店", kFood},          {"农资店", kFarm},   {"养殖场", kFarm},
    {"货运部", kTransport}};
constexpr std::string_view kTradeStyles[] = {"记", "氏", "家"};

constexpr std::string_view kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏",
    "苏", "吕", "丁", "任", "卢", "姚", "沈", "钟", "姜", "崔", "谭", "陆", "范", "汪", "廖",
    "石", "金", "贾", "夏", "付", "方", "邹", "熊", "白", "孟", "秦", "邱", "侯", "江", "尹",
    "薛", "闫", "段", "雷", "龙", "史", "陶", "贺", "毛", "郝", "顾", "龚", "邵", "万", "钱",
    "戴", "严", "孔", "常", "汤", "康", "乔", "文", "施", "洪", "辛", "葛"};
constexpr std::string_view kMaleGiven[] = {
    "伟", "强", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏",
    "华", "飞", "鑫", "波", "宁", "磊", "浩", "凯", "健", "俊", "峰", "志", "建",
    "国", "东", "海", "林", "亮", "文", "晨", "宇", "轩", "博", "洋", "龙", "成",
    "春", "生", "德", "永", "庆", "兵", "云", "新", "学", "中", "光"};
constexpr std::string_view kFemaleGiven[] = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "琳",
    "慧", "颖", "洁", "梅", "红", "萍", "琴", "倩", "欣", "悦", "怡", "佳", "蕾",
    "璐", "晶", "月", "薇", "丹", "琪", "桂", "兰", "凤", "秀", "英", "云", "春",
    "玉", "珍", "莉", "雯", "楠", "琦", "婕", "岚", "露", "曼", "菲"};

// ---- departments ----

// A public body: its unified social credit code is Uscc::Make('1', '1', region, body) (机构编制 /
// 机关), or `authority`/`category` when given.
struct Dept {
  std::string_view name;
  const char* region;
  const char* body;
  std::string_view penalty_doc;  // 文书号 of its penalties: 淮市监处罚〔2024〕123号
  std::string_view abbr;         // of its other documents: 淮市监许〔2024〕…
  char authority = '1';
  char category = '1';
};

enum DeptId {
  kSamrCity,
  kSamrDaTong,
  kSamrTianJiaAn,
  kSamrXieJiaJi,
  kSamrBaGongShan,
  kSamrPanJi,
  kSamrFengTai,
  kSamrShouXian,
  kEnv,
  kTransportBureau,
  kSafety,
  kUrban,
  kHealthCommission,
  kHousing,
  kLand,
  kHrss,
  kFire,
  kPolice,
  kTax,
  kTaxInspection,
  kAgriculture,
  kEducation,
  kTobacco,
  kCityGov,
  kDrc,
  kCivilAffairs,
  kEstablishment,
  kDataBureau,
  kCourtMid,
  kCourtDaTong,
  kCourtTianJiaAn,
  kCourtXieJiaJi,
  kCourtBaGongShan,
  kCourtPanJi,
  kCourtFengTai,
  kCourtShouXian,
  kTaxTianJiaAn,
  kProvinceGov,
  kAcftu,
  kCityUnion,
  kCivilization,
  kGovService,
  kDeptCount
};

constexpr Dept kDepts[] = {
    {"淮南市市场监督管理局", "340400", "00301001", "淮市监处罚", "淮市监"},
    {"淮南市大通区市场监督管理局", "340402", "00301002", "大市监处罚", "大市监"},
    {"淮南市田家庵区市场监督管理局", "340403", "00301003", "田市监处罚", "田市监"},
    {"淮南市谢家集区市场监督管理局", "340404", "00301004", "谢市监处罚", "谢市监"},
    {"淮南市八公山区市场监督管理局", "340405", "00301005", "八市监处罚", "八市监"},
    {"淮南市潘集区市场监督管理局", "340406", "00301006", "潘市监处罚", "潘市监"},
    {"凤台县市场监督管理局", "340421", "00301007", "凤市监处罚", "凤市监"},
    {"寿县市场监督管理局", "340422", "00301008", "寿市监处罚", "寿市监"},
    {"淮南市生态环境局", "340400", "00301009", "淮环罚", "淮环"},
    {"淮南市交通运输局", "340400", "00301010", "淮交执罚", "淮交"},
    {"淮南市应急管理局", "340400", "00301011", "淮应急罚", "淮应急"},
    {"淮南市城市管理局", "340400", "00301012", "淮城管罚", "淮城管"},
    {"淮南市卫生健康委员会", "340400", "00301013", "淮卫罚", "淮卫"},
    {"淮南市住房和城乡建设局", "340400", "00301014", "淮建罚", "淮建"},
    {"淮南市自然资源和规划局", "340400", "00301015", "淮自然资规罚", "淮自然资规"},
    {"淮南市人力资源和社会保障局", "340400", "00301016", "淮人社监罚", "淮人社"},
    {"淮南市消防救援支队", "340400", "00301017", "淮消行罚决字", "淮消"},
    {"淮南市公安局", "340400", "00301018", "淮公（治）行罚决字", "淮公"},
    {"国家税务总局淮南市税务局", "340400", "00301019", "淮税罚", "淮税"},
    {"国家税务总局淮南市税务局第一稽查局", "340400", "00301020", "淮税一稽罚", "淮税一稽"},
    {"淮南市农业农村局", "340400", "00301021", "淮农罚", "淮农"},
    {"淮南市教育体育局", "340400", "00301022", "淮教罚", "淮教"},
    {"淮南市烟草专卖局", "340400", "00301023", "淮烟罚", "淮烟"},
    {"淮南市人民政府", "340400", "00301024", "淮府罚", "淮府"},
    {"淮南市发展和改革委员会", "340400", "00301025", "淮发改罚", "淮发改"},
    {"淮南市民政局", "340400", "00301026", "淮民罚", "淮民"},
    {"中共淮南市委机构编制委员会办公室", "340400", "00301027", "淮编罚", "淮编"},
    {"淮南市数据资源管理局", "340400", "00301028", "淮数据罚", "淮数据"},
    {"安徽省淮南市中级人民法院", "340400", "00301029", "", "皖04"},
    {"淮南市大通区人民法院", "340402", "00301030", "", "皖0402"},
    {"淮南市田家庵区人民法院", "340403", "00301031", "", "皖0403"},
    {"淮南市谢家集区人民法院", "340404", "00301032", "", "皖0404"},
    {"淮南市八公山区人民法院", "340405", "00301033", "", "皖0405"},
    {"淮南市潘集区人民法院", "340406", "00301034", "", "皖0406"},
    {"凤台县人民法院", "340421", "00301035", "", "皖0421"},
    {"寿县人民法院", "340422", "00301036", "", "皖0422"},
    {"国家税务总局淮南市田家庵区税务局", "340403", "00301037", "淮田税罚", "淮田税"},
    {"安徽省人民政府", "340000", "00298001", "皖政罚", "皖政"},
    {"中华全国总工会", "100000", "00000101", "", "总工发", '1', '3'},
    {"淮南市总工会", "340400", "00301038", "", "淮工", '1', '3'},
    {"淮南市精神文明建设指导委员会", "340400", "00301039", "", "淮文明委"},
    {"淮南市政务服务管理局", "340400", "00301040", "淮政务罚", "淮政务"},
};
static_assert(std::size(kDepts) == static_cast<std::size_t>(kDeptCount));

// The market regulator, court, … of a district (index into kDistricts); -1 = the city's.
constexpr DeptId kSamrOf[] = {kSamrDaTong, kSamrTianJiaAn, kSamrXieJiaJi, kSamrBaGongShan,
                              kSamrPanJi,  kSamrFengTai,   kSamrShouXian};
constexpr DeptId kCourtOf[] = {kCourtDaTong, kCourtTianJiaAn, kCourtXieJiaJi, kCourtBaGongShan,
                               kCourtPanJi,  kCourtFengTai,   kCourtShouXian};

// ---- 行政处罚 ----

enum SubjectMask : unsigned { kOrgs = 1, kIndividuals = 2, kPersons = 4, kAll = 7 };

// One kind of case. In `facts`: {S} the party, {T} the date of the act, {A} the address, {Q} a
// quantity, {G} illegal gains in yuan, {V} goods value in yuan. `combos`: '|'-separated choices of
// 处罚类别 (';'-joined); a choice listed twice is twice as likely.
struct PenaltyCase {
  DeptId dept;  // kSamrCity: the market regulator where the party is
  unsigned subjects;
  int group;  // IndustryGroup it fits best, -1 any
  std::string_view violation;
  std::string_view facts;
  std::string_view basis;
  std::string_view combos;
  int fine_min, fine_max;    // yuan
  std::string_view goods;    // 没收非法财物: what
  std::string_view licence;  // 暂扣 / 吊销: which licence, and the pattern of its number
  std::string_view licence_no;
};

constexpr PenaltyCase kPenaltyCases[] = {
    {kSamrCity, kOrgs | kIndividuals, kFood, "销售超过保质期的食品",
     "经查，{S}于{T}在其经营场所（{A}）销售超过保质期的食品{Q}件，货值金额{V}元，违法所得{G}"
     "元。上述行为违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定。",
     "《中华人民共和国食品安全法》第三十四条第（十）项、第一百二十四条第一款第（五）项",
     "罚款;没收违法所得;没收非法财物|罚款;没收违法所得;没收非法财物|罚款;没收非法财物|警告;罚款|"
     "吊销许可证件;罚款;没收违法所得",
     5000, 100000, "超过保质期的食品", "食品经营许可证", "JY1{R}{N7}"},
    {kSamrCity, kOrgs | kIndividuals, kFood, "经营标签不符合规定的预包装食品",
     "{S}于{T}购进并销售标签未标注生产日期的预包装食品{Q}件，货值金额{V}"
     "元，违反了《中华人民共和国食品安全法》第六十七条第一款的规定。",
     "《中华人民共和国食品安全法》第六十七条第一款、第一百二十五条第一款第（二）项",
     "罚款;没收违法所得|罚款|警告;罚款", 2000, 50000, "", "", ""},
    {kSamrCity, kOrgs, kTrade, "虚假宣传",
     "{S}"
     "在其微信公众号及经营场所宣传资料中使用“销量第一”“全市最低价”等无法证实的用语，对商品的销售状"
     "况作虚假的商业宣传，违反了《中华人民共和国反不正当竞争法》第八条第一款的规定。",
     "《中华人民共和国反不正当竞争法》第八条第一款、第二十条第一款", "罚款|罚款|罚款;没收违法所得",
     20000, 200000, "", "", ""},
    {kSamrCity, kOrgs | kIndividuals, -1, "发布虚假广告",
     "{S}于{T}起在户外广告牌发布含有虚假内容的广告，广告费用{V}"
     "元，违反了《中华人民共和国广告法》第二十八条第一款的规定。",
     "《中华人民共和国广告法》第二十八条第一款、第五十五条第一款", "罚款|罚款;没收违法所得", 10000,
     100000, "", "", ""},
    {kSamrCity, kOrgs | kIndividuals, kTrade, "不按规定明码标价",
     "{S}在其经营场所销售商品未按规定明码标价，涉及商品{Q}"
     "种，违反了《中华人民共和国价格法》第十三条第一款的规定。",
     "《中华人民共和国价格法》第十三条第一款、第四十二条", "警告|罚款|警告;罚款", 500, 5000, "", "",
     ""},
    {kSamrCity, kOrgs | kIndividuals, kTrade, "销售不合格产品",
     "经抽样检验，{S}于{T}销售的产品{Q}件经检验不合格，货值金额{V}元，违法所得{G}"
     "元，违反了《中华人民共和国产品质量法》第三十九条的规定。",
     "《中华人民共和国产品质量法》第三十九条、第四十九条",
     "罚款;没收违法所得;没收非法财物|罚款;没收违法所得|罚款", 2000, 50000, "不合格产品", "", ""},
    {kSamrCity, kOrgs, kIndustrial, "使用未经定期检验的特种设备",
     "{S}使用的叉车{Q}"
     "台未按规定在检验合格有效期届满前一个月向特种设备检验机构提出定期检验要求，违反了《中华人民共"
     "和国特种设备安全法》第四十条第三款的规定。",
     "《中华人民共和国特种设备安全法》第四十条第三款、第八十四条第（一）项",
     "罚款|罚款|责令停产停业;罚款", 30000, 300000, "", "", ""},
    {kSamrCity, kIndividuals | kPersons, kFood, "未取得食品经营许可从事食品经营活动",
     "{S}于{T}起在{A}未取得食品经营许可从事食品经营活动，违法所得{G}"
     "元，违反了《中华人民共和国食品安全法》第三十五条第一款的规定。",
     "《中华人民共和国食品安全法》第三十五条第一款、第一百二十二条第一款",
     "罚款;没收违法所得|罚款;没收违法所得;没收非法财物", 5000, 50000, "用于违法经营的工具、设备",
     "", ""},
    {kSamrCity, kOrgs | kIndividuals, kTrade, "侵犯注册商标专用权",
     "{S}于{T}销售侵犯他人注册商标专用权的商品{Q}件，货值金额{V}"
     "元，违反了《中华人民共和国商标法》第五十七条第（三）项的规定。",
     "《中华人民共和国商标法》第五十七条第（三）项、第六十条第二款",
     "罚款;没收非法财物|罚款;没收非法财物|警告;没收非法财物", 5000, 100000, "侵权商品", "", ""},
    {kEnv, kOrgs, kIndustrial, "超标排放大气污染物",
     "{T}，我局执法人员对{S}"
     "进行现场检查，经监测，其废气排放口颗粒物排放浓度超过《大气污染物综合排放标准》规定的限值，违"
     "反了《中华人民共和国大气污染防治法》第十八条的规定。",
     "《中华人民共和国大气污染防治法》第十八条、第九十九条第（二）项",
     "罚款|罚款|责令停产停业;罚款", 100000, 1000000, "", "", ""},
    {kEnv, kOrgs, kIndustrial, "未依法报批环境影响评价文件擅自开工建设",
     "{S}建设项目环境影响评价文件未经审批，于{T}擅自开工建设，项目总投资{V}"
     "元，违反了《中华人民共和国环境影响评价法》第二十五条的规定。",
     "《中华人民共和国环境影响评价法》第二十五条、第三十一条第一款", "罚款", 50000, 500000, "", "",
     ""},
    {kEnv, kOrgs, kIndustrial, "未按规定贮存危险废物",
     "{T}，执法人员现场检查发现{S}"
     "产生的废矿物油等危险废物露天堆放，未设置危险废物识别标志，违反了《中华人民共和国固体废物污染"
     "环境防治法》第七十七条、第七十九条的规定。",
     "《中华人民共和国固体废物污染环境防治法》第七十九条、第一百一十二条第一款第（六）项", "罚款",
     100000, 1000000, "", "", ""},
    {kTransportBureau, kOrgs | kIndividuals | kPersons, kTransport, "车辆超限运输",
     "{T}，{S}"
     "所属货车在G206国道淮南段超限检测站经检测车货总重超过限定标准，违反了《公路安全保护条例》第三"
     "十三条第一款的规定。",
     "《公路安全保护条例》第三十三条第一款、第六十四条", "罚款|罚款|罚款|警告;罚款", 500, 30000, "",
     "", ""},
    {kTransportBureau, kIndividuals | kPersons, kTransport,
     "未取得道路运输经营许可擅自从事道路普通货物运输经营",
     "{S}未取得道路运输经营许可，于{T}擅自从事道路普通货物运输经营，违法所得{G}"
     "元，违反了《中华人民共和国道路运输条例》第二十四条的规定。",
     "《中华人民共和国道路运输条例》第二十四条、第六十三条", "罚款;没收违法所得|罚款", 10000,
     100000, "", "", ""},
    {kTransportBureau, kOrgs, kTransport, "道路运输企业未按规定维护和检测运输车辆",
     "{S}所属营运车辆{Q}"
     "辆未按规定进行综合性能检测，违反了《中华人民共和国道路运输条例》第三十一条的规定。",
     "《中华人民共和国道路运输条例》第三十一条、第七十条第一款", "罚款|警告;罚款|暂扣许可证件;罚款",
     1000, 5000, "", "道路运输经营许可证", "皖交运管许可淮字{R}{N6}号"},
    {kSafety, kOrgs, kIndustrial, "未按规定对从业人员进行安全生产教育和培训",
     "{T}，执法人员检查发现{S}未对新入职从业人员{Q}"
     "人进行安全生产教育和培训即安排上岗作业，违反了《中华人民共和国安全生产法》第二十八条第一款的"
     "规定。",
     "《中华人民共和国安全生产法》第二十八条第一款、第九十七条第（三）项", "罚款|罚款|警告;罚款",
     10000, 100000, "", "", ""},
    {kSafety, kOrgs, kIndustrial, "生产经营单位未建立事故隐患排查治理制度",
     "{S}未建立事故隐患排查治理制度，{T}检查时发现事故隐患{Q}"
     "处未及时消除，违反了《中华人民共和国安全生产法》第四十一条第二款的规定。",
     "《中华人民共和国安全生产法》第四十一条第二款、第一百零一条第（五）项",
     "罚款|责令停产停业;罚款", 20000, 100000, "", "", ""},
    {kUrban, kOrgs | kIndividuals | kPersons, kService, "擅自设置户外广告设施",
     "{S}未经批准，于{T}在{A}"
     "擅自设置户外广告设施，违反了《城市市容和环境卫生管理条例》第十一条的规定。",
     "《城市市容和环境卫生管理条例》第十一条、第三十六条第（五）项", "罚款|警告|警告;罚款", 500,
     5000, "", "", ""},
    {kUrban, kOrgs | kIndividuals | kPersons, kBuild, "未经批准擅自占用城市道路",
     "{S}未经批准，于{T}擅自占用{A}"
     "门前城市道路堆放建筑材料，违反了《城市道路管理条例》第二十七条的规定。",
     "《城市道路管理条例》第二十七条、第四十二条", "罚款|警告;罚款", 500, 20000, "", "", ""},
    {kUrban, kOrgs, kBuild, "随意倾倒建筑垃圾",
     "{T}，{S}所属运输车辆将建筑垃圾随意倾倒在{A}"
     "附近空地，违反了《中华人民共和国固体废物污染环境防治法》第六十条的规定。",
     "《中华人民共和国固体废物污染环境防治法》第六十条、第一百一十一条第一款第（三）项", "罚款",
     10000, 100000, "", "", ""},
    {kHealthCommission, kIndividuals | kPersons, kHealth, "未取得医疗机构执业许可证擅自执业",
     "{S}未取得医疗机构执业许可证，于{T}起在{A}擅自开展诊疗活动，违法所得{G}"
     "元，违反了《中华人民共和国基本医疗卫生与健康促进法》第三十八条第一款的规定。",
     "《中华人民共和国基本医疗卫生与健康促进法》第三十八条第一款、第九十九条第一款",
     "罚款;没收违法所得;没收非法财物|罚款;没收违法所得", 50000, 200000, "药品和医疗器械", "", ""},
    {kHealthCommission, kOrgs | kIndividuals, kService, "公共场所卫生许可证逾期未复核",
     "{S}经营的公共场所卫生许可证有效期届满未申请复核，仍于{T}"
     "继续营业，违反了《公共场所卫生管理条例实施细则》第二十二条的规定。",
     "《公共场所卫生管理条例实施细则》第二十二条、第三十五条第一款", "警告|警告;罚款|罚款", 500,
     5000, "", "", ""},
    {kHealthCommission, kOrgs | kIndividuals, kHealth, "使用非卫生技术人员从事医疗卫生技术工作",
     "{S}于{T}起使用未取得执业资格的人员{Q}"
     "名从事医疗卫生技术工作，违反了《医疗机构管理条例》第二十七条的规定。",
     "《医疗机构管理条例》第二十七条、第四十七条", "罚款|罚款|吊销许可证件;罚款", 50000, 100000, "",
     "医疗机构执业许可证", "PDY{N5}-{R}-{N2}"},
    {kHousing, kOrgs, kBuild, "未取得施工许可证擅自施工",
     "{S}建设的{A}项目未取得建筑工程施工许可证，于{T}"
     "擅自开工建设，违反了《中华人民共和国建筑法》第七条第一款的规定。",
     "《中华人民共和国建筑法》第七条第一款、第六十四条，《建筑工程施工许可管理办法》第十二条",
     "罚款", 10000, 100000, "", "", ""},
    {kHousing, kOrgs, kBuild, "施工单位未按规定设置安全防护设施",
     "{T}，执法人员检查发现{S}"
     "承建项目的临边、洞口未设置安全防护设施，违反了《建设工程安全生产管理条例》第二十八条第一款的"
     "规定。",
     "《建设工程安全生产管理条例》第二十八条第一款、第六十二条第（四）项",
     "罚款|罚款|降低资质等级;罚款", 50000, 100000, "", "建筑业企业资质证书", "D{N9}"},
    {kLand, kOrgs | kPersons, kFarm, "非法占用土地",
     "{S}未经批准，于{T}擅自占用{A}集体土地{Q}"
     "平方米建设厂房，违反了《中华人民共和国土地管理法》第四十四条第一款的规定。",
     "《中华人民共和国土地管理法》第四十四条第一款、第七十七条第一款", "罚款;没收非法财物|罚款",
     10000, 500000, "在非法占用的土地上新建的建筑物和其他设施", "", ""},
    {kLand, kOrgs | kPersons, kIndustrial, "未取得采矿许可证擅自采矿",
     "{S}未取得采矿许可证，于{T}起擅自开采建筑用砂石{Q}吨，违法所得{G}"
     "元，违反了《中华人民共和国矿产资源法》第三条第三款的规定。",
     "《中华人民共和国矿产资源法》第三条第三款、第三十九条第一款",
     "罚款;没收违法所得;没收非法财物|罚款;没收违法所得", 50000, 500000, "采出的矿产品", "", ""},
    {kHrss, kOrgs, kBuild, "违反规定延长劳动者工作时间",
     "{S}于{T}至检查之日安排劳动者{Q}"
     "人每日工作超过法定时长且未支付加班工资，违反了《中华人民共和国劳动法》第四十一条的规定。",
     "《中华人民共和国劳动法》第四十一条，《劳动保障监察条例》第二十五条", "警告;罚款|罚款", 1000,
     10000, "", "", ""},
    {kHrss, kOrgs | kIndividuals, -1, "未按规定办理社会保险登记",
     "{S}自用工之日起三十日内未为{Q}"
     "名职工办理社会保险登记，违反了《中华人民共和国社会保险法》第五十七条第一款、第五十八条第一款"
     "的规定。",
     "《中华人民共和国社会保险法》第五十八条第一款、第八十四条", "罚款", 2000, 20000, "", "", ""},
    {kFire, kOrgs | kIndividuals, kService, "消防设施、器材未保持完好有效",
     "{T}，消防救援机构检查发现{S}（{A}）室内消火栓无水、灭火器失效{Q}"
     "具，违反了《中华人民共和国消防法》第十六条第一款第（二）项的规定。",
     "《中华人民共和国消防法》第十六条第一款第（二）项、第六十条第一款第（一）项",
     "罚款|罚款|警告;罚款", 5000, 50000, "", "", ""},
    {kFire, kOrgs | kIndividuals, kTrade, "占用、堵塞、封闭疏散通道、安全出口",
     "{T}，消防救援机构检查发现{S}"
     "将货物堆放在疏散通道内，堵塞安全出口，违反了《中华人民共和国消防法》第二十八条的规定。",
     "《中华人民共和国消防法》第二十八条、第六十条第一款第（三）项", "罚款|罚款|警告;罚款", 5000,
     50000, "", "", ""},
    {kFire, kOrgs, kService, "公众聚集场所未经消防安全检查擅自投入使用",
     "{S}经营的公众聚集场所未经消防安全检查，于{T}"
     "擅自投入使用、营业，违反了《中华人民共和国消防法》第十五条第二款的规定。",
     "《中华人民共和国消防法》第十五条第二款、第五十八条第一款第（四）项",
     "责令停产停业;罚款|责令停产停业;罚款|罚款", 30000, 300000, "", "", ""},
    {kPolice, kPersons, -1, "殴打他人",
     "{T}，{S}在{A}因琐事与他人发生纠纷，并用拳头殴打对方，致其轻微伤。",
     "《中华人民共和国治安管理处罚法》第四十三条第一款", "行政拘留;罚款|行政拘留|罚款", 200, 500,
     "", "", ""},
    {kPolice, kPersons, -1, "赌博", "{T}，{S}在{A}一棋牌室内以“掼蛋”的方式进行赌博，赌资{V}元。",
     "《中华人民共和国治安管理处罚法》第七十条",
     "罚款;没收非法财物|行政拘留;罚款;没收非法财物|警告;没收非法财物", 500, 3000, "赌资", "", ""},
    {kPolice, kPersons, -1, "扰乱单位秩序",
     "{T}，{S}在{A}大声吵闹，经工作人员劝阻拒不离开，致使该单位工作不能正常进行。",
     "《中华人民共和国治安管理处罚法》第二十三条第一款第（一）项", "警告|罚款|行政拘留", 200, 200,
     "", "", ""},
    {kTax, kOrgs | kIndividuals | kPersons, -1, "未按照规定期限办理纳税申报和报送纳税资料",
     "{S}未按照规定期限办理{T}"
     "所属期的增值税纳税申报，违反了《中华人民共和国税收征收管理法》第二十五条第一款的规定。",
     "《中华人民共和国税收征收管理法》第六十二条", "罚款|罚款|罚款|警告", 200, 2000, "", "", ""},
    {kTax, kOrgs | kIndividuals, kTrade, "未按规定开具发票",
     "{S}于{T}销售货物收取款项{V}"
     "元，未按规定开具发票，违反了《中华人民共和国发票管理办法》第十八条的规定。",
     "《中华人民共和国发票管理办法》第十八条、第三十五条第（一）项", "罚款|罚款;没收违法所得", 500,
     10000, "", "", ""},
    {kTaxInspection, kOrgs, -1, "偷税",
     "{S}在账簿上多列支出、少列收入，进行虚假的纳税申报，少缴增值税、企业所得税共计{V}"
     "元，违反了《中华人民共和国税收征收管理法》第六十三条第一款的规定。",
     "《中华人民共和国税收征收管理法》第六十三条第一款", "罚款", 50000, 1000000, "", "", ""},
    {kAgriculture, kOrgs | kIndividuals, kFarm, "经营假农药",
     "{S}于{T}销售的农药经检验有效成分含量与标签标注不符，属于假农药，货值金额{V}元，违法所得{G}"
     "元，违反了《农药管理条例》第二十七条第三款的规定。",
     "《农药管理条例》第二十七条第三款、第五十五条第一款第（一）项",
     "罚款;没收违法所得;没收非法财物|罚款;没收违法所得;没收非法财物|吊销许可证件;罚款;没收违法所得",
     5000, 50000, "假农药", "农药经营许可证", "农药经许（皖）{R}{N4}"},
};

// ---- 行政许可 ----

// In `number`: {R} region, {Y} year, {N4} … {N9} that many digits, {U} the subject's USCC,
// {I} a natural person's ID number.
struct LicenceCase {
  DeptId dept;
  unsigned subjects;
  int group;
  const char* doc_name;
  const char* category;  // 许可类别
  const char* certificate;
  const char* number;
  const char* content;
  int years;  // validity; 0 = open-ended (2099-12-31)
};

constexpr LicenceCase kLicenceCases[] = {
    {kSamrCity, kOrgs | kIndividuals, kFood, "食品经营许可决定书", "普通", "食品经营许可证",
     "JY1{R}{N7}",
     "经营项目：预包装食品（含冷藏冷冻食品）销售；散装食品（含冷藏冷冻食品）销售；热食类食品制售",
     5},
    {kSamrCity, kOrgs | kIndividuals, -1, "准予设立登记通知书", "登记", "营业执照", "{U}",
     "准予设立登记", 0},
    {kSamrCity, kOrgs | kIndividuals, -1, "准予变更登记通知书", "登记", "营业执照", "{U}",
     "准予变更登记：住所、经营范围", 0},
    {kSamrCity, kOrgs, kIndustrial, "特种设备使用登记决定书", "登记", "特种设备使用登记证",
     "车11皖D{N5}（{Y2}）", "场（厂）内专用机动车辆使用登记", 0},
    {kEnv, kOrgs, kIndustrial, "排污许可证核发决定书", "普通", "排污许可证", "{U}001V",
     "排放污染物种类：颗粒物、二氧化硫、氮氧化物；排放方式：有组织排放", 5},
    {kTransportBureau, kOrgs | kIndividuals, kTransport, "道路运输经营许可决定书", "普通",
     "道路运输经营许可证", "皖交运管许可淮字{R}{N6}号", "道路普通货物运输", 4},
    {kTransportBureau, kPersons, -1, "道路运输从业人员从业资格许可", "认可",
     "中华人民共和国道路运输从业人员从业资格证", "{I}", "经营性道路货物运输驾驶员", 6},
    {kHealthCommission, kOrgs | kIndividuals, kService, "公共场所卫生许可决定书", "普通",
     "公共场所卫生许可证", "淮卫公字〔{Y}〕第{N4}号", "住宿场所；美容店；理发店", 4},
    {kHealthCommission, kOrgs | kIndividuals, kHealth, "医疗机构执业许可决定书", "普通",
     "医疗机构执业许可证", "PDY{N5}-{R}-{N2}", "诊疗科目：内科；外科；中医科；医学检验科", 5},
    {kHousing, kOrgs, kBuild, "建筑工程施工许可决定书", "普通", "建筑工程施工许可证", "{R}{Y}{N8}",
     "新建厂房及配套设施，建筑面积{Q}平方米", 3},
    {kHousing, kOrgs, kBuild, "建筑业企业资质许可决定书", "核准", "建筑业企业资质证书", "D{N9}",
     "建筑工程施工总承包叁级；市政公用工程施工总承包叁级", 5},
    {kAgriculture, kOrgs | kIndividuals, kFarm, "农药经营许可决定书", "普通", "农药经营许可证",
     "农药经许（皖）{R}{N4}", "农药（不含限制使用农药）", 5},
    {kFire, kOrgs | kIndividuals, kService, "公众聚集场所投入使用、营业前消防安全检查意见书",
     "普通", "公众聚集场所投入使用营业前消防安全检查合格证", "淮消安检字〔{Y}〕第{N4}号",
     "公众聚集场所投入使用、营业", 0},
    {kEducation, kOrgs, kService, "民办学校办学许可决定书", "普通",
     "中华人民共和国民办学校办学许可证", "教民{R}{N6}号", "文化艺术类培训", 5},
    {kTobacco, kIndividuals, -1, "烟草专卖零售许可决定书", "特许", "烟草专卖零售许可证", "{R}{N6}",
     "卷烟、雪茄烟零售", 5},
    {kLand, kOrgs, kBuild, "建设用地规划许可决定书", "普通", "建设用地规划许可证",
     "地字第{R}{Y}{N4}号", "用地面积{Q}平方米，用地性质：工业用地", 0},
    {kGovService, kOrgs | kIndividuals, kTrade, "成品油零售经营许可决定书", "普通",
     "成品油零售经营批准证书", "油零售证书第{R}{N4}号", "汽油、柴油零售", 5},
};

// ---- 失信被执行人 ----

constexpr const char* kDebtorSituations[] = {
    "有履行能力而拒不履行生效法律文书确定义务", "违反财产报告制度", "违反限制消费令",
    "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
    "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行"};
constexpr const char* kObligations[] = {
    "被告{S}于本判决生效之日起十日内偿还原告借款本金{V}元及利息。",
    "被告{S}于本判决生效之日起十日内支付原告货款{V}元及逾期付款违约金。",
    "被申请人{S}于本裁决书送达之日起十日内支付申请人工程款{V}元。",
    "被告{S}于本判决生效之日起十日内支付原告劳动报酬{V}元。",
    "被告{S}于本判决生效之日起十日内返还原告租赁场地并支付租金{V}元。"};

// ---- 重大税收违法失信主体 ----

constexpr const char* kTaxCaseNatures[] = {"偷税", "逃避追缴欠税", "虚开增值税专用发票",
                                           "虚开普通发票", "骗取出口退税"};

// ---- 经营异常名录 / 严重违法失信名单 ----

struct ListReason {
  const char* reason;
  const char* removal;
};
constexpr ListReason kAbnormalReasons[] = {
    {"未依照《企业信息公示暂行条例》第八条规定的期限公示年度报告的",
     "已补报未报年份的年度报告并公示"},
    {"通过登记的住所或者经营场所无法联系的", "依法办理住所或者经营场所变更登记"},
    {"未在市场监督管理部门依照《企业信息公示暂行条例》第十条规定责令的期限内公示有关企业信息的",
     "已履行公示义务"},
    {"公示企业信息隐瞒真实情况、弄虚作假的", "已更正其公示的信息"},
};
constexpr ListReason kSeriousReasons[] = {
    {"被列入经营异常名录届满3年仍未履行相关义务", "列入严重违法失信名单满三年"},
    {"提交虚假材料、隐瞒重要事实取得公司登记，被撤销设立登记", "列入严重违法失信名单满三年"},
    {"在食品安全领域因违法行为受到较重行政处罚", "已履行行政处罚决定、主动申请信用修复"},
    {"拒绝、阻碍、干扰市场监督管理部门依法开展监督检查和事故调查",
     "已履行相关义务、主动申请信用修复"},
};

// ---- 信用承诺 ----

struct CommitmentType {
  const char* type;
  int weight;
  const char* cause;
  const char* content;
};
constexpr CommitmentType kCommitmentTypes[] = {
    {"证明事项型", 30, "申请办理{X}，以告知承诺方式替代提交相关证明材料",
     "本人（单位）承诺所填写的信息及提交的材料真实、准确、完整，符合{X}"
     "的条件；如有不实，愿意承担相应的法律责任。"},
    {"审批替代型", 25, "申请{X}，以告知承诺方式取得审批",
     "本单位已经知晓{X}的全部条件、标准和技术要求，承诺在规定期限内达到要求并接受监管部门检查。"},
    {"容缺受理型", 15, "申请{X}，部分非核心材料容缺受理",
     "承诺在受理之日起二十个工作日内补齐容缺材料；逾期未补齐的，同意撤销已作出的决定。"},
    {"信用修复型", 15, "申请修复行政处罚信息",
     "本单位已履行行政处罚决定规定的义务，纠正了违法行为，承诺今后严格遵守法律法规，不再发生同类违"
     "法行为。"},
    {"行业自律型", 5, "参加{X}行业信用承诺活动",
     "严格遵守行业规范，诚信经营，不制售假冒伪劣商品，不进行虚假宣传，自觉接受社会监督。"},
    {"主动型", 8, "主动向社会作出信用承诺",
     "依法诚信经营，按时足额缴纳税款、支付劳动报酬，主动公示企业信息，接受社会监督。"},
    {"其他", 2, "{X}", "按照有关规定履行承诺事项，自觉接受监督。"},
};
constexpr const char* kCommitmentMatters[] = {
    "食品经营许可", "公共场所卫生许可", "道路运输经营许可", "建筑工程施工许可",
    "设立登记",     "社会保险登记",     "排污许可",         "劳务派遣经营许可"};

// ---- 表彰荣誉 ----

struct Honor {
  const char* name;
  const char* level;  // 荣誉级别
  DeptId agency;
  unsigned subjects;
  const char* content;
};
constexpr Honor kHonors[] = {
    {"淮南市守合同重信用企业", "市级", kSamrCity, kOrgs, "连续两年合同履约率100%，无不良信用记录"},
    {"安徽省守合同重信用企业", "省级", kProvinceGov, kOrgs, "合同管理制度健全，信用状况良好"},
    {"淮南市诚信示范企业", "市级", kDrc, kOrgs | kIndividuals,
     "诚信经营，在行业内起到示范带动作用"},
    {"淮南市文明单位", "市级", kCivilization, kOrgs, "精神文明建设成绩突出"},
    {"淮南市五一劳动奖状", "市级", kCityUnion, kOrgs, "在经济社会发展中作出突出贡献"},
    {"全国五一劳动奖章", "国家级", kAcftu, kPersons, "在本职岗位上作出突出贡献"},
    {"淮南市劳动模范", "市级", kCityGov, kPersons, "爱岗敬业，业绩突出"},
    {"淮南好人", "市级", kCivilization, kPersons, "见义勇为、助人为乐，事迹感人"},
    {"安徽省道德模范", "省级", kProvinceGov, kPersons, "诚实守信，事迹突出"},
    {"淮南市诚信个体工商户", "市级", kSamrCity, kIndividuals, "守法诚信经营，消费者满意度高"},
    {"淮南市科学技术奖", "市级", kCityGov, kOrgs | kPersons, "在科技创新和成果转化中取得显著成效"},
};

// ---- the values of enum fields the generator fills itself ----

constexpr std::string_view kRegStatuses[] = {"存续", "注销", "吊销", "迁出"};
constexpr std::string_view kPerformances[] = {"全部未履行", "部分未履行", "部分履行"};
constexpr std::string_view kFulfilments[] = {"全部履行", "部分履行", "全部未履行"};
constexpr std::string_view kPublicTypes[] = {"可向社会公开", "特定范围内公开", "不可公开"};
constexpr std::string_view kLicenceStatuses[] = {"1", "2"};
constexpr std::string_view kCreditLevels[] = {"A"};

// ---- generic text for fields the generator does not know ----

constexpr std::string_view kGenericPhrases[] = {"依法办理", "按规定执行", "详见相关文书",
                                                "已核实",   "符合规定",   "正常"};

}  // namespace

// ---- subjects ----

namespace {

constexpr char kUsccAlphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";  // 31 characters, no I O Z S V
constexpr std::uint64_t kBodySpace = 887503681ULL;                   // 31^6 organisation bodies
constexpr std::uint64_t kBodyMultiplier = CoprimeFrom(kBodySpace, 387420489ULL);
constexpr std::int64_t kBirthFirstDay = -5479;         // 1955-01-01
constexpr std::uint64_t kBirthDays = 18263;            // to 2004-12-31
constexpr std::uint64_t kIdSpace = kBirthDays * 1000;  // birth date × sequence number
constexpr std::uint64_t kIdMultiplier = CoprimeFrom(kIdSpace, 1000003ULL);
constexpr std::uint64_t kNameSpace = std::size(kNamePrefixes) * std::size(kBrandFirst) *
                                     std::size(kBrandSecond) * std::size(kIndustries);
constexpr std::uint64_t kNameMultiplier = CoprimeFrom(kNameSpace, 611953ULL);

// The SplitMix64 output function: a bijective, non-linear mix.
std::uint64_t Mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Subject `index`'s own stream. The start is mixed non-linearly: a start linear in the index would
// make subject i+1's stream subject i's shifted by one draw (SplitMix steps by the same constant).
SplitMixEngine SubjectEngine(std::uint64_t seed, std::int64_t index, std::uint64_t salt = 0) {
  return SplitMixEngine{Mix64(Mix64(seed ^ 0x632BE59BD9B4E019ULL) +
                              static_cast<std::uint64_t>(index) * 0xD1B54A32D192ED03ULL +
                              salt * 0xA24BAED4963EE407ULL)};
}

std::uint64_t SeedSalt(std::uint64_t seed, std::uint64_t salt) {
  std::uint64_t s = seed ^ (salt * 0x9E3779B97F4A7C15ULL);
  return SplitMix64(s);
}

struct SubjectHead {
  SubjectKind kind;
  const char* category;  // "" for a person
};

// The first draws of a subject's stream: what it is. MakeSyntheticSubject makes the same draws.
SubjectHead DrawHead(SplitMixEngine& e) {
  int roll = Int(e, 1000);
  if (roll < 120) return {SubjectKind::kPerson, ""};
  if (roll < 280) return {SubjectKind::kIndividualBusiness, "92"};
  int c = Int(e, 1000);
  if (c < 800) return {SubjectKind::kOrganization, "91"};
  if (c < 860) return {SubjectKind::kOrganization, "93"};
  if (c < 930) return {SubjectKind::kOrganization, "12"};
  return {SubjectKind::kOrganization, "52"};
}

SubjectHead HeadOf(std::uint64_t seed, std::int64_t index) {
  SplitMixEngine e = SubjectEngine(seed, index);
  return DrawHead(e);
}

// The builders below append to `out` (reusing its capacity): subjects are made for every row.

void AppendPersonName(std::string& out, SplitMixEngine& e, bool male,
                      std::string_view surname = {}) {
  out += surname.empty() ? Pick(e, kSurnames) : surname;
  std::span<const std::string_view> given = male ? std::span<const std::string_view>(kMaleGiven)
                                                 : std::span<const std::string_view>(kFemaleGiven);
  out += Pick(e, given);
  if (Chance(e, 700)) out += Pick(e, given);
}

std::string PersonName(SplitMixEngine& e, bool male) {
  std::string s;
  AppendPersonName(s, e, male);
  return s;
}

// The region code a person born in `year` in district `d` carries in the ID number: 寿县 belonged
// to 六安 until 2015 (342422 六安地区, then 341521 六安市).
const char* BirthRegion(int d, int year) {
  if (std::string_view(kDistricts[d].code) == "340422") {
    if (year < 1999) return "342422";
    if (year < 2015) return "341521";
  }
  return kDistricts[d].code;
}

void AppendCitizenId(std::string& out, const char* region, std::int64_t birth_day, int sequence) {
  std::size_t start = out.size();
  out += region;
  AppendDay(out, birth_day, true);
  AppendPadded(out, sequence, 3);
  out += CitizenIdCheckChar(std::string_view(out).substr(start));
}

// A representative's ID: not unique, not drawn from the person space.
void AppendRandomCitizenId(std::string& out, SplitMixEngine& e) {
  int d = Weighted(e, kDistrictWeights);
  std::int64_t birth = Range(e, DaysFromCivil(1955, 1, 1), DaysFromCivil(1998, 12, 31));
  AppendCitizenId(out, BirthRegion(d, YearOf(birth)), birth, Int(e, 1000));
}

std::string RandomCitizenId(SplitMixEngine& e) {
  std::string s;
  AppendRandomCitizenId(s, e);
  return s;
}

void AppendAddress(std::string& out, SplitMixEngine& e, int d) {
  const District& dist = kDistricts[d];
  out += "安徽省淮南市";
  out += dist.name;
  if (Chance(e, d >= 4 ? 700 : 200)) out += Pick(e, dist.towns);
  out += Pick(e, dist.roads);
  AppendInt(out, Range(e, 1, 399));
  out += "号";
  if (Chance(e, 250)) {
    AppendInt(out, Range(e, 1, 30));
    out += "栋";
    AppendInt(out, Range(e, 1, 28) * 100 + Range(e, 1, 6));
    out += "室";
  }
}

int FirstIndustryOf(IndustryGroup g) {
  for (std::size_t i = 0; i < std::size(kIndustries); ++i) {
    if (kIndustries[i].group == g) return static_cast<int>(i);
  }
  return 0;
}

const char* KindLabel(SubjectKind k) {
  switch (k) {
    case SubjectKind::kOrganization:
      return "法人及非法人组织";
    case SubjectKind::kPerson:
      return "自然人";
    case SubjectKind::kIndividualBusiness:
      return "个体工商户";
  }
  return "法人及非法人组织";
}

// MakeSyntheticSubject into an existing object, reusing its strings.
void MakeSubjectInto(std::uint64_t seed, std::int64_t index, SyntheticSubject& s) {
  SplitMixEngine e = SubjectEngine(seed, index);
  SubjectHead head = DrawHead(e);
  s.index = index;
  s.kind = head.kind;
  s.category = head.category;
  s.name.clear();
  s.code.clear();
  s.legal_rep.clear();
  s.legal_rep_id.clear();
  s.address.clear();
  s.registration_no.clear();
  s.entity_type.clear();
  s.capital_yuan = 0;
  const auto u_index = static_cast<std::uint64_t>(index);

  if (head.kind == SubjectKind::kPerson) {
    std::uint64_t x = Permute(u_index, kIdMultiplier, SeedSalt(seed, 1), kIdSpace);
    std::int64_t birth = kBirthFirstDay + static_cast<std::int64_t>(x / 1000);
    int sequence = static_cast<int>(x % 1000);
    int d = Weighted(e, kDistrictWeights);
    AppendPersonName(s.name, e, sequence % 2 == 1);
    AppendCitizenId(s.code, BirthRegion(d, YearOf(birth)), birth, sequence);
    s.region = kDistricts[d].code;
    s.founded = FromDayNumber(birth);
    AppendAddress(s.address, e, d);
    s.industry = FirstIndustryOf(kService);
    return;
  }

  // The organisation body (USCC positions 9–16): a two-letter prefix as real codes have, then six
  // characters that are a permutation of the index, so codes never collide.
  std::uint64_t body_x = Permute(u_index, kBodyMultiplier, SeedSalt(seed, 2), kBodySpace);
  char body[9] = {'M', s.category == "12" ? 'B' : s.category == "52" ? 'J' : 'A'};
  for (int i = 7; i >= 2; --i) {
    body[i] = kUsccAlphabet[body_x % 31];
    body_x /= 31;
  }

  int district = -1;
  std::string_view surname = Pick(e, kSurnames);
  bool rep_male = Chance(e, 750);
  if (s.category == "91") {
    std::uint64_t x = Permute(u_index, kNameMultiplier, SeedSalt(seed, 3), kNameSpace);
    auto industry = static_cast<int>(x % std::size(kIndustries));
    x /= std::size(kIndustries);
    std::string_view b2 = kBrandSecond[x % std::size(kBrandSecond)];
    x /= std::size(kBrandSecond);
    std::string_view b1 = kBrandFirst[x % std::size(kBrandFirst)];
    x /= std::size(kBrandFirst);
    const NamePrefix& prefix = kNamePrefixes[x];
    s.name += prefix.text;
    s.name += b1;
    s.name += b2;
    s.name += kIndustries[industry].word;
    s.name += "有限公司";
    if (u_index >= kNameSpace) {
      s.name += "第";
      AppendInt(s.name, static_cast<std::int64_t>(u_index / kNameSpace) + 1);
      s.name += "分公司";
    }
    district = prefix.district;
    s.industry = industry;
    s.region = district >= 0 ? kDistricts[district].code : "340400";
    static constexpr const char* kTypes[] = {"有限责任公司（自然人投资或控股）",
                                             "有限责任公司（自然人投资或控股）",
                                             "有限责任公司（自然人投资或控股）",
                                             "有限责任公司（自然人独资）",
                                             "有限责任公司（非自然人投资或控股的法人独资）",
                                             "股份有限公司（非上市、自然人投资或控股）"};
    s.entity_type = Pick(e, kTypes);
    static constexpr int kCapital[] = {10, 30, 50, 100, 100, 200, 300, 500, 1000, 2000, 5000};
    s.capital_yuan = static_cast<std::int64_t>(Pick(e, kCapital)) * 10000;
  } else {
    district = Weighted(e, kDistrictWeights);
    const District& dist = kDistricts[district];
    s.region = dist.code;
    std::string_view b1 = Pick(e, kBrandFirst);
    std::string_view b2 = Pick(e, kBrandSecond);
    if (s.category == "92") {
      const Trade& trade = Pick(e, kTrades);
      switch (Int(e, 4)) {
        case 0:
          s.name += dist.name;
          s.name += surname;
          s.name += Pick(e, kTradeStyles);
          break;
        case 1:
          s.name += dist.prefix;
          s.name += "老";
          s.name += surname;
          break;
        case 2:
          s.name += dist.name;
          s.name += b1;
          s.name += b2;
          break;
        default:
          s.name += dist.prefix;
          s.name += surname;
          s.name += Pick(e, kTradeStyles);
          break;
      }
      s.name += trade.word;
      s.industry = FirstIndustryOf(trade.group);
      s.entity_type = "个体工商户";
      if (Chance(e, 500)) s.capital_yuan = Range(e, 1, 20) * 10000;
    } else if (s.category == "93") {
      std::string_view type = Pick(e, kCoopTypes);
      s.name += dist.prefix;
      bool short_form = Chance(e, 500);
      if (!short_form) s.name += Pick(e, dist.towns);
      s.name += b1;
      s.name += b2;
      s.name += type;
      s.name += short_form ? "农民专业合作社" : "专业合作社";
      s.industry = FirstIndustryOf(kFarm);
      s.entity_type = "农民专业合作社";
      static constexpr int kCapital[] = {5, 10, 20, 50, 100};
      s.capital_yuan = static_cast<std::int64_t>(Pick(e, kCapital)) * 10000;
    } else if (s.category == "12") {
      int type = Int(e, static_cast<std::int64_t>(std::size(kPublicInstitutionTypes)));
      s.name += dist.prefix;
      s.name += Pick(e, dist.towns);
      s.name += kPublicInstitutionTypes[type];
      s.industry = FirstIndustryOf(type == 3 || type == 6 ? kHealth : kService);
      s.entity_type = "事业单位";
      static constexpr int kCapital[] = {10, 50, 100, 300, 500};
      s.capital_yuan = static_cast<std::int64_t>(Pick(e, kCapital)) * 10000;
    } else {
      int type = Int(e, static_cast<std::int64_t>(std::size(kNonProfitTypes)));
      s.name += dist.prefix;
      s.name += b1;
      s.name += b2;
      s.name += kNonProfitTypes[type];
      s.industry = FirstIndustryOf(type == 1 || type == 4 ? kHealth : kService);
      s.entity_type = "民办非企业单位";
      static constexpr int kCapital[] = {3, 5, 10, 30};
      s.capital_yuan = static_cast<std::int64_t>(Pick(e, kCapital)) * 10000;
    }
  }

  Result<Uscc> code = Uscc::Make(s.category[0], s.category[1], s.region, std::string_view(body, 8));
  if (code) s.code = code->str();  // Make cannot fail on these parts

  // Founded 1992 … 2022, more of them recently (the larger of two draws).
  int year = 1992 + static_cast<int>(std::max(Int(e, 31), Int(e, 31)));
  std::int64_t first = DaysFromCivil(year, 1, 1);
  std::int64_t founded = first + Int(e, DaysFromCivil(year + 1, 1, 1) - first);
  s.founded = FromDayNumber(founded);

  AppendPersonName(s.legal_rep, e, rep_male, surname);
  AppendRandomCitizenId(s.legal_rep_id, e);
  AppendAddress(s.address, e, district >= 0 ? district : Weighted(e, kDistrictWeights));

  // Market entities registered before 三证合一 (October 2015) kept their 15-digit number.
  if ((s.category == "91" || s.category == "92" || s.category == "93") &&
      founded < DaysFromCivil(2015, 10, 1)) {
    s.registration_no = s.region;
    s.registration_no += s.category == "92" ? "6" : "0";
    AppendPadded(s.registration_no,
                 static_cast<std::int64_t>(SeedSalt(seed + u_index, 4) % 10000000), 7);
    s.registration_no += BusinessRegNoCheckChar(s.registration_no);
  }
}

}  // namespace

SyntheticSubject MakeSyntheticSubject(std::uint64_t seed, std::int64_t index) {
  SyntheticSubject s;
  MakeSubjectInto(seed, index, s);
  return s;
}

// ---- error kinds ----

std::string_view GenErrorKindName(GenErrorKind kind) {
  switch (kind) {
    case GenErrorKind::kUsccCheck:
      return "uscc.check";
    case GenErrorKind::kUsccCharset:
      return "uscc.charset";
    case GenErrorKind::kUsccLength:
      return "uscc.length";
    case GenErrorKind::kRequired:
      return "field.required";
    case GenErrorKind::kRequiredIf:
      return "field.required_if";
    case GenErrorKind::kDate:
      return "field.date";
    case GenErrorKind::kTooLong:
      return "field.too_long";
    case GenErrorKind::kEnum:
      return "field.enum";
    case GenErrorKind::kDecimal:
      return "field.decimal";
    case GenErrorKind::kDateOrder:
      return "cross.date_order";
    case GenErrorKind::kUsccNormalized:
      return "uscc.normalized";
  }
  return "unknown";
}

std::string_view GenErrorKindReason(GenErrorKind kind) {
  switch (kind) {
    case GenErrorKind::kRequiredIf:
      return "field.required";
    case GenErrorKind::kUsccNormalized:
      return "";
    default:
      return GenErrorKindName(kind);
  }
}

namespace {

// Fields whose value decides whether another field is required: the generator never plants a
// problem in them that could change that (a bad date, a too-long text, …), only ones whose effect
// it can tell (an empty value or an enum value outside the list makes every condition false).
std::vector<bool> ConditionFields(const CatalogItem& item) {
  std::vector<bool> out(item.fields.size(), false);
  for (const FieldSpec& f : item.fields) {
    for (const FieldCondition& c : f.required_if) {
      for (std::size_t i = 0; i < item.fields.size(); ++i) {
        if (item.fields[i].code == c.field) out[i] = true;
      }
    }
  }
  return out;
}

bool IsDateRule(const CatalogItem& item, const CrossRule& r) {
  const FieldSpec* a = item.Field(r.first);
  const FieldSpec* b = item.Field(r.second);
  return r.kind == CrossRule::Kind::kDateOrder && a && b && a->type == FieldType::kDate &&
         b->type == FieldType::kDate;
}

}  // namespace

std::vector<GenErrorKind> ApplicableErrorKinds(const CatalogItem& item) {
  std::vector<bool> condition = ConditionFields(item);
  bool uscc = false, required = false, required_if = false, date = false, text = false,
       enumeration = false, decimal = false, order = false;
  for (std::size_t i = 0; i < item.fields.size(); ++i) {
    const FieldSpec& f = item.fields[i];
    uscc |= f.type == FieldType::kUscc || f.type == FieldType::kSubjectCode;
    required |= f.required;
    required_if |= !f.required && !f.required_if.empty();
    date |= f.type == FieldType::kDate && !condition[i];
    text |= f.type == FieldType::kText && f.max_length > 0 && !condition[i];
    enumeration |= f.type == FieldType::kEnum;
    decimal |= f.type == FieldType::kDecimal && !condition[i];
  }
  for (const CrossRule& r : item.cross_rules) order |= IsDateRule(item, r);
  std::vector<GenErrorKind> kinds;
  auto add = [&](bool yes, GenErrorKind k) {
    if (yes) kinds.push_back(k);
  };
  add(uscc, GenErrorKind::kUsccCheck);
  add(uscc, GenErrorKind::kUsccCharset);
  add(uscc, GenErrorKind::kUsccLength);
  add(required, GenErrorKind::kRequired);
  add(required_if, GenErrorKind::kRequiredIf);
  add(date, GenErrorKind::kDate);
  add(text, GenErrorKind::kTooLong);
  add(enumeration, GenErrorKind::kEnum);
  add(decimal, GenErrorKind::kDecimal);
  add(order, GenErrorKind::kDateOrder);
  add(uscc, GenErrorKind::kUsccNormalized);
  return kinds;
}

namespace {

// ---- what each field is ----

enum Role : std::uint8_t {
  kNone,
  // the subject
  kSubjName,
  kSubjKind,
  kSubjCode,
  kPersonId,
  kIdType,
  kRegNo,
  kOrgCode,
  kTaxNo,
  kInstCert,
  kSocialCert,
  kRep,
  kRepIdType,
  kRepId,
  kAddress,
  kRegionCode,
  kEntityType,
  kRegAuthority,
  kFounded,
  kApproved,
  kCapital,
  kScope,
  kBizFrom,
  kBizTo,
  kRegStatus,
  kFinanceHead,
  kFinanceHeadId,
  kIntermediary,
  kProvince,
  // the decision and who made it
  kDecisionDate,
  kAgency,
  kAgencyCode,
  kSource,
  kSourceCode,
  kDocNo,
  kRemark,
  // 行政处罚
  kViolation,
  kFacts,
  kBasis,
  kCategories,
  kContent,
  kFine,
  kConfiscated,
  kLicenceRef,
  kPenaltyValidity,
  kPublicityEnd,
  // 行政许可
  kDocName,
  kLicenceCategory,
  kLicenceName,
  kLicenceNo,
  kLicenceContent,
  kValidFrom,
  kValidTo,
  kLicenceStatus,
  // 失信被执行人
  kCaseNo,
  kFiledDate,
  kBasisUnit,
  kBasisDocNo,
  kObligation,
  kPerformance,
  kPerformedPart,
  kUnperformedPart,
  kSituation,
  // 税务
  kCaseNature,
  kTaxFacts,
  kTaxHandling,
  kInspector,
  kAnnounceDate,
  kYear,
  kCreditLevel,
  // 名单
  kListReason,
  kListBasis,
  kRemovalDate,
  kRemovalReason,
  kRemovalAgency,
  // 信用承诺
  kCommitCode,
  kCommitType,
  kCommitCause,
  kCommitContent,
  kCommitLiability,
  kCommitValidTo,
  kFulfilment,
  kUnfulfilled,
  kLiabilityPursued,
  kConfirmDate,
  kConfirmUnit,
  kConfirmUnitCode,
  kPublicType,
  // 表彰荣誉
  kHonorName,
  kHonorLevel,
  kHonorContent,
  kHonorValidTo,
  kRoleCount
};

struct RoleByCode {
  const char* code;
  Role role;
};

// The fields of the shipped catalogue (config/catalog/), by code.
constexpr RoleByCode kRoleCodes[] = {
    // 行政处罚 and 行政许可 share the subject block
    {"CF_XDR_GSZC", kRegNo},
    {"CF_XDR_ZZJG", kOrgCode},
    {"CF_XDR_SWDJ", kTaxNo},
    {"CF_XDR_SYDW", kInstCert},
    {"CF_XDR_SHZZ", kSocialCert},
    {"CF_FRDB", kRep},
    {"CF_FR_ZJLX", kRepIdType},
    {"CF_FR_ZJHM", kRepId},
    {"CF_XDR_ZJLX", kIdType},
    {"CF_WSH", kDocNo},
    {"CF_WFXW", kViolation},
    {"CF_SY", kFacts},
    {"CF_YJ", kBasis},
    {"CF_CFLB", kCategories},
    {"CF_NR", kContent},
    {"CF_NR_FK", kFine},
    {"CF_NR_WFFF", kConfiscated},
    {"CF_NR_ZKDX", kLicenceRef},
    {"CF_YXQ", kPenaltyValidity},
    {"CF_GSJZQ", kPublicityEnd},
    {"CF_CFJG", kAgency},
    {"CF_CFJGDM", kAgencyCode},
    {"CF_SJLY", kSource},
    {"CF_SJLYDM", kSourceCode},
    {"BZ", kRemark},
    {"XK_XDR_GSZC", kRegNo},
    {"XK_XDR_ZZJG", kOrgCode},
    {"XK_XDR_SWDJ", kTaxNo},
    {"XK_XDR_SYDW", kInstCert},
    {"XK_XDR_SHZZ", kSocialCert},
    {"XK_FRDB", kRep},
    {"XK_FR_ZJLX", kRepIdType},
    {"XK_FR_ZJHM", kRepId},
    {"XK_XDR_ZJLX", kIdType},
    {"XK_XKWS", kDocName},
    {"XK_WSH", kDocNo},
    {"XK_XKLB", kLicenceCategory},
    {"XK_XKZS", kLicenceName},
    {"XK_XKBH", kLicenceNo},
    {"XK_NR", kLicenceContent},
    {"XK_YXQZ", kValidFrom},
    {"XK_YXQZI", kValidTo},
    {"XK_XKJG", kAgency},
    {"XK_XKJGDM", kAgencyCode},
    {"XK_ZT", kLicenceStatus},
    {"XK_LYDW", kSource},
    {"XK_LYDWDM", kSourceCode},
    // 法人和非法人组织登记基本信息
    {"DJ_QYLX", kEntityType},
    {"DJ_DJJG", kRegAuthority},
    {"DJ_CLRQ", kFounded},
    {"DJ_HZRQ", kApproved},
    {"DJ_FDDBR", kRep},
    {"DJ_FDDBR_ZJHM", kRepId},
    {"DJ_ZCZB", kCapital},
    {"DJ_ZS", kAddress},
    {"DJ_JYFW", kScope},
    {"DJ_YYQXZ", kBizFrom},
    {"DJ_YYQXZI", kBizTo},
    {"DJ_JYZT", kRegStatus},
    {"DJ_XZQHDM", kRegionCode},
    // 失信被执行人
    {"SX_BZXR_ZZJG", kOrgCode},
    {"SX_FDDBR", kRep},
    {"SX_ZXFY", kAgency},
    {"SX_SF", kProvince},
    {"SX_ZXYJ_DW", kBasisUnit},
    {"SX_ZXYJ_WH", kBasisDocNo},
    {"SX_AH", kCaseNo},
    {"SX_LARQ", kFiledDate},
    {"SX_YW", kObligation},
    {"SX_LXQK", kPerformance},
    {"SX_YLXBF", kPerformedPart},
    {"SX_WLXBF", kUnperformedPart},
    {"SX_SXQX", kSituation},
    // 重大税收违法失信主体
    {"SW_ZCDZ", kAddress},
    {"SW_FDDBR", kRep},
    {"SW_FDDBR_ZJHM", kRepId},
    {"SW_CWFZR", kFinanceHead},
    {"SW_CWFZR_ZJHM", kFinanceHeadId},
    {"SW_ZJJG", kIntermediary},
    {"SW_AJXZ", kCaseNature},
    {"SW_WFSS", kTaxFacts},
    {"SW_CLCF", kTaxHandling},
    {"SW_JCJG", kInspector},
    {"SW_GBRQ", kAnnounceDate},
    // A级纳税人, 纳税信用绿卡
    {"NS_PJND", kYear},
    {"NS_XYJB", kCreditLevel},
    {"NS_PJJG", kAgency},
    {"LK_ND", kYear},
    {"LK_FFJG", kAgency},
    // 拖欠农民工工资失信联合惩戒对象名单
    {"QX_FDDBR", kRep},
    {"QX_FDDBR_ZJHM", kRepId},
    {"QX_SXXW", kListReason},
    {"QX_LRYJ", kListBasis},
    {"QX_LRWH", kDocNo},
    {"QX_RDJG", kAgency},
    {"QX_RDJGDM", kAgencyCode},
    {"QX_YCRQ", kRemovalDate},
    // 经营异常名录
    {"YC_LRYY", kListReason},
    {"YC_ZCJDJG", kAgency},
    {"YC_LRWH", kDocNo},
    {"YC_YCRQ", kRemovalDate},
    {"YC_YCYY", kRemovalReason},
    {"YC_YCJG", kRemovalAgency},
    // 严重违法失信名单
    {"YZ_FDDBR", kRep},
    {"YZ_LRYY", kListReason},
    {"YZ_LRYJ", kListBasis},
    {"YZ_LRWH", kDocNo},
    {"YZ_ZCJDJG", kAgency},
    {"YZ_ZCJDJGDM", kAgencyCode},
    {"YZ_YCRQ", kRemovalDate},
    {"YZ_YCYY", kRemovalReason},
    {"YZ_YCJG", kRemovalAgency},
    // 信用承诺
    {"CN_CNBM", kCommitCode},
    {"CN_CNLX", kCommitType},
    {"CN_CNSY", kCommitCause},
    {"CN_CNNR", kCommitContent},
    {"CN_WNZR", kCommitLiability},
    {"CN_YXQ", kCommitValidTo},
    {"CN_LXZT", kFulfilment},
    {"CN_WLXNR", kUnfulfilled},
    {"CN_WNZRZJ", kLiabilityPursued},
    {"CN_RDRQ", kConfirmDate},
    {"CN_RDDW", kConfirmUnit},
    {"CN_RDDWDM", kConfirmUnitCode},
    {"CN_SLDW", kAgency},
    {"CN_SLDWDM", kAgencyCode},
    {"CN_GKLX", kPublicType},
    // 表彰荣誉
    {"RY_RYMC", kHonorName},
    {"RY_RYJB", kHonorLevel},
    {"RY_RYNR", kHonorContent},
    {"RY_SYJG", kAgency},
    {"RY_SYJGDM", kAgencyCode},
    {"RY_WH", kDocNo},
    {"RY_YXQZ", kHonorValidTo},
};

// For a field the generator does not know by code: a guess from its Chinese label.
Role RoleFromLabel(const FieldSpec& f) {
  std::string_view l = f.label;
  auto has = [&](std::string_view s) { return l.find(s) != std::string_view::npos; };
  switch (f.type) {
    case FieldType::kDate:
      if (has("成立")) return kFounded;
      if (has("核准")) return kApproved;
      if (has("有效期自")) return kValidFrom;
      if (has("有效期至") || has("截止")) return kValidTo;
      if (has("移出") || has("移除")) return kRemovalDate;
      if (has("立案")) return kFiledDate;
      return kNone;
    case FieldType::kDecimal:
      if (has("罚款")) return kFine;
      if (has("没收")) return kConfiscated;
      if (has("注册资本") || has("出资")) return kCapital;
      return kNone;
    case FieldType::kInteger:
      return has("年度") ? kYear : kNone;
    case FieldType::kUscc:
      if (has("数据来源")) return kSourceCode;
      if (has("机关") || has("单位") || has("部门") || has("法院")) return kAgencyCode;
      return kNone;
    case FieldType::kText:
      if (has("法定代表人") || has("负责人") || has("经营者")) {
        if (has("证件类型")) return kRepIdType;
        if (has("证件号码") || has("身份证")) return kRepId;
        return kRep;
      }
      if (has("证件类型")) return kIdType;
      if (has("注册号")) return kRegNo;
      if (has("组织机构代码")) return kOrgCode;
      if (has("税务登记号")) return kTaxNo;
      if (has("数据来源单位")) return kSource;
      if (has("文号") || has("文书号")) return kDocNo;
      if (has("案号")) return kCaseNo;
      if (has("住所") || has("地址") || has("经营场所")) return kAddress;
      if (has("行政区划")) return kRegionCode;
      if (has("经营范围") || has("业务范围")) return kScope;
      if (has("登记机关")) return kRegAuthority;
      if (has("备注")) return kRemark;
      if (has("省份")) return kProvince;
      if (l.ends_with("机关") || l.ends_with("单位") || l.ends_with("部门") || has("法院"))
        return kAgency;
      return kNone;
    default:
      return kNone;
  }
}

// Whether a role's values suit a field of this type (a catalogue edit may change a type; the role
// then yields to the generic value for the type).
bool RoleFits(Role r, FieldType t) {
  switch (r) {
    case kNone:
      return true;
    case kFounded:
    case kApproved:
    case kBizFrom:
    case kBizTo:
    case kDecisionDate:
    case kPenaltyValidity:
    case kPublicityEnd:
    case kValidFrom:
    case kValidTo:
    case kFiledDate:
    case kAnnounceDate:
    case kRemovalDate:
    case kCommitValidTo:
    case kConfirmDate:
    case kHonorValidTo:
      return t == FieldType::kDate;
    case kCapital:
    case kFine:
    case kConfiscated:
      return t == FieldType::kDecimal;
    case kYear:
      return t == FieldType::kInteger || t == FieldType::kText;
    case kSubjKind:
    case kCategories:
    case kLicenceCategory:
    case kLicenceStatus:
    case kRegStatus:
    case kPerformance:
    case kCreditLevel:
    case kCommitType:
    case kFulfilment:
    case kPublicType:
    case kHonorLevel:
      return t == FieldType::kEnum;
    case kSubjCode:
      return t == FieldType::kUscc || t == FieldType::kSubjectCode;
    case kPersonId:
      return t == FieldType::kCitizenId || t == FieldType::kSubjectCode;
    case kAgencyCode:
    case kSourceCode:
    case kConfirmUnitCode:
      return t == FieldType::kUscc;
    default:
      return t == FieldType::kText;
  }
}

enum class Family {
  kGeneric,
  kPenalty,
  kLicence,
  kRegistry,
  kJudgment,
  kTaxViolation,
  kTaxRating,
  kWage,
  kAbnormal,
  kSerious,
  kCommitment,
  kHonor
};

Family FamilyOf(std::string_view code) {
  static constexpr std::pair<const char*, Family> kFamilies[] = {
      {"admin_penalty", Family::kPenalty},       {"admin_license", Family::kLicence},
      {"subject_registry", Family::kRegistry},   {"judgment_debtor", Family::kJudgment},
      {"tax_violation", Family::kTaxViolation},  {"tax_a_rating", Family::kTaxRating},
      {"tax_green_card", Family::kTaxRating},    {"wage_arrears", Family::kWage},
      {"abnormal_operation", Family::kAbnormal}, {"serious_violation", Family::kSerious},
      {"commitment", Family::kCommitment},       {"honor", Family::kHonor},
  };
  for (const auto& [c, f] : kFamilies) {
    if (code == c) return f;
  }
  return Family::kGeneric;
}

// The departments' codes, built once.
const std::vector<std::string>& DeptCodes() {
  static const std::vector<std::string> codes = [] {
    std::vector<std::string> out;
    for (const Dept& d : kDepts) {
      Result<Uscc> u = Uscc::Make(d.authority, d.category, d.region, d.body);
      out.push_back(u ? std::string(u->str()) : std::string());
    }
    return out;
  }();
  return codes;
}

int DistrictOf(std::string_view region) {
  for (int d = 0; d < kDistrictCount; ++d) {
    if (region == kDistricts[d].code) return d;
  }
  return -1;
}

// ISO date text → day number; -1 when it is not YYYY-MM-DD.
std::int64_t ParseIsoDay(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return -1;
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  return DaysFromCivil(num(0, 4), static_cast<unsigned>(num(5, 2)),
                       static_cast<unsigned>(num(8, 2)));
}

// Appends `tpl` to `out` with its {X} placeholders expanded by `lookup`.
template <typename Lookup>
void Expand(std::string& out, std::string_view tpl, Lookup lookup) {
  while (!tpl.empty()) {
    std::size_t open = tpl.find('{');
    std::size_t close = open == std::string_view::npos ? open : tpl.find('}', open);
    if (close == std::string_view::npos) {
      out.append(tpl);
      return;
    }
    out.append(tpl.substr(0, open));
    lookup(tpl.substr(open + 1, close - open - 1), out);
    tpl.remove_prefix(close + 1);
  }
}

std::int64_t RoundMoney(std::int64_t yuan) {
  return yuan < 10000 ? yuan / 100 * 100 : yuan / 1000 * 1000;
}

}  // namespace

// ---- the row generator ----

struct RowGenerator::Impl {
  Impl(const CatalogItem& it, const GeneratorOptions& o) : item(it), options(o) {}

  const CatalogItem& item;
  GeneratorOptions options;
  Family family = Family::kGeneric;
  std::int64_t pool = 1;
  bool registry_like = false;  // the natural key is the subject: row r is the r-th eligible subject
  bool check_keys = true;      // natural keys are not unique by construction: remember them
  bool persons_allowed = true;
  std::vector<std::string> codes;
  std::vector<Role> roles;
  std::array<int, kRoleCount> slot{};
  int kind_idx = -1, code_idx = -1, person_idx = -1;
  std::vector<std::pair<int, int>> cross;  // date-order rules as field indexes
  std::vector<bool> condition;             // fields some required_if reads
  std::vector<bool> enum_trusted;          // enum fields whose every possible value is in the list
  std::vector<std::vector<std::pair<int, const FieldCondition*>>> conds;  // required_if, resolved
  std::vector<std::vector<int>> cond_ids;  // per field: indexes into cond_cache
  std::vector<std::int8_t> cond_cache;     // per condition, this row: -1 unknown, 0 false, 1 true
  std::vector<int> key_idx;
  std::vector<GenErrorKind> kinds;
  std::mt19937_64 rng;  // row content
  std::mt19937_64 err;  // which rows get a problem, which, and how: content does not depend on it
  std::int64_t row = 0;
  std::int64_t errors_left = 0;
  std::array<std::int64_t, kGenErrorKindCount> planted{};
  std::unordered_map<std::uint64_t, int> serials;
  std::unordered_set<std::uint64_t> keys;
  std::int64_t registry_next = 0;
  std::int64_t first_day = 0, ref_day = 0;
  // Case candidates by subject kind (0 org, 1 individual, 2 person), all and by industry group.
  std::array<std::vector<int>, 3> penalty_all, licence_all, honor_all;
  std::array<std::array<std::vector<int>, 9>, 3> penalty_group, licence_group;

  // 处罚类别 choices of each penalty case, parsed once.
  std::vector<std::vector<std::vector<std::string_view>>> penalty_choices;

  // The row being built.
  std::vector<std::string> v;
  std::string scratch;
  SyntheticSubject subject;
  std::int64_t day = 0;  // the decision date
  DeptId dept = kCityGov;

  // ---- set-up ----

  Result<void> Init() {
    if (options.rows < 0 || options.pool_size < 0 ||
        !(options.error_rate >= 0.0 && options.error_rate <= 1.0)) {
      return Fail(ErrorCode::kInvalidArgument, "gen.options",
                  "rows and pool must not be negative and the error rate must be between 0 and 1",
                  "行数和主体池大小不能为负数，错误率应在0到1之间");
    }
    if (item.fields.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "gen.options",
                  "item " + item.code + " has no fields", "目录“" + item.name + "”没有字段");
    }
    family = FamilyOf(item.code);
    const std::size_t n = item.fields.size();
    slot.fill(-1);
    roles.assign(n, kNone);
    for (std::size_t i = 0; i < n; ++i) {
      const FieldSpec& f = item.fields[i];
      codes.push_back(f.code);
      Role r = kNone;
      if (f.code == item.subject_name_field) {
        r = kSubjName;
      } else if (f.code == item.subject_kind_field) {
        r = kSubjKind;
        kind_idx = static_cast<int>(i);
      } else if (f.code == item.subject_code_field) {
        r = kSubjCode;
        code_idx = static_cast<int>(i);
      } else if (f.code == item.person_id_field) {
        r = kPersonId;
        person_idx = static_cast<int>(i);
      } else if (f.code == item.decided_on_field) {
        r = kDecisionDate;
      } else {
        for (const RoleByCode& rc : kRoleCodes) {
          if (f.code == rc.code) r = rc.role;
        }
        if (r == kNone) r = RoleFromLabel(f);
      }
      if (!RoleFits(r, f.type)) r = kNone;
      // One field per role; a second one is filled generically.
      if (r != kNone && slot[r] >= 0) r = kNone;
      roles[i] = r;
      if (r != kNone) slot[r] = static_cast<int>(i);
    }
    condition = ConditionFields(item);
    enum_trusted.assign(n, false);
    for (std::size_t i = 0; i < n; ++i) enum_trusted[i] = EnumTrusted(item.fields[i], roles[i]);
    conds.resize(n);
    cond_ids.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      for (const FieldCondition& c : item.fields[i].required_if) {
        if (int j = Index(c.field); j >= 0) {
          conds[i].emplace_back(j, &c);
          cond_ids[i].push_back(static_cast<int>(cond_cache.size()));
          cond_cache.push_back(-1);
        }
      }
    }
    for (const CrossRule& r : item.cross_rules) {
      if (IsDateRule(item, r)) cross.emplace_back(Index(r.first), Index(r.second));
    }
    for (const std::string& k : item.natural_key) {
      if (int j = Index(k); j >= 0) key_idx.push_back(j);
    }
    registry_like = !key_idx.empty() && std::all_of(key_idx.begin(), key_idx.end(), [&](int j) {
      return roles[j] == kSubjName || roles[j] == kSubjCode || roles[j] == kPersonId;
    });
    // Unique by construction: the subject (registry), or a document number from a counter.
    check_keys = !registry_like && !std::any_of(key_idx.begin(), key_idx.end(), [&](int j) {
      return roles[j] == kDocNo || roles[j] == kCaseNo || roles[j] == kCommitCode;
    });
    if (family == Family::kHonor || family == Family::kGeneric) check_keys = !registry_like;
    persons_allowed = code_idx < 0 || item.fields[code_idx].type == FieldType::kSubjectCode ||
                      person_idx >= 0 || !item.fields[code_idx].required;
    bool any = false;
    for (std::int64_t i = 0; i < 2000 && !any; ++i) any = Eligible(HeadOf(options.seed, i));
    if (!any) {
      return Fail(ErrorCode::kInvalidArgument, "gen.options",
                  "item " + item.code + " accepts no kind of subject the generator makes",
                  "目录“" + item.name + "”的行政相对人类别与生成器的主体类型不符");
    }
    // Default pool: enough subjects that about rows / 3 of them are ones the item can hold (a tax
    // item takes only companies, so its pool is larger than a penalty file's).
    ref_day = ToDayNumber(options.reference_date);
    pool = options.pool_size;
    if (pool == 0) {
      std::int64_t want = std::max<std::int64_t>(1, options.rows / 3);
      if (family == Family::kTaxRating) {
        // One row per taxpayer and year: leave the years room (1.5 times the rows).
        auto [first, last] = RatingYears();
        std::int64_t years = last - first + 1;
        want = std::max(want, (options.rows * 3 + 2 * years - 1) / (2 * years));
      }
      while (want > 0) want -= Eligible(HeadOf(options.seed, pool++)) ? 1 : 0;
    }
    kinds = ApplicableErrorKinds(item);
    for (int k = 0; k < 3; ++k) {
      unsigned mask = 1u << k;
      for (int c = 0; c < static_cast<int>(std::size(kPenaltyCases)); ++c) {
        if (!(kPenaltyCases[c].subjects & mask)) continue;
        penalty_all[k].push_back(c);
        for (int g = 0; g < 9; ++g) {
          if (kPenaltyCases[c].group == g || kPenaltyCases[c].group < 0)
            penalty_group[k][g].push_back(c);
        }
      }
      for (int c = 0; c < static_cast<int>(std::size(kLicenceCases)); ++c) {
        if (!(kLicenceCases[c].subjects & mask)) continue;
        licence_all[k].push_back(c);
        for (int g = 0; g < 9; ++g) {
          if (kLicenceCases[c].group == g || kLicenceCases[c].group < 0)
            licence_group[k][g].push_back(c);
        }
      }
      for (int c = 0; c < static_cast<int>(std::size(kHonors)); ++c) {
        if (kHonors[c].subjects & mask) honor_all[k].push_back(c);
      }
    }
    for (const PenaltyCase& c : kPenaltyCases) {
      std::vector<std::vector<std::string_view>> choices;
      std::string_view combos = c.combos;
      for (std::size_t start = 0;;) {
        std::size_t bar = combos.find('|', start);
        choices.push_back(
            SplitParts(combos.substr(start, bar == std::string_view::npos ? bar : bar - start)));
        if (bar == std::string_view::npos) break;
        start = bar + 1;
      }
      penalty_choices.push_back(std::move(choices));
    }
    // Separate streams: the item's rows differ from another item's with the same seed, and the
    // content of a row does not depend on the error rate.
    rng.seed(SeedSalt(options.seed ^ Fnv1a(item.code), 10));
    err.seed(SeedSalt(options.seed ^ Fnv1a(item.code), 11));
    errors_left = std::llround(static_cast<double>(options.rows) * options.error_rate);
    first_day = DaysFromCivil(2023, 1, 1);
    if (ref_day < first_day) first_day = ref_day - 3 * 365;
    return {};
  }

  // Whether every value the generator can put in an enum field is in its list, so Repair need not
  // look (checked once here instead of on every row).
  static bool EnumTrusted(const FieldSpec& f, Role role) {
    if (f.type != FieldType::kEnum) return false;
    std::vector<std::string_view> produced;
    switch (role) {
      case kNone:
      case kSubjKind:  // GenericValue picks from the list; subjects are chosen by the kind list
        return true;
      case kCategories:
        if (!f.multi) return false;
        for (const PenaltyCase& c : kPenaltyCases) {
          for (std::string_view p : SplitParts(c.combos)) {
            for (std::size_t start = 0; start <= p.size();) {  // the parts hold '|' between choices
              std::size_t bar = p.find('|', start);
              produced.push_back(
                  p.substr(start, bar == std::string_view::npos ? bar : bar - start));
              if (bar == std::string_view::npos) break;
              start = bar + 1;
            }
          }
        }
        break;
      case kLicenceCategory:
        for (const LicenceCase& c : kLicenceCases) produced.push_back(c.category);
        break;
      case kLicenceStatus:
        produced.assign(std::begin(kLicenceStatuses), std::end(kLicenceStatuses));
        break;
      case kRegStatus:
        produced.assign(std::begin(kRegStatuses), std::end(kRegStatuses));
        break;
      case kPerformance:
        produced.assign(std::begin(kPerformances), std::end(kPerformances));
        break;
      case kCreditLevel:
        produced.assign(std::begin(kCreditLevels), std::end(kCreditLevels));
        break;
      case kCommitType:
        for (const CommitmentType& t : kCommitmentTypes) produced.push_back(t.type);
        break;
      case kFulfilment:
        produced.assign(std::begin(kFulfilments), std::end(kFulfilments));
        break;
      case kPublicType:
        produced.assign(std::begin(kPublicTypes), std::end(kPublicTypes));
        break;
      case kHonorLevel:
        for (const Honor& h : kHonors) produced.push_back(h.level);
        break;
      default:
        return false;
    }
    return std::all_of(produced.begin(), produced.end(),
                       [&](std::string_view p) { return Contains(f.enum_values, p); });
  }

  int Index(std::string_view code) const {
    for (std::size_t i = 0; i < item.fields.size(); ++i) {
      if (item.fields[i].code == code) return static_cast<int>(i);
    }
    return -1;
  }

  bool Eligible(const SubjectHead& h) const {
    if (kind_idx < 0) {
      if (h.kind != SubjectKind::kOrganization) return false;
    } else if (!Contains(item.fields[kind_idx].enum_values, KindLabel(h.kind))) {
      return false;
    }
    if (h.kind == SubjectKind::kPerson && !persons_allowed) return false;
    switch (family) {
      case Family::kAbnormal:
      case Family::kSerious:
      case Family::kTaxViolation:
      case Family::kTaxRating:
        return std::string_view(h.category) == "91" || std::string_view(h.category) == "93";
      default:
        return true;
    }
  }

  // ---- helpers for one row ----

  bool Has(Role r) const { return slot[r] >= 0; }
  // Assigning keeps the cell's capacity: rows are built in the same buffers over and over.
  void Put(Role r, std::string_view value) {
    if (slot[r] >= 0) v[slot[r]].assign(value);
  }
  // The cell of a role, to append to; nullptr when the item has no such field.
  std::string* Out(Role r) { return slot[r] >= 0 ? &v[slot[r]] : nullptr; }
  void PutDay(Role r, std::int64_t d) {
    if (std::string* o = Out(r)) {
      o->clear();
      AppendDay(*o, d, false);
    }
  }
  void PutMoney(Role r, std::int64_t yuan) {
    if (std::string* o = Out(r)) *o = WanYuan(yuan);
  }
  const std::string& Get(Role r) const {
    static const std::string kEmpty;
    return slot[r] >= 0 ? v[slot[r]] : kEmpty;
  }
  bool Person() const { return subject.kind == SubjectKind::kPerson; }
  int KindIndex() const {
    return subject.kind == SubjectKind::kOrganization         ? 0
           : subject.kind == SubjectKind::kIndividualBusiness ? 1
                                                              : 2;
  }
  int Group() const { return kIndustries[subject.industry].group; }
  const Dept& D() const { return kDepts[dept]; }
  const std::string& DeptCode(DeptId d) const { return DeptCodes()[d]; }

  // The market regulator where the subject is (sometimes the city's).
  DeptId SamrFor() {
    int d = DistrictOf(subject.region);
    return d >= 0 && Chance(rng, 700) ? kSamrOf[d] : kSamrCity;
  }

  // A new 文书号 serial for (department, document kind, year): counters start low and only grow,
  // so numbers never repeat.
  void AppendDocNo(std::string& s, std::string_view prefix, int kind, int year) {
    s += prefix;
    s += "〔";
    AppendInt(s, year);
    s += "〕";
    AppendInt(s, NextSerial(kind, year));
    s += "号";
  }
  std::string DocNo(std::string_view prefix, int kind, int year) {
    std::string s;
    AppendDocNo(s, prefix, kind, year);
    return s;
  }

  void PutAgency(int source_per_mille_same = 850) {
    Put(kAgency, D().name);
    Put(kAgencyCode, DeptCode(dept));
    if (Chance(rng, source_per_mille_same)) {
      Put(kSource, D().name);
      Put(kSourceCode, DeptCode(dept));
    } else {
      Put(kSource, kDepts[kDataBureau].name);
      Put(kSourceCode, DeptCode(kDataBureau));
    }
  }

  // Expands the placeholders of the case tables.
  std::string Fill(std::string_view tpl, std::int64_t act_day = 0, std::int64_t quantity = 0,
                   std::int64_t gains = 0, std::int64_t value = 0, std::string_view matter = {}) {
    std::string s;
    FillInto(s, tpl, act_day, quantity, gains, value, matter);
    return s;
  }
  void FillInto(std::string& dest, std::string_view tpl, std::int64_t act_day = 0,
                std::int64_t quantity = 0, std::int64_t gains = 0, std::int64_t value = 0,
                std::string_view matter = {}) {
    Expand(dest, tpl, [&](std::string_view key, std::string& out) {
      if (key == "S") {
        out += subject.name;
      } else if (key == "A") {
        out += subject.address;
      } else if (key == "T") {
        out += ChineseDay(act_day);
      } else if (key == "Q") {
        AppendInt(out, quantity);
      } else if (key == "G") {
        AppendInt(out, gains);
      } else if (key == "V") {
        AppendInt(out, value);
      } else if (key == "X") {
        out += matter;
      } else if (key == "R") {
        out += subject.region;
      } else if (key == "U") {
        out += subject.code;
      } else if (key == "I") {
        out += subject.code;
      } else if (key == "Y") {
        AppendInt(out, YearOf(day));
      } else if (key == "Y2") {
        AppendPadded(out, YearOf(day) % 100, 2);
      } else if (key.size() == 2 && key[0] == 'N') {
        for (int i = 0; i < key[1] - '0'; ++i) out += static_cast<char>('0' + Below(rng, 10));
      }
    });
  }

  // ---- one clean row ----

  void PickSubject() {
    std::int64_t index = -1;
    if (registry_like) {
      index = registry_next;
      while (!Eligible(HeadOf(options.seed, index))) ++index;
      registry_next = index + 1;
    } else {
      for (int t = 0; t < 64 && index < 0; ++t) {
        auto i = static_cast<std::int64_t>(Below(rng, static_cast<std::uint64_t>(pool)));
        if (Eligible(HeadOf(options.seed, i))) index = i;
      }
      if (index < 0) {  // a pool without a single eligible subject: take the first beyond it
        index = pool;
        while (!Eligible(HeadOf(options.seed, index))) ++index;
      }
    }
    MakeSubjectInto(options.seed, index, subject);
  }

  void FillSubject() {
    const SyntheticSubject& s = subject;
    bool person = Person();
    Put(kSubjName, s.name);
    Put(kSubjKind, KindLabel(s.kind));
    if (code_idx >= 0 && (!person || item.fields[code_idx].type == FieldType::kSubjectCode))
      Put(kSubjCode, s.code);
    if (person) {
      Put(kPersonId, s.code);
      Put(kIdType, "身份证");
    } else {
      if (!s.registration_no.empty() && Chance(rng, 500)) Put(kRegNo, s.registration_no);
      if (s.kind == SubjectKind::kOrganization && Chance(rng, 400)) {
        Put(kOrgCode, s.code.substr(8, 8) + "-" + s.code[16]);
      }
      if (Chance(rng, 300)) Put(kTaxNo, s.code);
      if (s.category == "12" && Chance(rng, 400)) {
        std::string cert = "事证第1" + s.region;
        AppendPadded(cert, s.index % 1000000, 6);
        Put(kInstCert, cert + "号");
      }
      if (s.category == "52" && Chance(rng, 400)) Put(kSocialCert, s.code);
      if (s.kind == SubjectKind::kOrganization || Chance(rng, 600)) Put(kRep, s.legal_rep);
      if (!Get(kRep).empty() && Chance(rng, 500)) {
        Put(kRepIdType, "身份证");
        Put(kRepId, s.legal_rep_id);
      }
    }
    Put(kAddress, s.address);
    Put(kRegionCode, s.region);
    Put(kProvince, "安徽");
  }

  int PickCase(const std::array<std::vector<int>, 3>& all,
               const std::array<std::array<std::vector<int>, 9>, 3>& by_group) {
    // Mostly a case of the subject's trade (or of any trade, such as a late tax return).
    const std::vector<int>& fit = by_group[KindIndex()][Group()];
    if (!fit.empty() && Chance(rng, 900)) return fit[Below(rng, fit.size())];
    const std::vector<int>& any = all[KindIndex()];
    return any.empty() ? 0 : any[Below(rng, any.size())];
  }

  void FillPenalty() {
    int which = PickCase(penalty_all, penalty_group);
    const PenaltyCase& c = kPenaltyCases[which];
    dept = c.dept == kSamrCity ? SamrFor() : c.dept;
    const std::vector<std::vector<std::string_view>>& choices = penalty_choices[which];
    const std::vector<std::string_view>& cats = choices[Below(rng, choices.size())];
    auto has = [&](std::string_view cat) {
      return std::find(cats.begin(), cats.end(), cat) != cats.end();
    };
    std::int64_t fine = has("罚款") ? RoundMoney(Range(rng, c.fine_min, c.fine_max)) : 0;
    std::int64_t gains = has("没收违法所得") ? Range(rng, 20, 3000) * 10 : 0;
    std::int64_t value = Range(rng, 50, 5000) * 10;
    std::int64_t quantity = Range(rng, 3, 200);
    std::int64_t act = day - Range(rng, 15, 180);
    Put(kViolation, c.violation);
    if (std::string* o = Out(kFacts)) FillInto(*o, c.facts, act, quantity, gains, value);
    Put(kBasis, c.basis);
    const char* sep = Chance(rng, 800) ? ";" : "、";
    if (std::string* o = Out(kCategories)) {
      for (std::size_t i = 0; i < cats.size(); ++i) {
        if (i > 0) *o += sep;
        *o += cats[i];
      }
    }
    std::string_view licence = c.licence.empty() ? "许可证件" : c.licence;
    bool severe = false;
    std::string& content = Out(kContent) ? *Out(kContent) : scratch;
    content.clear();
    for (std::string_view cat : cats) {
      if (!content.empty()) content += "，";
      if (cat == "罚款") {
        content += "罚款人民币";
        AppendInt(content, fine);
        content += "元";
      } else if (cat == "没收违法所得") {
        content += "没收违法所得";
        AppendInt(content, gains);
        content += "元";
      } else if (cat == "没收非法财物") {
        content += "没收";
        content += c.goods.empty() ? "非法财物" : c.goods;
      } else if (cat == "暂扣许可证件") {
        content += "暂扣";
        content += licence;
        AppendInt(content, Range(rng, 1, 6));
        content += "个月";
      } else if (cat == "吊销许可证件") {
        content += "吊销";
        content += licence;
        severe = true;
      } else if (cat == "降低资质等级") {
        // 建筑业企业资质证书 → 降低建筑业企业资质等级
        std::string_view l = licence;
        if (l.ends_with("证书")) l.remove_suffix(std::string_view("证书").size());
        content += "降低";
        content += l;
        content += l.ends_with("资质") ? "等级" : "资质等级";
        severe = true;
      } else if (cat == "责令停产停业") {
        content += "责令停产停业";
        AppendInt(content, Range(rng, 1, 6) * 10);
        content += "日";
        severe = true;
      } else if (cat == "行政拘留") {
        content += "行政拘留";
        AppendInt(content, Range(rng, 3, 15));
        content += "日";
        severe = true;
      } else {
        content += cat;
      }
    }
    content += "。";
    if (fine > 0) PutMoney(kFine, fine);
    if (has("没收违法所得") || has("没收非法财物"))
      PutMoney(kConfiscated, gains + (has("没收非法财物") ? value : 0));
    if (has("暂扣许可证件") || has("吊销许可证件")) {
      if (std::string* o = Out(kLicenceRef)) {
        *o += licence;
        *o += "（";
        FillInto(*o, c.licence_no.empty() ? "{N8}" : c.licence_no);
        *o += "）";
      }
    }
    bool warning_only = cats.size() == 1 && cats[0] == "警告";
    PutDay(kPenaltyValidity, AddMonthsDays(day, severe ? 36 : 12) - 1);
    PutDay(kPublicityEnd, AddMonthsDays(day, severe ? 36 : warning_only ? 3 : 12));
    if (std::string* o = Out(kDocNo)) AppendDocNo(*o, D().penalty_doc, 0, YearOf(day));
    PutAgency();
    if (Chance(rng, 80)) {
      static constexpr const char* kRemarks[] = {"已履行", "当事人已缴纳罚款", "已申请行政复议",
                                                 "已整改到位"};
      Put(kRemark, Pick(rng, kRemarks));
    }
  }

  void FillLicence() {
    const LicenceCase& c = kLicenceCases[PickCase(licence_all, licence_group)];
    dept = c.dept == kSamrCity ? SamrFor() : c.dept;
    Put(kDocName, c.doc_name);
    Put(kDocNo, DocNo(std::string(D().abbr) + "许", 1, YearOf(day)));
    Put(kLicenceCategory, c.category);
    if (Chance(rng, 850)) Put(kLicenceName, c.certificate);
    if (Chance(rng, 850)) Put(kLicenceNo, Fill(c.number));
    Put(kLicenceContent, Fill(c.content, 0, Range(rng, 8, 400) * 50));
    std::int64_t to = c.years == 0 ? kOpenEnded : AddMonthsDays(day, 12 * c.years) - 1;
    Put(kValidFrom, IsoDay(day));
    Put(kValidTo, IsoDay(to));
    Put(kLicenceStatus, kLicenceStatuses[to >= ref_day ? 0 : 1]);
    PutAgency();
  }

  void FillRegistry() {
    const SyntheticSubject& s = subject;
    std::int64_t founded = ToDayNumber(s.founded);
    if (Chance(rng, 900)) Put(kEntityType, s.entity_type);
    Put(kRep, s.legal_rep);  // the register always names the representative (经营者 of a 个体)
    int d = DistrictOf(s.region);
    if (s.category == "12") {
      Put(kRegAuthority, "淮南市事业单位登记管理局");
    } else if (s.category == "52") {
      Put(kRegAuthority, kDepts[kCivilAffairs].name);
    } else {
      Put(kRegAuthority, kDepts[d >= 0 ? kSamrOf[d] : kSamrCity].name);
    }
    Put(kFounded, IsoDay(founded));
    if (Chance(rng, 800)) {
      std::int64_t span = std::max<std::int64_t>(0, ref_day - founded);
      Put(kApproved, IsoDay(founded + static_cast<std::int64_t>(
                                          Below(rng, static_cast<std::uint64_t>(span) + 1))));
    }
    if (s.capital_yuan > 0) Put(kCapital, WanYuan(s.capital_yuan));
    Put(kScope, kIndustries[s.industry].scope);
    if (Chance(rng, 850)) Put(kBizFrom, IsoDay(founded));
    int to = Int(rng, 10);
    if (to >= 4 && to < 7) {
      Put(kBizTo, IsoDay(kOpenEnded));
    } else if (to >= 7) {
      Put(kBizTo, IsoDay(AddMonthsDays(founded, Chance(rng, 500) ? 240 : 360) - 1));
    }
    static constexpr int kStatusWeights[] = {88, 6, 4, 2};
    Put(kRegStatus, kRegStatuses[Weighted(rng, kStatusWeights)]);
  }

  void FillJudgment() {
    int d = DistrictOf(subject.region);
    dept = d >= 0 && Chance(rng, 850) ? kCourtOf[d] : kCourtMid;
    std::int64_t filed = day - Range(rng, 30, 400);
    int filed_year = YearOf(filed);
    Put(kAgency, D().name);
    Put(kProvince, "安徽");
    Put(kFiledDate, IsoDay(filed));
    Put(kCaseNo, "（" + IntText(filed_year) + "）" + std::string(D().abbr) + "执" +
                     IntText(NextSerial(2, filed_year)) + "号");
    if (Chance(rng, 750)) {
      DeptId court = Chance(rng, 800) ? dept : kCourtOf[Int(rng, kDistrictCount)];
      Put(kBasisUnit, kDepts[court].name);
      Put(kBasisDocNo, "（" + IntText(filed_year - Int(rng, 2)) + "）" +
                           std::string(kDepts[court].abbr) + "民初" + IntText(Range(rng, 1, 9999)) +
                           "号");
    } else {
      Put(kBasisUnit, "淮南仲裁委员会");
      Put(kBasisDocNo, "淮仲裁字〔" + IntText(filed_year - Int(rng, 2)) + "〕第" +
                           IntText(Range(rng, 1, 999)) + "号");
    }
    std::int64_t amount = RoundMoney(Range(rng, 5000, 2000000));
    Put(kObligation, Fill(Pick(rng, kObligations), 0, 0, 0, amount));
    static constexpr int kWeights[] = {75, 15, 10};
    int p = Weighted(rng, kWeights);
    Put(kPerformance, kPerformances[p]);
    if (p == 0) {
      if (Chance(rng, 800)) Put(kUnperformedPart, IntText(amount) + "元及利息");
    } else {
      std::int64_t paid = amount * Range(rng, 10, 60) / 100;
      Put(kPerformedPart, "已履行" + IntText(paid) + "元");
      Put(kUnperformedPart, IntText(amount - paid) + "元及利息");
    }
    Put(kSituation, Pick(rng, kDebtorSituations));
  }

  int NextSerial(int kind, int year) {
    std::uint64_t key =
        (static_cast<std::uint64_t>(dept) * 64 + static_cast<std::uint64_t>(kind)) * 10000 +
        static_cast<std::uint64_t>(year);
    auto [it, fresh] = serials.try_emplace(key, 0);
    it->second += fresh ? Range(rng, 1, 30) : Range(rng, 1, 3);
    return it->second;
  }

  void FillTaxViolation() {
    dept = kTaxInspection;
    const char* nature = Pick(rng, kTaxCaseNatures);
    int y2 = YearOf(day) - 1 - Int(rng, 2);
    int y1 = y2 - Int(rng, 2);
    std::int64_t tax = RoundMoney(Range(rng, 100000, 20000000));
    std::int64_t fine = RoundMoney(tax * Range(rng, 50, 200) / 100);
    Put(kCaseNature, nature);
    Put(kTaxFacts, "经" + std::string(D().name) + "检查，发现其在" + IntText(y1) + "年1月1日至" +
                       IntText(y2) + "年12月31日期间，主要存在以下问题：" + nature + "，涉及税款" +
                       IntText(tax) + "元。");
    Put(kTaxHandling,
        "依照《中华人民共和国税收征收管理法》等相关法律法规的有关规定，对其处以追缴税款" +
            IntText(tax) + "元的行政处理、处以罚款" + IntText(fine) + "元的行政处罚。");
    Put(kInspector, D().name);
    Put(kAnnounceDate, IsoDay(day + Range(rng, 0, 30)));
    if (Chance(rng, 500)) {
      SplitMixEngine e = SubjectEngine(options.seed, subject.index, 7);
      Put(kFinanceHead, PersonName(e, Chance(rng, 400)));
      if (Chance(rng, 800)) Put(kFinanceHeadId, RandomCitizenId(e));
    }
    if (Chance(rng, 50)) {
      Put(kIntermediary, "淮南" + std::string(Pick(rng, kBrandFirst)) +
                             std::string(Pick(rng, kBrandSecond)) + "税务师事务所有限公司");
    }
  }

  // The rating years a file can hold: ratings are published in April of the next year, from 2023
  // (the year 2022) up to the reference date.
  std::pair<int, int> RatingYears() const {
    Ymd ref = CivilFromDays(ref_day);
    int max_year = ref_day >= DaysFromCivil(ref.y, 4, 30) ? ref.y - 1 : ref.y - 2;
    return {std::min(2022, max_year), max_year};
  }

  void FillTaxRating() {
    auto [min_year, max_year] = RatingYears();
    int year = static_cast<int>(Range(rng, min_year, max_year));
    day = std::min(ref_day, DaysFromCivil(year + 1, 4, static_cast<unsigned>(Range(rng, 10, 30))));
    Put(kYear, IntText(year));
    Put(kCreditLevel, "A");
    dept = subject.region == std::string_view("340403") && Chance(rng, 500) ? kTaxTianJiaAn : kTax;
    Put(kAgency, D().name);
  }

  void FillWage() {
    dept = kHrss;
    std::int64_t workers = Range(rng, 3, 120);
    std::int64_t owed = RoundMoney(workers * Range(rng, 3000, 30000));
    Put(kListReason, subject.name + "拖欠" + IntText(workers) + "名农民工工资共计" + IntText(owed) +
                         "元，经人力资源社会保障行政部门责令限期支付后，逾期未支付。");
    Put(kListBasis, "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条第一款第（一）项");
    Put(kDocNo, DocNo("淮人社失信", 2, YearOf(day)));
    Put(kAgency, D().name);
    Put(kAgencyCode, DeptCode(dept));
    if (day + 365 <= ref_day && Chance(rng, 200)) {
      Put(kRemovalDate, IsoDay(day + 365 + Int(rng, ref_day - day - 365 + 1)));
    }
  }

  void FillAbnormal() {
    dept = SamrFor();
    const ListReason& r = Pick(rng, kAbnormalReasons);
    Put(kListReason, r.reason);
    Put(kAgency, D().name);
    Put(kAgencyCode, DeptCode(dept));
    if (Chance(rng, 700)) Put(kDocNo, DocNo(std::string(D().abbr) + "企异列", 3, YearOf(day)));
    if (day + 30 <= ref_day && Chance(rng, 300)) {
      Put(kRemovalDate,
          IsoDay(day + 30 + Int(rng, std::min<std::int64_t>(ref_day - day - 30, 700) + 1)));
      Put(kRemovalReason, r.removal);
      Put(kRemovalAgency, D().name);
    }
  }

  void FillSerious() {
    dept = Chance(rng, 700) ? kSamrCity : SamrFor();
    int which = Int(rng, static_cast<std::int64_t>(std::size(kSeriousReasons)));
    static constexpr const char* kArticles[] = {"第十三条", "第十二条", "第二条", "第十二条"};
    Put(kListReason, kSeriousReasons[which].reason);
    Put(kListBasis, std::string("《市场监督管理严重违法失信名单管理办法》") + kArticles[which]);
    Put(kDocNo, DocNo(std::string(D().abbr) + "严列", 4, YearOf(day)));
    Put(kAgency, D().name);
    Put(kAgencyCode, DeptCode(dept));
    if (day + 365 <= ref_day && Chance(rng, 100)) {
      Put(kRemovalDate, IsoDay(day + 365 + Int(rng, ref_day - day - 365 + 1)));
      Put(kRemovalReason, kSeriousReasons[which].removal);
      Put(kRemovalAgency, D().name);
    }
  }

  void FillCommitment() {
    static constexpr DeptId kAcceptors[] = {
        kGovService, kGovService, kGovService, kGovService, kSamrCity,       kSamrCity,
        kTax,        kTax,        kHrss,       kHousing,    kTransportBureau};
    dept = Pick(rng, kAcceptors);
    if (dept == kSamrCity) dept = SamrFor();
    int weights[std::size(kCommitmentTypes)];
    for (std::size_t i = 0; i < std::size(kCommitmentTypes); ++i)
      weights[i] = kCommitmentTypes[i].weight;
    const CommitmentType& t = kCommitmentTypes[Weighted(rng, weights)];
    const char* matter = Pick(rng, kCommitmentMatters);
    // 承诺编码: region of the accepting body, the date, a serial of that region and day.
    std::uint64_t key = static_cast<std::uint64_t>(std::atoi(D().region)) * 100000 +
                        static_cast<std::uint64_t>(day);
    int serial = ++serials[key];
    std::string code = D().region;
    AppendDay(code, day, true);
    AppendPadded(code, serial % 1000000, 6);
    Put(kCommitCode, std::move(code));
    Put(kCommitType, t.type);
    Put(kCommitCause, Fill(t.cause, 0, 0, 0, 0, matter));
    Put(kCommitContent, Fill(t.content, 0, 0, 0, 0, matter));
    Put(kCommitLiability,
        Fill("如违背承诺，愿意承担相应法律责任，并接受撤销{X}、纳入信用记录等处理。", 0, 0, 0, 0,
             matter));
    if (Chance(rng, 700))
      Put(kCommitValidTo, IsoDay(AddMonthsDays(day, 12 * static_cast<int>(Range(rng, 1, 3)))));
    static constexpr int kFulfilWeights[] = {85, 8, 7};
    int f = Weighted(rng, kFulfilWeights);
    Put(kFulfilment, kFulfilments[f]);
    if (f != 0) {
      Put(kUnfulfilled,
          Fill("未在承诺期限内补齐{X}相关材料，未达到承诺的条件。", 0, 0, 0, 0, matter));
      Put(kLiabilityPursued, Fill("撤销{X}决定，将违诺情况纳入信用记录。", 0, 0, 0, 0, matter));
    }
    if (day + 30 <= ref_day && Chance(rng, 600)) {
      Put(kConfirmDate,
          IsoDay(day + 30 + Int(rng, std::min<std::int64_t>(ref_day - day - 30, 365) + 1)));
      Put(kConfirmUnit, D().name);
      Put(kConfirmUnitCode, DeptCode(dept));
    }
    Put(kAgency, D().name);
    Put(kAgencyCode, DeptCode(dept));
    static constexpr int kPublicWeights[] = {88, 10, 2};
    Put(kPublicType, kPublicTypes[Weighted(rng, kPublicWeights)]);
  }

  void FillHonor() {
    const std::vector<int>& fit = honor_all[KindIndex()];
    const Honor& h = kHonors[fit.empty() ? 0 : fit[Below(rng, fit.size())]];
    dept = h.agency;
    Put(kHonorName, h.name);
    Put(kHonorLevel, h.level);
    if (Chance(rng, 600)) Put(kHonorContent, h.content);
    Put(kAgency, D().name);
    if (Chance(rng, 700)) Put(kAgencyCode, DeptCode(dept));
    if (Chance(rng, 700)) Put(kDocNo, DocNo(D().abbr, 6, YearOf(day)));
    if (Chance(rng, 400))
      Put(kHonorValidTo, IsoDay(AddMonthsDays(day, Chance(rng, 500) ? 24 : 36)));
  }

  // Memoised per row: GenericPass asks for every empty field, twice. Forget() when a value that a
  // condition reads changes.
  bool RequiredIfHolds(std::size_t i) {
    for (std::size_t k = 0; k < conds[i].size(); ++k) {
      std::int8_t& cached = cond_cache[cond_ids[i][k]];
      if (cached < 0) cached = ConditionHolds(*conds[i][k].second, v[conds[i][k].first]) ? 1 : 0;
      if (cached) return true;
    }
    return false;
  }
  void Forget() { std::fill(cond_cache.begin(), cond_cache.end(), static_cast<std::int8_t>(-1)); }

  static bool ConditionHolds(const FieldCondition& c, const std::string& value) {
    if (value.empty()) return false;
    bool any = false, all = true, some = false;
    ForEachPart(value, [&](std::string_view p) {
      some = true;
      bool in = Contains(c.any_of, p);
      any |= in;
      all &= in;
      return c.only ? all : !any;
    });
    return c.only ? some && all : any;
  }

  // A value for a field the family left empty, by type (and role, when it has one).
  std::string GenericValue(std::size_t i) {
    const FieldSpec& f = item.fields[i];
    switch (f.type) {
      case FieldType::kText:
        switch (roles[i]) {
          case kRep:
          case kFinanceHead:
            return subject.legal_rep.empty() ? subject.name : subject.legal_rep;
          case kRepId:
          case kFinanceHeadId:
            return subject.legal_rep_id.empty() ? subject.code : subject.legal_rep_id;
          case kRepIdType:
          case kIdType:
            return "身份证";
          case kAgency:
          case kSource:
          case kRemovalAgency:
          case kConfirmUnit:
          case kRegAuthority:
          case kInspector:
            return std::string(D().name);
          case kAddress:
            return subject.address;
          case kRegionCode:
            return subject.region;
          case kProvince:
            return "安徽";
          case kDocNo:
          case kCaseNo:
          case kCommitCode:
            return DocNo(D().abbr, 7, YearOf(day));
          case kRemark:
            return "无";
          default:
            break;
        }
        if (f.label.find("文号") != std::string::npos ||
            f.label.find("编号") != std::string::npos ||
            f.label.find("编码") != std::string::npos) {
          return DocNo(D().abbr, 8, YearOf(day));
        }
        if (f.label.find("名称") != std::string::npos) return subject.name;
        return std::string(Pick(rng, kGenericPhrases));
      case FieldType::kDate:
        return IsoDay(day);
      case FieldType::kDecimal:
        return WanYuan(Range(rng, 1, 5000) * 100);
      case FieldType::kInteger:
        if (roles[i] == kYear || f.label.find("年") != std::string::npos)
          return IntText(YearOf(day));
        return IntText(Range(rng, 1, 100));
      case FieldType::kEnum:
        return f.enum_values.empty() ? std::string()
                                     : f.enum_values[Below(rng, f.enum_values.size())];
      case FieldType::kUscc:
        return DeptCode(dept);
      case FieldType::kSubjectCode:
        return subject.code;
      case FieldType::kCitizenId:
        return Person() ? subject.code : subject.legal_rep_id;
    }
    return {};
  }

  // Returns whether it filled a field some condition reads.
  bool GenericPass(bool optional_too) {
    bool condition_filled = false;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].empty()) continue;
      const FieldSpec& f = item.fields[i];
      // A natural person has no USCC; the ID number field identifies them.
      if (static_cast<int>(i) == code_idx && Person() && f.type != FieldType::kSubjectCode)
        continue;
      if (static_cast<int>(i) == person_idx && !Person()) continue;
      bool need = f.required || RequiredIfHolds(i);
      bool decided_by_family = roles[i] != kNone && family != Family::kGeneric;
      if (!need && (!optional_too || decided_by_family || roles[i] == kSubjCode ||
                    roles[i] == kPersonId || !Chance(rng, 600))) {
        continue;
      }
      v[i] = GenericValue(i);
      if (condition[i]) {
        condition_filled = true;
        Forget();
      }
    }
    return condition_filled;
  }

  // Makes the row valid whatever the catalogue says: enum values in their lists, lengths within
  // max_length, date-order rules kept.
  void Repair() {
    for (std::size_t i = 0; i < v.size(); ++i) {
      const FieldSpec& f = item.fields[i];
      std::string& value = v[i];
      if (value.empty()) continue;
      if (f.type == FieldType::kEnum && !enum_trusted[i] && !f.enum_values.empty()) {
        if (!f.multi) {
          if (!Contains(f.enum_values, value))
            value = f.enum_values[Below(rng, f.enum_values.size())];
        } else {
          bool all = true;
          ForEachPart(value, [&](std::string_view p) { return all = Contains(f.enum_values, p); });
          if (!all) {
            std::string kept;
            for (std::string_view p : SplitParts(value)) {
              if (!Contains(f.enum_values, p)) continue;
              if (!kept.empty()) kept += ';';
              kept += p;
            }
            value = kept.empty() ? f.enum_values[Below(rng, f.enum_values.size())] : kept;
          }
        }
      }
      if (f.max_length > 0) TruncateChars(value, static_cast<std::size_t>(f.max_length));
    }
    for (int pass = 0; pass < 3; ++pass) {
      for (const auto& [a, b] : cross) {
        if (!v[a].empty() && !v[b].empty() && v[b] < v[a]) v[b] = v[a];
      }
    }
  }

  void GenerateClean() {
    v.resize(item.fields.size());
    for (std::string& s : v) s.clear();
    Forget();
    PickSubject();
    day = Range(rng, first_day, ref_day);
    dept = kCityGov;
    FillSubject();
    switch (family) {
      case Family::kPenalty:
        FillPenalty();
        break;
      case Family::kLicence:
        FillLicence();
        break;
      case Family::kRegistry:
        FillRegistry();
        break;
      case Family::kJudgment:
        FillJudgment();
        break;
      case Family::kTaxViolation:
        FillTaxViolation();
        break;
      case Family::kTaxRating:
        FillTaxRating();
        break;
      case Family::kWage:
        FillWage();
        break;
      case Family::kAbnormal:
        FillAbnormal();
        break;
      case Family::kSerious:
        FillSerious();
        break;
      case Family::kCommitment:
        FillCommitment();
        break;
      case Family::kHonor:
        FillHonor();
        break;
      case Family::kGeneric:
        break;
    }
    if (Has(kDecisionDate) && Get(kDecisionDate).empty()) Put(kDecisionDate, IsoDay(day));
    // Again when a value filled in the first pass may make another field required.
    if (GenericPass(true)) GenericPass(false);
    Repair();
    Forget();  // Repair may have changed a value a condition reads
  }

  std::uint64_t KeyHash() const {
    std::string key;
    for (int j : key_idx) {
      key += v[j];
      key += '\x1f';
    }
    return Fnv1a(key);
  }

  // ---- planting problems ----

  bool UsccTarget(std::size_t i) const {
    const FieldSpec& f = item.fields[i];
    return (f.type == FieldType::kUscc || (f.type == FieldType::kSubjectCode && !Person())) &&
           v[i].size() == 18;
  }

  // The fields a kind could go in, in this row.
  std::vector<int> Targets(GenErrorKind k) {
    std::vector<int> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const FieldSpec& f = item.fields[i];
      bool person_kind = static_cast<int>(i) == kind_idx && Person();
      bool ok = false;
      switch (k) {
        case GenErrorKind::kUsccCheck:
        case GenErrorKind::kUsccCharset:
        case GenErrorKind::kUsccLength:
        case GenErrorKind::kUsccNormalized:
          ok = UsccTarget(i);
          break;
        case GenErrorKind::kRequired:
          ok = f.required && !v[i].empty() && !person_kind;
          break;
        case GenErrorKind::kRequiredIf:
          ok = !f.required && !f.required_if.empty() && !v[i].empty() && RequiredIfHolds(i);
          break;
        case GenErrorKind::kDate:
          ok = f.type == FieldType::kDate && !v[i].empty() && !condition[i];
          break;
        case GenErrorKind::kTooLong:
          ok = f.type == FieldType::kText && f.max_length > 0 && !condition[i];
          break;
        case GenErrorKind::kEnum:
          ok = f.type == FieldType::kEnum && !v[i].empty() && !person_kind;
          break;
        case GenErrorKind::kDecimal:
          ok = f.type == FieldType::kDecimal && !v[i].empty() && !condition[i];
          break;
        case GenErrorKind::kDateOrder:
          break;
      }
      if (ok) out.push_back(static_cast<int>(i));
    }
    if (k == GenErrorKind::kDateOrder) {
      for (std::size_t r = 0; r < cross.size(); ++r) {
        if (!condition[cross[r].first] && !condition[cross[r].second])
          out.push_back(static_cast<int>(r));
      }
    }
    return out;
  }

  // Picks the kind this row gets (the least planted so far that fits the row) and plants it.
  // Returns false when no kind fits the row.
  bool Plant(RowExpectation* e) {
    std::vector<std::pair<GenErrorKind, std::vector<int>>> options_now;
    std::int64_t least = std::numeric_limits<std::int64_t>::max();
    for (GenErrorKind k : kinds) {
      std::vector<int> t = Targets(k);
      if (t.empty()) continue;
      least = std::min(least, planted[static_cast<int>(k)]);
      options_now.emplace_back(k, std::move(t));
    }
    if (options_now.empty()) return false;
    std::erase_if(options_now,
                  [&](const auto& o) { return planted[static_cast<int>(o.first)] != least; });
    auto& [kind, targets] = options_now[Below(err, options_now.size())];
    int target = targets[Below(err, targets.size())];
    if (kind == GenErrorKind::kTooLong && Below(err, 10) < 8) {
      // Mostly a text the department did fill, written too long.
      std::vector<int> filled;
      for (int t : targets) {
        if (!v[t].empty()) filled.push_back(t);
      }
      if (!filled.empty()) target = filled[Below(err, filled.size())];
    }
    bool uscc = kind == GenErrorKind::kUsccCheck || kind == GenErrorKind::kUsccCharset ||
                kind == GenErrorKind::kUsccLength || kind == GenErrorKind::kUsccNormalized;
    if (uscc && code_idx >= 0 &&
        std::find(targets.begin(), targets.end(), code_idx) != targets.end() &&
        Below(err, 10) < 7) {
      target = code_idx;  // mostly the subject's own code, where departments err most
    }
    if (kind == GenErrorKind::kRequiredIf) {
      // Prefer a field required by the content (CF_NR_FK when 罚款) over one required by the kind.
      std::vector<int> content;
      for (int t : targets) {
        bool by_kind = std::all_of(conds[t].begin(), conds[t].end(),
                                   [&](const auto& c) { return c.first == kind_idx; });
        if (!by_kind) content.push_back(t);
      }
      if (!content.empty() && Below(err, 10) < 7) target = content[Below(err, content.size())];
    }
    ++planted[static_cast<int>(kind)];
    e->planted = kind;
    std::string& value = v[kind == GenErrorKind::kDateOrder ? cross[target].second : target];
    e->field = item.fields[kind == GenErrorKind::kDateOrder ? cross[target].second : target].code;
    switch (kind) {
      case GenErrorKind::kUsccCheck: {
        int current = UsccCharValue(value[17]);
        value[17] = UsccValueChar((current + 1 + static_cast<int>(Below(err, 30))) % 31);
        break;
      }
      case GenErrorKind::kUsccCharset: {
        std::size_t pos = 8 + Below(err, 9);
        char c = value[pos];
        value[pos] = c == '0'   ? 'O'
                     : c == '1' ? 'I'
                     : c == '2' ? 'Z'
                     : c == '5' ? 'S'
                                : "IOZSV"[Below(err, 5)];
        break;
      }
      case GenErrorKind::kUsccLength:
        value.erase(2 + Below(err, 16), 1);
        break;
      case GenErrorKind::kUsccNormalized: {
        bool letters =
            std::any_of(value.begin(), value.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
        if (letters && Below(err, 2) == 0) {
          for (char& c : value) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        } else {
          value = FullWidth(value);
        }
        break;
      }
      case GenErrorKind::kRequired:
      case GenErrorKind::kRequiredIf:
        value.clear();
        break;
      case GenErrorKind::kDate: {
        std::string year = value.size() >= 4 ? value.substr(0, 4) : "2024";
        switch (Below(err, 6)) {
          case 0:
            value = year + "-2-30";
            break;
          case 1:
            value = year + "0231";
            break;
          case 2:
            value = year + "年2月30日";
            break;
          case 3:
            value = year + "/13/5";
            break;
          case 4:
            value = year + ".6.31";
            break;
          default:
            value = "待定";
            break;
        }
        break;
      }
      case GenErrorKind::kTooLong: {
        const FieldSpec& f = item.fields[target];
        std::string base = value.empty() ? std::string("详见附件") : value;
        auto max = static_cast<std::size_t>(f.max_length);
        std::size_t want = max + 1 + Below(err, 20);  // characters
        std::size_t copies = want / CountCodePoints(base) + 1;
        value.clear();
        value.reserve(copies * base.size());
        for (std::size_t i = 0; i < copies; ++i) value += base;
        TruncateChars(value, want);
        break;
      }
      case GenErrorKind::kEnum: {
        const FieldSpec& f = item.fields[target];
        std::vector<std::string> bad;
        switch (roles[target]) {
          case kSubjKind:
            bad = {"企业", "个人", "其他组织", "企业法人"};
            break;
          case kCategories:
            bad = {"责令改正", "罚金", "责令停止违法行为"};
            break;
          case kLicenceCategory:
            bad = {"一般", "行政许可"};
            break;
          case kLicenceStatus:
            bad = {"有效", "0"};
            break;
          case kRegStatus:
            bad = {"在业", "开业"};
            break;
          case kCreditLevel:
            bad = {"A级", "B"};
            break;
          default:
            bad = {"不详", "未知", "其它情况"};
            break;
        }
        std::erase_if(
            bad, [&](const std::string& b) { return Contains(f.enum_values, NormalizeName(b)); });
        std::string chosen = bad.empty() ? "不详不明" : bad[Below(err, bad.size())];
        value = f.multi && Below(err, 2) == 0 ? value + ";" + chosen : chosen;
        break;
      }
      case GenErrorKind::kDecimal: {
        static constexpr const char* kBad[] = {"1,200",  "五千元", "0.5万",
                                               "约3000", "2000元", "1e4"};
        value = kBad[Below(err, std::size(kBad))];
        break;
      }
      case GenErrorKind::kDateOrder: {
        auto [a, b] = cross[target];
        if (v[a].empty()) v[a] = IsoDay(day);
        std::int64_t first = ParseIsoDay(v[a]);
        v[b] = IsoDay(first - 1 - static_cast<std::int64_t>(Below(err, 365)));
        break;
      }
    }
    std::string_view reason = GenErrorKindReason(kind);
    if (reason.empty()) {
      e->warnings.emplace_back("uscc.normalized");
    } else {
      e->accepted = false;
      e->reasons.emplace_back(reason);
    }
    return true;
  }

  // What the validator's cross-field step will say about the final row.
  void CheckCross(RowExpectation* e) const {
    for (const auto& [a, b] : cross) {
      if (v[a].size() == 10 && v[b].size() == 10 && v[b] < v[a]) {
        e->accepted = false;
        if (std::find(e->reasons.begin(), e->reasons.end(), "cross.date_order") ==
            e->reasons.end()) {
          e->reasons.emplace_back("cross.date_order");
        }
      }
    }
    std::sort(e->reasons.begin(), e->reasons.end());
  }

  Result<bool> Next(GeneratedRow* out) {
    if (row >= options.rows) return false;
    ++row;
    for (int attempt = 0;; ++attempt) {
      GenerateClean();
      if (!check_keys || keys.insert(KeyHash()).second) break;
      if (attempt >= 500) {
        return Fail(ErrorCode::kFailedPrecondition, "gen.natural_key",
                    "cannot find a new natural key for row " + std::to_string(row) + " of " +
                        item.code + ": ask for fewer rows or a larger --pool",
                    "第" + std::to_string(row) + "行无法生成不重复的主键，请减少行数或增大主体池");
      }
    }
    RowExpectation& e = out->expected;
    e = RowExpectation{};
    std::int64_t rows_left = options.rows - row + 1;
    if (static_cast<std::int64_t>(Below(err, static_cast<std::uint64_t>(rows_left))) <
            errors_left &&
        Plant(&e)) {
      --errors_left;
    }
    CheckCross(&e);
    out->row_no = row;
    std::swap(out->cells, v);
    return true;
  }
};

Result<RowGenerator> RowGenerator::Create(const CatalogItem& item,
                                          const GeneratorOptions& options) {
  auto impl = std::make_unique<Impl>(item, options);
  if (Result<void> r = impl->Init(); !r) return std::unexpected(r.error());
  return RowGenerator(std::move(impl));
}

RowGenerator::RowGenerator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RowGenerator::RowGenerator(RowGenerator&&) noexcept = default;
RowGenerator& RowGenerator::operator=(RowGenerator&&) noexcept = default;
RowGenerator::~RowGenerator() = default;

Result<bool> RowGenerator::Next(GeneratedRow* row) { return impl_->Next(row); }
const std::vector<std::string>& RowGenerator::field_codes() const { return impl_->codes; }
const std::vector<GenErrorKind>& RowGenerator::kinds() const { return impl_->kinds; }
std::int64_t RowGenerator::pool_size() const { return impl_->pool; }

std::uint64_t BoundedRandom(std::mt19937_64& engine, std::uint64_t n) { return Below(engine, n); }

// ---- output ----

namespace {

constexpr std::size_t kFlushBytes = std::size_t{1} << 20;

std::unexpected<Error> WriteError(const std::string& path) {
  return Fail(ErrorCode::kUnavailable, "gen.write", "cannot write " + path, "无法写入文件 " + path);
}

// A file written through a buffer; the bytes may be converted (UTF-8 → GB18030) on the way.
class OutFile {
 public:
  ~OutFile() {
    if (file_) std::fclose(file_);
    if (gb18030_) ucnv_close(gb18030_);
    if (utf8_) ucnv_close(utf8_);
  }

  Result<void> Open(const std::string& path, bool gb18030) {
    path_ = path;
    file_ = std::fopen(path.c_str(), "wb");
    if (!file_) return WriteError(path);
    if (gb18030) {
      UErrorCode status = U_ZERO_ERROR;
      gb18030_ = ucnv_open("GB18030", &status);
      utf8_ = ucnv_open("UTF-8", &status);
      if (U_FAILURE(status)) {
        return Fail(ErrorCode::kInternal, "gen.encoding", "ICU has no GB18030 converter",
                    "缺少GB18030编码转换器");
      }
    }
    buf_.reserve(kFlushBytes + 65536);
    return {};
  }

  std::string& buf() { return buf_; }

  // Writes the buffer out when it is full (call after whole rows only: GB18030 conversion needs
  // whole characters).
  Result<void> MaybeFlush() { return buf_.size() >= kFlushBytes ? Flush() : Result<void>{}; }

  Result<void> Flush() {
    if (buf_.empty()) return {};
    std::string_view out = buf_;
    if (gb18030_) {
      converted_.resize(buf_.size() * 2 + 16);  // GB18030 needs at most 4 bytes where UTF-8 has ≥ 2
      char* target = converted_.data();
      const char* source = buf_.data();
      UErrorCode status = U_ZERO_ERROR;
      ucnv_convertEx(gb18030_, utf8_, &target, converted_.data() + converted_.size(), &source,
                     buf_.data() + buf_.size(), nullptr, nullptr, nullptr, nullptr, true, true,
                     &status);
      if (U_FAILURE(status)) {
        return Fail(ErrorCode::kInternal, "gen.encoding", "GB18030 conversion failed",
                    "GB18030编码转换失败");
      }
      out =
          std::string_view(converted_.data(), static_cast<std::size_t>(target - converted_.data()));
    }
    if (std::fwrite(out.data(), 1, out.size(), file_) != out.size()) return WriteError(path_);
    buf_.clear();
    return {};
  }

  Result<void> Close() {
    if (Result<void> r = Flush(); !r) return r;
    std::FILE* f = file_;
    file_ = nullptr;
    if (std::fclose(f) != 0) return WriteError(path_);
    return {};
  }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  UConverter* gb18030_ = nullptr;
  UConverter* utf8_ = nullptr;
  std::string buf_;
  std::string converted_;
};

bool IsCsvSpecial(char c) { return c == ',' || c == '"' || c == '\r' || c == '\n'; }

// Whether a cell needs quoting. Eight bytes at a time: all four special characters are below 0x2D,
// and the generated text (CJK, digits, letters) rarely has such bytes, so most words are skipped
// with one test ("haslessthan", Anderson's bit hacks); a hit is checked byte by byte.
bool NeedsQuoting(std::string_view cell) {
  const char* p = cell.data();
  std::size_t n = cell.size(), i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x;
    std::memcpy(&x, p + i, 8);
    if (((x - 0x2D2D2D2D2D2D2D2DULL) & ~x & 0x8080808080808080ULL) == 0) continue;
    for (std::size_t k = i; k < i + 8; ++k) {
      if (IsCsvSpecial(p[k])) return true;
    }
  }
  for (; i < n; ++i) {
    if (IsCsvSpecial(p[i])) return true;
  }
  return false;
}

void AppendCsvCell(std::string& out, std::string_view cell) {
  if (!NeedsQuoting(cell)) {
    out.append(cell);
    return;
  }
  out += '"';
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void AppendCsvRow(std::string& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    AppendCsvCell(out, cells[i]);
  }
  out += "\r\n";  // as Excel and most department systems export
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void AppendJsonRow(std::string& out, const std::vector<std::string>& codes,
                   const std::vector<std::string>& cells) {
  out += '{';
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, codes[i]);
    out += ':';
    AppendJsonString(out, cells[i]);
  }
  out += "}\n";
}

void AppendSidecarRow(std::string& out, const GeneratedRow& row) {
  const RowExpectation& e = row.expected;
  AppendInt(out, row.row_no);
  out += e.accepted ? "\taccepted\t" : "\trejected\t";
  for (std::size_t i = 0; i < e.reasons.size(); ++i) {
    if (i > 0) out += ',';
    out += e.reasons[i];
  }
  out += '\t';
  std::string note;
  if (!e.warnings.empty()) {
    note += "warnings=";
    for (std::size_t i = 0; i < e.warnings.size(); ++i) {
      if (i > 0) note += ',';
      note += e.warnings[i];
    }
  }
  if (e.planted) {
    if (!note.empty()) note += ';';
    note += "kind=";
    note += GenErrorKindName(*e.planted);
    note += ";field=";
    note += e.field;
  }
  out += note;
  out += '\n';
}

}  // namespace

std::string SidecarPath(const std::string& path) { return path + ".expected.tsv"; }

Result<GenerateSummary> GenerateFile(const CatalogItem& item, const GeneratorOptions& options,
                                     const std::string& path, const OutputOptions& output) {
  bool gb18030 = output.encoding == TextEncoding::kGb18030;
  if (gb18030 && output.format != FileFormat::kCsv) {
    return Fail(ErrorCode::kInvalidArgument, "gen.format",
                "only CSV files can be written in GB18030", "只有CSV文件可以使用GB18030编码");
  }
  constexpr std::int64_t kXlsxMaxRows = 1048575;
  if (output.format == FileFormat::kXlsx && options.rows > kXlsxMaxRows) {
    return Fail(ErrorCode::kInvalidArgument, "gen.format",
                "an XLSX sheet holds at most " + std::to_string(kXlsxMaxRows) + " data rows",
                "XLSX工作表最多容纳" + std::to_string(kXlsxMaxRows) + "行数据");
  }
  Result<RowGenerator> gen = RowGenerator::Create(item, options);
  if (!gen) return std::unexpected(gen.error());

  std::vector<std::string> header;
  std::vector<std::size_t> date_columns;
  for (std::size_t i = 0; i < item.fields.size(); ++i) {
    const FieldSpec& f = item.fields[i];
    header.push_back(output.label_header && !f.label.empty() ? f.label : f.code);
    if (f.type == FieldType::kDate) date_columns.push_back(i);
  }

  GenerateSummary summary;
  summary.file = path;
  summary.sidecar = SidecarPath(path);
  summary.pool_size = gen->pool_size();
  for (GenErrorKind k : gen->kinds()) summary.planted[std::string(GenErrorKindName(k))] = 0;

  OutFile sidecar;
  if (Result<void> r = sidecar.Open(summary.sidecar, false); !r) return std::unexpected(r.error());
  sidecar.buf() += "row_no\tverdict\treasons\tnote\n";
  OutFile data;
  std::vector<std::vector<std::string>> sheet;  // XLSX only
  if (output.format != FileFormat::kXlsx) {
    if (Result<void> r = data.Open(path, gb18030); !r) return std::unexpected(r.error());
    if (output.format == FileFormat::kCsv) AppendCsvRow(data.buf(), header);
  }

  GeneratedRow row;
  while (true) {
    Result<bool> more = gen->Next(&row);
    if (!more) return std::unexpected(more.error());
    if (!*more) break;
    ++summary.rows;
    (row.expected.accepted ? summary.accepted : summary.rejected)++;
    if (row.expected.planted)
      ++summary.planted[std::string(GenErrorKindName(*row.expected.planted))];
    AppendSidecarRow(sidecar.buf(), row);
    if (Result<void> r = sidecar.MaybeFlush(); !r) return std::unexpected(r.error());
    switch (output.format) {
      case FileFormat::kCsv:
        AppendCsvRow(data.buf(), row.cells);
        break;
      case FileFormat::kJsonLines:
        AppendJsonRow(data.buf(), gen->field_codes(), row.cells);
        break;
      case FileFormat::kXlsx:
        sheet.push_back(row.cells);
        continue;
    }
    if (Result<void> r = data.MaybeFlush(); !r) return std::unexpected(r.error());
  }
  if (output.format == FileFormat::kXlsx) {
    XlsxWriteOptions xlsx;
    xlsx.date_columns = date_columns;
    if (Result<void> r = WriteXlsx(path, header, sheet, xlsx); !r)
      return std::unexpected(r.error());
  } else if (Result<void> r = data.Close(); !r) {
    return std::unexpected(r.error());
  }
  if (Result<void> r = sidecar.Close(); !r) return std::unexpected(r.error());
  return summary;
}

}  // namespace xy
