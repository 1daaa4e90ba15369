// The CSV reader: RFC 4180 plus what department exports actually contain.
//
// Records: comma-separated cells; a cell that starts with `"` is quoted and may hold commas,
// doubled quotes (`""` for one `"`) and line breaks (LF or CRLF, kept as they are); any text after
// the closing quote, up to the next comma, is appended verbatim (`"ab"c` reads as `abc`, as Excel
// does). A cell that does not start with `"` is taken verbatim, quotes included. Records end with
// LF or CRLF (or the end of the file). A completely empty line (nothing, or a lone CR, between two
// line ends) is skipped and not counted: row numbers count records, not physical lines, and the
// header is row 0. A line of only commas or spaces is a record (of empty or blank cells), not an
// empty line.
//
// Rows against the header: a shorter row is padded with empty cells; a longer row keeps all its
// cells and gets `error` ("第N行有M列，表头只有K列"). A quoted cell still open at the end of the
// file makes that last record an error row (its final line break is dropped from it). RawRow::raw
// is the record's original bytes without its line break.
//
// Encoding: kAuto decides on the first 64 KiB: valid UTF-8 (a UTF-8 BOM is skipped) → UTF-8;
// otherwise valid GB18030 (a GB18030 BOM is skipped) → GB18030; otherwise OpenCsvReader fails with
// "reader.encoding". When those first 64 KiB are pure ASCII the choice is deferred to the first
// record with a non-ASCII byte, judged on the 64 KiB from there (encoding() says kUtf8 until then;
// if neither encoding fits at that point, UTF-8 is kept). A forced encoding is used as is. Any
// later record that is not valid in the chosen encoding is still returned, with `error`, its
// invalid bytes decoded as U+FFFD. A header that does not decode fails OpenCsvReader with
// "reader.encoding".
//
// The structure is parsed on the undecoded bytes: no GB18030 multi-byte sequence contains a comma,
// quote, CR or LF byte, so both encodings split the same way; a record is then decoded as a whole.
// The file is read sequentially in blocks; memory is a block plus at most twice the longest record,
// which CsvReaderOptions::max_record_bytes bounds. A record longer than that (in practice an
// unclosed quote early in a large file) fails the read with "reader.record_size": unlike the other
// row problems it is not returned as a row, since where it ends is unknown.
//
// Thread-safety: a reader is used by one thread. Ownership: the reader owns its file descriptor.

#ifndef XY_INGEST_CSV_READER_H_
#define XY_INGEST_CSV_READER_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "ingest/reader.h"

namespace xy {

struct CsvReaderOptions {
  // Bytes asked of read() at a time. 1 MiB keeps system calls rare while staying in cache; tests
  // set it to a few bytes to put a block boundary inside every construct.
  std::size_t block_size = std::size_t{1} << 20;
  // How many bytes decide the encoding under kAuto (see above).
  std::size_t detect_bytes = std::size_t{64} << 10;
  // The longest record read. A longer one is almost always a quote that is never closed, which
  // would otherwise pull the rest of the file into memory; Next() (or OpenCsvReader, for the
  // header) then fails with "reader.record_size" instead of returning a row.
  std::size_t max_record_bytes = std::size_t{64} << 20;
};

// Errors: kNotFound "reader.open" (missing, or not a regular file), kUnavailable "reader.open" /
// "reader.io" (the file cannot be opened or read), kInvalidArgument "reader.header" (no record at
// all), "reader.encoding" and "reader.record_size" (see max_record_bytes; from Next() too).
Result<std::unique_ptr<Reader>> OpenCsvReader(const std::string& path,
                                              TextEncoding encoding = TextEncoding::kAuto,
                                              const CsvReaderOptions& options = {});

// The kAuto decision on a sample: kUtf8, kGb18030, or nullopt when the bytes are neither.
// `complete` says the sample is the whole file; otherwise a character cut off at the end is not
// held against it.
std::optional<TextEncoding> DetectTextEncoding(std::string_view sample, bool complete);

}  // namespace xy

#endif  // XY_INGEST_CSV_READER_H_
