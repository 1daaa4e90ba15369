#include "ingest/xlsx_writer.h"

#include <zip.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <unordered_map>
#include <utility>

#include "base/text.h"

namespace xy {
namespace {

constexpr std::size_t kMaxRows = 1048576;
constexpr std::size_t kMaxColumns = 16384;

constexpr std::string_view kXmlDeclaration =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
constexpr std::string_view kMainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr std::string_view kRelNs =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string ColumnName(std::size_t column) {
  std::string name;
  for (std::size_t n = column + 1; n > 0; n = (n - 1) / 26) {
    name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return name;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

void AppendEscape(unsigned unit, std::string& out) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "_x%04X_", unit);
  out += buf;
}

// Element text: XML's own escapes, plus the OOXML _xHHHH_ escapes the reader decodes.
void AppendText(std::string_view s, std::string& out) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '&':
        out += "&amp;";
        continue;
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += "&gt;";
        continue;
      case '\t':
      case '\n':
        out.push_back(static_cast<char>(c));
        continue;
      case '_':
        if (i + 7 <= s.size() && s[i + 1] == 'x' && s[i + 6] == '_' && IsHex(s[i + 2]) &&
            IsHex(s[i + 3]) && IsHex(s[i + 4]) && IsHex(s[i + 5])) {
          AppendEscape('_', out);  // so a literal "_x0041_" is not read as "A"
          continue;
        }
        break;
      default:
        break;
    }
    if (c < 0x20) {  // includes CR, which XML parsers turn into LF
      AppendEscape(c, out);
    } else if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
               (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xBE) {
      // U+FFFE and U+FFFF are valid UTF-8 but not XML characters.
      AppendEscape(0xFFFE | (static_cast<unsigned char>(s[i + 2]) & 1), out);
      i += 2;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

std::unexpected<Error> InvalidInput(std::string message, std::string message_zh) {
  return Fail(ErrorCode::kInvalidArgument, "xlsx.write", std::move(message), std::move(message_zh));
}

struct ZipDiscard {
  void operator()(zip_t* zip) const { zip_discard(zip); }
};

std::string ZipErrorText(zip_t* zip) { return zip_error_strerror(zip_get_error(zip)); }

std::string ContentTypes() {
  std::string x(kXmlDeclaration);
  x += "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
       "<Default Extension=\"rels\" "
       "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
       "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
       "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/"
       "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
       "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/"
       "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
       "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/"
       "vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
       "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/"
       "vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
       "</Types>";
  return x;
}

std::string RootRels() {
  std::string x(kXmlDeclaration);
  x += "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"";
  x += kRelNs;
  x += "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
  return x;
}

std::string Workbook(bool date1904) {
  std::string x(kXmlDeclaration);
  x += "<workbook xmlns=\"";
  x += kMainNs;
  x += "\" xmlns:r=\"";
  x += kRelNs;
  x += "\">";
  if (date1904) x += "<workbookPr date1904=\"1\"/>";
  x += "<sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
  return x;
}

std::string WorkbookRels() {
  std::string x(kXmlDeclaration);
  x += "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  const std::pair<std::string_view, std::string_view> rels[] = {
      {"worksheet", "worksheets/sheet1.xml"},
      {"styles", "styles.xml"},
      {"sharedStrings", "sharedStrings.xml"},
  };
  int id = 1;
  for (const auto& [type, target] : rels) {
    x += "<Relationship Id=\"rId" + std::to_string(id++) + "\" Type=\"";
    x += kRelNs;
    x += "/";
    x += type;
    x += "\" Target=\"";
    x += target;
    x += "\"/>";
  }
  x += "</Relationships>";
  return x;
}

// Style 0 is the default; style 1 shows a date as yyyy-mm-dd (custom format 164, the first id a
// workbook may define), which is what the date cells use.
std::string Styles() {
  std::string x(kXmlDeclaration);
  x += "<styleSheet xmlns=\"";
  x += kMainNs;
  x += "\">"
       "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/></numFmts>"
       "<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/>"
       "</font></fonts>"
       "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
       "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
       "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border>"
       "</borders>"
       "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/>"
       "</cellStyleXfs>"
       "<cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" "
       "xfId=\"0\"/><xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
       "applyNumberFormat=\"1\"/></cellXfs>"
       "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/>"
       "</cellStyles>"
       "</styleSheet>";
  return x;
}

class SheetBuilder {
 public:
  SheetBuilder(const XlsxWriteOptions& options) : options_(options) {
    sheet_ = std::string(kXmlDeclaration) + "<worksheet xmlns=\"" + std::string(kMainNs) +
             "\"><sheetData>";
  }

  void AddRow(std::size_t row_number, const std::vector<std::string>& values, bool header) {
    std::string row_ref = std::to_string(row_number);
    bool opened = false;
    for (std::size_t col = 0; col < values.size(); ++col) {
      const std::string& value = values[col];
      if (value.empty()) continue;
      if (!opened) {
        sheet_ += "<row r=\"" + row_ref + "\">";
        opened = true;
      }
      std::string ref = ColumnName(col) + row_ref;
      if (!header && IsDateColumn(col)) {
        if (std::optional<long> serial = IsoDateToExcelSerial(value, options_.date1904)) {
          sheet_ += "<c r=\"" + ref + "\" s=\"1\"><v>" + std::to_string(*serial) + "</v></c>";
          continue;
        }
      }
      sheet_ +=
          "<c r=\"" + ref + "\" t=\"s\"><v>" + std::to_string(SharedIndex(value)) + "</v></c>";
    }
    if (opened) sheet_ += "</row>";
  }

  std::string FinishSheet() { return std::move(sheet_) + "</sheetData></worksheet>"; }

  std::string SharedStrings() const {
    std::string x(kXmlDeclaration);
    x += "<sst xmlns=\"";
    x += kMainNs;
    x += "\" count=\"" + std::to_string(references_) + "\" uniqueCount=\"" +
         std::to_string(strings_.size()) + "\">";
    for (const std::string* s : strings_) {
      x += "<si><t xml:space=\"preserve\">";
      AppendText(*s, x);
      x += "</t></si>";
    }
    x += "</sst>";
    return x;
  }

 private:
  bool IsDateColumn(std::size_t col) const {
    return std::find(options_.date_columns.begin(), options_.date_columns.end(), col) !=
           options_.date_columns.end();
  }

  std::size_t SharedIndex(const std::string& value) {
    ++references_;
    auto [it, inserted] = index_.try_emplace(value, strings_.size());
    if (inserted) strings_.push_back(&it->first);
    return it->second;
  }

  const XlsxWriteOptions& options_;
  std::string sheet_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<const std::string*> strings_;  // keys of index_ (node-based, so stable)
  std::size_t references_ = 0;
};

}  // namespace

std::optional<long> IsoDateToExcelSerial(std::string_view iso, bool date1904) {
  using std::chrono::sys_days;
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  auto number = [&](std::size_t pos, std::size_t len) -> int {
    int n = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (iso[i] < '0' || iso[i] > '9') return -1;
      n = n * 10 + (iso[i] - '0');
    }
    return n;
  };
  int y = number(0, 4), m = number(5, 2), d = number(8, 2);
  if (y < 0 || m < 0 || d < 0) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y),
                                  std::chrono::month(static_cast<unsigned>(m)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  sys_days date(ymd);
  if (date1904) {
    sys_days epoch(std::chrono::year(1904) / 1 / 1);
    if (date < epoch) return std::nullopt;
    return static_cast<long>((date - epoch).count());
  }
  sys_days epoch(std::chrono::year(1899) / 12 / 31);
  if (date <= epoch) return std::nullopt;
  long serial = static_cast<long>((date - epoch).count());
  // Excel's serials count a 1900-02-29 that never was (serial 60).
  if (date >= sys_days(std::chrono::year(1900) / 3 / 1)) ++serial;
  return serial;
}

Result<void> WriteXlsx(const std::string& path, const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows,
                       const XlsxWriteOptions& options) {
  if (rows.size() + 1 > kMaxRows) {
    return InvalidInput("a worksheet holds at most 1048576 rows", "工作表最多1048576行（含表头）");
  }
  auto check = [](const std::vector<std::string>& values, std::size_t row_number) -> Result<void> {
    if (values.size() > kMaxColumns) {
      return InvalidInput("row " + std::to_string(row_number) + " has more than 16384 cells",
                          "第" + std::to_string(row_number) + "行超过16384列");
    }
    for (const std::string& v : values) {
      if (!IsValidUtf8(v)) {
        return InvalidInput("row " + std::to_string(row_number) + " has text that is not UTF-8",
                            "第" + std::to_string(row_number) + "行含有不是UTF-8编码的文本");
      }
    }
    return {};
  };

  SheetBuilder builder(options);
  if (Result<void> r = check(header, 1); !r) return r;
  builder.AddRow(1, header, /*header=*/true);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (Result<void> r = check(rows[i], i + 2); !r) return r;
    builder.AddRow(i + 2, rows[i], /*header=*/false);
  }

  // libzip reads the buffers at zip_close, so they live until then. [Content_Types].xml goes first,
  // where some readers expect it.
  const std::pair<const char*, std::string> parts[] = {
      {"[Content_Types].xml", ContentTypes()},
      {"_rels/.rels", RootRels()},
      {"xl/workbook.xml", Workbook(options.date1904)},
      {"xl/_rels/workbook.xml.rels", WorkbookRels()},
      {"xl/styles.xml", Styles()},
      {"xl/sharedStrings.xml", builder.SharedStrings()},
      {"xl/worksheets/sheet1.xml", builder.FinishSheet()},
  };

  auto unavailable = [&path](const std::string& why) {
    return Fail(ErrorCode::kUnavailable, "xlsx.write", "cannot write " + path + ": " + why,
                "无法写入文件：" + path + "（" + why + "）");
  };
  int err = 0;
  std::unique_ptr<zip_t, ZipDiscard> archive(
      zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err));
  if (!archive) {
    zip_error_t error;
    zip_error_init_with_code(&error, err);
    std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    return unavailable(why);
  }
  for (const auto& [name, data] : parts) {
    zip_source_t* source = zip_source_buffer(archive.get(), data.data(), data.size(), 0);
    if (source == nullptr) return unavailable(ZipErrorText(archive.get()));
    zip_int64_t index =
        zip_file_add(archive.get(), name, source, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (index < 0) {
      zip_source_free(source);
      return unavailable(ZipErrorText(archive.get()));
    }
    // Sheet XML is so repetitive that zlib's default level spends ten times longer for a file
    // barely smaller; level 1 keeps writing a large generated workbook to seconds.
    if (zip_set_file_compression(archive.get(), static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE,
                                 1) != 0) {
      return unavailable(ZipErrorText(archive.get()));
    }
  }
  if (zip_close(archive.get()) != 0) return unavailable(ZipErrorText(archive.get()));
  (void)archive.release();  // zip_close freed it
  return {};
}

}  // namespace xy
