#include "ingest/jsonl_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "temp_dir.h"

namespace xy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using test::TempDir;

struct Table {
  std::vector<std::string> header;
  std::vector<RawRow> rows;
};

Result<Table> ReadAll(const std::string& path) {
  Result<std::unique_ptr<Reader>> reader = OpenJsonLinesReader(path);
  if (!reader) return std::unexpected(reader.error());
  EXPECT_EQ((*reader)->encoding(), TextEncoding::kUtf8);
  Table table;
  table.header = (*reader)->header();
  while (true) {
    Result<std::optional<RawRow>> row = (*reader)->Next();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    table.rows.push_back(std::move(**row));
  }
  return table;
}

TEST(JsonLinesReaderTest, ValuesBecomeTheirText) {
  TempDir dir;
  const std::string line =
      R"({"s":"淮南市","i":20230101,"f":0.2,"e":1E5,"z":-0,"big":123456789012345678901234567890,)"
      R"("t":true,"no":false,"n":null,"o":{"a": [1, 2.50, "x y"], "b" : {}},"arr":[ ],)"
      R"("esc":"\u6dee\u5357\n\"q\"\\","neg":-1.5e-3 })";
  Result<Table> t = ReadAll(dir.Write("a.jsonl", line + "\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(t->header, ElementsAre("s", "i", "f", "e", "z", "big", "t", "no", "n", "o", "arr",
                                     "esc", "neg"));
  ASSERT_EQ(t->rows.size(), 1u);
  const RawRow& row = t->rows[0];
  EXPECT_FALSE(row.error) << *row.error;
  EXPECT_EQ(row.row_no, 1);
  EXPECT_THAT(row.cells,
              ElementsAre("淮南市", "20230101", "0.2", "1E5", "-0",
                          "123456789012345678901234567890", "true", "false", "",
                          R"({"a":[1,2.50,"x y"],"b":{}})", "[]", "淮南\n\"q\"\\", "-1.5e-3"));
  EXPECT_EQ(row.raw, line);
}

TEST(JsonLinesReaderTest, HeaderIsEveryKeyInFirstSeenOrder) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("a.jsonl",
                                      "{\"a\":1,\"b\":2}\n"
                                      "{\"c\":3,\"b\":4}\n"
                                      "{\"d\":5}\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(t->header, ElementsAre("a", "b", "c", "d"));
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_THAT(t->rows[0].cells, ElementsAre("1", "2", "", ""));
  EXPECT_THAT(t->rows[1].cells, ElementsAre("", "4", "3", ""));
  EXPECT_THAT(t->rows[2].cells, ElementsAre("", "", "", "5"));
}

TEST(JsonLinesReaderTest, RepeatedKeyLastValueWins) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("a.jsonl", "{\"a\":1,\"a\":2}\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(t->header, ElementsAre("a"));
  EXPECT_THAT(t->rows[0].cells, ElementsAre("2"));
}

TEST(JsonLinesReaderTest, LineThatIsNotOneObjectIsAnErrorRow) {
  TempDir dir;
  const std::vector<std::string> bad = {
      "[1,2]",
      "3",
      "\"text\"",
      "{\"a\":1} x",
      "{\"a\":1}{\"a\":2}",
      "{\"a\":01}",
      "{\"a\":-}",
      "{\"a\":tru}",
      "{\"a\":nul}",
      "{\"a\":[1,2}",
      "{\"a\":{\"b\":1,}}",
      "not json",
      "{\"a\":\"\xFF\"}",
      "{\"a\":1,}",
      "{\"a\":1",
      "{\"zzz\":1,\"a\"}",
  };
  std::string content = "{\"a\":\"ok\"}\n";
  for (const std::string& line : bad) content += line + "\n";
  content += "{\"a\":\"ok again\"}";
  Result<Table> t = ReadAll(dir.Write("a.jsonl", content));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(t->header, ElementsAre("a"));  // bad lines add no keys
  ASSERT_EQ(t->rows.size(), bad.size() + 2);
  EXPECT_FALSE(t->rows.front().error);
  EXPECT_FALSE(t->rows.back().error);
  EXPECT_THAT(t->rows.back().cells, ElementsAre("ok again"));
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const RawRow& row = t->rows[i + 1];
    std::string n = std::to_string(i + 2);
    EXPECT_EQ(row.row_no, static_cast<std::int64_t>(i + 2));
    ASSERT_TRUE(row.error) << bad[i];
    EXPECT_EQ(*row.error_zh, "第" + n + "行不是有效的JSON对象") << bad[i];
    EXPECT_THAT(*row.error, HasSubstr("row " + n + " is not a valid JSON object")) << bad[i];
    EXPECT_EQ(row.raw, bad[i]);
    EXPECT_THAT(row.cells, ElementsAre("")) << bad[i];
  }
}

TEST(JsonLinesReaderTest, BlankLinesCrlfAndBom) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write(
      "a.jsonl", "\xEF\xBB\xBF\n{\"名称\":\"寿县\"}\r\n\r\n  \t\n{\"名称\":\"凤台县\"}\n\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(t->header, ElementsAre("名称"));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].row_no, 1);
  EXPECT_EQ(t->rows[0].raw, "{\"名称\":\"寿县\"}");
  EXPECT_EQ(t->rows[1].row_no, 2);
  EXPECT_THAT(t->rows[1].cells, ElementsAre("凤台县"));
}

TEST(JsonLinesReaderTest, NoKeysIsAHeaderError) {
  TempDir dir;
  for (std::string_view content : {"", "\n\n  \n", "[1]\nnope\n", "{}\n{}\n"}) {
    Result<Table> t = ReadAll(dir.Write("a.jsonl", content));
    ASSERT_FALSE(t) << content;
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(t.error().reason, "reader.header");
    EXPECT_FALSE(t.error().message_zh.empty());
  }
}

TEST(JsonLinesReaderTest, MissingFileIsNotFound) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Path("none.jsonl"));
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(t.error().reason, "reader.open");
}

TEST(JsonLinesReaderTest, LineOver64MiBFailsTheRead) {
  TempDir dir;
  std::string content = "{\"a\":1}\n{\"a\":\"" + std::string((64 << 20) + 10, 'x') + "\"}\n";
  Result<Table> t = ReadAll(dir.Write("a.jsonl", content));
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(t.error().reason, "reader.record_size");
  EXPECT_THAT(t.error().message_zh, HasSubstr("文件第2行超过64 MiB"));
}

TEST(JsonLinesReaderTest, LinesLongerThanABlock) {
  TempDir dir;
  std::string content;
  const std::string long_value(3 << 20, 'x');
  for (int i = 0; i < 3; ++i) {
    content += "{\"n\":" + std::to_string(i) + ",\"v\":\"" + long_value + "\"}\n";
  }
  for (int i = 3; i < 20000; ++i) {
    content += "{\"n\":" + std::to_string(i) + ",\"v\":\"短\"}\n";
  }
  Result<Table> t = ReadAll(dir.Write("a.jsonl", content));
  ASSERT_TRUE(t) << t.error().ToString();
  ASSERT_EQ(t->rows.size(), 20000u);
  for (std::size_t i = 0; i < t->rows.size(); ++i) {
    ASSERT_FALSE(t->rows[i].error) << i;
    ASSERT_EQ(t->rows[i].cells[0], std::to_string(i));
  }
  EXPECT_EQ(t->rows[2].cells[1], long_value);
  EXPECT_EQ(t->rows[19999].cells[1], "短");
}

}  // namespace
}  // namespace xy
