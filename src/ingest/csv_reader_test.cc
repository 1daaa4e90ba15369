#include "ingest/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unicode/ucnv.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/reader.h"
#include "temp_dir.h"

namespace xy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using test::TempDir;

// UTF-8 → GB18030 with ICU, so the tests do not depend on hand-typed byte tables.
std::string ToGb18030(std::string_view utf8) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* cnv = ucnv_open("gb18030", &status);
  std::string out(utf8.size() * 4 + 8, '\0');
  int32_t n = ucnv_fromAlgorithmic(cnv, UCNV_UTF8, out.data(), static_cast<int32_t>(out.size()),
                                   utf8.data(), static_cast<int32_t>(utf8.size()), &status);
  ucnv_close(cnv);
  EXPECT_TRUE(U_SUCCESS(status)) << u_errorName(status);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string FromGb18030(std::string_view gb) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* cnv = ucnv_open("gb18030", &status);
  std::string out(gb.size() * 3 + 8, '\0');
  int32_t n = ucnv_toAlgorithmic(UCNV_UTF8, cnv, out.data(), static_cast<int32_t>(out.size()),
                                 gb.data(), static_cast<int32_t>(gb.size()), &status);
  ucnv_close(cnv);
  EXPECT_TRUE(U_SUCCESS(status)) << u_errorName(status);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

struct Table {
  std::vector<std::string> header;
  std::vector<RawRow> rows;
  TextEncoding encoding = TextEncoding::kAuto;
};

Result<Table> ReadAll(const std::string& path, TextEncoding encoding = TextEncoding::kAuto,
                      const CsvReaderOptions& options = {}) {
  Result<std::unique_ptr<Reader>> reader = OpenCsvReader(path, encoding, options);
  if (!reader) return std::unexpected(reader.error());
  Table table;
  table.header = (*reader)->header();
  while (true) {
    Result<std::optional<RawRow>> row = (*reader)->Next();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    table.rows.push_back(std::move(**row));
  }
  table.encoding = (*reader)->encoding();
  return table;
}

std::vector<std::vector<std::string>> CellsOf(const Table& table) {
  std::vector<std::vector<std::string>> cells;
  for (const RawRow& row : table.rows) cells.push_back(row.cells);
  return cells;
}

TEST(CsvReaderTest, ReadsUtf8WithoutBom) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write(
      "a.csv", "统一社会信用代码,名称,金额\n91340400MA2N0X0X0X,淮南市某某有限公司,0.20\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->encoding, TextEncoding::kUtf8);
  EXPECT_THAT(t->header, ElementsAre("统一社会信用代码", "名称", "金额"));
  ASSERT_EQ(t->rows.size(), 1u);
  EXPECT_EQ(t->rows[0].row_no, 1);
  EXPECT_THAT(t->rows[0].cells, ElementsAre("91340400MA2N0X0X0X", "淮南市某某有限公司", "0.20"));
  EXPECT_EQ(t->rows[0].raw, "91340400MA2N0X0X0X,淮南市某某有限公司,0.20");
  EXPECT_FALSE(t->rows[0].error);
  EXPECT_FALSE(t->rows[0].error_zh);
}

TEST(CsvReaderTest, SkipsUtf8Bom) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("a.csv", "\xEF\xBB\xBF名称,代码\n寿县,1\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->encoding, TextEncoding::kUtf8);
  EXPECT_THAT(t->header, ElementsAre("名称", "代码"));
  EXPECT_THAT(CellsOf(*t), ElementsAre(ElementsAre("寿县", "1")));
}

TEST(CsvReaderTest, QuotedCellsHoldCommasQuotesAndLineBreaks) {
  TempDir dir;
  const std::string record1 = "\"x,y\",\"he said \"\"hi\"\"\",\"line1\nline2\"";
  const std::string record2 = "\"p\",\"q\r\nr\",\"\"";
  Result<Table> t = ReadAll(dir.Write("a.csv", "a,b,c\n" + record1 + "\n" + record2 + "\r\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(CellsOf(*t), ElementsAre(ElementsAre("x,y", "he said \"hi\"", "line1\nline2"),
                                       ElementsAre("p", "q\r\nr", "")));
  EXPECT_EQ(t->rows[0].raw, record1);
  EXPECT_EQ(t->rows[1].raw, record2);
  EXPECT_EQ(t->rows[1].row_no, 2);  // records, not physical lines
}

TEST(CsvReaderTest, CrlfRowEnds) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("a.csv", "a,b\r\n1,2\r\n3,4\r\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(t->header, ElementsAre("a", "b"));
  EXPECT_THAT(CellsOf(*t), ElementsAre(ElementsAre("1", "2"), ElementsAre("3", "4")));
  EXPECT_EQ(t->rows[1].raw, "3,4");
}

TEST(CsvReaderTest, EmptyLinesAreSkippedAndNotCounted) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("a.csv", "\n\r\na,b\n\n1,2\r\n\r\n\n3,4\n\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(t->header, ElementsAre("a", "b"));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].row_no, 1);
  EXPECT_EQ(t->rows[1].row_no, 2);
  EXPECT_THAT(t->rows[1].cells, ElementsAre("3", "4"));
}

TEST(CsvReaderTest, LineOfCommasOrSpacesIsARecord) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("a.csv", "a,b,c\n,,\n  \n"));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(CellsOf(*t), ElementsAre(ElementsAre("", "", ""), ElementsAre("  ", "", "")));
  EXPECT_FALSE(t->rows[0].error);
  EXPECT_FALSE(t->rows[1].error);
}

TEST(CsvReaderTest, ShortRowIsPaddedWithEmptyCells) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("a.csv", "a,b,c\n1\n1,2\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(CellsOf(*t), ElementsAre(ElementsAre("1", "", ""), ElementsAre("1", "2", "")));
  EXPECT_FALSE(t->rows[0].error);
  EXPECT_EQ(t->rows[0].raw, "1");
}

TEST(CsvReaderTest, LongRowKeepsItsCellsWithError) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("a.csv", "a,b,c\n1,2,3\n1,2,3,4\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_FALSE(t->rows[0].error);
  EXPECT_THAT(t->rows[1].cells, ElementsAre("1", "2", "3", "4"));
  ASSERT_TRUE(t->rows[1].error);
  EXPECT_EQ(*t->rows[1].error, "row 2 has 4 cells but the header has 3");
  EXPECT_EQ(*t->rows[1].error_zh, "第2行有4列，表头只有3列");
}

TEST(CsvReaderTest, UnclosedQuoteAtEndOfFileIsAnErrorRow) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("a.csv", "a,b\n1,2\n3,\"open\nstill open\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_FALSE(t->rows[0].error);
  EXPECT_EQ(t->rows[1].row_no, 2);
  EXPECT_THAT(t->rows[1].cells, ElementsAre("3", "open\nstill open"));
  EXPECT_EQ(t->rows[1].raw, "3,\"open\nstill open");
  ASSERT_TRUE(t->rows[1].error_zh);
  EXPECT_THAT(*t->rows[1].error_zh, HasSubstr("第2行"));
  EXPECT_THAT(*t->rows[1].error_zh, HasSubstr("引号未闭合"));
  EXPECT_THAT(*t->rows[1].error, HasSubstr("not closed"));
}

TEST(CsvReaderTest, UnclosedQuoteInHeaderIsHeaderError) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("a.csv", "a,\"b\n"));
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(t.error().reason, "reader.header");
}

TEST(CsvReaderTest, RecordOverTheSizeLimitFailsTheRead) {
  TempDir dir;
  CsvReaderOptions options;
  options.max_record_bytes = 1 << 10;
  options.block_size = 100;
  options.detect_bytes = 16;  // or the whole small file is read at open
  std::string rest;
  for (int i = 0; i < 2000; ++i) rest += "row," + std::to_string(i) + "\n";
  Result<std::unique_ptr<Reader>> reader = OpenCsvReader(
      dir.Write("a.csv", "a,b\n1,2\n3,\"never closed\n" + rest), TextEncoding::kAuto, options);
  ASSERT_TRUE(reader) << reader.error().ToString();
  Result<std::optional<RawRow>> first = (*reader)->Next();
  ASSERT_TRUE(first && *first);
  Result<std::optional<RawRow>> second = (*reader)->Next();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(second.error().reason, "reader.record_size");
  EXPECT_THAT(second.error().message_zh, HasSubstr("第2行超过"));
  EXPECT_THAT(second.error().message_zh, HasSubstr("引号"));

  Result<Table> header = ReadAll(dir.Write("b.csv", "\"a\n" + rest), TextEncoding::kAuto, options);
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().reason, "reader.record_size");
  EXPECT_THAT(header.error().message_zh, HasSubstr("表头行超过"));
}

TEST(CsvReaderTest, QuotesOnlyOpenACellAtItsStart) {
  TempDir dir;
  // Text after a closing quote is appended; a quote inside an unquoted cell is a character.
  Result<Table> t = ReadAll(dir.Write("a.csv", "a,b,c\n\"ab\"c,x\"y\"z,5\"\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(CellsOf(*t), ElementsAre(ElementsAre("abc", "x\"y\"z", "5\"")));
  EXPECT_FALSE(t->rows[0].error);
}

TEST(CsvReaderTest, TrailingCommaMeansAnEmptyLastCell) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("a.csv", "a,b,c\n1,,\n"));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(CellsOf(*t), ElementsAre(ElementsAre("1", "", "")));
}

TEST(CsvReaderTest, LastRecordWithoutLineBreak) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("a.csv", "a,b\r\n1,2\r\n3,\"4\""));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(CellsOf(*t), ElementsAre(ElementsAre("1", "2"), ElementsAre("3", "4")));
  Result<Table> cr = ReadAll(dir.Write("b.csv", "a,b\r\n1,2\r"));
  ASSERT_TRUE(cr) << cr.error().ToString();
  EXPECT_THAT(CellsOf(*cr), ElementsAre(ElementsAre("1", "2")));
}

TEST(CsvReaderTest, EmptyFileHasNoHeader) {
  TempDir dir;
  for (std::string_view content : {"", "\n\r\n\n", "\xEF\xBB\xBF", "\xEF\xBB\xBF\r\n"}) {
    Result<Table> t = ReadAll(dir.Write("a.csv", content));
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(t.error().reason, "reader.header");
    EXPECT_THAT(t.error().message_zh, HasSubstr("表头"));
  }
}

TEST(CsvReaderTest, HeaderOnlyHasNoRows) {
  TempDir dir;
  Result<std::unique_ptr<Reader>> reader = OpenCsvReader(dir.Write("a.csv", "a,b\n"));
  ASSERT_TRUE(reader) << reader.error().ToString();
  EXPECT_THAT((*reader)->header(), ElementsAre("a", "b"));
  for (int i = 0; i < 2; ++i) {  // stays at the end
    Result<std::optional<RawRow>> row = (*reader)->Next();
    ASSERT_TRUE(row);
    EXPECT_FALSE(*row);
  }
}

TEST(CsvReaderTest, MissingFileOrFolderIsNotFound) {
  TempDir dir;
  Result<std::unique_ptr<Reader>> missing = OpenCsvReader(dir.Path("none.csv"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().reason, "reader.open");
  EXPECT_THAT(missing.error().message_zh, HasSubstr("文件不存在"));
  std::filesystem::create_directory(dir.Path("folder.csv"));
  Result<std::unique_ptr<Reader>> folder = OpenCsvReader(dir.Path("folder.csv"));
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().code, ErrorCode::kNotFound);
}

TEST(CsvReaderTest, Gb18030BytesOfKnownCharacters) {
  // 淮 is BB B4 in GB 2312 (C0 CF is 老), so the test pins the table ICU uses.
  EXPECT_EQ(ToGb18030("淮南市"), "\xBB\xB4\xC4\xCF\xCA\xD0");
  EXPECT_EQ(FromGb18030("\xBB\xB4\xC4\xCF\xCA\xD0"), "淮南市");
  EXPECT_EQ(FromGb18030("\xC0\xCF"), "老");
  // Four-byte sequences: U+0080 and a supplementary character.
  EXPECT_EQ(ToGb18030("\u0080"), "\x81\x30\x81\x30");
  EXPECT_EQ(ToGb18030("𠀀"), "\x95\x32\x82\x36");
}

TEST(CsvReaderTest, DetectsGb18030) {
  TempDir dir;
  const std::string utf8 =
      "地区,名称,备注\n淮南市,\"田家庵区,某某店\",𠀀\n寿县,\"八公山\r\n“豆腐”\",\"说\"\"好\"\"\"\n";
  const std::string gb = ToGb18030(utf8);
  Result<Table> t = ReadAll(dir.Write("gb.csv", gb));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->encoding, TextEncoding::kGb18030);
  EXPECT_THAT(t->header, ElementsAre("地区", "名称", "备注"));
  EXPECT_THAT(CellsOf(*t), ElementsAre(ElementsAre("淮南市", "田家庵区,某某店", "𠀀"),
                                       ElementsAre("寿县", "八公山\r\n“豆腐”", "说\"好\"")));
  // raw keeps the department's bytes, for the provenance digest.
  EXPECT_EQ(t->rows[0].raw, ToGb18030("淮南市,\"田家庵区,某某店\",𠀀"));
  EXPECT_FALSE(t->rows[0].error);
  EXPECT_FALSE(t->rows[1].error);
}

TEST(CsvReaderTest, SkipsGb18030Bom) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("gb.csv", ToGb18030("\uFEFF名称,代码\n寿县,1\n")));
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->encoding, TextEncoding::kGb18030);
  EXPECT_THAT(t->header, ElementsAre("名称", "代码"));
}

TEST(CsvReaderTest, ForcedUtf8RejectsGb18030Header) {
  TempDir dir;
  std::string path = dir.Write("gb.csv", ToGb18030("名称,代码\n寿县,1\n"));
  Result<Table> t = ReadAll(path, TextEncoding::kUtf8);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(t.error().reason, "reader.encoding");
  EXPECT_THAT(t.error().message_zh, HasSubstr("表头"));
}

TEST(CsvReaderTest, ForcedUtf8MarksGb18030RowsAsErrors) {
  TempDir dir;
  std::string path = dir.Write("gb.csv", "name,code\n" + ToGb18030("寿县") + ",1\nok,2\n");
  Result<Table> t = ReadAll(path, TextEncoding::kUtf8);
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->encoding, TextEncoding::kUtf8);
  ASSERT_EQ(t->rows.size(), 2u);
  ASSERT_TRUE(t->rows[0].error_zh);
  EXPECT_EQ(*t->rows[0].error_zh, "第1行含有不符合UTF-8编码的字节（文件按UTF-8编码读取）");
  EXPECT_THAT(t->rows[0].cells[0], HasSubstr("\uFFFD"));
  EXPECT_EQ(t->rows[0].cells[1], "1");
  EXPECT_EQ(t->rows[0].raw, ToGb18030("寿县") + ",1");
  EXPECT_FALSE(t->rows[1].error);
}

TEST(CsvReaderTest, ForcedGb18030ReadsUtf8BytesAsGb18030) {
  TempDir dir;
  // These UTF-8 bytes happen to be valid GB18030 too; forcing wins over detection.
  const std::string utf8 = "名称\n淮南\n";
  Result<Table> t = ReadAll(dir.Write("a.csv", utf8), TextEncoding::kGb18030);
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->encoding, TextEncoding::kGb18030);
  EXPECT_THAT(t->header, ElementsAre(FromGb18030("名称")));
  ASSERT_EQ(t->rows.size(), 1u);
  EXPECT_EQ(t->rows[0].cells[0], FromGb18030("淮南"));
  EXPECT_NE(t->rows[0].cells[0], "淮南");
}

TEST(CsvReaderTest, NeitherUtf8NorGb18030IsAnEncodingError) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Write("a.csv", "a,b\n\xFF\xFE,1\n"));
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(t.error().reason, "reader.encoding");
  EXPECT_THAT(t.error().message_zh, HasSubstr("GB18030"));
}

TEST(CsvReaderTest, LaterRowInvalidInDetectedUtf8IsAnErrorRow) {
  TempDir dir;
  CsvReaderOptions options;
  options.detect_bytes = 16;  // decide on the header alone
  std::string path =
      dir.Write("a.csv", "名称,代码\n淮南市,1\n" + ToGb18030("寿县") + ",2\n八公山区,3\n");
  Result<Table> t = ReadAll(path, TextEncoding::kAuto, options);
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->encoding, TextEncoding::kUtf8);
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_FALSE(t->rows[0].error);
  ASSERT_TRUE(t->rows[1].error);
  EXPECT_EQ(*t->rows[1].error,
            "row 2 has bytes that are not valid UTF-8 (the file is read as UTF-8)");
  EXPECT_EQ(t->rows[1].cells[1], "2");
  EXPECT_EQ(t->rows[1].raw, ToGb18030("寿县") + ",2");
  EXPECT_FALSE(t->rows[2].error);
  EXPECT_EQ(t->rows[2].cells[0], "八公山区");
}

TEST(CsvReaderTest, LaterRowInvalidInDetectedGb18030IsAnErrorRow) {
  TempDir dir;
  CsvReaderOptions options;
  options.detect_bytes = 16;
  std::string path =
      dir.Write("a.csv", ToGb18030("名称,代码\n淮南市,1\n") + "\x81,2\n" + ToGb18030("寿县,3\n"));
  Result<Table> t = ReadAll(path, TextEncoding::kAuto, options);
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->encoding, TextEncoding::kGb18030);
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_FALSE(t->rows[0].error);
  ASSERT_TRUE(t->rows[1].error_zh);
  EXPECT_EQ(*t->rows[1].error_zh, "第2行含有不符合GB18030编码的字节（文件按GB18030编码读取）");
  EXPECT_EQ(t->rows[1].cells[1], "2");
  EXPECT_EQ(t->rows[1].raw, "\x81,2");
  EXPECT_THAT(t->rows[2].cells, ElementsAre("寿县", "3"));
}

TEST(CsvReaderTest, PureAsciiStartDefersTheDecision) {
  TempDir dir;
  CsvReaderOptions options;
  options.detect_bytes = 64;
  std::string ascii = "code,name\n";
  for (int i = 0; i < 20; ++i) ascii += std::to_string(i) + ",n" + std::to_string(i) + "\n";
  {
    std::string path = dir.Write("gb.csv", ascii + ToGb18030("20,淮南市\n21,寿县\n"));
    Result<std::unique_ptr<Reader>> reader = OpenCsvReader(path, TextEncoding::kAuto, options);
    ASSERT_TRUE(reader) << reader.error().ToString();
    EXPECT_EQ((*reader)->encoding(), TextEncoding::kUtf8);  // nothing seen yet says otherwise
    std::vector<RawRow> rows;
    while (true) {
      Result<std::optional<RawRow>> row = (*reader)->Next();
      ASSERT_TRUE(row);
      if (!*row) break;
      rows.push_back(std::move(**row));
    }
    EXPECT_EQ((*reader)->encoding(), TextEncoding::kGb18030);
    ASSERT_EQ(rows.size(), 22u);
    EXPECT_THAT(rows[20].cells, ElementsAre("20", "淮南市"));
    EXPECT_FALSE(rows[20].error);
    EXPECT_THAT(rows[21].cells, ElementsAre("21", "寿县"));
  }
  {
    Result<Table> t =
        ReadAll(dir.Write("u.csv", ascii + "20,淮南市\n"), TextEncoding::kAuto, options);
    ASSERT_TRUE(t) << t.error().ToString();
    EXPECT_EQ(t->encoding, TextEncoding::kUtf8);
    EXPECT_THAT(t->rows.back().cells, ElementsAre("20", "淮南市"));
  }
}

TEST(CsvReaderTest, DetectTextEncoding) {
  EXPECT_EQ(DetectTextEncoding("abc", true), TextEncoding::kUtf8);
  EXPECT_EQ(DetectTextEncoding("", true), TextEncoding::kUtf8);
  EXPECT_EQ(DetectTextEncoding("淮南市", true), TextEncoding::kUtf8);
  EXPECT_EQ(DetectTextEncoding(ToGb18030("淮南市，寿县"), true), TextEncoding::kGb18030);
  // A sample that ends inside a character is judged without it.
  EXPECT_EQ(DetectTextEncoding("a\xE6\xB7", false), TextEncoding::kUtf8);
  EXPECT_EQ(DetectTextEncoding(ToGb18030("淮南市") + "\x95\x32\x82", false),
            TextEncoding::kGb18030);
  EXPECT_EQ(DetectTextEncoding(ToGb18030("淮南市") + "\x95\x32\x82", true), std::nullopt);
  EXPECT_EQ(DetectTextEncoding("\xFF", true), std::nullopt);
  EXPECT_EQ(DetectTextEncoding("\x80", true), std::nullopt);
}

// Every block size puts a boundary in a different place: inside a quote pair, between CR and LF,
// inside a multi-byte character, inside the BOM.
TEST(CsvReaderTest, BlockBoundariesDoNotChangeTheResult) {
  TempDir dir;
  const std::string utf8 =
      "\xEF\xBB\xBF名称,\"备\"\"注\",金额\r\n"
      "\n"
      "淮南市,\"a,b\"\"c\"\"\r\nd\",1\r\n"
      "\"\",\"\"\"\"\"\",2\n"
      "\r\n"
      "寿县,x\"y,3,extra\n"
      "short\n"
      "\"ab\"cd,\"" +
      std::string(100, 'z') +
      "\",4\r\n"
      "last,\"open\n";
  for (const std::string& content : {utf8, ToGb18030(utf8.substr(3))}) {
    std::string path = dir.Write("a.csv", content);
    Result<Table> expected = ReadAll(path);
    ASSERT_TRUE(expected) << expected.error().ToString();
    ASSERT_EQ(expected->rows.size(), 6u);
    EXPECT_THAT(expected->header, ElementsAre("名称", "备\"注", "金额"));
    EXPECT_THAT(expected->rows[0].cells, ElementsAre("淮南市", "a,b\"c\"\r\nd", "1"));
    EXPECT_THAT(expected->rows[1].cells, ElementsAre("", "\"\"", "2"));
    EXPECT_TRUE(expected->rows[2].error);
    EXPECT_TRUE(expected->rows[5].error);
    // Detection reads detect_bytes up front, so both a forced encoding and a small sample are
    // needed for the boundaries to fall inside records.
    for (std::size_t block = 1; block <= 40; ++block) {
      for (bool forced : {false, true}) {
        CsvReaderOptions options;
        options.block_size = block;
        options.detect_bytes = 16;
        Result<Table> t = ReadAll(path, forced ? expected->encoding : TextEncoding::kAuto, options);
        ASSERT_TRUE(t) << "block " << block << ": " << t.error().ToString();
        EXPECT_EQ(t->header, expected->header) << "block " << block;
        EXPECT_EQ(t->encoding, expected->encoding) << "block " << block;
        ASSERT_EQ(t->rows.size(), expected->rows.size()) << "block " << block;
        for (std::size_t i = 0; i < t->rows.size(); ++i) {
          EXPECT_EQ(t->rows[i].cells, expected->rows[i].cells) << "block " << block << " row " << i;
          EXPECT_EQ(t->rows[i].raw, expected->rows[i].raw) << "block " << block << " row " << i;
          EXPECT_EQ(t->rows[i].row_no, expected->rows[i].row_no);
          EXPECT_EQ(t->rows[i].error, expected->rows[i].error) << "block " << block << " row " << i;
        }
      }
    }
  }
}

TEST(CsvReaderTest, TenMegabyteFile) {
  TempDir dir;
  std::string header;
  for (int c = 0; c < 25; ++c) header += (c ? ",字段" : "字段") + std::to_string(c);
  std::string content = header + "\r\n";
  int rows = 0;
  while (content.size() < (std::size_t{10} << 20)) {
    ++rows;
    std::string n = std::to_string(rows);
    content += "91340400MA" + n + ",淮南市第" + n + "号企业,\"地址,含逗号\n和换行\",2024-01-01";
    for (int c = 4; c < 25; ++c) content += ",值" + std::to_string(c);
    content += "\r\n";
    if (rows == 1000) {  // one cell bigger than a block
      content += "big,\"" + std::string(3 << 20, 'x') + "\"\r\n";
      ++rows;
    }
  }
  Result<Table> t = ReadAll(dir.Write("big.csv", content));
  ASSERT_TRUE(t) << t.error().ToString();
  ASSERT_EQ(t->rows.size(), static_cast<std::size_t>(rows));
  EXPECT_EQ(t->header.size(), 25u);
  for (std::size_t i = 0; i < t->rows.size(); ++i) {
    ASSERT_EQ(t->rows[i].row_no, static_cast<std::int64_t>(i + 1));
    ASSERT_EQ(t->rows[i].cells.size(), 25u) << i;
  }
  EXPECT_EQ(t->rows[0].cells[1], "淮南市第1号企业");
  EXPECT_EQ(t->rows[0].cells[2], "地址,含逗号\n和换行");
  EXPECT_EQ(t->rows[1000].cells[1].size(), std::size_t{3} << 20);
  EXPECT_FALSE(t->rows[1000].error);  // padded, not an error
  EXPECT_EQ(t->rows.back().cells[24], "值24");
}

TEST(ReaderTest, FormatFromPath) {
  EXPECT_EQ(FormatFromPath("a.csv"), FileFormat::kCsv);
  EXPECT_EQ(FormatFromPath("/x/y/数据.CSV"), FileFormat::kCsv);
  EXPECT_EQ(FormatFromPath("a.jsonl"), FileFormat::kJsonLines);
  EXPECT_EQ(FormatFromPath("a.NDJSON"), FileFormat::kJsonLines);
  EXPECT_EQ(FormatFromPath("a.Xlsx"), FileFormat::kXlsx);
  for (const char* bad : {"a.xls", "a.txt", "csv", "a.csv.gz", "", "a.json"}) {
    Result<FileFormat> f = FormatFromPath(bad);
    ASSERT_FALSE(f) << bad;
    EXPECT_EQ(f.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(f.error().reason, "reader.format");
  }
}

TEST(ReaderTest, OpenReaderDispatchesOnExtension) {
  TempDir dir;
  Result<std::unique_ptr<Reader>> csv =
      OpenReader(dir.Write("a.CSV", ToGb18030("名称\n寿县\n")), TextEncoding::kGb18030);
  ASSERT_TRUE(csv) << csv.error().ToString();
  EXPECT_THAT((*csv)->header(), ElementsAre("名称"));
  EXPECT_EQ((*csv)->encoding(), TextEncoding::kGb18030);

  Result<std::unique_ptr<Reader>> jsonl = OpenReader(dir.Write("a.ndjson", "{\"名称\":1}\n"));
  ASSERT_TRUE(jsonl) << jsonl.error().ToString();
  EXPECT_THAT((*jsonl)->header(), ElementsAre("名称"));

  Result<std::unique_ptr<Reader>> xlsx = OpenReader(dir.Write("a.xlsx", "not a zip"));
  ASSERT_FALSE(xlsx);
  EXPECT_EQ(xlsx.error().reason, "reader.xlsx");

  Result<std::unique_ptr<Reader>> txt = OpenReader(dir.Write("a.txt", "a\n"));
  ASSERT_FALSE(txt);
  EXPECT_EQ(txt.error().reason, "reader.format");

  Result<std::unique_ptr<Reader>> missing = OpenReader(dir.Path("none.jsonl"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace xy
