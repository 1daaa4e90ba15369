// The transparency ledger's rows as every store back end writes them: the record_version leaf of a
// stored version, the frontier blob kept with each signed tree head, the log a batch continues from
// and the head it signs. Computed here once, so that the same calls give the same leaf bytes, leaf
// indexes and roots on SQLite and on PostgreSQL, and a back end only moves the rows.
//
// Thread-safety: pure functions over values handed in (the signing call is thread-safe).

#ifndef XY_STORE_LEDGER_ROWS_H_
#define XY_STORE_LEDGER_ROWS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/crypto.h"
#include "base/result.h"
#include "ledger/merkle.h"
#include "ledger/tree_head.h"
#include "store/store.h"

namespace xy {

// One leaf ready to be stored.
struct LeafRow {
  std::string entry;  // ledger::EncodeEntry bytes, exactly as hashed
  Sm3Digest hash{};   // ledger::LeafHash(entry)
};

// A version's columns as the back end stores them and RecordContentText reads them: the canonical
// fields JSON and the dates as ISO text ("" for none).
struct VersionText {
  std::string_view fields_json;
  std::string_view decided_on;
  std::string_view publicity_from;
  std::string_view publicity_until;
};

// RecordContentText (store/encoding.h) of the version `in` describes, with its columns as `text`:
// what a record_version leaf's content_sm3 is the SM3 of.
std::string RecordInputContentText(const RecordInput& in, const VersionText& text);

// The record_version leaf of version `version` of record `record`, stored by batch `batch` from
// `in`. Its content_sm3 is in.content_sm3 when the caller computed it (ingest does, off the store's
// thread), else SM3 of RecordContentText over `in` and `text`.
// Errors: kInvalidArgument "ledger.entry" (an item or natural key longer than the entry allows).
Result<LeafRow> RecordVersionLeaf(RecordId record, int version, BatchId batch,
                                  const RecordInput& in, const VersionText& text);

// MerkleLog::frontier() as ledger_heads.frontier keeps it: 32 bytes per digest, leftmost first.
std::string FrontierBlob(const ledger::MerkleLog& log);

// The log as the last signed head left it, for the next batch to continue: `head_size` and
// `frontier` are that head's (0 and "" when there is none), `leaves` the number of leaves stored.
// Every committed batch signs a head over all its leaves, so any other count means the ledger was
// written behind the store's back, and no batch may add to it until `xinyong ledger verify` has
// been looked at.
// Errors: kFailedPrecondition "store.ledger" when leaves != head_size; kInternal "store.corrupt"
// when the frontier does not fit the size.
Result<ledger::MerkleLog> RestoreLedgerLog(std::int64_t head_size, std::string_view frontier,
                                           std::int64_t leaves);

// The head a committing batch stores: the log's size and root at `now`, signed with the ledger key.
// Errors: as ledger::SignTreeHead.
Result<ledger::SignedTreeHead> SignLogHead(const Sm2KeyPair& key, const ledger::MerkleLog& log,
                                           Timestamp now);

}  // namespace xy

#endif  // XY_STORE_LEDGER_ROWS_H_
