#include "ingest/reader.h"

#include <cctype>
#include <string_view>

#include "ingest/csv_reader.h"
#include "ingest/jsonl_reader.h"
#include "ingest/xlsx_reader.h"

namespace xy {
namespace {

bool EndsWithNoCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  s.remove_prefix(s.size() - suffix.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != suffix[i]) return false;
  }
  return true;
}

}  // namespace

Result<FileFormat> FormatFromPath(const std::string& path) {
  if (EndsWithNoCase(path, ".csv")) return FileFormat::kCsv;
  if (EndsWithNoCase(path, ".jsonl") || EndsWithNoCase(path, ".ndjson")) {
    return FileFormat::kJsonLines;
  }
  if (EndsWithNoCase(path, ".xlsx")) return FileFormat::kXlsx;
  return Fail(ErrorCode::kInvalidArgument, "reader.format",
              "unsupported file type (expected .csv, .jsonl, .ndjson or .xlsx): " + path,
              "不支持的文件类型（仅支持 .csv、.jsonl、.ndjson、.xlsx）：" + path);
}

Result<std::unique_ptr<Reader>> OpenReader(const std::string& path, TextEncoding encoding) {
  Result<FileFormat> format = FormatFromPath(path);
  if (!format) return std::unexpected(format.error());
  switch (*format) {
    case FileFormat::kCsv:
      return OpenCsvReader(path, encoding);
    // JSON (RFC 8259) and XLSX (XML parts) define their own encoding, so `encoding` only ever
    // applies to CSV.
    case FileFormat::kJsonLines:
      return OpenJsonLinesReader(path);
    case FileFormat::kXlsx:
      return OpenXlsxReader(path);
  }
  return Fail(ErrorCode::kInternal, "reader.format", "unhandled file format");
}

}  // namespace xy
