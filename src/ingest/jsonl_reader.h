// The JSON Lines reader (also .ndjson): one JSON object per line, UTF-8 (a BOM is skipped).
//
// Cells are the values' text: a string as its unescaped value; a number as its token exactly as
// written ("0.2" stays "0.2", 20230101 stays 20230101, 1E5 stays 1E5); true / false as "true" /
// "false"; null as an empty cell; an object or array as its minified JSON text (its numbers, too,
// exactly as written). When a key repeats within one object the last value wins.
//
// The header is every key in first-seen order across the whole file, so the file is parsed twice:
// once at open for the keys, then row by row. A line that is not exactly one JSON object (bad
// syntax, invalid UTF-8, an array or scalar, anything after the object) is a row with `error`
// ("第N行不是有效的JSON对象") and contributes no keys. Blank lines (empty or only spaces, tabs and
// CR) are skipped and not counted; rows are numbered 1, 2, … over the other lines. RawRow::raw is
// the line without its LF or CRLF. A file with no key at all (empty, only blank lines, or no valid
// object with a key) fails with "reader.header".
//
// Thread-safety: a reader is used by one thread. Ownership: the reader owns its file descriptor.

#ifndef XY_INGEST_JSONL_READER_H_
#define XY_INGEST_JSONL_READER_H_

#include <memory>
#include <string>

#include "base/result.h"
#include "ingest/reader.h"

namespace xy {

// Errors: kNotFound "reader.open", kUnavailable "reader.open" / "reader.io", kInvalidArgument
// "reader.header" and "reader.record_size" (a line over 64 MiB; from Next() too, in principle,
// though the first pass at open meets it first).
Result<std::unique_ptr<Reader>> OpenJsonLinesReader(const std::string& path);

}  // namespace xy

#endif  // XY_INGEST_JSONL_READER_H_
