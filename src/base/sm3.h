// SM3 (GB/T 32905-2016), implemented here rather than through OpenSSL because hashing every
// ingested row made OpenSSL's generic C SM3 the largest single cost of ingest.
//
// Three ways in: Sm3State for one message that arrives in pieces (or to resume from a saved state,
// which is how HMAC-SM3 precomputes its pads); Sm3Many for many independent messages at once, which
// on CPUs with AVX-512 (or AVX2) hashes 16 (or 8) messages side by side, one per 32-bit vector
// lane; and the one-shot Sm3() in crypto.h. All give digests bit-identical to OpenSSL's SM3.
//
// Thread-safety: Sm3State is a plain value (copy it to fork a hash); Sm3Many is thread-safe. The
// CPU is probed once, on first use.
//
// Nothing here is constant-time with respect to message *lengths*; the data itself only flows
// through additions, rotations and bitwise operations, with no secret-dependent branches or table
// look-ups, which is what HMAC keys need.

#ifndef XY_BASE_SM3_H_
#define XY_BASE_SM3_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace xy {

inline constexpr std::size_t kSm3Size = 32;
inline constexpr std::size_t kSm3BlockSize = 64;
using Sm3Digest = std::array<std::uint8_t, kSm3Size>;

namespace internal {
// The initial value (GB/T 32905 §4.1).
inline constexpr std::array<std::uint32_t, 8> kSm3Iv = {
    0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e};
}  // namespace internal

// The running state of one SM3 computation: the chaining value, the bytes of a partial block, and
// the length so far. 112 bytes, trivially copyable, no allocation; copying it saves the state
// (HmacSm3Key keeps two, hashed past the key pads, and copies them for each MAC).
class Sm3State {
 public:
  Sm3State() = default;

  void Update(std::string_view data);
  void Update(std::span<const std::uint8_t> data);

  // The digest of everything absorbed so far. Leaves the state unchanged, so more data may follow
  // (the next Finish() then covers the longer message).
  Sm3Digest Finish() const;

  // Bytes absorbed since construction.
  std::uint64_t size() const { return length_; }

 private:
  std::array<std::uint32_t, 8> v_ = internal::kSm3Iv;
  std::array<std::uint8_t, kSm3BlockSize> buffer_{};  // the first length_ % 64 bytes are pending
  std::uint64_t length_ = 0;
};

// SM3 of each input: out[i] = SM3(inputs[i]). Inputs may have any lengths, empty included, and may
// overlap in memory. Uses the widest vector unit this CPU has. Give it whole batches: 16 inputs
// fill the AVX-512 lanes, and hundreds hide the cost of the last, partly idle, steps (with
// 700-byte rows, 16 run about as fast per row as 256, but 17 take 1.5 times as long as 16). With
// fewer than three inputs it is a loop over the scalar hash.
// REQUIRES: out.size() == inputs.size() (aborts otherwise: a short output would silently leave
// digests unwritten).
void Sm3Many(std::span<const std::string_view> inputs, std::span<Sm3Digest> out);

namespace internal {

// The scalar one-shot hash behind xy::Sm3().
Sm3Digest Sm3Scalar(std::string_view data);
// The same compiled for baseline x86-64, which Sm3Scalar uses only on CPUs without BMI2: exposed so
// that tests cover it on any CPU.
Sm3Digest Sm3ScalarBaseline(std::string_view data);

// The Sm3Many variants, exposed so that tests can check each one whatever the dispatch would pick,
// and benchmarks can compare them. The vector ones must only be called when the matching
// Sm3CpuHas*() is true; they take the same REQUIRES as Sm3Many.
void Sm3ManyScalar(std::span<const std::string_view> inputs, std::span<Sm3Digest> out);
void Sm3ManyAvx2(std::span<const std::string_view> inputs, std::span<Sm3Digest> out);
void Sm3ManyAvx512(std::span<const std::string_view> inputs, std::span<Sm3Digest> out);
bool Sm3CpuHasAvx2();
bool Sm3CpuHasAvx512();

// "avx512", "avx2" or "scalar": what Sm3Many uses on this CPU (for logs and benchmarks).
std::string_view Sm3ManyImplementation();

}  // namespace internal

}  // namespace xy

#endif  // XY_BASE_SM3_H_
