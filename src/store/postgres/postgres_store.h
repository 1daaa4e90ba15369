// The PostgreSQL back end of the store (store/store.h): the server store for a province or a
// production city.
//
// One connection per Store (libpq). A batch is one transaction: BeginBatch takes the batch lock
// (LOCK TABLE batches IN EXCLUSIVE MODE: writers queue, readers do not wait), so batches are
// applied one after another as on SQLite, and the store assigns new ids itself (the next after the
// largest, read under the lock). Dropping a batch rolls it back; a killed client's transaction is
// rolled back by the server.
//
// Bulk path (BatchTransaction::UpsertMany): per call, at most one statement looks up the subjects
// the batch has not cached and the records of the rows' natural keys (binary array parameters);
// it is skipped where the answer is known (nothing stored when the batch began, or a Bloom filter
// of the batch's own keys). The outcome of every row (new, updated, unchanged; subject created;
// 重码) is then decided in order on the client, exactly as Upsert decides it on SQLite, so several
// rows with one key in a call behave as if applied one by one. The writes are buffered and sent
// together every few thousand rows (and before Commit, a PutSubject of a buffered subject, or a
// read through the Store): new subjects, names, records, ledger leaves and quarantined rows by
// binary COPY; archived versions, corrections, last_seen moves and code issues by one set-based
// statement each. Upsert is UpsertMany of one row.
//
// Transparency ledger: as on SQLite (store/ledger_rows.h builds the rows for both). A batch begun
// with a ledger key restores the log from the latest signed head under the batch lock, gives each
// version it stores a leaf as the row's outcome is decided (so the leaf index goes out with the
// row), and Commit signs the new tree head in the same transaction.
//
// Lost connection: a statement that fails because the connection broke (server restarted, backend
// killed, network) fails the unit of work with kUnavailable "store.connection"; in a batch the
// server has rolled the whole batch back, and the batch refuses further calls (kAborted
// "store.batch_aborted"). The next call on the Store reconnects. A unit outside a batch (a query,
// BeginBatch, Migrate, a review) that fails so had no effect — an autocommit statement or a
// transaction the server rolled back — and is run once more on the new connection, so a server
// restart while the store was idle costs the next call nothing.
//
// Thread-safety: as Store — one thread at a time per store. Ownership: the store owns its
// connection; a BatchTransaction refers to its store and must be destroyed first.

#ifndef XY_STORE_POSTGRES_POSTGRES_STORE_H_
#define XY_STORE_POSTGRES_POSTGRES_STORE_H_

#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "store/store.h"

namespace xy {

struct PostgresStoreOptions {
  // The time written to created_at, first_seen, last_seen, recorded_at, seen_at and updated_at;
  // read once per batch. Empty = the system clock. Tests inject a counter.
  std::function<Timestamp()> now;
  // How long BeginBatch waits for another process's batch before failing with kUnavailable (as
  // SQLite's busy timeout).
  int lock_timeout_ms = 5000;
  // Buffered rows that make a batch send its writes before the next call (memory: about 1 KB a
  // row). Larger buffers mean fewer round trips; smaller ones let ingest's reader thread go on
  // while the server takes them (its queue holds 2048 rows). The last flush happens at Commit.
  int flush_rows = 4096;
};

// Connects to the server a libpq URL names ("postgresql://user@host:port/db?…"; an empty host,
// user or database — "postgresql://" or "postgresql:///db" — takes the PG* environment variables
// and libpq's defaults). Does not migrate. Errors: kUnavailable "store.open" (with a Chinese
// message) when the server cannot be reached or refuses the connection.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 PostgresStoreOptions options = {});

}  // namespace xy

#endif  // XY_STORE_POSTGRES_POSTGRES_STORE_H_
