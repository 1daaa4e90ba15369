#include "base/crypto.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace xy {
namespace {

using ::testing::HasSubstr;

std::vector<std::uint8_t> Hex(std::string_view hex) {
  Result<std::vector<std::uint8_t>> bytes = FromHex(hex);
  EXPECT_TRUE(bytes.has_value()) << hex;
  return bytes.value_or(std::vector<std::uint8_t>{});
}

std::string HexString(std::string_view hex) {
  const std::vector<std::uint8_t> bytes = Hex(hex);
  return std::string(bytes.begin(), bytes.end());
}

std::span<const std::uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// 00 01 02 ... 3f: the master key every known answer below was computed with.
MasterKey CountingKey() {
  MasterKey key;
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
  return key;
}

constexpr std::string_view kIdNumber = "11010519491231002X";  // the GB 11643-1999 example

// "true", "false", or the error, so a failed expectation says which.
std::string Verdict(const Result<bool>& verified) {
  if (!verified.has_value()) return "error: " + verified.error().ToString();
  return *verified ? "true" : "false";
}

void ExpectError(const Error& error, ErrorCode code, std::string_view reason) {
  EXPECT_EQ(error.code, code) << error.ToString();
  EXPECT_EQ(error.reason, reason) << error.ToString();
  EXPECT_FALSE(error.message.empty());
  EXPECT_FALSE(error.message_zh.empty());
}

// ---------------------------------------------------------------------------------------------------
// Hex

TEST(CryptoTest, HexRoundTrips) {
  const std::array<std::uint8_t, 5> bytes = {0x00, 0x01, 0xab, 0xcd, 0xff};
  EXPECT_EQ(ToHex(bytes), "0001abcdff");
  EXPECT_EQ(ToHex(std::string_view("\x00\xff", 2)), "00ff");
  EXPECT_EQ(ToHex(std::span<const std::uint8_t>()), "");
  EXPECT_EQ(Hex("0001ABCDff"), std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
  EXPECT_TRUE(Hex("").empty());
}

TEST(CryptoTest, FromHexRejectsBadInput) {
  for (std::string_view bad : {"abc", "0g", "zz", " 00", "00 ", "0x00", "ｆｆ"}) {
    Result<std::vector<std::uint8_t>> got = FromHex(bad);
    ASSERT_FALSE(got.has_value()) << bad;
    ExpectError(got.error(), ErrorCode::kInvalidArgument, "crypto.hex");
  }
}

// ---------------------------------------------------------------------------------------------------
// SM3

TEST(CryptoTest, CryptoIsAvailable) {
  Result<void> ok = CheckCryptoAvailable();
  EXPECT_TRUE(ok.has_value()) << ok.error().ToString();
}

TEST(CryptoTest, Sm3MatchesStandardVectors) {
  // GB/T 32905-2016 appendix A, examples 1 and 2.
  EXPECT_EQ(ToHex(Sm3("abc")), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  std::string abcd16;
  for (int i = 0; i < 16; ++i) abcd16 += "abcd";
  EXPECT_EQ(ToHex(Sm3(abcd16)), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
  // The empty message (`openssl dgst -sm3 </dev/null`), which reaches OpenSSL as a NULL view.
  EXPECT_EQ(ToHex(Sm3(std::string_view())),
            "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
}

TEST(CryptoTest, Sm3StreamingEqualsOneShot) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += static_cast<char>(i * 7);
  // Piece sizes that straddle the 64-byte block boundary in every way.
  for (std::size_t piece : {1u, 3u, 63u, 64u, 65u, 300u, 1000u}) {
    Sm3Hasher hasher;
    for (std::size_t at = 0; at < data.size(); at += piece) hasher.Update(data.substr(at, piece));
    EXPECT_EQ(hasher.Finish(), Sm3(data)) << "piece " << piece;
  }
}

TEST(CryptoTest, Sm3HasherStartsOverAfterFinishAndMoves) {
  Sm3Hasher hasher;
  hasher.Update("ab");
  hasher.Update("c");
  EXPECT_EQ(hasher.Finish(), Sm3("abc"));
  EXPECT_EQ(hasher.Finish(), Sm3(""));
  hasher.Update("a");
  Sm3Hasher moved = std::move(hasher);
  moved.Update("bc");
  EXPECT_EQ(moved.Finish(), Sm3("abc"));
}

TEST(CryptoTest, Sm3IsConsistentAcrossThreads) {
  // The CPU is probed and the code chosen on first use, possibly from several threads at once; all
  // must agree.
  const Sm3Digest want = Sm3("row");
  std::vector<std::thread> threads;
  std::array<bool, 4> ok{};
  for (std::size_t t = 0; t < ok.size(); ++t) {
    threads.emplace_back([&ok, &want, t] {
      bool all = true;
      for (int i = 0; i < 200; ++i) all = all && Sm3("row") == want;
      ok[t] = all;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (bool b : ok) EXPECT_TRUE(b);
}

// ---------------------------------------------------------------------------------------------------
// HMAC-SM3

// HMAC from its definition (RFC 2104) over Sm3Hasher, to check HmacSm3 on edge-case keys (and
// sm3_test.cc checks both against OpenSSL's HMAC).
Sm3Digest HmacByDefinition(std::span<const std::uint8_t> key, std::string_view data) {
  std::array<std::uint8_t, 64> block{};
  if (key.size() > block.size()) {
    const Sm3Digest hashed =
        Sm3(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
    std::copy(hashed.begin(), hashed.end(), block.begin());
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::string ipad(64, '\0'), opad(64, '\0');
  for (std::size_t i = 0; i < 64; ++i) {
    ipad[i] = static_cast<char>(block[i] ^ 0x36);
    opad[i] = static_cast<char>(block[i] ^ 0x5c);
  }
  Sm3Hasher inner;
  inner.Update(ipad);
  inner.Update(data);
  const Sm3Digest inner_digest = inner.Finish();
  Sm3Hasher outer;
  outer.Update(opad);
  outer.Update(std::string_view(reinterpret_cast<const char*>(inner_digest.data()), 32));
  return outer.Finish();
}

TEST(CryptoTest, HmacSm3KnownAnswer) {
  // Obtained with OpenSSL 3.0.19:
  //   echo -n "The quick brown fox jumps over the lazy dog" | openssl dgst -sm3 -hmac key
  // and confirmed with `openssl mac -digest SM3 -macopt key:key HMAC`.
  constexpr std::string_view kWant =
      "bd4a34077888162b210645b8ebf74b9af357303789357a27c7fc457244ebd398";
  constexpr std::string_view kFox = "The quick brown fox jumps over the lazy dog";
  EXPECT_EQ(ToHex(HmacSm3(AsBytes("key"), kFox)), kWant);
  EXPECT_EQ(ToHex(HmacSm3Key(AsBytes("key")).Mac(kFox)), kWant);
  EXPECT_EQ(ToHex(HmacByDefinition(AsBytes("key"), kFox)), kWant);
}

TEST(CryptoTest, HmacSm3HandlesEveryKeyLength) {
  std::vector<std::uint8_t> long_key(200);
  for (std::size_t i = 0; i < long_key.size(); ++i) long_key[i] = static_cast<std::uint8_t>(i);
  // Empty, one byte, exactly one block, one past a block (hashed first), much longer.
  for (std::size_t length : {0u, 1u, 64u, 65u, 200u}) {
    const std::span<const std::uint8_t> key(long_key.data(), length);
    const Sm3Digest want = HmacByDefinition(key, "data");
    EXPECT_EQ(HmacSm3(key, "data"), want) << "key length " << length;
    EXPECT_EQ(HmacSm3Key(key).Mac("data"), want) << "key length " << length;
    EXPECT_EQ(HmacSm3(key, ""), HmacByDefinition(key, "")) << "key length " << length;
  }
  // Different keys, different MACs (the old OpenSSL code re-keyed one context per thread).
  EXPECT_NE(HmacSm3(AsBytes("a"), "x"), HmacSm3(AsBytes("b"), "x"));
  EXPECT_EQ(HmacSm3(std::span<const std::uint8_t>(), "x"),
            HmacByDefinition(std::span<const std::uint8_t>(), "x"));
}

TEST(CryptoTest, HmacSm3KeyIsReusable) {
  const HmacSm3Key key(AsBytes("secret"));
  const Sm3Digest first = key.Mac("one");
  EXPECT_EQ(key.Mac("two"), HmacSm3(AsBytes("secret"), "two"));
  EXPECT_EQ(key.Mac("one"), first);
  HmacSm3Key moved = HmacSm3Key(AsBytes("other"));
  moved = HmacSm3Key(AsBytes("secret"));
  EXPECT_EQ(moved.Mac("one"), first);
}

// ---------------------------------------------------------------------------------------------------
// SM4

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};

std::string Sm4EcbBlock(std::span<const std::uint8_t> key, std::span<const std::uint8_t> block) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  std::unique_ptr<EVP_CIPHER, decltype(&EVP_CIPHER_free)> ecb(
      EVP_CIPHER_fetch(nullptr, "SM4-ECB", nullptr), &EVP_CIPHER_free);
  std::array<std::uint8_t, 32> out{};
  int length = 0;
  EXPECT_EQ(EVP_EncryptInit_ex2(ctx.get(), ecb.get(), key.data(), nullptr, nullptr), 1);
  EXPECT_EQ(EVP_CIPHER_CTX_set_padding(ctx.get(), 0), 1);
  EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), out.data(), &length, block.data(), 16), 1);
  EXPECT_EQ(length, 16);
  return ToHex(std::span<const std::uint8_t>(out.data(), 16));
}

TEST(CryptoTest, Sm4KnownAnswer) {
  // GB/T 32907-2016 appendix A, example 1: key = plaintext = 0123456789abcdeffedcba9876543210.
  const std::vector<std::uint8_t> k = Hex("0123456789abcdeffedcba9876543210");
  EXPECT_EQ(Sm4EcbBlock(k, k), "681edf34d206965e86b3e94f536e4246");

  // Our CTR path: the first key-stream block is E_K(IV), so encrypting zeros with IV = the
  // standard's plaintext yields the standard's ciphertext, and the second block is E_K(IV + 1).
  const std::span<const std::uint8_t, 16> key(k.data(), 16);
  const std::string stream = internal::Sm4Ctr(key, key, std::string(32, '\0'));
  EXPECT_EQ(ToHex(std::string_view(stream).substr(0, 16)), "681edf34d206965e86b3e94f536e4246");
  const std::vector<std::uint8_t> next = Hex("0123456789abcdeffedcba9876543211");
  EXPECT_EQ(ToHex(std::string_view(stream).substr(16)), Sm4EcbBlock(k, next));
}

// ---------------------------------------------------------------------------------------------------
// PersonalDataCipher

TEST(CryptoTest, SealOpenRoundTrips) {
  const PersonalDataCipher cipher(CountingKey());
  for (std::string_view plaintext :
       {std::string_view(), kIdNumber, std::string_view("张三"), std::string_view("\0\1\2", 3)}) {
    const std::string sealed = cipher.Seal(plaintext);
    EXPECT_EQ(sealed.size(), PersonalDataCipher::kOverhead + plaintext.size());
    EXPECT_EQ(static_cast<std::uint8_t>(sealed[0]), PersonalDataCipher::kVersion);
    Result<std::string> opened = cipher.Open(sealed);
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    EXPECT_EQ(*opened, plaintext);
  }
  const std::string big(100000, 'x');
  EXPECT_EQ(cipher.Open(cipher.Seal(big)).value_or(""), big);
}

TEST(CryptoTest, OpensGoldenSealedValue) {
  // Built with the openssl CLI, independently of this code, from the master key 00 01 .. 3f:
  //   mac() { printf '%s' "$2" | openssl mac -digest SM3 -macopt hexkey:$1 HMAC; }
  //   enc key = first 16 bytes of mac $MASTER xinyong/personal-data/v1/sm4-ctr-key
  //   mac key = mac $MASTER xinyong/personal-data/v1/hmac-sm3-key
  //   ct  = printf 11010519491231002X | openssl enc -sm4-ctr -K $ENC -iv a0a1...af
  //   tag = HMAC-SM3(mac key, 01 ‖ iv ‖ ct)
  // It pins the wire format and the key-derivation labels: if this fails, stored data is
  // unreadable.
  const std::string sealed = HexString(
      "01a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
      "e2b8e70f8290fa3055d62ccae2fff3cfbe22"
      "ac006a8f445989098c7ae28d49abbb6a625fa0e6579bac2ba0745fb25d63e455");
  Result<std::string> opened = PersonalDataCipher(CountingKey()).Open(sealed);
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  EXPECT_EQ(*opened, kIdNumber);
}

TEST(CryptoTest, EveryBitFlipIsDetected) {
  const PersonalDataCipher cipher(CountingKey());
  const std::string sealed = cipher.Seal(kIdNumber);
  for (std::size_t byte = 0; byte < sealed.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string changed = sealed;
      changed[byte] = static_cast<char>(changed[byte] ^ (1 << bit));
      Result<std::string> opened = cipher.Open(changed);
      ASSERT_FALSE(opened.has_value()) << "byte " << byte << " bit " << bit;
      ASSERT_EQ(opened.error().reason, "crypto.tampered") << "byte " << byte << " bit " << bit;
    }
  }
}

TEST(CryptoTest, TruncatedExtendedAndForeignValuesAreTampered) {
  const PersonalDataCipher cipher(CountingKey());
  const std::string sealed = cipher.Seal(kIdNumber);
  MasterKey other_key = CountingKey();
  other_key[0] ^= 1;
  const std::vector<std::string> bad = {
      "",
      sealed.substr(0, PersonalDataCipher::kOverhead - 1),
      sealed.substr(0, sealed.size() - 1),
      sealed + "x",
      sealed.substr(1),
      PersonalDataCipher(other_key).Seal(kIdNumber),
  };
  for (const std::string& value : bad) {
    Result<std::string> opened = cipher.Open(value);
    ASSERT_FALSE(opened.has_value()) << ToHex(value);
    ExpectError(opened.error(), ErrorCode::kInvalidArgument, "crypto.tampered");
  }
}

TEST(CryptoTest, SealsDifferButBlindIndexesAgree) {
  const PersonalDataCipher cipher(CountingKey());
  EXPECT_NE(cipher.Seal(kIdNumber), cipher.Seal(kIdNumber));
  EXPECT_EQ(cipher.BlindIndex(kIdNumber), cipher.BlindIndex(kIdNumber));
  EXPECT_NE(cipher.BlindIndex(kIdNumber), cipher.BlindIndex("110105194912310021"));
  EXPECT_EQ(cipher.BlindIndex(kIdNumber).size(), 64u);
}

TEST(CryptoTest, DeterministicSealingIsStableAndStillAuthenticated) {
  const PersonalDataCipher cipher(CountingKey());
  const std::string a = cipher.SealDeterministic("340404198001010011");
  EXPECT_EQ(a, cipher.SealDeterministic("340404198001010011"));
  EXPECT_NE(a, cipher.SealDeterministic("340404198001010029"));
  EXPECT_EQ(static_cast<std::uint8_t>(a[0]), PersonalDataCipher::kDeterministicVersion);
  EXPECT_EQ(cipher.Open(a).value(), "340404198001010011");
  // A different master key seals the same value differently.
  MasterKey other = CountingKey();
  other[0] ^= 1;
  EXPECT_NE(PersonalDataCipher(other).SealDeterministic("340404198001010011"), a);
  // Every bit flip fails, the IV included (the synthetic IV is checked after decryption too).
  for (std::size_t bit = 0; bit < a.size() * 8; ++bit) {
    std::string flipped = a;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    Result<std::string> opened = cipher.Open(flipped);
    ASSERT_FALSE(opened.has_value()) << "bit " << bit;
    EXPECT_EQ(opened.error().reason, "crypto.tampered");
  }
}

TEST(CryptoTest, BlindIndexKnownAnswer) {
  // openssl CLI, as in OpensGoldenSealedValue:
  //   BLIND=$(mac $MASTER xinyong/personal-data/v1/blind-index-key); mac $BLIND 11010519491231002X
  EXPECT_EQ(PersonalDataCipher(CountingKey()).BlindIndex(kIdNumber),
            "a98370c310be8ac706e66cd54194ea1fdfc928ca03f1979f7af4d8852a74f441");
}

TEST(CryptoTest, DifferentMasterKeysGiveDifferentBlindIndexes) {
  Result<MasterKey> a = RandomKey();
  Result<MasterKey> b = RandomKey();
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(*a, *b);
  EXPECT_NE(PersonalDataCipher(*a).BlindIndex(kIdNumber),
            PersonalDataCipher(*b).BlindIndex(kIdNumber));
  // The blind-index key is not the MAC key or the master key used directly.
  EXPECT_NE(PersonalDataCipher(*a).BlindIndex(kIdNumber), ToHex(HmacSm3(*a, kIdNumber)));
}

TEST(CryptoTest, FromBytesChecksTheKeySize) {
  const MasterKey key = CountingKey();
  Result<PersonalDataCipher> ok = PersonalDataCipher::FromBytes(key);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->BlindIndex(kIdNumber), PersonalDataCipher(key).BlindIndex(kIdNumber));
  for (std::size_t size : {0u, 32u, 63u, 65u, 128u}) {
    const std::vector<std::uint8_t> wrong(size, 7);
    Result<PersonalDataCipher> bad = PersonalDataCipher::FromBytes(wrong);
    ASSERT_FALSE(bad.has_value()) << size;
    ExpectError(bad.error(), ErrorCode::kInvalidArgument, "crypto.key_size");
  }
}

TEST(CryptoTest, CipherIsUsableFromManyThreads) {
  const PersonalDataCipher cipher(CountingKey());
  const std::string index = cipher.BlindIndex(kIdNumber);
  std::array<bool, 4> ok{};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < ok.size(); ++t) {
    threads.emplace_back([&, t] {
      bool all = true;
      for (int i = 0; i < 100; ++i) {
        all = all && cipher.Open(cipher.Seal(kIdNumber)).value_or("") == kIdNumber &&
              cipher.BlindIndex(kIdNumber) == index;
      }
      ok[t] = all;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (bool b : ok) EXPECT_TRUE(b);
}

// ---------------------------------------------------------------------------------------------------
// SM2

struct PkeyFree {
  void operator()(EVP_PKEY* pkey) const { EVP_PKEY_free(pkey); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

PkeyPtr ReadPrivateKey(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

// Signs with raw OpenSSL calls, setting the distinguishing ID only when `id` is given — which is
// how code that forgets the ID signs.
std::string RawSm2Sign(EVP_PKEY* pkey, std::string_view message, const char* id) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), &pctx, EVP_sm3(), nullptr, pkey), 1);
  if (id != nullptr) {
    EXPECT_EQ(EVP_PKEY_CTX_set1_id(pctx, id, static_cast<int>(std::strlen(id))), 1);
  }
  std::string signature(static_cast<std::size_t>(EVP_PKEY_get_size(pkey)), '\0');
  std::size_t length = signature.size();
  EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size()),
            1);
  signature.resize(length);
  return signature;
}

// Verifies with raw OpenSSL calls and OpenSSL's default (empty) ID.
bool RawSm2VerifyDefaultId(EVP_PKEY* pkey, std::string_view message, std::string_view signature) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EXPECT_EQ(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sm3(), nullptr, pkey), 1);
  const int rc = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(message.data()), message.size());
  ERR_clear_error();
  return rc == 1;
}

TEST(CryptoTest, Sm2SignVerifyRoundTrip) {
  Result<Sm2KeyPair> key = Sm2KeyPair::Generate();
  ASSERT_TRUE(key.has_value()) << key.error().ToString();
  const std::string pub = key->PublicPem();
  EXPECT_THAT(pub, HasSubstr("-----BEGIN PUBLIC KEY-----"));
  for (std::string_view message : {std::string_view("signed tree head 42"), std::string_view()}) {
    Result<std::string> signature = key->Sign(message);
    ASSERT_TRUE(signature.has_value()) << signature.error().ToString();
    EXPECT_EQ(Verdict(Sm2Verify(pub, message, *signature)), "true");
  }
  // Randomised: the same message signs differently each time, and both verify.
  const std::string a = key->Sign("m").value();
  const std::string b = key->Sign("m").value();
  EXPECT_NE(a, b);
  EXPECT_EQ(Verdict(Sm2Verify(pub, "m", b)), "true");
}

TEST(CryptoTest, Sm2RejectsTamperedMessageSignatureAndKey) {
  const Sm2KeyPair key = Sm2KeyPair::Generate().value();
  const Sm2KeyPair other = Sm2KeyPair::Generate().value();
  const std::string signature = key.Sign("pay 100").value();
  EXPECT_EQ(Verdict(Sm2Verify(key.PublicPem(), "pay 900", signature)), "false");
  EXPECT_EQ(Verdict(Sm2Verify(other.PublicPem(), "pay 100", signature)), "false");
  std::string flipped = signature;
  flipped[flipped.size() - 1] ^= 1;
  EXPECT_EQ(Verdict(Sm2Verify(key.PublicPem(), "pay 100", flipped)), "false");
  // Malformed signatures are "no", not errors.
  EXPECT_EQ(Verdict(Sm2Verify(key.PublicPem(), "pay 100", "")), "false");
  EXPECT_EQ(Verdict(Sm2Verify(key.PublicPem(), "pay 100", "not der")), "false");
  EXPECT_EQ(Verdict(Sm2Verify(key.PublicPem(), "pay 100", signature + "x")), "false");
}

TEST(CryptoTest, Sm2PemRoundTrips) {
  const Sm2KeyPair key = Sm2KeyPair::Generate().value();
  const std::string pem = key.PrivatePem();
  EXPECT_THAT(pem, HasSubstr("-----BEGIN PRIVATE KEY-----"));
  Result<Sm2KeyPair> loaded = Sm2KeyPair::FromPem(pem);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->PrivatePem(), pem);
  EXPECT_EQ(loaded->PublicPem(), key.PublicPem());
  // Signed with the reloaded key, verified with the original's public key; copies share the key.
  const Sm2KeyPair copy = *loaded;
  EXPECT_EQ(Verdict(Sm2Verify(key.PublicPem(), "m", copy.Sign("m").value())), "true");
}

TEST(CryptoTest, Sm2SignaturesCarryTheStandardId) {
  const Sm2KeyPair key = Sm2KeyPair::Generate().value();
  const PkeyPtr raw = ReadPrivateKey(key.PrivatePem());
  ASSERT_NE(raw, nullptr);
  const std::string_view message = "report 2026-001";

  // Signed the way OpenSSL 3.0 does by default (no ID set): must not verify under ours.
  EXPECT_EQ(Verdict(Sm2Verify(key.PublicPem(), message, RawSm2Sign(raw.get(), message, nullptr))),
            "false");
  // Signed with some other ID: must not verify either.
  EXPECT_EQ(Verdict(Sm2Verify(key.PublicPem(), message,
                              RawSm2Sign(raw.get(), message, "ALICE123@YAHOO.COM"))),
            "false");
  // Positive control: raw OpenSSL with the standard ID does verify, so the two above failed on the
  // ID.
  EXPECT_EQ(Verdict(Sm2Verify(key.PublicPem(), message,
                              RawSm2Sign(raw.get(), message, "1234567812345678"))),
            "true");
  // And our signatures do not verify under the default ID, so Sign sets it too.
  EXPECT_FALSE(RawSm2VerifyDefaultId(raw.get(), message, key.Sign(message).value()));
}

TEST(CryptoTest, Sm2VerifiesOpensslCliSignature) {
  // Interoperability with another implementation of the ID handling (OpenSSL 3.0.19 CLI):
  //   openssl genpkey -algorithm SM2 -out k.pem && openssl pkey -in k.pem -pubout
  //   printf 'xinyong tree head 42' > msg.bin
  //   openssl dgst -sm3 -sign k.pem -sigopt distid:1234567812345678 -out sig.bin msg.bin
  // (and `openssl dgst -sm3 -verify` without -sigopt rejects that signature.)
  constexpr std::string_view kPublicPem =
      "-----BEGIN PUBLIC KEY-----\n"
      "MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEvoDmzcbBK9oLfXoVIa//jke7MOhd\n"
      "366+2HsWcSY3Bk4AbM5D8eU3ddKcn9/So2ow/SPoNFL4n3YRBgTsZiSjkQ==\n"
      "-----END PUBLIC KEY-----\n";
  const std::string signature = HexString(
      "3045022009395f3e3ba2823f2d396113cb150a1376086aa737b2b60aceb7815b21607314022100d76a963c7b"
      "624f24c26b3895d810deab8119e55861abc6d10087739e280bb726");
  EXPECT_EQ(Verdict(Sm2Verify(kPublicPem, "xinyong tree head 42", signature)), "true");
  EXPECT_EQ(Verdict(Sm2Verify(kPublicPem, "xinyong tree head 43", signature)), "false");
}

TEST(CryptoTest, Sm2RejectsBadKeys) {
  for (std::string_view bad :
       {"", "not a pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}) {
    Result<Sm2KeyPair> key = Sm2KeyPair::FromPem(bad);
    ASSERT_FALSE(key.has_value()) << bad;
    ExpectError(key.error(), ErrorCode::kInvalidArgument, "crypto.pem");
    Result<bool> verified = Sm2Verify(bad, "m", "s");
    ASSERT_FALSE(verified.has_value()) << bad;
    ExpectError(verified.error(), ErrorCode::kInvalidArgument, "crypto.pem");
  }

  // A NIST P-256 key is an EC key but not an SM2 one.
  PkeyPtr p256(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ASSERT_NE(p256, nullptr);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), p256.get(), nullptr, nullptr, 0, nullptr, nullptr),
            1);
  std::unique_ptr<BIO, decltype(&BIO_free)> pub_bio(BIO_new(BIO_s_mem()), &BIO_free);
  ASSERT_EQ(PEM_write_bio_PUBKEY(pub_bio.get(), p256.get()), 1);
  char* data = nullptr;
  const std::string p256_pem(data, static_cast<std::size_t>(BIO_get_mem_data(bio.get(), &data)));
  Result<Sm2KeyPair> key = Sm2KeyPair::FromPem(p256_pem);
  ASSERT_FALSE(key.has_value());
  ExpectError(key.error(), ErrorCode::kInvalidArgument, "crypto.key_type");
  const std::string p256_pub(data,
                             static_cast<std::size_t>(BIO_get_mem_data(pub_bio.get(), &data)));
  Result<bool> verified = Sm2Verify(p256_pub, "m", "s");
  ASSERT_FALSE(verified.has_value());
  ExpectError(verified.error(), ErrorCode::kInvalidArgument, "crypto.key_type");
}

TEST(CryptoTest, Sm2RefusesEncryptedPemWithoutPrompting) {
  const Sm2KeyPair key = Sm2KeyPair::Generate().value();
  const PkeyPtr raw = ReadPrivateKey(key.PrivatePem());
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  static const char kPass[] = "passphrase";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), raw.get(), EVP_aes_256_cbc(), kPass,
                                          sizeof(kPass) - 1, nullptr, nullptr),
            1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  const std::string pem(data, static_cast<std::size_t>(length));
  ASSERT_THAT(pem, HasSubstr("ENCRYPTED PRIVATE KEY"));
  // With OpenSSL's default callback this would block on the terminal asking for the passphrase.
  Result<Sm2KeyPair> loaded = Sm2KeyPair::FromPem(pem);
  ASSERT_FALSE(loaded.has_value());
  ExpectError(loaded.error(), ErrorCode::kInvalidArgument, "crypto.pem");
}

}  // namespace
}  // namespace xy
