#include "ingest/validator.h"

#include "domain/citizen_id.h"
#include "store/encoding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace xy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

// A small penalty-like item built by hand, so each rule is visible in the test.
CatalogItem TestItem() {
  CatalogItem item;
  item.code = "test_penalty";
  item.name = "测试处罚";
  auto field = [&](std::string code, std::string label, FieldType type, bool required = false) {
    FieldSpec f;
    f.code = std::move(code);
    f.label = std::move(label);
    f.type = type;
    f.required = required;
    item.fields.push_back(f);
    return &item.fields.back();
  };
  field("MC", "名称", FieldType::kText, true)->max_length = 10;
  FieldSpec* lb = field("LB", "类别", FieldType::kEnum, true);
  lb->enum_values = {"法人及非法人组织", "自然人", "个体工商户"};
  FieldSpec* code = field("DM", "统一社会信用代码", FieldType::kUscc);
  code->required_if = {{"LB", {"法人及非法人组织", "个体工商户"}, false}};
  FieldSpec* id = field("ZJHM", "证件号码", FieldType::kCitizenId);
  id->personal = true;
  field("WSH", "文书号", FieldType::kText, true);
  FieldSpec* cflb = field("CFLB", "处罚类别", FieldType::kEnum, true);
  cflb->enum_values = {"警告", "罚款", "吊销许可证件"};
  cflb->multi = true;
  FieldSpec* fk = field("FK", "罚款金额（万元）", FieldType::kDecimal);
  fk->required_if = {{"CFLB", {"罚款"}, false}};
  field("JDRQ", "处罚决定日期", FieldType::kDate, true);
  field("JZQ", "公示截止期", FieldType::kDate);
  field("CS", "次数", FieldType::kInteger);
  item.cross_rules = {{CrossRule::Kind::kDateOrder, "JDRQ", "JZQ"}};
  item.natural_key = {"WSH", "MC"};
  item.subject_name_field = "MC";
  item.subject_kind_field = "LB";
  item.subject_code_field = "DM";
  item.person_id_field = "ZJHM";
  item.decided_on_field = "JDRQ";
  item.publicity_start_field = "JDRQ";
  item.default_severity = Severity::kGeneral;
  item.severity_rules = {{Severity::kSerious, {"CFLB", {"吊销许可证件"}, false}},
                         {Severity::kMinor, {"CFLB", {"警告"}, true}}};
  item.publicity = {{Severity::kMinor, {false, 0, 0}},
                    {Severity::kGeneral, {true, 3, 12}},
                    {Severity::kSerious, {true, 12, 36}}};
  return item;
}

const std::vector<std::string> kHeader = {"MC", "类别", "DM", "ZJHM", "WSH", "CFLB", "FK", "JDRQ",
                                          "JZQ", "次数", "备注"};

class ValidatorTest : public ::testing::Test {
 protected:
  ValidatorTest() : item_(TestItem()), clock_(D(2026, 6, 30)) {
    columns_ = *MapColumns(item_, kHeader);
    ctx_.clock = &clock_;
  }

  // A valid organisation row; `change` edits cells by header name.
  ValidatedRow Validate(std::map<std::string, std::string> change = {}) {
    std::map<std::string, std::string> cells = {
        {"MC", "淮南市鑫源商贸有限公司"}, {"类别", "法人及非法人组织"}, {"DM", "91340400MA2TXY7C23"},
        {"ZJHM", ""}, {"WSH", "淮市监处罚〔2024〕12号"}, {"CFLB", "罚款"}, {"FK", "0.2"},
        {"JDRQ", "2024-03-05"}, {"JZQ", "2025-03-05"}, {"次数", "1"}, {"备注", "x"}};
    cells["MC"] = "鑫源商贸";  // within max_length 10
    for (auto& [k, v] : change) cells[k] = v;
    RawRow row;
    row.row_no = 7;
    for (const std::string& h : kHeader) row.cells.push_back(cells[h]);
    return ValidateRow(item_, columns_, row, ctx_);
  }

  static std::vector<std::string> Reasons(const ValidatedRow& v) {
    std::vector<std::string> out;
    for (const RowIssue& i : v.errors) out.push_back(i.reason);
    return out;
  }

  CatalogItem item_;
  FixedClock clock_;
  ColumnMap columns_;
  ValidationContext ctx_;
};

TEST_F(ValidatorTest, MapsColumnsByCodeLabelAndReportsTheRest) {
  EXPECT_EQ(columns_.by_column[1]->code, "LB");  // by label
  EXPECT_EQ(columns_.by_column[10], nullptr);
  EXPECT_THAT(columns_.ignored_columns, ElementsAre("备注"));
  EXPECT_TRUE(columns_.absent_fields.empty());
  Result<ColumnMap> none = MapColumns(item_, {"foo", "bar"});
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().reason, "ingest.columns");
  EXPECT_THAT(none.error().message_zh, HasSubstr("测试处罚"));
  Result<ColumnMap> twice = MapColumns(item_, {"MC", "名称"});
  ASSERT_FALSE(twice.has_value());
  EXPECT_THAT(twice.error().message, HasSubstr("two columns name the field MC"));
}

TEST_F(ValidatorTest, AValidRowBecomesARecord) {
  ValidatedRow v = Validate();
  ASSERT_TRUE(v.valid()) << v.errors[0].message_zh;
  EXPECT_TRUE(v.complete);
  EXPECT_EQ(v.record.item, "test_penalty");
  EXPECT_EQ(v.record.natural_key, "淮市监处罚〔2024〕12号\x1f鑫源商贸");
  EXPECT_EQ(v.record.subject.uscc, "91340400MA2TXY7C23");
  EXPECT_EQ(v.record.subject.kind, SubjectKind::kOrganization);
  EXPECT_EQ(v.record.decided_on, D(2024, 3, 5));
  EXPECT_EQ(v.record.severity, Severity::kGeneral);
  EXPECT_EQ(v.record.publicity_from, D(2024, 3, 5));
  EXPECT_EQ(v.record.publicity_until, D(2025, 3, 5));  // 一般: 12 months
  EXPECT_TRUE(v.record.published);
  EXPECT_EQ(v.record.fields.count("ZJHM"), 0u);  // empty fields are not stored
  EXPECT_EQ(v.record.fields.at("FK"), "0.2");
}

TEST_F(ValidatorTest, CanonicalisesValues) {
  ValidatedRow v = Validate({{"DM", "９１３４０４００ＭＡ２ＴＸＹ７Ｃ２３"},
                             {"JDRQ", "2024年3月5日"},
                             {"JZQ", "2025/3/5 08:00:00"},
                             {"FK", "0.200000"},
                             {"CFLB", "罚款、警告"},
                             {"MC", "  鑫源 商贸 "}});
  ASSERT_TRUE(v.valid()) << v.errors[0].message_zh;
  EXPECT_EQ(v.record.fields.at("DM"), "91340400MA2TXY7C23");
  EXPECT_EQ(v.record.fields.at("JDRQ"), "2024-03-05");
  EXPECT_EQ(v.record.fields.at("JZQ"), "2025-03-05");
  EXPECT_EQ(v.record.fields.at("FK"), "0.2");
  EXPECT_EQ(v.record.fields.at("CFLB"), "罚款;警告");
  EXPECT_EQ(v.record.subject.name, "鑫源商贸");  // the space between CJK characters goes
  ASSERT_EQ(v.warnings.size(), 1u);
  EXPECT_EQ(v.warnings[0].reason, "uscc.normalized");
}

TEST_F(ValidatorTest, EveryReasonCode) {
  struct Case {
    std::map<std::string, std::string> change;
    std::vector<std::string> reasons;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"MC", ""}}, {"field.required"}, "第7行缺少必填项“名称”(MC)"},
      {{{"MC", "一二三四五六七八九十一"}}, {"field.too_long"}, "“名称”(MC)超过10字（实际11字）"},
      {{{"JDRQ", "2024-02-30"}}, {"field.date"}, "“处罚决定日期”(JDRQ)“2024-02-30”不是有效日期"},
      {{{"FK", "-1"}}, {"field.decimal"}, "不是有效的非负数"},
      {{{"FK", "1.0000001"}}, {"field.decimal"}, "“罚款金额（万元）”(FK)"},
      {{{"次数", "1.5"}}, {"field.integer"}, "“次数”(CS)“1.5”不是整数"},
      {{{"CFLB", "罚没"}}, {"field.enum"}, "的值“罚没”不在允许范围内（警告、罚款、吊销许可证件）"},
      {{{"DM", "91340400MA2TXY7C24"}}, {"uscc.check"}, "第18位校验码为“4”，应为“3”"},
      {{{"DM", "91340400MA2TXY7O23"}}, {"uscc.charset"}, "第16位字符“O”"},
      {{{"DM", "9134040"}}, {"uscc.length"}, "应为18位，实际为7位"},
      {{{"JZQ", "2024-03-04"}}, {"cross.date_order"}, "“公示截止期”(JZQ)“2024-03-04”早于“处罚决定日期”(JDRQ)"},
      {{{"FK", ""}}, {"field.required"}, "（处罚类别为“罚款”时必填）"},
      {{{"DM", ""}}, {"field.required"}, "（类别为“法人及非法人组织”时必填）"},
      {{{"MC", ""}, {"JDRQ", "x"}}, {"field.date", "field.required"}, "第7行"},
  };
  for (const Case& c : cases) {
    ValidatedRow v = Validate(c.change);
    EXPECT_EQ(Reasons(v), c.reasons) << c.message;
    ASSERT_FALSE(v.errors.empty()) << c.message;
    std::string all;
    for (const RowIssue& i : v.errors) all += i.message_zh;
    EXPECT_THAT(all, HasSubstr(c.message));
  }
}

TEST_F(ValidatorTest, CodeErrorsAndCompletenessAreFlagged) {
  EXPECT_TRUE(Validate({{"DM", "91340400MA2TXY7C24"}}).code_error);
  EXPECT_TRUE(Validate({{"DM", "91340400MA2TXY7C24"}}).complete);
  EXPECT_FALSE(Validate({{"MC", ""}}).complete);
  EXPECT_FALSE(Validate({{"MC", ""}}).code_error);
}

TEST_F(ValidatorTest, ReviewedExceptionsAreKeptWithAWarning) {
  UsccExceptions exceptions = *UsccExceptions::Parse("# reviewed\n91340400MA2TXY7C24\tli\tpilot\n");
  ctx_.exceptions = &exceptions;
  ValidatedRow v = Validate({{"DM", "91340400MA2TXY7C24"}});
  EXPECT_TRUE(v.valid());
  ASSERT_EQ(v.warnings.size(), 1u);
  EXPECT_EQ(v.warnings[0].reason, "uscc.exception");
  EXPECT_FALSE(UsccExceptions::Parse("9134\n").has_value());
}

TEST_F(ValidatorTest, NaturalPersonsAreIdentifiedByTheirIdNumber) {
  std::string first17 = "34040419800101001";
  std::string id = first17 + CitizenIdCheckChar(first17);
  ValidatedRow v = Validate({{"类别", "自然人"}, {"DM", ""}, {"ZJHM", id}, {"MC", "张三"}});
  ASSERT_TRUE(v.valid()) << v.errors[0].message_zh;
  EXPECT_EQ(v.person_id, id);
  EXPECT_EQ(v.record.subject.kind, SubjectKind::kPerson);
  EXPECT_TRUE(v.record.subject.uscc.empty());
  ValidatedRow missing = Validate({{"类别", "自然人"}, {"DM", ""}, {"ZJHM", ""}, {"MC", "张三"}});
  EXPECT_EQ(Reasons(missing), std::vector<std::string>{"field.required"});
  ValidatedRow bad = Validate({{"类别", "自然人"}, {"DM", ""}, {"ZJHM", first17 + "0"}, {"MC", "张三"}});
  EXPECT_THAT(Reasons(bad), ElementsAre(::testing::StartsWith("id.")));
}

TEST_F(ValidatorTest, EncodedFieldsEqualTheMapWithPersonalFieldsSealed) {
  // Ingest asks for the fields encoded: the same canonical JSON the store would make of the map,
  // after the personal field went through the sealer; a rejected row still comes back as a map.
  std::string first17 = "34040419800101001";
  std::string id = first17 + CitizenIdCheckChar(first17);
  const std::map<std::string, std::string> person = {
      {"类别", "自然人"}, {"DM", ""}, {"ZJHM", id}, {"MC", "张三"}, {"WSH", "淮\"罚1号"}};
  ValidatedRow plain = Validate(person);
  ASSERT_TRUE(plain.valid()) << plain.errors[0].message_zh;
  std::map<std::string, std::string> expected = plain.record.fields;
  ASSERT_EQ(expected.at("ZJHM"), id);
  expected["ZJHM"] = "sealed(" + id + ")";

  ctx_.encode_fields = true;
  ctx_.seal_personal = [](std::string_view v) { return "sealed(" + std::string(v) + ")"; };
  ValidatedRow encoded = Validate(person);
  ASSERT_TRUE(encoded.valid());
  EXPECT_TRUE(encoded.record.fields.empty());
  EXPECT_EQ(encoded.record.fields_json, CanonicalJson(expected));
  EXPECT_EQ(encoded.record.fields_digest, FieldsDigest(CanonicalJson(expected)));
  EXPECT_EQ(encoded.person_id, id);  // the subject's own ID is sealed by the caller, not here

  ValidatedRow rejected = Validate({{"FK", "abc"}});
  ASSERT_FALSE(rejected.valid());
  EXPECT_TRUE(rejected.record.fields_json.empty());
  EXPECT_EQ(rejected.record.fields.at("FK"), "abc");
}

TEST_F(ValidatorTest, SeverityAndPublicityFollowTheRules) {
  ValidatedRow serious = Validate({{"CFLB", "罚款;吊销许可证件"}});
  EXPECT_EQ(serious.record.severity, Severity::kSerious);
  EXPECT_EQ(serious.record.publicity_until, D(2027, 3, 5));
  ValidatedRow minor = Validate({{"CFLB", "警告"}, {"FK", ""}});
  ASSERT_TRUE(minor.valid());
  EXPECT_EQ(minor.record.severity, Severity::kMinor);
  EXPECT_FALSE(minor.record.published);
}

TEST_F(ValidatorTest, DecodeErrorsBecomeRowDecode) {
  RawRow row;
  row.row_no = 3;
  row.error = "unclosed quote";
  row.error_zh = "引号未闭合";
  ValidatedRow v = ValidateRow(item_, columns_, row, ctx_);
  EXPECT_EQ(Reasons(v), std::vector<std::string>{"row.decode"});
  EXPECT_EQ(v.errors[0].message_zh, "第3行：引号未闭合");
}

TEST(LenientDateTest, AcceptedAndRefusedForms) {
  EXPECT_EQ(ParseLenientDate("2023-01-05"), D(2023, 1, 5));
  EXPECT_EQ(ParseLenientDate("2023/1/5"), D(2023, 1, 5));
  EXPECT_EQ(ParseLenientDate("20230105"), D(2023, 1, 5));
  EXPECT_EQ(ParseLenientDate("2023年1月5日"), D(2023, 1, 5));
  EXPECT_EQ(ParseLenientDate("2023.01.05"), D(2023, 1, 5));
  EXPECT_EQ(ParseLenientDate("２０２３－０１－０５"), D(2023, 1, 5));
  EXPECT_EQ(ParseLenientDate("2023-01-05T08:30:00"), D(2023, 1, 5));
  for (const char* bad : {"", "2023-13-01", "2023-02-29", "23-1-5", "2023-01", "01/05/2023",
                          "2023-01-05x", "1899-12-31", "abc"}) {
    EXPECT_FALSE(ParseLenientDate(bad).has_value()) << bad;
  }
}

TEST(AddMonthsTest, ClampsToTheMonthEnd) {
  EXPECT_EQ(AddMonths(D(2024, 1, 31), 1), D(2024, 2, 29));
  EXPECT_EQ(AddMonths(D(2023, 1, 31), 1), D(2023, 2, 28));
  EXPECT_EQ(AddMonths(D(2024, 3, 5), 36), D(2027, 3, 5));
  EXPECT_EQ(AddMonths(D(2024, 11, 30), 3), D(2025, 2, 28));
}

}  // namespace
}  // namespace xy
