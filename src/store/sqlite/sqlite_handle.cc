#include "store/sqlite/sqlite_handle.h"

#include <utility>

namespace xy::sqlite {

Error SqliteError(sqlite3* db, int rc, std::string reason, std::string_view what) {
  // The connection's message is the most specific; without a connection (or when another call has
  // overwritten it) the generic text of the code still says what happened.
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message = std::string(what) + ": " + detail + " (sqlite " + std::to_string(rc) + ")";
  ErrorCode code = ErrorCode::kInternal;
  std::string zh;
  switch (rc & 0xFF) {  // the primary code of an extended one
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = ErrorCode::kUnavailable;
      zh = "数据库正被其他进程写入，请稍后重试";
      break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      code = ErrorCode::kUnavailable;
      zh = "数据库暂不可用（" + std::string(detail) + "）";
      break;
    case SQLITE_FULL:
      code = ErrorCode::kResourceExhausted;
      zh = "磁盘空间不足，数据库无法写入";
      break;
    case SQLITE_INTERRUPT:
      code = ErrorCode::kAborted;
      zh = "数据库操作被中断";
      break;
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        code = ErrorCode::kAlreadyExists;
        zh = "数据已存在";
        break;
      }
      zh = "数据库内部错误";
      break;
    default:
      zh = "数据库内部错误";
  }
  return Error{code, std::move(reason), std::move(message), std::move(zh)};
}

Result<void> Exec(sqlite3* db, const char* sql, std::string reason) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  sqlite3_free(err);  // sqlite3_errmsg still holds the same text
  if (rc != SQLITE_OK) {
    // A migration is a page of SQL; its first words are enough to name it in a log line.
    std::string_view what(sql);
    if (what.size() > 60) what = what.substr(0, 60);
    return std::unexpected(SqliteError(db, rc, std::move(reason), what));
  }
  return {};
}

}  // namespace xy::sqlite
