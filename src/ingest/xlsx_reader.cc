#include "ingest/xlsx_reader.h"

#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <unordered_map>
#include <utility>
#include <vector>

#include <pugixml.hpp>

namespace xy {
namespace {

constexpr std::uint64_t kMaxPartBytes = std::uint64_t{1} << 30;
constexpr std::size_t kMaxColumns = 16384;  // XFD, Excel's last column

std::unexpected<Error> XlsxError(std::string message, std::string message_zh) {
  return Fail(ErrorCode::kInvalidArgument, "reader.xlsx", std::move(message),
              std::move(message_zh));
}

std::string_view LocalName(const char* name) {
  std::string_view s(name);
  std::size_t colon = s.find(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

// Element and attribute look-ups by local name: writers other than Excel (the .NET SDK, some
// reporting tools) put every element behind a namespace prefix such as "x:".
pugi::xml_node Child(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c.name()) == local) return c;
  }
  return {};
}

pugi::xml_attribute Attr(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    if (LocalName(a.name()) == local) return a;
  }
  return {};
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

void AppendUtf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// OOXML strings escape characters XML cannot hold (and a literal "_x" pattern) as _xHHHH_, UTF-16
// code units: Excel writes a CR in a cell as _x000D_.
std::string DecodeXEscapes(std::string s) {
  if (s.find("_x") == std::string::npos) return s;
  auto unit_at = [&s](std::size_t i) -> int {
    if (i + 7 > s.size() || s[i] != '_' || s[i + 1] != 'x' || s[i + 6] != '_') return -1;
    int unit = 0;
    for (std::size_t k = i + 2; k < i + 6; ++k) {
      if (!IsHex(s[k])) return -1;
      char c = s[k];
      unit = unit * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return unit;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    int unit = unit_at(i);
    if (unit < 0) {
      out.push_back(s[i++]);
      continue;
    }
    i += 7;
    char32_t c = static_cast<char32_t>(unit);
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      int low = unit_at(i);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        c = 0x10000 + ((static_cast<char32_t>(unit) - 0xD800) << 10) +
            (static_cast<char32_t>(low) - 0xDC00);
        i += 7;
      } else {
        c = 0xFFFD;
      }
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      c = 0xFFFD;
    }
    AppendUtf8(c, out);
  }
  return out;
}

// The text of a shared string <si> or an inline <is>: plain <t>, or rich-text runs <r><t>. Phonetic
// guides (<rPh>) also hold <t> but are not part of the cell's text.
std::string StringItemText(pugi::xml_node item) {
  std::string out;
  for (pugi::xml_node c = item.first_child(); c; c = c.next_sibling()) {
    std::string_view name = LocalName(c.name());
    if (name == "t") {
      out += c.text().get();
    } else if (name == "r") {
      for (pugi::xml_node t = c.first_child(); t; t = t.next_sibling()) {
        if (LocalName(t.name()) == "t") out += t.text().get();
      }
    }
  }
  return DecodeXEscapes(std::move(out));
}

// "AB12" → 27 (0-based column); nullopt when there is no valid column part.
std::optional<std::size_t> ColumnOfReference(std::string_view ref) {
  std::size_t col = 0;
  std::size_t letters = 0;
  for (char ch : ref) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (ch < 'A' || ch > 'Z') break;
    col = col * 26 + static_cast<std::size_t>(ch - 'A' + 1);
    if (++letters > 3) return std::nullopt;
  }
  if (letters == 0 || col > kMaxColumns) return std::nullopt;
  return col - 1;
}

// Part names inside the package: relative targets are resolved against the source part's folder.
std::string ResolvePart(std::string_view base_dir, std::string_view target) {
  std::string joined = target.starts_with('/') ? std::string(target.substr(1))
                                               : std::string(base_dir) + std::string(target);
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= joined.size()) {
    std::size_t slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    std::string segment = joined.substr(start, slash - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(std::move(segment));
    }
    start = slash + 1;
  }
  std::string out;
  for (const std::string& s : segments) {
    if (!out.empty()) out.push_back('/');
    out += s;
  }
  return out;
}

std::string FolderOf(std::string_view part) {
  std::size_t slash = part.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(part.substr(0, slash + 1));
}

std::string RelsPathOf(std::string_view part) {
  std::size_t slash = part.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? "" : part.substr(0, slash + 1);
  std::string_view file = slash == std::string_view::npos ? part : part.substr(slash + 1);
  return std::string(dir) + "_rels/" + std::string(file) + ".rels";
}

struct Relationship {
  std::string id;
  std::string type;    // a URI; compared by its last segment ("worksheet", "sharedStrings")
  std::string target;  // resolved part name
};

bool TypeIs(const Relationship& rel, std::string_view last_segment) {
  std::string_view type = rel.type;
  return type.size() > last_segment.size() && type.ends_with(last_segment) &&
         type[type.size() - last_segment.size() - 1] == '/';
}

struct ZipDiscard {
  void operator()(zip_t* zip) const { zip_discard(zip); }
};

struct ZipFileClose {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

class Package {
 public:
  Result<void> Open(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return Fail(ErrorCode::kNotFound, "reader.open", "no such file: " + path,
                  "文件不存在：" + path);
    }
    int err = 0;
    zip_.reset(zip_open(path.c_str(), ZIP_RDONLY, &err));
    if (!zip_) {
      zip_error_t error;
      zip_error_init_with_code(&error, err);
      std::string why = zip_error_strerror(&error);
      zip_error_fini(&error);
      if (err == ZIP_ER_OPEN || err == ZIP_ER_READ) {
        return Fail(ErrorCode::kUnavailable, "reader.open", "cannot open " + path + ": " + why,
                    "无法打开文件：" + path);
      }
      return XlsxError(
          "not an XLSX workbook (" + why + ")",
          "文件不是有效的XLSX工作簿（无法按ZIP格式打开，可能是旧版.xls、已加密或已损坏），"
          "请用Excel另存为.xlsx后重新报送");
    }
    return {};
  }

  // The part's bytes, or nullopt when the package has no such part.
  Result<std::optional<std::string>> Read(const std::string& name) {
    // OPC part names are case-insensitive.
    zip_int64_t index = zip_name_locate(zip_.get(), name.c_str(), ZIP_FL_NOCASE);
    if (index < 0) return std::optional<std::string>();
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_.get(), static_cast<zip_uint64_t>(index), 0, &st) != 0 ||
        (st.valid & ZIP_STAT_SIZE) == 0) {
      return Corrupt(name);
    }
    if (st.size > kMaxPartBytes) {
      return XlsxError(name + " is larger than 1 GiB uncompressed",
                       "工作簿过大（" + name + " 解压后超过1 GiB），请拆分文件或改用CSV报送");
    }
    std::unique_ptr<zip_file_t, ZipFileClose> file(
        zip_fopen_index(zip_.get(), static_cast<zip_uint64_t>(index), 0));
    if (!file) return Corrupt(name);
    std::string data(static_cast<std::size_t>(st.size), '\0');
    std::size_t got = 0;
    while (got < data.size()) {
      zip_int64_t n = zip_fread(file.get(), data.data() + got, data.size() - got);
      if (n <= 0) return Corrupt(name);
      got += static_cast<std::size_t>(n);
    }
    // libzip checks the CRC when a read reaches the end of the entry.
    char extra;
    if (zip_fread(file.get(), &extra, 1) != 0) return Corrupt(name);
    return std::optional<std::string>(std::move(data));
  }

  Result<std::string> ReadRequired(const std::string& name) {
    Result<std::optional<std::string>> data = Read(name);
    if (!data) return std::unexpected(data.error());
    if (!*data) {
      return XlsxError("the workbook has no part " + name,
                       "XLSX文件不完整：缺少 " + name + "，请用Excel重新保存后报送");
    }
    return std::move(**data);
  }

 private:
  static std::unexpected<Error> Corrupt(const std::string& name) {
    return XlsxError("cannot read " + name + " (corrupt or unsupported compression)",
                     "XLSX文件已损坏：无法读取 " + name + "，请用Excel重新保存后报送");
  }

  std::unique_ptr<zip_t, ZipDiscard> zip_;
};

constexpr unsigned kParseOptions = pugi::parse_default | pugi::parse_ws_pcdata_single;

Result<void> ParseXml(std::string& text, const std::string& name, pugi::xml_document& doc) {
  pugi::xml_parse_result parsed = doc.load_buffer_inplace(text.data(), text.size(), kParseOptions);
  if (!parsed) {
    return XlsxError(name + " is not well-formed XML: " + parsed.description(),
                     "XLSX文件已损坏：" + name + " 不是有效的XML");
  }
  return {};
}

Result<std::vector<Relationship>> ReadRelationships(Package& package, std::string_view part,
                                                    bool required) {
  std::string rels_name = RelsPathOf(part);
  Result<std::optional<std::string>> text = package.Read(rels_name);
  if (!text) return std::unexpected(text.error());
  std::vector<Relationship> rels;
  if (!*text) {
    if (!required) return rels;
    return XlsxError("the workbook has no part " + rels_name,
                     "XLSX文件不完整：缺少 " + rels_name + "，请用Excel重新保存后报送");
  }
  pugi::xml_document doc;
  if (Result<void> r = ParseXml(**text, rels_name, doc); !r) return std::unexpected(r.error());
  pugi::xml_node root = Child(doc, "Relationships");
  std::string base_dir = FolderOf(part);
  for (pugi::xml_node r = root.first_child(); r; r = r.next_sibling()) {
    if (LocalName(r.name()) != "Relationship") continue;
    if (std::string_view(r.attribute("TargetMode").value()) == "External") continue;
    rels.push_back(Relationship{r.attribute("Id").value(), r.attribute("Type").value(),
                                ResolvePart(base_dir, r.attribute("Target").value())});
  }
  return rels;
}

bool IsTrue(std::string_view v) { return v == "1" || v == "true"; }

// Scans a custom format code for date parts, outside quoted text, [..] sections (colours, locales,
// conditions) and escaped characters. "m" is minutes next to hours or seconds ("h:mm", "mm:ss"),
// so it only counts when the code shows no time part.
bool CodeIsDate(std::string_view code) {
  bool y = false, m = false, d = false, time = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    switch (c) {
      case '"': {
        std::size_t close = code.find('"', i + 1);
        if (close == std::string_view::npos) return y || d || (m && !time);
        i = close;
        continue;
      }
      case '[': {
        std::size_t close = code.find(']', i + 1);
        if (close == std::string_view::npos) return y || d || (m && !time);
        // [h], [mm], [ss]: elapsed time, not a colour or locale.
        std::string_view inner = code.substr(i + 1, close - i - 1);
        if (!inner.empty() && inner.find_first_not_of("hHmMsS") == std::string_view::npos) {
          time = true;
        }
        i = close;
        continue;
      }
      case '\\':
      case '_':
      case '*':
        ++i;  // the next character is literal (escaped, a spacer's width, a fill character)
        continue;
      default:
        break;
    }
    switch (c) {
      case 'y':
      case 'Y':
        y = true;
        break;
      case 'd':
      case 'D':
        d = true;
        break;
      case 'm':
      case 'M':
        m = true;
        break;
      case 'h':
      case 'H':
      case 's':
      case 'S':
        time = true;
        break;
      default:
        break;
    }
  }
  return y || d || (m && !time);
}

class XlsxReader final : public Reader {
 public:
  Result<void> Open(const std::string& path);
  const std::vector<std::string>& header() const override { return header_; }
  Result<std::optional<RawRow>> Next() override;
  TextEncoding encoding() const override { return TextEncoding::kUtf8; }

 private:
  Result<void> LoadSharedStrings(Package& package, const std::string& name);
  Result<void> LoadStyles(Package& package, const std::string& name);
  // The row's cells by column; `why` is set for a cell that cannot be read.
  void ReadRow(pugi::xml_node row, std::vector<std::string>& cells, std::string& why) const;
  std::string CellText(pugi::xml_node cell, std::string& why) const;
  pugi::xml_node NextRowNode();

  bool date1904_ = false;
  std::vector<std::string> shared_strings_;
  std::vector<bool> date_styles_;  // by cellXfs index
  std::string sheet_xml_;          // pugixml parses it in place: it must outlive sheet_
  pugi::xml_document sheet_;
  pugi::xml_node next_row_;
  std::vector<std::string> header_;
  std::int64_t row_no_ = 0;
};

Result<void> XlsxReader::LoadSharedStrings(Package& package, const std::string& name) {
  Result<std::string> text = package.ReadRequired(name);
  if (!text) return std::unexpected(text.error());
  pugi::xml_document doc;
  if (Result<void> r = ParseXml(*text, name, doc); !r) return r;
  pugi::xml_node sst = Child(doc, "sst");
  for (pugi::xml_node si = sst.first_child(); si; si = si.next_sibling()) {
    if (LocalName(si.name()) == "si") shared_strings_.push_back(StringItemText(si));
  }
  return {};
}

Result<void> XlsxReader::LoadStyles(Package& package, const std::string& name) {
  Result<std::string> text = package.ReadRequired(name);
  if (!text) return std::unexpected(text.error());
  pugi::xml_document doc;
  if (Result<void> r = ParseXml(*text, name, doc); !r) return r;
  pugi::xml_node style_sheet = Child(doc, "styleSheet");
  std::unordered_map<int, std::string> custom;
  for (pugi::xml_node f = Child(Child(style_sheet, "numFmts"), "numFmt"); f; f = f.next_sibling()) {
    if (LocalName(f.name()) != "numFmt") continue;
    custom[Attr(f, "numFmtId").as_int(-1)] = Attr(f, "formatCode").value();
  }
  for (pugi::xml_node xf = Child(style_sheet, "cellXfs").first_child(); xf;
       xf = xf.next_sibling()) {
    if (LocalName(xf.name()) != "xf") continue;
    int id = Attr(xf, "numFmtId").as_int(0);
    auto it = custom.find(id);
    date_styles_.push_back(IsDateNumberFormat(id, it == custom.end() ? "" : it->second));
  }
  return {};
}

Result<void> XlsxReader::Open(const std::string& path) {
  Package package;
  if (Result<void> r = package.Open(path); !r) return r;

  // The package's root relationships name the workbook part; xl/workbook.xml is only the usual
  // name.
  Result<std::vector<Relationship>> root_rels = ReadRelationships(package, "", false);
  if (!root_rels) return std::unexpected(root_rels.error());
  std::string workbook_name = "xl/workbook.xml";
  for (const Relationship& rel : *root_rels) {
    if (TypeIs(rel, "officeDocument")) {
      workbook_name = rel.target;
      break;
    }
  }
  Result<std::string> workbook_xml = package.ReadRequired(workbook_name);
  if (!workbook_xml) return std::unexpected(workbook_xml.error());
  pugi::xml_document workbook;
  if (Result<void> r = ParseXml(*workbook_xml, workbook_name, workbook); !r) return r;
  pugi::xml_node workbook_root = Child(workbook, "workbook");
  date1904_ = IsTrue(Attr(Child(workbook_root, "workbookPr"), "date1904").value());

  Result<std::vector<Relationship>> rels = ReadRelationships(package, workbook_name, true);
  if (!rels) return std::unexpected(rels.error());
  std::string sheet_name;
  for (pugi::xml_node s = Child(Child(workbook_root, "sheets"), "sheet"); s && sheet_name.empty();
       s = s.next_sibling()) {
    if (LocalName(s.name()) != "sheet") continue;
    std::string_view id = Attr(s, "id").value();  // r:id, whatever the prefix
    for (const Relationship& rel : *rels) {
      if (rel.id == id && TypeIs(rel, "worksheet")) sheet_name = rel.target;
    }
  }
  if (sheet_name.empty()) {
    return XlsxError("the workbook has no worksheet", "XLSX工作簿中没有工作表");
  }
  for (const Relationship& rel : *rels) {
    if (TypeIs(rel, "sharedStrings")) {
      if (Result<void> r = LoadSharedStrings(package, rel.target); !r) return r;
    } else if (TypeIs(rel, "styles")) {
      if (Result<void> r = LoadStyles(package, rel.target); !r) return r;
    }
  }

  Result<std::string> sheet_xml = package.ReadRequired(sheet_name);
  if (!sheet_xml) return std::unexpected(sheet_xml.error());
  sheet_xml_ = std::move(*sheet_xml);
  if (Result<void> r = ParseXml(sheet_xml_, sheet_name, sheet_); !r) return r;
  next_row_ = Child(Child(Child(sheet_, "worksheet"), "sheetData"), "row");

  std::vector<std::string> cells;
  std::string why;
  while (pugi::xml_node row = NextRowNode()) {
    ReadRow(row, cells, why);
    while (!cells.empty() && cells.back().empty()) cells.pop_back();
    if (!cells.empty()) {
      header_ = std::move(cells);
      return {};
    }
  }
  return Fail(ErrorCode::kInvalidArgument, "reader.header", "the first worksheet is empty",
              "第一个工作表是空的，缺少表头行");
}

pugi::xml_node XlsxReader::NextRowNode() {
  pugi::xml_node row = next_row_;
  if (!row) return row;
  do {
    next_row_ = next_row_.next_sibling();
  } while (next_row_ && LocalName(next_row_.name()) != "row");
  return row;
}

std::string XlsxReader::CellText(pugi::xml_node cell, std::string& why) const {
  std::string_view type = Attr(cell, "t").value();
  const char* v = Child(cell, "v").text().get();
  if (type == "s") {
    std::size_t index = 0;
    std::string_view digits(v);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (ec != std::errc() || end != digits.data() + digits.size() ||
        index >= shared_strings_.size()) {
      why = "shared string index out of range: " + std::string(digits);
      return {};
    }
    return shared_strings_[index];
  }
  if (type == "inlineStr") return StringItemText(Child(cell, "is"));
  if (type == "str") return DecodeXEscapes(v);
  if (type == "b") {
    std::string_view b(v);
    return b == "1" ? "TRUE" : b == "0" ? "FALSE" : std::string(b);
  }
  std::string_view text(v);
  if (type.empty() || type == "n") {
    std::size_t style = Attr(cell, "s").as_uint(0);
    if (!text.empty() && style < date_styles_.size() && date_styles_[style]) {
      double serial = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), serial);
      if (ec == std::errc() && end == text.data() + text.size()) {
        if (std::optional<std::string> date = ExcelSerialToIsoDate(serial, date1904_)) {
          return std::move(*date);
        }
      }
    }
  }
  return std::string(text);  // numbers, error values (t="e"), ISO dates (t="d") as written
}

void XlsxReader::ReadRow(pugi::xml_node row, std::vector<std::string>& cells,
                         std::string& why) const {
  cells.clear();
  why.clear();
  std::size_t next_column = 0;
  for (pugi::xml_node c = row.first_child(); c; c = c.next_sibling()) {
    if (LocalName(c.name()) != "c") continue;
    std::size_t column = next_column;
    if (pugi::xml_attribute ref = Attr(c, "r")) {
      std::optional<std::size_t> parsed = ColumnOfReference(ref.value());
      if (!parsed) {
        why = std::string("bad cell reference ") + ref.value();
        continue;
      }
      column = *parsed;
    }
    if (column >= kMaxColumns) {
      why = "more than 16384 columns";
      continue;
    }
    next_column = column + 1;
    std::string text = CellText(c, why);
    if (text.empty()) continue;
    if (cells.size() <= column) cells.resize(column + 1);
    cells[column] = std::move(text);
  }
}

Result<std::optional<RawRow>> XlsxReader::Next() {
  std::vector<std::string> cells;
  std::string why;
  while (pugi::xml_node node = NextRowNode()) {
    ReadRow(node, cells, why);
    while (!cells.empty() && cells.back().empty()) cells.pop_back();
    if (cells.empty() && why.empty()) continue;  // an empty (perhaps only formatted) row

    std::optional<RawRow> out(std::in_place);
    RawRow& row = *out;
    row.row_no = ++row_no_;
    std::string n = std::to_string(row.row_no);
    if (!why.empty()) {
      row.error = "row " + n + ": " + why;
      row.error_zh = "第" + n + "行有无法读取的单元格（" + why + "）";
    } else if (cells.size() > header_.size()) {
      std::string m = std::to_string(cells.size());
      std::string k = std::to_string(header_.size());
      row.error = "row " + n + " has " + m + " cells but the header has " + k;
      row.error_zh = "第" + n + "行有" + m + "列，表头只有" + k + "列";
    }
    if (cells.size() < header_.size()) cells.resize(header_.size());
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) row.raw.push_back('\t');
      row.raw += cells[i];
    }
    row.cells = std::move(cells);
    return out;
  }
  return std::optional<RawRow>();
}

}  // namespace

std::optional<std::string> ExcelSerialToIsoDate(double serial, bool date1904) {
  using std::chrono::days;
  using std::chrono::sys_days;
  if (!std::isfinite(serial)) return std::nullopt;
  double whole = std::floor(serial);
  sys_days date;
  if (date1904) {
    if (whole < 0 || whole > 2957003) return std::nullopt;
    date = sys_days(std::chrono::year(1904) / 1 / 1) + days(static_cast<int>(whole));
  } else {
    if (whole < 1 || whole > 2958465) return std::nullopt;
    if (whole == 60) return "1900-02-29";
    // Excel counts the 1900-02-29 that never was, so serials after it are one day ahead.
    int offset = static_cast<int>(whole < 60 ? whole : whole - 1);
    date = sys_days(std::chrono::year(1899) / 12 / 31) + days(offset);
  }
  std::chrono::year_month_day ymd(date);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return std::string(buf);
}

bool IsDateNumberFormat(int format_id, std::string_view format_code) {
  if (!format_code.empty()) return CodeIsDate(format_code);
  return (format_id >= 14 && format_id <= 22) || (format_id >= 27 && format_id <= 36) ||
         (format_id >= 45 && format_id <= 47) || (format_id >= 50 && format_id <= 58);
}

Result<std::unique_ptr<Reader>> OpenXlsxReader(const std::string& path) {
  auto reader = std::make_unique<XlsxReader>();
  if (Result<void> r = reader->Open(path); !r) return std::unexpected(r.error());
  return std::unique_ptr<Reader>(std::move(reader));
}

}  // namespace xy
