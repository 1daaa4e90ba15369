// A minimal XLSX writer: one worksheet named "Sheet1", text in shared strings, and optionally real
// date cells. It exists for tests and the synthetic-data generator, which need workbooks that
// exercise the reader the way Excel's own files do, and that open in Excel and LibreOffice.
//
// The package holds [Content_Types].xml, the root and workbook relationships, xl/workbook.xml,
// xl/styles.xml (a default style and a "yyyy-mm-dd" date style), xl/sharedStrings.xml and
// xl/worksheets/sheet1.xml. The header is row 1 and row i of `rows` is sheet row i + 2. Every
// non-empty value is a shared string, except in XlsxWriteOptions::date_columns, where an ISO date
// ("YYYY-MM-DD", 1900-01-01 to 9999-12-31) is written as its serial number with the date style;
// anything else in such a column stays text. Empty values get no cell at all (a gap, as Excel
// does). Characters XML cannot hold (control characters other than tab and LF, and CR, which XML
// would turn into LF) are written as OOXML _xHHHH_ escapes, as Excel does, and "_x" in text is
// escaped so it reads back unchanged.
//
// Thread-safety: WriteXlsx is thread-safe for distinct paths.

#ifndef XY_INGEST_XLSX_WRITER_H_
#define XY_INGEST_XLSX_WRITER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace xy {

struct XlsxWriteOptions {
  // 0-based column indexes whose ISO-date values become date cells. None by default: all text.
  std::vector<std::size_t> date_columns;
  // Writes the workbook in the 1904 date system (workbookPr date1904), as old Mac Excel did; only
  // the serials change. Off by default, like every current Excel.
  bool date1904 = false;
};

// Writes (replacing) `path`. Errors: kInvalidArgument "xlsx.write" for text that is not valid UTF-8
// or more rows (1,048,576 with the header) or columns (16,384) than a sheet holds; kUnavailable
// "xlsx.write" when the file cannot be written.
Result<void> WriteXlsx(const std::string& path, const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows,
                       const XlsxWriteOptions& options = {});

// The Excel serial of an ISO date "YYYY-MM-DD" (the inverse of ExcelSerialToIsoDate for whole
// days), or nullopt when `iso` is not such a date or the date system cannot show it.
std::optional<long> IsoDateToExcelSerial(std::string_view iso, bool date1904);

}  // namespace xy

#endif  // XY_INGEST_XLSX_WRITER_H_
