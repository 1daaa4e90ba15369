// What every evaluation run reports besides the results: the grade distribution, the migration
// matrix against the previous run, and the population stability index (PSI) of the score
// distribution. Pure functions over plain values; integer arithmetic except the logarithm in PSI,
// whose result is rounded to 4 decimals so that it prints the same on every machine.
//
// PSI bins are fixed, so two runs are always comparable: 20 bins of 50 points,
//   [0, 49], [50, 99], …, [900, 949], [950, 1000]   (the last one closed, holding 1000).
// PSI = Σ_bins (a − e) × ln(a / e), with e the previous run's share of subjects in the bin and a
// the current run's; a share of 0 is replaced by ε = 0.0001 (no renormalisation) so that an empty
// bin contributes a large but finite term. The usual reading: < 0.1 stable, 0.1–0.25 some shift, >
// 0.25 a significant shift (a rule of thumb from credit-risk practice, not a national rule).
//
// Thread-safety: pure functions.

#ifndef XY_SCORING_RUN_STATS_H_
#define XY_SCORING_RUN_STATS_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/decimal.h"
#include "base/result.h"
#include "scoring/evaluator.h"
#include "scoring/model.h"

namespace xy::scoring {

// One subject's outcome in a run, as stored.
struct RunEntry {
  std::int64_t subject = 0;
  int score = 0;
  std::string grade;
};

std::vector<RunEntry> ToRunEntries(std::span<const EvalResult> results);

struct GradeCount {
  std::string grade;
  std::int64_t count = 0;
  // count / total in percent, rounded half up to 2 decimals, each on its own (the shares may sum to
  // 99.99 or 100.01).
  Decimal percent;
};

struct GradeDistribution {
  std::int64_t total = 0;
  std::vector<GradeCount> grades;  // in band order, best first; grades with 0 subjects included
};

// Errors: kInvalidArgument "stats.grade" when an entry has a grade that is not a band.
Result<GradeDistribution> Distribution(std::span<const RunEntry> run,
                                       std::span<const GradeBand> grades);

struct Migration {
  std::vector<std::string> grades;                // best first; rows and columns
  std::vector<std::vector<std::int64_t>> counts;  // [previous grade][current grade]
  std::vector<std::int64_t> new_subjects;   // by current grade: subjects not in the previous run
  std::vector<std::int64_t> gone_subjects;  // by previous grade: subjects not in the current run
  std::int64_t stayed = 0;
  std::int64_t upgraded = 0;    // moved to a better grade
  std::int64_t downgraded = 0;  // moved to a worse grade
};

// Subjects are matched by id. Errors: kInvalidArgument "stats.grade" (unknown grade),
// "stats.duplicate" (a subject twice in one run).
Result<Migration> MigrationMatrix(std::span<const RunEntry> previous,
                                  std::span<const RunEntry> current,
                                  std::span<const GradeBand> grades);

struct PsiBin {
  int min = 0;  // closed interval
  int max = 0;
  std::int64_t expected = 0;  // previous run
  std::int64_t actual = 0;    // current run
};

struct Psi {
  std::vector<PsiBin> bins;
  Decimal value;  // rounded half up to 4 decimals
};

inline constexpr int kPsiBinWidth = 50;
inline constexpr double kPsiEpsilon = 0.0001;

// Errors: kFailedPrecondition "stats.empty" when either run has no scores; kInvalidArgument
// "stats.score" for a score outside 0–1000.
Result<Psi> PopulationStability(std::span<const int> previous_scores,
                                std::span<const int> current_scores);
Result<Psi> PopulationStability(std::span<const RunEntry> previous,
                                std::span<const RunEntry> current);

}  // namespace xy::scoring

#endif  // XY_SCORING_RUN_STATS_H_
