#include "ledger/merkle.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <string>
#include <utility>

namespace xy::ledger {
namespace {

constexpr char kLeafPrefix = 0x00;
constexpr char kNodePrefix = 0x01;
// Leaves per level-by-level batch in RootOf: 2 × 16 KiB of scratch, and enough independent
// hashes per level for a multi-lane SM3 to be kept busy.
constexpr std::size_t kBatchLeaves = 1024;
// Entries are small; an unusually large one should not pin its buffer for the thread's lifetime.
constexpr std::size_t kKeptLeafBuffer = 64 * 1024;

// The largest power of two strictly below n: where RFC 6962 splits a tree of n ≥ 2 leaves.
std::int64_t SplitPoint(std::int64_t n) {
  return static_cast<std::int64_t>(std::bit_floor(static_cast<std::uint64_t>(n - 1)));
}

auto RangeError(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "ledger.proof_range", std::move(message),
              "证明所指的叶序号或树大小超出范围");
}

std::span<const Sm3Digest> Slice(std::span<const Sm3Digest> leaves, const LeafRange& range) {
  return leaves.subspan(static_cast<std::size_t>(range.begin),
                        static_cast<std::size_t>(range.end - range.begin));
}

std::vector<Sm3Digest> RootsOf(std::span<const Sm3Digest> leaves,
                               const std::vector<LeafRange>& ranges) {
  std::vector<Sm3Digest> out;
  out.reserve(ranges.size());
  for (const LeafRange& range : ranges) out.push_back(RootOf(Slice(leaves, range)));
  return out;
}

// parents[i] = NodeHash(children[2i], children[2i + 1]). The one place many independent node
// hashes are asked for at once, so a multi-lane SM3 can replace the loop without touching the
// callers.
void HashPairs(std::span<const Sm3Digest> children, std::span<Sm3Digest> parents) {
  for (std::size_t i = 0; i < parents.size(); ++i) {
    parents[i] = NodeHash(children[2 * i], children[2 * i + 1]);
  }
}

// Root of a complete subtree, hashed a level at a time in two scratch buffers that are reused
// across calls. REQUIRES: leaves.size() is a power of two, at most kBatchLeaves.
Sm3Digest CompleteRoot(std::span<const Sm3Digest> leaves, std::vector<Sm3Digest>& a,
                       std::vector<Sm3Digest>& b) {
  a.resize(leaves.size() / 2);
  b.resize(leaves.size() / 4);
  std::span<const Sm3Digest> level = leaves;
  bool into_a = true;
  while (level.size() > 1) {
    const std::span<Sm3Digest> parents =
        std::span<Sm3Digest>(into_a ? a : b).first(level.size() / 2);
    HashPairs(level, parents);
    level = parents;
    into_a = !into_a;
  }
  return level.front();
}

// Shifts fn and sn right together until fn is odd or zero (RFC 9162: skipping the levels where
// the path runs along the tree's right edge and so has no sibling).
void SkipRightEdge(std::uint64_t& fn, std::uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Sm3Digest LeafHash(std::string_view data) {
  // Copying into a reused per-thread buffer and hashing once is cheaper than setting up a
  // streaming hasher per leaf, and allocates nothing once the buffer has grown.
  thread_local std::string buffer;
  buffer.assign(1, kLeafPrefix);
  buffer.append(data);
  const Sm3Digest digest = Sm3(buffer);
  if (buffer.capacity() > kKeptLeafBuffer) std::string().swap(buffer);
  return digest;
}

Sm3Digest NodeHash(const Sm3Digest& left, const Sm3Digest& right) {
  // One contiguous 65-byte buffer on the stack and one Sm3 call: node hashes are the inner loop
  // of every root and proof, so nothing here allocates.
  std::array<char, 1 + 2 * kSm3Size> buffer;
  buffer[0] = kNodePrefix;
  std::copy(left.begin(), left.end(), buffer.begin() + 1);
  std::copy(right.begin(), right.end(), buffer.begin() + 1 + kSm3Size);
  return Sm3(std::string_view(buffer.data(), buffer.size()));
}

Sm3Digest EmptyRoot() {
  static const Sm3Digest kEmpty = Sm3("");
  return kEmpty;
}

Sm3Digest RootOf(std::span<const Sm3Digest> leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyRoot();
  // The tree over n leaves is the complete subtrees of the binary digits of n, largest first,
  // folded from the right. Each is built from complete pieces of at most kBatchLeaves leaves,
  // hashed a level at a time, merged like a binary counter as they arrive left to right (every
  // piece starts at a multiple of its own size, so equal sizes are always siblings).
  struct Subtree {
    std::size_t size;
    Sm3Digest root;
  };
  std::vector<Subtree> stack;
  stack.reserve(64);
  std::vector<Sm3Digest> scratch_a;
  std::vector<Sm3Digest> scratch_b;
  const std::size_t n = leaf_hashes.size();
  for (std::size_t i = 0; i < n;) {
    std::size_t size = std::min(kBatchLeaves, std::bit_floor(n - i));
    Sm3Digest root = CompleteRoot(leaf_hashes.subspan(i, size), scratch_a, scratch_b);
    i += size;
    while (!stack.empty() && stack.back().size == size) {
      root = NodeHash(stack.back().root, root);
      size *= 2;
      stack.pop_back();
    }
    stack.push_back({size, root});
  }
  Sm3Digest root = stack.back().root;
  for (auto it = stack.rbegin() + 1; it != stack.rend(); ++it) root = NodeHash(it->root, root);
  return root;
}

Result<Sm3Digest> DigestFromHex(std::string_view hex) {
  if (hex.size() != 2 * kSm3Size) {
    return Fail(ErrorCode::kInvalidArgument, "ledger.digest",
                "an SM3 digest is 64 hex digits, got " + std::to_string(hex.size()) + " characters",
                "SM3 摘要应为 64 位十六进制字符");
  }
  auto bytes = FromHex(hex);
  if (!bytes) {
    return Fail(ErrorCode::kInvalidArgument, "ledger.digest", bytes.error().message,
                "SM3 摘要含有非十六进制字符");
  }
  Sm3Digest out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

Result<std::vector<LeafRange>> InclusionProofRanges(std::int64_t index, std::int64_t tree_size) {
  if (tree_size <= 0 || index < 0 || index >= tree_size) {
    return RangeError("inclusion proof for leaf " + std::to_string(index) + " in a tree of " +
                      std::to_string(tree_size) + " leaves");
  }
  // PATH(m, D[n]) walked from the root down; each level contributes the subtree on the other side
  // of the split, and the RFC lists them from the leaf up.
  std::vector<LeafRange> path;
  std::int64_t lo = 0;
  std::int64_t hi = tree_size;
  while (hi - lo > 1) {
    const std::int64_t mid = lo + SplitPoint(hi - lo);
    if (index < mid) {
      path.push_back({mid, hi});
      hi = mid;
    } else {
      path.push_back({lo, mid});
      lo = mid;
    }
  }
  std::reverse(path.begin(), path.end());
  return path;
}

Result<std::vector<LeafRange>> ConsistencyProofRanges(std::int64_t old_size,
                                                      std::int64_t new_size) {
  if (old_size < 0 || new_size < old_size) {
    return RangeError("consistency proof from " + std::to_string(old_size) + " to " +
                      std::to_string(new_size) + " leaves");
  }
  std::vector<LeafRange> proof;
  if (old_size == 0 || old_size == new_size) return proof;
  // SUBPROOF(m, D[lo:hi], b) walked from the root down. `m` is relative to lo; `complete` is b:
  // whether the old tree is still the whole left part, so its root needs no proof node.
  std::vector<LeafRange> upper;
  std::int64_t lo = 0;
  std::int64_t hi = new_size;
  std::int64_t m = old_size;
  bool complete = true;
  while (m != hi - lo) {
    const std::int64_t k = SplitPoint(hi - lo);
    if (m <= k) {
      upper.push_back({lo + k, hi});
      hi = lo + k;
    } else {
      upper.push_back({lo, lo + k});
      lo += k;
      m -= k;
      complete = false;
    }
  }
  if (!complete) proof.push_back({lo, hi});
  proof.insert(proof.end(), upper.rbegin(), upper.rend());
  return proof;
}

Result<std::vector<Sm3Digest>> InclusionProof(std::span<const Sm3Digest> leaf_hashes,
                                              std::int64_t index, std::int64_t tree_size) {
  if (tree_size > static_cast<std::int64_t>(leaf_hashes.size())) {
    return RangeError("tree size " + std::to_string(tree_size) + " but only " +
                      std::to_string(leaf_hashes.size()) + " leaves");
  }
  auto ranges = InclusionProofRanges(index, tree_size);
  if (!ranges) return std::unexpected(std::move(ranges.error()));
  return RootsOf(leaf_hashes, *ranges);
}

Result<std::vector<Sm3Digest>> ConsistencyProof(std::span<const Sm3Digest> leaf_hashes,
                                                std::int64_t old_size, std::int64_t new_size) {
  if (new_size > static_cast<std::int64_t>(leaf_hashes.size())) {
    return RangeError("tree size " + std::to_string(new_size) + " but only " +
                      std::to_string(leaf_hashes.size()) + " leaves");
  }
  auto ranges = ConsistencyProofRanges(old_size, new_size);
  if (!ranges) return std::unexpected(std::move(ranges.error()));
  return RootsOf(leaf_hashes, *ranges);
}

bool VerifyInclusion(std::span<const Sm3Digest> proof, std::int64_t index, std::int64_t tree_size,
                     const Sm3Digest& leaf_hash, const Sm3Digest& root) {
  if (tree_size <= 0 || index < 0 || index >= tree_size) return false;
  std::uint64_t fn = static_cast<std::uint64_t>(index);
  std::uint64_t sn = static_cast<std::uint64_t>(tree_size) - 1;
  Sm3Digest r = leaf_hash;
  for (const Sm3Digest& p : proof) {
    // sn reaches 0 at the root; a longer proof is malformed. This also bounds the work to 64
    // node hashes whatever the proof's length.
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      SkipRightEdge(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(std::span<const Sm3Digest> proof, std::int64_t old_size,
                       std::int64_t new_size, const Sm3Digest& old_root,
                       const Sm3Digest& new_root) {
  if (old_size < 0 || new_size < old_size) return false;
  if (old_size == 0) return proof.empty() && old_root == EmptyRoot();
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (proof.empty()) return false;

  // When the old tree is a complete subtree its root is the first node of the path and the proof
  // leaves it out (RFC 9162 step 2); starting from old_root is the same as prepending it.
  const bool old_is_complete = std::has_single_bit(static_cast<std::uint64_t>(old_size));
  std::span<const Sm3Digest> rest = old_is_complete ? proof : proof.subspan(1);
  Sm3Digest fr = old_is_complete ? old_root : proof.front();
  Sm3Digest sr = fr;
  std::uint64_t fn = static_cast<std::uint64_t>(old_size) - 1;
  std::uint64_t sn = static_cast<std::uint64_t>(new_size) - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  for (const Sm3Digest& c : rest) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      SkipRightEdge(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && fr == old_root && sr == new_root;
}

Result<MerkleLog> MerkleLog::Restore(std::int64_t size, std::vector<Sm3Digest> frontier) {
  if (size < 0 || static_cast<std::size_t>(std::popcount(static_cast<std::uint64_t>(size))) !=
                      frontier.size()) {
    return Fail(ErrorCode::kInvalidArgument, "ledger.frontier",
                "a log of " + std::to_string(size) +
                    " leaves has one frontier digest per set bit, got " +
                    std::to_string(frontier.size()),
                "账本右边界与树大小不符");
  }
  MerkleLog log;
  log.size_ = size;
  log.frontier_ = std::move(frontier);
  return log;
}

void MerkleLog::Append(const Sm3Digest& leaf_hash) {
  // Like incrementing a binary counter: each trailing one bit of the old size is a complete
  // subtree of the same height as the carry, so the two merge.
  Sm3Digest carry = leaf_hash;
  for (std::uint64_t s = static_cast<std::uint64_t>(size_); (s & 1) != 0; s >>= 1) {
    carry = NodeHash(frontier_.back(), carry);
    frontier_.pop_back();
  }
  frontier_.push_back(carry);
  ++size_;
}

Sm3Digest MerkleLog::Root() const {
  if (frontier_.empty()) return EmptyRoot();
  // RFC 6962 splits at the largest power of two first, so the smaller subtrees on the right
  // combine before they meet the larger ones on the left.
  Sm3Digest root = frontier_.back();
  for (auto it = frontier_.rbegin() + 1; it != frontier_.rend(); ++it) root = NodeHash(*it, root);
  return root;
}

}  // namespace xy::ledger
