#include "scoring/model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>

#include "scoring/evaluator.h"

namespace xy::scoring {
namespace {

using ::testing::HasSubstr;

const std::string kRoot = std::string(XY_SOURCE_DIR) + "/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A valid model; the tests replace one piece at a time.
constexpr std::string_view kHeader = R"(
code = "t"
version = "1"
name = "test"
)";
constexpr std::string_view kGrades = R"(
[[grades]]
code = "A"
name = "优"
min = 800
max = 1000
[[grades]]
code = "B"
name = "良"
min = 500
max = 799
[[grades]]
code = "C"
name = "差"
min = 0
max = 499
)";
constexpr std::string_view kDimensions = R"(
[[dimensions]]
code = "law"
name = "遵纪守法"
weight = 0.6
base = 80
[[dimensions]]
code = "basic"
name = "基础"
weight = 0.4
base = 50
)";
constexpr std::string_view kIndicators = R"(
[[indicators]]
code = "pen"
name = "处罚"
dimension = "law"
kind = "per_record"
items = ["admin_penalty"]
points = -10
)";

std::string ModelText(std::string_view grades = kGrades, std::string_view dims = kDimensions,
                      std::string_view inds = kIndicators, std::string_view extra = "") {
  return std::string(kHeader) + std::string(grades) + std::string(dims) + std::string(extra) +
         std::string(inds);
}

// The error has `reason` and its messages contain every piece; the Chinese message names the file.
template <typename T>
void ExpectError(const Result<T>& r, std::string_view reason,
                 std::initializer_list<std::string> pieces) {
  ASSERT_FALSE(r.has_value()) << "parsed, expected an error mentioning " << *pieces.begin();
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().reason, reason);
  for (const std::string& p : pieces) EXPECT_THAT(r.error().message, HasSubstr(p));
  EXPECT_THAT(r.error().message_zh, HasSubstr("评价模型配置文件"));
}

TEST(ModelParseTest, ValidModelParses) {
  Result<Model> m = ParseModel(ModelText(), "m.toml");
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  EXPECT_EQ(m->FullVersion(), "t@1");
  ASSERT_EQ(m->dimensions.size(), 2u);
  EXPECT_EQ(m->dimensions[0].weight, 6000);
  EXPECT_EQ(m->dimensions[1].base, Decimal::FromMicros(50'000'000));
  ASSERT_EQ(m->grades.size(), 3u);
  EXPECT_EQ(m->grades[0].risk_class, "A");  // defaults to the grade code
  EXPECT_EQ(m->indicators[0].points, Decimal::FromMicros(-10'000'000));
  EXPECT_NE(m->FindGrade("B"), nullptr);
  EXPECT_EQ(m->FindGrade("E"), nullptr);
}

TEST(ModelParseTest, SyntaxErrorNamesFileAndLine) {
  Result<Model> m = ParseModel("code = \"t\"\nversion = \n", "bad.toml");
  ExpectError(m, "model.parse", {"bad.toml:2", "TOML syntax error"});
}

TEST(ModelParseTest, WeightsMustSumToOne) {
  std::string dims = std::string(kDimensions);
  dims.replace(dims.find("weight = 0.4"), 12, "weight = 0.3");
  ExpectError(ParseModel(ModelText(kGrades, dims), "m.toml"), "model.invalid",
              {"m.toml", "dimensions", "sum to 0.9, not 1"});
}

TEST(ModelParseTest, WeightsWithMoreThanFourDecimalsAreRefused) {
  std::string dims = std::string(kDimensions);
  dims.replace(dims.find("weight = 0.6"), 12, "weight = 0.60001");
  ExpectError(ParseModel(ModelText(kGrades, dims), "m.toml"), "model.invalid",
              {"dimensions[0].weight", "at most 4 decimal places"});
}

TEST(ModelParseTest, UnknownKeyIsRefusedWithItsLine) {
  std::string inds = std::string(kIndicators) + "colour = \"red\"\n";
  Result<Model> m = ParseModel(ModelText(kGrades, kDimensions, inds), "m.toml");
  ExpectError(m, "model.invalid", {"indicators[0].colour", "unknown key"});
  // The line of the offending key.
  std::string text = ModelText(kGrades, kDimensions, inds);
  int line =
      1 + static_cast<int>(std::count(text.begin(), text.begin() + text.find("colour"), '\n'));
  EXPECT_THAT(m.error().message, HasSubstr("m.toml:" + std::to_string(line) + ":"));
}

TEST(ModelParseTest, OverlappingBandsAreRefused) {
  std::string g = std::string(kGrades);
  g.replace(g.find("max = 799"), 9, "max = 850");
  ExpectError(ParseModel(ModelText(g), "m.toml"), "model.invalid",
              {"grades[1].max", "overlaps band A"});
}

TEST(ModelParseTest, GappedBandsAreRefused) {
  std::string g = std::string(kGrades);
  g.replace(g.find("max = 499"), 9, "max = 480");
  ExpectError(ParseModel(ModelText(g), "m.toml"), "model.invalid",
              {"grades[2].max", "gap between band C (max 480) and band B (min 500)"});
}

TEST(ModelParseTest, BandsMustCoverTheWholeScale) {
  std::string top = std::string(kGrades);
  top.replace(top.find("max = 1000"), 10, "max = 990");
  ExpectError(ParseModel(ModelText(top), "m.toml"), "model.invalid", {"grades[0].max", "1000"});
  std::string bottom = std::string(kGrades);
  bottom.replace(bottom.find("min = 0\n"), 7, "min = 10");
  ExpectError(ParseModel(ModelText(bottom), "m.toml"), "model.invalid",
              {"grades[2].min", "start at 0"});
}

TEST(ModelParseTest, HardRuleWithUnknownGradeIsRefused) {
  std::string rules = std::string(kIndicators) + R"(
[[hard_rules]]
code = "r"
name = "规则"
indicator = "pen"
action = "force"
grade = "E"
)";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, rules), "m.toml"), "model.invalid",
              {"hard_rules[0].grade", "unknown grade \"E\" (grades: A, B, C)"});
}

TEST(ModelParseTest, HardRuleWithUnknownIndicatorOrActionIsRefused) {
  std::string unknown_ind = std::string(kIndicators) + R"(
[[hard_rules]]
code = "r"
name = "规则"
indicator = "nope"
action = "cap"
grade = "B"
)";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, unknown_ind), "m.toml"), "model.invalid",
              {"hard_rules[0].indicator", "unknown indicator \"nope\""});
  std::string bad_action = std::string(kIndicators) + R"(
[[hard_rules]]
code = "r"
name = "规则"
indicator = "pen"
action = "lower"
grade = "B"
)";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, bad_action), "m.toml"), "model.invalid",
              {"hard_rules[0].action", "unknown action \"lower\""});
}

TEST(ModelParseTest, IndicatorReferencingNoItemIsRefused) {
  std::string inds = std::string(kIndicators);
  inds.replace(inds.find("items = [\"admin_penalty\"]"), 25, "items = []");
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, inds), "m.toml"), "model.invalid",
              {"indicators[0].items", "references no catalogue item"});
  std::string none = std::string(kIndicators);
  none.erase(none.find("items = [\"admin_penalty\"]"), 25);
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, none), "m.toml"), "model.invalid",
              {"references no catalogue item"});
}

TEST(ModelParseTest, IndicatorReferenceErrors) {
  std::string dim = std::string(kIndicators);
  dim.replace(dim.find("dimension = \"law\""), 17, "dimension = \"tax\"");
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, dim), "m.toml"), "model.invalid",
              {"indicators[0].dimension", "unknown dimension \"tax\""});
  std::string decay = std::string(kIndicators) + "decay = \"slow\"\n";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, decay), "m.toml"), "model.invalid",
              {"indicators[0].decay", "unknown decay profile \"slow\""});
  std::string dup = std::string(kIndicators) + std::string(kIndicators);
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, dup), "m.toml"), "model.invalid",
              {"indicators[1].code", "duplicate indicator \"pen\""});
}

TEST(ModelParseTest, KindSpecificKeys) {
  std::string kind = std::string(kIndicators);
  kind.replace(kind.find("per_record"), 10, "sometimes");
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, kind), "m.toml"), "model.invalid",
              {"indicators[0].kind", "unknown kind \"sometimes\""});
  std::string both = std::string(kIndicators) + "points_by_severity = { \"严重\" = -20 }\n";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, both), "m.toml"), "model.invalid",
              {"exactly one of points and points_by_severity"});
  std::string sev = R"(
[[indicators]]
code = "pen"
name = "处罚"
dimension = "law"
kind = "per_record"
items = ["admin_penalty"]
points_by_severity = { "很严重" = -20 }
)";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, sev), "m.toml"), "model.invalid",
              {"points_by_severity.很严重", "unknown severity"});
  std::string presence_decay = R"(
[[indicators]]
code = "d"
name = "失信被执行人"
dimension = "law"
kind = "presence"
items = ["judgment_debtor"]
points = -20
cap = 10
)";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, presence_decay), "m.toml"),
              "model.invalid", {"indicators[0].cap", "does not apply to a presence indicator"});
  std::string registered_items = R"(
[[indicators]]
code = "age"
name = "成立年限"
dimension = "basic"
kind = "registered_years"
items = ["subject_registry"]
tiers = [{ min_years = 1, points = 5 }]
)";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, registered_items), "m.toml"),
              "model.invalid", {"indicators[0].items", "registration date"});
  std::string tiers = R"(
[[indicators]]
code = "age"
name = "成立年限"
dimension = "basic"
kind = "registered_years"
tiers = [{ min_years = 3, points = 5 }, { min_years = 1, points = 10 }]
)";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, tiers), "m.toml"), "model.invalid",
              {"indicators[0].tiers[1].min_years", "increasing"});
}

TEST(ModelParseTest, ConditionShape) {
  std::string both =
      std::string(kIndicators) +
      "[[indicators.when]]\nfield = \"CF_CFLB\"\nany_of = [\"罚款\"]\ncontains = [\"x\"]\n";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, both), "m.toml"), "model.invalid",
              {"indicators[0].when[0]", "exactly one of any_of and contains"});
  std::string none = std::string(kIndicators) + "[[indicators.when]]\nany_of = [\"罚款\"]\n";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, none), "m.toml"), "model.invalid",
              {"exactly one of field and fields"});
}

TEST(ModelParseTest, DecayProfiles) {
  std::string ok = R"(
[decay]
std = [{ from_months = 0, factor = 1 }, { from_months = 12, factor = 0.5 }]
)";
  std::string inds = std::string(kIndicators) + "decay = \"std\"\n";
  Result<Model> m = ParseModel(ModelText(kGrades, kDimensions, inds, ok), "m.toml");
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  ASSERT_EQ(m->decay.at("std").size(), 2u);
  EXPECT_EQ(m->decay.at("std")[1].factor, 5000);

  std::string late = "[decay]\nstd = [{ from_months = 3, factor = 1 }]\n";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, inds, late), "m.toml"), "model.invalid",
              {"decay.std[0].from_months", "start at 0"});
  std::string grow = "[decay]\nstd = [{ from_months = 0, factor = 1.5 }]\n";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, inds, grow), "m.toml"), "model.invalid",
              {"decay.std[0].factor", "0..1"});
}

TEST(ModelParseTest, ItemFields) {
  std::string both = "[items.honor]\nvalid_until_field = \"A\"\nremoved_on_field = \"B\"\n";
  ExpectError(ParseModel(ModelText(kGrades, kDimensions, kIndicators, both), "m.toml"),
              "model.invalid",
              {"items.honor", "at most one of valid_until_field and removed_on_field"});
}

// ---- Overlays
// ------------------------------------------------------------------------------------

constexpr std::string_view kOverlay = R"(
industry = "food"
name = "食品"
model = "t"
version = "1"
public_weight = 0.5
[[dimensions]]
code = "field"
name = "行业"
base = 100
[weights]
law = 0.5
basic = 0.2
field = 0.3
[[factors]]
indicator = "pen"
factor = 1.5
[[indicators]]
code = "food_pen"
name = "食品处罚"
dimension = "field"
kind = "per_record"
items = ["admin_penalty"]
points = -20
[[hard_rules]]
code = "food_cap"
name = "食品 → B"
indicator = "food_pen"
action = "cap"
grade = "B"
)";

std::string OverlayWith(std::string_view from, std::string_view to) {
  std::string s(kOverlay);
  s.replace(s.find(from), from.size(), to);
  return s;
}

TEST(OverlayTest, AttachesAndCompiles) {
  Result<Model> m = ParseModel(ModelText(), "m.toml");
  ASSERT_TRUE(m.has_value());
  Result<Overlay> o = ParseOverlay(kOverlay, "o.toml");
  ASSERT_TRUE(o.has_value()) << o.error().ToString();
  EXPECT_EQ(o->public_weight, 5000);
  ASSERT_TRUE(AttachOverlay(*m, std::move(*o)).has_value());
  EXPECT_EQ(m->FullVersion(), "t@1+food@1");
  EXPECT_TRUE(Evaluator::Compile(*m).has_value());
  // The same industry twice is refused.
  Result<Overlay> again = ParseOverlay(kOverlay, "o2.toml");
  ASSERT_TRUE(again.has_value());
  Result<void> a = AttachOverlay(*m, std::move(*again));
  ExpectError(a, "model.invalid", {"o2.toml", "industry", "already has an overlay (o.toml)"});
}

TEST(OverlayTest, Errors) {
  Result<Model> base = ParseModel(ModelText(), "m.toml");
  ASSERT_TRUE(base.has_value());
  auto attach = [&](const std::string& text) -> Result<void> {
    Result<Overlay> o = ParseOverlay(text, "o.toml");
    if (!o) return std::unexpected(o.error());
    Model m = *base;
    return AttachOverlay(m, std::move(*o));
  };
  ExpectError(attach(OverlayWith("model = \"t\"", "model = \"other\"")), "model.invalid",
              {"written for model \"other\", not \"t\""});
  ExpectError(attach(OverlayWith("field = 0.3", "field = 0.2")), "model.invalid",
              {"weights", "sum to 0.9, not 1"});
  ExpectError(attach(OverlayWith("basic = 0.2\n", "")), "model.invalid", {"weights"});
  ExpectError(attach(OverlayWith("indicator = \"pen\"\nfactor", "indicator = \"nope\"\nfactor")),
              "model.invalid", {"factors[0].indicator", "unknown indicator \"nope\""});
  ExpectError(attach(OverlayWith("code = \"food_pen\"", "code = \"pen\"")), "model.invalid",
              {"indicators[0].code", "already exists"});
  ExpectError(attach(OverlayWith("dimension = \"field\"", "dimension = \"nope\"")), "model.invalid",
              {"indicators[0].dimension", "unknown dimension"});
  ExpectError(attach(OverlayWith("grade = \"B\"", "grade = \"Z\"")), "model.invalid",
              {"hard_rules[0].grade", "unknown grade \"Z\""});
  ExpectError(attach(OverlayWith("[weights]\nlaw = 0.5\nbasic = 0.2\nfield = 0.3\n", "")),
              "model.invalid",
              {"an overlay that adds dimensions must give every dimension's weight"});
}

// ---- Against the catalogue
// ------------------------------------------------------------------------

Catalog SmallCatalog() {
  Catalog c;
  CatalogItem p;
  p.code = "admin_penalty";
  auto field = [&p](std::string code, FieldType type) -> FieldSpec& {
    FieldSpec& f = p.fields.emplace_back();
    f.code = std::move(code);
    f.label = f.code;
    f.type = type;
    return f;
  };
  field("CF_CFLB", FieldType::kEnum).enum_values = {"警告", "罚款"};
  field("CF_NR_FK", FieldType::kDecimal);
  field("CF_WFXW", FieldType::kText);
  c.Put(p);
  return c;
}

TEST(CatalogCheckTest, AcceptsKnownItemsAndFields) {
  std::string extra = "[items.admin_penalty]\namount_field = \"CF_NR_FK\"\n";
  std::string inds =
      std::string(kIndicators) + "[[indicators.when]]\nfield = \"CF_CFLB\"\nany_of = [\"罚款\"]\n";
  Result<Model> m = ParseModel(ModelText(kGrades, kDimensions, inds, extra), "m.toml");
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  EXPECT_TRUE(CheckModelAgainstCatalog(*m, SmallCatalog()).has_value());
}

TEST(CatalogCheckTest, RefusesUnknownNames) {
  auto check = [](std::string_view inds, std::string_view extra) {
    Result<Model> m = ParseModel(ModelText(kGrades, kDimensions, inds, extra), "m.toml");
    EXPECT_TRUE(m.has_value()) << m.error().ToString();
    return CheckModelAgainstCatalog(*m, SmallCatalog());
  };
  std::string item = std::string(kIndicators);
  item.replace(item.find("admin_penalty"), 13, "admin_reward");
  ExpectError(check(item, ""), "model.catalog", {"indicators[pen].items", "admin_reward"});
  std::string field =
      std::string(kIndicators) + "[[indicators.when]]\nfield = \"CF_X\"\ncontains = [\"a\"]\n";
  ExpectError(check(field, ""), "model.catalog", {"CF_X is not a field"});
  std::string value =
      std::string(kIndicators) + "[[indicators.when]]\nfield = \"CF_CFLB\"\nany_of = [\"拘留\"]\n";
  ExpectError(check(value, ""), "model.catalog", {"\"拘留\" is not a value of CF_CFLB"});
  ExpectError(check(kIndicators, "[items.admin_penalty]\namount_field = \"CF_WFXW\"\n"),
              "model.catalog", {"items.admin_penalty.amount_field", "text field, not decimal"});
}

// ---- The shipped configuration
// --------------------------------------------------------------------

TEST(ShippedModelTest, PublicModelAndAllOverlaysLoadAndCompile) {
  std::string path = "config/models/public-2024.toml";
  Result<Model> m = ParseModel(ReadFile(kRoot + path), path);
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  EXPECT_EQ(m->dimensions.size(), 6u);
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(kRoot + "config/models/industry")) {
    if (e.path().extension() == ".toml") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files.size(), 10u) << "one overlay per key field of the action plan";
  for (const std::string& f : files) {
    Result<Overlay> o = ParseOverlay(ReadFile(f), f);
    ASSERT_TRUE(o.has_value()) << o.error().ToString();
    Result<void> a = AttachOverlay(*m, std::move(*o));
    ASSERT_TRUE(a.has_value()) << a.error().ToString();
  }
  Result<Evaluator> ev = Evaluator::Compile(*m);
  ASSERT_TRUE(ev.has_value()) << ev.error().ToString();
  std::vector<std::string> all = {"food_drug",   "construction",   "bidding", "work_safety",
                                  "fire_safety", "medical_health", "eco_env", "price",
                                  "statistics",  "fiscal_funds"};
  EXPECT_EQ(ev->IndustryMask(all), (1u << 10) - 1);
  EXPECT_EQ(ev->BandOf(850).code, "A");
  EXPECT_EQ(ev->BandOf(849).code, "B");
  EXPECT_EQ(ev->BandOf(549).code, "D");
}

}  // namespace
}  // namespace xy::scoring
