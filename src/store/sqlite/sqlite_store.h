// The SQLite back end of the store (store/store.h): one database file, zero set-up.
//
// The connection runs in WAL mode with synchronous=NORMAL (a committed batch survives a process
// crash; a power cut may lose the last commits but never corrupts), foreign keys on and a busy
// timeout, so a second process (the CLI beside a server) waits for a batch instead of failing.
// A batch is one BEGIN IMMEDIATE transaction: it takes the write lock up front, so it cannot fail
// half-way on a lock, and a killed process leaves only uncommitted WAL frames, which the next open
// ignores.
//
// Ingest speed comes from: statements prepared once per connection and reused; a per-batch cache of
// subject code → id (one look-up per subject, not per row); an INSERT … ON CONFLICT DO NOTHING
// that makes a new record one statement (sqlite3_changes tells a new key from a stored one, which
// alone is then looked up; RETURNING would cost SQLite 3.40 about 20 µs a row, more than all the
// rest of an upsert); a digest of the canonical fields so "unchanged" needs no JSON parsing; and
// one timestamp per batch.
//
// Thread-safety: as Store — one thread at a time per store; open one per thread or process.
// Ownership: the store owns its connection; a BatchTransaction refers to its store and must be
// destroyed first.

#ifndef XY_STORE_SQLITE_SQLITE_STORE_H_
#define XY_STORE_SQLITE_SQLITE_STORE_H_

#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "store/store.h"

namespace xy {

struct SqliteStoreOptions {
  // The time written to created_at, first_seen, last_seen, recorded_at, seen_at and updated_at;
  // read once per batch (a batch becomes visible at one instant, its commit). Empty = the system
  // clock. Tests inject a counter so every time column is predictable.
  std::function<Timestamp()> now;
  // Page cache of the connection, in KiB. 64 MiB holds the records' key index of a city-sized store
  // (a few million records), so a large batch does not read it back from disk for every row.
  int cache_kib = 64 * 1024;
  // How long a writer waits for another process's batch before failing with kUnavailable.
  int busy_timeout_ms = 5000;
};

// Opens or creates the database at `path` (":memory:" = a private in-memory database). The folder
// must exist. Does not migrate. Errors: kUnavailable "store.open" (with a Chinese message) when the
// file cannot be opened or is not a database.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               SqliteStoreOptions options = {});

}  // namespace xy

#endif  // XY_STORE_SQLITE_SQLITE_STORE_H_
