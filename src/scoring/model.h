// The evaluation model of the public credit comprehensive evaluation (公共信用综合评价): a plain
// value read from configuration (config/models/, TOML, versioned), and the industry overlays for
// the ten key fields of the 淮南 action plan (食品药品, 工程建设, 招标投标, 安全生产, 消防安全,
// 医疗卫生, 生态环保, 价格, 统计, 财政性资金使用).
//
// Structure (docs/domain.md §3, after the Guangzhou 2023 scheme): first-level dimensions, each with
// a weight and a base score on a 0–100 scale; indicators that read catalogue items and add signed
// points to one dimension; grade bands over a 0–1000 score; hard rules that force or cap a grade.
// The exact formulas are in evaluator.h and src/scoring/README.md.
//
// Fixed point everywhere, so that every score can be recomputed by hand and on any machine:
// points are Decimal (6 decimals); fractions — weights, decay factors, reweighting factors, the
// public score's share in an industry score — are integers in units of 1/10000 ("bp"), so a
// configuration may write at most 4 decimals (0.3525).
//
// ParseModel / ParseOverlay read TOML text (no I/O: the caller reads the file) and refuse, with an
// error naming the file, the line and the key path, everything that is not a well-formed model:
// unknown keys, weights that do not sum to 1, overlapping or gapped grade bands, a hard rule naming
// an unknown grade, an indicator that reads no catalogue item, … AttachOverlay checks an overlay
// against its public model. CheckModelAgainstCatalog checks the field and item names against the
// loaded catalogue (the CLI runs it at start-up).
//
// Thread-safety: plain values; share a `const Model&` freely.

#ifndef XY_SCORING_MODEL_H_
#define XY_SCORING_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/decimal.h"
#include "base/result.h"
#include "domain/catalog.h"

namespace xy::scoring {

// Fractions are integers in 1/10000.
inline constexpr int kFractionOne = 10'000;
// The score scale and the dimension scale.
inline constexpr int kMaxScore = 1000;
inline constexpr int kDimensionMax = 100;
// Limits that keep the evaluator's per-subject state on the stack (evaluator.h).
inline constexpr int kMaxIndicators = 256;  // per compiled table: public + one overlay's
inline constexpr int kMaxConditions = 64;   // distinct record conditions over the whole model
inline constexpr int kMaxOverlays = 32;     // industries per model
inline constexpr int kMaxDimensions = 32;

enum class IndicatorKind {
  // Sum over matching records of points(severity) × decay(months since the decision), clamped to
  // ±cap. "How many penalties, how serious, how long ago."
  kPerRecord,
  // `points` once when at least `min_count` records match. "Currently a judgment debtor."
  kPresence,
  // `points` once when no record matches. "No penalty in the last 36 months."
  kAbsence,
  // The points of the highest tier whose `min_years` the subject's age since registration
  // reaches. Reads no records (basic registration facts).
  kRegisteredYears,
};
std::string_view IndicatorKindName(IndicatorKind k);  // "per_record", "presence", …

// A condition on the stored fields of a record. Holds when any of `fields` has a value that
//  - any_of: (split at ; , ； 、 ， for multi-valued enums) has a part equal to one of the values;
//  - contains: contains one of the strings (a heuristic for free text such as 违法行为类型).
// Exactly one of any_of / contains is non-empty.
struct Condition {
  std::vector<std::string> fields;
  std::vector<std::string> any_of;
  std::vector<std::string> contains;

  friend bool operator==(const Condition&, const Condition&) = default;
};

// One step of a time-decay profile: records decided at least `from_months` whole months before
// the as-of date keep `factor` of their points (until the next step).
struct DecayStep {
  int from_months = 0;
  int factor = kFractionOne;  // 1/10000
};

struct YearTier {
  int min_years = 0;
  Decimal points;
};

struct Indicator {
  std::string code;       // penalty_general: [a-z][a-z0-9_]*
  std::string name;       // 一般行政处罚
  std::string dimension;  // the code of the dimension its points go to
  IndicatorKind kind = IndicatorKind::kPerRecord;
  // Filters; a record matches when every one holds.
  std::vector<std::string> items;     // catalogue item codes; empty only for kRegisteredYears
  std::vector<Severity> severities;   // empty = any
  int within_months = 0;              // > 0: decided fewer than this many whole months ago
  std::optional<Decimal> min_amount;  // 万元, inclusive; a record without an amount fails
  std::optional<Decimal> max_amount;  // 万元, inclusive
  std::optional<int> years_back;      // record year ≥ year(as-of) − years_back (e.g. tax year)
  std::vector<Condition> when;        // all must hold
  // Points. kPerRecord: `points_by_severity` (a severity without an entry does not match) or
  // `points` for every severity. kPresence / kAbsence: `points`. kRegisteredYears: `tiers`.
  Decimal points;
  std::map<Severity, Decimal> points_by_severity;
  std::vector<YearTier> tiers;  // ascending min_years
  std::string decay;            // kPerRecord: a profile of Model::decay; empty = no decay
  std::optional<Decimal> cap;   // kPerRecord: the total is clamped to [−cap, cap]
  int min_count = 1;            // kPresence
};

// Which stored field of an item gives the record attributes the filters read. Filled into
// EvalRecord by Evaluator::Annotate.
struct ItemFields {
  std::string amount_field;       // decimal, 万元 (CF_NR_FK)
  std::string year_field;         // integer year (NS_PJND)
  std::string valid_until_field;  // date, inclusive: the record counts up to and on that day
  std::string
      removed_on_field;  // date, exclusive: the record stops counting on that day (移出日期)

  friend bool operator==(const ItemFields&, const ItemFields&) = default;
};

struct Dimension {
  std::string code;  // law
  std::string name;  // 遵纪守法
  int weight = 0;    // 1/10000; the weights of a model sum to kFractionOne
  Decimal base;      // the dimension's score before any indicator, 0–100
};

// A grade and its closed score interval. Bands are listed best first and cover 0–1000 exactly.
struct GradeBand {
  std::string code;        // A
  std::string name;        // 优
  std::string risk_class;  // the 分级分类监管 class this grade maps to (default: the grade code)
  int min = 0;
  int max = 0;
};

enum class HardRuleAction {
  kForce,  // the grade becomes exactly this one (the score is clamped into its band)
  kCap,    // the grade is at most this one (the score is lowered to the band's top)
};

struct HardRule {
  std::string code;       // serious_list
  std::string name;       // 列入严重失信主体名单
  std::string indicator;  // fires when this indicator matched (see evaluator.h)
  HardRuleAction action = HardRuleAction::kCap;
  std::string grade;
};

// Multiplies the points of one indicator of the public model inside an industry's table.
struct IndicatorFactor {
  std::string indicator;
  int factor = kFractionOne;  // 1/10000
};

// An industry overlay: the public model with dimensions and indicators added, indicators reweighted
// and (optionally) new dimension weights; the industry score is the overlaid model's score combined
// with the public score: round(public_weight × public + (1 − public_weight) × overlaid).
struct Overlay {
  std::string industry;  // food_drug: [a-z][a-z0-9_]*; EvalSubject::industries names these
  std::string name;      // 食品药品
  std::string model;     // the public model's code this overlay is written for
  std::string version;
  std::string source;                    // file name, for messages
  int public_weight = kFractionOne / 2;  // 1/10000
  std::vector<Dimension> dimensions;     // added (their weight comes from `weights`)
  std::map<std::string, int> weights;    // every dimension's new weight; empty = unchanged
  std::vector<IndicatorFactor> factors;
  std::vector<Indicator> indicators;  // added
  std::vector<HardRule> hard_rules;   // added (the public model's rules apply too)
  std::map<std::string, ItemFields, std::less<>> items;  // attributes of further items
};

struct Model {
  std::string code;     // public-2024
  std::string version;  // 2024.1
  std::string name;
  std::string source;  // file name, for messages
  std::vector<Dimension> dimensions;
  std::vector<Indicator> indicators;
  std::vector<GradeBand> grades;  // best first
  std::vector<HardRule> hard_rules;
  std::map<std::string, std::vector<DecayStep>, std::less<>> decay;
  std::map<std::string, ItemFields, std::less<>> items;
  std::vector<Overlay> overlays;

  // "public-2024@2024.1" and, per overlay, "+food_drug@2024.1": the version stored with every
  // result.
  std::string FullVersion() const;
  const GradeBand* FindGrade(std::string_view code) const;
};

// Parses a public model. Errors: kInvalidArgument "model.parse" (TOML syntax) or "model.invalid"
// (anything else), the message naming `source_name`, the line and the key path.
Result<Model> ParseModel(std::string_view toml_text, std::string_view source_name);

// Parses an industry overlay file; checked against its model by AttachOverlay.
// Errors: as ParseModel.
Result<Overlay> ParseOverlay(std::string_view toml_text, std::string_view source_name);

// Adds an overlay to the model after checking it against the model: the model code, unique industry
// and codes, references to dimensions, indicators, decay profiles and grades, the new weights.
// Errors: kInvalidArgument "model.invalid" naming the overlay's file. `model` is unchanged on
// error.
Result<void> AttachOverlay(Model& model, Overlay overlay);

// Checks every item and field name of the model (and its overlays) against the catalogue: items
// exist; conditions name fields of the items (any_of values must be enum values where the field is
// an enum); amount fields are decimals, year fields integers, date fields dates.
// Errors: kInvalidArgument "model.catalog".
Result<void> CheckModelAgainstCatalog(const Model& model, const Catalog& catalog);

}  // namespace xy::scoring

#endif  // XY_SCORING_MODEL_H_
