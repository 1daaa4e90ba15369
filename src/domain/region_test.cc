#include "domain/region.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace xy {
namespace {

using ::testing::HasSubstr;

TEST(RegionTableTest, EmbeddedTableHasHuainan) {
  const RegionTable& t = RegionTable::Default();
  EXPECT_GT(t.size(), 6000u);
  const std::pair<int, const char*> huainan[] = {
      {340400, "淮南市"}, {340402, "大通区"}, {340403, "田家庵区"}, {340404, "谢家集区"},
      {340405, "八公山区"}, {340406, "潘集区"}, {340421, "凤台县"}, {340422, "寿县"}};
  for (const auto& [code, name] : huainan) {
    const Region* r = t.Find(code);
    ASSERT_NE(r, nullptr) << code;
    EXPECT_EQ(r->name(), name);
    EXPECT_TRUE(r->current()) << code;
  }
  EXPECT_EQ(t.Find(340400)->level, RegionLevel::kPrefecture);
  EXPECT_EQ(t.Find(340000)->level, RegionLevel::kProvince);
  EXPECT_EQ(t.Find(340422)->level, RegionLevel::kCounty);
}

TEST(RegionTableTest, HistoricCodesAndReusedCodes) {
  const RegionTable& t = RegionTable::Default();
  const Region* old_shouxian = t.Find("342422");
  ASSERT_NE(old_shouxian, nullptr);
  EXPECT_FALSE(old_shouxian->current());
  EXPECT_EQ(t.FullName(342422), "安徽省/六安地区/寿县");
  // 120110 was 东郊区 until 1991 and 东丽区 since 1992.
  const Region* dongli = t.Find(120110);
  ASSERT_NE(dongli, nullptr);
  ASSERT_EQ(dongli->periods.size(), 2u);
  EXPECT_EQ(dongli->name(), "东丽区");
  EXPECT_EQ(dongli->NameIn(1985), "东郊区");
  EXPECT_EQ(dongli->NameIn(2000), "东丽区");
  EXPECT_EQ(t.Find(999999), nullptr);
  EXPECT_EQ(t.Find("34042"), nullptr);
  EXPECT_EQ(t.Find("34042x"), nullptr);
}

TEST(RegionTableTest, ProvincePrefixes) {
  const RegionTable& t = RegionTable::Default();
  for (int p : {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}) {
    EXPECT_TRUE(t.IsProvincePrefix(p)) << p;
  }
  for (int p : {0, 10, 16, 20, 40, 55, 66, 70, 83, 99, -1, 100}) {
    EXPECT_FALSE(t.IsProvincePrefix(p)) << p;
  }
}

TEST(RegionTableTest, FullNamesSkipPlaceholderLevels) {
  const RegionTable& t = RegionTable::Default();
  EXPECT_EQ(t.FullName(340422), "安徽省/淮南市/寿县");
  EXPECT_EQ(t.FullName(340400), "安徽省/淮南市");
  EXPECT_EQ(t.FullName(340000), "安徽省");
  EXPECT_EQ(t.FullName(110101), "北京市/东城区");  // not 北京市/市辖区/东城区
  EXPECT_EQ(t.FullName(120110, 1985), "天津市/东郊区");
}

TEST(RegionTableTest, FindByPath) {
  const RegionTable& t = RegionTable::Default();
  EXPECT_EQ(t.FindByPath("安徽省/淮南市/寿县").value(), 340422);
  EXPECT_EQ(t.FindByPath("淮南市/寿县").value(), 340422);
  EXPECT_EQ(t.FindByPath("寿县").value(), 340422);  // the current one over 342422
  EXPECT_EQ(t.FindByPath("安徽省/六安地区/寿县").value(), 342422);
  EXPECT_EQ(t.FindByPath("淮南市").value(), 340400);
  Result<int> ambiguous = t.FindByPath("朝阳区");
  ASSERT_FALSE(ambiguous.has_value());
  EXPECT_EQ(ambiguous.error().reason, "region.ambiguous");
  EXPECT_THAT(ambiguous.error().message, HasSubstr("110105 北京市/朝阳区"));
  Result<int> unknown = t.FindByPath("安徽省/不存在县");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().message_zh, "未找到行政区划“安徽省/不存在县”");
}

TEST(RegionTableTest, ParseErrorsNameTheLine) {
  struct Case {
    const char* tsv;
    const char* message;
  };
  const Case cases[] = {
      {"code\tvalid_from\tvalid_to\tprovince\tname\n34040\t\t\t安徽省\t淮南市\n", "line 2: code"},
      {"340400\t\t\t安徽省\n", "line 1: expected 5"},
      {"340400\t19x3\t\t安徽省\t淮南市\n", "line 1: valid_from"},
      {"340400\t\t20\t安徽省\t淮南市\n", "line 1: valid_to"},
      {"340400\t\t\t安徽省\t\n", "line 1: empty name"},
      {"# nothing\n", "no rows"},
  };
  for (const Case& c : cases) {
    Result<RegionTable> r = RegionTable::Parse(c.tsv);
    ASSERT_FALSE(r.has_value()) << c.tsv;
    EXPECT_EQ(r.error().reason, "region.parse");
    EXPECT_THAT(r.error().message, HasSubstr(c.message));
  }
  Result<RegionTable> crlf = RegionTable::Parse("340400\t\t\t安徽省\t淮南市\r\n");
  ASSERT_TRUE(crlf.has_value());
  EXPECT_EQ(crlf->Find(340400)->name(), "淮南市");
}

}  // namespace
}  // namespace xy
