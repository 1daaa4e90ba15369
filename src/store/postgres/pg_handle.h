// Small helpers over libpq: RAII for connections and results, the mapping of a failed statement to
// Error, parameters for PQexecParams, and writers for PostgreSQL's binary formats (COPY … BINARY
// rows and one-dimensional array parameters), which carry any bytes without escaping.
//
// Thread-safety: none; a connection and everything built for it belong to one thread at a time.

#ifndef XY_STORE_POSTGRES_PG_HANDLE_H_
#define XY_STORE_POSTGRES_PG_HANDLE_H_

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/date.h"
#include "base/result.h"

namespace xy::pg {

struct ConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnCloser>;

struct ResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClearer>;

// The reason every error caused by a lost connection carries, whatever the statement was doing.
inline constexpr std::string_view kConnectionReason = "store.connection";

// Whether a failed statement failed because the connection to the server is gone (the server
// stopped, restarted or killed our backend, or the network broke): the unit of work is lost, and
// the next one must reconnect.
bool ConnectionLost(PGconn* conn, const PGresult* result);

// The Error for a failed statement (or a failed call without a result: `result` may be null). The
// SQLSTATE decides the code: a lost connection → kUnavailable with reason "store.connection"; lock
// timeout, cancel, server shutting down → kUnavailable; unique violation → kAlreadyExists;
// serialization failure, deadlock → kAborted; out of disk or memory → kResourceExhausted; bytes
// not valid in the database encoding → kInvalidArgument; everything else → kInternal. The message
// names `what` and carries the server's message.
Error PgError(PGconn* conn, const PGresult* result, std::string reason, std::string_view what);

// Whether `error` is a lost connection (as PgError reports it).
inline bool IsConnectionError(const Error& error) {
  return error.code == ErrorCode::kUnavailable && error.reason == kConnectionReason;
}

// A connection URL with any password replaced by "***", for messages and logs.
std::string RedactUrl(std::string_view url);

// Decodes a bytea column read in text format ("\x0a0b…", the server's default output).
std::optional<std::string> DecodeBytea(std::string_view text);

// Days from 2000-01-01, PostgreSQL's binary date.
std::int32_t PgDays(const Date& date);

// Parameters of one PQexecParams / PQexecPrepared call. Text parameters are sent as text; Bytes
// (bytea) and Binary (an encoded array) as binary, so no byte is escaped. Values are copied in.
class Params {
 public:
  Params& Text(std::string_view s);
  Params& TextOrNull(std::string_view s);  // empty = NULL
  Params& Int(std::int64_t v);
  Params& Bool(bool v);
  Params& Bytes(std::string_view s);        // a bytea value
  Params& BytesOrNull(std::string_view s);  // empty = NULL
  Params& Binary(std::string encoded);      // a value already in binary format (ArrayWriter)

  int size() const { return static_cast<int>(values_.size()); }
  // Valid until the next change to the Params.
  const char* const* values();
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::vector<const char*> pointers_;
};

// Type oids of the built-in types the store sends in binary.
inline constexpr Oid kBoolOid = 16;
inline constexpr Oid kByteaOid = 17;
inline constexpr Oid kInt8Oid = 20;
inline constexpr Oid kInt4Oid = 23;
inline constexpr Oid kTextOid = 25;
inline constexpr Oid kDateOid = 1082;

// Binary COPY data: a header, rows of fields, a trailer. Use as
//   w.Row(3); w.Int8(1); w.Text("a"); w.Null();  …  send w.Finish().
class CopyWriter {
 public:
  CopyWriter() { Clear(); }
  void Clear();
  void Row(int fields);
  void Int8(std::int64_t v);
  void Int4(std::int32_t v);
  void Bool(bool v);
  void Text(std::string_view s);  // text or bytea: the bytes as they are
  void TextOrNull(std::string_view s);
  void Date(const std::optional<xy::Date>& d);  // NULL when absent
  void Null();

  std::size_t rows() const { return rows_; }
  std::size_t bytes() const { return data_.size(); }
  // The data with its trailer; the writer must be cleared before the next row.
  const std::string& Finish();

 private:
  std::string data_;
  std::size_t rows_ = 0;
};

// A one-dimensional array parameter in binary format, built one element at a time.
class ArrayWriter {
 public:
  explicit ArrayWriter(Oid element) : element_(element) {}
  void Clear() {
    body_.clear();
    count_ = 0;
    has_null_ = false;
  }
  void Int8(std::int64_t v);
  void Int4(std::int32_t v);
  void Bool(bool v);
  void Text(std::string_view s);
  void TextOrNull(std::string_view s);
  void Date(const std::optional<xy::Date>& d);
  void Null();

  std::size_t size() const { return count_; }
  std::string Encode() const;

 private:
  Oid element_;
  std::string body_;
  std::size_t count_ = 0;
  bool has_null_ = false;
};

}  // namespace xy::pg

#endif  // XY_STORE_POSTGRES_PG_HANDLE_H_
