// Readers turn a department's file into rows of cells, whatever its format: CSV in UTF-8 (with or
// without a BOM) or GB18030 (detected, or forced), JSON Lines, and XLSX (the first sheet).
//
// A reader only reads: it never decides whether a row is valid (ingest/validator.h does), and it never
// drops a row. A row it cannot decode (a JSON line that does not parse, a CSV row with an unclosed
// quote at end of file) is still returned, with `error` set, so it ends in quarantine with a reason.
// Every cell is returned as UTF-8 text exactly as the file holds it after decoding (no trimming, no
// normalising), so quarantine can hand the department back what it sent.
//
// Thread-safety: a Reader is used by one thread.

#ifndef XY_INGEST_READER_H_
#define XY_INGEST_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace xy {

enum class FileFormat { kCsv, kJsonLines, kXlsx };
enum class TextEncoding { kAuto, kUtf8, kGb18030 };

struct RawRow {
  std::int64_t row_no = 0;          // 1-based data row (the header is row 0)
  std::vector<std::string> cells;   // in header order; JSON Lines: values of the header's keys
  // The row exactly as the file holds it, for the raw-row SM3 (provenance): the original bytes of the
  // CSV record or JSON line (GB18030 bytes stay GB18030); for XLSX, the cells' text joined by tabs.
  std::string raw;
  std::optional<std::string> error;      // set when the row could not be decoded (English)
  std::optional<std::string> error_zh;   // the same for the department
};

class Reader {
 public:
  virtual ~Reader() = default;
  // The column names. CSV/XLSX: the first row. JSON Lines: the keys in first-seen order across the
  // whole file (a later line may add keys; earlier rows then have empty cells for them).
  virtual const std::vector<std::string>& header() const = 0;
  // The next data row, or nullopt at the end. Errors only for I/O failures (kUnavailable).
  virtual Result<std::optional<RawRow>> Next() = 0;
  // The encoding that was detected or forced (CSV); kUtf8 for the others.
  virtual TextEncoding encoding() const = 0;
};

// Opens `path` read-only for sequential reading and returns its descriptor (the caller closes it).
// Errors: kNotFound "reader.open" (missing, or not a regular file), kUnavailable "reader.open".
// Shared by the readers so they all report an unopenable file the same way.
Result<int> OpenForSequentialRead(const std::string& path);

// Lower-case hex SM3 of the whole file, the batch's provenance digest. Errors as
// OpenForSequentialRead, and kUnavailable "reader.read" when reading fails part-way.
Result<std::string> FileSm3Hex(const std::string& path);

// Picks the format from the file name's extension (.csv, .jsonl / .ndjson, .xlsx; case-insensitive).
Result<FileFormat> FormatFromPath(const std::string& path);

// Opens `path`. Errors: kInvalidArgument "reader.format" (unknown extension), kNotFound
// "reader.open", kInvalidArgument "reader.header" (no header row / empty file), "reader.xlsx" (not a
// readable workbook), "reader.encoding" (bytes that are neither UTF-8 nor GB18030).
Result<std::unique_ptr<Reader>> OpenReader(const std::string& path,
                                           TextEncoding encoding = TextEncoding::kAuto);

}  // namespace xy

#endif  // XY_INGEST_READER_H_
