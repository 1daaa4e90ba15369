#include "ledger/merkle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace xy::ledger {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---- An independent reference: the RFC 6962 definitions, spelled out with explicit SM3 calls on
// explicit byte strings, recursive as the RFC writes them. Nothing here calls the code under test.

std::string Bytes(const Sm3Digest& digest) { return std::string(digest.begin(), digest.end()); }

Sm3Digest RefLeaf(std::string_view data) { return Sm3(std::string(1, '\x00') + std::string(data)); }

Sm3Digest RefNode(const Sm3Digest& left, const Sm3Digest& right) {
  return Sm3(std::string(1, '\x01') + Bytes(left) + Bytes(right));
}

std::int64_t RefSplit(std::int64_t n) {
  std::int64_t k = 1;
  while (k < n - k) k *= 2;  // 2k < n, without overflow for sizes near 2^63
  return k;
}

// Leaf hashes with the subtree roots computed so far, so that the exhaustive tests hash each
// reference node once.
struct RefTree {
  std::vector<Sm3Digest> leaves;
  std::map<std::pair<std::int64_t, std::int64_t>, Sm3Digest> roots;
};

// MTH over leaf hashes [lo, hi).
Sm3Digest RefRoot(RefTree& tree, std::int64_t lo, std::int64_t hi) {
  if (hi == lo) return Sm3("");
  if (hi - lo == 1) return tree.leaves[lo];
  if (auto it = tree.roots.find({lo, hi}); it != tree.roots.end()) return it->second;
  const std::int64_t k = RefSplit(hi - lo);
  const Sm3Digest root = RefNode(RefRoot(tree, lo, lo + k), RefRoot(tree, lo + k, hi));
  tree.roots[{lo, hi}] = root;
  return root;
}

Sm3Digest RefRoot(const std::vector<Sm3Digest>& leaves, std::int64_t lo, std::int64_t hi) {
  RefTree tree{leaves, {}};
  return RefRoot(tree, lo, hi);
}

struct RefStep {
  Sm3Digest hash;
  bool sibling_on_left;
};

// PATH(m, D[lo:hi]), leaf first.
std::vector<RefStep> RefPath(RefTree& leaves, std::int64_t m, std::int64_t lo, std::int64_t hi) {
  if (hi - lo <= 1) return {};
  const std::int64_t k = RefSplit(hi - lo);
  std::vector<RefStep> path;
  if (m < k) {
    path = RefPath(leaves, m, lo, lo + k);
    path.push_back({RefRoot(leaves, lo + k, hi), false});
  } else {
    path = RefPath(leaves, m - k, lo + k, hi);
    path.push_back({RefRoot(leaves, lo, lo + k), true});
  }
  return path;
}

// SUBPROOF(m, D[lo:hi], b).
std::vector<Sm3Digest> RefSubproof(RefTree& leaves, std::int64_t m, std::int64_t lo,
                                   std::int64_t hi, bool b) {
  const std::int64_t n = hi - lo;
  if (m == n) {
    if (b) return {};
    return {RefRoot(leaves, lo, hi)};
  }
  const std::int64_t k = RefSplit(n);
  std::vector<Sm3Digest> proof;
  if (m <= k) {
    proof = RefSubproof(leaves, m, lo, lo + k, b);
    proof.push_back(RefRoot(leaves, lo + k, hi));
  } else {
    proof = RefSubproof(leaves, m - k, lo + k, hi, false);
    proof.push_back(RefRoot(leaves, lo, lo + k));
  }
  return proof;
}

// How SUBPROOF(m, D[lo:hi], b) combines, without hashes: 'I' the old root starts both paths
// (implicit), 'S' the first proof node does, 'R' a node to the right of the new path only, 'L' a
// node to the left of both.
std::string RefSubproofShape(std::int64_t m, std::int64_t lo, std::int64_t hi, bool b) {
  const std::int64_t n = hi - lo;
  if (m == n) return b ? "I" : "S";
  const std::int64_t k = RefSplit(n);
  if (m <= k) return RefSubproofShape(m, lo, lo + k, b) + "R";
  return RefSubproofShape(m - k, lo + k, hi, false) + "L";
}

std::vector<Sm3Digest> Hashes(const std::vector<RefStep>& path) {
  std::vector<Sm3Digest> out;
  for (const RefStep& step : path) out.push_back(step.hash);
  return out;
}

std::vector<bool> Sides(const std::vector<RefStep>& path) {
  std::vector<bool> out;
  for (const RefStep& step : path) out.push_back(step.sibling_on_left);
  return out;
}

// Sides(RefPath(…, m, lo, hi)) without hashing anything.
std::vector<bool> RefSides(std::int64_t m, std::int64_t lo, std::int64_t hi) {
  if (hi - lo <= 1) return {};
  const std::int64_t k = RefSplit(hi - lo);
  std::vector<bool> sides = m < k ? RefSides(m, lo, lo + k) : RefSides(m - k, lo + k, hi);
  sides.push_back(m >= k);
  return sides;
}

// The eight leaves of the RFC 6962 reference test suites (certificate-transparency, trillian).
const std::vector<std::string>& RfcLeafData() {
  static const std::vector<std::string> data = {
      std::string(),
      std::string(1, '\x00'),
      "\x10",
      "\x20\x21",
      "\x30\x31",
      "\x40\x41\x42\x43",
      "\x50\x51\x52\x53\x54\x55\x56\x57",
      "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
  };
  return data;
}

std::vector<Sm3Digest> RfcLeaves() {
  std::vector<Sm3Digest> out;
  for (const std::string& data : RfcLeafData()) out.push_back(RefLeaf(data));
  return out;
}

std::vector<Sm3Digest> NumberedLeaves(int count) {
  std::vector<Sm3Digest> out;
  for (int i = 0; i < count; ++i) out.push_back(RefLeaf("leaf " + std::to_string(i)));
  return out;
}

std::span<const Sm3Digest> Prefix(const std::vector<Sm3Digest>& leaves, std::int64_t n) {
  return std::span<const Sm3Digest>(leaves).first(static_cast<std::size_t>(n));
}

// ---- Hashes -------------------------------------------------------------------------------------

TEST(MerkleTest, LeafAndNodeHashesFollowRfc6962WithSm3) {
  EXPECT_EQ(LeafHash(""), Sm3(std::string(1, '\x00')));
  EXPECT_EQ(LeafHash("abc"), Sm3(std::string("\x00"
                                             "abc",
                                             4)));
  const Sm3Digest a = Sm3("a");
  const Sm3Digest b = Sm3("b");
  EXPECT_EQ(NodeHash(a, b), Sm3("\x01" + Bytes(a) + Bytes(b)));
  EXPECT_NE(NodeHash(a, b), NodeHash(b, a));
  // A leaf whose data looks like two child hashes still hashes differently from the node.
  EXPECT_NE(LeafHash(Bytes(a) + Bytes(b)), NodeHash(a, b));
  EXPECT_EQ(EmptyRoot(), Sm3(""));
}

TEST(MerkleTest, LeafHashHandlesLargeInputsRepeatedly) {
  const std::string big(200 * 1024, 'x');
  EXPECT_EQ(LeafHash(big), Sm3(std::string(1, '\x00') + big));
  EXPECT_EQ(LeafHash("small"), Sm3(std::string("\x00"
                                               "small",
                                               6)));
}

// Roots of the RFC leaves computed with Python's hashlib.new("sm3") (OpenSSL) by the recursive
// definition: pins the byte format independently of any C++ here.
TEST(MerkleTest, RootsOfRfcLeavesMatchAnIndependentComputation) {
  const std::vector<std::string> expected = {
      "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b",
      "2daef60e7a0b8f5e024c81cd2ab3109f2b4f155cf83adeb2ae5532f74a157fdf",
      "0b990fe0c7ad70f1bf1a1262f2c7908ea48146b14253a6db99f2917ab1f5cc4d",
      "209ec96a210d662a964772680e8544d18cab7b88ffec3e00962220349b56ea56",
      "28e4e307ef6d2d0c62d84b11ef96e835efe490f35b93c8f024ecfe38c8dd4377",
      "bb10c996aeebbcdc69be3715fc847344de77442d37a5ab8213da9f41785b103b",
      "8723c1ab1f82ddfba4a3733ac0c80d936d9f4c208c7dbc8cc81ca9fff8584f66",
      "bd36c22a1ac6ff4308e0c3cc1a85bf0ffa30538ec60a55c70413ab15d45db4d2",
      "bc48ba7a709184b5f2a631e1adeb8dc2a0d4c018c1d6cc89b5664fe154c93b38",
  };
  std::vector<Sm3Digest> leaves;
  for (const std::string& data : RfcLeafData()) leaves.push_back(LeafHash(data));
  for (std::size_t n = 0; n <= 8; ++n) {
    EXPECT_EQ(ToHex(RootOf(Prefix(leaves, static_cast<std::int64_t>(n)))), expected[n])
        << "size " << n;
  }
}

TEST(MerkleTest, SmallTreesByHand) {
  const std::vector<Sm3Digest> l = RfcLeaves();
  const Sm3Digest n01 = RefNode(l[0], l[1]);
  const Sm3Digest n23 = RefNode(l[2], l[3]);
  const Sm3Digest n45 = RefNode(l[4], l[5]);
  const Sm3Digest n67 = RefNode(l[6], l[7]);
  const Sm3Digest n03 = RefNode(n01, n23);

  EXPECT_EQ(RootOf(Prefix(l, 0)), Sm3(""));
  EXPECT_EQ(RootOf(Prefix(l, 1)), l[0]);
  EXPECT_EQ(RootOf(Prefix(l, 2)), n01);
  EXPECT_EQ(RootOf(Prefix(l, 3)), RefNode(n01, l[2]));
  EXPECT_EQ(RootOf(Prefix(l, 4)), n03);
  EXPECT_EQ(RootOf(Prefix(l, 5)), RefNode(n03, l[4]));
  EXPECT_EQ(RootOf(Prefix(l, 6)), RefNode(n03, n45));
  EXPECT_EQ(RootOf(Prefix(l, 7)), RefNode(n03, RefNode(n45, l[6])));
  EXPECT_EQ(RootOf(Prefix(l, 8)), RefNode(n03, RefNode(n45, n67)));
}

// ---- The RFC 6962 reference shapes --------------------------------------------------------------

struct InclusionShape {
  std::int64_t index;
  std::int64_t size;
  std::vector<LeafRange> path;
};

TEST(MerkleTest, InclusionProofsHaveTheRfcShapes) {
  // The reference suites' vectors (leaf numbers there are 1-based), plus a few more.
  const std::vector<InclusionShape> shapes = {
      {0, 1, {}},
      {0, 8, {{1, 2}, {2, 4}, {4, 8}}},
      {5, 8, {{4, 5}, {6, 8}, {0, 4}}},
      {2, 3, {{0, 2}}},
      {1, 5, {{0, 1}, {2, 4}, {4, 5}}},
      {4, 5, {{0, 4}}},
      {6, 7, {{4, 6}, {0, 4}}},
      {3, 4, {{2, 3}, {0, 2}}},
  };
  const std::vector<Sm3Digest> l = RfcLeaves();
  for (const InclusionShape& shape : shapes) {
    SCOPED_TRACE("index " + std::to_string(shape.index) + " size " + std::to_string(shape.size));
    auto ranges = InclusionProofRanges(shape.index, shape.size);
    ASSERT_TRUE(ranges.has_value());
    EXPECT_EQ(*ranges, shape.path);
    auto proof = InclusionProof(l, shape.index, shape.size);
    ASSERT_TRUE(proof.has_value());
    ASSERT_EQ(proof->size(), shape.path.size());
    for (std::size_t i = 0; i < shape.path.size(); ++i) {
      EXPECT_EQ((*proof)[i], RefRoot(l, shape.path[i].begin, shape.path[i].end)) << "node " << i;
    }
    EXPECT_TRUE(VerifyInclusion(*proof, shape.index, shape.size, l[shape.index],
                                RefRoot(l, 0, shape.size)));
  }
}

TEST(MerkleTest, InclusionProofOfLeafOneInEightByHand) {
  const std::vector<Sm3Digest> l = RfcLeaves();
  auto proof = InclusionProof(l, 0, 8);
  ASSERT_TRUE(proof.has_value());
  EXPECT_THAT(*proof, ElementsAre(l[1], RefNode(l[2], l[3]),
                                  RefNode(RefNode(l[4], l[5]), RefNode(l[6], l[7]))));
}

struct ConsistencyShape {
  std::int64_t old_size;
  std::int64_t new_size;
  std::vector<LeafRange> proof;
};

TEST(MerkleTest, ConsistencyProofsHaveTheRfcShapes) {
  const std::vector<ConsistencyShape> shapes = {
      {1, 1, {}},
      {1, 8, {{1, 2}, {2, 4}, {4, 8}}},
      {6, 8, {{4, 6}, {6, 8}, {0, 4}}},
      {2, 5, {{2, 4}, {4, 5}}},
      {3, 7, {{2, 3}, {3, 4}, {0, 2}, {4, 7}}},
      {4, 8, {{4, 8}}},
      {5, 8, {{4, 5}, {5, 6}, {6, 8}, {0, 4}}},
      {0, 8, {}},
      {8, 8, {}},
  };
  const std::vector<Sm3Digest> l = RfcLeaves();
  for (const ConsistencyShape& shape : shapes) {
    SCOPED_TRACE("from " + std::to_string(shape.old_size) + " to " +
                 std::to_string(shape.new_size));
    auto ranges = ConsistencyProofRanges(shape.old_size, shape.new_size);
    ASSERT_TRUE(ranges.has_value());
    EXPECT_EQ(*ranges, shape.proof);
    auto proof = ConsistencyProof(l, shape.old_size, shape.new_size);
    ASSERT_TRUE(proof.has_value());
    ASSERT_EQ(proof->size(), shape.proof.size());
    for (std::size_t i = 0; i < shape.proof.size(); ++i) {
      EXPECT_EQ((*proof)[i], RefRoot(l, shape.proof[i].begin, shape.proof[i].end)) << "node " << i;
    }
    EXPECT_TRUE(VerifyConsistency(*proof, shape.old_size, shape.new_size,
                                  RefRoot(l, 0, shape.old_size), RefRoot(l, 0, shape.new_size)));
  }
}

// ---- Exhaustive over small trees ----------------------------------------------------------------

constexpr int kMaxExhaustive = 64;
// Trees up to this size get every tampering case; larger ones one case of each kind, varied from
// proof to proof, so that the test stays quick in a Debug build with sanitizers (each case costs a
// verification). Every proof of every size is still built, compared with the reference, verified
// and tampered with.
constexpr int kEveryCase = 8;

// All of `cases` for a small tree, else the one `salt` picks.
template <typename T>
std::vector<T> Pick(std::vector<T> cases, std::int64_t tree_size, std::size_t salt) {
  if (tree_size <= kEveryCase || cases.empty()) return cases;
  return {cases[salt % cases.size()]};
}

// Every (node, byte) position of a proof.
std::vector<std::pair<std::size_t, std::size_t>> BytePositions(std::size_t proof_size) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t p = 0; p < proof_size; ++p) {
    for (std::size_t b = 0; b < kSm3Size; ++b) out.emplace_back(p, b);
  }
  return out;
}

// Values other than `right` to claim for an index or size: all of [lo, hi] in small trees, the
// neighbours and a far value in larger ones (before Pick).
std::vector<std::int64_t> WrongValues(std::int64_t right, std::int64_t tree_size, std::int64_t lo,
                                      std::int64_t hi) {
  std::vector<std::int64_t> candidates;
  if (tree_size <= kEveryCase) {
    for (std::int64_t v = lo; v <= hi; ++v) candidates.push_back(v);
  } else {
    candidates = {right - 1, right + 1, 2 * tree_size};
  }
  std::vector<std::int64_t> out;
  for (std::int64_t v : candidates) {
    if (v != right && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return out;
}

// The proof hashes for `ranges`, taken from the reference. InclusionProof and ConsistencyProof are
// InclusionProofRanges / ConsistencyProofRanges with RootOf applied to each range; building the
// exhaustive proofs this way checks the ranges for every case without rehashing every subtree,
// and the functions themselves are compared on a sample of cases (RootOf has its own tests).
std::vector<Sm3Digest> RefProofOf(RefTree& tree, const std::vector<LeafRange>& ranges) {
  std::vector<Sm3Digest> out;
  for (const LeafRange& range : ranges) out.push_back(RefRoot(tree, range.begin, range.end));
  return out;
}

bool Sampled(std::int64_t n, std::int64_t i) {
  return n <= kEveryCase || i == 0 || i == n / 2 || i == n - 1;
}

TEST(MerkleTest, EveryInclusionProofUpTo64LeavesVerifiesAndResistsTampering) {
  RefTree ref_tree{NumberedLeaves(kMaxExhaustive), {}};
  const std::vector<Sm3Digest>& leaves = ref_tree.leaves;
  std::vector<Sm3Digest> roots;
  for (std::int64_t n = 0; n <= kMaxExhaustive; ++n) roots.push_back(RefRoot(ref_tree, 0, n));

  for (std::int64_t n = 1; n <= kMaxExhaustive; ++n) {
    for (std::int64_t i = 0; i < n; ++i) {
      SCOPED_TRACE("index " + std::to_string(i) + " size " + std::to_string(n));
      const auto salt = static_cast<std::size_t>(n * 31 + i);
      const std::vector<RefStep> ref = RefPath(ref_tree, i, 0, n);
      auto ranges = InclusionProofRanges(i, n);
      ASSERT_TRUE(ranges.has_value());
      const std::vector<Sm3Digest> proof = RefProofOf(ref_tree, *ranges);
      ASSERT_EQ(proof, Hashes(ref));
      if (Sampled(n, i)) {
        ASSERT_EQ(InclusionProof(leaves, i, n), proof);
      }
      ASSERT_TRUE(VerifyInclusion(proof, i, n, leaves[i], roots[n]));

      // A flipped byte anywhere in the proof.
      for (auto [p, b] : Pick(BytePositions(proof.size()), n, salt)) {
        std::vector<Sm3Digest> bad = proof;
        bad[p][b] ^= 0x01;
        ASSERT_FALSE(VerifyInclusion(bad, i, n, leaves[i], roots[n]))
            << "node " << p << " byte " << b;
      }
      // Another leaf, another root, a longer or shorter proof.
      Sm3Digest bad_root = roots[n];
      bad_root[31] ^= 0x80;
      std::vector<Sm3Digest> longer = proof;
      longer.push_back(leaves[0]);
      std::vector<Sm3Digest> shorter = proof;
      if (!shorter.empty()) shorter.pop_back();
      const std::vector<std::pair<std::string, std::function<bool()>>> others = {
          {"another leaf", [&] { return VerifyInclusion(proof, i, n, Sm3("other"), roots[n]); }},
          {"another root", [&] { return VerifyInclusion(proof, i, n, leaves[i], bad_root); }},
          {"longer", [&] { return VerifyInclusion(longer, i, n, leaves[i], roots[n]); }},
          {"shorter",
           [&] { return !proof.empty() && VerifyInclusion(shorter, i, n, leaves[i], roots[n]); }},
      };
      for (const auto& [what, verify] : Pick(others, n, salt)) ASSERT_FALSE(verify()) << what;
      // Wrong indexes, inside and outside the tree: in a tree of a given size the path's shape
      // names exactly one leaf.
      for (std::int64_t j : Pick(WrongValues(i, n, -2, n + 2), n, salt)) {
        ASSERT_FALSE(VerifyInclusion(proof, j, n, leaves[i], roots[n])) << "index " << j;
      }
      // A wrong size is only caught when it changes the path's shape: the same hashes combined
      // the same way give the same root. (A signed tree head binds size and root together, which
      // is why that is enough.) The reference says which sizes share the shape.
      for (std::int64_t m : Pick(WrongValues(n, n, -1, kMaxExhaustive + 3), n, salt)) {
        const bool same_shape = m > i && RefSides(i, 0, m) == Sides(ref);
        ASSERT_EQ(VerifyInclusion(proof, i, m, leaves[i], roots[n]), same_shape) << "size " << m;
      }
    }
  }
}

TEST(MerkleTest, EveryConsistencyProofUpTo64LeavesVerifiesAndResistsTampering) {
  RefTree ref_tree{NumberedLeaves(kMaxExhaustive), {}};
  const std::vector<Sm3Digest>& leaves = ref_tree.leaves;
  std::vector<Sm3Digest> roots;
  for (std::int64_t n = 0; n <= kMaxExhaustive; ++n) roots.push_back(RefRoot(ref_tree, 0, n));

  for (std::int64_t n = 0; n <= kMaxExhaustive; ++n) {
    for (std::int64_t m = 0; m <= n; ++m) {
      SCOPED_TRACE("from " + std::to_string(m) + " to " + std::to_string(n));
      const auto salt = static_cast<std::size_t>(n * 31 + m);
      auto ranges = ConsistencyProofRanges(m, n);
      ASSERT_TRUE(ranges.has_value());
      const std::vector<Sm3Digest> proof = RefProofOf(ref_tree, *ranges);
      if (m > 0) {
        ASSERT_EQ(proof, RefSubproof(ref_tree, m, 0, n, true));
      } else {
        ASSERT_THAT(proof, IsEmpty());
      }
      if (Sampled(n, m)) {
        ASSERT_EQ(ConsistencyProof(leaves, m, n), proof);
      }
      ASSERT_TRUE(VerifyConsistency(proof, m, n, roots[m], roots[n]));

      for (auto [p, b] : Pick(BytePositions(proof.size()), n, salt)) {
        std::vector<Sm3Digest> bad = proof;
        bad[p][b] ^= 0x01;
        ASSERT_FALSE(VerifyConsistency(bad, m, n, roots[m], roots[n]))
            << "node " << p << " byte " << b;
      }
      Sm3Digest bad_old = roots[m];
      bad_old[0] ^= 0x01;
      Sm3Digest bad_new = roots[n];
      bad_new[0] ^= 0x01;
      std::vector<Sm3Digest> longer = proof;
      longer.push_back(leaves[0]);
      std::vector<Sm3Digest> shorter = proof;
      if (!shorter.empty()) shorter.pop_back();
      // Once the trees differ, the new root, the order of the roots and every node matter too.
      const bool grew = m > 0 && m < n;
      const std::vector<std::pair<std::string, std::function<bool()>>> others = {
          {"old root", [&] { return VerifyConsistency(proof, m, n, bad_old, roots[n]); }},
          {"longer", [&] { return VerifyConsistency(longer, m, n, roots[m], roots[n]); }},
          {"new root", [&] { return grew && VerifyConsistency(proof, m, n, roots[m], bad_new); }},
          {"roots swapped",
           [&] { return grew && VerifyConsistency(proof, m, n, roots[n], roots[m]); }},
          {"sizes swapped",
           [&] { return grew && VerifyConsistency(proof, n, m, roots[n], roots[m]); }},
          {"shorter", [&] { return grew && VerifyConsistency(shorter, m, n, roots[m], roots[n]); }},
      };
      for (const auto& [what, verify] : Pick(others, n, salt)) ASSERT_FALSE(verify()) << what;
      if (!grew) continue;

      // Every other claimed old or new size with the same roots. As with inclusion, sizes are
      // only caught when they change how the proof combines; the reference says which do.
      const std::string shape = RefSubproofShape(m, 0, n, true);
      auto shares_shape = [&shape](std::int64_t old_size, std::int64_t new_size) {
        return old_size > 0 && old_size < new_size &&
               RefSubproofShape(old_size, 0, new_size, true) == shape;
      };
      for (std::int64_t k : Pick(WrongValues(m, n, -1, n + 1), n, salt)) {
        ASSERT_EQ(VerifyConsistency(proof, k, n, roots[m], roots[n]), shares_shape(k, n))
            << "old size " << k;
      }
      for (std::int64_t k : Pick(WrongValues(n, n, m - 1, kMaxExhaustive + 2), n, salt)) {
        ASSERT_EQ(VerifyConsistency(proof, m, k, roots[m], roots[n]), shares_shape(m, k))
            << "new size " << k;
      }
    }
  }
}

// ---- Edges and errors ---------------------------------------------------------------------------

MATCHER_P2(IsError, code, reason, "") {
  return !arg.has_value() && arg.error().code == code && arg.error().reason == reason;
}

TEST(MerkleTest, ProofGenerationRejectsOutOfRangeArguments) {
  const std::vector<Sm3Digest> l = RfcLeaves();
  constexpr auto kBad = ErrorCode::kInvalidArgument;
  EXPECT_THAT(InclusionProof(l, -1, 8), IsError(kBad, "ledger.proof_range"));
  EXPECT_THAT(InclusionProof(l, 8, 8), IsError(kBad, "ledger.proof_range"));
  EXPECT_THAT(InclusionProof(l, 0, 0), IsError(kBad, "ledger.proof_range"));
  EXPECT_THAT(InclusionProof(l, 0, 9), IsError(kBad, "ledger.proof_range"));
  EXPECT_THAT(InclusionProof({}, 0, 1), IsError(kBad, "ledger.proof_range"));
  EXPECT_THAT(ConsistencyProof(l, 3, 2), IsError(kBad, "ledger.proof_range"));
  EXPECT_THAT(ConsistencyProof(l, -1, 2), IsError(kBad, "ledger.proof_range"));
  EXPECT_THAT(ConsistencyProof(l, 2, 9), IsError(kBad, "ledger.proof_range"));
  auto error = InclusionProof(l, 8, 8);
  ASSERT_FALSE(error.has_value());
  EXPECT_THAT(error.error().message, HasSubstr("leaf 8 in a tree of 8 leaves"));
  // Leaves beyond tree_size are simply not part of the older tree.
  auto older = InclusionProof(l, 1, 5);
  ASSERT_TRUE(older.has_value());
  EXPECT_TRUE(VerifyInclusion(*older, 1, 5, l[1], RefRoot(l, 0, 5)));
}

TEST(MerkleTest, VerificationRejectsMalformedInputWithoutCrashing) {
  const std::vector<Sm3Digest> l = RfcLeaves();
  const Sm3Digest root = RefRoot(l, 0, 8);
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  EXPECT_FALSE(VerifyInclusion({}, 0, 0, l[0], root));
  EXPECT_FALSE(VerifyInclusion({}, kMin, 8, l[0], root));
  EXPECT_FALSE(VerifyInclusion({}, 0, kMin, l[0], root));
  EXPECT_FALSE(VerifyInclusion({}, kMax, kMax, l[0], root));
  EXPECT_FALSE(VerifyInclusion({}, 0, 8, l[0], root));  // too short
  const std::vector<Sm3Digest> huge(100000, l[3]);
  EXPECT_FALSE(VerifyInclusion(huge, 0, 8, l[0], root));
  EXPECT_FALSE(VerifyInclusion(huge, kMax - 1, kMax, l[0], root));
  // The one-leaf tree: the leaf is the root and the proof is empty.
  EXPECT_TRUE(VerifyInclusion({}, 0, 1, l[0], l[0]));
  EXPECT_FALSE(VerifyInclusion({}, 0, 1, l[0], l[1]));

  const Sm3Digest root4 = RefRoot(l, 0, 4);
  EXPECT_FALSE(VerifyConsistency({}, 4, 8, root4, root));  // empty proof for a real extension
  EXPECT_FALSE(VerifyConsistency(huge, 4, 8, root4, root));
  EXPECT_FALSE(VerifyConsistency(huge, kMax - 1, kMax, root4, root));
  EXPECT_FALSE(VerifyConsistency({}, kMin, 8, root4, root));
  EXPECT_FALSE(VerifyConsistency({}, 8, 4, root, root4));
  EXPECT_FALSE(VerifyConsistency({}, 8, 8, root, root4));
  EXPECT_FALSE(VerifyConsistency({}, 0, 8, root4, root));  // the empty tree's root is SM3("")
  EXPECT_TRUE(VerifyConsistency({}, 0, 8, Sm3(""), root));
  EXPECT_TRUE(VerifyConsistency({}, 0, 0, Sm3(""), Sm3("")));
  EXPECT_FALSE(VerifyConsistency(std::vector<Sm3Digest>{root}, 8, 8, root, root));
}

TEST(MerkleTest, ProofRangesForHugeTreesNeedNoRecursion) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  auto path = InclusionProofRanges(kMax - 1, kMax);
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(path->size(), 62u);  // kMax = 2^63 − 1 leaves: the last leaf hangs off the right edge
  EXPECT_EQ(path->back(), (LeafRange{0, std::int64_t{1} << 62}));
  auto first = InclusionProofRanges(0, kMax);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->size(), 63u);
  EXPECT_EQ(first->front(), (LeafRange{1, 2}));
  auto consistency = ConsistencyProofRanges(kMax / 3, kMax);
  ASSERT_TRUE(consistency.has_value());
  EXPECT_FALSE(consistency->empty());
  EXPECT_LE(consistency->size(), 2u * 63u);
  for (const LeafRange& range : *consistency) {
    EXPECT_GE(range.begin, 0);
    EXPECT_LT(range.begin, range.end);
    EXPECT_LE(range.end, kMax);
  }
}

TEST(MerkleTest, DigestFromHexAcceptsExactly64HexDigits) {
  const Sm3Digest digest = Sm3("abc");
  EXPECT_EQ(DigestFromHex(ToHex(digest)), digest);
  std::string upper = ToHex(digest);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(DigestFromHex(upper), digest);
  constexpr auto kBad = ErrorCode::kInvalidArgument;
  EXPECT_THAT(DigestFromHex(ToHex(digest).substr(2)), IsError(kBad, "ledger.digest"));
  EXPECT_THAT(DigestFromHex(ToHex(digest) + "00"), IsError(kBad, "ledger.digest"));
  EXPECT_THAT(DigestFromHex(std::string(64, 'g')), IsError(kBad, "ledger.digest"));
  EXPECT_THAT(DigestFromHex(""), IsError(kBad, "ledger.digest"));
}

// ---- The incremental log ------------------------------------------------------------------------

TEST(MerkleLogTest, RootEqualsTheRecursiveDefinitionForEveryPrefix) {
  RefTree ref_tree{NumberedLeaves(200), {}};
  const std::vector<Sm3Digest>& leaves = ref_tree.leaves;
  MerkleLog log;
  EXPECT_EQ(log.size(), 0);
  EXPECT_EQ(log.Root(), Sm3(""));
  for (std::int64_t n = 1; n <= 200; ++n) {
    log.Append(leaves[n - 1]);
    ASSERT_EQ(log.size(), n);
    ASSERT_EQ(log.Root(), RefRoot(ref_tree, 0, n)) << "size " << n;
    ASSERT_EQ(log.Root(), RootOf(Prefix(leaves, n))) << "size " << n;
    ASSERT_EQ(log.frontier().size(),
              static_cast<std::size_t>(std::popcount(static_cast<std::uint64_t>(n))));
  }
}

TEST(MerkleLogTest, RestoredLogContinuesAsIfNeverStopped) {
  const std::vector<Sm3Digest> leaves = NumberedLeaves(100);
  for (std::int64_t stop : {0, 1, 2, 7, 8, 33, 64, 99}) {
    MerkleLog first;
    for (std::int64_t i = 0; i < stop; ++i) first.Append(leaves[i]);
    auto resumed = MerkleLog::Restore(first.size(), first.frontier());
    ASSERT_TRUE(resumed.has_value());
    for (std::int64_t i = stop; i < 100; ++i) resumed->Append(leaves[i]);
    EXPECT_EQ(resumed->Root(), RefRoot(leaves, 0, 100)) << "stopped at " << stop;
  }
}

TEST(MerkleLogTest, RestoreRejectsAFrontierThatDoesNotFitTheSize) {
  constexpr auto kBad = ErrorCode::kInvalidArgument;
  const Sm3Digest d = Sm3("d");
  EXPECT_THAT(MerkleLog::Restore(-1, {}), IsError(kBad, "ledger.frontier"));
  EXPECT_THAT(MerkleLog::Restore(1, {}), IsError(kBad, "ledger.frontier"));
  EXPECT_THAT(MerkleLog::Restore(3, {d}), IsError(kBad, "ledger.frontier"));
  EXPECT_THAT(MerkleLog::Restore(4, {d, d}), IsError(kBad, "ledger.frontier"));
  EXPECT_TRUE(MerkleLog::Restore(0, {}).has_value());
  EXPECT_TRUE(MerkleLog::Restore(5, {d, d}).has_value());
}

TEST(MerkleLogTest, RootOfAgreesWithTheLogAroundBatchBoundaries) {
  // RootOf hashes 1024-leaf pieces a level at a time; the log appends one leaf at a time.
  const std::vector<std::int64_t> sizes = {1023, 1024, 1025, 2047, 2048, 2049, 3 * 1024 + 1};
  std::vector<Sm3Digest> leaves;
  MerkleLog log;
  for (std::int64_t size : sizes) {
    while (log.size() < size) {
      leaves.push_back(LeafHash(std::to_string(log.size())));
      log.Append(leaves.back());
    }
    EXPECT_EQ(RootOf(leaves), log.Root()) << "size " << size;
  }
}

// ---- A larger tree: the iterative code on sizes the small tests do not reach --------------------

TEST(MerkleTest, ProofsInALargeTreeVerify) {
  // Four complete batches of 1024 leaves in RootOf, then a ragged edge.
  constexpr std::int64_t kSize = (1 << 12) + 3;
  std::vector<Sm3Digest> leaves;
  leaves.reserve(kSize);
  MerkleLog log;
  for (std::int64_t i = 0; i < kSize; ++i) {
    leaves.push_back(LeafHash("entry " + std::to_string(i)));
    log.Append(leaves.back());
  }
  const Sm3Digest root = RootOf(leaves);
  ASSERT_EQ(root, log.Root());
  for (std::int64_t index : {std::int64_t{0}, std::int64_t{1} << 11, kSize / 3, kSize - 1}) {
    auto proof = InclusionProof(leaves, index, kSize);
    ASSERT_TRUE(proof.has_value());
    EXPECT_TRUE(VerifyInclusion(*proof, index, kSize, leaves[index], root)) << index;
    EXPECT_FALSE(VerifyInclusion(*proof, index, kSize, leaves[(index + 1) % kSize], root));
  }
  const std::int64_t old_size = 3 * 1024 + 517;
  auto consistency = ConsistencyProof(leaves, old_size, kSize);
  ASSERT_TRUE(consistency.has_value());
  EXPECT_TRUE(
      VerifyConsistency(*consistency, old_size, kSize, RootOf(Prefix(leaves, old_size)), root));
}

}  // namespace
}  // namespace xy::ledger
