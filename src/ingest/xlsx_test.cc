#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <zip.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/reader.h"
#include "ingest/xlsx_reader.h"
#include "ingest/xlsx_writer.h"
#include "temp_dir.h"

namespace xy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using test::TempDir;

using Parts = std::vector<std::pair<std::string, std::string>>;

// A package written part by part, for workbooks the writer does not produce.
void WriteZip(const std::string& path, const Parts& parts) {
  int err = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(zip, nullptr) << err;
  for (const auto& [name, data] : parts) {
    zip_source_t* source = zip_source_buffer(zip, data.data(), data.size(), 0);
    ASSERT_NE(source, nullptr);
    ASSERT_GE(zip_file_add(zip, name.c_str(), source, ZIP_FL_ENC_UTF_8), 0) << name;
  }
  ASSERT_EQ(zip_close(zip), 0);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Table {
  std::vector<std::string> header;
  std::vector<RawRow> rows;
};

Result<Table> ReadAll(const std::string& path) {
  Result<std::unique_ptr<Reader>> reader = OpenXlsxReader(path);
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

constexpr std::string_view kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr std::string_view kRel =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string Rels(const std::vector<std::array<std::string, 3>>& rels) {
  std::string x =
      "<?xml version=\"1.0\"?><Relationships "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  for (const auto& [id, type, target] : rels) {
    x += "<Relationship Id=\"" + id + "\" Type=\"" + std::string(kRel) + "/" + type +
         "\" Target=\"" + target + "\"/>";
  }
  return x + "</Relationships>";
}

// ---------------------------------------------------------------------------------------------
// Writer → reader

TEST(XlsxTest, WriterOutputReadsBack) {
  TempDir dir;
  const std::vector<std::string> header = {"名称", "决定日期", "金额", "备注"};
  const std::vector<std::vector<std::string>> rows = {
      {"淮南市某某有限公司", "2024-01-01", "0.20", "<&> \"引号\""},
      {"寿县", "", "", "gap before me"},                       // empty cells in the middle
      {"", "1900-01-01", "1", ""},                             // leading empty cell, first date
      {"a\r\nb\tc", "2024-02-30", " 前后空格 ", "_x0041_ 😀"},  // invalid date stays text
      {"凤台县", "1900-03-01", "", ""},                        // trailing empty cells
      {"only"},                                                // short row
  };
  XlsxWriteOptions options;
  options.date_columns = {1};
  std::string path = dir.Path("w.xlsx");
  Result<void> written = WriteXlsx(path, header, rows, options);
  ASSERT_TRUE(written) << written.error().ToString();

  Result<Table> t = ReadAll(path);
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->header, header);
  ASSERT_EQ(t->rows.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<std::string> expected = rows[i];
    expected.resize(header.size());
    EXPECT_EQ(t->rows[i].cells, expected) << i;
    EXPECT_EQ(t->rows[i].row_no, static_cast<std::int64_t>(i + 1));
    EXPECT_FALSE(t->rows[i].error) << i;
  }
  EXPECT_EQ(t->rows[1].raw, "寿县\t\t\tgap before me");
  EXPECT_EQ(t->rows[5].raw, "only\t\t\t");

  // The dates really are numeric date cells, and the odd text is escaped as Excel does.
  zip_t* zip = zip_open(path.c_str(), ZIP_RDONLY, nullptr);
  ASSERT_NE(zip, nullptr);
  zip_file_t* f = zip_fopen(zip, "xl/worksheets/sheet1.xml", 0);
  ASSERT_NE(f, nullptr);
  std::string sheet(1 << 16, '\0');
  sheet.resize(static_cast<std::size_t>(zip_fread(f, sheet.data(), sheet.size())));
  zip_fclose(f);
  f = zip_fopen(zip, "xl/sharedStrings.xml", 0);
  ASSERT_NE(f, nullptr);
  std::string strings(1 << 16, '\0');
  strings.resize(static_cast<std::size_t>(zip_fread(f, strings.data(), strings.size())));
  zip_fclose(f);
  zip_discard(zip);
  EXPECT_THAT(sheet, HasSubstr("<c r=\"B2\" s=\"1\"><v>45292</v></c>"));
  EXPECT_THAT(sheet, HasSubstr("<c r=\"B4\" s=\"1\"><v>1</v></c>"));
  EXPECT_THAT(sheet, HasSubstr("<c r=\"B6\" s=\"1\"><v>61</v></c>"));
  EXPECT_THAT(strings, HasSubstr("a_x000D_\nb\tc"));
  EXPECT_THAT(strings, HasSubstr("_x005F_x0041_"));
}

TEST(XlsxTest, WriterDate1904ReadsBack) {
  TempDir dir;
  XlsxWriteOptions options;
  options.date_columns = {0};
  options.date1904 = true;
  std::string path = dir.Path("w.xlsx");
  ASSERT_TRUE(WriteXlsx(path, {"日期"}, {{"2024-01-01"}, {"1904-01-01"}, {"1903-12-31"}}, options));
  Result<Table> t = ReadAll(path);
  ASSERT_TRUE(t) << t.error().ToString();
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_THAT(t->rows[0].cells, ElementsAre("2024-01-01"));
  EXPECT_THAT(t->rows[1].cells, ElementsAre("1904-01-01"));
  EXPECT_THAT(t->rows[2].cells, ElementsAre("1903-12-31"));  // not representable: text
}

TEST(XlsxTest, WriterRejectsWhatASheetCannotHold) {
  TempDir dir;
  Result<void> bad_text = WriteXlsx(dir.Path("a.xlsx"), {"a"}, {{"ok"}, {"\xFF"}});
  ASSERT_FALSE(bad_text);
  EXPECT_EQ(bad_text.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad_text.error().reason, "xlsx.write");
  EXPECT_THAT(bad_text.error().message_zh, HasSubstr("第3行"));

  Result<void> wide = WriteXlsx(dir.Path("a.xlsx"), std::vector<std::string>(16385, "x"), {});
  ASSERT_FALSE(wide);
  EXPECT_EQ(wide.error().code, ErrorCode::kInvalidArgument);

  Result<void> nowhere = WriteXlsx(dir.Path("no/such/folder/a.xlsx"), {"a"}, {});
  ASSERT_FALSE(nowhere);
  EXPECT_EQ(nowhere.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(nowhere.error().reason, "xlsx.write");
}

// ---------------------------------------------------------------------------------------------
// Dates

TEST(XlsxTest, ExcelSerialToIsoDate) {
  struct Case {
    double serial;
    bool date1904;
    std::optional<std::string> date;
  };
  const Case kCases[] = {
      {1, false, "1900-01-01"},      {31, false, "1900-01-31"},
      {59, false, "1900-02-28"},     {60, false, "1900-02-29"},  // Excel's fake leap day
      {61, false, "1900-03-01"},     {366, false, "1900-12-31"},
      {367, false, "1901-01-01"},    {36526, false, "2000-01-01"},
      {45292, false, "2024-01-01"},  {45292.75, false, "2024-01-01"},  // the time of day is dropped
      {45351, false, "2024-02-29"},  {2958465, false, "9999-12-31"},
      {0, false, std::nullopt},      {0.5, false, std::nullopt},
      {-1, false, std::nullopt},     {2958466, false, std::nullopt},
      {0, true, "1904-01-01"},       {1, true, "1904-01-02"},
      {1461, true, "1908-01-01"},    {43830, true, "2024-01-01"},  // 45292 - 1462
      {2957003, true, "9999-12-31"}, {-1, true, std::nullopt},
      {2957004, true, std::nullopt},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(ExcelSerialToIsoDate(c.serial, c.date1904), c.date)
        << c.serial << (c.date1904 ? " (1904)" : "");
  }
  EXPECT_EQ(ExcelSerialToIsoDate(std::numeric_limits<double>::quiet_NaN(), false), std::nullopt);
  EXPECT_EQ(ExcelSerialToIsoDate(std::numeric_limits<double>::infinity(), false), std::nullopt);
}

TEST(XlsxTest, IsoDateToExcelSerialIsTheInverse) {
  EXPECT_EQ(IsoDateToExcelSerial("1900-01-01", false), 1);
  EXPECT_EQ(IsoDateToExcelSerial("1900-02-28", false), 59);
  EXPECT_EQ(IsoDateToExcelSerial("1900-03-01", false), 61);
  EXPECT_EQ(IsoDateToExcelSerial("2024-01-01", false), 45292);
  EXPECT_EQ(IsoDateToExcelSerial("9999-12-31", false), 2958465);
  EXPECT_EQ(IsoDateToExcelSerial("1904-01-01", true), 0);
  EXPECT_EQ(IsoDateToExcelSerial("2024-01-01", true), 43830);
  for (const char* bad : {"1899-12-31", "1900-02-29", "2023-02-29", "2024-13-01", "2024-1-01",
                          "2024/01/01", "20240101", "", "2024-01-01 "}) {
    EXPECT_EQ(IsoDateToExcelSerial(bad, false), std::nullopt) << bad;
  }
  EXPECT_EQ(IsoDateToExcelSerial("1903-12-31", true), std::nullopt);
  for (long serial : {1L, 59L, 61L, 1000L, 45292L, 2958465L}) {
    std::optional<std::string> iso = ExcelSerialToIsoDate(static_cast<double>(serial), false);
    ASSERT_TRUE(iso);
    EXPECT_EQ(IsoDateToExcelSerial(*iso, false), serial);
  }
}

TEST(XlsxTest, DateNumberFormats) {
  for (int id : {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 55, 58}) {
    EXPECT_TRUE(IsDateNumberFormat(id, "")) << id;
  }
  for (int id : {0, 1, 2, 9, 10, 11, 12, 13, 23, 26, 37, 44, 48, 49, 59, 164}) {
    EXPECT_FALSE(IsDateNumberFormat(id, "")) << id;
  }
  for (const char* code :
       {"yyyy-mm-dd", "YYYY/M/D", "yyyy\"年\"m\"月\"d\"日\"", "[$-804]yyyy年m月d日", "mmm yy",
        "d-mmm", "[Red]dd/mm/yyyy", "yyyy-mm-dd hh:mm:ss", "m/d/yy h:mm"}) {
    EXPECT_TRUE(IsDateNumberFormat(164, code)) << code;
  }
  for (const char* code : {"0.00", "#,##0", "General", "@", "\"day\"0", "[Red]0.00", "0\\d", "0_d",
                           "0*y", "h:mm", "mm:ss", "[h]:mm", "[mm]:ss", "hh:mm AM/PM", "0.00E+00",
                           "#,##0 \"元\";[Red]-#,##0 \"元\""}) {
    EXPECT_FALSE(IsDateNumberFormat(164, code)) << code;
  }
  // A custom code given for a built-in id replaces it.
  EXPECT_FALSE(IsDateNumberFormat(14, "0.00"));
}

// ---------------------------------------------------------------------------------------------
// Workbooks made by hand: what Excel and other tools write that the writer does not.

// Two sheets; the first in workbook order is "xl/worksheets/data.xml" (rId5), not sheet1.xml.
Parts HandMadeWorkbook(std::string_view sheet_data, bool date1904 = false,
                       std::string_view prefix = "") {
  const std::string p(prefix.empty() ? "" : std::string(prefix) + ":");
  const std::string ns = prefix.empty()
                             ? "xmlns=\"" + std::string(kMain) + "\""
                             : "xmlns:" + std::string(prefix) + "=\"" + std::string(kMain) + "\"";
  std::string workbook = "<?xml version=\"1.0\"?><" + p + "workbook " + ns + " xmlns:rel=\"" +
                         std::string(kRel) + "\">";
  if (date1904) workbook += "<" + p + "workbookPr date1904=\"true\"/>";
  workbook += "<" + p + "sheets><" + p + "sheet name=\"数据\" sheetId=\"2\" rel:id=\"rId5\"/><" +
              p + "sheet name=\"Sheet1\" sheetId=\"1\" rel:id=\"rId1\"/></" + p + "sheets></" + p +
              "workbook>";
  std::string styles =
      "<?xml version=\"1.0\"?><" + p + "styleSheet " + ns + "><" + p +
      "numFmts count=\"3\">"
      "<" +
      p +
      "numFmt numFmtId=\"165\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
      "<" +
      p +
      "numFmt numFmtId=\"166\" formatCode=\"0.00\"/>"
      "<" +
      p + "numFmt numFmtId=\"167\" formatCode=\"h:mm\"/></" + p +
      "numFmts>"
      "<" +
      p +
      "cellXfs count=\"6\">"
      "<" +
      p + "xf numFmtId=\"0\"/><" + p + "xf numFmtId=\"14\"/><" + p +
      "xf numFmtId=\"165\"/>"
      "<" +
      p + "xf numFmtId=\"166\"/><" + p + "xf numFmtId=\"167\"/><" + p +
      "xf numFmtId=\"22\"/>"
      "</" +
      p + "cellXfs></" + p + "styleSheet>";
  // 0 plain; 1 rich text in runs; 2 with a phonetic guide; 3 with an escaped CR; 4 header name.
  std::string strings = "<?xml version=\"1.0\"?><" + p + "sst " + ns +
                        " count=\"5\" uniqueCount=\"5\">"
                        "<" +
                        p + "si><" + p + "t>名称</" + p + "t></" + p +
                        "si>"
                        "<" +
                        p + "si><" + p + "r><" + p + "rPr><" + p + "b/></" + p + "rPr><" + p +
                        "t>淮南</" + p + "t></" + p +
                        "r>"
                        "<" +
                        p + "r><" + p + "t xml:space=\"preserve\">市 </" + p + "t></" + p + "r></" +
                        p +
                        "si>"
                        "<" +
                        p + "si><" + p + "t>寿县</" + p + "t><" + p + "rPh sb=\"0\" eb=\"2\"><" +
                        p + "t>ショウケン</" + p + "t></" + p + "rPh></" + p +
                        "si>"
                        "<" +
                        p + "si><" + p + "t>a_x000D_b&amp;c</" + p + "t></" + p +
                        "si>"
                        "<" +
                        p + "si><" + p + "t>日期</" + p + "t></" + p +
                        "si>"
                        "</" +
                        p + "sst>";
  std::string sheet = "<?xml version=\"1.0\"?><" + p + "worksheet " + ns + "><" + p + "sheetData>" +
                      std::string(sheet_data) + "</" + p + "sheetData></" + p + "worksheet>";
  std::string decoy = "<?xml version=\"1.0\"?><worksheet xmlns=\"" + std::string(kMain) +
                      "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>decoy</t>"
                      "</is></c></row></sheetData></worksheet>";
  return {
      {"[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>"},
      {"_rels/.rels", Rels({{"rId1", "officeDocument", "/xl/workbook.xml"}})},
      {"xl/workbook.xml", workbook},
      {"xl/_rels/workbook.xml.rels",
       Rels({{"rId1", "worksheet", "worksheets/sheet1.xml"},
             {"rId3", "styles", "styles.xml"},
             {"rId4", "sharedStrings", "./sharedStrings.xml"},
             {"rId5", "worksheet", "worksheets/../worksheets/data.xml"}})},
      {"xl/styles.xml", styles},
      {"xl/sharedStrings.xml", strings},
      {"xl/worksheets/data.xml", sheet},
      {"xl/worksheets/sheet1.xml", decoy},
  };
}

// The sheet data with every element behind `prefix`.
std::string Prefixed(std::string xml, std::string_view prefix) {
  if (prefix.empty()) return xml;
  std::string out;
  for (std::size_t i = 0; i < xml.size(); ++i) {
    out.push_back(xml[i]);
    if (xml[i] == '<') {
      if (i + 1 < xml.size() && xml[i + 1] == '/') {
        out.push_back('/');
        ++i;
      }
      out += std::string(prefix) + ":";
    }
  }
  return out;
}

const char kSheetData[] =
    // A formatted but empty row before the header.
    "<row r=\"1\"><c r=\"A1\" s=\"3\"/><c r=\"B1\" s=\"3\"/></row>"
    // Header with a gap at C: C2 has no cell, so that column's name is empty.
    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"B2\" t=\"s\"><v>4</v></c>"
    "<c r=\"D2\" t=\"inlineStr\"><is><t>备注</t></is></c><c r=\"E2\" t=\"str\"><v>公式</v></c>"
    "<c r=\"F2\" s=\"3\"/></row>"
    // Rich text, built-in date style 14, a gap, inline rich text, a formula string.
    "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>1</v></c><c r=\"B3\" s=\"1\"><v>45292</v></c>"
    "<c r=\"D3\" t=\"inlineStr\"><is><r><t>内</t></r><r><t>联</t></r></is></c>"
    "<c r=\"E3\" t=\"str\"><f>A3&amp;\"\"</f><v>x_x000D_y</v></c></row>"
    // An empty row in between (skipped, not counted), then cells without references.
    "<row r=\"4\"/>"
    "<row r=\"5\"><c r=\"A5\" s=\"5\"></c></row>"
    "<row><c t=\"s\"><v>2</v></c><c s=\"2\"><v>45351.5</v></c><c t=\"b\"><v>1</v></c>"
    "<c t=\"e\"><v>#N/A</v></c><c s=\"3\"><v>1234.5</v></c></row>"
    // Numbers: a style that is not a date, a time style, 0 with a date style, a 1900 leap day.
    "<row r=\"8\"><c r=\"A8\" t=\"s\"><v>3</v></c><c r=\"B8\" s=\"4\"><v>0.5</v></c>"
    "<c r=\"C8\" t=\"b\"><v>0</v></c><c r=\"D8\" s=\"1\"><v>60</v></c>"
    "<c r=\"E8\" s=\"1\"><v>0</v></c></row>"
    // A value beyond the header's last column, then empty formatted cells far to the right.
    "<row r=\"9\"><c r=\"A9\"><v>1</v></c><c r=\"G9\"><v>7</v></c></row>"
    "<row r=\"10\"><c r=\"A10\"><v>2</v></c><c r=\"Z10\" s=\"3\"/><c r=\"XFD10\" s=\"1\"/></row>"
    // A shared string index out of range and a bad reference.
    "<row r=\"11\"><c r=\"A11\" t=\"s\"><v>99</v></c></row>"
    "<row r=\"12\"><c r=\"A12\"><v>3</v></c><c r=\"ZZZZ12\"><v>4</v></c></row>";

void ExpectHandMadeRows(const Table& t) {
  EXPECT_THAT(t.header, ElementsAre("名称", "日期", "", "备注", "公式"));
  ASSERT_EQ(t.rows.size(), 7u);
  EXPECT_THAT(t.rows[0].cells, ElementsAre("淮南市 ", "2024-01-01", "", "内联", "x\ry"));
  EXPECT_EQ(t.rows[0].raw, "淮南市 \t2024-01-01\t\t内联\tx\ry");
  EXPECT_EQ(t.rows[0].row_no, 1);
  EXPECT_FALSE(t.rows[0].error);
  EXPECT_THAT(t.rows[1].cells, ElementsAre("寿县", "2024-02-29", "TRUE", "#N/A", "1234.5"));
  EXPECT_EQ(t.rows[1].row_no, 2);
  EXPECT_THAT(t.rows[2].cells, ElementsAre("a\rb&c", "0.5", "FALSE", "1900-02-29", "0"));
  EXPECT_THAT(t.rows[3].cells, ElementsAre("1", "", "", "", "", "", "7"));
  ASSERT_TRUE(t.rows[3].error_zh);
  EXPECT_EQ(*t.rows[3].error_zh, "第4行有7列，表头只有5列");
  EXPECT_THAT(t.rows[4].cells, ElementsAre("2", "", "", "", ""));
  EXPECT_FALSE(t.rows[4].error);
  ASSERT_TRUE(t.rows[5].error);
  EXPECT_THAT(*t.rows[5].error, HasSubstr("shared string index out of range: 99"));
  EXPECT_THAT(*t.rows[5].error_zh, HasSubstr("第6行"));
  ASSERT_TRUE(t.rows[6].error);
  EXPECT_THAT(*t.rows[6].error, HasSubstr("bad cell reference ZZZZ12"));
  EXPECT_THAT(t.rows[6].cells, ElementsAre("3", "", "", "", ""));
}

TEST(XlsxTest, HandMadeWorkbook) {
  TempDir dir;
  std::string path = dir.Path("h.xlsx");
  WriteZip(path, HandMadeWorkbook(kSheetData));
  Result<Table> t = ReadAll(path);
  ASSERT_TRUE(t) << t.error().ToString();
  ExpectHandMadeRows(*t);
}

TEST(XlsxTest, NamespacePrefixedWorkbook) {
  TempDir dir;
  std::string path = dir.Path("p.xlsx");
  WriteZip(path, HandMadeWorkbook(Prefixed(kSheetData, "x"), false, "x"));
  Result<Table> t = ReadAll(path);
  ASSERT_TRUE(t) << t.error().ToString();
  ExpectHandMadeRows(*t);
}

TEST(XlsxTest, Date1904Workbook) {
  TempDir dir;
  std::string path = dir.Path("d.xlsx");
  WriteZip(path, HandMadeWorkbook("<row><c t=\"s\"><v>4</v></c></row>"
                                  "<row><c s=\"1\"><v>43830</v></c></row>"
                                  "<row><c s=\"1\"><v>0</v></c></row>",
                                  /*date1904=*/true));
  Result<Table> t = ReadAll(path);
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_THAT(t->header, ElementsAre("日期"));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_THAT(t->rows[0].cells, ElementsAre("2024-01-01"));
  EXPECT_THAT(t->rows[1].cells, ElementsAre("1904-01-01"));
}

TEST(XlsxTest, EmptySheetHasNoHeader) {
  TempDir dir;
  std::string path = dir.Path("e.xlsx");
  WriteZip(path, HandMadeWorkbook("<row r=\"1\"><c r=\"A1\" s=\"3\"/></row><row r=\"2\"/>"));
  Result<Table> t = ReadAll(path);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(t.error().reason, "reader.header");
  EXPECT_THAT(t.error().message_zh, HasSubstr("表头"));

  Result<void> w = WriteXlsx(path, {}, {});
  ASSERT_TRUE(w) << w.error().ToString();
  Result<Table> written = ReadAll(path);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().reason, "reader.header");
}

// ---------------------------------------------------------------------------------------------
// Broken files

void ExpectXlsxError(const Result<Table>& t, std::string_view what) {
  ASSERT_FALSE(t) << what;
  EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument) << what;
  EXPECT_EQ(t.error().reason, "reader.xlsx") << what << ": " << t.error().ToString();
  EXPECT_THAT(t.error().message_zh, HasSubstr("XLSX")) << what;
}

TEST(XlsxTest, CorruptFilesAreXlsxErrors) {
  TempDir dir;
  ExpectXlsxError(ReadAll(dir.Write("junk.xlsx", "this is not a zip file at all")), "junk");
  ExpectXlsxError(ReadAll(dir.Write("empty.xlsx", "")), "empty");
  // An old binary .xls (an OLE compound file) renamed to .xlsx.
  ExpectXlsxError(
      ReadAll(dir.Write("old.xlsx", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + std::string(504, '\0'))),
      "ole");

  std::string good = dir.Path("good.xlsx");
  ASSERT_TRUE(WriteXlsx(good, {"名称"}, {{"淮南市"}, {"寿县"}}));
  std::string bytes = ReadFile(good);
  ExpectXlsxError(ReadAll(dir.Write("half.xlsx", bytes.substr(0, bytes.size() / 2))), "truncated");
  // Damage the compressed data of the parts (the local headers and directory stay intact).
  std::string flipped = bytes;
  for (std::size_t i = 200; i < flipped.size() / 2; i += 7)
    flipped[i] = static_cast<char>(~flipped[i]);
  Result<Table> damaged = ReadAll(dir.Write("flipped.xlsx", flipped));
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.error().code, ErrorCode::kInvalidArgument);

  Parts parts = HandMadeWorkbook("<row><c t=\"s\"><v>0</v></c></row>");
  Parts no_workbook;
  for (const auto& part : parts) {
    if (part.first != "xl/workbook.xml") no_workbook.push_back(part);
  }
  std::string path = dir.Path("nowb.xlsx");
  WriteZip(path, no_workbook);
  Result<Table> t = ReadAll(path);
  ExpectXlsxError(t, "no workbook");
  EXPECT_THAT(t.error().message_zh, HasSubstr("缺少 xl/workbook.xml"));

  Parts no_sheet;
  for (const auto& part : parts) {
    if (part.first != "xl/worksheets/data.xml") no_sheet.push_back(part);
  }
  WriteZip(path, no_sheet);
  ExpectXlsxError(ReadAll(path), "no sheet part");

  Parts bad_xml = parts;
  for (auto& part : bad_xml) {
    if (part.first == "xl/worksheets/data.xml") part.second = "<worksheet><sheetData><row>";
  }
  WriteZip(path, bad_xml);
  t = ReadAll(path);
  ExpectXlsxError(t, "bad xml");
  EXPECT_THAT(t.error().message_zh, HasSubstr("不是有效的XML"));

  Parts no_worksheet = parts;
  for (auto& part : no_worksheet) {
    if (part.first == "xl/_rels/workbook.xml.rels") {
      part.second = Rels({{"rId5", "chartsheet", "chartsheets/sheet1.xml"}});
    }
  }
  WriteZip(path, no_worksheet);
  t = ReadAll(path);
  ExpectXlsxError(t, "no worksheet");
  EXPECT_THAT(t.error().message_zh, HasSubstr("没有工作表"));
}

TEST(XlsxTest, MissingFileIsNotFound) {
  TempDir dir;
  Result<Table> t = ReadAll(dir.Path("none.xlsx"));
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(t.error().reason, "reader.open");
}

TEST(XlsxTest, OpenReaderReadsXlsx) {
  TempDir dir;
  std::string path = dir.Path("数据.XLSX");
  ASSERT_TRUE(WriteXlsx(path, {"名称"}, {{"寿县"}}));
  Result<std::unique_ptr<Reader>> reader = OpenReader(path);
  ASSERT_TRUE(reader) << reader.error().ToString();
  EXPECT_THAT((*reader)->header(), ElementsAre("名称"));
  Result<std::optional<RawRow>> row = (*reader)->Next();
  ASSERT_TRUE(row && *row);
  EXPECT_THAT((*row)->cells, ElementsAre("寿县"));
}

}  // namespace
}  // namespace xy
