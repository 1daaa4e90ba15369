#include "store/postgres/pg_handle.h"

#include <charconv>
#include <chrono>
#include <cstring>
#include <utility>

namespace xy::pg {
namespace {

void PutBe16(std::string& out, std::uint16_t v) {
  const char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 2);
}

void PutBe32(std::string& out, std::uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 4);
}

void PutBe64(std::string& out, std::uint64_t v) {
  PutBe32(out, static_cast<std::uint32_t>(v >> 32));
  PutBe32(out, static_cast<std::uint32_t>(v));
}

std::string_view SqlState(const PGresult* result) {
  if (result == nullptr) return {};
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  return state == nullptr ? std::string_view() : std::string_view(state);
}

// libpq ends its messages with a newline (sometimes two lines); one line reads better in a log.
std::string OneLine(const char* text) {
  std::string s = text == nullptr ? "" : text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

}  // namespace

bool ConnectionLost(PGconn* conn, const PGresult* result) {
  if (conn == nullptr || PQstatus(conn) == CONNECTION_BAD) return true;
  const std::string_view state = SqlState(result);
  // Class 08: connection exception. 57P01/02: the server terminated our backend (admin or crash
  // shutdown); the connection is closed right after.
  return state.starts_with("08") || state == "57P01" || state == "57P02";
}

Error PgError(PGconn* conn, const PGresult* result, std::string reason, std::string_view what) {
  std::string detail;
  if (result != nullptr) detail = OneLine(PQresultErrorMessage(result));
  if (detail.empty() && conn != nullptr) detail = OneLine(PQerrorMessage(conn));
  if (detail.empty()) detail = "unknown error";
  const std::string_view state = SqlState(result);
  std::string message = std::string(what) + ": " + detail;
  if (!state.empty()) message += " (sqlstate " + std::string(state) + ")";

  if (ConnectionLost(conn, result)) {
    return Error{ErrorCode::kUnavailable, std::string(kConnectionReason), std::move(message),
                 "与数据库的连接已中断，本次操作未完成（未写入任何数据），请重试"};
  }
  ErrorCode code = ErrorCode::kInternal;
  std::string zh = "数据库内部错误";
  if (state == "23505") {
    code = ErrorCode::kAlreadyExists;
    zh = "数据已存在";
  } else if (state == "40001" || state == "40P01") {
    code = ErrorCode::kAborted;
    zh = "数据库事务冲突，请重试";
  } else if (state == "55P03" || state == "57014") {
    code = ErrorCode::kUnavailable;
    zh = "数据库正被其他进程写入，请稍后重试";
  } else if (state.starts_with("57P") || state.starts_with("08")) {
    code = ErrorCode::kUnavailable;
    zh = "数据库暂不可用（" + detail + "）";
  } else if (state.starts_with("53")) {
    code = ErrorCode::kResourceExhausted;
    zh = "数据库服务器资源不足（磁盘或内存），无法写入";
  } else if (state == "22021" || state == "22P05") {
    code = ErrorCode::kInvalidArgument;
    zh = "数据含有数据库编码不支持的字符";
  } else if (state == "25P02") {
    code = ErrorCode::kAborted;
    zh = "该批次因前面的错误已被撤销，请重新提交";
  }
  return Error{code, std::move(reason), std::move(message), std::move(zh)};
}

std::string RedactUrl(std::string_view url) {
  // scheme://user:password@host… — only the userinfo part can hold a password.
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const std::size_t start = scheme + 3;
  const std::size_t at = url.find('@', start);
  const std::size_t slash = url.find('/', start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(url);
  }
  const std::size_t colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::optional<std::string> DecodeBytea(std::string_view text) {
  if (!text.starts_with("\\x") || text.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 2 - 1);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    const int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

std::int32_t PgDays(const Date& date) {
  constexpr std::int32_t kUnixToPostgresEpochDays = 10957;  // 1970-01-01 → 2000-01-01
  return static_cast<std::int32_t>(std::chrono::sys_days(date).time_since_epoch().count()) -
         kUnixToPostgresEpochDays;
}

// ---- Params

Params& Params::Text(std::string_view s) {
  values_.emplace_back(s);
  null_.push_back(false);
  lengths_.push_back(static_cast<int>(s.size()));
  formats_.push_back(0);
  return *this;
}

Params& Params::TextOrNull(std::string_view s) {
  Text(s);
  null_.back() = s.empty();
  return *this;
}

Params& Params::Int(std::int64_t v) { return Text(std::to_string(v)); }

Params& Params::Bool(bool v) { return Text(v ? "t" : "f"); }

Params& Params::Bytes(std::string_view s) {
  Text(s);
  formats_.back() = 1;
  return *this;
}

Params& Params::BytesOrNull(std::string_view s) {
  Bytes(s);
  null_.back() = s.empty();
  return *this;
}

Params& Params::Binary(std::string encoded) {
  lengths_.push_back(static_cast<int>(encoded.size()));
  values_.push_back(std::move(encoded));
  null_.push_back(false);
  formats_.push_back(1);
  return *this;
}

const char* const* Params::values() {
  pointers_.clear();
  for (std::size_t i = 0; i < values_.size(); ++i) {
    pointers_.push_back(null_[i] ? nullptr : values_[i].data());
  }
  return pointers_.data();
}

// ---- CopyWriter

void CopyWriter::Clear() {
  data_.clear();
  rows_ = 0;
  static constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // 11 bytes with its NUL
  data_.append(kSignature, 11);
  PutBe32(data_, 0);  // flags
  PutBe32(data_, 0);  // header extension length
}

void CopyWriter::Row(int fields) {
  PutBe16(data_, static_cast<std::uint16_t>(fields));
  ++rows_;
}

void CopyWriter::Int8(std::int64_t v) {
  PutBe32(data_, 8);
  PutBe64(data_, static_cast<std::uint64_t>(v));
}

void CopyWriter::Int4(std::int32_t v) {
  PutBe32(data_, 4);
  PutBe32(data_, static_cast<std::uint32_t>(v));
}

void CopyWriter::Bool(bool v) {
  PutBe32(data_, 1);
  data_.push_back(v ? 1 : 0);
}

void CopyWriter::Text(std::string_view s) {
  PutBe32(data_, static_cast<std::uint32_t>(s.size()));
  data_.append(s);
}

void CopyWriter::TextOrNull(std::string_view s) {
  if (s.empty()) {
    Null();
  } else {
    Text(s);
  }
}

void CopyWriter::Date(const std::optional<xy::Date>& d) {
  if (!d) {
    Null();
    return;
  }
  Int4(PgDays(*d));
}

void CopyWriter::Null() { PutBe32(data_, 0xFFFFFFFFu); }

const std::string& CopyWriter::Finish() {
  PutBe16(data_, 0xFFFF);
  return data_;
}

// ---- ArrayWriter

void ArrayWriter::Int8(std::int64_t v) {
  PutBe32(body_, 8);
  PutBe64(body_, static_cast<std::uint64_t>(v));
  ++count_;
}

void ArrayWriter::Int4(std::int32_t v) {
  PutBe32(body_, 4);
  PutBe32(body_, static_cast<std::uint32_t>(v));
  ++count_;
}

void ArrayWriter::Bool(bool v) {
  PutBe32(body_, 1);
  body_.push_back(v ? 1 : 0);
  ++count_;
}

void ArrayWriter::Text(std::string_view s) {
  PutBe32(body_, static_cast<std::uint32_t>(s.size()));
  body_.append(s);
  ++count_;
}

void ArrayWriter::TextOrNull(std::string_view s) {
  if (s.empty()) {
    Null();
  } else {
    Text(s);
  }
}

void ArrayWriter::Date(const std::optional<xy::Date>& d) {
  if (!d) {
    Null();
    return;
  }
  Int4(PgDays(*d));
}

void ArrayWriter::Null() {
  PutBe32(body_, 0xFFFFFFFFu);
  has_null_ = true;
  ++count_;
}

std::string ArrayWriter::Encode() const {
  std::string out;
  out.reserve(20 + body_.size());
  if (count_ == 0) {
    PutBe32(out, 0);  // no dimensions: the empty array
    PutBe32(out, 0);
    PutBe32(out, element_);
    return out;
  }
  PutBe32(out, 1);  // dimensions
  PutBe32(out, has_null_ ? 1 : 0);
  PutBe32(out, element_);
  PutBe32(out, static_cast<std::uint32_t>(count_));
  PutBe32(out, 1);  // lower bound
  out += body_;
  return out;
}

}  // namespace xy::pg
