#include "base/sm3.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/crypto.h"

namespace xy {
namespace {

// Every answer below is checked against OpenSSL, an implementation independent of ours.
Sm3Digest OpenSslSm3(std::string_view data) {
  // Fetched once and never freed, like crypto.cc does: freeing from a static destructor could run
  // after OpenSSL's own clean-up.
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SM3", nullptr);
  Sm3Digest out{};
  unsigned int length = 0;
  EXPECT_EQ(
      EVP_Digest(data.empty() ? "" : data.data(), data.size(), out.data(), &length, md, nullptr),
      1);
  EXPECT_EQ(length, out.size());
  return out;
}

Sm3Digest OpenSslHmacSm3(std::span<const std::uint8_t> key, std::string_view data) {
  const std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac(
      EVP_MAC_fetch(nullptr, "HMAC", nullptr), &EVP_MAC_free);
  const std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_new(mac.get()),
                                                                      &EVP_MAC_CTX_free);
  char digest[] = "SM3";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  // A fresh context, and a non-NULL pointer for the empty key: EVP_MAC_init reads NULL as "keep
  // the previous key".
  static constexpr std::uint8_t kNoKey = 0;
  EXPECT_EQ(EVP_MAC_init(ctx.get(), key.empty() ? &kNoKey : key.data(), key.size(), params), 1);
  EXPECT_EQ(
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()),
      1);
  Sm3Digest out{};
  std::size_t length = 0;
  EXPECT_EQ(EVP_MAC_final(ctx.get(), out.data(), &length, out.size()), 1);
  EXPECT_EQ(length, out.size());
  return out;
}

std::string RandomBytes(std::mt19937_64& rng, std::size_t size) {
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

std::span<const std::uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// ---------------------------------------------------------------------------------------------------
// One message

TEST(Sm3Test, MatchesStandardExamples) {
  // GB/T 32905-2016 appendix A: example 1 ("abc", one block) and example 2 (64 bytes, so the
  // padding takes a second block).
  constexpr std::string_view kAbc =
      "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";
  constexpr std::string_view kAbcd16 =
      "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732";
  std::string abcd16;
  for (int i = 0; i < 16; ++i) abcd16 += "abcd";
  EXPECT_EQ(ToHex(internal::Sm3Scalar("abc")), kAbc);
  EXPECT_EQ(ToHex(internal::Sm3Scalar(abcd16)), kAbcd16);
  Sm3State state;
  state.Update(std::string_view("abc"));
  EXPECT_EQ(ToHex(state.Finish()), kAbc);
  EXPECT_EQ(ToHex(internal::Sm3Scalar(std::string_view())),
            "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
}

TEST(Sm3Test, EveryShortLengthMatchesOpenSsl) {
  // 0..300 covers every padding case (a tail of 0..63 bytes, one or two padding blocks) across
  // four whole blocks.
  std::mt19937_64 rng(32905);
  const std::string data = RandomBytes(rng, 300);
  for (std::size_t n = 0; n <= data.size(); ++n) {
    const std::string_view message = std::string_view(data).substr(0, n);
    const Sm3Digest want = OpenSslSm3(message);
    ASSERT_EQ(internal::Sm3Scalar(message), want) << "length " << n;
    ASSERT_EQ(internal::Sm3ScalarBaseline(message), want) << "length " << n;
    Sm3State state;
    state.Update(message);
    ASSERT_EQ(state.Finish(), want) << "length " << n;
    ASSERT_EQ(state.size(), n);
  }
}

TEST(Sm3Test, RandomLongLengthsMatchOpenSsl) {
  std::mt19937_64 rng(20160301);
  const std::string data = RandomBytes(rng, 10000);
  for (int i = 0; i < 200; ++i) {
    // Random offsets too, so that the blocks are read from unaligned addresses.
    const std::size_t offset = rng() % 64;
    const std::size_t n = rng() % (data.size() - offset + 1);
    const std::string_view message = std::string_view(data).substr(offset, n);
    const Sm3Digest want = OpenSslSm3(message);
    ASSERT_EQ(internal::Sm3Scalar(message), want) << "length " << n;
    ASSERT_EQ(internal::Sm3ScalarBaseline(message), want) << "length " << n;
  }
  EXPECT_EQ(internal::Sm3Scalar(data), OpenSslSm3(data));
}

TEST(Sm3Test, StreamingInRandomSplitsEqualsOneShot) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    const std::string data = RandomBytes(rng, rng() % 3000);
    Sm3State state;
    std::size_t at = 0;
    while (at < data.size()) {
      // Empty pieces, pieces within one block and pieces spanning several.
      const std::size_t piece =
          std::min<std::size_t>(data.size() - at, rng() % (trial % 3 == 0 ? 8 : 200));
      state.Update(std::string_view(data).substr(at, piece));
      at += piece;
    }
    ASSERT_EQ(state.Finish(), internal::Sm3Scalar(data)) << "trial " << trial;
  }
}

TEST(Sm3Test, FinishLeavesTheStateAndCopiesResume) {
  Sm3State state;
  state.Update(std::string(100, 'x'));
  EXPECT_EQ(state.Finish(), OpenSslSm3(std::string(100, 'x')));
  // A saved state continues independently of the original (how HmacSm3Key reuses its pads).
  const Sm3State saved = state;
  state.Update(std::string_view("tail"));
  EXPECT_EQ(state.Finish(), OpenSslSm3(std::string(100, 'x') + "tail"));
  Sm3State resumed = saved;
  resumed.Update(AsBytes("other"));
  EXPECT_EQ(resumed.Finish(), OpenSslSm3(std::string(100, 'x') + "other"));
  EXPECT_EQ(saved.Finish(), OpenSslSm3(std::string(100, 'x')));
}

TEST(Sm3Test, PublicSm3AndHasherUseTheSameCode) {
  const std::string data(1000, 'r');
  EXPECT_EQ(Sm3(data), OpenSslSm3(data));
  Sm3Hasher hasher;
  hasher.Update(std::string_view(data).substr(0, 333));
  hasher.Update(std::string_view(data).substr(333));
  EXPECT_EQ(hasher.Finish(), OpenSslSm3(data));
}

// ---------------------------------------------------------------------------------------------------
// Many messages

struct ManyImpl {
  const char* name;
  void (*hash)(std::span<const std::string_view>, std::span<Sm3Digest>);
  bool (*available)();
};

bool Always() { return true; }

class Sm3ManyTest : public ::testing::TestWithParam<ManyImpl> {
 protected:
  void SetUp() override {
    if (!GetParam().available()) GTEST_SKIP() << GetParam().name << " is not supported by this CPU";
  }

  // Hashes `inputs` with the implementation under test and checks each digest against OpenSSL.
  void ExpectMatchesOpenSsl(const std::vector<std::string_view>& inputs) {
    std::vector<Sm3Digest> got(inputs.size());
    GetParam().hash(inputs, got);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      ASSERT_EQ(got[i], OpenSslSm3(inputs[i]))
          << "input " << i << " of " << inputs.size() << ", length " << inputs[i].size();
    }
  }
};

// Each input in its own allocation, so that AddressSanitizer catches a read past any one's end.
std::vector<std::string> MixedMessages(std::mt19937_64& rng, std::size_t count) {
  static constexpr std::size_t kEdges[] = {0, 1, 55, 56, 63, 64, 119, 120, 700, 0, 65, 128};
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t size = kEdges[i % std::size(kEdges)];
    if (i % 5 == 3) size = rng() % 1000;
    if (i % 23 == 7) size = rng() % 10001;
    out.push_back(RandomBytes(rng, size));
  }
  return out;
}

std::vector<std::string_view> Views(const std::vector<std::string>& messages) {
  return {messages.begin(), messages.end()};
}

TEST_P(Sm3ManyTest, MixedLengthsMatchOneByOne) {
  std::mt19937_64 rng(16);
  for (std::size_t count : {0u, 1u, 2u, 3u, 4u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 33u, 100u}) {
    SCOPED_TRACE(count);
    const std::vector<std::string> messages = MixedMessages(rng, count);
    ExpectMatchesOpenSsl(Views(messages));
  }
}

TEST_P(Sm3ManyTest, EveryShortLengthInOneBatch) {
  // Lanes finish at every possible block count and refill from the queue.
  std::mt19937_64 rng(301);
  std::vector<std::string> messages;
  for (std::size_t n = 0; n <= 300; ++n) messages.push_back(RandomBytes(rng, n));
  ExpectMatchesOpenSsl(Views(messages));
}

TEST_P(Sm3ManyTest, OneLongMessageAmongShortOnes) {
  // The long one outlives the queue and is finished on its own; the short ones go through lanes
  // that refill many times meanwhile.
  std::mt19937_64 rng(9);
  std::vector<std::string> messages;
  messages.push_back(RandomBytes(rng, 100000));
  for (int i = 0; i < 40; ++i) messages.push_back(RandomBytes(rng, rng() % 150));
  messages.push_back(RandomBytes(rng, 5000));
  ExpectMatchesOpenSsl(Views(messages));
}

TEST_P(Sm3ManyTest, SameLengthRowsLikeIngest) {
  std::mt19937_64 rng(700);
  const std::vector<std::string> messages = [&] {
    std::vector<std::string> out;
    for (int i = 0; i < 64; ++i) out.push_back(RandomBytes(rng, 700));
    return out;
  }();
  ExpectMatchesOpenSsl(Views(messages));
}

TEST_P(Sm3ManyTest, InputsMayRepeatOverlapAndBeUnaligned) {
  std::mt19937_64 rng(3);
  const std::string data = RandomBytes(rng, 4096);
  std::vector<std::string_view> inputs;
  for (int i = 0; i < 50; ++i) {
    const std::size_t offset = rng() % 100;
    inputs.push_back(std::string_view(data).substr(offset, rng() % 3000));
  }
  inputs.push_back(inputs[0]);
  inputs.push_back(std::string_view());
  inputs.push_back(data);
  ExpectMatchesOpenSsl(inputs);
}

TEST_P(Sm3ManyTest, DeathOnOutputOfTheWrongSize) {
  const std::vector<std::string_view> inputs = {"a", "b", "c"};
  std::vector<Sm3Digest> out(2);
  EXPECT_DEATH(GetParam().hash(inputs, out), "3 inputs but room for 2");
}

INSTANTIATE_TEST_SUITE_P(
    Implementations, Sm3ManyTest,
    ::testing::Values(ManyImpl{"Dispatched", Sm3Many, Always},
                      ManyImpl{"Scalar", internal::Sm3ManyScalar, Always},
                      ManyImpl{"Avx2", internal::Sm3ManyAvx2, internal::Sm3CpuHasAvx2},
                      ManyImpl{"Avx512", internal::Sm3ManyAvx512, internal::Sm3CpuHasAvx512}),
    [](const ::testing::TestParamInfo<ManyImpl>& info) { return std::string(info.param.name); });

TEST(Sm3ManyDispatchTest, NamesTheImplementation) {
  const std::string_view name = internal::Sm3ManyImplementation();
  EXPECT_TRUE(name == "avx512" || name == "avx2" || name == "scalar") << name;
  if (internal::Sm3CpuHasAvx512()) {
    EXPECT_EQ(name, "avx512");
  }
}

// ---------------------------------------------------------------------------------------------------
// HMAC-SM3

TEST(HmacSm3Test, MatchesOpenSslForEveryKeyLength) {
  std::mt19937_64 rng(2104);
  const std::string key_bytes = RandomBytes(rng, 200);
  // Empty, one byte, one short of a block, exactly a block, one past (hashed first), much longer.
  for (std::size_t key_size : {0u, 1u, 63u, 64u, 65u, 200u}) {
    const std::span<const std::uint8_t> key = AsBytes(key_bytes).first(key_size);
    const HmacSm3Key prepared(key);
    for (std::size_t data_size : {0u, 1u, 18u, 55u, 56u, 64u, 119u, 1000u}) {
      const std::string data = RandomBytes(rng, data_size);
      const Sm3Digest want = OpenSslHmacSm3(key, data);
      EXPECT_EQ(HmacSm3(key, data), want) << "key " << key_size << " data " << data_size;
      EXPECT_EQ(prepared.Mac(data), want) << "key " << key_size << " data " << data_size;
    }
  }
}

}  // namespace
}  // namespace xy
