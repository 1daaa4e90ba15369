// The transparency ledger seen from outside the store: checking that everything it records is
// still what was recorded (`xinyong ledger verify`) and proving one record version's place in it
// (`xinyong ledger proof`).
//
// Verification reads every leaf and every signed tree head and checks, in one pass:
//   - each head's SM2 signature under the deployment's ledger public key (head.signature);
//   - each leaf's stored hash against LeafHash of its stored entry bytes (leaf.hash), and that the
//     entry decodes (leaf.entry) and the leaves are numbered 0, 1, 2, … (leaf.sequence);
//   - the Merkle root over the stored leaf hashes at each head's size against the signed root
//     (head.root): a leaf changed, removed or inserted behind the store's back breaks it;
//   - for each record_version leaf, that the record version still exists (record.missing) and
//     that SM3 of its canonical content (store/encoding.h RecordContentText), its item and natural
//     key are what the leaf says (record.changed): the record is named.
// A log whose last head does not cover every leaf is reported too (head.missing).
//
// Thread-safety: functions over a Store the caller does not share meanwhile.

#ifndef XY_SERVICES_LEDGER_SERVICE_H_
#define XY_SERVICES_LEDGER_SERVICE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "ledger/proof_bundle.h"
#include "store/store.h"

namespace xy {

struct LedgerProblem {
  std::string kind;              // head.signature, head.root, head.missing, leaf.hash, …
  std::int64_t leaf = -1;        // the leaf index, -1 when the problem is a head's
  std::int64_t tree_size = -1;   // the head's size, for head.* problems
  RecordId record = 0;           // for record.* problems
  int version = 0;
  std::string item;
  std::string natural_key;
  std::string message;     // English
  std::string message_zh;  // for the credit office
};

struct LedgerCheck {
  std::int64_t leaves = 0;
  std::int64_t heads = 0;
  std::int64_t record_versions = 0;  // record_version leaves checked against the store
  std::vector<LedgerProblem> problems;
  bool ok() const { return problems.empty(); }
};

// Errors only when the store cannot be read or the key is unusable; findings are problems.
Result<LedgerCheck> VerifyLedger(Store& store, const std::string& public_pem);

// The inclusion proof of a record version (the current one when `version` is empty) under the
// latest signed tree head. Errors: kNotFound "ledger.record" (no such record or version),
// kFailedPrecondition "ledger.unlogged" (stored without a leaf, or not yet under a signed head).
Result<ledger::InclusionBundle> ProveRecordVersion(Store& store, RecordId record,
                                                   std::optional<int> version);

}  // namespace xy

#endif  // XY_SERVICES_LEDGER_SERVICE_H_
