#include "scoring/run_stats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace xy::scoring {
namespace {

using ::testing::ElementsAre;

std::vector<GradeBand> Bands() {
  return {{"A", "优", "A", 850, 1000},
          {"B", "良", "B", 700, 849},
          {"C", "中", "C", 550, 699},
          {"D", "差", "D", 0, 549}};
}

RunEntry E(std::int64_t subject, std::string grade, int score = 0) {
  return {subject, score, std::move(grade)};
}

TEST(DistributionTest, CountsAndRoundedPercentages) {
  std::vector<RunEntry> run = {E(1, "A"), E(2, "A"), E(3, "B"), E(4, "C"),
                               E(5, "C"), E(6, "C"), E(7, "D")};
  Result<GradeDistribution> d = Distribution(run, Bands());
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->total, 7);
  ASSERT_EQ(d->grades.size(), 4u);
  // 2/7 = 28.571…%, 1/7 = 14.285…%, 3/7 = 42.857…%: each rounded half up to 0.01.
  EXPECT_EQ(d->grades[0].count, 2);
  EXPECT_EQ(d->grades[0].percent.ToString(), "28.57");
  EXPECT_EQ(d->grades[1].percent.ToString(), "14.29");
  EXPECT_EQ(d->grades[2].percent.ToString(), "42.86");
  EXPECT_EQ(d->grades[3].percent.ToString(), "14.29");
}

TEST(DistributionTest, HalfRoundsUpAndEmptyGradesStay) {
  std::vector<RunEntry> run;
  run.push_back(E(1, "A"));
  for (int i = 2; i <= 20'000; ++i) run.push_back(E(i, "B"));
  Result<GradeDistribution> d = Distribution(run, Bands());
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->grades[0].percent.ToString(), "0.01");  // exactly 0.005 % → 0.01
  EXPECT_EQ(d->grades[1].percent.ToString(), "100");   // 99.995 % → 100.00
  EXPECT_EQ(d->grades[2].count, 0);
  EXPECT_EQ(d->grades[2].percent.ToString(), "0");
  Result<GradeDistribution> empty = Distribution({}, Bands());
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->total, 0);
}

TEST(DistributionTest, UnknownGradeIsAnError) {
  std::vector<RunEntry> run = {E(1, "E")};
  Result<GradeDistribution> d = Distribution(run, Bands());
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().reason, "stats.grade");
}

TEST(MigrationTest, HandComputedMatrix) {
  std::vector<RunEntry> previous = {E(1, "A"), E(2, "B"), E(3, "C"), E(4, "D"), E(5, "B")};
  std::vector<RunEntry> current = {E(6, "A"), E(5, "D"), E(3, "A"), E(2, "B"), E(1, "B")};
  Result<Migration> m = MigrationMatrix(previous, current, Bands());
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  EXPECT_THAT(m->grades, ElementsAre("A", "B", "C", "D"));
  // rows: previous grade; columns: current grade.
  EXPECT_THAT(m->counts[0], ElementsAre(0, 1, 0, 0));  // 1: A → B
  EXPECT_THAT(m->counts[1], ElementsAre(0, 1, 0, 1));  // 2: B → B, 5: B → D
  EXPECT_THAT(m->counts[2], ElementsAre(1, 0, 0, 0));  // 3: C → A
  EXPECT_THAT(m->counts[3], ElementsAre(0, 0, 0, 0));
  EXPECT_THAT(m->new_subjects, ElementsAre(1, 0, 0, 0));   // 6, now A
  EXPECT_THAT(m->gone_subjects, ElementsAre(0, 0, 0, 1));  // 4, was D
  EXPECT_EQ(m->stayed, 1);
  EXPECT_EQ(m->upgraded, 1);
  EXPECT_EQ(m->downgraded, 2);
}

TEST(MigrationTest, DuplicatesAndUnknownGradesAreErrors) {
  std::vector<RunEntry> dup = {E(1, "A"), E(1, "B")};
  std::vector<RunEntry> ok = {E(1, "A")};
  EXPECT_EQ(MigrationMatrix(dup, ok, Bands()).error().reason, "stats.duplicate");
  EXPECT_EQ(MigrationMatrix(ok, dup, Bands()).error().reason, "stats.duplicate");
  std::vector<RunEntry> bad = {E(1, "X")};
  EXPECT_EQ(MigrationMatrix(ok, bad, Bands()).error().reason, "stats.grade");
}

TEST(PsiTest, HandComputed) {
  // Previous: 5 in [800, 849] and 5 in [700, 749]; current: 8 and 2.
  // PSI = (0.8 − 0.5) ln(0.8 / 0.5) + (0.2 − 0.5) ln(0.2 / 0.5) = 0.141001 + 0.274887 = 0.415888.
  std::vector<int> previous = {800, 810, 820, 830, 849, 700, 710, 720, 730, 749};
  std::vector<int> current = {800, 810, 820, 830, 849, 801, 802, 803, 700, 749};
  Result<Psi> p = PopulationStability(previous, current);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->value.ToString(), "0.4159");
  ASSERT_EQ(p->bins.size(), 20u);
  EXPECT_EQ(p->bins[16].min, 800);
  EXPECT_EQ(p->bins[16].max, 849);
  EXPECT_EQ(p->bins[16].expected, 5);
  EXPECT_EQ(p->bins[16].actual, 8);
  EXPECT_EQ(p->bins[14].actual, 2);
  EXPECT_EQ(p->bins[19].min, 950);
  EXPECT_EQ(p->bins[19].max, 1000);
}

TEST(PsiTest, EmptyBinsUseEpsilon) {
  // e = 1.0 / a = 0.9 in [800, 849]; e = ε / a = 0.1 in [0, 49]:
  // −0.1 ln 0.9 + (0.1 − 0.0001) ln(1000) = 0.010536 + 0.690085 = 0.700621.
  std::vector<int> previous(10, 800);
  std::vector<int> current(9, 800);
  current.push_back(0);
  Result<Psi> p = PopulationStability(previous, current);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->value.ToString(), "0.7006");
  // The same distribution: 0.
  EXPECT_EQ(PopulationStability(previous, previous)->value.ToString(), "0");
}

TEST(PsiTest, EdgesAndErrors) {
  std::vector<int> top = {1000, 950, 949};
  Result<Psi> p = PopulationStability(top, top);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->bins[19].expected, 2);
  EXPECT_EQ(p->bins[18].expected, 1);
  std::vector<int> none;
  EXPECT_EQ(PopulationStability(none, top).error().reason, "stats.empty");
  EXPECT_EQ(PopulationStability(none, top).error().code, ErrorCode::kFailedPrecondition);
  std::vector<int> bad = {1001};
  EXPECT_EQ(PopulationStability(top, bad).error().reason, "stats.score");
  // Through RunEntry.
  std::vector<RunEntry> a = {E(1, "A", 900)};
  std::vector<RunEntry> b = {E(1, "A", 900)};
  EXPECT_EQ(PopulationStability(a, b)->value.ToString(), "0");
}

TEST(RunEntriesTest, FromResults) {
  std::vector<EvalResult> results(2);
  results[0].subject = 7;
  results[0].score = 812;
  results[0].grade = "B";
  results[1].subject = 9;
  results[1].score = 500;
  results[1].grade = "D";
  std::vector<RunEntry> e = ToRunEntries(results);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[1].subject, 9);
  EXPECT_EQ(e[1].score, 500);
  EXPECT_EQ(e[1].grade, "D");
}

}  // namespace
}  // namespace xy::scoring
