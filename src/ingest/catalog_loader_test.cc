#include "ingest/catalog_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

namespace xy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kConfig = std::string(XY_SOURCE_DIR) + "/config/catalog/";

Result<Catalog> LoadShipped() {
  return LoadCatalog({kConfig + "national", kConfig + "340000-anhui", kConfig + "340400-huainan"});
}

// ---------------------------------------------------------------------------------------------
// The shipped configuration.

TEST(CatalogShippedTest, LoadsAllThreeLayers) {
  Result<Catalog> c = LoadShipped();
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  for (const char* code : {"subject_registry", "admin_license", "admin_penalty", "judgment_debtor",
                           "tax_violation", "tax_a_rating", "wage_arrears", "abnormal_operation",
                           "serious_violation", "commitment", "honor"}) {
    const CatalogItem* item = c->Find(code);
    ASSERT_NE(item, nullptr) << code;
    EXPECT_EQ(item->layers.front(), "national/" + std::string(code) + ".toml");
    EXPECT_TRUE(item->departments.empty()) << code;  // national files: any department
    EXPECT_FALSE(item->natural_key.empty()) << code;
    EXPECT_FALSE(item->subject_name_field.empty()) << code;
    EXPECT_FALSE(item->subject_code_field.empty()) << code;
  }
  // The Anhui layer adds a whole item.
  const CatalogItem* card = c->Find("tax_green_card");
  ASSERT_NE(card, nullptr);
  EXPECT_EQ(card->nature, Nature::kTrustworthy);
  EXPECT_EQ(card->version, "340000.2025.1");
  EXPECT_THAT(card->layers, ElementsAre("340000-anhui/tax_green_card.toml"));
  EXPECT_EQ(c->items().size(), 12u);
  EXPECT_THAT(c->version,
              StartsWith("national@2024.1, 340000-anhui@2025.1, 340400-huainan@2025.1 #"));
}

TEST(CatalogShippedTest, AdminPenaltyKeyFacts) {
  Result<Catalog> c = LoadShipped();
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  const CatalogItem* p = c->Find("admin_penalty");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name, "行政处罚");
  EXPECT_EQ(p->nature, Nature::kDishonest);
  EXPECT_EQ(p->scope, SharingScope::kPublic);
  EXPECT_EQ(p->report_deadline_working_days, 7);
  EXPECT_THAT(p->natural_key, ElementsAre("CF_CFJGDM", "CF_WSH", "CF_XDR_MC"));
  EXPECT_EQ(p->subject_kind_field, "CF_XDR_LB");
  EXPECT_EQ(p->subject_code_field, "CF_XDR_SHXYM");
  EXPECT_EQ(p->person_id_field, "CF_XDR_ZJHM");
  EXPECT_EQ(p->decided_on_field, "CF_JDRQ");
  EXPECT_EQ(p->publicity_start_field, "CF_JDRQ");
  EXPECT_EQ(p->version, "2024.1+340400.2025.1");
  EXPECT_THAT(p->layers,
              ElementsAre("national/admin_penalty.toml", "340400-huainan/admin_penalty.toml"));

  const FieldSpec* fk = p->Field("CF_NR_FK");
  ASSERT_NE(fk, nullptr);
  EXPECT_EQ(fk->type, FieldType::kDecimal);
  EXPECT_FALSE(fk->required);
  ASSERT_EQ(fk->required_if.size(), 1u);
  EXPECT_EQ(fk->required_if[0].field, "CF_CFLB");
  EXPECT_THAT(fk->required_if[0].any_of, ElementsAre("罚款"));
  EXPECT_THAT(p->Field("CF_NR_WFFF")->required_if[0].any_of,
              ElementsAre("没收违法所得", "没收非法财物"));
  EXPECT_THAT(p->Field("CF_NR_ZKDX")->required_if[0].any_of,
              ElementsAre("暂扣许可证件", "吊销许可证件"));

  const FieldSpec* lb = p->Field("CF_CFLB");
  ASSERT_NE(lb, nullptr);
  EXPECT_EQ(lb->type, FieldType::kEnum);
  EXPECT_TRUE(lb->multi);
  EXPECT_EQ(lb->enum_values.size(), 14u);
  EXPECT_EQ(lb->enum_values.front(), "警告");
  EXPECT_EQ(lb->enum_values.back(), "其他");

  ASSERT_EQ(p->severity_rules.size(), 2u);
  EXPECT_EQ(p->severity_rules[0].level, Severity::kSerious);
  EXPECT_EQ(p->severity_rules[0].when.field, "CF_CFLB");
  EXPECT_FALSE(p->severity_rules[0].when.only);
  EXPECT_THAT(p->severity_rules[0].when.any_of,
              ElementsAre("吊销许可证件", "降低资质等级", "责令停产停业", "责令关闭",
                          "限制开展生产经营活动", "限制从业", "行政拘留"));
  EXPECT_EQ(p->severity_rules[1].level, Severity::kMinor);
  EXPECT_TRUE(p->severity_rules[1].when.only);
  EXPECT_THAT(p->severity_rules[1].when.any_of, ElementsAre("警告"));
  EXPECT_EQ(p->default_severity, Severity::kGeneral);

  EXPECT_FALSE(p->publicity.at(Severity::kMinor).published);
  EXPECT_TRUE(p->publicity.at(Severity::kGeneral).published);
  EXPECT_EQ(p->publicity.at(Severity::kGeneral).min_months, 3);
  EXPECT_EQ(p->publicity.at(Severity::kGeneral).max_months, 12);
  EXPECT_EQ(p->publicity.at(Severity::kSerious).min_months, 12);
  EXPECT_EQ(p->publicity.at(Severity::kSerious).max_months, 36);

  // Personal data and the natural-person subject.
  EXPECT_EQ(p->Field("CF_XDR_SHXYM")->type, FieldType::kUscc);
  EXPECT_EQ(p->Field("CF_XDR_ZJHM")->type, FieldType::kCitizenId);
  EXPECT_TRUE(p->Field("CF_XDR_ZJHM")->personal);
  EXPECT_TRUE(p->Field("CF_FR_ZJHM")->personal);
  EXPECT_FALSE(p->Field("CF_XDR_MC")->personal);
  EXPECT_EQ(p->Field("CF_WSH")->max_length, 128);

  // Headers: labels, the legacy 2016 layout and the 淮南 aliases.
  EXPECT_EQ(p->FieldForHeader("行政相对人名称")->code, "CF_XDR_MC");
  EXPECT_EQ(p->FieldForHeader("罚款金额(万元)")->code, "CF_NR_FK");
  EXPECT_EQ(p->FieldForHeader("处罚事由")->code, "CF_SY");
  EXPECT_EQ(p->FieldForHeader("处罚结果")->code, "CF_NR");
  EXPECT_EQ(p->FieldForHeader("处罚名称")->code, "CF_WFXW");
  EXPECT_EQ(p->FieldForHeader("行政相对人代码_2(组织机构代码)")->code, "CF_XDR_ZZJG");
  EXPECT_EQ(p->FieldForHeader("行政相对人代码_2(工商注册号)")->code, "CF_XDR_GSZC");
  EXPECT_EQ(p->FieldForHeader("行政相对人代码_5(居民身份证号)")->code, "CF_XDR_ZJHM");
  EXPECT_EQ(p->FieldForHeader("代码_1")->code, "CF_XDR_SHXYM");
  EXPECT_EQ(p->FieldForHeader("处罚决定书文号")->code, "CF_WSH");  // 340400 layer
}

TEST(CatalogShippedTest, AdminLicenseKeyFacts) {
  Result<Catalog> c = LoadShipped();
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  const CatalogItem* l = c->Find("admin_license");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->report_deadline_working_days, 7);
  ASSERT_EQ(l->cross_rules.size(), 1u);
  EXPECT_EQ(l->cross_rules[0].kind, CrossRule::Kind::kDateOrder);
  EXPECT_EQ(l->cross_rules[0].first, "XK_YXQZ");
  EXPECT_EQ(l->cross_rules[0].second, "XK_YXQZI");
  EXPECT_THAT(l->Field("XK_XKLB")->enum_values,
              ElementsAre("普通", "特许", "认可", "核准", "登记", "其他"));
  EXPECT_EQ(l->FieldForHeader("许可截止期")->code, "XK_YXQZI");
  EXPECT_EQ(l->FieldForHeader("审批类别")->code, "XK_XKLB");
  EXPECT_EQ(l->FieldForHeader("项目名称")->code, "XK_XKWS");
  EXPECT_EQ(l->FieldForHeader("XK_FR_SFZH")->code, "XK_FR_ZJHM");
  EXPECT_EQ(l->Field("XK_XKJGDM")->type, FieldType::kUscc);
  EXPECT_EQ(l->Field("XK_YXQZI")->label, "有效期至");
}

TEST(CatalogShippedTest, CommitmentKeyFacts) {
  Result<Catalog> c = LoadShipped();
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  const CatalogItem* m = c->Find("commitment");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->nature, Nature::kNeutral);
  EXPECT_THAT(m->Field("CN_CNLX")->enum_values,
              ElementsAre("审批替代型", "容缺受理型", "证明事项型", "信用修复型", "行业自律型",
                          "主动型", "其他"));
  EXPECT_THAT(m->Field("CN_LXZT")->enum_values, ElementsAre("全部履行", "部分履行", "全部未履行"));
  EXPECT_EQ(m->Field("CN_CNBM")->max_length, 20);
  EXPECT_TRUE(m->Field("CN_CNBM")->required);
  EXPECT_EQ(m->Field("CN_CNRDM")->type, FieldType::kSubjectCode);
  EXPECT_EQ(m->subject_code_field, "CN_CNRDM");
  for (const char* code : {"CN_WLXNR", "CN_WNZRZJ"}) {
    const FieldSpec* f = m->Field(code);
    ASSERT_NE(f, nullptr) << code;
    EXPECT_FALSE(f->required);
    EXPECT_EQ(f->max_length, 4000);
    ASSERT_EQ(f->required_if.size(), 1u);
    EXPECT_EQ(f->required_if[0].field, "CN_LXZT");
    EXPECT_THAT(f->required_if[0].any_of, ElementsAre("部分履行", "全部未履行"));
  }
  EXPECT_FALSE(m->Field("CN_YXQ")->required);
  EXPECT_THAT(m->Field("CN_GKLX")->enum_values,
              ElementsAre("可向社会公开", "特定范围内公开", "不可公开"));
}

TEST(CatalogShippedTest, ListsHavePublicityPeriods) {
  Result<Catalog> c = LoadShipped();
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  const CatalogItem* sv = c->Find("serious_violation");
  EXPECT_EQ(sv->default_severity, Severity::kSerious);
  EXPECT_EQ(sv->publicity.at(Severity::kSerious).max_months, 36);
  EXPECT_EQ(sv->publicity.at(Severity::kSerious).min_months, 12);
  const CatalogItem* jd = c->Find("judgment_debtor");
  EXPECT_EQ(jd->nature, Nature::kDishonest);
  EXPECT_EQ(jd->publicity.at(Severity::kSerious).max_months, 24);
  EXPECT_THAT(jd->natural_key, ElementsAre("SX_AH", "SX_BZXR_MC"));
  EXPECT_TRUE(jd->Field("SX_BZXR_ZJHM")->personal);
  EXPECT_EQ(c->Find("tax_a_rating")->Field("NS_XYJB")->enum_values, std::vector<std::string>{"A"});
  EXPECT_EQ(c->Find("subject_registry")->nature, Nature::kBasic);
  EXPECT_THAT(c->Find("subject_registry")->Field("DJ_JYZT")->enum_values,
              ElementsAre("存续", "注销", "吊销", "迁出"));
  EXPECT_EQ(c->Find("honor")->nature, Nature::kTrustworthy);
}

// ---------------------------------------------------------------------------------------------
// Rejections, from strings.

const std::string kDemo = R"toml(version = "2024.1"
code = "demo"
name = "演示目录项"
nature = "失信"
natural_key = ["D_WSH"]
subject_name_field = "D_MC"
subject_kind_field = "D_LB"
subject_code_field = "D_DM"
person_id_field = "D_ZJHM"
decided_on_field = "D_JDRQ"
publicity_start_field = "D_JDRQ"
default_severity = "一般"
publicity."一般" = { min_months = 3, max_months = 12 }

[[severity_rules]]
level = "严重"
field = "D_CFLB"
any_of = ["吊销"]

[[cross_rules]]
kind = "date_order"
first = "D_JDRQ"
second = "D_JZRQ"

[[fields]]
code = "D_MC"
label = "名称"
type = "text"
max_length = 200
required = true

[[fields]]
code = "D_LB"
label = "类别"
type = "enum"
enum_values = ["法人及非法人组织", "自然人"]

[[fields]]
code = "D_DM"
label = "统一社会信用代码"
type = "uscc"

[[fields]]
code = "D_ZJHM"
label = "证件号码"
type = "citizen_id"
personal = true

[[fields]]
code = "D_WSH"
label = "文号"
type = "text"

[[fields]]
code = "D_CFLB"
label = "处罚类别"
type = "enum"
multi = true
enum_values = ["警告", "罚款", "吊销"]

[[fields]]
code = "D_FK"
label = "罚款金额(万元)"
type = "decimal"
required_if = [{ field = "D_CFLB", any_of = ["罚款"] }]

[[fields]]
code = "D_JDRQ"
label = "决定日期"
type = "date"

[[fields]]
code = "D_JZRQ"
label = "截止日期"
type = "date"
)toml";

// kDemo with `from` replaced by `to` (which must occur exactly once).
std::string With(const std::string& from, const std::string& to, std::string text = kDemo) {
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from << " occurs twice";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

Result<Catalog> LoadOne(const std::string& text, const std::string& file = "demo.toml") {
  return LoadCatalogLayers({CatalogLayer{"national", "", {CatalogFile{file, text}}}});
}

Result<Catalog> LoadTwo(const std::string& national, const std::string& anhui,
                        const std::string& anhui_file = "demo.toml") {
  return LoadCatalogLayers({CatalogLayer{"national", "", {CatalogFile{"demo.toml", national}}},
                            CatalogLayer{"340000-anhui", "", {CatalogFile{anhui_file, anhui}}}});
}

// The error is catalog.invalid and its messages contain every piece.
void ExpectInvalid(const Result<Catalog>& r, std::initializer_list<std::string> pieces) {
  ASSERT_FALSE(r.has_value()) << "loaded, expected an error mentioning " << *pieces.begin();
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().reason, "catalog.invalid");
  for (const std::string& p : pieces) EXPECT_THAT(r.error().message, HasSubstr(p));
  EXPECT_THAT(r.error().message_zh, HasSubstr("目录配置文件"));
}

TEST(CatalogLoaderTest, DemoLoads) {
  Result<Catalog> c = LoadOne(kDemo);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  const CatalogItem* d = c->Find("demo");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->fields.size(), 9u);
  EXPECT_EQ(d->fields[0].code, "D_MC");  // file order kept
  EXPECT_EQ(d->version, "2024.1");
  EXPECT_THAT(d->layers, ElementsAre("national/demo.toml"));
  EXPECT_EQ(d->scope, SharingScope::kPublic);  // default
  EXPECT_EQ(d->report_deadline_working_days, 0);
  EXPECT_TRUE(d->publicity.at(Severity::kGeneral).published);
  EXPECT_THAT(c->version, StartsWith("national@2024.1 #"));
}

TEST(CatalogLoaderTest, RejectsUnknownTopLevelKeyWithLine) {
  ExpectInvalid(LoadOne("colour = \"red\"\n" + kDemo),
                {"national/demo.toml:1: colour: unknown key"});
}

TEST(CatalogLoaderTest, RejectsUnknownFieldKey) {
  ExpectInvalid(LoadOne(With("label = \"文号\"", "label = \"文号\"\nlable = \"x\"")),
                {"national/demo.toml:", "fields[D_WSH].lable: unknown key"});
}

TEST(CatalogLoaderTest, RejectsUnknownConditionKey) {
  ExpectInvalid(LoadOne(With("any_of = [\"罚款\"] }", "any_of = [\"罚款\"], onli = true }")),
                {"national/demo.toml:", "fields[D_FK].required_if[0].onli: unknown key"});
}

TEST(CatalogLoaderTest, RejectsUnknownPublicityAndRuleKeys) {
  ExpectInvalid(LoadOne(With("max_months = 12 }", "max_months = 12, maximum = 1 }")),
                {"demo.toml", "publicity.一般.maximum: unknown key"});
  ExpectInvalid(LoadOne(With("any_of = [\"吊销\"]", "any_of = [\"吊销\"]\nwhen = 1")),
                {"demo.toml", "severity_rules[0].when: unknown key"});
  ExpectInvalid(LoadOne(With("second = \"D_JZRQ\"", "second = \"D_JZRQ\"\nthird = \"D_MC\"")),
                {"demo.toml", "cross_rules[0].third: unknown key"});
}

TEST(CatalogLoaderTest, RejectsWrongTypes) {
  ExpectInvalid(LoadOne(With("max_length = 200", "max_length = \"200\"")),
                {"demo.toml", "fields[D_MC].max_length: expected an integer, found a string"});
  ExpectInvalid(LoadOne(With("required = true", "required = \"yes\"")),
                {"demo.toml", "fields[D_MC].required: expected a boolean"});
  ExpectInvalid(LoadOne(With("natural_key = [\"D_WSH\"]", "natural_key = \"D_WSH\"")),
                {"demo.toml", "natural_key: expected an array of strings, found a string"});
  ExpectInvalid(LoadOne(With("name = \"演示目录项\"", "name = 7")),
                {"demo.toml", "name: expected a string, found an integer"});
  ExpectInvalid(LoadOne(With("publicity.\"一般\" = { min_months = 3, max_months = 12 }",
                             "publicity.\"一般\" = { min_months = 3, max_months = 1.5 }")),
                {"demo.toml", "publicity.一般.max_months: expected an integer, found a float"});
}

TEST(CatalogLoaderTest, RejectsUnknownNames) {
  ExpectInvalid(
      LoadOne(With("label = \"文号\"\ntype = \"text\"", "label = \"文号\"\ntype = \"txt\"")),
      {"demo.toml", "fields[D_WSH].type: unknown field type \"txt\""});
  ExpectInvalid(LoadOne(With("nature = \"失信\"", "nature = \"良好\"")),
                {"demo.toml", "nature: unknown nature \"良好\""});
  ExpectInvalid(LoadOne(With("default_severity = \"一般\"", "default_severity = \"很严重\"")),
                {"demo.toml", "default_severity: unknown severity \"很严重\""});
  ExpectInvalid(LoadOne(With("level = \"严重\"", "level = \"特重\"")),
                {"demo.toml", "severity_rules[0].level: unknown severity \"特重\""});
  ExpectInvalid(LoadOne(With("publicity.\"一般\"", "publicity.\"较重\"")),
                {"demo.toml", "publicity.较重: unknown severity \"较重\""});
  ExpectInvalid(LoadOne(With("nature = \"失信\"", "nature = \"失信\"\nscope = \"公开\"")),
                {"demo.toml", "scope: unknown sharing scope \"公开\""});
  ExpectInvalid(LoadOne(With("kind = \"date_order\"", "kind = \"before\"")),
                {"demo.toml", "cross_rules[0].kind: unknown cross rule kind \"before\""});
}

TEST(CatalogLoaderTest, RejectsReferencesToMissingFields) {
  ExpectInvalid(LoadOne(With("natural_key = [\"D_WSH\"]", "natural_key = [\"D_WSH\", \"D_NOPE\"]")),
                {"national/demo.toml:5: natural_key[1]: names no field of demo: \"D_NOPE\""});
  ExpectInvalid(LoadOne(With("subject_name_field = \"D_MC\"", "subject_name_field = \"D_NAME\"")),
                {"demo.toml", "subject_name_field: names no field of demo: \"D_NAME\""});
  ExpectInvalid(LoadOne(With("subject_kind_field = \"D_LB\"", "subject_kind_field = \"D_KIND\"")),
                {"demo.toml", "subject_kind_field: names no field"});
  ExpectInvalid(LoadOne(With("subject_code_field = \"D_DM\"", "subject_code_field = \"D_CODE\"")),
                {"demo.toml", "subject_code_field: names no field"});
  ExpectInvalid(LoadOne(With("decided_on_field = \"D_JDRQ\"", "decided_on_field = \"D_RQ\"")),
                {"demo.toml", "decided_on_field: names no field of demo: \"D_RQ\""});
  ExpectInvalid(LoadOne(With("second = \"D_JZRQ\"", "second = \"D_END\"")),
                {"demo.toml", "cross_rules[0].second: names no field of demo: \"D_END\""});
  ExpectInvalid(LoadOne(With("field = \"D_CFLB\"\nany_of = [\"吊销\"]",
                             "field = \"D_CFLBX\"\nany_of = [\"吊销\"]")),
                {"demo.toml", "severity_rules[0].field: names no field of demo: \"D_CFLBX\""});
  ExpectInvalid(
      LoadOne(With("{ field = \"D_CFLB\"", "{ field = \"D_LBX\"")),
      {"demo.toml", "fields[D_FK].required_if[0].field: names no field of demo: \"D_LBX\""});
}

TEST(CatalogLoaderTest, RejectsReferencesOfTheWrongKind) {
  ExpectInvalid(
      LoadOne(With("subject_code_field = \"D_DM\"", "subject_code_field = \"D_WSH\"")),
      {"demo.toml", "subject_code_field: field D_WSH must be of type uscc or subject_code"});
  ExpectInvalid(LoadOne(With("decided_on_field = \"D_JDRQ\"", "decided_on_field = \"D_MC\"")),
                {"demo.toml", "decided_on_field: field D_MC must be of type date"});
  ExpectInvalid(
      LoadOne(With("\"法人及非法人组织\", \"自然人\"", "\"法人\", \"自然人\"")),
      {"demo.toml", "subject_kind_field: the values of D_LB must be subject kinds", "\"法人\""});
  // A condition on an enum must use the enum's values (a typo would never match).
  ExpectInvalid(
      LoadOne(With("any_of = [\"吊销\"]", "any_of = [\"吊销许可证\"]")),
      {"demo.toml", "severity_rules[0].any_of[0]: \"吊销许可证\" is not a value of D_CFLB"});
}

TEST(CatalogLoaderTest, RejectsDuplicateFieldCodesAndLabels) {
  ExpectInvalid(
      LoadOne(kDemo + "\n[[fields]]\ncode = \"D_WSH\"\nlabel = \"文号2\"\ntype = \"text\"\n"),
      {"demo.toml", "fields[9].code: duplicate field code \"D_WSH\""});
  ExpectInvalid(
      LoadOne(With("label = \"截止日期\"", "label = \"决定日期\"")),
      {"demo.toml",
       "fields[D_JZRQ].label: duplicate label \"决定日期\": it already names field D_JDRQ"});
  ExpectInvalid(LoadOne(With("label = \"截止日期\"", "label = \"截止日期\"\naliases = [\"文号\"]")),
                {"demo.toml",
                 "fields[D_JZRQ].aliases: duplicate alias \"文号\": it already names field D_WSH"});
}

TEST(CatalogLoaderTest, RejectsEnumWithoutValues) {
  ExpectInvalid(LoadOne(With("enum_values = [\"法人及非法人组织\", \"自然人\"]", "")),
                {"demo.toml", "fields[D_LB].enum_values: an enum field needs enum_values"});
  ExpectInvalid(
      LoadOne(With("enum_values = [\"法人及非法人组织\", \"自然人\"]", "enum_values = []")),
      {"demo.toml", "fields[D_LB].enum_values: an enum field needs enum_values"});
}

TEST(CatalogLoaderTest, RejectsBadEnumValues) {
  ExpectInvalid(LoadOne(With("[\"警告\", \"罚款\", \"吊销\"]", "[\"警告\", \"罚款\", \"警告\"]")),
                {"demo.toml", "fields[D_CFLB].enum_values[2]: duplicate enum value \"警告\""});
  ExpectInvalid(LoadOne(With("[\"警告\", \"罚款\", \"吊销\"]", "[\"警告\", \"罚款、吊销\"]")),
                {"demo.toml", "fields[D_CFLB].enum_values[1]", "contains a separator"});
}

TEST(CatalogLoaderTest, RejectsNegativeMaxLength) {
  ExpectInvalid(
      LoadOne(With("max_length = 200", "max_length = -1")),
      {"national/demo.toml:", "fields[D_MC].max_length: must be 0 (unlimited) or more, found -1"});
}

TEST(CatalogLoaderTest, RejectsMissingRequiredKeysAndBadFiles) {
  ExpectInvalid(LoadOne(With("name = \"演示目录项\"\n", "")),
                {"demo.toml", "name: missing (required)"});
  ExpectInvalid(LoadOne(With("version = \"2024.1\"\n", "")),
                {"demo.toml", "version: missing (required)"});
  ExpectInvalid(LoadOne(kDemo, "other.toml"),
                {"national/other.toml",
                 "code: the file defining or supplementing demo must be named demo.toml"});
  ExpectInvalid(LoadOne("code = \"demo\"\nname = [\n"),
                {"national/demo.toml:", "TOML syntax error"});
  ExpectInvalid(LoadOne(With("publicity.\"一般\" = { min_months = 3, max_months = 12 }",
                             "publicity.\"一般\" = { min_months = 13, max_months = 12 }")),
                {"demo.toml", "publicity.一般: min_months (13) exceeds max_months (12)"});
  ExpectInvalid(
      LoadOne(
          With("nature = \"失信\"", "nature = \"失信\"\ndepartments = [\"91340400XXXXXXXXXX\"]")),
      {"demo.toml",
       "departments[0]: \"91340400XXXXXXXXXX\" is not a valid unified social credit code"});
  ExpectInvalid(
      LoadOne(With("label = \"证件号码\"", "label = \"证件号码（自然人）\"")),
      {"demo.toml", "fields[D_ZJHM].label", "not in canonical form", "\"证件号码(自然人)\""});
  Result<Catalog> none = LoadCatalogLayers({});
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().reason, "catalog.invalid");
}

TEST(CatalogLoaderTest, ChineseMessageNamesFileLineAndKey) {
  Result<Catalog> r = LoadOne(With("max_length = 200", "max_length = -1"));
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message_zh, HasSubstr("目录配置文件 national/demo.toml 第"));
  EXPECT_THAT(r.error().message_zh,
              HasSubstr("fields[D_MC].max_length：应为 0（不限）或正数，实际为 -1"));
}

// ---------------------------------------------------------------------------------------------
// Layering.

TEST(CatalogLayeringTest, LaterLayerAddsWholeItem) {
  std::string extra =
      With("code = \"demo\"", "code = \"extra\"", With("version = \"2024.1\"", "version = \"1\""));
  Result<Catalog> c = LoadTwo(kDemo, extra, "extra.toml");
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  ASSERT_NE(c->Find("demo"), nullptr);
  const CatalogItem* e = c->Find("extra");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->version, "340000.1");
  EXPECT_THAT(e->layers, ElementsAre("340000-anhui/extra.toml"));
  EXPECT_THAT(c->version, StartsWith("national@2024.1, 340000-anhui@1 #"));
}

TEST(CatalogLayeringTest, SupplementAddsFieldsAliasesAndEnumValues) {
  const std::string supplement = R"toml(version = "2025.1"
code = "demo"
supplement = true

[[fields]]
code = "D_WSH"
aliases = ["决定书文号", "文书号"]

[[fields]]
code = "D_CFLB"
type = "enum"                # restating the type is allowed
enum_values = ["罚款", "没收"]  # 罚款 is already there: kept once

[[fields]]
code = "D_BZ"
label = "备注"
type = "text"
max_length = 512

[[cross_rules]]
kind = "date_order"
first = "D_JDRQ"
second = "D_BZRQ"

[[fields]]
code = "D_BZRQ"
label = "备注日期"
type = "date"
)toml";
  Result<Catalog> c = LoadTwo(kDemo, supplement);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  const CatalogItem* d = c->Find("demo");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->version, "2024.1+340000.2025.1");
  EXPECT_THAT(d->layers, ElementsAre("national/demo.toml", "340000-anhui/demo.toml"));
  ASSERT_EQ(d->fields.size(), 11u);
  EXPECT_EQ(d->fields[9].code, "D_BZ");  // new fields go after the earlier ones
  EXPECT_EQ(d->fields[10].code, "D_BZRQ");
  EXPECT_EQ(d->FieldForHeader("文书号")->code, "D_WSH");
  EXPECT_THAT(d->Field("D_CFLB")->enum_values, ElementsAre("警告", "罚款", "吊销", "没收"));
  ASSERT_EQ(d->cross_rules.size(), 2u);
  EXPECT_EQ(d->cross_rules[1].second, "D_BZRQ");
  // Everything else is as the national file said.
  EXPECT_EQ(d->name, "演示目录项");
  EXPECT_EQ(d->severity_rules.size(), 1u);
  EXPECT_THAT(d->natural_key, ElementsAre("D_WSH"));
}

TEST(CatalogLayeringTest, SupplementOverridesScalars) {
  const std::string supplement = R"toml(version = "2025.1"
code = "demo"
supplement = true
scope = "政务共享"
report_deadline_working_days = 5
departments = ["91350100M000100Y43"]
publicity."一般" = { max_months = 24 }
publicity."严重" = { min_months = 12, max_months = 36 }
)toml";
  Result<Catalog> c = LoadTwo(kDemo, supplement);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  const CatalogItem* d = c->Find("demo");
  EXPECT_EQ(d->scope, SharingScope::kGovernment);
  EXPECT_EQ(d->report_deadline_working_days, 5);
  EXPECT_THAT(d->departments, ElementsAre("91350100M000100Y43"));
  EXPECT_EQ(d->publicity.at(Severity::kGeneral).min_months, 3);  // kept from the national layer
  EXPECT_EQ(d->publicity.at(Severity::kGeneral).max_months, 24);
  EXPECT_EQ(d->publicity.at(Severity::kSerious).max_months, 36);
  EXPECT_EQ(d->fields.size(), 9u);
}

TEST(CatalogLayeringTest, RejectsTypeChange) {
  const std::string supplement =
      "version = \"2025.1\"\ncode = \"demo\"\nsupplement = true\n\n[[fields]]\ncode = "
      "\"D_FK\"\ntype = \"text\"\n";
  ExpectInvalid(
      LoadTwo(kDemo, supplement),
      {"340000-anhui/demo.toml:7: fields[D_FK].type: a later layer may not change a field's type "
       "(decimal → text)"});
}

TEST(CatalogLayeringTest, RejectsOtherChangesToExistingFields) {
  const std::string supplement =
      "version = \"2025.1\"\ncode = \"demo\"\nsupplement = true\n\n[[fields]]\ncode = "
      "\"D_WSH\"\nlabel = \"新文号\"\n";
  ExpectInvalid(LoadTwo(kDemo, supplement),
                {"340000-anhui/demo.toml",
                 "fields[D_WSH].label: a later layer may only add aliases and enum_values"});
  const std::string required =
      "version = \"2025.1\"\ncode = \"demo\"\nsupplement = true\n\n[[fields]]\ncode = "
      "\"D_WSH\"\nrequired = true\n";
  ExpectInvalid(LoadTwo(kDemo, required),
                {"340000-anhui/demo.toml", "fields[D_WSH].required: a later layer"});
}

TEST(CatalogLayeringTest, RejectsItemLevelChangesInSupplement) {
  for (const char* line : {"nature = \"守信\"", "name = \"新名称\"", "natural_key = [\"D_MC\"]",
                           "default_severity = \"严重\"", "subject_name_field = \"D_WSH\""}) {
    std::string supplement =
        "version = \"2025.1\"\ncode = \"demo\"\nsupplement = true\n" + std::string(line) + "\n";
    std::string key(line, std::string_view(line).find(' '));
    ExpectInvalid(LoadTwo(kDemo, supplement),
                  {"340000-anhui/demo.toml:4: " + key + ": a supplement may not change this"});
  }
}

TEST(CatalogLayeringTest, RejectsSupplementAliasClash) {
  const std::string supplement =
      "version = \"2025.1\"\ncode = \"demo\"\nsupplement = true\n\n[[fields]]\ncode = "
      "\"D_WSH\"\naliases = [\"名称\"]\n";
  ExpectInvalid(LoadTwo(kDemo, supplement),
                {"340000-anhui/demo.toml",
                 "fields[D_WSH].aliases: duplicate alias \"名称\": it already names field D_MC"});
}

TEST(CatalogLayeringTest, RejectsSupplementWithoutBaseAndRedefinition) {
  ExpectInvalid(
      LoadTwo(kDemo, "version = \"1\"\ncode = \"other\"\nsupplement = true\n", "other.toml"),
      {"340000-anhui/other.toml:3: supplement: no earlier file defines item other to supplement"});
  ExpectInvalid(
      LoadTwo(kDemo, kDemo),
      {"340000-anhui/demo.toml:2: code: item demo is already defined by national/demo.toml"});
}

TEST(CatalogLayeringTest, VersionDigestFollowsContent) {
  Result<Catalog> a = LoadOne(kDemo);
  Result<Catalog> b = LoadOne(kDemo + "# a comment\n");
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(a->version, b->version);
  EXPECT_EQ(a->version.substr(0, a->version.find('#')), b->version.substr(0, b->version.find('#')));
}

// ---------------------------------------------------------------------------------------------
// Folders.

class CatalogDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        std::filesystem::temp_directory_path() /
        ("xy_catalog_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "national");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(root_ / rel, std::ios::binary) << text;
  }
  std::filesystem::path root_;
};

TEST_F(CatalogDirTest, ReadsTomlFilesOnly) {
  Write("national/demo.toml", kDemo);
  Write("national/README.md", "not toml");
  Result<Catalog> c = LoadCatalog({(root_ / "national").string() + "/"});
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  EXPECT_EQ(c->items().size(), 1u);
  EXPECT_THAT(c->Find("demo")->layers, ElementsAre("national/demo.toml"));
}

TEST_F(CatalogDirTest, ErrorsNameTheFilePath) {
  Write("national/demo.toml", With("max_length = 200", "max_length = -1"));
  Result<Catalog> c = LoadCatalog({(root_ / "national").string()});
  ExpectInvalid(c, {(root_ / "national" / "demo.toml").string() + ":", "fields[D_MC].max_length"});
}

TEST_F(CatalogDirTest, MissingFolderIsNotFound) {
  Result<Catalog> c = LoadCatalog({(root_ / "nope").string()});
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(c.error().reason, "catalog.read");
}

}  // namespace
}  // namespace xy
