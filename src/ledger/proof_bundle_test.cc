#include "ledger/proof_bundle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "ledger/entry.h"
#include "ledger/merkle.h"

namespace xy::ledger {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A small log as the store would keep it: the entries' bytes, their leaf hashes, signed heads.
struct Fixture {
  Sm2KeyPair key = *Sm2KeyPair::Generate();
  std::vector<std::string> entries;
  std::vector<Sm3Digest> leaves;

  Fixture() {
    for (int i = 0; i < 11; ++i) {
      entries.push_back(*EncodeEntry(ReportEntry{"R-" + std::to_string(i), "91340400MA2N0X0X0X",
                                                 1717200000 + i, Sm3(std::to_string(i))}));
      leaves.push_back(LeafHash(entries.back()));
    }
  }

  SignedTreeHead Head(std::int64_t size) const {
    return *SignTreeHead(key, TreeHead{size, RootOf(std::span(leaves).first(size)), 1717300000});
  }

  InclusionBundle Inclusion(std::int64_t index, std::int64_t size) const {
    return InclusionBundle{entries[index], index, *InclusionProof(leaves, index, size), Head(size)};
  }
};

TEST(ProofBundleTest, InclusionBundleVerifiesAndTamperingFails) {
  const Fixture f;
  const std::string pem = f.key.PublicPem();
  const InclusionBundle bundle = f.Inclusion(6, 11);
  EXPECT_EQ(VerifyInclusionBundle(pem, bundle), true);

  InclusionBundle bad = bundle;
  bad.entry[5] ^= 0x01;
  EXPECT_EQ(VerifyInclusionBundle(pem, bad), false) << "entry";
  bad = bundle;
  bad.leaf_index = 7;
  EXPECT_EQ(VerifyInclusionBundle(pem, bad), false) << "index";
  bad = bundle;
  bad.inclusion_path[1][0] ^= 0x01;
  EXPECT_EQ(VerifyInclusionBundle(pem, bad), false) << "path";
  bad = bundle;
  bad.tree_head.head.root = RootOf(std::span(f.leaves).first(10));
  EXPECT_EQ(VerifyInclusionBundle(pem, bad), false) << "root not signed";
  bad = bundle;
  bad.tree_head = f.Head(10);
  EXPECT_EQ(VerifyInclusionBundle(pem, bad), false) << "another head";
  EXPECT_EQ(VerifyInclusionBundle(Sm2KeyPair::Generate()->PublicPem(), bundle), false) << "key";
  EXPECT_FALSE(VerifyInclusionBundle("junk", bundle).has_value());
}

TEST(ProofBundleTest, ConsistencyBundleVerifiesAndTamperingFails) {
  const Fixture f;
  const std::string pem = f.key.PublicPem();
  const ConsistencyBundle bundle{f.Head(5), f.Head(11), *ConsistencyProof(f.leaves, 5, 11)};
  EXPECT_EQ(VerifyConsistencyBundle(pem, bundle), true);

  ConsistencyBundle bad = bundle;
  bad.consistency_path.back()[3] ^= 0x01;
  EXPECT_EQ(VerifyConsistencyBundle(pem, bad), false);
  bad = bundle;
  bad.old_tree_head.head.timestamp += 1;
  EXPECT_EQ(VerifyConsistencyBundle(pem, bad), false);
  bad = bundle;
  bad.new_tree_head.signature = bad.old_tree_head.signature;
  EXPECT_EQ(VerifyConsistencyBundle(pem, bad), false);
  bad = bundle;
  std::swap(bad.old_tree_head, bad.new_tree_head);
  EXPECT_EQ(VerifyConsistencyBundle(pem, bad), false) << "reversed";
}

TEST(ProofBundleTest, JsonCarriesEverythingAnOutsiderNeeds) {
  const Fixture f;
  const InclusionBundle bundle = f.Inclusion(2, 5);
  const std::string json = ToJson(bundle);
  EXPECT_THAT(json, StartsWith("{\"format\":\"xinyong-ledger-inclusion-v1\",\"entry\":\"" +
                               ToHex(f.entries[2]) + "\",\"leaf_index\":2,\"leaf_hash\":\"" +
                               ToHex(f.leaves[2]) + "\",\"inclusion_path\":[\"" +
                               ToHex(bundle.inclusion_path[0]) + "\",\""));
  EXPECT_THAT(json, HasSubstr("\"],\"tree_head\":" + ToJson(bundle.tree_head) + "}"));
  EXPECT_EQ(json.back(), '}');

  const ConsistencyBundle consistency{f.Head(4), f.Head(4), {}};
  EXPECT_EQ(ToJson(consistency),
            "{\"format\":\"xinyong-ledger-consistency-v1\",\"old_tree_head\":" +
                ToJson(consistency.old_tree_head) + ",\"new_tree_head\":" +
                ToJson(consistency.new_tree_head) + ",\"consistency_path\":[]}");
}

}  // namespace
}  // namespace xy::ledger
