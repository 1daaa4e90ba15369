// The SQLite schema as an ordered list of migrations.
//
// Migration N takes a store at schema version N-1 to N; SqliteStore::Migrate applies the missing
// ones in order, each in its own transaction together with its schema_version row, so a store is
// always at exactly one version. Released migrations are never edited: a change is a new step.
//
// The logical model uses plain types a PostgreSQL back end mirrors one to one (INTEGER → bigint,
// TEXT → text, BLOB → bytea, 0/1 → boolean, ISO dates → date); the rest is SQLite storage detail.
//
// Thread-safety: immutable data.

#ifndef XY_STORE_SQLITE_SCHEMA_H_
#define XY_STORE_SQLITE_SCHEMA_H_

#include <span>

namespace xy::sqlite {

struct Migration {
  int version;
  const char* description;
  const char* sql;  // one or more statements
};

std::span<const Migration> Migrations();

}  // namespace xy::sqlite

#endif  // XY_STORE_SQLITE_SCHEMA_H_
