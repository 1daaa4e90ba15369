// The Chinese national cryptographic algorithms (国密: SM3, HMAC-SM3, SM4, SM2). SM3 and HMAC-SM3
// are this project's own (base/sm3.h), because OpenSSL's SM3 was the largest single cost of ingest:
// ours is a little faster on one message and, through Sm3Many, many times faster on batches of
// rows. SM4 and SM2 go through OpenSSL 3.0 EVP.
//
// SM3 (GB/T 32905) hashes ingested rows and will chain the transparency log; HMAC-SM3 derives keys
// and builds blind indexes; SM4 (GB/T 32907) in CTR mode with an HMAC-SM3 tag (encrypt-then-MAC)
// protects personal data at rest, because OpenSSL 3.0 has no SM4-GCM; SM2 (GB/T 32918) signs tree
// heads and reports, always over SM3 with the distinguishing ID "1234567812345678" (GM/T 0009) that
// every other SM2 implementation uses — OpenSSL 3.0 would otherwise use an empty ID and
// interoperate with nobody.
//
// Thread-safety: the free functions are thread-safe (those on OpenSSL keep one context per thread).
// Sm3Hasher is a single-owner value, not for concurrent use. HmacSm3Key, PersonalDataCipher and
// Sm2KeyPair are immutable once built: their const methods may be called from many threads at once.
//
// Ownership: each class owns its OpenSSL object (if any) and frees it in its destructor; key
// material held by an object is wiped when the object is destroyed (stack temporaries of a single
// computation are not). Moved-from objects may only be destroyed or assigned to.
//
// Failure: OpenSSL fails here only from lack of memory or a broken installation (a provider
// configuration without the SM algorithms). Functions that return a plain value (a hash, a sealed
// string) abort the process with the OpenSSL error on stderr in that case, because returning a
// wrong hash or an unencrypted value would silently corrupt data. Call CheckCryptoAvailable() at
// start-up to turn a broken installation into an Error before any data is touched. Bad input (a
// malformed PEM, a tampered ciphertext, bad hex) is always an Error, never an abort.

#ifndef XY_BASE_CRYPTO_H_
#define XY_BASE_CRYPTO_H_

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/sm3.h"

namespace xy {

// Fetches every OpenSSL algorithm this header uses (SM3 included: SM2 signatures hash with
// OpenSSL's), checks the random generator is seeded, and runs known answers through our SM3, the
// vector Sm3Many this CPU will use, and HMAC-SM3.
// Errors: kInternal "crypto.unavailable", naming what is missing or wrong.
Result<void> CheckCryptoAvailable();

// ---- Hex ----------------------------------------------------------------------------------------

// Lower-case hex, two characters per byte.
std::string ToHex(std::span<const std::uint8_t> bytes);
std::string ToHex(std::string_view bytes);

// Accepts upper- and lower-case digits. Errors: kInvalidArgument "crypto.hex" (odd length or a
// character outside [0-9a-fA-F]).
Result<std::vector<std::uint8_t>> FromHex(std::string_view hex);

// ---- SM3 ----------------------------------------------------------------------------------------
//
// Sm3Digest, kSm3Size, Sm3State and Sm3Many (many messages at once, in vector lanes) are in
// base/sm3.h.

// One-shot SM3, scalar. No allocation. To hash many rows, prefer Sm3Many: on a CPU with AVX-512 it
// is several times faster per row.
Sm3Digest Sm3(std::string_view data);

// Streaming SM3 for inputs that arrive in pieces; equal to Sm3() of the concatenation.
class Sm3Hasher {
 public:
  Sm3Hasher() = default;
  Sm3Hasher(Sm3Hasher&&) noexcept = default;
  Sm3Hasher& operator=(Sm3Hasher&&) noexcept = default;

  void Update(std::string_view data);
  // Returns the digest of everything since construction or the last Finish(), and starts over.
  Sm3Digest Finish();

 private:
  Sm3State state_;
};

// ---- HMAC-SM3 -----------------------------------------------------------------------------------

// One-shot HMAC-SM3 (RFC 2104 over SM3, 64-byte block). Any key length, including empty.
Sm3Digest HmacSm3(std::span<const std::uint8_t> key, std::string_view data);

// A key prepared once for many HMAC-SM3 computations: the inner and outer pads are hashed at
// construction, so each Mac() costs only the data's own compressions and two finishing ones, with
// no allocation. Movable, not copyable.
class HmacSm3Key {
 public:
  explicit HmacSm3Key(std::span<const std::uint8_t> key);
  ~HmacSm3Key();
  HmacSm3Key(HmacSm3Key&&) noexcept = default;
  HmacSm3Key& operator=(HmacSm3Key&&) noexcept = default;

  Sm3Digest Mac(std::string_view data) const;

 private:
  // SM3 states after the key XOR ipad and the key XOR opad blocks. Never updated: Mac() works on
  // copies, so concurrent calls do not interfere. Either one lets its holder forge MACs, hence
  // the wipe in the destructor.
  Sm3State inner_;
  Sm3State outer_;
};

// ---- Personal data at rest (SM4-CTR + HMAC-SM3) -------------------------------------------------

inline constexpr std::size_t kMasterKeySize = 64;
using MasterKey = std::array<std::uint8_t, kMasterKeySize>;

// A fresh key from the OpenSSL CSPRNG. Errors: kInternal "crypto.random".
Result<MasterKey> RandomKey();

// Seals citizen ID numbers and similar personal data for storage, and computes blind indexes so a
// person can be looked up without decrypting every row.
//
// Sealed format (binary; version 1 — Seal; version 2 — SealDeterministic, IV synthetic):
//   version (1 byte, 0x01 or 0x02) ‖ IV (16 bytes) ‖ SM4-CTR ciphertext (same length as the
//   plaintext) ‖ tag (32 bytes) = HMAC-SM3(mac key, version ‖ IV ‖ ciphertext)
// The three keys (SM4 key, MAC key, blind-index key) are derived as HMAC-SM3(master key, label)
// with fixed labels; changing a label makes every stored value unreadable. The sealed value reveals
// the plaintext's length, which for ID numbers is public anyway (18 characters).
class PersonalDataCipher {
 public:
  static constexpr std::uint8_t kVersion = 1;
  static constexpr std::uint8_t kDeterministicVersion = 2;
  static constexpr std::size_t kIvSize = 16;
  static constexpr std::size_t kTagSize = kSm3Size;
  static constexpr std::size_t kOverhead = 1 + kIvSize + kTagSize;

  explicit PersonalDataCipher(const MasterKey& master_key);
  // For keys read from a file. Errors: kInvalidArgument "crypto.key_size" unless exactly 64 bytes.
  static Result<PersonalDataCipher> FromBytes(std::span<const std::uint8_t> master_key);

  ~PersonalDataCipher();
  PersonalDataCipher(PersonalDataCipher&&) noexcept = default;
  PersonalDataCipher& operator=(PersonalDataCipher&&) noexcept = default;

  // A fresh random IV each call, so sealing the same plaintext twice gives different values.
  std::string Seal(std::string_view plaintext) const;

  // Version 2: the IV is HMAC-SM3(synthetic-IV key, plaintext) (the SIV construction), so the same
  // plaintext always seals to the same value. Used for stored record fields, where "unchanged"
  // detection compares values; it reveals equality, as the blind index does anyway.
  std::string SealDeterministic(std::string_view plaintext) const;

  // Opens both versions. Errors: kInvalidArgument "crypto.tampered" if the value was changed, truncated, has an unknown
  // version, or was sealed under a different master key (these are deliberately indistinguishable).
  Result<std::string> Open(std::string_view sealed) const;

  // Lower-case hex HMAC-SM3(blind-index key, plaintext): deterministic, so equal plaintexts give
  // equal indexes under one master key. Normalise first (NormalizeIdentifier) so that the typed and
  // the stored forms of one ID number meet.
  std::string BlindIndex(std::string_view plaintext) const;

 private:
  std::string SealWithIv(std::string_view plaintext, std::uint8_t version,
                         const std::uint8_t* iv) const;

  std::array<std::uint8_t, 16> enc_key_;  // SM4 is a 128-bit cipher
  HmacSm3Key mac_key_;
  HmacSm3Key blind_key_;
  HmacSm3Key siv_key_;
};

// ---- SM2 signatures -----------------------------------------------------------------------------

// The distinguishing ID of GM/T 0009 §10, used by every SM2 implementation that does not say
// otherwise.
inline constexpr std::string_view kSm2DefaultId = "1234567812345678";

// An SM2 private key (with its public half). Copies share the one immutable OpenSSL key.
class Sm2KeyPair {
 public:
  static Result<Sm2KeyPair> Generate();
  // Reads an unencrypted PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY") PEM on the SM2 curve.
  // Errors: kInvalidArgument "crypto.pem" (unparsable or encrypted), "crypto.key_type" (not SM2).
  static Result<Sm2KeyPair> FromPem(std::string_view private_pem);

  Sm2KeyPair(const Sm2KeyPair& other);
  Sm2KeyPair& operator=(const Sm2KeyPair& other);
  Sm2KeyPair(Sm2KeyPair&&) noexcept = default;
  Sm2KeyPair& operator=(Sm2KeyPair&&) noexcept = default;

  std::string PrivatePem() const;  // unencrypted PKCS#8; the caller protects the file
  std::string PublicPem() const;   // SubjectPublicKeyInfo ("PUBLIC KEY")

  // SM2 over SM3 with kSm2DefaultId. The signature is DER (SEQUENCE of r, s), binary, and
  // randomised: two signatures of one message differ. Errors: kInternal "crypto.sign".
  Result<std::string> Sign(std::string_view message) const;

 private:
  struct Free {
    void operator()(EVP_PKEY* pkey) const;
  };
  explicit Sm2KeyPair(EVP_PKEY* pkey) : pkey_(pkey) {}
  std::unique_ptr<EVP_PKEY, Free> pkey_;
};

// True iff `signature` is a valid SM2/SM3 signature of `message` with kSm2DefaultId under the key
// in `public_pem` (a "PUBLIC KEY" PEM). A malformed signature is false, not an error. Errors:
// kInvalidArgument "crypto.pem" (unparsable key), "crypto.key_type" (not SM2).
Result<bool> Sm2Verify(std::string_view public_pem, std::string_view message,
                       std::string_view signature);

namespace internal {

// Unauthenticated SM4-CTR (the counter is the whole 16-byte block, big-endian, starting at `iv`).
// Exposed for the known-answer tests only: it gives no integrity, so use PersonalDataCipher.
std::string Sm4Ctr(std::span<const std::uint8_t, 16> key, std::span<const std::uint8_t, 16> iv,
                   std::string_view data);

}  // namespace internal

}  // namespace xy

#endif  // XY_BASE_CRYPTO_H_
