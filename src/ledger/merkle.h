// The Merkle tree of the transparency ledger: RFC 6962 §2.1 with SM3 as the hash.
//
//   leaf hash  = SM3(0x00 ‖ entry bytes)
//   node hash  = SM3(0x01 ‖ left ‖ right)
//   MTH({})    = SM3("")                                  (the empty tree)
//   MTH(D[n])  = NodeHash(MTH(D[0:k]), MTH(D[k:n]))       k = the largest power of two < n
//
// The 0x00 / 0x01 prefixes keep a leaf from ever being passed off as an inner node (a second
// preimage) and are what lets an outsider check a proof with nothing but an SM3 tool.
//
// Proof generation takes the leaf hashes of the whole log as a span; the proof functions also come
// in a "ranges" form that names the subtrees whose roots make up a proof, so that a store holding
// millions of leaves can answer from cached subtree roots instead of rehashing everything.
// Verification (RFC 9162 §2.1.3.2 and §2.1.4.2) needs only the proof, the sizes, the leaf hash and
// the roots, and answers false — never crashes — for a malformed proof or an out-of-range index.
//
// Nothing here recurses: trees are walked with loops, so any size up to 2^63 − 1 is fine.
//
// Thread-safety: the free functions are pure and thread-safe. MerkleLog is a plain value: one
// writer, or many readers of a const object.

#ifndef XY_LEDGER_MERKLE_H_
#define XY_LEDGER_MERKLE_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/crypto.h"
#include "base/result.h"

namespace xy::ledger {

// SM3(0x00 ‖ data): the hash under which an entry's canonical bytes enter the tree.
Sm3Digest LeafHash(std::string_view data);

// SM3(0x01 ‖ left ‖ right).
Sm3Digest NodeHash(const Sm3Digest& left, const Sm3Digest& right);

// SM3 of the empty string: the root of the tree with no leaves (RFC 6962 §2.1).
Sm3Digest EmptyRoot();

// MTH over the leaf hashes, any number of them. Costs leaf_hashes.size() − 1 node hashes and
// O(log n) memory.
Sm3Digest RootOf(std::span<const Sm3Digest> leaf_hashes);

// Exactly 64 hex digits, either case. Errors: kInvalidArgument "ledger.digest".
Result<Sm3Digest> DigestFromHex(std::string_view hex);

// A half-open range [begin, end) of leaf indexes. In a proof it stands for MTH(D[begin:end]),
// always a node of the RFC 6962 tree (a complete subtree, or the right edge of one).
struct LeafRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;

  friend bool operator==(const LeafRange&, const LeafRange&) = default;
};

// The subtrees whose roots form the audit path of leaf `index` in the tree of `tree_size` leaves
// (RFC 6962 §2.1.1 PATH), bottom-up: element 0 is the leaf's sibling, the last is the root's
// child. Empty for a tree of one leaf.
// Errors: kInvalidArgument "ledger.proof_range" unless 0 ≤ index < tree_size.
Result<std::vector<LeafRange>> InclusionProofRanges(std::int64_t index, std::int64_t tree_size);

// The subtrees whose roots form the consistency proof between the tree of `old_size` leaves and
// the tree of `new_size` leaves (RFC 6962 §2.1.2 PROOF), in proof order. Empty when
// old_size == new_size and, as a convention of this ledger, when old_size == 0 (the empty tree is
// a prefix of every tree; VerifyConsistency checks the old root is EmptyRoot()).
// Errors: kInvalidArgument "ledger.proof_range" unless 0 ≤ old_size ≤ new_size.
Result<std::vector<LeafRange>> ConsistencyProofRanges(std::int64_t old_size, std::int64_t new_size);

// The audit path of leaf `index` in the tree over leaf_hashes[0, tree_size). Leaves beyond
// tree_size are ignored, so one span of the whole log serves every older tree head. Costs about
// tree_size node hashes (every leaf but one is under some sibling) and O(log n) memory.
// Errors: kInvalidArgument "ledger.proof_range" unless 0 ≤ index < tree_size ≤ leaf_hashes.size().
Result<std::vector<Sm3Digest>> InclusionProof(std::span<const Sm3Digest> leaf_hashes,
                                              std::int64_t index, std::int64_t tree_size);

// The consistency proof between the trees over leaf_hashes[0, old_size) and [0, new_size).
// Errors: kInvalidArgument "ledger.proof_range" unless 0 ≤ old_size ≤ new_size ≤
// leaf_hashes.size().
Result<std::vector<Sm3Digest>> ConsistencyProof(std::span<const Sm3Digest> leaf_hashes,
                                                std::int64_t old_size, std::int64_t new_size);

// True iff `proof` shows that `leaf_hash` is leaf `index` of the tree of `tree_size` leaves whose
// root is `root` (RFC 9162 §2.1.3.2). False for any index outside [0, tree_size), a non-positive
// size, or a proof of the wrong length or content.
bool VerifyInclusion(std::span<const Sm3Digest> proof, std::int64_t index, std::int64_t tree_size,
                     const Sm3Digest& leaf_hash, const Sm3Digest& root);

// True iff `proof` shows that the tree of `old_size` leaves with root `old_root` is a prefix of the
// tree of `new_size` leaves with root `new_root` (RFC 9162 §2.1.4.2). Equal sizes need an empty
// proof and equal roots; old_size 0 needs an empty proof and old_root == EmptyRoot(). False for
// negative sizes, old_size > new_size and any malformed proof.
bool VerifyConsistency(std::span<const Sm3Digest> proof, std::int64_t old_size,
                       std::int64_t new_size, const Sm3Digest& old_root, const Sm3Digest& new_root);

// The log's right edge (a "compact range" over [0, size)): one subtree root per set bit of size,
// so an append costs one leaf plus, amortised, one node hash, and the root costs at most
// log2(size) node hashes. It holds no leaves; whoever keeps the leaves (the store) keeps them.
//
// To resume after a restart, persist size() and frontier() and call Restore; or rebuild by
// appending every stored leaf hash again.
class MerkleLog {
 public:
  MerkleLog() = default;

  // Errors: kInvalidArgument "ledger.frontier" if size is negative or frontier does not hold
  // exactly one digest per set bit of size.
  static Result<MerkleLog> Restore(std::int64_t size, std::vector<Sm3Digest> frontier);

  void Append(const Sm3Digest& leaf_hash);

  std::int64_t size() const { return size_; }
  // MTH of the leaves appended so far; EmptyRoot() when there are none.
  Sm3Digest Root() const;
  // The roots of the complete subtrees covering [0, size), largest (leftmost) first.
  const std::vector<Sm3Digest>& frontier() const { return frontier_; }

 private:
  std::int64_t size_ = 0;
  std::vector<Sm3Digest> frontier_;
};

}  // namespace xy::ledger

#endif  // XY_LEDGER_MERKLE_H_
