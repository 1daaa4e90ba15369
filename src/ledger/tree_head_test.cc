#include "ledger/tree_head.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <limits>
#include <string>

namespace xy::ledger {
namespace {

using ::testing::HasSubstr;

MATCHER_P2(IsError, code, reason, "") {
  return !arg.has_value() && arg.error().code == code && arg.error().reason == reason;
}

const Sm2KeyPair& Key() {
  static const Sm2KeyPair key = *Sm2KeyPair::Generate();
  return key;
}

TreeHead SampleHead() { return TreeHead{8, Sm3("root"), 1717200000}; }

TEST(TreeHeadTest, SigningInputIsTheDocumentedLayout) {
  const TreeHead head{0x0102030405060708, Sm3("root"), -2};
  const std::string input = TreeHeadSigningInput(head);
  ASSERT_EQ(input.size(), kTreeHeadSigningInputSize);
  ASSERT_EQ(input.size(), 62u);
  const Sm3Digest root = Sm3("root");
  const std::string expected =
      std::string("xinyong-sth-v1") + std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8) +
      std::string(root.begin(), root.end()) + std::string("\xff\xff\xff\xff\xff\xff\xff\xfe", 8);
  EXPECT_EQ(ToHex(input), ToHex(expected));
}

TEST(TreeHeadTest, SignedHeadVerifies) {
  auto signed_head = SignTreeHead(Key(), SampleHead());
  ASSERT_TRUE(signed_head.has_value()) << signed_head.error().ToString();
  EXPECT_EQ(signed_head->head, SampleHead());
  EXPECT_EQ(VerifyTreeHead(Key().PublicPem(), *signed_head), true);
  // The signature is over the documented input, so any SM2 tool can check it.
  EXPECT_EQ(
      Sm2Verify(Key().PublicPem(), TreeHeadSigningInput(SampleHead()), signed_head->signature),
      true);
  // The empty tree is signable too.
  auto empty = SignTreeHead(Key(), TreeHead{0, Sm3(""), 1});
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(VerifyTreeHead(Key().PublicPem(), *empty), true);
}

TEST(TreeHeadTest, AnyChangeBreaksTheSignature) {
  auto original = SignTreeHead(Key(), SampleHead());
  ASSERT_TRUE(original.has_value());
  const std::string pem = Key().PublicPem();

  SignedTreeHead changed = *original;
  changed.head.tree_size = 9;
  EXPECT_EQ(VerifyTreeHead(pem, changed), false) << "size";

  for (std::size_t i = 0; i < kSm3Size; ++i) {
    changed = *original;
    changed.head.root[i] ^= 0x01;
    EXPECT_EQ(VerifyTreeHead(pem, changed), false) << "root byte " << i;
  }

  changed = *original;
  changed.head.timestamp += 1;
  EXPECT_EQ(VerifyTreeHead(pem, changed), false) << "timestamp";

  for (std::size_t i = 0; i < original->signature.size(); ++i) {
    changed = *original;
    changed.signature[i] = static_cast<char>(changed.signature[i] ^ 0x01);
    EXPECT_EQ(VerifyTreeHead(pem, changed), false) << "signature byte " << i;
  }
  changed = *original;
  changed.signature.pop_back();
  EXPECT_EQ(VerifyTreeHead(pem, changed), false) << "truncated signature";
  changed.signature.clear();
  EXPECT_EQ(VerifyTreeHead(pem, changed), false) << "no signature";

  auto other = Sm2KeyPair::Generate();
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(VerifyTreeHead(other->PublicPem(), *original), false) << "another key";
}

TEST(TreeHeadTest, NegativeSizesAreNeitherSignedNorAccepted) {
  EXPECT_THAT(SignTreeHead(Key(), TreeHead{-1, Sm3(""), 0}),
              IsError(ErrorCode::kInvalidArgument, "ledger.tree_head"));
  // Even with a valid signature over the bytes a negative size would encode to.
  const TreeHead negative{-1, Sm3(""), 0};
  auto signature = Key().Sign(TreeHeadSigningInput(negative));
  ASSERT_TRUE(signature.has_value());
  EXPECT_EQ(VerifyTreeHead(Key().PublicPem(), SignedTreeHead{negative, *signature}), false);
}

TEST(TreeHeadTest, AnUnusableKeyIsAnError) {
  auto signed_head = SignTreeHead(Key(), SampleHead());
  ASSERT_TRUE(signed_head.has_value());
  EXPECT_THAT(VerifyTreeHead("not a key", *signed_head),
              IsError(ErrorCode::kInvalidArgument, "crypto.pem"));
}

TEST(TreeHeadTest, TextFormRoundTrips) {
  auto signed_head = SignTreeHead(Key(), SampleHead());
  ASSERT_TRUE(signed_head.has_value());
  const SignedTreeHeadText text = ToText(*signed_head);
  EXPECT_EQ(text.tree_size, 8);
  EXPECT_EQ(text.root, ToHex(Sm3("root")));
  EXPECT_EQ(text.timestamp, 1717200000);
  EXPECT_EQ(text.signature, ToHex(signed_head->signature));
  EXPECT_EQ(FromText(text), *signed_head);

  SignedTreeHeadText upper = text;
  for (char& c : upper.root) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(FromText(upper), *signed_head);
}

TEST(TreeHeadTest, TextFormRejectsMalformedFields) {
  const SignedTreeHeadText good{8, ToHex(Sm3("root")), 5, "3045"};
  ASSERT_TRUE(FromText(good).has_value());
  constexpr auto kBad = ErrorCode::kInvalidArgument;

  SignedTreeHeadText bad = good;
  bad.tree_size = -1;
  EXPECT_THAT(FromText(bad), IsError(kBad, "ledger.tree_head"));
  bad = good;
  bad.root.pop_back();
  EXPECT_THAT(FromText(bad), IsError(kBad, "ledger.tree_head"));
  bad = good;
  bad.root[0] = 'x';
  EXPECT_THAT(FromText(bad), IsError(kBad, "ledger.tree_head"));
  bad = good;
  bad.signature = "304";
  EXPECT_THAT(FromText(bad), IsError(kBad, "ledger.tree_head"));
  bad = good;
  bad.signature = "zz";
  EXPECT_THAT(FromText(bad), IsError(kBad, "ledger.tree_head"));
  bad = good;
  bad.signature = "";
  auto empty = FromText(bad);
  EXPECT_THAT(empty, IsError(kBad, "ledger.tree_head"));
  ASSERT_FALSE(empty.has_value());
  EXPECT_THAT(empty.error().message, HasSubstr("signature is empty"));
}

TEST(TreeHeadTest, JsonFormIsStable) {
  const SignedTreeHead signed_head{TreeHead{8, Sm3("abc"), 1717200000},
                                   std::string("\x30\x45\x02", 3)};
  EXPECT_EQ(ToJson(signed_head),
            "{\"tree_size\":8,\"root\":"
            "\"66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0\","
            "\"timestamp\":1717200000,\"signature\":\"304502\"}");
  const SignedTreeHead extremes{TreeHead{std::numeric_limits<std::int64_t>::max(), Sm3("abc"),
                                         std::numeric_limits<std::int64_t>::min()},
                                ""};
  EXPECT_THAT(ToJson(extremes), HasSubstr("\"tree_size\":9223372036854775807,"));
  EXPECT_THAT(ToJson(extremes), HasSubstr("\"timestamp\":-9223372036854775808,"));
}

}  // namespace
}  // namespace xy::ledger
