#include "ingest/csv_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unicode/ucnv.h>
#include <unicode/utf8.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace xy {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kGb18030Bom = "\x84\x31\x95\x33";  // U+FEFF in GB18030

bool IsAscii(std::string_view s) {
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t acc = 0;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    acc |= w;
  }
  for (; n > 0; ++p, --n) acc |= static_cast<unsigned char>(*p);
  return (acc & 0x8080808080808080ULL) == 0;
}

bool IsUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

// Drops a multi-byte character cut off at the end of a sample, so a sample boundary that falls
// inside one is not taken for bad UTF-8.
std::string_view TrimPartialUtf8(std::string_view s) {
  std::size_t n = s.size();
  std::size_t back = 0;
  while (back < 3 && back < n && (static_cast<unsigned char>(s[n - 1 - back]) & 0xC0) == 0x80) {
    ++back;
  }
  if (back == n) return s;
  unsigned char lead = static_cast<unsigned char>(s[n - 1 - back]);
  std::size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  if (need > back + 1) return s.substr(0, n - 1 - back);
  return s;
}

// Invalid sequences become U+FFFD, so an undecodable row can still be shown in quarantine.
void DecodeUtf8Lenient(std::string_view in, std::string& out) {
  out.clear();
  const auto* s = reinterpret_cast<const std::uint8_t*>(in.data());
  const auto length = static_cast<std::int32_t>(in.size());
  for (std::int32_t i = 0; i < length;) {
    std::int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) {
      out.append("\xEF\xBF\xBD");
    } else {
      out.append(in.data() + start, static_cast<std::size_t>(i - start));
    }
  }
}

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};
using ConverterPtr = std::unique_ptr<UConverter, ConverterCloser>;

ConverterPtr OpenGb18030(bool strict) {
  UErrorCode status = U_ZERO_ERROR;
  ConverterPtr cnv(ucnv_open("gb18030", &status));
  if (U_FAILURE(status)) return nullptr;
  if (strict) {
    ucnv_setToUCallBack(cnv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
    if (U_FAILURE(status)) return nullptr;
  }
  return cnv;
}

// GB18030 → UTF-8 in one ICU call per record. With a strict converter, false on the first invalid
// or unmapped sequence; a lenient one substitutes U+FFFD.
bool DecodeGb18030(UConverter* cnv, std::string_view in, std::string& out) {
  // Each GB18030 byte yields at most 3 UTF-8 bytes (a lone bad byte becomes U+FFFD).
  out.resize(in.size() * 3 + 4);
  UErrorCode status = U_ZERO_ERROR;
  std::int32_t n =
      ucnv_toAlgorithmic(UCNV_UTF8, cnv, out.data(), static_cast<std::int32_t>(out.size()),
                         in.data(), static_cast<std::int32_t>(in.size()), &status);
  if (U_FAILURE(status) || n < 0) {
    out.clear();
    return false;
  }
  out.resize(static_cast<std::size_t>(n));
  return true;
}

// GB18030 two-byte codes (lead 0x81–0xFE, trail 0x40–0x7E or 0x80–0xFE) decoded by table, which
// is filled from ICU itself so that it agrees with the ICU path byte for byte. Converting record by
// record through ICU costs more than everything else the reader does; the table makes GB18030 files
// nearly as cheap as UTF-8 ones. Four-byte codes (characters outside GBK) and invalid bytes still
// go through ICU.
class Gb18030TwoByteTable {
 public:
  struct Entry {
    char utf8[4];
    std::uint8_t size;  // 0: not a valid two-byte code
  };
  static constexpr unsigned kTrails = 0xFF - 0x40;  // trail bytes 0x40–0xFE

  static const Gb18030TwoByteTable& Get() {
    static const Gb18030TwoByteTable* const kTable = new Gb18030TwoByteTable();
    return *kTable;
  }
  const Entry& Find(unsigned lead, unsigned trail) const {
    return entries_[(lead - 0x81) * kTrails + (trail - 0x40)];
  }

 private:
  Gb18030TwoByteTable() : entries_(std::size_t{126} * kTrails) {
    ConverterPtr strict = OpenGb18030(/*strict=*/true);
    for (unsigned lead = 0x81; lead <= 0xFE; ++lead) {
      for (unsigned trail = 0x40; trail <= 0xFE; ++trail) {
        Entry& e = entries_[(lead - 0x81) * kTrails + (trail - 0x40)];
        e.size = 0;
        if (!strict || trail == 0x7F) continue;
        const char in[2] = {static_cast<char>(lead), static_cast<char>(trail)};
        char out[8];
        UErrorCode status = U_ZERO_ERROR;
        std::int32_t n =
            ucnv_toAlgorithmic(UCNV_UTF8, strict.get(), out, sizeof out, in, 2, &status);
        if (U_SUCCESS(status) && n >= 1 && n <= 4) {
          std::memcpy(e.utf8, out, static_cast<std::size_t>(n));
          e.size = static_cast<std::uint8_t>(n);
        }
      }
    }
  }

  std::vector<Entry> entries_;
};

// False when the record needs ICU: it has a four-byte code or an invalid byte.
bool DecodeGb18030Fast(std::string_view in, std::string& out) {
  const Gb18030TwoByteTable& table = Gb18030TwoByteTable::Get();
  // Two bytes become at most four (in practice three); +8 leaves room for the 4-byte copies.
  out.resize(in.size() * 2 + 8);
  char* o = out.data();
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const auto* e = s + in.size();
  while (s < e) {
    while (e - s >= 8) {  // runs of ASCII, eight bytes at a time
      std::uint64_t w;
      std::memcpy(&w, s, 8);
      if ((w & 0x8080808080808080ULL) != 0) break;
      std::memcpy(o, s, 8);
      o += 8;
      s += 8;
    }
    if (s == e) break;
    unsigned c = *s;
    if (c < 0x80) {
      *o++ = static_cast<char>(c);
      ++s;
      continue;
    }
    if (c == 0x80 || c == 0xFF || e - s < 2) return false;
    unsigned trail = s[1];
    if (trail < 0x40 || trail == 0xFF) return false;  // 0x30–0x39: a four-byte code
    const Gb18030TwoByteTable::Entry& entry = table.Find(c, trail);
    if (entry.size == 0) return false;
    std::memcpy(o, entry.utf8, 4);
    o += entry.size;
    s += 2;
  }
  out.resize(static_cast<std::size_t>(o - out.data()));
  return true;
}

bool IsValidGb18030(UConverter* strict, std::string_view sample, bool complete) {
  ucnv_reset(strict);
  const char* src = sample.data();
  const char* limit = src + sample.size();
  UChar chunk[4096];
  while (true) {
    UChar* target = chunk;
    UErrorCode status = U_ZERO_ERROR;
    // flush=false keeps a sequence cut off at the end of an incomplete sample pending, not an
    // error.
    ucnv_toUnicode(strict, &target, chunk + std::size(chunk), &src, limit, nullptr, complete,
                   &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) continue;
    return U_SUCCESS(status);
  }
}

std::optional<TextEncoding> Detect(UConverter* gb_strict, std::string_view sample, bool complete) {
  if (IsUtf8(complete ? sample : TrimPartialUtf8(sample))) return TextEncoding::kUtf8;
  if (gb_strict != nullptr && IsValidGb18030(gb_strict, sample, complete)) {
    return TextEncoding::kGb18030;
  }
  return std::nullopt;
}

// Where the next record ends, found on undecoded bytes.
struct Scan {
  enum Status { kRecord, kNeedMore, kUnclosed } status = kNeedMore;
  std::size_t length = 0;    // the record's bytes, without its line break
  std::size_t consumed = 0;  // the record plus its line break
  bool has_quote = false;    // some cell starts with a quote, so splitting must unquote
};

std::size_t WithoutTrailingCr(const char* p, std::size_t n) {
  return n > 0 && p[n - 1] == '\r' ? n - 1 : n;
}

// Quotes matter only where they open a cell (at the record's start or after a comma); the record
// ends at the first line feed outside a quoted cell. Every step is a memchr.
Scan ScanRecord(const char* p, const char* limit, bool eof) {
  Scan scan;
  const char* q = p;  // outside any quoted cell
  while (true) {
    const auto* nl = static_cast<const char*>(std::memchr(q, '\n', limit - q));
    // Without a line feed ahead nothing can end the record, quoted or not.
    if (nl == nullptr && !eof) return scan;
    const char* line_end = nl != nullptr ? nl : limit;
    const char* open = nullptr;
    for (const char* s = q; s < line_end;) {
      const auto* quote = static_cast<const char*>(std::memchr(s, '"', line_end - s));
      if (quote == nullptr) break;
      if (quote == p || quote[-1] == ',') {
        open = quote;
        break;
      }
      s = quote + 1;  // a quote inside an unquoted cell, or after a closing quote: a character
    }
    if (open == nullptr) {
      scan.status = Scan::kRecord;
      scan.length = WithoutTrailingCr(p, line_end - p);
      scan.consumed = (nl != nullptr ? nl + 1 : limit) - p;
      return scan;
    }
    scan.has_quote = true;
    const char* c = open + 1;
    while (true) {
      c = static_cast<const char*>(std::memchr(c, '"', limit - c));
      if (c == nullptr) {
        if (!eof) return scan;
        // Open at the end of the file: the final line break most likely ended the record.
        std::size_t n = limit - p;
        if (n > 0 && p[n - 1] == '\n') n = WithoutTrailingCr(p, n - 1);
        scan.status = Scan::kUnclosed;
        scan.length = n;
        scan.consumed = limit - p;
        return scan;
      }
      // A quote that is the last byte read may be the first of a pair; it is taken as closing for
      // now, and since no line feed follows yet, the record is scanned again with more bytes.
      if (c + 1 < limit && c[1] == '"') {
        c += 2;
        continue;
      }
      break;
    }
    q = c + 1;  // just past the closing quote
  }
}

// Splits a record in which no cell is quoted: every comma separates. This is the common case and
// the reader's inner loop, so it looks at 16 bytes per step where SSE2 is there (all of x86-64).
void SplitUnquoted(const char* p, const char* e, std::vector<std::string>& cells) {
  const char* start = p;
#if defined(__SSE2__)
  const __m128i comma = _mm_set1_epi8(',');
  for (; e - p >= 16; p += 16) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, comma)));
    while (mask != 0) {
      const char* c = p + __builtin_ctz(mask);
      cells.emplace_back(start, c);
      start = c + 1;
      mask &= mask - 1;
    }
  }
#endif
  for (; p < e; ++p) {
    if (*p == ',') {
      cells.emplace_back(start, p);
      start = p + 1;
    }
  }
  cells.emplace_back(start, e);
}

// Splits a whole record (already decoded; the separators are ASCII in both encodings).
void SplitCells(std::string_view record, bool has_quote, std::vector<std::string>& cells) {
  const char* p = record.data();
  const char* e = p + record.size();
  if (!has_quote) {
    SplitUnquoted(p, e, cells);
    return;
  }
  while (true) {  // at the start of a cell
    if (p == e || *p != '"') {
      // Unquoted cells up to the next one that opens with a quote go through the fast splitter.
      const char* open = nullptr;
      for (const char* s = p; s < e;) {
        const auto* quote = static_cast<const char*>(std::memchr(s, '"', e - s));
        if (quote == nullptr) break;
        if (quote[-1] == ',') {
          open = quote;
          break;
        }
        s = quote + 1;
      }
      if (open == nullptr) {
        SplitUnquoted(p, e, cells);
        return;
      }
      SplitUnquoted(p, open - 1, cells);
      p = open;
    }
    std::string& cell = cells.emplace_back();
    ++p;  // the opening quote
    while (true) {
      const auto* q = static_cast<const char*>(std::memchr(p, '"', e - p));
      if (q == nullptr) {  // unclosed: the rest of the record is the cell
        cell.append(p, e);
        p = e;
        break;
      }
      cell.append(p, q);
      if (q + 1 < e && q[1] == '"') {
        cell.push_back('"');
        p = q + 2;
        continue;
      }
      p = q + 1;
      break;
    }
    // Text between the closing quote and the next comma is kept as it is.
    const auto* c = static_cast<const char*>(std::memchr(p, ',', e - p));
    if (c == nullptr) {
      cell.append(p, e);
      return;
    }
    cell.append(p, c);
    p = c + 1;
  }
}

std::string RowPrefix(std::int64_t row_no) { return "row " + std::to_string(row_no); }
std::string RowPrefixZh(std::int64_t row_no) { return "第" + std::to_string(row_no) + "行"; }

class CsvReader final : public Reader {
 public:
  CsvReader(TextEncoding forced, const CsvReaderOptions& options)
      : forced_(forced),
        block_size_(std::max<std::size_t>(options.block_size, 1)),
        detect_bytes_(std::max<std::size_t>(options.detect_bytes, 1)),
        max_record_bytes_(std::max<std::size_t>(options.max_record_bytes, 1)) {}
  ~CsvReader() override {
    if (fd_ >= 0) ::close(fd_);
  }
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  Result<void> Open(const std::string& path);

  const std::vector<std::string>& header() const override { return header_; }
  Result<std::optional<RawRow>> Next() override;
  TextEncoding encoding() const override {
    return state_ == State::kGb18030 ? TextEncoding::kGb18030 : TextEncoding::kUtf8;
  }

 private:
  // kAsciiSoFar: everything seen was ASCII, which reads the same in both encodings.
  enum class State { kUtf8, kGb18030, kAsciiSoFar };

  std::string_view Available() const { return {buf_.get() + begin_, end_ - begin_}; }
  Result<void> Fill(std::size_t want);
  Result<std::optional<Scan>> NextRecord();
  Result<void> Decide(bool at_open);
  // Decodes `record` into a view of UTF-8 text (the record itself, or scratch_); false when some
  // bytes are invalid in the chosen encoding (they are then U+FFFD).
  bool Decode(std::string_view record, std::string_view& text);

  TextEncoding forced_;
  std::size_t block_size_;
  std::size_t detect_bytes_;
  std::size_t max_record_bytes_;
  int fd_ = -1;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_ = 0;
  std::size_t begin_ = 0;  // start of unconsumed bytes
  std::size_t end_ = 0;    // end of bytes read
  bool eof_ = false;
  State state_ = State::kUtf8;
  ConverterPtr gb_strict_;
  ConverterPtr gb_lenient_;
  std::string scratch_;
  std::vector<std::string> header_;
  std::int64_t row_no_ = 0;
};

Result<void> CsvReader::Fill(std::size_t want) {
  if (end_ - begin_ >= want || eof_) return {};
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  std::size_t needed = std::max(want, block_size_);
  if (cap_ < needed) {
    std::size_t cap = std::max(needed, cap_ * 2);
    auto grown = std::make_unique_for_overwrite<char[]>(cap);
    if (end_ > 0) std::memcpy(grown.get(), buf_.get(), end_);
    buf_ = std::move(grown);
    cap_ = cap;
  }
  while (end_ < want && !eof_) {
    std::size_t ask = std::min(cap_ - end_, block_size_);
    ssize_t n = ::read(fd_, buf_.get() + end_, ask);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      return Fail(ErrorCode::kUnavailable, "reader.io",
                  std::string("cannot read the file: ") + std::strerror(err),
                  "读取文件失败：" + std::string(std::strerror(err)));
    }
    if (n == 0) {
      eof_ = true;
    } else {
      end_ += static_cast<std::size_t>(n);
    }
  }
  return {};
}

// The next non-empty record, starting at begin_ (which is left there), or nullopt at the end.
Result<std::optional<Scan>> CsvReader::NextRecord() {
  while (true) {
    if (begin_ == end_) {
      if (eof_) return std::optional<Scan>();
      if (Result<void> r = Fill(1); !r) return std::unexpected(r.error());
      continue;
    }
    Scan scan = ScanRecord(buf_.get() + begin_, buf_.get() + end_, eof_);
    if (scan.status == Scan::kNeedMore) {
      std::size_t have = end_ - begin_;
      if (have >= max_record_bytes_) {
        std::string where = row_no_ == 0 && header_.empty() ? std::string("the header row")
                                                            : RowPrefix(row_no_ + 1);
        std::string where_zh =
            row_no_ == 0 && header_.empty() ? std::string("表头行") : RowPrefixZh(row_no_ + 1);
        std::string limit = std::to_string(max_record_bytes_ >> 20) + " MiB";
        return Fail(ErrorCode::kInvalidArgument, "reader.record_size",
                    where + " is longer than " + limit + " (probably a quote that is never closed)",
                    where_zh + "超过" + limit + "，很可能是某个引号没有闭合，请检查该行附近的引号");
      }
      // Asking for twice what is there keeps rescanning a long record linear overall.
      if (Result<void> r = Fill(have + std::max(have, block_size_)); !r) {
        return std::unexpected(r.error());
      }
      continue;
    }
    if (scan.length == 0 && scan.status == Scan::kRecord) {  // an empty line
      begin_ += scan.consumed;
      continue;
    }
    return std::optional<Scan>(scan);
  }
}

// Chooses the encoding from the bytes at begin_ (the start of the file, or the first record with a
// non-ASCII byte). At open, bytes in neither encoding are an error; later, UTF-8 is kept.
Result<void> CsvReader::Decide(bool at_open) {
  if (Result<void> r = Fill(detect_bytes_); !r) return r;
  std::string_view avail = Available();
  bool complete = eof_ && avail.size() <= detect_bytes_;
  std::string_view sample = avail.substr(0, detect_bytes_);
  if (!complete && IsAscii(sample)) {
    state_ = State::kAsciiSoFar;
    return {};
  }
  std::optional<TextEncoding> detected = Detect(gb_strict_.get(), sample, complete);
  if (!detected && at_open) {
    return Fail(ErrorCode::kInvalidArgument, "reader.encoding",
                "the file is neither UTF-8 nor GB18030 text",
                "文件编码无法识别：既不是UTF-8也不是GB18030，请另存为UTF-8编码的CSV后重新报送");
  }
  state_ = detected == TextEncoding::kGb18030 ? State::kGb18030 : State::kUtf8;
  return {};
}

bool CsvReader::Decode(std::string_view record, std::string_view& text) {
  switch (state_) {
    case State::kAsciiSoFar:  // the caller decides first when the record is not ASCII
    case State::kUtf8:
      if (IsUtf8(record)) {
        text = record;
        return true;
      }
      DecodeUtf8Lenient(record, scratch_);
      text = scratch_;
      return false;
    case State::kGb18030:
      if (IsAscii(record)) {
        text = record;
        return true;
      }
      if (DecodeGb18030Fast(record, scratch_) ||
          DecodeGb18030(gb_strict_.get(), record, scratch_)) {
        text = scratch_;
        return true;
      }
      DecodeGb18030(gb_lenient_.get(), record, scratch_);
      text = scratch_;
      return false;
  }
  return false;
}

Result<void> CsvReader::Open(const std::string& path) {
  gb_strict_ = OpenGb18030(/*strict=*/true);
  gb_lenient_ = OpenGb18030(/*strict=*/false);
  if (!gb_strict_ || !gb_lenient_) {
    return Fail(ErrorCode::kInternal, "reader.encoding", "ICU has no gb18030 converter");
  }
  Result<int> fd = OpenForSequentialRead(path);
  if (!fd) return std::unexpected(fd.error());
  fd_ = *fd;

  switch (forced_) {
    case TextEncoding::kAuto:
      if (Result<void> r = Decide(/*at_open=*/true); !r) return r;
      break;
    case TextEncoding::kUtf8:
      if (Result<void> r = Fill(kUtf8Bom.size()); !r) return r;
      state_ = State::kUtf8;
      break;
    case TextEncoding::kGb18030:
      if (Result<void> r = Fill(kGb18030Bom.size()); !r) return r;
      state_ = State::kGb18030;
      break;
  }
  if (state_ != State::kGb18030 && Available().starts_with(kUtf8Bom)) begin_ += kUtf8Bom.size();
  if (state_ == State::kGb18030 && Available().starts_with(kGb18030Bom)) {
    begin_ += kGb18030Bom.size();
  }

  Result<std::optional<Scan>> scan = NextRecord();
  if (!scan) return std::unexpected(scan.error());
  if (!*scan) {
    return Fail(ErrorCode::kInvalidArgument, "reader.header", "the file is empty (no header row)",
                "文件为空，缺少表头行");
  }
  if ((*scan)->status == Scan::kUnclosed) {
    return Fail(ErrorCode::kInvalidArgument, "reader.header",
                "the header row has a quote that is never closed",
                "表头行的引号未闭合，无法确定各列名称");
  }
  std::string_view record = Available().substr(0, (*scan)->length);
  if (state_ == State::kAsciiSoFar && !IsAscii(record)) {  // a header longer than the sample
    if (Result<void> r = Decide(/*at_open=*/true); !r) return r;
    record = Available().substr(0, (*scan)->length);
  }
  std::string_view text;
  if (!Decode(record, text)) {
    return Fail(ErrorCode::kInvalidArgument, "reader.encoding",
                std::string("the header row is not valid ") +
                    (state_ == State::kGb18030 ? "GB18030" : "UTF-8"),
                std::string("表头行不是有效的") +
                    (state_ == State::kGb18030 ? "GB18030" : "UTF-8") + "编码");
  }
  SplitCells(text, (*scan)->has_quote, header_);
  begin_ += (*scan)->consumed;
  return {};
}

Result<std::optional<RawRow>> CsvReader::Next() {
  Result<std::optional<Scan>> next = NextRecord();
  if (!next) return std::unexpected(next.error());
  if (!*next) return std::optional<RawRow>();
  const Scan scan = **next;
  std::string_view record = Available().substr(0, scan.length);
  if (state_ == State::kAsciiSoFar && !IsAscii(record)) {
    if (Result<void> r = Decide(/*at_open=*/false); !r) return std::unexpected(r.error());
    record = Available().substr(0, scan.length);  // Decide may have moved the buffer
  }

  std::optional<RawRow> out(std::in_place);
  RawRow& row = *out;
  row.row_no = ++row_no_;
  row.raw.assign(record);
  std::string_view text;
  bool decoded = Decode(record, text);
  row.cells.reserve(header_.size());
  SplitCells(text, scan.has_quote, row.cells);
  begin_ += scan.consumed;

  if (scan.status == Scan::kUnclosed) {
    row.error = RowPrefix(row.row_no) + ": a quoted cell is not closed before the end of the file";
    row.error_zh = RowPrefixZh(row.row_no) + "的引号未闭合（直到文件结尾）";
  } else if (!decoded) {
    const char* name = state_ == State::kGb18030 ? "GB18030" : "UTF-8";
    row.error = RowPrefix(row.row_no) + " has bytes that are not valid " + name +
                " (the file is read as " + name + ")";
    row.error_zh =
        RowPrefixZh(row.row_no) + "含有不符合" + name + "编码的字节（文件按" + name + "编码读取）";
  } else if (row.cells.size() > header_.size()) {
    std::string m = std::to_string(row.cells.size());
    std::string k = std::to_string(header_.size());
    row.error = RowPrefix(row.row_no) + " has " + m + " cells but the header has " + k;
    row.error_zh = RowPrefixZh(row.row_no) + "有" + m + "列，表头只有" + k + "列";
  }
  if (row.cells.size() < header_.size()) row.cells.resize(header_.size());
  return out;
}

}  // namespace

std::optional<TextEncoding> DetectTextEncoding(std::string_view sample, bool complete) {
  ConverterPtr strict = OpenGb18030(/*strict=*/true);
  return Detect(strict.get(), sample, complete);
}

Result<std::unique_ptr<Reader>> OpenCsvReader(const std::string& path, TextEncoding encoding,
                                              const CsvReaderOptions& options) {
  auto reader = std::make_unique<CsvReader>(encoding, options);
  if (Result<void> r = reader->Open(path); !r) return std::unexpected(r.error());
  return std::unique_ptr<Reader>(std::move(reader));
}

}  // namespace xy
