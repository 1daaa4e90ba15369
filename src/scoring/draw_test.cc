#include "scoring/draw.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/crypto.h"

namespace xy::scoring {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kRoot = std::string(XY_SOURCE_DIR) + "/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Inspector I(std::string id, std::vector<std::int64_t> conflicts = {},
            std::vector<std::string> departments = {}) {
  Inspector in;
  in.id = std::move(id);
  in.name = in.id;
  in.conflict_subjects = std::move(conflicts);
  in.conflict_departments = std::move(departments);
  return in;
}

// The example of tests/testdata/scoring/draw_reference.py.
std::vector<DrawSubject> ExamplePopulation() {
  std::vector<DrawSubject> p;
  for (int i = 1; i <= 40; ++i) {
    p.push_back({i, i <= 20 ? "A" : i <= 32 ? "B" : i <= 38 ? "C" : "D"});
  }
  return p;
}

DrawTask ExampleTask() {
  DrawTask t;
  t.code = "t";
  t.name = "example";
  t.department = "DEPT";
  t.ratios = {{"A", 500, 1, -1}, {"B", 2000, 0, -1}, {"C", 6000, 0, -1}, {"D", 10'000, 0, -1}};
  t.inspectors = {I("I01"),          I("I02"), I("I03", {39}), I("I04"), I("I05", {}, {"DEPT"}),
                  I("I06", {33, 34})};
  return t;
}

TEST(SplitMix64Test, ReferenceOutputs) {
  // The published SplitMix64 outputs for seed 0.
  SplitMix64 g(0);
  EXPECT_EQ(g.Next(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(g.Next(), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(g.Next(), 0x06C45D188009454FULL);
  SplitMix64 h(20250630);
  EXPECT_EQ(h.Next(), 8433045307132226249ULL);
}

TEST(SplitMix64Test, BelowStaysInRangeAndCoversIt) {
  SplitMix64 g(7);
  std::vector<int> seen(6, 0);
  for (int i = 0; i < 6000; ++i) {
    std::uint64_t v = g.Below(6);
    ASSERT_LT(v, 6u);
    ++seen[v];
  }
  for (int c : seen) EXPECT_GT(c, 850);
  EXPECT_EQ(g.Below(1), 0u);
}

TEST(DrawTest, MatchesThePythonReference) {
  Result<DrawResult> d = Draw(ExamplePopulation(), ExampleTask(), 20250630);
  ASSERT_TRUE(d.has_value()) << d.error().ToString();
  EXPECT_EQ(d->algorithm, "xinyong-draw/1");
  EXPECT_EQ(d->seed, 20250630u);
  EXPECT_EQ(d->population_digest,
            "deea87c6202d7c78ae4c539ec7f38c052a5c4802874823bc397311408a67dfc9");
  std::vector<std::string> rows;
  for (const Assignment& a : d->assignments) {
    rows.push_back(std::to_string(a.subject) + " " + a.risk_class + " " + a.inspectors[0] + " " +
                   a.inspectors[1]);
  }
  // python3 tests/testdata/scoring/draw_reference.py
  EXPECT_THAT(rows, ElementsAre("10 A I06 I03", "26 B I02 I01", "29 B I04 I06", "30 B I03 I02",
                                "33 C I01 I04", "34 C I03 I02", "37 C I06 I01", "38 C I04 I06",
                                "39 D I02 I01", "40 D I03 I04"));
  EXPECT_THAT(d->excluded_inspectors, ElementsAre("I05"));
  ASSERT_EQ(d->classes.size(), 4u);
  EXPECT_EQ(d->classes[1].population, 12);
  EXPECT_EQ(d->classes[1].selected, 3);  // ceil(0.2 × 12)
  EXPECT_EQ(d->classes[2].selected, 4);  // ceil(0.6 × 6)
}

TEST(DrawTest, DigestIsSm3OfTheCanonicalTextAndIndependentOfOrder) {
  std::vector<DrawSubject> p = {{3, "B"}, {1, "A"}, {20, "C"}};
  EXPECT_EQ(PopulationDigest(p), ToHex(Sm3("1\n3\n20\n")));
  EXPECT_EQ(ClassesDigest(p), ToHex(Sm3("1\tA\n3\tB\n20\tC\n")));
  std::vector<DrawSubject> q = {{20, "C"}, {3, "B"}, {1, "A"}};
  EXPECT_EQ(PopulationDigest(p), PopulationDigest(q));
  EXPECT_EQ(ClassesDigest(p), ClassesDigest(q));
  q[0].risk_class = "D";
  EXPECT_EQ(PopulationDigest(p), PopulationDigest(q));
  EXPECT_NE(ClassesDigest(p), ClassesDigest(q));
}

TEST(DrawTest, SameInputsSameDrawWhateverTheInputOrder) {
  std::vector<DrawSubject> p = ExamplePopulation();
  DrawTask t = ExampleTask();
  Result<DrawResult> a = Draw(p, t, 99);
  std::reverse(p.begin(), p.end());
  std::reverse(t.inspectors.begin(), t.inspectors.end());
  Result<DrawResult> b = Draw(p, t, 99);
  ASSERT_TRUE(a.has_value() && b.has_value());
  ASSERT_EQ(a->assignments.size(), b->assignments.size());
  for (std::size_t i = 0; i < a->assignments.size(); ++i) {
    EXPECT_EQ(a->assignments[i].subject, b->assignments[i].subject);
    EXPECT_EQ(a->assignments[i].inspectors, b->assignments[i].inspectors);
  }
  EXPECT_EQ(a->population_digest, b->population_digest);
  EXPECT_EQ(a->load, b->load);
}

TEST(DrawTest, DifferentSeedsGiveDifferentDraws) {
  std::vector<DrawSubject> p;
  for (int i = 1; i <= 1000; ++i) p.push_back({i, "B"});
  DrawTask t = ExampleTask();
  std::set<std::vector<std::int64_t>> seen;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Result<DrawResult> d = Draw(p, t, seed);
    ASSERT_TRUE(d.has_value());
    std::vector<std::int64_t> ids;
    for (const Assignment& a : d->assignments) ids.push_back(a.subject);
    EXPECT_EQ(ids.size(), 200u);
    seen.insert(ids);
  }
  EXPECT_EQ(seen.size(), 20u);
}

TEST(DrawTest, RatiosMinMaxAndNeverAConflictedInspector) {
  // Every subject conflicts with a few inspectors; over many seeds none is ever assigned to them.
  std::vector<DrawSubject> p;
  const std::vector<std::string> classes = {"A", "B", "C", "D"};
  for (int i = 1; i <= 400; ++i) p.push_back({i, classes[static_cast<std::size_t>(i % 4)]});
  DrawTask t;
  t.department = "SCJG";
  t.ratios = {{"D", 8000, 0, -1}, {"C", 4000, 0, 30}, {"B", 1000, 15, -1}, {"A", 300, 1, -1}};
  for (int k = 0; k < 12; ++k) {
    Inspector in = I("P" + std::to_string(k));
    for (int s = 1; s <= 400; ++s) {
      if ((s + k) % 5 == 0) in.conflict_subjects.push_back(s);
    }
    t.inspectors.push_back(in);
  }
  t.inspectors.push_back(I("X", {}, {"SCJG"}));  // conflicted with the department: never used
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    Result<DrawResult> d = Draw(p, t, seed * 7919 + 1);
    ASSERT_TRUE(d.has_value()) << d.error().ToString();
    std::map<std::string, int> per_class;
    for (const Assignment& a : d->assignments) {
      ++per_class[a.risk_class];
      EXPECT_NE(a.inspectors[0], a.inspectors[1]);
      for (const std::string& who : a.inspectors) {
        ASSERT_NE(who, "X");
        const Inspector& in = *std::find_if(t.inspectors.begin(), t.inspectors.end(),
                                            [&](const Inspector& x) { return x.id == who; });
        EXPECT_EQ(std::count(in.conflict_subjects.begin(), in.conflict_subjects.end(), a.subject),
                  0)
            << "seed " << seed << ": " << who << " assigned to conflicted subject " << a.subject;
      }
    }
    EXPECT_EQ(per_class["D"], 80);  // ceil(0.8 × 100)
    EXPECT_EQ(per_class["C"], 30);  // ceil(0.4 × 100) = 40, max 30
    EXPECT_EQ(per_class["B"], 15);  // ceil(0.1 × 100) = 10, min 15
    EXPECT_EQ(per_class["A"], 3);   // ceil(0.03 × 100)
  }
}

TEST(DrawTest, LoadIsBalancedWithoutConflicts) {
  std::vector<DrawSubject> p;
  for (int i = 1; i <= 101; ++i) p.push_back({i, "D"});
  DrawTask t;
  t.department = "D1";
  t.ratios = {{"D", 10'000, 0, -1}};
  for (int k = 0; k < 7; ++k) t.inspectors.push_back(I("K" + std::to_string(k)));
  Result<DrawResult> d = Draw(p, t, 5);
  ASSERT_TRUE(d.has_value());
  int lo = 1 << 30;
  int hi = 0;
  int sum = 0;
  for (const auto& [id, n] : d->load) {
    lo = std::min(lo, n);
    hi = std::max(hi, n);
    sum += n;
  }
  EXPECT_EQ(sum, 202);
  EXPECT_LE(hi - lo, 1);
}

TEST(DrawTest, Errors) {
  DrawTask t = ExampleTask();
  std::vector<DrawSubject> dup = {{1, "A"}, {1, "B"}};
  EXPECT_EQ(Draw(dup, t, 1).error().reason, "draw.population");

  std::vector<DrawSubject> e = {{1, "E"}};
  Result<DrawResult> no_ratio = Draw(e, t, 1);
  ASSERT_FALSE(no_ratio.has_value());
  EXPECT_EQ(no_ratio.error().reason, "draw.task");
  EXPECT_THAT(no_ratio.error().message, HasSubstr("no ratio for class \"E\""));

  DrawTask high = t;
  high.ratios[0].ratio = 1000;  // A at 10 % is outside A ≤ 5 %
  Result<DrawResult> r = Draw(ExamplePopulation(), high, 1);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "draw.ratio");
  EXPECT_THAT(r.error().message, HasSubstr("0.1 is outside the policy's 0..0.05"));

  DrawTask few = t;
  few.inspectors = {I("I01"), I("I02", {39})};
  Result<DrawResult> f = Draw(ExamplePopulation(), few, 1);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(f.error().reason, "draw.inspectors");
  EXPECT_THAT(f.error().message, HasSubstr("subject 39"));
  EXPECT_THAT(f.error().message_zh, HasSubstr("主体 39"));

  DrawTask twice = t;
  twice.inspectors.push_back(I("I01"));
  EXPECT_EQ(Draw(ExamplePopulation(), twice, 1).error().reason, "draw.task");
}

TEST(PopulationFilterTest, RegionsKindsIndustries) {
  PopulationFilter f;
  std::vector<std::string> food = {"food_drug"};
  EXPECT_TRUE(f.Matches(340403, SubjectKind::kOrganization, {}));
  f.regions = {"340400"};
  EXPECT_TRUE(f.Matches(340403, SubjectKind::kOrganization, {}));
  EXPECT_FALSE(f.Matches(340103, SubjectKind::kOrganization, {}));
  f.regions = {"340402"};
  EXPECT_FALSE(f.Matches(340403, SubjectKind::kOrganization, {}));
  f.regions.clear();
  f.kinds = {SubjectKind::kIndividualBusiness};
  EXPECT_FALSE(f.Matches(340403, SubjectKind::kOrganization, {}));
  f.kinds.clear();
  f.industries = food;
  EXPECT_FALSE(f.Matches(340403, SubjectKind::kOrganization, {}));
  EXPECT_TRUE(f.Matches(340403, SubjectKind::kOrganization, food));
}

TEST(DrawTaskParseTest, ShippedExampleParsesAndDraws) {
  std::string path = "config/tasks/example-market-supervision.toml";
  Result<DrawTask> t = ParseDrawTask(ReadFile(kRoot + path), path);
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  EXPECT_FALSE(t->department.empty());
  ASSERT_EQ(t->ratios.size(), 4u);
  EXPECT_EQ(t->ratios[0].risk_class, "A");
  EXPECT_GE(t->inspectors.size(), 4u);
  EXPECT_FALSE(t->population.regions.empty());
  std::vector<DrawSubject> p;
  for (int i = 1; i <= 200; ++i) p.push_back({i, i % 10 == 0 ? "C" : "B"});
  Result<DrawResult> d = Draw(p, *t, 42);
  EXPECT_TRUE(d.has_value()) << d.error().ToString();
}

TEST(DrawTaskParseTest, DefaultsAndErrors) {
  constexpr std::string_view kMinimal = R"(
code = "t1"
name = "任务"
department = "11340400000000000X"
[[inspectors]]
id = "a"
name = "甲"
[[inspectors]]
id = "b"
name = "乙"
conflict_subjects = [5]
conflict_codes = ["91340400MA2XXXXXXX"]
)";
  Result<DrawTask> t = ParseDrawTask(kMinimal, "t.toml");
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  // No [[classes]]: every class of the default policy at its upper bound.
  ASSERT_EQ(t->ratios.size(), 4u);
  EXPECT_EQ(t->ratios[0].ratio, 500);
  EXPECT_EQ(t->ratios[3].ratio, 10'000);
  EXPECT_THAT(t->inspectors[1].conflict_subjects, ElementsAre(5));
  EXPECT_THAT(t->inspectors[1].conflict_codes, ElementsAre("91340400MA2XXXXXXX"));
  EXPECT_EQ(t->population.grade_source, "public");

  auto expect = [](std::string text, std::string_view reason, const std::string& piece) {
    Result<DrawTask> r = ParseDrawTask(text, "t.toml");
    ASSERT_FALSE(r.has_value()) << piece;
    EXPECT_EQ(r.error().reason, reason);
    EXPECT_THAT(r.error().message, HasSubstr(piece));
    EXPECT_THAT(r.error().message_zh, HasSubstr("抽查任务配置文件"));
  };
  std::string base(kMinimal);
  expect(base + "[[classes]]\nclass = \"A\"\nratio = 0.2\n", "task.invalid",
         "classes[0].ratio: 0.2 is outside the allowed 0..0.05");
  // A task may widen the policy explicitly.
  Result<DrawTask> widened = ParseDrawTask(base +
                                               "[[policy]]\nclass = \"A\"\nlow = 0\nhigh = "
                                               "0.3\n[[classes]]\nclass = \"A\"\nratio = 0.2\n",
                                           "t.toml");
  ASSERT_TRUE(widened.has_value()) << widened.error().ToString();
  EXPECT_EQ(widened->ratios[0].ratio, 2000);
  expect(base + "colour = 1\n", "task.invalid", "colour: unknown key");
  expect(base + "[population]\nregions = [\"3404\"]\n", "task.invalid", "not a 6-digit");
  expect(base + "[population]\nkinds = [\"公司\"]\n", "task.invalid", "not a subject kind");
  expect("code = \"x\"\nname = \"y\"\ndepartment = \"z\"\n", "task.invalid",
         "at least two inspectors");
  expect(base + "[[inspectors]]\nid = \"a\"\nname = \"丙\"\n", "task.invalid", "listed twice");
  expect("code = ", "task.parse", "TOML syntax error");
}

}  // namespace
}  // namespace xy::scoring
