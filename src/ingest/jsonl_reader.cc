#include "ingest/jsonl_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <simdjson.h>

namespace xy {
namespace {

namespace od = simdjson::ondemand;

constexpr std::size_t kBlockSize = std::size_t{1} << 20;
// A longer line is not data a department exports; refusing it keeps a file without line breaks
// from being pulled into memory whole.
constexpr std::size_t kMaxLineBytes = std::size_t{64} << 20;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Reads a file line by line in large blocks; a line view stays valid until the next call.
class LineFile {
 public:
  LineFile() = default;
  ~LineFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  LineFile(const LineFile&) = delete;
  LineFile& operator=(const LineFile&) = delete;

  Result<void> Open(const std::string& path) {
    Result<int> fd = OpenForSequentialRead(path);
    if (!fd) return std::unexpected(fd.error());
    fd_ = *fd;
    buf_ = std::make_unique_for_overwrite<char[]>(kBlockSize);
    cap_ = kBlockSize;
    return {};
  }

  Result<void> Rewind() {
    if (::lseek(fd_, 0, SEEK_SET) != 0) return IoError(errno);
    begin_ = end_ = 0;
    eof_ = false;
    at_start_ = true;
    line_no_ = 0;
    return {};
  }

  // The next line without its LF (a CR before it stays; the caller strips it), or nullopt.
  Result<std::optional<std::string_view>> Next() {
    std::size_t searched = 0;  // relative to begin_, which Fill may move
    while (true) {
      if (at_start_ && (end_ - begin_ >= kUtf8Bom.size() || eof_)) {
        at_start_ = false;
        if (Available().starts_with(kUtf8Bom)) begin_ += kUtf8Bom.size();
      }
      if (!at_start_) {
        std::string_view avail = Available();
        const auto* nl = static_cast<const char*>(
            std::memchr(avail.data() + searched, '\n', avail.size() - searched));
        if (nl != nullptr) {
          std::string_view line(avail.data(), nl - avail.data());
          begin_ += line.size() + 1;
          ++line_no_;
          return std::optional<std::string_view>(line);
        }
        searched = avail.size();
        if (searched >= kMaxLineBytes) {
          std::string n = std::to_string(line_no_ + 1);
          return Fail(ErrorCode::kInvalidArgument, "reader.record_size",
                      "line " + n + " of the file is longer than 64 MiB",
                      "文件第" + n + "行超过64 MiB，不是有效的JSON Lines数据");
        }
        if (eof_) {
          if (avail.empty()) return std::optional<std::string_view>();
          begin_ = end_;
          ++line_no_;
          return std::optional<std::string_view>(avail);
        }
      }
      if (Result<void> r = Fill(); !r) return std::unexpected(r.error());
    }
  }

 private:
  std::string_view Available() const { return {buf_.get() + begin_, end_ - begin_}; }

  static std::unexpected<Error> IoError(int err) {
    return Fail(ErrorCode::kUnavailable, "reader.io",
                std::string("cannot read the file: ") + std::strerror(err),
                "读取文件失败：" + std::string(std::strerror(err)));
  }

  // Reads one more block, moving the unread bytes to the front or growing the buffer first.
  Result<void> Fill() {
    if (begin_ > 0) {
      std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == cap_) {
      auto grown = std::make_unique_for_overwrite<char[]>(cap_ * 2);
      std::memcpy(grown.get(), buf_.get(), end_);
      buf_ = std::move(grown);
      cap_ *= 2;
    }
    while (true) {
      ssize_t n = ::read(fd_, buf_.get() + end_, cap_ - end_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return IoError(errno);
      if (n == 0) eof_ = true;
      end_ += static_cast<std::size_t>(n);
      return {};
    }
  }

  int fd_ = -1;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  bool at_start_ = true;
  std::int64_t line_no_ = 0;  // physical lines returned so far
};

std::string_view StripCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// RFC 8259 number grammar; ondemand hands back a number's token without checking it.
bool IsJsonNumber(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto digits = [&] {
    std::size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < n && s[i] == '-') ++i;
  if (i < n && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

std::string_view TrimJsonSpace(std::string_view s) {
  std::size_t end = s.find_last_not_of(" \t\r\n");
  return end == std::string_view::npos ? std::string_view() : s.substr(0, end + 1);
}

// Parses one line as a JSON object, calling `on_field(key, value_text)` for each member in order.
// Returns an empty string on success, otherwise why the line is not one JSON object (after which
// some fields may already have been reported; callers discard them).
class LineParser {
 public:
  std::string Parse(std::string_view line,
                    const std::function<void(std::string_view, std::string_view)>& on_field) {
    try {
      return ParseOrWhy(line, on_field);
    } catch (const simdjson::simdjson_error& e) {  // the error-code API should not throw; be sure
      return e.what();
    }
  }

 private:
  std::string ParseOrWhy(std::string_view line,
                         const std::function<void(std::string_view, std::string_view)>& on_field) {
    // simdjson reads up to SIMDJSON_PADDING bytes past the end of its input.
    std::size_t need = line.size() + simdjson::SIMDJSON_PADDING;
    if (padded_.size() < need) padded_.resize(std::max(need, padded_.size() * 2));
    std::memcpy(padded_.data(), line.data(), line.size());
    std::memset(padded_.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);
    simdjson::padded_string_view input(padded_.data(), line.size(), padded_.size());

    od::document doc;
    if (auto e = ondemand_.iterate(input).get(doc)) return simdjson::error_message(e);
    od::object object;
    if (auto e = doc.get_object().get(object)) return simdjson::error_message(e);
    for (auto field : object) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return simdjson::error_message(e);
      // The key's view, like a string value's, stays valid until the parser reads the next line.
      od::value value;
      if (auto e = field.value().get(value)) return simdjson::error_message(e);
      od::json_type type;
      if (auto e = value.type().get(type)) return simdjson::error_message(e);
      switch (type) {
        case od::json_type::string: {
          std::string_view s;
          if (auto e = value.get_string().get(s)) return simdjson::error_message(e);
          on_field(key, s);
          break;
        }
        case od::json_type::number: {
          std::string_view token = TrimJsonSpace(value.raw_json_token());
          if (!IsJsonNumber(token)) return "bad number: " + std::string(token);
          on_field(key, token);
          break;
        }
        case od::json_type::boolean: {
          bool b = false;
          if (auto e = value.get_bool().get(b)) return simdjson::error_message(e);
          on_field(key, b ? "true" : "false");
          break;
        }
        case od::json_type::null: {
          bool is_null = false;
          if (auto e = value.is_null().get(is_null)) return simdjson::error_message(e);
          if (!is_null) return "bad literal";
          on_field(key, std::string_view());
          break;
        }
        case od::json_type::object:
        case od::json_type::array: {
          std::string_view raw;
          if (auto e = simdjson::to_json_string(value).get(raw)) {
            return simdjson::error_message(e);
          }
          // ondemand skips nested values without checking them; the DOM parser validates fully.
          simdjson::dom::element ignored;
          if (auto e = dom_.parse(raw.data(), raw.size()).get(ignored)) {
            return simdjson::error_message(e);
          }
          minified_.resize(raw.size() + simdjson::SIMDJSON_PADDING);
          std::size_t len = 0;
          if (auto e = simdjson::minify(raw.data(), raw.size(), minified_.data(), len)) {
            return simdjson::error_message(e);
          }
          on_field(key, std::string_view(minified_.data(), len));
          break;
        }
      }
    }
    // Anything after the object (a second object, stray text) leaves the iterator inside the line.
    const char* location = nullptr;
    if (!doc.current_location().get(location)) return "text after the object";
    return {};
  }

  od::parser ondemand_;
  simdjson::dom::parser dom_;
  std::vector<char> padded_;
  std::vector<char> minified_;
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class JsonLinesReader final : public Reader {
 public:
  Result<void> Open(const std::string& path);
  const std::vector<std::string>& header() const override { return header_; }
  Result<std::optional<RawRow>> Next() override;
  TextEncoding encoding() const override { return TextEncoding::kUtf8; }

 private:
  // The next non-blank line, without its line break.
  Result<std::optional<std::string_view>> NextLine();

  LineFile file_;
  LineParser parser_;
  std::vector<std::string> header_;
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> index_;
  std::int64_t row_no_ = 0;
};

Result<std::optional<std::string_view>> JsonLinesReader::NextLine() {
  while (true) {
    Result<std::optional<std::string_view>> line = file_.Next();
    if (!line || !*line) return line;
    std::string_view text = StripCr(**line);
    if (!IsBlank(text)) return std::optional<std::string_view>(text);
  }
}

Result<void> JsonLinesReader::Open(const std::string& path) {
  if (Result<void> r = file_.Open(path); !r) return r;
  std::vector<std::string> keys;
  while (true) {
    Result<std::optional<std::string_view>> line = NextLine();
    if (!line) return std::unexpected(line.error());
    if (!*line) break;
    keys.clear();
    std::string why = parser_.Parse(**line, [&](std::string_view key, std::string_view) {
      if (index_.find(key) == index_.end()) keys.emplace_back(key);
    });
    if (!why.empty()) continue;  // a bad line adds no keys; its row reports it
    for (std::string& key : keys) {
      if (index_.find(std::string_view(key)) != index_.end()) continue;  // twice in this line
      index_.emplace(key, header_.size());
      header_.push_back(std::move(key));
    }
  }
  if (header_.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "reader.header",
                "the file holds no JSON object with a key",
                "文件中没有包含字段的JSON对象（文件为空或每一行都不是有效的JSON对象）");
  }
  return file_.Rewind();
}

Result<std::optional<RawRow>> JsonLinesReader::Next() {
  Result<std::optional<std::string_view>> line = NextLine();
  if (!line) return std::unexpected(line.error());
  if (!*line) return std::optional<RawRow>();

  std::optional<RawRow> out(std::in_place);
  RawRow& row = *out;
  row.row_no = ++row_no_;
  row.raw.assign(**line);
  row.cells.resize(header_.size());
  bool unknown_key = false;
  std::string why = parser_.Parse(**line, [&](std::string_view key, std::string_view value) {
    auto it = index_.find(key);
    if (it == index_.end()) {
      unknown_key = true;
      return;
    }
    row.cells[it->second].assign(value);
  });
  std::string n = std::to_string(row.row_no);
  if (!why.empty()) {
    for (std::string& cell : row.cells) cell.clear();
    row.error = "row " + n + " is not a valid JSON object: " + why;
    row.error_zh = "第" + n + "行不是有效的JSON对象";
  } else if (unknown_key) {
    row.error = "row " + n + " has a key that was not in the file when it was opened";
    row.error_zh = "第" + n + "行含有读取开始时文件中没有的字段（文件在读取过程中被修改）";
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Reader>> OpenJsonLinesReader(const std::string& path) {
  auto reader = std::make_unique<JsonLinesReader>();
  if (Result<void> r = reader->Open(path); !r) return std::unexpected(r.error());
  return std::unique_ptr<Reader>(std::move(reader));
}

}  // namespace xy
