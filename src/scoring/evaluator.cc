#include "scoring/evaluator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <thread>
#include <utility>

namespace xy::scoring {

namespace {

constexpr std::int64_t kMicro = Decimal::kOne;
constexpr std::int64_t kDimMaxMicro = std::int64_t{kDimensionMax} * kMicro;
// T = Σ weight(1/10000) × s(10^-6 point); score = 10 × T / (10^4 × 10^6).
constexpr std::int64_t kScoreDivisor = 1'000'000'000;

// a / b rounded half away from zero. REQUIRES: b > 0.
std::int64_t RoundDiv(std::int64_t a, std::int64_t b) {
  return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b);
}

// Scales by a fraction in 1/10000, rounding half away from zero.
std::int64_t ApplyFraction(std::int64_t v, int fraction) {
  return RoundDiv(v * fraction, kFractionOne);
}

Date AddMonthsClamped(Date date, int months) {
  auto ym = std::chrono::year_month(date.year(), date.month()) + std::chrono::months(months);
  auto last = std::chrono::year_month_day_last(ym.year(), std::chrono::month_day_last(ym.month()));
  return Date(ym.year(), ym.month(), std::min(date.day(), last.day()));
}

bool Counts(const EvalRecord& r, Date d) {
  if (!r.published) return false;
  if (r.decided_on && *r.decided_on > d) return false;
  if (r.publicity_from && d < *r.publicity_from) return false;
  if (r.publicity_until && d >= *r.publicity_until) return false;
  if (r.ends_on && d >= *r.ends_on) return false;
  if (r.status != RecordStatus::kActive && (!r.status_on || d >= *r.status_on)) return false;
  return true;
}

// Splits at the separators of multi-valued enums (as the validator does) and trims ASCII spaces.
template <typename F>
bool AnyPart(std::string_view v, F&& f) {
  static constexpr std::array<std::string_view, 5> kSeps = {";", ",", "；", "、", "，"};
  while (true) {
    std::size_t cut = std::string_view::npos;
    std::size_t len = 0;
    for (std::string_view s : kSeps) {
      std::size_t p = v.find(s);
      if (p < cut) {
        cut = p;
        len = s.size();
      }
    }
    std::string_view part = v.substr(0, cut);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty() && f(part)) return true;
    if (cut == std::string_view::npos) return false;
    v.remove_prefix(cut + len);
  }
}

bool ConditionHolds(const Condition& c, FieldLookup field) {
  for (const std::string& f : c.fields) {
    std::string_view v = field(f);
    if (v.empty()) continue;
    if (!c.any_of.empty()) {
      bool hit = AnyPart(v, [&](std::string_view part) {
        return std::find(c.any_of.begin(), c.any_of.end(), part) != c.any_of.end();
      });
      if (hit) return true;
    } else {
      for (const std::string& s : c.contains) {
        if (v.find(s) != std::string_view::npos) return true;
      }
    }
  }
  return false;
}

struct CIndicator {
  IndicatorKind kind = IndicatorKind::kPerRecord;
  int dim = 0;
  std::uint8_t severity_mask = 0;        // bit = static_cast<int>(Severity)
  std::array<std::int64_t, 3> points{};  // 10^-6 point, by severity
  int within_months = 0;
  bool has_min_amount = false;
  bool has_max_amount = false;
  std::int64_t min_amount = 0;  // micros of 万元
  std::int64_t max_amount = 0;
  int years_back = -1;
  std::uint64_t required_tags = 0;
  int decay = -1;         // index into Compiled::decay
  std::int64_t cap = -1;  // 10^-6 point; -1 = none
  int min_count = 1;
  int factor = kFractionOne;
  std::vector<std::pair<int, std::int64_t>> tiers;  // (min_years, points)
  std::string code;
};

struct CHardRule {
  int indicator = 0;
  HardRuleAction action = HardRuleAction::kCap;
  int grade = 0;  // index into grades, 0 = best
  std::string code;
};

struct CTable {
  std::string industry;  // empty for the public table
  int public_weight = 0;
  std::vector<std::string> dim_codes;
  std::vector<int> dim_weights;
  std::vector<std::int64_t> dim_base;
  std::vector<CIndicator> indicators;
  std::vector<std::uint32_t> item_offsets;  // item k's indicators: [offsets[k], offsets[k+1])
  std::vector<std::uint16_t> item_indicators;
  std::vector<CHardRule> rules;
};

}  // namespace

struct Evaluator::Compiled {
  std::string version;
  std::vector<GradeBand> grades;
  std::vector<std::string> dim_codes;  // the public model's
  std::vector<std::string> items;
  std::map<std::string, std::uint16_t, std::less<>> item_index;
  std::vector<ItemFields> item_fields;
  std::vector<Condition> conditions;              // bit k = conditions[k]
  std::vector<std::vector<int>> item_conditions;  // per item: the bits Annotate computes
  std::vector<std::vector<DecayStep>> decay;
  CTable table;                  // public
  std::vector<CTable> overlays;  // bit i of EvalSubject::industries = overlays[i]
};

namespace {

using Compiled = Evaluator::Compiled;

std::unexpected<Error> Invalid(const std::string& en, const std::string& zh) {
  return Fail(ErrorCode::kInvalidArgument, "model.invalid", en, "评价模型：" + zh);
}

std::uint16_t InternItem(Compiled& c, const std::string& code) {
  auto it = c.item_index.find(code);
  if (it != c.item_index.end()) return it->second;
  auto idx = static_cast<std::uint16_t>(c.items.size());
  c.items.push_back(code);
  c.item_index.emplace(code, idx);
  c.item_fields.emplace_back();
  c.item_conditions.emplace_back();
  return idx;
}

int InternCondition(Compiled& c, const Condition& cond) {
  for (std::size_t k = 0; k < c.conditions.size(); ++k) {
    if (c.conditions[k] == cond) return static_cast<int>(k);
  }
  c.conditions.push_back(cond);
  return static_cast<int>(c.conditions.size() - 1);
}

Result<CIndicator> CompileIndicator(Compiled& c, const Indicator& ind,
                                    const std::vector<std::string>& dims,
                                    const std::map<std::string, int>& decay_index) {
  CIndicator ci;
  ci.kind = ind.kind;
  ci.code = ind.code;
  auto d = std::find(dims.begin(), dims.end(), ind.dimension);
  if (d == dims.end()) {
    return Invalid("indicator " + ind.code + ": unknown dimension " + ind.dimension,
                   "指标 " + ind.code + " 的维度 " + ind.dimension + " 不存在");
  }
  ci.dim = static_cast<int>(d - dims.begin());
  if (ind.kind != IndicatorKind::kRegisteredYears && ind.items.empty()) {
    return Invalid("indicator " + ind.code + " references no catalogue item",
                   "指标 " + ind.code + " 未引用任何目录项");
  }
  if (ind.kind == IndicatorKind::kPerRecord && !ind.points_by_severity.empty()) {
    for (const auto& [sev, pts] : ind.points_by_severity) {
      ci.severity_mask |= static_cast<std::uint8_t>(1u << static_cast<int>(sev));
      ci.points[static_cast<int>(sev)] = pts.micros();
    }
  } else {
    if (ind.severities.empty()) {
      ci.severity_mask = 0b111;
    } else {
      for (Severity s : ind.severities) {
        ci.severity_mask |= static_cast<std::uint8_t>(1u << static_cast<int>(s));
      }
    }
    ci.points.fill(ind.points.micros());
  }
  ci.within_months = ind.within_months;
  if (ind.min_amount) {
    ci.has_min_amount = true;
    ci.min_amount = ind.min_amount->micros();
  }
  if (ind.max_amount) {
    ci.has_max_amount = true;
    ci.max_amount = ind.max_amount->micros();
  }
  ci.years_back = ind.years_back.value_or(-1);
  for (const Condition& cond : ind.when) {
    int bit = InternCondition(c, cond);
    if (bit >= kMaxConditions) {
      return Invalid("more than " + std::to_string(kMaxConditions) + " distinct conditions",
                     "不同的 when 条件超过 " + std::to_string(kMaxConditions) + " 个");
    }
    ci.required_tags |= std::uint64_t{1} << bit;
    for (const std::string& item : ind.items) {
      std::vector<int>& bits = c.item_conditions[InternItem(c, item)];
      if (std::find(bits.begin(), bits.end(), bit) == bits.end()) bits.push_back(bit);
    }
  }
  for (const std::string& item : ind.items) InternItem(c, item);
  if (!ind.decay.empty()) {
    auto it = decay_index.find(ind.decay);
    if (it == decay_index.end()) {
      return Invalid("indicator " + ind.code + ": unknown decay profile " + ind.decay,
                     "指标 " + ind.code + " 的衰减方案 " + ind.decay + " 不存在");
    }
    ci.decay = it->second;
  }
  ci.cap = ind.cap ? ind.cap->micros() : -1;
  ci.min_count = std::max(1, ind.min_count);
  for (const YearTier& t : ind.tiers) ci.tiers.emplace_back(t.min_years, t.points.micros());
  return ci;
}

// Builds one table: the public indicators (with factors), then the overlay's.
Result<CTable> CompileTable(Compiled& c, const Model& m, const Overlay* o,
                            const std::map<std::string, int>& decay_index) {
  CTable t;
  for (const Dimension& d : m.dimensions) {
    t.dim_codes.push_back(d.code);
    t.dim_weights.push_back(d.weight);
    t.dim_base.push_back(d.base.micros());
  }
  std::vector<const Indicator*> inds;
  for (const Indicator& ind : m.indicators) inds.push_back(&ind);
  std::vector<const HardRule*> rules;
  for (const HardRule& h : m.hard_rules) rules.push_back(&h);
  if (o != nullptr) {
    t.industry = o->industry;
    t.public_weight = o->public_weight;
    for (const Dimension& d : o->dimensions) {
      t.dim_codes.push_back(d.code);
      t.dim_weights.push_back(0);
      t.dim_base.push_back(d.base.micros());
    }
    if (!o->weights.empty()) {
      for (std::size_t k = 0; k < t.dim_codes.size(); ++k) {
        auto w = o->weights.find(t.dim_codes[k]);
        if (w == o->weights.end()) {
          return Invalid("overlay " + o->industry + ": no weight for dimension " + t.dim_codes[k],
                         "叠加模型 " + o->industry + " 缺少维度 " + t.dim_codes[k] + " 的权重");
        }
        t.dim_weights[k] = w->second;
      }
    }
    for (const Indicator& ind : o->indicators) inds.push_back(&ind);
    for (const HardRule& h : o->hard_rules) rules.push_back(&h);
  }
  int weight_sum = 0;
  for (int w : t.dim_weights) weight_sum += w;
  if (weight_sum != kFractionOne) {
    return Invalid("dimension weights do not sum to 1", "各维度权重之和不为 1");
  }
  if (inds.size() > static_cast<std::size_t>(kMaxIndicators)) {
    return Invalid("more than " + std::to_string(kMaxIndicators) + " indicators",
                   "指标超过 " + std::to_string(kMaxIndicators) + " 个");
  }
  for (const Indicator* ind : inds) {
    Result<CIndicator> ci = CompileIndicator(c, *ind, t.dim_codes, decay_index);
    if (!ci) return std::unexpected(ci.error());
    t.indicators.push_back(std::move(*ci));
  }
  if (o != nullptr) {
    for (const IndicatorFactor& f : o->factors) {
      auto it = std::find_if(t.indicators.begin(), t.indicators.end(),
                             [&](const CIndicator& ci) { return ci.code == f.indicator; });
      if (it == t.indicators.end()) {
        return Invalid("overlay " + o->industry + ": unknown indicator " + f.indicator,
                       "叠加模型 " + o->industry + " 引用的指标 " + f.indicator + " 不存在");
      }
      it->factor = f.factor;
    }
  }
  for (const HardRule* h : rules) {
    CHardRule ch;
    ch.code = h->code;
    ch.action = h->action;
    auto it = std::find_if(t.indicators.begin(), t.indicators.end(),
                           [&](const CIndicator& ci) { return ci.code == h->indicator; });
    if (it == t.indicators.end()) {
      return Invalid("hard rule " + h->code + ": unknown indicator " + h->indicator,
                     "硬性规则 " + h->code + " 引用的指标 " + h->indicator + " 不存在");
    }
    ch.indicator = static_cast<int>(it - t.indicators.begin());
    auto g = std::find_if(m.grades.begin(), m.grades.end(),
                          [&](const GradeBand& b) { return b.code == h->grade; });
    if (g == m.grades.end()) {
      return Invalid("hard rule " + h->code + ": unknown grade " + h->grade,
                     "硬性规则 " + h->code + " 引用的等级 " + h->grade + " 不存在");
    }
    ch.grade = static_cast<int>(g - m.grades.begin());
    t.rules.push_back(std::move(ch));
  }
  return t;
}

// Fills the item → indicators index once every table knows its indicators (items are interned
// across all tables, so this runs last).
void IndexTable(const Compiled& c, const Model& m, const Overlay* o, CTable& t) {
  std::vector<std::vector<std::uint16_t>> by_item(c.items.size());
  std::vector<const Indicator*> inds;
  for (const Indicator& ind : m.indicators) inds.push_back(&ind);
  if (o != nullptr) {
    for (const Indicator& ind : o->indicators) inds.push_back(&ind);
  }
  for (std::size_t i = 0; i < inds.size(); ++i) {
    for (const std::string& item : inds[i]->items) {
      by_item[c.item_index.at(item)].push_back(static_cast<std::uint16_t>(i));
    }
  }
  t.item_offsets.assign(1, 0);
  for (const auto& list : by_item) {
    t.item_indicators.insert(t.item_indicators.end(), list.begin(), list.end());
    t.item_offsets.push_back(static_cast<std::uint32_t>(t.item_indicators.size()));
  }
}

bool Matches(const CIndicator& ci, const EvalRecord& r, int months, int year) {
  if ((ci.severity_mask & (1u << static_cast<int>(r.severity))) == 0) return false;
  if (ci.within_months > 0 && months >= ci.within_months) return false;
  if (ci.has_min_amount && (!r.amount || r.amount->micros() < ci.min_amount)) return false;
  if (ci.has_max_amount && (!r.amount || r.amount->micros() > ci.max_amount)) return false;
  if (ci.years_back >= 0 && (r.year == 0 || r.year < year - ci.years_back)) return false;
  return (r.tags & ci.required_tags) == ci.required_tags;
}

std::int64_t RecordPoints(const Compiled& c, const CIndicator& ci, const EvalRecord& r,
                          int months) {
  std::int64_t p = ci.points[static_cast<int>(r.severity)];
  if (ci.decay < 0) return p;
  int factor = kFractionOne;
  for (const DecayStep& s : c.decay[static_cast<std::size_t>(ci.decay)]) {
    if (s.from_months > months) break;
    factor = s.factor;
  }
  return ApplyFraction(p, factor);
}

// The per-subject state of one table: on the stack, no allocation.
struct Accumulator {
  std::array<std::int64_t, kMaxIndicators> sum;
  std::array<std::int32_t, kMaxIndicators> count;
  std::array<std::int64_t, kMaxIndicators> total;
  std::array<std::int16_t, kMaxIndicators> reason;  // index into the reasons, -1 = none
  std::array<bool, kMaxIndicators> fired;
};

// What evaluating one table gives before hard rules.
struct TableOutcome {
  std::int64_t t = 0;  // Σ weight × s_d
  std::array<std::int64_t, kMaxDimensions> dims{};
};

int ScoreOf(std::int64_t t) { return static_cast<int>((t + kScoreDivisor / 2) / kScoreDivisor); }

int BandIndex(const std::vector<GradeBand>& grades, int score) {
  for (std::size_t g = 0; g < grades.size(); ++g) {
    if (score >= grades[g].min) return static_cast<int>(g);
  }
  return static_cast<int>(grades.size()) - 1;
}

// Per record, computed once per subject and shared by every table and both passes: whole months
// since the decision, or -1 when the record does not count (or its item is not read).
constexpr int kNotCounting = -1;

// Evaluates the indicators of `t`, appending reasons to `reasons` and leaving per-indicator state
// in `acc` (for the hard rules).
TableOutcome RunTable(const Compiled& c, const CTable& t, const EvalSubject& subject,
                      std::span<const EvalRecord> records, std::span<const int> months, Date as_of,
                      Accumulator& acc, std::vector<Reason>& reasons) {
  const std::size_t n = t.indicators.size();
  std::fill_n(acc.sum.begin(), n, 0);
  std::fill_n(acc.count.begin(), n, 0);
  const int year = static_cast<int>(as_of.year());

  // 1. One pass over the records: counts and per-record points.
  for (std::size_t k = 0; k < records.size(); ++k) {
    if (months[k] == kNotCounting) continue;
    const EvalRecord& r = records[k];
    for (std::uint32_t j = t.item_offsets[r.item]; j < t.item_offsets[r.item + 1]; ++j) {
      const std::uint16_t i = t.item_indicators[j];
      const CIndicator& ci = t.indicators[i];
      if (!Matches(ci, r, months[k], year)) continue;
      ++acc.count[i];
      if (ci.kind == IndicatorKind::kPerRecord) acc.sum[i] += RecordPoints(c, ci, r, months[k]);
    }
  }

  // 2. Indicator totals and dimensions.
  TableOutcome out;
  const std::size_t n_dims = t.dim_codes.size();
  for (std::size_t d = 0; d < n_dims; ++d) out.dims[d] = t.dim_base[d];
  std::size_t n_fired = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const CIndicator& ci = t.indicators[i];
    std::int64_t total = 0;
    bool fired = false;
    switch (ci.kind) {
      case IndicatorKind::kPerRecord:
        if (acc.count[i] > 0) {
          fired = true;
          total = acc.sum[i];
          if (ci.cap >= 0) total = std::clamp(total, -ci.cap, ci.cap);
        }
        break;
      case IndicatorKind::kPresence:
        if (acc.count[i] >= ci.min_count) {
          fired = true;
          total = ci.points[0];
        }
        break;
      case IndicatorKind::kAbsence:
        if (acc.count[i] == 0) total = ci.points[0];
        break;
      case IndicatorKind::kRegisteredYears:
        if (subject.registered_on && *subject.registered_on <= as_of) {
          const int years = MonthsBetween(*subject.registered_on, as_of) / 12;
          for (const auto& [min_years, pts] : ci.tiers) {
            if (min_years <= years) total = pts;
          }
        }
        break;
    }
    if (ci.factor != kFractionOne) total = ApplyFraction(total, ci.factor);
    acc.total[i] = total;
    acc.fired[i] = fired || total != 0;
    n_fired += acc.fired[i] ? 1 : 0;
    out.dims[static_cast<std::size_t>(ci.dim)] += total;
  }
  for (std::size_t d = 0; d < n_dims; ++d) {
    out.dims[d] = std::clamp<std::int64_t>(out.dims[d], 0, kDimMaxMicro);
    out.t += t.dim_weights[d] * out.dims[d];
  }

  // 3. Reasons, reserved at once (the hard rules may add one each).
  reasons.reserve(reasons.size() + n_fired + t.rules.size());
  bool want_ids = false;
  for (std::size_t i = 0; i < n; ++i) {
    acc.reason[i] = -1;
    if (!acc.fired[i]) continue;
    const CIndicator& ci = t.indicators[i];
    const auto dim = static_cast<std::size_t>(ci.dim);
    acc.reason[i] = static_cast<std::int16_t>(reasons.size());
    Reason& reason = reasons.emplace_back();
    reason.indicator = ci.code;
    reason.dimension = t.dim_codes[dim];
    reason.points = Decimal::FromMicros(acc.total[i]);
    reason.score_effect =
        Decimal::FromMicros(RoundDiv(acc.total[i] * t.dim_weights[dim] * 10, kFractionOne));
    if ((ci.kind == IndicatorKind::kPerRecord || ci.kind == IndicatorKind::kPresence) &&
        acc.count[i] > 0) {
      reason.record_ids.reserve(static_cast<std::size_t>(acc.count[i]));
      want_ids = true;
    }
  }

  // 4. The ids behind the reasons of record-based indicators.
  if (want_ids) {
    for (std::size_t k = 0; k < records.size(); ++k) {
      if (months[k] == kNotCounting) continue;
      const EvalRecord& r = records[k];
      for (std::uint32_t j = t.item_offsets[r.item]; j < t.item_offsets[r.item + 1]; ++j) {
        const std::uint16_t i = t.item_indicators[j];
        const CIndicator& ci = t.indicators[i];
        if (acc.reason[i] < 0 || ci.kind == IndicatorKind::kAbsence) continue;
        if (!Matches(ci, r, months[k], year)) continue;
        reasons[static_cast<std::size_t>(acc.reason[i])].record_ids.push_back(r.id);
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (acc.reason[i] < 0) continue;
      std::vector<std::int64_t>& ids = reasons[static_cast<std::size_t>(acc.reason[i])].record_ids;
      if (ids.size() > 1) std::sort(ids.begin(), ids.end());
    }
  }
  return out;
}

// Applies the fired hard rules of `t` to `score`, appending one reason per fired rule.
int ApplyHardRules(const Compiled& c, const CTable& t, const Accumulator& acc, int score,
                   std::vector<Reason>& reasons) {
  auto fired = [&](const CHardRule& h) { return acc.fired[static_cast<std::size_t>(h.indicator)]; };
  auto add_reason = [&](const CHardRule& h, int effect) {
    const auto i = static_cast<std::size_t>(h.indicator);
    Reason& r = reasons.emplace_back();
    r.rule = h.code;
    r.indicator = t.indicators[i].code;
    r.score_effect = Decimal::FromMicros(std::int64_t{effect} * kMicro);
    if (acc.reason[i] >= 0)
      r.record_ids = reasons[static_cast<std::size_t>(acc.reason[i])].record_ids;
  };
  const CHardRule* force = nullptr;
  for (const CHardRule& h : t.rules) {
    if (h.action == HardRuleAction::kForce && fired(h) &&
        (force == nullptr || h.grade > force->grade)) {
      force = &h;
    }
  }
  for (const CHardRule& h : t.rules) {
    if (h.action != HardRuleAction::kForce || !fired(h)) continue;
    int effect = 0;
    if (&h == force) {
      const GradeBand& band = c.grades[static_cast<std::size_t>(h.grade)];
      int next = std::clamp(score, band.min, band.max);
      effect = next - score;
      score = next;
    }
    add_reason(h, effect);
  }
  for (const CHardRule& h : t.rules) {
    if (h.action != HardRuleAction::kCap || !fired(h)) continue;
    int next = std::min(score, c.grades[static_cast<std::size_t>(h.grade)].max);
    add_reason(h, next - score);
    score = next;
  }
  return score;
}

Result<void> FieldError(const EvalRecord& r, std::string_view item, std::string_view field,
                        std::string_view value, std::string_view what_en,
                        std::string_view what_zh) {
  std::string rec = std::to_string(r.id);
  return Fail(ErrorCode::kInvalidArgument, "eval.field",
              "record " + rec + " (" + std::string(item) + "): field " + std::string(field) +
                  " holds \"" + std::string(value) + "\", not " + std::string(what_en),
              "记录 " + rec + "（" + std::string(item) + "）的字段 " + std::string(field) +
                  " 的值“" + std::string(value) + "”不是" + std::string(what_zh));
}

}  // namespace

std::string_view RecordStatusName(RecordStatus s) {
  switch (s) {
    case RecordStatus::kActive:
      return "active";
    case RecordStatus::kRepaired:
      return "repaired";
    case RecordStatus::kWithdrawn:
      return "withdrawn";
  }
  return "active";
}

int MonthsBetween(Date from, Date to) {
  if (to < from) return 0;
  int m = (static_cast<int>(to.year()) - static_cast<int>(from.year())) * 12 +
          (static_cast<int>(static_cast<unsigned>(to.month())) -
           static_cast<int>(static_cast<unsigned>(from.month())));
  if (AddMonthsClamped(from, m) > to) --m;
  return m;
}

Result<Evaluator> Evaluator::Compile(const Model& model) {
  auto c = std::make_shared<Compiled>();
  c->version = model.FullVersion();
  c->grades = model.grades;
  if (c->grades.empty()) return Invalid("the model has no grade bands", "模型没有等级区间");
  for (const Dimension& d : model.dimensions) c->dim_codes.push_back(d.code);
  if (model.dimensions.size() > static_cast<std::size_t>(kMaxDimensions)) {
    return Invalid("too many dimensions", "维度过多");
  }
  std::map<std::string, int> decay_index;
  for (const auto& [name, steps] : model.decay) {
    decay_index.emplace(name, static_cast<int>(c->decay.size()));
    c->decay.push_back(steps);
  }
  for (const auto& [item, fields] : model.items) {
    std::uint16_t idx = InternItem(*c, item);
    c->item_fields[idx] = fields;
  }
  for (const Overlay& o : model.overlays) {
    for (const auto& [item, fields] : o.items) {
      std::uint16_t idx = InternItem(*c, item);
      c->item_fields[idx] = fields;
    }
  }
  Result<CTable> pub = CompileTable(*c, model, nullptr, decay_index);
  if (!pub) return std::unexpected(pub.error());
  c->table = std::move(*pub);
  if (model.overlays.size() > static_cast<std::size_t>(kMaxOverlays)) {
    return Invalid("too many overlays", "叠加模型过多");
  }
  for (const Overlay& o : model.overlays) {
    if (model.dimensions.size() + o.dimensions.size() > static_cast<std::size_t>(kMaxDimensions)) {
      return Invalid("overlay " + o.industry + ": too many dimensions",
                     "叠加模型 " + o.industry + " 的维度过多");
    }
    Result<CTable> t = CompileTable(*c, model, &o, decay_index);
    if (!t) return std::unexpected(t.error());
    c->overlays.push_back(std::move(*t));
  }
  if (c->items.size() >= kUnusedItem) return Invalid("too many items", "目录项过多");
  IndexTable(*c, model, nullptr, c->table);
  for (std::size_t i = 0; i < model.overlays.size(); ++i) {
    IndexTable(*c, model, &model.overlays[i], c->overlays[i]);
  }
  return Evaluator(std::move(c));
}

const std::string& Evaluator::version() const { return c_->version; }
const std::vector<GradeBand>& Evaluator::grades() const { return c_->grades; }
const std::vector<std::string>& Evaluator::dimension_codes() const { return c_->dim_codes; }
const std::vector<std::string>& Evaluator::items() const { return c_->items; }

const GradeBand& Evaluator::BandOf(int score) const {
  return c_
      ->grades[static_cast<std::size_t>(BandIndex(c_->grades, std::clamp(score, 0, kMaxScore)))];
}

std::uint16_t Evaluator::ItemIndex(std::string_view item_code) const {
  auto it = c_->item_index.find(item_code);
  return it == c_->item_index.end() ? kUnusedItem : it->second;
}

std::vector<std::string> Evaluator::FieldsRead(std::string_view item_code) const {
  std::vector<std::string> out;
  std::uint16_t idx = ItemIndex(item_code);
  if (idx == kUnusedItem) return out;
  auto add = [&](const std::string& f) {
    if (!f.empty() && std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  };
  const ItemFields& f = c_->item_fields[idx];
  add(f.amount_field);
  add(f.year_field);
  add(f.valid_until_field);
  add(f.removed_on_field);
  for (int bit : c_->item_conditions[idx]) {
    for (const std::string& field : c_->conditions[static_cast<std::size_t>(bit)].fields)
      add(field);
  }
  return out;
}

std::uint32_t Evaluator::IndustryMask(std::span<const std::string> industry_codes) const {
  std::uint32_t mask = 0;
  for (const std::string& code : industry_codes) {
    for (std::size_t i = 0; i < c_->overlays.size(); ++i) {
      if (c_->overlays[i].industry == code) mask |= std::uint32_t{1} << i;
    }
  }
  return mask;
}

Result<void> Evaluator::Annotate(std::string_view item_code, FieldLookup field,
                                 EvalRecord& record) const {
  record.item = ItemIndex(item_code);
  record.tags = 0;
  if (record.item == kUnusedItem) return {};
  const ItemFields& f = c_->item_fields[record.item];
  if (!f.amount_field.empty()) {
    std::string_view v = field(f.amount_field);
    if (!v.empty()) {
      Result<Decimal> d = Decimal::Parse(v);
      if (!d) return FieldError(record, item_code, f.amount_field, v, "a decimal", "小数");
      record.amount = *d;
    }
  }
  if (!f.year_field.empty()) {
    std::string_view v = field(f.year_field);
    if (!v.empty()) {
      int y = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), y);
      if (ec != std::errc() || end != v.data() + v.size() || y < 1 || y > 9999) {
        return FieldError(record, item_code, f.year_field, v, "a year", "年份");
      }
      record.year = y;
    }
  }
  for (const auto& [name, inclusive] :
       {std::pair{&f.valid_until_field, true}, std::pair{&f.removed_on_field, false}}) {
    if (name->empty()) continue;
    std::string_view v = field(*name);
    if (v.empty()) continue;
    Result<Date> d = ParseIsoDate(v);
    if (!d)
      return FieldError(record, item_code, *name, v, "a YYYY-MM-DD date", "YYYY-MM-DD 格式的日期");
    record.ends_on = inclusive ? FromDayNumber(ToDayNumber(*d) + 1) : *d;
  }
  for (int bit : c_->item_conditions[record.item]) {
    if (ConditionHolds(c_->conditions[static_cast<std::size_t>(bit)], field)) {
      record.tags |= std::uint64_t{1} << bit;
    }
  }
  return {};
}

EvalResult Evaluator::Evaluate(const EvalSubject& subject, std::span<const EvalRecord> records,
                               Date as_of) const {
  const Compiled& c = *c_;
  EvalResult result;
  result.subject = subject.id;
  result.model = c_;

  // Which records count, and their age: once for every table and pass. A subject's records fit the
  // stack buffer but for rare outliers.
  constexpr std::size_t kStackRecords = 256;
  std::array<int, kStackRecords> stack_months;
  std::vector<int> heap_months;
  std::span<int> months;
  if (records.size() <= kStackRecords) {
    months = std::span<int>(stack_months.data(), records.size());
  } else {
    heap_months.resize(records.size());
    months = heap_months;
  }
  const std::size_t n_items = c.items.size();
  for (std::size_t k = 0; k < records.size(); ++k) {
    const EvalRecord& r = records[k];
    if (r.item >= n_items || !Counts(r, as_of)) {
      months[k] = kNotCounting;
    } else {
      months[k] = r.decided_on ? MonthsBetween(*r.decided_on, as_of) : 0;
    }
  }

  Accumulator acc;
  TableOutcome pub = RunTable(c, c.table, subject, records, months, as_of, acc, result.reasons);
  result.dimensions.reserve(c.table.dim_codes.size());
  for (std::size_t d = 0; d < c.table.dim_codes.size(); ++d) {
    result.dimensions.push_back(Decimal::FromMicros(pub.dims[d]));
  }
  result.score = ApplyHardRules(c, c.table, acc, ScoreOf(pub.t), result.reasons);
  result.grade = c.grades[static_cast<std::size_t>(BandIndex(c.grades, result.score))].code;

  if (subject.industries != 0) {
    for (std::size_t i = 0; i < c.overlays.size(); ++i) {
      if ((subject.industries & (std::uint32_t{1} << i)) == 0) continue;
      const CTable& t = c.overlays[i];
      IndustryResult& ir = result.industries.emplace_back();
      ir.industry = t.industry;
      TableOutcome o = RunTable(c, t, subject, records, months, as_of, acc, ir.reasons);
      ir.overlay_score = ScoreOf(o.t);
      // pw (1/10000) × T + (1 − pw) × T_i, then the score's divisor times 10^4.
      const std::int64_t combined = std::int64_t{t.public_weight} * pub.t +
                                    std::int64_t{kFractionOne - t.public_weight} * o.t;
      const std::int64_t divisor = kScoreDivisor * kFractionOne;
      const int score = static_cast<int>((combined + divisor / 2) / divisor);
      ir.score = ApplyHardRules(c, t, acc, score, ir.reasons);
      ir.grade = c.grades[static_cast<std::size_t>(BandIndex(c.grades, ir.score))].code;
    }
  }
  return result;
}

Result<std::vector<EvalResult>> Evaluator::EvaluateBatch(std::span<const EvalSubject> subjects,
                                                         std::span<const EvalRecord> records,
                                                         Date as_of, BatchOptions options) const {
  for (std::size_t i = 1; i < subjects.size(); ++i) {
    if (subjects[i].id <= subjects[i - 1].id) {
      return Fail(ErrorCode::kInvalidArgument, "eval.batch",
                  "subjects must be in strictly ascending id; " + std::to_string(subjects[i].id) +
                      " follows " + std::to_string(subjects[i - 1].id),
                  "主体须按编号严格递增排列");
    }
  }
  for (std::size_t i = 1; i < records.size(); ++i) {
    if (records[i].subject < records[i - 1].subject) {
      return Fail(ErrorCode::kInvalidArgument, "eval.batch",
                  "records must be in ascending subject; record " + std::to_string(records[i].id) +
                      " (subject " + std::to_string(records[i].subject) + ") follows subject " +
                      std::to_string(records[i - 1].subject),
                  "记录须按主体编号递增排列");
    }
  }
  std::vector<EvalResult> out(subjects.size());
  auto run = [&](std::size_t begin, std::size_t end) {
    if (begin >= end) return;
    // Merge join: both sides ascending.
    auto rec =
        std::lower_bound(records.begin(), records.end(), subjects[begin].id,
                         [](const EvalRecord& r, std::int64_t id) { return r.subject < id; });
    for (std::size_t s = begin; s < end; ++s) {
      const std::int64_t id = subjects[s].id;
      while (rec != records.end() && rec->subject < id) ++rec;
      auto first = rec;
      while (rec != records.end() && rec->subject == id) ++rec;
      out[s] = Evaluate(subjects[s], std::span<const EvalRecord>(first, rec), as_of);
    }
  };
  const std::size_t threads =
      std::clamp<std::size_t>(static_cast<std::size_t>(std::max(1, options.threads)), 1,
                              std::max<std::size_t>(1, subjects.size()));
  if (threads == 1) {
    run(0, subjects.size());
    return out;
  }
  std::vector<std::jthread> workers;
  const std::size_t chunk = (subjects.size() + threads - 1) / threads;
  for (std::size_t t = 0; t < threads; ++t) {
    std::size_t begin = t * chunk;
    std::size_t end = std::min(subjects.size(), begin + chunk);
    workers.emplace_back([&run, begin, end] { run(begin, end); });
  }
  workers.clear();  // joins
  return out;
}

}  // namespace xy::scoring
