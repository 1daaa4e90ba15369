#include "base/crypto.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace xy {
namespace {

// ---- Errors -------------------------------------------------------------------------------------

// Empties this thread's OpenSSL error queue into one line. Always drained, even when the detail is
// not wanted, so that a stale entry is never reported against a later, unrelated failure.
std::string DrainOpenSslErrors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    // ERR_error_string_n, not ERR_error_string: the latter writes a static buffer when given NULL.
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out.empty() ? "no OpenSSL error detail" : out;
}

std::unexpected<Error> OpenSslFail(ErrorCode code, std::string reason, std::string_view what,
                                   std::string message_zh) {
  return Fail(code, std::move(reason), std::string(what) + ": " + DrainOpenSslErrors(),
              std::move(message_zh));
}

// See "Failure" in crypto.h: only out-of-memory or a broken installation gets here.
[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "xy crypto: %s failed: %s\n", what, DrainOpenSslErrors().c_str());
  std::abort();
}

// ---- Byte views ---------------------------------------------------------------------------------

const std::uint8_t* Bytes(std::string_view s) {
  // OpenSSL rejects some NULL inputs even with length 0, and an empty string_view may hold NULL.
  static constexpr std::uint8_t kEmpty = 0;
  return s.data() == nullptr ? &kEmpty : reinterpret_cast<const std::uint8_t*>(s.data());
}

std::uint8_t* MutableBytes(std::string& s) { return reinterpret_cast<std::uint8_t*>(s.data()); }

// ---- Algorithms, fetched once -------------------------------------------------------------------
//
// Implicit fetches (EVP_sm3(), EVP_DigestInit_ex with a legacy EVP_MD) search the provider store on
// every init; an explicit fetch does it once. The fetched objects are deliberately never freed:
// they pin their provider, and freeing them from a static destructor could run after OpenSSL's own
// atexit cleanup. A NULL (algorithm missing) is cached too; CheckCryptoAvailable() reports it.

const EVP_MD* Sm3Md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SM3", nullptr);
  return md;
}

const EVP_CIPHER* Sm4CtrCipher() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "SM4-CTR", nullptr);
  return cipher;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* pkey) const { EVP_PKEY_free(pkey); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// SM4-CTR of `in` into `out` (same length; may not overlap partially).
void Sm4CtrInto(std::span<const std::uint8_t, 16> key, std::span<const std::uint8_t, 16> iv,
                std::string_view in, std::uint8_t* out) {
  // One context per thread, re-keyed per call: SM4's key schedule is 32 rounds of table look-ups,
  // far cheaper than the allocations of a fresh context.
  thread_local const CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  const EVP_CIPHER* cipher = Sm4CtrCipher();
  if (ctx == nullptr || cipher == nullptr ||
      EVP_EncryptInit_ex2(ctx.get(), cipher, key.data(), iv.data(), nullptr) != 1) {
    Fatal("SM4-CTR init");
  }
  // EVP lengths are int; CTR is a stream, so long inputs go through in pieces.
  constexpr std::size_t kChunk = 1 << 30;
  for (std::size_t done = 0; done < in.size();) {
    const std::size_t n = std::min(kChunk, in.size() - done);
    int written = 0;
    if (EVP_EncryptUpdate(ctx.get(), out + done, &written, Bytes(in.substr(done)),
                          static_cast<int>(n)) != 1 ||
        static_cast<std::size_t>(written) != n) {
      Fatal("SM4-CTR update");
    }
    done += n;
  }
  int tail = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out + in.size(), &tail) != 1 || tail != 0) {
    Fatal("SM4-CTR final");
  }
}

// Wipes a derived key when the temporary holding it dies.
struct WipedDigest {
  Sm3Digest bytes;
  ~WipedDigest() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

// Key-derivation labels of sealed format version 1. Never change them: every stored value depends
// on them (a new derivation needs a new version byte).
constexpr std::string_view kEncLabel = "xinyong/personal-data/v1/sm4-ctr-key";
constexpr std::string_view kMacLabel = "xinyong/personal-data/v1/hmac-sm3-key";
constexpr std::string_view kBlindLabel = "xinyong/personal-data/v1/blind-index-key";
// Version 2 (deterministic sealing) adds only the synthetic-IV key; SM4 and MAC keys are shared.
constexpr std::string_view kSivLabel = "xinyong/personal-data/v2/synthetic-iv-key";

std::array<std::uint8_t, 16> DeriveEncKey(const MasterKey& master) {
  const WipedDigest full{HmacSm3(master, kEncLabel)};
  std::array<std::uint8_t, 16> key;
  std::copy_n(full.bytes.begin(), key.size(), key.begin());
  return key;
}

// ---- SM2 helpers --------------------------------------------------------------------------------

// Never prompt on the terminal for an encrypted PEM (OpenSSL's default when no callback is given).
int RefusePassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return -1; }

Result<BioPtr> ReadBio(std::string_view pem) {
  if (pem.empty() || pem.size() > static_cast<std::size_t>(INT_MAX)) {
    return Fail(ErrorCode::kInvalidArgument, "crypto.pem", "PEM text is empty or too large",
                "PEM 密钥文本为空或过大");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) {
    return OpenSslFail(ErrorCode::kInternal, "crypto.internal", "BIO_new_mem_buf", "内部加密错误");
  }
  return bio;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  if (length < 0 || data == nullptr) Fatal("BIO_get_mem_data");
  return std::string(data, static_cast<std::size_t>(length));
}

Result<void> RequireSm2(const EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "SM2")) return {};
  return Fail(ErrorCode::kInvalidArgument, "crypto.key_type",
              std::string("key is ") + EVP_PKEY_get0_type_name(pkey) + ", not SM2",
              "密钥不是 SM2 密钥");
}

// Sets the GM/T 0009 distinguishing ID on a sign or verify context fresh from its init. The ID goes
// in after init and before the first update, which is when the SM2 provider hashes it into Z. It
// cannot go in as the "distid" param of EVP_DigestSignInit_ex: OpenSSL 3.0 applies init params
// before it arms the Z computation, rejects the ID as "too late", and fails the init with no error
// queued.
bool SetSm2Id(EVP_PKEY_CTX* pctx) {
  return pctx != nullptr && EVP_PKEY_CTX_set1_id(pctx, kSm2DefaultId.data(),
                                                 static_cast<int>(kSm2DefaultId.size())) == 1;
}

}  // namespace

// ---- Availability -------------------------------------------------------------------------------

Result<void> CheckCryptoAvailable() {
  const auto missing = [](std::string_view what) {
    return OpenSslFail(ErrorCode::kInternal, "crypto.unavailable",
                       std::string(what) + " is not available from OpenSSL",
                       "OpenSSL 未提供国密算法：" + std::string(what));
  };
  // For our own code (base/sm3.h), where there is no OpenSSL error to report.
  const auto wrong = [](std::string_view what) {
    return Fail(ErrorCode::kInternal, "crypto.unavailable",
                std::string(what) + " failed its known-answer self-test",
                "国密算法自检失败：" + std::string(what));
  };
  // SM2 signs and verifies over OpenSSL's own SM3, so it must be there even though Sm3() is ours.
  if (Sm3Md() == nullptr) return missing("SM3");
  if (Sm4CtrCipher() == nullptr) return missing("SM4-CTR");
  if (PkeyCtxPtr(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr)) == nullptr) {
    return missing("SM2");
  }
  if (RAND_status() != 1) return missing("a seeded random generator");
  // A provider that answers to the name but computes something else would be worse than none.
  static constexpr std::string_view kAbc =
      "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";
  Sm3Digest openssl_abc;
  unsigned int length = 0;
  if (EVP_Digest("abc", 3, openssl_abc.data(), &length, Sm3Md(), nullptr) != 1 ||
      length != openssl_abc.size() || ToHex(openssl_abc) != kAbc) {
    return missing("a correct SM3 (known answer failed)");
  }
  if (ToHex(Sm3("abc")) != kAbc) return wrong("SM3");
  // The vector code is chosen by asking the CPU at run time; a CPU or hypervisor that reports a
  // feature it does not fully support must fail here, not corrupt stored hashes. Seventeen
  // messages of different lengths fill every lane and make lanes refill.
  std::array<std::string, 17> messages;
  std::array<std::string_view, 17> views;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    messages[i] = std::string(i * 37, 'a') + "abc";
    views[i] = messages[i];
  }
  std::array<Sm3Digest, 17> many;
  Sm3Many(views, many);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (many[i] != Sm3(messages[i])) {
      return wrong("SM3 of many messages (" + std::string(internal::Sm3ManyImplementation()) +
                   " code)");
    }
  }
  // RFC 2104 over SM3, as OpenSSL computes it (crypto_test.cc: HmacSm3KnownAnswer).
  static constexpr std::string_view kFoxMac =
      "bd4a34077888162b210645b8ebf74b9af357303789357a27c7fc457244ebd398";
  static constexpr std::uint8_t kKey[] = {'k', 'e', 'y'};
  if (ToHex(HmacSm3(kKey, "The quick brown fox jumps over the lazy dog")) != kFoxMac) {
    return wrong("HMAC-SM3");
  }
  return {};
}

// ---- Hex ----------------------------------------------------------------------------------------

std::string ToHex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

std::string ToHex(std::string_view bytes) {
  return ToHex(std::span<const std::uint8_t>(Bytes(bytes), bytes.size()));
}

Result<std::vector<std::uint8_t>> FromHex(std::string_view hex) {
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) {
    return Fail(ErrorCode::kInvalidArgument, "crypto.hex", "hex string has an odd length",
                "十六进制字符串长度不是偶数");
  }
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Fail(ErrorCode::kInvalidArgument, "crypto.hex",
                  "hex string has a non-hex character at offset " +
                      std::to_string(hi < 0 ? 2 * i : 2 * i + 1),
                  "十六进制字符串含有非法字符");
    }
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

// ---- SM3 ----------------------------------------------------------------------------------------

Sm3Digest Sm3(std::string_view data) { return internal::Sm3Scalar(data); }

void Sm3Hasher::Update(std::string_view data) { state_.Update(data); }

Sm3Digest Sm3Hasher::Finish() {
  const Sm3Digest out = state_.Finish();
  state_ = Sm3State();
  return out;
}

// ---- HMAC-SM3 -----------------------------------------------------------------------------------

Sm3Digest HmacSm3(std::span<const std::uint8_t> key, std::string_view data) {
  // As many compressions as keying once and MACing once would take anyway: the pads must be hashed.
  return HmacSm3Key(key).Mac(data);
}

HmacSm3Key::HmacSm3Key(std::span<const std::uint8_t> key) {
  // RFC 2104: a key longer than the 64-byte block is hashed first; any key is then zero-padded to
  // the block (so the empty key is the all-zero block).
  std::array<std::uint8_t, kSm3BlockSize> block{};
  if (key.size() > block.size()) {
    Sm3State hashed;
    hashed.Update(key);
    const Sm3Digest digest = hashed.Finish();
    std::copy(digest.begin(), digest.end(), block.begin());
    OPENSSL_cleanse(&hashed, sizeof(hashed));
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::array<std::uint8_t, kSm3BlockSize> pad;
  for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x36;
  inner_.Update(pad);
  for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x5c;
  outer_.Update(pad);
  OPENSSL_cleanse(block.data(), block.size());
  OPENSSL_cleanse(pad.data(), pad.size());
}

HmacSm3Key::~HmacSm3Key() {
  OPENSSL_cleanse(&inner_, sizeof(inner_));
  OPENSSL_cleanse(&outer_, sizeof(outer_));
}

Sm3Digest HmacSm3Key::Mac(std::string_view data) const {
  Sm3State inner = inner_;
  inner.Update(data);
  const Sm3Digest inner_digest = inner.Finish();
  Sm3State outer = outer_;
  outer.Update(inner_digest);
  return outer.Finish();
}

// ---- Personal data ------------------------------------------------------------------------------

Result<MasterKey> RandomKey() {
  MasterKey key;
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return OpenSslFail(ErrorCode::kInternal, "crypto.random", "RAND_bytes", "随机数生成失败");
  }
  return key;
}

PersonalDataCipher::PersonalDataCipher(const MasterKey& master_key)
    : enc_key_(DeriveEncKey(master_key)),
      mac_key_(WipedDigest{HmacSm3(master_key, kMacLabel)}.bytes),
      blind_key_(WipedDigest{HmacSm3(master_key, kBlindLabel)}.bytes),
      siv_key_(WipedDigest{HmacSm3(master_key, kSivLabel)}.bytes) {}

Result<PersonalDataCipher> PersonalDataCipher::FromBytes(std::span<const std::uint8_t> master_key) {
  if (master_key.size() != kMasterKeySize) {
    return Fail(ErrorCode::kInvalidArgument, "crypto.key_size",
                "master key must be 64 bytes, got " + std::to_string(master_key.size()),
                "主密钥长度必须为 64 字节");
  }
  MasterKey key;
  std::copy(master_key.begin(), master_key.end(), key.begin());
  PersonalDataCipher cipher(key);
  OPENSSL_cleanse(key.data(), key.size());
  return cipher;
}

PersonalDataCipher::~PersonalDataCipher() { OPENSSL_cleanse(enc_key_.data(), enc_key_.size()); }

std::string PersonalDataCipher::SealWithIv(std::string_view plaintext, std::uint8_t version,
                                           const std::uint8_t* iv_bytes) const {
  std::string sealed(kOverhead + plaintext.size(), '\0');
  std::uint8_t* out = MutableBytes(sealed);
  out[0] = version;
  std::copy(iv_bytes, iv_bytes + kIvSize, out + 1);
  const std::span<const std::uint8_t, kIvSize> iv(out + 1, kIvSize);
  Sm4CtrInto(enc_key_, iv, plaintext, out + 1 + kIvSize);
  const std::size_t body = 1 + kIvSize + plaintext.size();
  const Sm3Digest tag = mac_key_.Mac(std::string_view(sealed).substr(0, body));
  std::copy(tag.begin(), tag.end(), out + body);
  return sealed;
}

std::string PersonalDataCipher::Seal(std::string_view plaintext) const {
  std::array<std::uint8_t, kIvSize> iv;
  // Without a fresh IV, CTR would reuse a key stream and reveal the XOR of two plaintexts.
  if (RAND_bytes(iv.data(), static_cast<int>(iv.size())) != 1) Fatal("RAND_bytes");
  return SealWithIv(plaintext, kVersion, iv.data());
}

std::string PersonalDataCipher::SealDeterministic(std::string_view plaintext) const {
  // SIV construction: the IV is a keyed hash of the plaintext, so only equal plaintexts share a key
  // stream, and for them the ciphertexts are equal anyway — equality is all that leaks.
  const Sm3Digest siv = siv_key_.Mac(plaintext);
  return SealWithIv(plaintext, kDeterministicVersion, siv.data());
}

Result<std::string> PersonalDataCipher::Open(std::string_view sealed) const {
  const auto tampered = [] {
    return Fail(ErrorCode::kInvalidArgument, "crypto.tampered",
                "sealed value failed authentication (changed, truncated, unknown version, or "
                "sealed under another key)",
                "加密数据校验失败：数据可能被篡改，或与密钥不符");
  };
  if (sealed.size() < kOverhead || (static_cast<std::uint8_t>(sealed[0]) != kVersion &&
                                    static_cast<std::uint8_t>(sealed[0]) != kDeterministicVersion)) {
    return tampered();
  }
  const std::size_t body = sealed.size() - kTagSize;
  const Sm3Digest expected = mac_key_.Mac(sealed.substr(0, body));
  // Constant time, so that timing does not tell a forger how many tag bytes were right.
  if (CRYPTO_memcmp(expected.data(), Bytes(sealed) + body, kTagSize) != 0) return tampered();
  // Decrypt only after the tag checks out: CTR decryption of forged data must never be observable.
  const std::string_view ciphertext = sealed.substr(1 + kIvSize, body - 1 - kIvSize);
  std::string plaintext(ciphertext.size(), '\0');
  Sm4CtrInto(enc_key_, std::span<const std::uint8_t, kIvSize>(Bytes(sealed) + 1, kIvSize),
             ciphertext, MutableBytes(plaintext));
  if (static_cast<std::uint8_t>(sealed[0]) == kDeterministicVersion) {
    // The synthetic IV must be the one this plaintext gives.
    const Sm3Digest siv = siv_key_.Mac(plaintext);
    if (CRYPTO_memcmp(siv.data(), Bytes(sealed) + 1, kIvSize) != 0) return tampered();
  }
  return plaintext;
}

std::string PersonalDataCipher::BlindIndex(std::string_view plaintext) const {
  return ToHex(blind_key_.Mac(plaintext));
}

namespace internal {

std::string Sm4Ctr(std::span<const std::uint8_t, 16> key, std::span<const std::uint8_t, 16> iv,
                   std::string_view data) {
  std::string out(data.size(), '\0');
  Sm4CtrInto(key, iv, data, MutableBytes(out));
  return out;
}

}  // namespace internal

// ---- SM2 ----------------------------------------------------------------------------------------

void Sm2KeyPair::Free::operator()(EVP_PKEY* pkey) const { EVP_PKEY_free(pkey); }

Result<Sm2KeyPair> Sm2KeyPair::Generate() {
  const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
  EVP_PKEY* pkey = nullptr;
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_generate(ctx.get(), &pkey) != 1) {
    return OpenSslFail(ErrorCode::kInternal, "crypto.keygen", "SM2 key generation",
                       "SM2 密钥生成失败");
  }
  return Sm2KeyPair(pkey);
}

Result<Sm2KeyPair> Sm2KeyPair::FromPem(std::string_view private_pem) {
  auto bio = ReadBio(private_pem);
  if (!bio) return std::unexpected(std::move(bio.error()));
  PkeyPtr pkey(
      PEM_read_bio_PrivateKey_ex(bio->get(), nullptr, RefusePassword, nullptr, nullptr, nullptr));
  if (pkey == nullptr) {
    return OpenSslFail(ErrorCode::kInvalidArgument, "crypto.pem",
                       "not an unencrypted private key PEM", "私钥 PEM 格式错误或已加密");
  }
  if (auto ok = RequireSm2(pkey.get()); !ok) return std::unexpected(std::move(ok.error()));
  return Sm2KeyPair(pkey.release());
}

Sm2KeyPair::Sm2KeyPair(const Sm2KeyPair& other) : pkey_(nullptr) { *this = other; }

Sm2KeyPair& Sm2KeyPair::operator=(const Sm2KeyPair& other) {
  if (this != &other) {
    if (other.pkey_ != nullptr && EVP_PKEY_up_ref(other.pkey_.get()) != 1) Fatal("EVP_PKEY_up_ref");
    pkey_.reset(other.pkey_.get());
  }
  return *this;
}

std::string Sm2KeyPair::PrivatePem() const {
  const BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0,
                                                 nullptr, nullptr) != 1) {
    Fatal("PEM_write_bio_PrivateKey");
  }
  return BioContents(bio.get());
}

std::string Sm2KeyPair::PublicPem() const {
  const BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) {
    Fatal("PEM_write_bio_PUBKEY");
  }
  return BioContents(bio.get());
}

Result<std::string> Sm2KeyPair::Sign(std::string_view message) const {
  const MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  std::string signature(static_cast<std::size_t>(EVP_PKEY_get_size(pkey_.get())), '\0');
  std::size_t length = signature.size();
  if (ctx == nullptr ||
      EVP_DigestSignInit_ex(ctx.get(), &pctx, "SM3", nullptr, nullptr, pkey_.get(), nullptr) != 1 ||
      !SetSm2Id(pctx) ||
      EVP_DigestSign(ctx.get(), MutableBytes(signature), &length, Bytes(message), message.size()) !=
          1) {
    return OpenSslFail(ErrorCode::kInternal, "crypto.sign", "SM2 sign", "SM2 签名失败");
  }
  signature.resize(length);
  return signature;
}

Result<bool> Sm2Verify(std::string_view public_pem, std::string_view message,
                       std::string_view signature) {
  auto bio = ReadBio(public_pem);
  if (!bio) return std::unexpected(std::move(bio.error()));
  const PkeyPtr pkey(
      PEM_read_bio_PUBKEY_ex(bio->get(), nullptr, RefusePassword, nullptr, nullptr, nullptr));
  if (pkey == nullptr) {
    return OpenSslFail(ErrorCode::kInvalidArgument, "crypto.pem", "not a public key PEM",
                       "公钥 PEM 格式错误");
  }
  if (auto ok = RequireSm2(pkey.get()); !ok) return std::unexpected(std::move(ok.error()));
  const MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (ctx == nullptr ||
      EVP_DigestVerifyInit_ex(ctx.get(), &pctx, "SM3", nullptr, nullptr, pkey.get(), nullptr) !=
          1 ||
      !SetSm2Id(pctx)) {
    return OpenSslFail(ErrorCode::kInternal, "crypto.verify", "SM2 verify init",
                       "SM2 验签初始化失败");
  }
  // 1 is a good signature; 0 a bad one; negative a malformed one (bad DER). Only 1 is true, and the
  // error queue is drained so a bad signature leaves nothing behind for the next caller.
  const int rc = EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message),
                                  message.size());
  ERR_clear_error();
  return rc == 1;
}

}  // namespace xy
