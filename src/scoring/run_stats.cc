#include "scoring/run_stats.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace xy::scoring {
namespace {

Result<int> GradeIndex(std::span<const GradeBand> grades, const RunEntry& e) {
  for (std::size_t g = 0; g < grades.size(); ++g) {
    if (grades[g].code == e.grade) return static_cast<int>(g);
  }
  return Fail(ErrorCode::kInvalidArgument, "stats.grade",
              "subject " + std::to_string(e.subject) + " has grade \"" + e.grade +
                  "\", which is not a grade of the model",
              "主体 " + std::to_string(e.subject) + " 的等级“" + e.grade + "”不是模型中的等级");
}

// (subject, grade index), sorted by subject; duplicates refused.
Result<std::vector<std::pair<std::int64_t, int>>> Indexed(std::span<const RunEntry> run,
                                                          std::span<const GradeBand> grades,
                                                          std::string_view which) {
  std::vector<std::pair<std::int64_t, int>> out;
  out.reserve(run.size());
  for (const RunEntry& e : run) {
    Result<int> g = GradeIndex(grades, e);
    if (!g) return std::unexpected(g.error());
    out.emplace_back(e.subject, *g);
  }
  std::sort(out.begin(), out.end());
  for (std::size_t i = 1; i < out.size(); ++i) {
    if (out[i].first == out[i - 1].first) {
      return Fail(ErrorCode::kInvalidArgument, "stats.duplicate",
                  "subject " + std::to_string(out[i].first) + " appears twice in the " +
                      std::string(which) + " run",
                  "主体 " + std::to_string(out[i].first) + " 在同一次评价中出现两次");
    }
  }
  return out;
}

int BinOf(int score) { return std::min(score / kPsiBinWidth, kMaxScore / kPsiBinWidth - 1); }

}  // namespace

std::vector<RunEntry> ToRunEntries(std::span<const EvalResult> results) {
  std::vector<RunEntry> out;
  out.reserve(results.size());
  for (const EvalResult& r : results) out.push_back({r.subject, r.score, r.grade});
  return out;
}

Result<GradeDistribution> Distribution(std::span<const RunEntry> run,
                                       std::span<const GradeBand> grades) {
  GradeDistribution d;
  for (const GradeBand& g : grades) d.grades.push_back({g.code, 0, Decimal()});
  for (const RunEntry& e : run) {
    Result<int> g = GradeIndex(grades, e);
    if (!g) return std::unexpected(g.error());
    ++d.grades[static_cast<std::size_t>(*g)].count;
  }
  d.total = static_cast<std::int64_t>(run.size());
  for (GradeCount& c : d.grades) {
    if (d.total == 0) continue;
    // Hundredths of a percent, rounded half up, in integers.
    std::int64_t hundredths = (c.count * 10'000 * 2 + d.total) / (2 * d.total);
    c.percent = Decimal::FromMicros(hundredths * 10'000);
  }
  return d;
}

Result<Migration> MigrationMatrix(std::span<const RunEntry> previous,
                                  std::span<const RunEntry> current,
                                  std::span<const GradeBand> grades) {
  Result<std::vector<std::pair<std::int64_t, int>>> prev = Indexed(previous, grades, "previous");
  if (!prev) return std::unexpected(prev.error());
  Result<std::vector<std::pair<std::int64_t, int>>> cur = Indexed(current, grades, "current");
  if (!cur) return std::unexpected(cur.error());
  Migration m;
  const std::size_t n = grades.size();
  for (const GradeBand& g : grades) m.grades.push_back(g.code);
  m.counts.assign(n, std::vector<std::int64_t>(n, 0));
  m.new_subjects.assign(n, 0);
  m.gone_subjects.assign(n, 0);
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < prev->size() || j < cur->size()) {
    if (j == cur->size() || (i < prev->size() && (*prev)[i].first < (*cur)[j].first)) {
      ++m.gone_subjects[static_cast<std::size_t>((*prev)[i++].second)];
    } else if (i == prev->size() || (*cur)[j].first < (*prev)[i].first) {
      ++m.new_subjects[static_cast<std::size_t>((*cur)[j++].second)];
    } else {
      int from = (*prev)[i++].second;
      int to = (*cur)[j++].second;
      ++m.counts[static_cast<std::size_t>(from)][static_cast<std::size_t>(to)];
      if (to == from) {
        ++m.stayed;
      } else if (to < from) {
        ++m.upgraded;
      } else {
        ++m.downgraded;
      }
    }
  }
  return m;
}

Result<Psi> PopulationStability(std::span<const int> previous_scores,
                                std::span<const int> current_scores) {
  if (previous_scores.empty() || current_scores.empty()) {
    return Fail(ErrorCode::kFailedPrecondition, "stats.empty", "PSI needs scores in both runs",
                "计算 PSI 需要两次评价都有分数");
  }
  Psi psi;
  for (int b = 0; b < kMaxScore / kPsiBinWidth; ++b) {
    int max = b == kMaxScore / kPsiBinWidth - 1 ? kMaxScore : (b + 1) * kPsiBinWidth - 1;
    psi.bins.push_back({b * kPsiBinWidth, max, 0, 0});
  }
  auto fill = [&](std::span<const int> scores, bool expected) -> Result<void> {
    for (int s : scores) {
      if (s < 0 || s > kMaxScore) {
        return Fail(ErrorCode::kInvalidArgument, "stats.score",
                    "score " + std::to_string(s) + " is outside 0–1000",
                    "分数 " + std::to_string(s) + " 超出 0–1000");
      }
      PsiBin& bin = psi.bins[static_cast<std::size_t>(BinOf(s))];
      ++(expected ? bin.expected : bin.actual);
    }
    return {};
  };
  if (Result<void> r = fill(previous_scores, true); !r) return std::unexpected(r.error());
  if (Result<void> r = fill(current_scores, false); !r) return std::unexpected(r.error());
  const double ne = static_cast<double>(previous_scores.size());
  const double na = static_cast<double>(current_scores.size());
  double sum = 0;
  // Bins in ascending order: a fixed summation order keeps the result reproducible.
  for (const PsiBin& bin : psi.bins) {
    double e = bin.expected == 0 ? kPsiEpsilon : static_cast<double>(bin.expected) / ne;
    double a = bin.actual == 0 ? kPsiEpsilon : static_cast<double>(bin.actual) / na;
    sum += (a - e) * std::log(a / e);
  }
  psi.value = Decimal::FromMicros(static_cast<std::int64_t>(std::floor(sum * 1e4 + 0.5)) * 100);
  return psi;
}

Result<Psi> PopulationStability(std::span<const RunEntry> previous,
                                std::span<const RunEntry> current) {
  std::vector<int> p;
  std::vector<int> c;
  p.reserve(previous.size());
  c.reserve(current.size());
  for (const RunEntry& e : previous) p.push_back(e.score);
  for (const RunEntry& e : current) c.push_back(e.score);
  return PopulationStability(std::span<const int>(p), std::span<const int>(c));
}

}  // namespace xy::scoring
