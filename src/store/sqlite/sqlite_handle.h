// Small RAII wrappers over the SQLite C API, and the mapping of SQLite result codes to Error.
//
// DbPtr owns a connection (closed with sqlite3_close_v2). StmtPtr owns a prepared statement
// (finalized). A cached statement is used through a StmtUse, which resets it and clears its
// bindings when the use ends, so a statement never keeps a read snapshot open between uses and
// never keeps a pointer to a string that has gone (text is bound SQLITE_STATIC, i.e. without a
// copy: the caller's strings must outlive the StmtUse).
//
// Thread-safety: none; a connection and its statements belong to one thread at a time.

#ifndef XY_STORE_SQLITE_SQLITE_HANDLE_H_
#define XY_STORE_SQLITE_SQLITE_HANDLE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace xy::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// The Error for a failed SQLite call: `rc` decides the code (busy, I/O, cannot open → kUnavailable;
// full disk → kResourceExhausted; a unique or primary key clash → kAlreadyExists; interrupted →
// kAborted; everything else, misuse included → kInternal), the message names `what` and carries
// sqlite3_errmsg.
Error SqliteError(sqlite3* db, int rc, std::string reason, std::string_view what);

// Runs SQL without results (one or more statements).
Result<void> Exec(sqlite3* db, const char* sql, std::string reason);

// One use of a prepared statement. Binding indexes are 1-based, as in SQLite.
class StmtUse {
 public:
  explicit StmtUse(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StmtUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;

  // Bind errors surface at Step (SQLITE_RANGE / SQLITE_MISUSE are bugs), so these return nothing.
  void Text(int i, std::string_view s) {
    // A null data pointer would bind SQL NULL; an empty string must stay ''.
    sqlite3_bind_text(stmt_, i, s.data() != nullptr ? s.data() : "", static_cast<int>(s.size()),
                      SQLITE_STATIC);
  }
  void Blob(int i, std::string_view s) {
    sqlite3_bind_blob(stmt_, i, s.data() != nullptr ? s.data() : "", static_cast<int>(s.size()),
                      SQLITE_STATIC);
  }
  // Empty text binds NULL: for columns where "absent" is NULL (an optional code, a missing date).
  void TextOrNull(int i, std::string_view s) {
    if (s.empty()) {
      sqlite3_bind_null(stmt_, i);
    } else {
      Text(i, s);
    }
  }
  void Int(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void Null(int i) { sqlite3_bind_null(stmt_, i); }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }

  std::int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  bool ColumnIsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  // Valid until the next Step or the end of the use.
  std::string_view ColumnView(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p == nullptr ? std::string_view() : std::string_view(p, sqlite3_column_bytes(stmt_, i));
  }
  std::string ColumnText(int i) const { return std::string(ColumnView(i)); }
  // Bytes exactly as stored (a BLOB column), valid like ColumnView.
  std::string_view ColumnBlob(int i) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
    return p == nullptr ? std::string_view() : std::string_view(p, sqlite3_column_bytes(stmt_, i));
  }

 private:
  sqlite3_stmt* stmt_;
};

}  // namespace xy::sqlite

#endif  // XY_STORE_SQLITE_SQLITE_HANDLE_H_
