// The XLSX reader: the first worksheet of an Office Open XML workbook.
//
// "First" is the order of <sheet> in xl/workbook.xml, resolved through the workbook's relationships
// (the part may have any name; chart sheets are passed over). Cells are placed by their reference
// (A1, AB12), so a missing cell is an empty cell and column gaps are kept. Cell text: shared
// strings (rich-text runs concatenated, phonetic guides left out) and inline strings as written,
// with the OOXML escapes _xHHHH_ decoded; numbers as the text the file stores; booleans "TRUE" /
// "FALSE"; error values such as "#N/A" as written. A number whose cell style has a date format
// (built-in ids 14–22, 27–36, 45–47, 50–58, or a custom code with y, d, or an m that is not
// minutes, outside quotes and brackets) becomes "YYYY-MM-DD" (the time of day is dropped); a serial
// outside the representable dates stays a number, for the validator to reject. workbookPr date1904
// is honoured.
//
// Rows: the header is the first row with a non-empty cell, up to its last non-empty cell. After it,
// rows with no non-empty cell are skipped and not counted (the same rule as blank CSV lines), so
// row_no counts data rows, not sheet rows. Trailing empty cells are dropped, shorter rows padded,
// and a row with a non-empty cell beyond the header gets `error` ("第N行有M列，表头只有K列").
// RawRow::raw is the cells joined by tabs.
//
// The sheet is decompressed and parsed whole (pugixml), so memory is a few times the sheet's XML;
// parts over 1 GiB uncompressed are refused, which also stops zip bombs.
//
// Thread-safety: a reader is used by one thread; the free functions are thread-safe. Ownership: the
// reader owns the parsed workbook; nothing refers to the file after OpenXlsxReader returns.

#ifndef XY_INGEST_XLSX_READER_H_
#define XY_INGEST_XLSX_READER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "ingest/reader.h"

namespace xy {

// Errors: kNotFound "reader.open", kInvalidArgument "reader.xlsx" (not a zip, a missing or corrupt
// part, no worksheet) and "reader.header" (the sheet has no non-empty row).
Result<std::unique_ptr<Reader>> OpenXlsxReader(const std::string& path);

// The date an Excel serial stands for, as "YYYY-MM-DD", or nullopt when it is not one. 1900 system
// (date1904 false): 1 is 1900-01-01, 60 the nonexistent 1900-02-29 Excel keeps for Lotus
// compatibility (returned as "1900-02-29", which no date validator accepts), 61 is 1900-03-01;
// 0 and below are not dates. 1904 system: 0 is 1904-01-01. The fraction (time of day) is dropped;
// the last date is 9999-12-31.
std::optional<std::string> ExcelSerialToIsoDate(double serial, bool date1904);

// Whether a number format shows a date. `format_code` is the custom code when the workbook defines
// one for `format_id` (empty otherwise, and then only the built-in ids count).
bool IsDateNumberFormat(int format_id, std::string_view format_code);

}  // namespace xy

#endif  // XY_INGEST_XLSX_READER_H_
