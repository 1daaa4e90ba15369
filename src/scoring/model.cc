#include "scoring/model.h"

#include <algorithm>
#include <functional>
#include <set>
#include <tuple>
#include <utility>

#include "scoring/config_reader.h"

namespace xy::scoring {
namespace {

using internal::ConfigReader;
using internal::FormatFixed;
using internal::Index;
using internal::IsCode;
using internal::KeySet;
using internal::Quoted;
using internal::QuotedZh;
using internal::Sub;

constexpr std::string_view kKindZh = "评价模型配置文件";

// The keys each table may hold (config/models/README.md documents each).
const KeySet kModelKeys = {"code",       "version", "name",       "description", "dimensions",
                           "indicators", "grades",  "hard_rules", "decay",       "items"};
const KeySet kOverlayKeys = {"industry",    "name",          "model",      "version",
                             "description", "public_weight", "dimensions", "weights",
                             "factors",     "indicators",    "hard_rules", "items"};
const KeySet kDimensionKeys = {"code", "name", "weight", "base"};
const KeySet kOverlayDimensionKeys = {"code", "name", "base"};
const KeySet kIndicatorKeys = {
    "code",       "name",          "dimension",          "kind",       "items",
    "severities", "within_months", "min_amount",         "max_amount", "years_back",
    "when",       "points",        "points_by_severity", "tiers",      "decay",
    "cap",        "min_count"};
const KeySet kConditionKeys = {"field", "fields", "any_of", "contains"};
const KeySet kTierKeys = {"min_years", "points"};
const KeySet kGradeKeys = {"code", "name", "min", "max", "risk_class"};
const KeySet kHardRuleKeys = {"code", "name", "indicator", "action", "grade"};
const KeySet kDecayStepKeys = {"from_months", "factor"};
const KeySet kItemFieldKeys = {"amount_field", "year_field", "valid_until_field",
                               "removed_on_field"};
const KeySet kFactorKeys = {"indicator", "factor"};

constexpr std::int64_t kMicro = Decimal::kOne;
constexpr std::int64_t kMaxPoints = std::int64_t{kDimensionMax} * kMicro;
constexpr int kMaxMonths = 1200;

// Reports an error on a key path; ParseModel blames with lines, AttachOverlay without.
using Blame = std::function<std::unexpected<Error>(const std::string& path, const std::string& en,
                                                   const std::string& zh)>;

Result<std::optional<Decimal>> OptPoints(ConfigReader& r, const toml::table& t,
                                         std::string_view key, const std::string& path,
                                         std::int64_t min = -kMaxPoints,
                                         std::int64_t max = kMaxPoints) {
  Result<std::optional<std::int64_t>> v = r.OptFixed(t, key, path, Decimal::kScale, min, max);
  if (!v) return std::unexpected(v.error());
  if (!*v) return std::optional<Decimal>();
  return std::optional<Decimal>(Decimal::FromMicros(**v));
}

// A model code may also hold '-' (public-2024): it names files and versions, never a TOML key.
bool IsModelCode(std::string_view s) {
  return !s.empty() && s.size() <= 64 && s.front() >= 'a' && s.front() <= 'z' &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
         });
}

Result<std::string> ReqModelCode(ConfigReader& r, const toml::table& t, std::string_view key,
                                 const std::string& path) {
  Result<std::string> s = r.ReqString(t, key, path);
  if (!s) return s;
  if (!IsModelCode(*s)) {
    return r.Bad(
        Sub(path, key),
        Quoted(*s) + " must be lower-case letters, digits, _ and -, starting with a letter",
        QuotedZh(*s) + "只能由小写字母、数字、下划线和连字符组成，并以字母开头");
  }
  return s;
}

// A code-valued key: required, and of the code shape.
Result<std::string> ReqCode(ConfigReader& r, const toml::table& t, std::string_view key,
                            const std::string& path) {
  Result<std::string> s = r.ReqString(t, key, path);
  if (!s) return s;
  if (!IsCode(*s)) {
    return r.Bad(Sub(path, key),
                 Quoted(*s) + " must be lower-case letters, digits and _, starting with a letter",
                 QuotedZh(*s) + "只能由小写字母、数字和下划线组成，并以字母开头");
  }
  return s;
}

Result<Condition> ParseCondition(ConfigReader& r, const toml::table& t, const std::string& path) {
  if (Result<void> k = r.CheckKeys(t, path, kConditionKeys); !k) return std::unexpected(k.error());
  Condition c;
  Result<std::optional<std::string>> field = r.OptString(t, "field", path);
  if (!field) return std::unexpected(field.error());
  Result<std::optional<std::vector<std::string>>> fields = r.OptStrings(t, "fields", path);
  if (!fields) return std::unexpected(fields.error());
  if (field->has_value() == fields->has_value()) {
    return r.Bad(path, "give exactly one of field and fields", "field 与 fields 须且只能给出一个");
  }
  if (*field) {
    if ((*field)->empty()) return r.Bad(Sub(path, "field"), "must not be empty", "不能为空");
    c.fields.push_back(**field);
  } else {
    if ((*fields)->empty()) {
      return r.Bad(Sub(path, "fields"), "needs at least one field", "至少需要一个字段");
    }
    c.fields = std::move(**fields);
  }
  Result<std::optional<std::vector<std::string>>> any_of = r.OptStrings(t, "any_of", path);
  if (!any_of) return std::unexpected(any_of.error());
  Result<std::optional<std::vector<std::string>>> contains = r.OptStrings(t, "contains", path);
  if (!contains) return std::unexpected(contains.error());
  if (any_of->has_value() == contains->has_value()) {
    return r.Bad(path, "give exactly one of any_of and contains",
                 "any_of 与 contains 须且只能给出一个");
  }
  if (*any_of) c.any_of = std::move(**any_of);
  if (*contains) c.contains = std::move(**contains);
  if (c.any_of.empty() && c.contains.empty()) {
    return r.Bad(Sub(path, *any_of ? "any_of" : "contains"), "needs at least one value",
                 "至少需要一个取值");
  }
  return c;
}

std::optional<IndicatorKind> ParseKind(std::string_view s) {
  for (IndicatorKind k : {IndicatorKind::kPerRecord, IndicatorKind::kPresence,
                          IndicatorKind::kAbsence, IndicatorKind::kRegisteredYears}) {
    if (IndicatorKindName(k) == s) return k;
  }
  return std::nullopt;
}

// Parses one indicator and checks everything that does not need the rest of the model.
Result<Indicator> ParseIndicator(ConfigReader& r, const toml::table& t, const std::string& path) {
  if (Result<void> k = r.CheckKeys(t, path, kIndicatorKeys); !k) return std::unexpected(k.error());
  Indicator ind;
  Result<std::string> code = ReqCode(r, t, "code", path);
  if (!code) return std::unexpected(code.error());
  ind.code = *code;
  Result<std::string> name = r.ReqString(t, "name", path);
  if (!name) return std::unexpected(name.error());
  ind.name = *name;
  Result<std::string> dim = ReqCode(r, t, "dimension", path);
  if (!dim) return std::unexpected(dim.error());
  ind.dimension = *dim;
  Result<std::string> kind = r.ReqString(t, "kind", path);
  if (!kind) return std::unexpected(kind.error());
  std::optional<IndicatorKind> k = ParseKind(*kind);
  if (!k) {
    return r.Bad(
        Sub(path, "kind"),
        "unknown kind " + Quoted(*kind) + " (per_record, presence, absence, registered_years)",
        "未知的指标类型" + QuotedZh(*kind) +
            "（可用：per_record、presence、absence、registered_years）");
  }
  ind.kind = *k;

  Result<std::optional<std::vector<std::string>>> items = r.OptStrings(t, "items", path);
  if (!items) return std::unexpected(items.error());
  if (*items) ind.items = std::move(**items);
  std::set<std::string> seen_items;
  for (std::size_t i = 0; i < ind.items.size(); ++i) {
    if (!IsCode(ind.items[i])) {
      return r.Bad(Index(Sub(path, "items"), i), Quoted(ind.items[i]) + " is not an item code",
                   QuotedZh(ind.items[i]) + "不是目录项代码");
    }
    if (!seen_items.insert(ind.items[i]).second) {
      return r.Bad(Index(Sub(path, "items"), i), "duplicate item " + Quoted(ind.items[i]),
                   "重复的目录项" + QuotedZh(ind.items[i]));
    }
  }
  const bool registered = ind.kind == IndicatorKind::kRegisteredYears;
  if (registered && !ind.items.empty()) {
    return r.Bad(Sub(path, "items"), "registered_years reads the registration date, not items",
                 "registered_years 类指标读取成立日期，不读取目录项");
  }
  if (!registered && ind.items.empty()) {
    return r.Bad(Sub(path, "items"), "the indicator references no catalogue item",
                 "指标未引用任何目录项");
  }

  Result<std::optional<std::vector<std::string>>> sev = r.OptStrings(t, "severities", path);
  if (!sev) return std::unexpected(sev.error());
  if (*sev) {
    for (std::size_t i = 0; i < (*sev)->size(); ++i) {
      std::optional<Severity> s = ParseSeverity((**sev)[i]);
      if (!s) {
        return r.Bad(Index(Sub(path, "severities"), i),
                     "unknown severity " + Quoted((**sev)[i]) + " (轻微, 一般, 严重)",
                     "未知的严重程度" + QuotedZh((**sev)[i]) + "（可用：轻微、一般、严重）");
      }
      if (std::find(ind.severities.begin(), ind.severities.end(), *s) == ind.severities.end()) {
        ind.severities.push_back(*s);
      }
    }
  }
  Result<std::optional<std::int64_t>> within = r.OptInt(t, "within_months", path, 1, kMaxMonths);
  if (!within) return std::unexpected(within.error());
  ind.within_months = static_cast<int>(within->value_or(0));
  const std::int64_t max_amount = std::int64_t{999'999'999'999} * kMicro;
  Result<std::optional<std::int64_t>> min_a =
      r.OptFixed(t, "min_amount", path, Decimal::kScale, 0, max_amount);
  if (!min_a) return std::unexpected(min_a.error());
  if (*min_a) ind.min_amount = Decimal::FromMicros(**min_a);
  Result<std::optional<std::int64_t>> max_a =
      r.OptFixed(t, "max_amount", path, Decimal::kScale, 0, max_amount);
  if (!max_a) return std::unexpected(max_a.error());
  if (*max_a) ind.max_amount = Decimal::FromMicros(**max_a);
  if (ind.min_amount && ind.max_amount && *ind.min_amount > *ind.max_amount) {
    return r.Bad(Sub(path, "max_amount"), "is below min_amount", "小于 min_amount");
  }
  Result<std::optional<std::int64_t>> years_back = r.OptInt(t, "years_back", path, 0, 100);
  if (!years_back) return std::unexpected(years_back.error());
  if (*years_back) ind.years_back = static_cast<int>(**years_back);

  Result<const toml::array*> when = r.OptTables(t, "when", path);
  if (!when) return std::unexpected(when.error());
  if (*when) {
    for (std::size_t i = 0; i < (*when)->size(); ++i) {
      Result<Condition> c =
          ParseCondition(r, *(*when)->get(i)->as_table(), Index(Sub(path, "when"), i));
      if (!c) return std::unexpected(c.error());
      ind.when.push_back(std::move(*c));
    }
  }
  if (registered && (ind.within_months > 0 || ind.min_amount || ind.max_amount || ind.years_back ||
                     !ind.when.empty() || !ind.severities.empty())) {
    return r.Bad(path, "registered_years takes no record filters",
                 "registered_years 类指标不接受记录过滤条件");
  }

  Result<std::optional<Decimal>> points = OptPoints(r, t, "points", path);
  if (!points) return std::unexpected(points.error());
  Result<const toml::table*> by_sev = r.OptTable(t, "points_by_severity", path);
  if (!by_sev) return std::unexpected(by_sev.error());
  if (*by_sev) {
    std::string bpath = Sub(path, "points_by_severity");
    for (const auto& [key, node] : **by_sev) {
      std::string kpath = Sub(bpath, key.str());
      r.Note(kpath, node);
      std::optional<Severity> s = ParseSeverity(key.str());
      if (!s) {
        return r.Bad(kpath, "unknown severity " + Quoted(key.str()) + " (轻微, 一般, 严重)",
                     "未知的严重程度" + QuotedZh(key.str()) + "（可用：轻微、一般、严重）");
      }
      Result<std::int64_t> v = r.FixedValue(node, kpath, Decimal::kScale, -kMaxPoints, kMaxPoints);
      if (!v) return std::unexpected(v.error());
      ind.points_by_severity[*s] = Decimal::FromMicros(*v);
    }
    if (ind.points_by_severity.empty()) {
      return r.Bad(bpath, "needs at least one severity", "至少需要一个严重程度");
    }
  }
  Result<const toml::array*> tiers = r.OptTables(t, "tiers", path);
  if (!tiers) return std::unexpected(tiers.error());
  if (*tiers) {
    for (std::size_t i = 0; i < (*tiers)->size(); ++i) {
      std::string tpath = Index(Sub(path, "tiers"), i);
      const toml::table& tt = *(*tiers)->get(i)->as_table();
      if (Result<void> kk = r.CheckKeys(tt, tpath, kTierKeys); !kk) {
        return std::unexpected(kk.error());
      }
      Result<std::optional<std::int64_t>> my = r.OptInt(tt, "min_years", tpath, 0, 200);
      if (!my) return std::unexpected(my.error());
      Result<std::optional<Decimal>> tp = OptPoints(r, tt, "points", tpath);
      if (!tp) return std::unexpected(tp.error());
      if (!*my || !*tp) {
        return r.Bad(tpath, "a tier needs min_years and points", "档位须给出 min_years 与 points");
      }
      if (!ind.tiers.empty() && **my <= ind.tiers.back().min_years) {
        return r.Bad(Sub(tpath, "min_years"), "tiers must be in increasing min_years",
                     "档位须按 min_years 递增排列");
      }
      ind.tiers.push_back({static_cast<int>(**my), **tp});
    }
  }
  Result<std::optional<std::string>> decay = r.OptString(t, "decay", path);
  if (!decay) return std::unexpected(decay.error());
  if (*decay) ind.decay = **decay;
  Result<std::optional<Decimal>> cap = OptPoints(r, t, "cap", path, 0, kMaxPoints);
  if (!cap) return std::unexpected(cap.error());
  ind.cap = *cap;
  Result<std::optional<std::int64_t>> min_count = r.OptInt(t, "min_count", path, 1, 1000);
  if (!min_count) return std::unexpected(min_count.error());
  ind.min_count = static_cast<int>(min_count->value_or(1));

  // Which point keys each kind takes.
  auto refuse = [&](bool present, std::string_view key) -> Result<void> {
    if (!present) return {};
    return r.Bad(Sub(path, key),
                 std::string(key) + " does not apply to a " + std::string(*kind) + " indicator",
                 std::string(key) + " 不适用于 " + std::string(*kind) + " 类指标");
  };
  switch (ind.kind) {
    case IndicatorKind::kPerRecord:
      if (points->has_value() == (*by_sev != nullptr)) {
        return r.Bad(path,
                     "a per_record indicator needs exactly one of points and points_by_severity",
                     "per_record 类指标须且只能给出 points 或 points_by_severity 之一");
      }
      if (*by_sev != nullptr && !ind.severities.empty()) {
        return r.Bad(Sub(path, "severities"), "points_by_severity already selects the severities",
                     "points_by_severity 已限定严重程度，不能再写 severities");
      }
      if (Result<void> x = refuse(*tiers != nullptr, "tiers"); !x)
        return std::unexpected(x.error());
      if (Result<void> x = refuse(min_count->has_value(), "min_count"); !x) {
        return std::unexpected(x.error());
      }
      break;
    case IndicatorKind::kPresence:
    case IndicatorKind::kAbsence:
      if (!*points) return r.Bad(Sub(path, "points"), "missing (required)", "缺少必填的配置项");
      if (Result<void> x = refuse(*by_sev != nullptr, "points_by_severity"); !x) {
        return std::unexpected(x.error());
      }
      if (Result<void> x = refuse(*tiers != nullptr, "tiers"); !x)
        return std::unexpected(x.error());
      if (Result<void> x = refuse(decay->has_value(), "decay"); !x)
        return std::unexpected(x.error());
      if (Result<void> x = refuse(cap->has_value(), "cap"); !x) return std::unexpected(x.error());
      if (ind.kind == IndicatorKind::kAbsence) {
        if (Result<void> x = refuse(min_count->has_value(), "min_count"); !x) {
          return std::unexpected(x.error());
        }
      }
      break;
    case IndicatorKind::kRegisteredYears:
      if (ind.tiers.empty())
        return r.Bad(Sub(path, "tiers"), "missing (required)", "缺少必填的配置项");
      for (auto [present, key] :
           {std::pair{points->has_value(), "points"},
            std::pair{*by_sev != nullptr, "points_by_severity"},
            std::pair{decay->has_value(), "decay"}, std::pair{cap->has_value(), "cap"},
            std::pair{min_count->has_value(), "min_count"}}) {
        if (Result<void> x = refuse(present, key); !x) return std::unexpected(x.error());
      }
      break;
  }
  if (*points) ind.points = **points;
  return ind;
}

Result<Dimension> ParseDimension(ConfigReader& r, const toml::table& t, const std::string& path,
                                 bool with_weight) {
  if (Result<void> k = r.CheckKeys(t, path, with_weight ? kDimensionKeys : kOverlayDimensionKeys);
      !k) {
    return std::unexpected(k.error());
  }
  Dimension d;
  Result<std::string> code = ReqCode(r, t, "code", path);
  if (!code) return std::unexpected(code.error());
  d.code = *code;
  Result<std::string> name = r.ReqString(t, "name", path);
  if (!name) return std::unexpected(name.error());
  d.name = *name;
  if (with_weight) {
    Result<std::optional<std::int64_t>> w = r.OptFixed(t, "weight", path, 4, 1, kFractionOne);
    if (!w) return std::unexpected(w.error());
    if (!*w) return r.Bad(Sub(path, "weight"), "missing (required)", "缺少必填的配置项");
    d.weight = static_cast<int>(**w);
  }
  Result<std::optional<Decimal>> base = OptPoints(r, t, "base", path, 0, kMaxPoints);
  if (!base) return std::unexpected(base.error());
  if (!*base) return r.Bad(Sub(path, "base"), "missing (required)", "缺少必填的配置项");
  d.base = **base;
  return d;
}

Result<HardRule> ParseHardRule(ConfigReader& r, const toml::table& t, const std::string& path) {
  if (Result<void> k = r.CheckKeys(t, path, kHardRuleKeys); !k) return std::unexpected(k.error());
  HardRule h;
  Result<std::string> code = ReqCode(r, t, "code", path);
  if (!code) return std::unexpected(code.error());
  h.code = *code;
  Result<std::string> name = r.ReqString(t, "name", path);
  if (!name) return std::unexpected(name.error());
  h.name = *name;
  Result<std::string> ind = ReqCode(r, t, "indicator", path);
  if (!ind) return std::unexpected(ind.error());
  h.indicator = *ind;
  Result<std::string> action = r.ReqString(t, "action", path);
  if (!action) return std::unexpected(action.error());
  if (*action == "force") {
    h.action = HardRuleAction::kForce;
  } else if (*action == "cap") {
    h.action = HardRuleAction::kCap;
  } else {
    return r.Bad(Sub(path, "action"), "unknown action " + Quoted(*action) + " (force, cap)",
                 "未知的动作" + QuotedZh(*action) + "（可用：force、cap）");
  }
  Result<std::string> grade = r.ReqString(t, "grade", path);
  if (!grade) return std::unexpected(grade.error());
  h.grade = *grade;
  return h;
}

Result<std::map<std::string, ItemFields, std::less<>>> ParseItems(ConfigReader& r,
                                                                  const toml::table& root) {
  std::map<std::string, ItemFields, std::less<>> out;
  Result<const toml::table*> items = r.OptTable(root, "items", "");
  if (!items) return std::unexpected(items.error());
  if (*items == nullptr) return out;
  for (const auto& [key, node] : **items) {
    std::string ipath = Sub("items", key.str());
    r.Note(ipath, node);
    if (!IsCode(key.str())) {
      return r.Bad(ipath, Quoted(key.str()) + " is not an item code",
                   QuotedZh(key.str()) + "不是目录项代码");
    }
    const toml::table* t = node.as_table();
    if (t == nullptr) return r.Bad(ipath, "expected a table", "应为表");
    if (Result<void> k = r.CheckKeys(*t, ipath, kItemFieldKeys); !k) {
      return std::unexpected(k.error());
    }
    ItemFields f;
    for (auto [k, dst] :
         {std::pair{"amount_field", &f.amount_field}, std::pair{"year_field", &f.year_field},
          std::pair{"valid_until_field", &f.valid_until_field},
          std::pair{"removed_on_field", &f.removed_on_field}}) {
      Result<std::optional<std::string>> s = r.OptString(*t, k, ipath);
      if (!s) return std::unexpected(s.error());
      if (*s) {
        if ((*s)->empty()) return r.Bad(Sub(ipath, k), "must not be empty", "不能为空");
        *dst = **s;
      }
    }
    if (!f.valid_until_field.empty() && !f.removed_on_field.empty()) {
      return r.Bad(ipath, "give at most one of valid_until_field and removed_on_field",
                   "valid_until_field 与 removed_on_field 至多给出一个");
    }
    out.emplace(std::string(key.str()), std::move(f));
  }
  return out;
}

Result<std::vector<Indicator>> ParseIndicators(ConfigReader& r, const toml::table& root,
                                               bool required) {
  std::vector<Indicator> out;
  Result<const toml::array*> inds = r.OptTables(root, "indicators", "");
  if (!inds) return std::unexpected(inds.error());
  if (*inds == nullptr || (*inds)->empty()) {
    if (required) return r.Bad("indicators", "missing (required)", "缺少必填的配置项");
    return out;
  }
  for (std::size_t i = 0; i < (*inds)->size(); ++i) {
    Result<Indicator> ind = ParseIndicator(r, *(*inds)->get(i)->as_table(), Index("indicators", i));
    if (!ind) return std::unexpected(ind.error());
    out.push_back(std::move(*ind));
  }
  return out;
}

Result<std::vector<HardRule>> ParseHardRules(ConfigReader& r, const toml::table& root) {
  std::vector<HardRule> out;
  Result<const toml::array*> rules = r.OptTables(root, "hard_rules", "");
  if (!rules) return std::unexpected(rules.error());
  if (*rules == nullptr) return out;
  for (std::size_t i = 0; i < (*rules)->size(); ++i) {
    Result<HardRule> h = ParseHardRule(r, *(*rules)->get(i)->as_table(), Index("hard_rules", i));
    if (!h) return std::unexpected(h.error());
    out.push_back(std::move(*h));
  }
  return out;
}

// Checks an indicator's references against the dimensions and decay profiles that exist.
Result<void> CheckIndicatorRefs(
    const Indicator& ind, const std::string& path, const std::set<std::string>& dims,
    const std::map<std::string, std::vector<DecayStep>, std::less<>>& decay, const Blame& bad) {
  if (!dims.contains(ind.dimension)) {
    return bad(Sub(path, "dimension"), "unknown dimension " + Quoted(ind.dimension),
               "未知的维度" + QuotedZh(ind.dimension));
  }
  if (!ind.decay.empty() && !decay.contains(ind.decay)) {
    return bad(Sub(path, "decay"), "unknown decay profile " + Quoted(ind.decay),
               "未知的衰减方案" + QuotedZh(ind.decay));
  }
  return {};
}

Result<void> CheckHardRule(const HardRule& h, const std::string& path,
                           const std::set<std::string>& indicators,
                           const std::vector<GradeBand>& grades, const Blame& bad) {
  if (!indicators.contains(h.indicator)) {
    return bad(Sub(path, "indicator"), "unknown indicator " + Quoted(h.indicator),
               "未知的指标" + QuotedZh(h.indicator));
  }
  bool known = std::any_of(grades.begin(), grades.end(),
                           [&](const GradeBand& g) { return g.code == h.grade; });
  if (!known) {
    std::string list;
    for (const GradeBand& g : grades) list += (list.empty() ? "" : ", ") + g.code;
    return bad(Sub(path, "grade"), "unknown grade " + Quoted(h.grade) + " (grades: " + list + ")",
               "未知的等级" + QuotedZh(h.grade) + "（已定义的等级：" + list + "）");
  }
  return {};
}

Result<void> CheckWeightSum(std::int64_t sum, const std::string& path, const Blame& bad) {
  if (sum == kFractionOne) return {};
  return bad(path, "the dimension weights sum to " + FormatFixed(sum, 4) + ", not 1",
             "各维度权重之和为 " + FormatFixed(sum, 4) + "，应为 1");
}

// The number of distinct record conditions, which the evaluator keeps as bits of one word.
std::size_t CountConditions(const Model& m, const Overlay* extra) {
  std::vector<Condition> seen;
  auto add = [&](const std::vector<Indicator>& inds) {
    for (const Indicator& ind : inds) {
      for (const Condition& c : ind.when) {
        if (std::find(seen.begin(), seen.end(), c) == seen.end()) seen.push_back(c);
      }
    }
  };
  add(m.indicators);
  for (const Overlay& o : m.overlays) add(o.indicators);
  if (extra != nullptr) add(extra->indicators);
  return seen.size();
}

Blame BlameFor(std::string source) {
  return [source = std::move(source)](const std::string& path, const std::string& en,
                                      const std::string& zh) {
    std::string where = path.empty() ? source : source + ": " + path;
    return Fail(ErrorCode::kInvalidArgument, "model.invalid", where + ": " + en,
                std::string(kKindZh) + " " + where + "：" + zh);
  };
}

}  // namespace

std::string_view IndicatorKindName(IndicatorKind k) {
  switch (k) {
    case IndicatorKind::kPerRecord:
      return "per_record";
    case IndicatorKind::kPresence:
      return "presence";
    case IndicatorKind::kAbsence:
      return "absence";
    case IndicatorKind::kRegisteredYears:
      return "registered_years";
  }
  return "per_record";
}

std::string Model::FullVersion() const {
  std::string out = code + "@" + version;
  for (const Overlay& o : overlays) out += "+" + o.industry + "@" + o.version;
  return out;
}

const GradeBand* Model::FindGrade(std::string_view grade) const {
  for (const GradeBand& g : grades) {
    if (g.code == grade) return &g;
  }
  return nullptr;
}

Result<Model> ParseModel(std::string_view toml_text, std::string_view source_name) {
  ConfigReader r(std::string(source_name), "model", std::string(kKindZh));
  Result<toml::table> parsed = r.Parse(toml_text);
  if (!parsed) return std::unexpected(parsed.error());
  const toml::table& root = *parsed;
  if (Result<void> k = r.CheckKeys(root, "", kModelKeys); !k) return std::unexpected(k.error());
  Blame bad = [&r](const std::string& p, const std::string& en, const std::string& zh) {
    return r.Bad(p, en, zh);
  };

  Model m;
  m.source = std::string(source_name);
  Result<std::string> code = ReqModelCode(r, root, "code", "");
  if (!code) return std::unexpected(code.error());
  m.code = *code;
  Result<std::string> version = r.ReqString(root, "version", "");
  if (!version) return std::unexpected(version.error());
  m.version = *version;
  Result<std::string> name = r.ReqString(root, "name", "");
  if (!name) return std::unexpected(name.error());
  m.name = *name;
  if (Result<std::optional<std::string>> d = r.OptString(root, "description", ""); !d) {
    return std::unexpected(d.error());
  }

  // Dimensions.
  Result<const toml::array*> dims = r.OptTables(root, "dimensions", "");
  if (!dims) return std::unexpected(dims.error());
  if (*dims == nullptr || (*dims)->empty()) {
    return r.Bad("dimensions", "missing (required)", "缺少必填的配置项");
  }
  std::set<std::string> dim_codes;
  std::int64_t weight_sum = 0;
  for (std::size_t i = 0; i < (*dims)->size(); ++i) {
    std::string path = Index("dimensions", i);
    Result<Dimension> d = ParseDimension(r, *(*dims)->get(i)->as_table(), path, true);
    if (!d) return std::unexpected(d.error());
    if (!dim_codes.insert(d->code).second) {
      return r.Bad(Sub(path, "code"), "duplicate dimension " + Quoted(d->code),
                   "重复的维度" + QuotedZh(d->code));
    }
    weight_sum += d->weight;
    m.dimensions.push_back(std::move(*d));
  }
  if (m.dimensions.size() > static_cast<std::size_t>(kMaxDimensions)) {
    return r.Bad("dimensions", "at most " + std::to_string(kMaxDimensions) + " dimensions",
                 "维度最多 " + std::to_string(kMaxDimensions) + " 个");
  }
  if (Result<void> w = CheckWeightSum(weight_sum, "dimensions", bad); !w) {
    return std::unexpected(w.error());
  }

  // Decay profiles.
  Result<const toml::table*> decay = r.OptTable(root, "decay", "");
  if (!decay) return std::unexpected(decay.error());
  if (*decay != nullptr) {
    for (const auto& [key, node] : **decay) {
      std::string dpath = Sub("decay", key.str());
      r.Note(dpath, node);
      if (!IsCode(key.str())) {
        return r.Bad(dpath, Quoted(key.str()) + " is not a valid profile name",
                     QuotedZh(key.str()) + "不是有效的衰减方案名称");
      }
      const toml::array* steps = node.as_array();
      if (steps == nullptr || steps->empty()) {
        return r.Bad(dpath, "expected a non-empty array of {from_months, factor} tables",
                     "应为非空的 {from_months, factor} 表数组");
      }
      std::vector<DecayStep> out;
      for (std::size_t i = 0; i < steps->size(); ++i) {
        std::string spath = Index(dpath, i);
        const toml::table* st = steps->get(i)->as_table();
        r.Note(spath, *steps->get(i));
        if (st == nullptr) return r.Bad(spath, "expected a table", "应为表");
        if (Result<void> k = r.CheckKeys(*st, spath, kDecayStepKeys); !k) {
          return std::unexpected(k.error());
        }
        Result<std::optional<std::int64_t>> from =
            r.OptInt(*st, "from_months", spath, 0, kMaxMonths);
        if (!from) return std::unexpected(from.error());
        Result<std::optional<std::int64_t>> factor =
            r.OptFixed(*st, "factor", spath, 4, 0, kFractionOne);
        if (!factor) return std::unexpected(factor.error());
        if (!*from || !*factor) {
          return r.Bad(spath, "a step needs from_months and factor",
                       "每一档须给出 from_months 与 factor");
        }
        if (i == 0 && **from != 0) {
          return r.Bad(Sub(spath, "from_months"), "the first step must start at 0 months",
                       "第一档须从 0 个月开始");
        }
        if (i > 0 && **from <= out.back().from_months) {
          return r.Bad(Sub(spath, "from_months"), "steps must be in increasing from_months",
                       "各档须按 from_months 递增排列");
        }
        out.push_back({static_cast<int>(**from), static_cast<int>(**factor)});
      }
      m.decay.emplace(std::string(key.str()), std::move(out));
    }
  }

  Result<std::map<std::string, ItemFields, std::less<>>> items = ParseItems(r, root);
  if (!items) return std::unexpected(items.error());
  m.items = std::move(*items);

  // Indicators.
  Result<std::vector<Indicator>> inds = ParseIndicators(r, root, true);
  if (!inds) return std::unexpected(inds.error());
  m.indicators = std::move(*inds);
  if (m.indicators.size() > static_cast<std::size_t>(kMaxIndicators)) {
    return r.Bad("indicators", "at most " + std::to_string(kMaxIndicators) + " indicators",
                 "指标最多 " + std::to_string(kMaxIndicators) + " 个");
  }
  std::set<std::string> ind_codes;
  for (std::size_t i = 0; i < m.indicators.size(); ++i) {
    const Indicator& ind = m.indicators[i];
    std::string path = Index("indicators", i);
    if (!ind_codes.insert(ind.code).second) {
      return r.Bad(Sub(path, "code"), "duplicate indicator " + Quoted(ind.code),
                   "重复的指标" + QuotedZh(ind.code));
    }
    if (Result<void> c = CheckIndicatorRefs(ind, path, dim_codes, m.decay, bad); !c) {
      return std::unexpected(c.error());
    }
  }
  if (CountConditions(m, nullptr) > static_cast<std::size_t>(kMaxConditions)) {
    return r.Bad("indicators",
                 "more than " + std::to_string(kMaxConditions) + " distinct `when` conditions",
                 "不同的 when 条件超过 " + std::to_string(kMaxConditions) + " 个");
  }

  // Grade bands: best first, contiguous, covering 0..1000 exactly.
  Result<const toml::array*> grades = r.OptTables(root, "grades", "");
  if (!grades) return std::unexpected(grades.error());
  if (*grades == nullptr || (*grades)->empty()) {
    return r.Bad("grades", "missing (required)", "缺少必填的配置项");
  }
  for (std::size_t i = 0; i < (*grades)->size(); ++i) {
    std::string path = Index("grades", i);
    const toml::table& t = *(*grades)->get(i)->as_table();
    if (Result<void> k = r.CheckKeys(t, path, kGradeKeys); !k) return std::unexpected(k.error());
    GradeBand g;
    Result<std::string> gc = r.ReqString(t, "code", path);
    if (!gc) return std::unexpected(gc.error());
    g.code = *gc;
    if (g.code.size() > 8 || g.code.find_first_of(" \t,") != std::string::npos) {
      return r.Bad(Sub(path, "code"), "a grade code is at most 8 bytes without spaces or commas",
                   "等级代码最多 8 个字节，不能含空格或逗号");
    }
    Result<std::string> gn = r.ReqString(t, "name", path);
    if (!gn) return std::unexpected(gn.error());
    g.name = *gn;
    Result<std::optional<std::string>> rc = r.OptString(t, "risk_class", path);
    if (!rc) return std::unexpected(rc.error());
    g.risk_class = rc->value_or(g.code);
    if (g.risk_class.empty())
      return r.Bad(Sub(path, "risk_class"), "must not be empty", "不能为空");
    Result<std::optional<std::int64_t>> mn = r.OptInt(t, "min", path, 0, kMaxScore);
    if (!mn) return std::unexpected(mn.error());
    Result<std::optional<std::int64_t>> mx = r.OptInt(t, "max", path, 0, kMaxScore);
    if (!mx) return std::unexpected(mx.error());
    if (!*mn || !*mx) return r.Bad(path, "a band needs min and max", "等级区间须给出 min 与 max");
    g.min = static_cast<int>(**mn);
    g.max = static_cast<int>(**mx);
    if (g.min > g.max) return r.Bad(Sub(path, "max"), "is below min", "小于 min");
    if (m.FindGrade(g.code) != nullptr) {
      return r.Bad(Sub(path, "code"), "duplicate grade " + Quoted(g.code),
                   "重复的等级" + QuotedZh(g.code));
    }
    if (i == 0 && g.max != kMaxScore) {
      return r.Bad(Sub(path, "max"),
                   "the first (best) band must end at " + std::to_string(kMaxScore),
                   "第一个（最好的）等级区间须以 " + std::to_string(kMaxScore) + " 为上限");
    }
    if (i > 0) {
      const GradeBand& prev = m.grades.back();
      if (g.max >= prev.min) {
        return r.Bad(
            Sub(path, "max"),
            "band " + g.code + " [" + std::to_string(g.min) + ", " + std::to_string(g.max) +
                "] overlaps band " + prev.code + " [" + std::to_string(prev.min) + ", " +
                std::to_string(prev.max) + "] (bands are listed best first)",
            "等级 " + g.code + " 的区间与等级 " + prev.code + " 重叠（须从最好的等级起依次列出）");
      }
      if (g.max != prev.min - 1) {
        return r.Bad(Sub(path, "max"),
                     "gap between band " + g.code + " (max " + std::to_string(g.max) +
                         ") and band " + prev.code + " (min " + std::to_string(prev.min) + ")",
                     "等级 " + g.code + " 与等级 " + prev.code + " 之间有空档");
      }
    }
    m.grades.push_back(std::move(g));
  }
  if (m.grades.back().min != 0) {
    return r.Bad(Sub(Index("grades", m.grades.size() - 1), "min"),
                 "the last (worst) band must start at 0", "最后一个（最差的）等级区间须从 0 开始");
  }

  // Hard rules.
  Result<std::vector<HardRule>> rules = ParseHardRules(r, root);
  if (!rules) return std::unexpected(rules.error());
  m.hard_rules = std::move(*rules);
  std::set<std::string> rule_codes;
  for (std::size_t i = 0; i < m.hard_rules.size(); ++i) {
    std::string path = Index("hard_rules", i);
    if (!rule_codes.insert(m.hard_rules[i].code).second) {
      return r.Bad(Sub(path, "code"), "duplicate hard rule " + Quoted(m.hard_rules[i].code),
                   "重复的硬性规则" + QuotedZh(m.hard_rules[i].code));
    }
    if (Result<void> c = CheckHardRule(m.hard_rules[i], path, ind_codes, m.grades, bad); !c) {
      return std::unexpected(c.error());
    }
  }
  return m;
}

Result<Overlay> ParseOverlay(std::string_view toml_text, std::string_view source_name) {
  ConfigReader r(std::string(source_name), "model", std::string(kKindZh));
  Result<toml::table> parsed = r.Parse(toml_text);
  if (!parsed) return std::unexpected(parsed.error());
  const toml::table& root = *parsed;
  if (Result<void> k = r.CheckKeys(root, "", kOverlayKeys); !k) return std::unexpected(k.error());

  Overlay o;
  o.source = std::string(source_name);
  Result<std::string> industry = ReqCode(r, root, "industry", "");
  if (!industry) return std::unexpected(industry.error());
  o.industry = *industry;
  Result<std::string> name = r.ReqString(root, "name", "");
  if (!name) return std::unexpected(name.error());
  o.name = *name;
  Result<std::string> model = ReqModelCode(r, root, "model", "");
  if (!model) return std::unexpected(model.error());
  o.model = *model;
  Result<std::string> version = r.ReqString(root, "version", "");
  if (!version) return std::unexpected(version.error());
  o.version = *version;
  if (Result<std::optional<std::string>> d = r.OptString(root, "description", ""); !d) {
    return std::unexpected(d.error());
  }
  Result<std::optional<std::int64_t>> pw =
      r.OptFixed(root, "public_weight", "", 4, 0, kFractionOne);
  if (!pw) return std::unexpected(pw.error());
  if (!*pw) return r.Bad("public_weight", "missing (required)", "缺少必填的配置项");
  o.public_weight = static_cast<int>(**pw);

  Result<const toml::array*> dims = r.OptTables(root, "dimensions", "");
  if (!dims) return std::unexpected(dims.error());
  if (*dims != nullptr) {
    for (std::size_t i = 0; i < (*dims)->size(); ++i) {
      std::string path = Index("dimensions", i);
      Result<Dimension> d = ParseDimension(r, *(*dims)->get(i)->as_table(), path, false);
      if (!d) return std::unexpected(d.error());
      for (const Dimension& other : o.dimensions) {
        if (other.code == d->code) {
          return r.Bad(Sub(path, "code"), "duplicate dimension " + Quoted(d->code),
                       "重复的维度" + QuotedZh(d->code));
        }
      }
      o.dimensions.push_back(std::move(*d));
    }
  }
  Result<const toml::table*> weights = r.OptTable(root, "weights", "");
  if (!weights) return std::unexpected(weights.error());
  if (*weights != nullptr) {
    std::int64_t sum = 0;
    for (const auto& [key, node] : **weights) {
      std::string wpath = Sub("weights", key.str());
      Result<std::int64_t> w = r.FixedValue(node, wpath, 4, 0, kFractionOne);
      if (!w) return std::unexpected(w.error());
      sum += *w;
      o.weights.emplace(std::string(key.str()), static_cast<int>(*w));
    }
    Blame bad = [&r](const std::string& p, const std::string& en, const std::string& zh) {
      return r.Bad(p, en, zh);
    };
    if (Result<void> s = CheckWeightSum(sum, "weights", bad); !s) return std::unexpected(s.error());
  } else if (!o.dimensions.empty()) {
    return r.Bad("weights", "an overlay that adds dimensions must give every dimension's weight",
                 "增加维度的叠加模型须在 weights 中给出全部维度的权重");
  }
  Result<const toml::array*> factors = r.OptTables(root, "factors", "");
  if (!factors) return std::unexpected(factors.error());
  if (*factors != nullptr) {
    for (std::size_t i = 0; i < (*factors)->size(); ++i) {
      std::string path = Index("factors", i);
      const toml::table& t = *(*factors)->get(i)->as_table();
      if (Result<void> k = r.CheckKeys(t, path, kFactorKeys); !k) return std::unexpected(k.error());
      IndicatorFactor f;
      Result<std::string> ind = ReqCode(r, t, "indicator", path);
      if (!ind) return std::unexpected(ind.error());
      f.indicator = *ind;
      Result<std::optional<std::int64_t>> v =
          r.OptFixed(t, "factor", path, 4, 0, 10 * kFractionOne);
      if (!v) return std::unexpected(v.error());
      if (!*v) return r.Bad(Sub(path, "factor"), "missing (required)", "缺少必填的配置项");
      f.factor = static_cast<int>(**v);
      o.factors.push_back(std::move(f));
    }
  }
  Result<std::vector<Indicator>> inds = ParseIndicators(r, root, false);
  if (!inds) return std::unexpected(inds.error());
  o.indicators = std::move(*inds);
  Result<std::vector<HardRule>> rules = ParseHardRules(r, root);
  if (!rules) return std::unexpected(rules.error());
  o.hard_rules = std::move(*rules);
  Result<std::map<std::string, ItemFields, std::less<>>> items = ParseItems(r, root);
  if (!items) return std::unexpected(items.error());
  o.items = std::move(*items);
  return o;
}

Result<void> AttachOverlay(Model& model, Overlay overlay) {
  Blame bad = BlameFor(overlay.source);
  if (overlay.model != model.code) {
    return bad(
        "model",
        "the overlay is written for model " + Quoted(overlay.model) + ", not " + Quoted(model.code),
        "该叠加模型适用于模型" + QuotedZh(overlay.model) + "，而非" + QuotedZh(model.code));
  }
  if (model.overlays.size() >= static_cast<std::size_t>(kMaxOverlays)) {
    return bad("", "at most " + std::to_string(kMaxOverlays) + " overlays per model",
               "每个模型最多 " + std::to_string(kMaxOverlays) + " 个叠加模型");
  }
  for (const Overlay& o : model.overlays) {
    if (o.industry == overlay.industry) {
      return bad(
          "industry",
          "industry " + Quoted(overlay.industry) + " already has an overlay (" + o.source + ")",
          "行业" + QuotedZh(overlay.industry) + "已有叠加模型（" + o.source + "）");
    }
  }
  std::set<std::string> dims;
  for (const Dimension& d : model.dimensions) dims.insert(d.code);
  for (std::size_t i = 0; i < overlay.dimensions.size(); ++i) {
    if (!dims.insert(overlay.dimensions[i].code).second) {
      return bad(Sub(Index("dimensions", i), "code"),
                 "dimension " + Quoted(overlay.dimensions[i].code) + " already exists",
                 "维度" + QuotedZh(overlay.dimensions[i].code) + "已存在");
    }
  }
  if (!overlay.weights.empty()) {
    for (const auto& [code, w] : overlay.weights) {
      if (!dims.contains(code)) {
        return bad(Sub("weights", code), "unknown dimension " + Quoted(code),
                   "未知的维度" + QuotedZh(code));
      }
    }
    for (const std::string& code : dims) {
      if (!overlay.weights.contains(code)) {
        return bad("weights",
                   "no weight for dimension " + Quoted(code) +
                       " (give every dimension's weight, 0 to drop one)",
                   "缺少维度" + QuotedZh(code) + "的权重（须给出全部维度的权重，可为 0）");
      }
    }
  }
  std::set<std::string> inds;
  for (const Indicator& ind : model.indicators) inds.insert(ind.code);
  std::set<std::string> factored;
  for (std::size_t i = 0; i < overlay.factors.size(); ++i) {
    const IndicatorFactor& f = overlay.factors[i];
    std::string path = Sub(Index("factors", i), "indicator");
    if (!inds.contains(f.indicator)) {
      return bad(path, "unknown indicator " + Quoted(f.indicator) + " of model " + model.code,
                 "模型 " + model.code + " 中没有指标" + QuotedZh(f.indicator));
    }
    if (!factored.insert(f.indicator).second) {
      return bad(path, "indicator " + Quoted(f.indicator) + " is reweighted twice",
                 "指标" + QuotedZh(f.indicator) + "被重复调整权重");
    }
  }
  for (std::size_t i = 0; i < overlay.indicators.size(); ++i) {
    const Indicator& ind = overlay.indicators[i];
    std::string path = Index("indicators", i);
    if (!inds.insert(ind.code).second) {
      return bad(Sub(path, "code"), "indicator " + Quoted(ind.code) + " already exists",
                 "指标" + QuotedZh(ind.code) + "已存在");
    }
    if (Result<void> c = CheckIndicatorRefs(ind, path, dims, model.decay, bad); !c) return c;
  }
  if (model.indicators.size() + overlay.indicators.size() >
      static_cast<std::size_t>(kMaxIndicators)) {
    return bad("indicators",
               "the model and the overlay together have more than " +
                   std::to_string(kMaxIndicators) + " indicators",
               "模型与叠加模型的指标合计超过 " + std::to_string(kMaxIndicators) + " 个");
  }
  std::set<std::string> rules;
  for (const HardRule& h : model.hard_rules) rules.insert(h.code);
  for (std::size_t i = 0; i < overlay.hard_rules.size(); ++i) {
    std::string path = Index("hard_rules", i);
    if (!rules.insert(overlay.hard_rules[i].code).second) {
      return bad(Sub(path, "code"),
                 "hard rule " + Quoted(overlay.hard_rules[i].code) + " already exists",
                 "硬性规则" + QuotedZh(overlay.hard_rules[i].code) + "已存在");
    }
    if (Result<void> c = CheckHardRule(overlay.hard_rules[i], path, inds, model.grades, bad); !c) {
      return c;
    }
  }
  for (const auto& [item, fields] : overlay.items) {
    auto it = model.items.find(item);
    bool clash = it != model.items.end() && !(it->second == fields);
    for (const Overlay& o : model.overlays) {
      auto jt = o.items.find(item);
      clash = clash || (jt != o.items.end() && !(jt->second == fields));
    }
    if (clash) {
      return bad(
          Sub("items", item),
          "item " + Quoted(item) + " is already given other fields by the model or an overlay",
          "目录项" + QuotedZh(item) + "的属性字段与模型或其他叠加模型的设定不一致");
    }
  }
  if (CountConditions(model, &overlay) > static_cast<std::size_t>(kMaxConditions)) {
    return bad("indicators",
               "the model and its overlays have more than " + std::to_string(kMaxConditions) +
                   " distinct `when` conditions",
               "模型与叠加模型的不同 when 条件合计超过 " + std::to_string(kMaxConditions) + " 个");
  }
  model.overlays.push_back(std::move(overlay));
  return {};
}

Result<void> CheckModelAgainstCatalog(const Model& model, const Catalog& catalog) {
  auto fail = [](const std::string& where, const std::string& en, const std::string& zh) {
    return Fail(ErrorCode::kInvalidArgument, "model.catalog", where + ": " + en,
                std::string(kKindZh) + " " + where + "：" + zh);
  };
  auto check_items = [&](const std::map<std::string, ItemFields, std::less<>>& items,
                         const std::string& source) -> Result<void> {
    for (const auto& [code, f] : items) {
      std::string where = source + ": items." + code;
      const CatalogItem* item = catalog.Find(code);
      if (item == nullptr) {
        return fail(where, "item " + Quoted(code) + " is not in the catalogue",
                    "目录中没有目录项" + QuotedZh(code));
      }
      for (auto [field, type, key] :
           {std::tuple{&f.amount_field, FieldType::kDecimal, "amount_field"},
            std::tuple{&f.year_field, FieldType::kInteger, "year_field"},
            std::tuple{&f.valid_until_field, FieldType::kDate, "valid_until_field"},
            std::tuple{&f.removed_on_field, FieldType::kDate, "removed_on_field"}}) {
        if (field->empty()) continue;
        const FieldSpec* spec = item->Field(*field);
        if (spec == nullptr) {
          return fail(where + "." + key, *field + " is not a field of " + code,
                      *field + " 不是目录项 " + code + " 的字段");
        }
        if (spec->type != type) {
          return fail(where + "." + key,
                      *field + " is a " + std::string(FieldTypeName(spec->type)) + " field, not " +
                          std::string(FieldTypeName(type)),
                      *field + " 的类型为 " + std::string(FieldTypeName(spec->type)) + "，应为 " +
                          std::string(FieldTypeName(type)));
        }
      }
    }
    return {};
  };
  auto check_indicators = [&](const std::vector<Indicator>& inds,
                              const std::string& source) -> Result<void> {
    for (const Indicator& ind : inds) {
      std::string where = source + ": indicators[" + ind.code + "]";
      for (const std::string& code : ind.items) {
        if (catalog.Find(code) == nullptr) {
          return fail(where + ".items", "item " + Quoted(code) + " is not in the catalogue",
                      "目录中没有目录项" + QuotedZh(code));
        }
      }
      for (std::size_t c = 0; c < ind.when.size(); ++c) {
        const Condition& cond = ind.when[c];
        for (const std::string& field : cond.fields) {
          std::string fwhere = where + ".when[" + std::to_string(c) + "]";
          bool found = false;
          for (const std::string& code : ind.items) {
            const FieldSpec* spec = catalog.Find(code)->Field(field);
            if (spec == nullptr) continue;
            found = true;
            if (spec->type != FieldType::kEnum) continue;
            for (const std::string& v : cond.any_of) {
              if (std::find(spec->enum_values.begin(), spec->enum_values.end(), v) ==
                  spec->enum_values.end()) {
                return fail(
                    fwhere + ".any_of",
                    Quoted(v) + " is not a value of " + field + " (" + spec->label + ") in " + code,
                    QuotedZh(v) + "不是目录项 " + code + " 字段 " + field + "（" + spec->label +
                        "）的取值");
              }
            }
          }
          if (!found) {
            return fail(fwhere + ".fields", field + " is not a field of any item of the indicator",
                        field + " 不是该指标所读目录项的字段");
          }
        }
      }
    }
    return {};
  };
  if (Result<void> r = check_items(model.items, model.source); !r) return r;
  if (Result<void> r = check_indicators(model.indicators, model.source); !r) return r;
  for (const Overlay& o : model.overlays) {
    if (Result<void> r = check_items(o.items, o.source); !r) return r;
    if (Result<void> r = check_indicators(o.indicators, o.source); !r) return r;
  }
  return {};
}

}  // namespace xy::scoring
