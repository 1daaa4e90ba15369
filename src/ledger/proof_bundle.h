// Proofs packaged for people outside the platform: everything needed to check, with an SM3 tool and
// the platform's public key, that an entry is in the log (InclusionBundle) or that the log only
// grew between two signed heads (ConsistencyBundle). `xinyong ledger proof` and the report
// verification page print these as JSON; README.md shows how to check one in a few lines of Python.
//
// JSON layout (one line, keys in this order; digests, entry bytes and signatures in lower-case
// hex):
//
//   {"format":"xinyong-ledger-inclusion-v1","entry":HEX,"leaf_index":N,"leaf_hash":HEX,
//    "inclusion_path":[HEX,…],"tree_head":TREE_HEAD}
//   {"format":"xinyong-ledger-consistency-v1","old_tree_head":TREE_HEAD,
//    "new_tree_head":TREE_HEAD,"consistency_path":[HEX,…]}
//
// where TREE_HEAD is ToJson(SignedTreeHead) (tree_head.h). "leaf_hash" is redundant (it is
// LeafHash(entry)) and there for readers; a checker must recompute it.
//
// Thread-safety: plain values and pure functions.

#ifndef XY_LEDGER_PROOF_BUNDLE_H_
#define XY_LEDGER_PROOF_BUNDLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/crypto.h"
#include "base/result.h"
#include "ledger/tree_head.h"

namespace xy::ledger {

inline constexpr std::string_view kInclusionBundleFormat = "xinyong-ledger-inclusion-v1";
inline constexpr std::string_view kConsistencyBundleFormat = "xinyong-ledger-consistency-v1";

struct InclusionBundle {
  std::string entry;  // the leaf's canonical bytes (EncodeEntry)
  std::int64_t leaf_index = 0;
  std::vector<Sm3Digest> inclusion_path;  // InclusionProof(…, leaf_index, tree_head.head.tree_size)
  SignedTreeHead tree_head;
};

struct ConsistencyBundle {
  SignedTreeHead old_tree_head;
  SignedTreeHead new_tree_head;
  std::vector<Sm3Digest> consistency_path;
};

std::string ToJson(const InclusionBundle& bundle);
std::string ToJson(const ConsistencyBundle& bundle);

// True iff the tree head's signature holds under the key and the path proves the entry's leaf hash
// at leaf_index under that head's root. Errors: as VerifyTreeHead (an unusable key).
Result<bool> VerifyInclusionBundle(std::string_view public_pem, const InclusionBundle& bundle);

// True iff both heads' signatures hold under the key and the path proves the new tree extends the
// old one. Errors: as VerifyTreeHead.
Result<bool> VerifyConsistencyBundle(std::string_view public_pem, const ConsistencyBundle& bundle);

}  // namespace xy::ledger

#endif  // XY_LEDGER_PROOF_BUNDLE_H_
