// The PostgreSQL schema as an ordered list of migrations.
//
// The same versions as the SQLite schema (store/sqlite/schema.h), with the same meaning, so "schema
// version N" names one logical model on both back ends and a new migration is written once for
// each. Types map one to one: INTEGER → bigint (integer for small counts and codes), TEXT → text,
// BLOB → bytea, 0/1 → boolean, ISO text dates → date. Two TEXT columns become bytea because they
// hold cells exactly as read from a submitted file, which need not be valid UTF-8 and PostgreSQL
// text must be: batches.header_json and quarantine.values_json.
//
// Ids are plain bigint keys the store assigns itself (the next after the largest, under the batch
// lock; see postgres_store.h) rather than identity columns: new rows' ids are then known before
// they are sent, so a COPY needs no RETURNING, ids never have gaps left by a rolled-back batch, and
// the same submissions give the same ids as on SQLite.
//
// Thread-safety: immutable data.

#ifndef XY_STORE_POSTGRES_SCHEMA_H_
#define XY_STORE_POSTGRES_SCHEMA_H_

#include <span>

namespace xy::postgres {

struct Migration {
  int version;
  const char* description;
  const char* sql;  // one or more statements, run in one transaction
};

std::span<const Migration> Migrations();

}  // namespace xy::postgres

#endif  // XY_STORE_POSTGRES_SCHEMA_H_
