// Signed tree heads: the platform's SM2-signed statement "the log had tree_size leaves with this
// root at this time". Anyone holding the public key can check an inclusion proof against a signed
// head, and two heads against each other with a consistency proof, without trusting the store.
//
// Signing input (62 bytes, fixed layout; README.md repeats it for outsiders):
//
//   "xinyong-sth-v1"   14 ASCII bytes, no terminator — domain separation: a signature made here can
//                      never be replayed as a signature over a report or any other message
//   tree_size          8 bytes, big-endian, ≥ 0
//   root               32 bytes, the SM3 Merkle root (merkle.h)
//   timestamp          8 bytes, big-endian two's complement, seconds since 1970-01-01T00:00:00Z
//
// The signature is SM2 over SM3 with the distinguishing ID "1234567812345678" (GM/T 0009), DER
// encoded (SEQUENCE of r, s), as Sm2KeyPair::Sign makes it.
//
// Thread-safety: plain values and pure functions (the crypto calls are thread-safe).

#ifndef XY_LEDGER_TREE_HEAD_H_
#define XY_LEDGER_TREE_HEAD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/crypto.h"
#include "base/result.h"

namespace xy::ledger {

inline constexpr std::string_view kTreeHeadDomain = "xinyong-sth-v1";
inline constexpr std::size_t kTreeHeadSigningInputSize = kTreeHeadDomain.size() + 8 + kSm3Size + 8;

struct TreeHead {
  std::int64_t tree_size = 0;
  Sm3Digest root{};
  std::int64_t timestamp = 0;  // seconds since 1970-01-01T00:00:00Z, like the store's Timestamp

  friend bool operator==(const TreeHead&, const TreeHead&) = default;
};

struct SignedTreeHead {
  TreeHead head;
  std::string signature;  // DER, binary

  friend bool operator==(const SignedTreeHead&, const SignedTreeHead&) = default;
};

// The exact bytes that are signed (layout above). REQUIRES: head.tree_size ≥ 0 (a negative size
// would be encoded as its two's complement, which no verifier accepts).
std::string TreeHeadSigningInput(const TreeHead& head);

// Errors: kInvalidArgument "ledger.tree_head" for a negative tree_size; kInternal "crypto.sign".
Result<SignedTreeHead> SignTreeHead(const Sm2KeyPair& key, const TreeHead& head);

// True iff the signature is the key's signature over this head; false for any change to the size,
// root, timestamp or signature, or a negative size. Errors: kInvalidArgument "crypto.pem",
// "crypto.key_type" (the public key is unusable).
Result<bool> VerifyTreeHead(std::string_view public_pem, const SignedTreeHead& signed_head);

// The text form for JSON and the command line: digests and the signature in lower-case hex.
struct SignedTreeHeadText {
  std::int64_t tree_size = 0;
  std::string root;  // 64 hex digits
  std::int64_t timestamp = 0;
  std::string signature;  // hex of the DER signature

  friend bool operator==(const SignedTreeHeadText&, const SignedTreeHeadText&) = default;
};

SignedTreeHeadText ToText(const SignedTreeHead& signed_head);

// Accepts either case of hex. Errors: kInvalidArgument "ledger.tree_head" (negative size, a root
// that is not 64 hex digits, a signature that is not hex or is empty).
Result<SignedTreeHead> FromText(const SignedTreeHeadText& text);

// {"tree_size":8,"root":"…","timestamp":1700000000,"signature":"…"} — one line, keys in this
// order, no spaces.
std::string ToJson(const SignedTreeHead& signed_head);

}  // namespace xy::ledger

#endif  // XY_LEDGER_TREE_HEAD_H_
