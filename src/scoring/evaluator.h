// The evaluator: (model, subjects, records, as-of date) → score, grade and reasons for every
// subject.
//
// Pure and deterministic: no clock, no I/O, no randomness, integer arithmetic only. Built once from
// a Model, which it compiles into flat tables (catalogue item codes → small integers, indicators
// grouped by item, conditions → bits), so that evaluating a subject touches each of its records
// once per table with no heap allocation per record. Subjects are independent; EvaluateBatch splits
// them over threads.
//
// ---- Which records count on the as-of date D (all must hold)
// ----------------------------------------
//   published (轻微 penalties that are not published do not count either);
//   decided_on ≤ D (a record decided later did not exist yet);
//   publicity_from ≤ D < publicity_until (half-open: publication stops on publicity_until);
//   D < ends_on (the item's removal date, or the day after its "valid until" date);
//   status active, or repaired / withdrawn only from status_on on (so past scores can be
//   recomputed).
// A missing date imposes no limit.
//
// ---- Per table (the public model, or the public model with one industry overlay)
// -----------------------
//   months(r)  = whole months from r.decided_on to D: the largest m with AddMonths(decided_on, m) ≤
//   D,
//                where AddMonths clamps the day to the month's end (as the publicity windows do);
//                0 when the record has no decision date.
//   matches(i, r): r's item is one of i.items, its severity one of i.severities (any if none),
//   months <
//                within_months (if set), min_amount ≤ amount ≤ max_amount (if set; no amount
//                fails), year ≥ year(D) − years_back (if set; no year fails), and every `when`
//                condition holds.
//   per_record: total_i = clamp(Σ over matching r of round(points(sev_r) × decay(months_r)), −cap,
//   cap)
//                where decay is the factor of the last profile step with from_months ≤ months_r and
//                the product is rounded half away from zero to 10^-6 point.
//   presence:   total_i = points if #matching ≥ min_count, else 0.
//   absence:    total_i = points if #matching = 0, else 0.
//   registered_years: total_i = points of the highest tier with min_years ≤ whole years since
//                registered_on (0 when no tier is reached or the date is unknown).
//   overlay factor f: total_i = round(total_i × f) (half away from zero, 10^-6 point).
//   dimension d:  s_d = clamp(base_d + Σ_{i in d} total_i, 0, 100).
//   raw score:    T = Σ_d weight_d × s_d   (weights sum to 1).
//   score:        round_half_up(10 × T), an integer 0–1000.
// An indicator "fires" when it has a nonzero total, or (per_record, presence) when a record matched
// (presence: at least min_count).
//
// ---- Industry results
// ---------------------------------------------------------------------------- For each industry of
// the subject that has an overlay: the overlaid table gives T_i; the industry score is
// round_half_up(10 × (pw × T_public + (1 − pw) × T_i)) with pw the overlay's public_weight.
//
// ---- Hard rules (after the score)
// -------------------------------------------------------------------- Of the fired rules, the
// "force" rule with the worst grade (the first listed on a tie) clamps the score into its grade's
// band; then each fired "cap" rule, in order, lowers the score to its grade's band maximum. The
// grade is the band the final score falls in. A public result applies the public model's rules; an
// industry result applies those and the overlay's.
//
// Reasons: one per fired indicator in model order (per_record and presence list their records even
// with 0 points; absence and registered_years appear when their points are nonzero), then one per
// fired hard rule. src/scoring/README.md works an example through by hand.
//
// Thread-safety: an Evaluator is immutable after Compile; all its const methods may run
// concurrently. Copies share the compiled tables.

#ifndef XY_SCORING_EVALUATOR_H_
#define XY_SCORING_EVALUATOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/date.h"
#include "base/decimal.h"
#include "base/result.h"
#include "domain/catalog.h"
#include "scoring/model.h"

namespace xy::scoring {

// A record's state on its own timeline. Repairs and withdrawals are never erasures: the record
// stays, and counts only before `EvalRecord::status_on`.
enum class RecordStatus : std::uint8_t { kActive, kRepaired, kWithdrawn };
std::string_view RecordStatusName(RecordStatus s);  // "active", "repaired", "withdrawn"

// EvalRecord::item of a record whose item the model does not read: skipped at once.
inline constexpr std::uint16_t kUnusedItem = 0xFFFF;

// One record as the evaluator sees it. The store fills the first block from its columns; Annotate
// fills the second from the record's fields, as the model's `[items]` and `when` conditions say.
struct EvalRecord {
  std::int64_t id = 0;
  std::int64_t subject = 0;          // used by EvaluateBatch to group records
  std::uint16_t item = kUnusedItem;  // Evaluator::ItemIndex(item code)
  Severity severity = Severity::kGeneral;
  RecordStatus status = RecordStatus::kActive;
  bool published = true;
  std::optional<Date> decided_on;
  std::optional<Date> publicity_from;
  std::optional<Date> publicity_until;  // exclusive
  std::optional<Date> status_on;        // when the repair / withdrawal took effect; empty = always
  // Filled by Annotate.
  std::optional<Date> ends_on;    // exclusive
  std::optional<Decimal> amount;  // 万元
  int year = 0;                   // 0 = none
  std::uint64_t tags = 0;         // bit k: the model's condition k holds
};

struct EvalSubject {
  std::int64_t id = 0;
  SubjectKind kind = SubjectKind::kOrganization;
  int region_code = 0;
  std::optional<Date> registered_on;  // 成立日期
  std::uint32_t industries = 0;       // Evaluator::IndustryMask of the key fields it belongs to
};

// The code fields of Reason and IndustryResult are views into the compiled model, which every
// EvalResult keeps alive (EvalResult::model): they stay valid as long as the result they came from,
// or the Evaluator, lives. Copy them into strings to keep them longer. (Views instead of strings
// spare the evaluator an allocation per reason.)
struct Reason {
  std::string_view
      indicator;  // the indicator's code (for a hard rule: the indicator that fired it)
  std::string_view dimension;  // its dimension's code; empty for a hard rule
  Decimal points;  // the indicator's total on the dimension's 0–100 scale; 0 for a hard rule
  // points × weight × 10: the change on the 0–1000 scale before the dimension clamp and rounding.
  // For a hard rule: how much the rule moved the score.
  Decimal score_effect;
  std::vector<std::int64_t> record_ids;  // ascending
  std::string_view rule;                 // the hard rule's code; empty for an indicator
};

struct IndustryResult {
  std::string_view industry;  // the overlay's industry code
  int score = 0;              // public and overlaid scores combined, after hard rules
  std::string grade;
  int overlay_score = 0;        // the overlaid table's own score, before combining and hard rules
  std::vector<Reason> reasons;  // of the overlaid table (public indicators included)
};

struct EvalResult {
  std::int64_t subject = 0;
  int score = 0;  // 0–1000
  std::string grade;
  std::vector<Decimal> dimensions;  // s_d, in the model's dimension order
  std::vector<Reason> reasons;
  std::vector<IndustryResult> industries;  // in overlay order
  // Keeps the compiled model — which the reasons' code views point into — alive.
  std::shared_ptr<const void> model;
};

// A borrowed callable `std::string_view(std::string_view field_code)`: a stored record's field
// value
// ("" when absent). Cheap to copy; must not outlive the callable.
class FieldLookup {
 public:
  template <typename F>
  requires std::is_invocable_r_v<std::string_view, const F&, std::string_view> &&
      (!std::is_same_v<std::remove_cvref_t<F>, FieldLookup>)
          FieldLookup(const F& f)  // NOLINT(google-explicit-constructor): used like a function_ref
      : object_(&f), call_([](const void* o, std::string_view k) -> std::string_view {
          return (*static_cast<const F*>(o))(k);
        }) {}
  std::string_view operator()(std::string_view field) const { return call_(object_, field); }

 private:
  const void* object_;
  std::string_view (*call_)(const void*, std::string_view);
};

struct BatchOptions {
  int threads = 1;  // subjects are split into this many contiguous chunks
};

class Evaluator {
 public:
  // Compiles the model (with its overlays). Errors: kInvalidArgument "model.invalid" when a
  // hand-built model breaks what ParseModel guarantees (unknown references, limits of model.h).
  static Result<Evaluator> Compile(const Model& model);

  // Model::FullVersion(): store it with every result.
  const std::string& version() const;
  const std::vector<GradeBand>& grades() const;
  const std::vector<std::string>& dimension_codes() const;
  // The band `score` falls in (scores outside 0–1000 are clamped first).
  const GradeBand& BandOf(int score) const;

  // The index of a catalogue item the model reads, else kUnusedItem.
  std::uint16_t ItemIndex(std::string_view item_code) const;
  // The item codes the model reads; the store need load only these.
  const std::vector<std::string>& items() const;
  // The stored fields of `item_code` that Annotate reads (attributes and conditions).
  std::vector<std::string> FieldsRead(std::string_view item_code) const;
  // Bit i = the model's overlay i; codes without an overlay are ignored.
  std::uint32_t IndustryMask(std::span<const std::string> industry_codes) const;

  // Sets `record.item` from the item code and fills ends_on, amount, year and tags from the stored
  // fields. Errors: kInvalidArgument "eval.field" when an attribute field holds an unparsable value
  // (a decimal, year or date; the message names the record, item and field).
  Result<void> Annotate(std::string_view item_code, FieldLookup field, EvalRecord& record) const;

  // One subject. `records` are its records in any order (their `subject` is not looked at).
  EvalResult Evaluate(const EvalSubject& subject, std::span<const EvalRecord> records,
                      Date as_of) const;

  // Every subject, one result each in the same order. REQUIRES (else kInvalidArgument
  // "eval.batch"): subjects in strictly ascending id, records in ascending `subject`. Records whose
  // subject is not among `subjects` are ignored.
  Result<std::vector<EvalResult>> EvaluateBatch(std::span<const EvalSubject> subjects,
                                                std::span<const EvalRecord> records, Date as_of,
                                                BatchOptions options = {}) const;

  struct Compiled;  // evaluator.cc

 private:
  explicit Evaluator(std::shared_ptr<const Compiled> c) : c_(std::move(c)) {}
  std::shared_ptr<const Compiled> c_;
};

// Whole months from `from` to `to` as defined above (0 when `to` < `from`). Exposed for tests and
// for the README's worked example.
int MonthsBetween(Date from, Date to);

}  // namespace xy::scoring

#endif  // XY_SCORING_EVALUATOR_H_
