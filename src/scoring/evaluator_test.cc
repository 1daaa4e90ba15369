#include "scoring/evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "scoring/draw.h"  // SplitMix64: a portable generator for the property tests

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

Date D(std::string_view iso) { return *ParseIsoDate(iso); }

using Fields = std::map<std::string, std::string, std::less<>>;

// Builds an annotated record the way the store loader will.
EvalRecord Rec(const Evaluator& ev, std::int64_t id, std::string_view item, Severity sev,
               std::optional<Date> decided, const Fields& fields = {}) {
  EvalRecord r;
  r.id = id;
  r.severity = sev;
  r.decided_on = decided;
  r.publicity_from = decided;
  auto lookup = [&fields](std::string_view code) -> std::string_view {
    auto it = fields.find(code);
    return it == fields.end() ? std::string_view() : std::string_view(it->second);
  };
  Result<void> a = ev.Annotate(item, lookup, r);
  EXPECT_TRUE(a.has_value()) << a.error().ToString();
  return r;
}

// The shipped model with all ten overlays, loaded once.
const Evaluator& Shipped() {
  static const Evaluator* ev = [] {
    std::string path = "config/models/public-2024.toml";
    Result<Model> m = ParseModel(ReadFile(kRoot + path), path);
    EXPECT_TRUE(m.has_value()) << m.error().ToString();
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(kRoot + "config/models/industry")) {
      files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) {
      Result<Overlay> o = ParseOverlay(ReadFile(f), f);
      EXPECT_TRUE(o.has_value()) << o.error().ToString();
      EXPECT_TRUE(AttachOverlay(*m, std::move(*o)).has_value());
    }
    Result<Evaluator> e = Evaluator::Compile(*m);
    EXPECT_TRUE(e.has_value()) << e.error().ToString();
    return new Evaluator(std::move(*e));
  }();
  return *ev;
}

const Date kAsOf = D("2025-06-30");

EvalSubject Subject(std::int64_t id) {
  EvalSubject s;
  s.id = id;
  return s;
}

// ---- Units
// ---------------------------------------------------------------------------------------

TEST(MonthsBetweenTest, WholeMonthsWithDayClamping) {
  EXPECT_EQ(MonthsBetween(D("2025-01-15"), D("2025-06-30")), 5);
  EXPECT_EQ(MonthsBetween(D("2025-01-30"), D("2025-06-29")), 4);
  EXPECT_EQ(MonthsBetween(D("2025-01-30"), D("2025-06-30")), 5);
  EXPECT_EQ(MonthsBetween(D("2023-09-10"), D("2025-06-30")), 21);
  // AddMonths(Jan 31, 1) = Feb 28: one whole month on Feb 28, as the publicity windows count.
  EXPECT_EQ(MonthsBetween(D("2025-01-31"), D("2025-02-28")), 1);
  EXPECT_EQ(MonthsBetween(D("2025-01-31"), D("2025-02-27")), 0);
  EXPECT_EQ(MonthsBetween(D("2024-02-29"), D("2025-02-28")), 12);
  EXPECT_EQ(MonthsBetween(D("2025-06-30"), D("2025-06-30")), 0);
  EXPECT_EQ(MonthsBetween(D("2025-07-01"), D("2025-06-30")), 0);
}

TEST(AnnotateTest, FillsAttributesAndTags) {
  const Evaluator& ev = Shipped();
  EvalRecord r =
      Rec(ev, 1, "admin_penalty", Severity::kGeneral, kAsOf,
          {{"CF_NR_FK", "12.5"}, {"CF_WFXW", "销售过期食品"}, {"CF_CFJG", "淮南市市场监督管理局"}});
  EXPECT_EQ(r.item, ev.ItemIndex("admin_penalty"));
  ASSERT_TRUE(r.amount.has_value());
  EXPECT_EQ(r.amount->ToString(), "12.5");
  EXPECT_NE(r.tags, 0u);  // the food_drug keyword condition
  EvalRecord plain =
      Rec(ev, 2, "admin_penalty", Severity::kGeneral, kAsOf, {{"CF_WFXW", "无证经营"}});
  EXPECT_EQ(plain.tags, 0u);
  EXPECT_FALSE(plain.amount.has_value());

  EvalRecord tax = Rec(ev, 3, "tax_a_rating", Severity::kGeneral, kAsOf, {{"NS_PJND", "2024"}});
  EXPECT_EQ(tax.year, 2024);
  // valid_until is inclusive: the record ends the day after.
  EvalRecord honor = Rec(ev, 4, "honor", Severity::kGeneral, kAsOf, {{"RY_YXQZ", "2025-06-30"}});
  EXPECT_EQ(honor.ends_on, D("2025-07-01"));
  // removed_on is exclusive.
  EvalRecord abn =
      Rec(ev, 5, "abnormal_operation", Severity::kGeneral, kAsOf, {{"YC_YCRQ", "2025-06-30"}});
  EXPECT_EQ(abn.ends_on, D("2025-06-30"));
  // Multi-valued enums are split at the catalogue's separators.
  EvalRecord c =
      Rec(ev, 6, "commitment", Severity::kGeneral, kAsOf, {{"CN_LXZT", "其他、全部履行"}});
  EXPECT_NE(c.tags, 0u);
  EvalRecord unused = Rec(ev, 7, "subject_registry", Severity::kGeneral, kAsOf);
  EXPECT_EQ(unused.item, kUnusedItem);
}

TEST(AnnotateTest, BadAttributeIsAnError) {
  const Evaluator& ev = Shipped();
  EvalRecord r;
  r.id = 42;
  auto bad_amount = [](std::string_view f) -> std::string_view {
    return f == "CF_NR_FK" ? "1,5" : "";
  };
  Result<void> a = ev.Annotate("admin_penalty", bad_amount, r);
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().reason, "eval.field");
  EXPECT_THAT(a.error().message, HasSubstr("record 42 (admin_penalty): field CF_NR_FK"));
  auto bad_year = [](std::string_view f) -> std::string_view {
    return f == "NS_PJND" ? "二〇二四" : "";
  };
  EXPECT_EQ(ev.Annotate("tax_a_rating", bad_year, r).error().reason, "eval.field");
  auto bad_date = [](std::string_view f) -> std::string_view {
    return f == "YC_YCRQ" ? "2025/1/1" : "";
  };
  EXPECT_EQ(ev.Annotate("abnormal_operation", bad_date, r).error().reason, "eval.field");
}

TEST(EvaluatorTest, FieldsReadListsWhatTheStoreMustLoad) {
  const Evaluator& ev = Shipped();
  std::vector<std::string> f = ev.FieldsRead("admin_penalty");
  EXPECT_THAT(f, ::testing::IsSupersetOf({"CF_NR_FK", "CF_WFXW", "CF_SY", "CF_CFJG"}));
  EXPECT_THAT(ev.FieldsRead("commitment"), ElementsAre("CN_LXZT"));
  EXPECT_TRUE(ev.FieldsRead("judgment_debtor").empty());
  EXPECT_TRUE(ev.FieldsRead("nope").empty());
}

TEST(EvaluatorTest, PublicityWindowIsHalfOpen) {
  const Evaluator& ev = Shipped();
  EvalSubject s = Subject(1);
  EvalRecord r = Rec(ev, 1, "admin_penalty", Severity::kGeneral, D("2024-06-30"));
  EvalResult none = ev.Evaluate(s, {}, kAsOf);
  r.publicity_until = kAsOf;  // stops on the as-of date
  EXPECT_EQ(ev.Evaluate(s, {&r, 1}, kAsOf).score, none.score);
  r.publicity_until = D("2025-07-01");
  EXPECT_LT(ev.Evaluate(s, {&r, 1}, kAsOf).score, none.score);
  r.publicity_from = kAsOf;  // starts on the as-of date
  EXPECT_LT(ev.Evaluate(s, {&r, 1}, kAsOf).score, none.score);
  r.publicity_from = D("2025-07-01");
  EXPECT_EQ(ev.Evaluate(s, {&r, 1}, kAsOf).score, none.score);
}

TEST(EvaluatorTest, EverySubjectGetsAResultAndBatchChecksOrder) {
  const Evaluator& ev = Shipped();
  std::vector<EvalSubject> subjects = {Subject(1), Subject(2), Subject(5)};
  std::vector<EvalRecord> records = {
      Rec(ev, 10, "admin_penalty", Severity::kSerious, D("2025-05-01")),
      Rec(ev, 11, "admin_penalty", Severity::kSerious, D("2025-05-01")),
      Rec(ev, 12, "admin_penalty", Severity::kSerious, D("2025-05-01")),
  };
  records[0].subject = 2;
  records[1].subject = 3;  // not among the subjects: ignored
  records[2].subject = 5;
  Result<std::vector<EvalResult>> r = ev.EvaluateBatch(subjects, records, kAsOf);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].subject, 1);
  EXPECT_EQ((*r)[0].grade, "B");  // no records at all
  EXPECT_EQ((*r)[1].reasons.size(), (*r)[2].reasons.size());
  EXPECT_EQ((*r)[1].score, (*r)[2].score);
  EXPECT_LT((*r)[1].score, (*r)[0].score);

  std::vector<EvalSubject> unsorted = {Subject(2), Subject(1)};
  EXPECT_EQ(ev.EvaluateBatch(unsorted, {}, kAsOf).error().reason, "eval.batch");
  std::swap(records[0], records[2]);
  EXPECT_EQ(ev.EvaluateBatch(subjects, records, kAsOf).error().reason, "eval.batch");
}

TEST(EvaluatorTest, CompileRefusesABrokenHandBuiltModel) {
  Model m;
  m.code = "x";
  m.version = "1";
  m.grades = {{"A", "优", "A", 0, 1000}};
  m.dimensions = {{"law", "遵纪守法", 10'000, Decimal()}};
  Indicator ind;
  ind.code = "i";
  ind.dimension = "nope";
  ind.items = {"admin_penalty"};
  m.indicators = {ind};
  Result<Evaluator> e = Evaluator::Compile(m);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().reason, "model.invalid");
  EXPECT_THAT(e.error().message, HasSubstr("unknown dimension nope"));
}

// ---- Properties, over random subjects and records
// ------------------------------------------------

class Gen {
 public:
  explicit Gen(std::uint64_t seed) : rng_(seed) {}
  int Int(int n) { return static_cast<int>(rng_.Below(static_cast<std::uint64_t>(n))); }
  bool Chance(int percent) { return Int(100) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(Int(static_cast<int>(v.size())))];
  }
  Date DayAround(Date d, int before, int after) {
    return FromDayNumber(ToDayNumber(d) - before + Int(before + after + 1));
  }

 private:
  SplitMix64 rng_;
};

const std::vector<std::string> kItems = {
    "admin_penalty", "admin_penalty", "admin_penalty",      "judgment_debtor", "serious_violation",
    "tax_violation", "wage_arrears",  "abnormal_operation", "commitment",      "commitment",
    "honor",         "tax_a_rating",  "admin_license",      "subject_registry"};
const std::vector<std::string> kNegativeItems = {
    "admin_penalty", "admin_penalty", "judgment_debtor",   "serious_violation",
    "tax_violation", "wage_arrears",  "abnormal_operation"};

Fields RandomFields(Gen& g, const std::string& item) {
  Fields f;
  if (item == "admin_penalty") {
    f["CF_NR_FK"] = g.Pick<std::string>({"0.2", "5", "10", "30", ""});
    f["CF_WFXW"] = g.Pick<std::string>(
        {"销售过期食品", "未落实安全生产责任", "价格违法", "无证经营", "排污超标", "统计造假", ""});
    f["CF_CFJG"] =
        g.Pick<std::string>({"淮南市市场监督管理局", "淮南市应急管理局", "淮南市生态环境局"});
  } else if (item == "commitment") {
    f["CN_LXZT"] = g.Pick<std::string>({"全部履行", "部分履行", "全部未履行"});
  } else if (item == "honor") {
    f["RY_RYJB"] = g.Pick<std::string>({"国家级", "省级", "市级", "县级", "其他"});
    if (g.Chance(50)) f["RY_YXQZ"] = FormatIsoDate(g.DayAround(kAsOf, 400, 400));
  } else if (item == "tax_a_rating") {
    f["NS_PJND"] = std::to_string(2020 + g.Int(6));
  } else if (item == "abnormal_operation" || item == "serious_violation" ||
             item == "wage_arrears") {
    const char* field = item == "abnormal_operation"  ? "YC_YCRQ"
                        : item == "serious_violation" ? "YZ_YCRQ"
                                                      : "QX_YCRQ";
    if (g.Chance(30)) f[field] = FormatIsoDate(g.DayAround(kAsOf, 400, 100));
  } else if (item == "admin_license") {
    f["XK_XKZS"] = g.Pick<std::string>({"食品经营许可证", "排污许可证", "建筑业企业资质证书", ""});
    f["XK_YXQZI"] = FormatIsoDate(g.DayAround(kAsOf, 300, 2000));
  }
  return f;
}

EvalRecord RandomRecord(Gen& g, const Evaluator& ev, std::int64_t id, const std::string& item) {
  static const std::vector<Severity> kSev = {Severity::kMinor, Severity::kGeneral,
                                             Severity::kGeneral, Severity::kSerious};
  EvalRecord r =
      Rec(ev, id, item, g.Pick(kSev), g.DayAround(kAsOf, 5 * 365, 30), RandomFields(g, item));
  if (g.Chance(10)) r.decided_on.reset();
  if (r.severity == Severity::kMinor && g.Chance(80)) r.published = false;
  if (r.publicity_from && g.Chance(70)) {
    r.publicity_until = FromDayNumber(ToDayNumber(*r.publicity_from) + 365 * (1 + g.Int(3)));
  }
  if (g.Chance(20)) {
    r.status = g.Chance(50) ? RecordStatus::kRepaired : RecordStatus::kWithdrawn;
    if (g.Chance(80)) r.status_on = g.DayAround(kAsOf, 500, 200);
  }
  return r;
}

struct Scenario {
  EvalSubject subject;
  std::vector<EvalRecord> records;
};

Scenario RandomScenario(Gen& g, const Evaluator& ev, std::int64_t id) {
  static const std::vector<std::string> kIndustries = {
      "food_drug",      "construction", "bidding", "work_safety", "fire_safety",
      "medical_health", "eco_env",      "price",   "statistics",  "fiscal_funds"};
  Scenario s;
  s.subject.id = id;
  if (g.Chance(85)) s.subject.registered_on = g.DayAround(kAsOf, 20 * 365, 0);
  std::vector<std::string> ind;
  for (int k = g.Int(3); k > 0; --k) ind.push_back(g.Pick(kIndustries));
  s.subject.industries = ev.IndustryMask(ind);
  for (int n = g.Int(15); n > 0; --n) {
    s.records.push_back(RandomRecord(g, ev, id * 1000 + n, g.Pick(kItems)));
  }
  return s;
}

bool Counting(const EvalRecord& r) {
  if (!r.published || (r.decided_on && *r.decided_on > kAsOf)) return false;
  if (r.publicity_from && kAsOf < *r.publicity_from) return false;
  if (r.publicity_until && kAsOf >= *r.publicity_until) return false;
  if (r.ends_on && kAsOf >= *r.ends_on) return false;
  return r.status == RecordStatus::kActive || (r.status_on && kAsOf < *r.status_on);
}

int GradeRank(const Evaluator& ev, const std::string& grade) {
  for (std::size_t i = 0; i < ev.grades().size(); ++i) {
    if (ev.grades()[i].code == grade) return static_cast<int>(i);
  }
  return -1;
}

void ExpectSameResult(const EvalResult& a, const EvalResult& b, const std::string& where) {
  EXPECT_EQ(a.score, b.score) << where;
  EXPECT_EQ(a.grade, b.grade) << where;
  EXPECT_EQ(a.dimensions, b.dimensions) << where;
  ASSERT_EQ(a.reasons.size(), b.reasons.size()) << where;
  for (std::size_t i = 0; i < a.reasons.size(); ++i) {
    EXPECT_EQ(a.reasons[i].indicator, b.reasons[i].indicator) << where;
    EXPECT_EQ(a.reasons[i].points, b.reasons[i].points) << where;
    EXPECT_EQ(a.reasons[i].record_ids, b.reasons[i].record_ids) << where;
  }
  ASSERT_EQ(a.industries.size(), b.industries.size()) << where;
  for (std::size_t i = 0; i < a.industries.size(); ++i) {
    EXPECT_EQ(a.industries[i].score, b.industries[i].score) << where;
    EXPECT_EQ(a.industries[i].reasons.size(), b.industries[i].reasons.size()) << where;
  }
}

constexpr int kRounds = 3000;

TEST(EvaluatorPropertyTest, AddingAPenaltyNeverRaisesAScore) {
  const Evaluator& ev = Shipped();
  Gen g(1);
  for (int i = 0; i < kRounds; ++i) {
    Scenario s = RandomScenario(g, ev, i + 1);
    EvalResult before = ev.Evaluate(s.subject, s.records, kAsOf);
    EvalRecord p = RandomRecord(g, ev, 999'999, g.Pick(kNegativeItems));
    if (g.Chance(50)) {  // make sure it counts half of the time
      p.status = RecordStatus::kActive;
      p.published = true;
      p.publicity_until.reset();
      p.ends_on.reset();
    }
    s.records.push_back(p);
    EvalResult after = ev.Evaluate(s.subject, s.records, kAsOf);
    std::string where = "round " + std::to_string(i);
    EXPECT_LE(after.score, before.score) << where;
    EXPECT_GE(GradeRank(ev, after.grade), GradeRank(ev, before.grade)) << where;
    ASSERT_EQ(after.industries.size(), before.industries.size());
    for (std::size_t k = 0; k < after.industries.size(); ++k) {
      EXPECT_LE(after.industries[k].score, before.industries[k].score)
          << where << " " << after.industries[k].industry;
    }
    // A broken commitment is a penalty too.
    EvalRecord broken =
        Rec(ev, 999'998, "commitment", Severity::kGeneral, kAsOf, {{"CN_LXZT", "全部未履行"}});
    s.records.push_back(broken);
    EXPECT_LE(ev.Evaluate(s.subject, s.records, kAsOf).score, after.score) << where;
  }
}

TEST(EvaluatorPropertyTest, ARecordThatDoesNotCountChangesNothing) {
  const Evaluator& ev = Shipped();
  Gen g(2);
  for (int i = 0; i < kRounds; ++i) {
    Scenario s = RandomScenario(g, ev, i + 1);
    EvalResult before = ev.Evaluate(s.subject, s.records, kAsOf);
    EvalRecord extra = RandomRecord(g, ev, 999'999, g.Pick(kItems));
    extra.status = RecordStatus::kActive;
    extra.published = true;
    extra.ends_on.reset();
    switch (i % 6) {
      case 0:  // publicity ended
        extra.decided_on = extra.publicity_from = g.DayAround(kAsOf, 2000, 0);
        // Any day from the start up to and including the as-of date (publication stops on it).
        extra.publicity_until = FromDayNumber(
            ToDayNumber(*extra.publicity_from) +
            g.Int(static_cast<int>(ToDayNumber(kAsOf) - ToDayNumber(*extra.publicity_from)) + 1));
        break;
      case 1:  // repaired
        extra.status = RecordStatus::kRepaired;
        extra.status_on = g.Chance(50) ? std::optional<Date>() : g.DayAround(kAsOf, 300, 0);
        break;
      case 2:  // withdrawn
        extra.status = RecordStatus::kWithdrawn;
        extra.status_on = g.Chance(50) ? std::optional<Date>() : g.DayAround(kAsOf, 300, 0);
        break;
      case 3:  // not published
        extra.published = false;
        break;
      case 4:  // decided after the as-of date
        extra.decided_on = g.DayAround(kAsOf, -1, 300);
        break;
      case 5:  // publicity starts after the as-of date
        extra.publicity_from = g.DayAround(kAsOf, -1, 300);
        break;
    }
    ASSERT_FALSE(Counting(extra)) << "round " << i;
    s.records.push_back(extra);
    ExpectSameResult(ev.Evaluate(s.subject, s.records, kAsOf), before,
                     "round " + std::to_string(i));
  }
}

TEST(EvaluatorPropertyTest, ScoresInRangeHardRulesHoldOrderDoesNotMatter) {
  const Evaluator& ev = Shipped();
  Gen g(3);
  auto has = [&](const Scenario& s, std::string_view item) {
    return std::any_of(s.records.begin(), s.records.end(), [&](const EvalRecord& r) {
      return r.item == ev.ItemIndex(item) && Counting(r);
    });
  };
  int forced = 0;
  int capped = 0;
  for (int i = 0; i < kRounds; ++i) {
    Scenario s = RandomScenario(g, ev, i + 1);
    EvalResult r = ev.Evaluate(s.subject, s.records, kAsOf);
    std::string where = "round " + std::to_string(i);
    EXPECT_GE(r.score, 0) << where;
    EXPECT_LE(r.score, 1000) << where;
    EXPECT_EQ(r.grade, ev.BandOf(r.score).code) << where;
    for (Decimal d : r.dimensions) {
      EXPECT_GE(d, Decimal()) << where;
      EXPECT_LE(d, Decimal::FromMicros(100'000'000)) << where;
    }
    bool severe = has(s, "serious_violation") || has(s, "tax_violation") || has(s, "wage_arrears");
    if (severe) {
      ++forced;
      EXPECT_EQ(r.grade, "D") << where;
    }
    if (has(s, "judgment_debtor")) {
      ++capped;
      EXPECT_TRUE(r.grade == "C" || r.grade == "D") << where;
    }
    if (has(s, "abnormal_operation")) {
      EXPECT_NE(r.grade, "A") << where;
    }
    for (const IndustryResult& ir : r.industries) {
      EXPECT_GE(ir.score, 0);
      EXPECT_LE(ir.score, 1000);
      if (severe) {
        EXPECT_EQ(ir.grade, "D") << where << " " << ir.industry;
      }
    }
    // Every reason's records are records of the subject that count.
    for (const Reason& reason : r.reasons) {
      for (std::int64_t id : reason.record_ids) {
        auto it = std::find_if(s.records.begin(), s.records.end(),
                               [&](const EvalRecord& rec) { return rec.id == id; });
        ASSERT_NE(it, s.records.end()) << where;
        EXPECT_TRUE(Counting(*it)) << where << " record " << id;
      }
    }
    // The order of the records does not matter.
    std::vector<EvalRecord> reversed(s.records.rbegin(), s.records.rend());
    ExpectSameResult(ev.Evaluate(s.subject, reversed, kAsOf), r, where);
  }
  EXPECT_GT(forced, 50);  // the generator exercises the rules
  EXPECT_GT(capped, 50);
}

TEST(EvaluatorPropertyTest, BatchEqualsOneByOneWithAnyThreadCount) {
  const Evaluator& ev = Shipped();
  Gen g(4);
  std::vector<EvalSubject> subjects;
  std::vector<EvalRecord> records;
  std::vector<EvalResult> single;
  for (int i = 0; i < 500; ++i) {
    Scenario s = RandomScenario(g, ev, 10 * (i + 1));
    single.push_back(ev.Evaluate(s.subject, s.records, kAsOf));
    subjects.push_back(s.subject);
    for (EvalRecord& r : s.records) {
      r.subject = s.subject.id;
      records.push_back(r);
    }
  }
  for (int threads : {1, 2, 3, 8}) {
    Result<std::vector<EvalResult>> batch =
        ev.EvaluateBatch(subjects, records, kAsOf, BatchOptions{.threads = threads});
    ASSERT_TRUE(batch.has_value());
    ASSERT_EQ(batch->size(), single.size());
    for (std::size_t i = 0; i < single.size(); ++i) {
      ExpectSameResult((*batch)[i], single[i], "threads " + std::to_string(threads));
    }
  }
}

}  // namespace
}  // namespace xy::scoring
