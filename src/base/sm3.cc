#include "base/sm3.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

// Everything x86-specific is behind XY_SM3_X86; elsewhere (ARM servers, say) only the portable
// scalar code is built and Sm3Many is a loop over it.
#if defined(__x86_64__)
#define XY_SM3_X86 1
#include <immintrin.h>
// The vector and BMI2 code is compiled for its instruction set one function at a time, so that
// the rest of the build keeps the baseline x86-64 flags and the binary still runs on any x86-64
// CPU; the code to run is picked after asking the CPU.
#define XY_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))
#define XY_TARGET_AVX2 __attribute__((target("avx2")))
#define XY_TARGET_BMI2 __attribute__((target("bmi,bmi2")))
#else
#define XY_SM3_X86 0
#endif
#define XY_INLINE inline __attribute__((always_inline))

namespace xy {
namespace {

using std::rotl;

// ---- Constants and byte order -------------------------------------------------------------------

// T_j <<< (j mod 32), the additive constant of round j, folded once here instead of rotated in
// every round.
constexpr std::array<std::uint32_t, 64> kRoundConstants = [] {
  std::array<std::uint32_t, 64> k{};
  for (int j = 0; j < 64; ++j) k[j] = rotl(j < 16 ? 0x79cc4519u : 0x7a879d8au, j % 32);
  return k;
}();

XY_INLINE std::uint32_t LoadBe32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  if constexpr (std::endian::native == std::endian::little) v = std::byteswap(v);
  return v;
}

XY_INLINE void StoreBe32(std::uint8_t* p, std::uint32_t v) {
  if constexpr (std::endian::native == std::endian::little) v = std::byteswap(v);
  std::memcpy(p, &v, sizeof(v));
}

XY_INLINE void StoreBe64(std::uint8_t* p, std::uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) v = std::byteswap(v);
  std::memcpy(p, &v, sizeof(v));
}

const std::uint8_t* Bytes(std::string_view s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

// Pads the last `size % 64` bytes of a message of `size` bytes (`rest` points at them) into
// `out`, which receives one block, or two when fewer than 9 bytes (0x80 and the 64-bit length) are
// left in the first. Returns the number of blocks written.
std::size_t PadTail(const std::uint8_t* rest, std::uint64_t size, std::uint8_t (&out)[128]) {
  const std::size_t used = static_cast<std::size_t>(size % kSm3BlockSize);
  const std::size_t blocks = used < kSm3BlockSize - 8 ? 1 : 2;
  if (used > 0) std::memcpy(out, rest, used);  // `rest` may be NULL when there is nothing
  out[used] = 0x80;
  std::memset(out + used + 1, 0, blocks * kSm3BlockSize - 8 - used - 1);
  StoreBe64(out + blocks * kSm3BlockSize - 8, size * 8);
  return blocks;
}

Sm3Digest DigestOf(const std::uint32_t* v) {
  Sm3Digest out;
  for (int i = 0; i < 8; ++i) StoreBe32(out.data() + 4 * i, v[i]);
  return out;
}

// ---- Scalar compression -------------------------------------------------------------------------
//
// The 64 rounds are unrolled at compile time. A round writes only B, D, F and H (the standard's
// shifts of the other registers become a renaming of the arguments of the next round), and the
// expanded message word W[j+4] is computed in round j, just before it is first needed, so that no
// 68-word schedule is built in advance and the out-of-order core can overlap expansion with the
// rounds' long dependency chain.
//
// That chain sets the speed limit for one message: each round's E comes from the previous one
// through an addition, a rotation, two more additions and P0, about seven cycles, so no scalar
// code gets much below 450 cycles a block. (Computing the schedule four words at a time in SSE
// registers was tried and was slower: the rounds then wait for the schedule.) Throughput beyond
// that needs independent messages, which is what Sm3Many's vector lanes are for.

XY_INLINE std::uint32_t P0(std::uint32_t x) { return x ^ rotl(x, 9) ^ rotl(x, 17); }
XY_INLINE std::uint32_t P1(std::uint32_t x) { return x ^ rotl(x, 15) ^ rotl(x, 23); }

template <int J>
XY_INLINE void Round(std::uint32_t a, std::uint32_t& b, std::uint32_t c, std::uint32_t& d,
                     std::uint32_t e, std::uint32_t& f, std::uint32_t g, std::uint32_t& h,
                     std::uint32_t* w) {
  if constexpr (J + 4 >= 16 && J + 4 < 68) {
    w[J + 4] = P1(w[J - 12] ^ w[J - 5] ^ rotl(w[J + 1], 15)) ^ rotl(w[J - 9], 7) ^ w[J - 2];
  }
  const std::uint32_t a12 = rotl(a, 12);
  const std::uint32_t ss1 = rotl(a12 + e + kRoundConstants[J], 7);
  const std::uint32_t ss2 = ss1 ^ a12;
  if constexpr (J < 16) {
    d = (d + (w[J] ^ w[J + 4]) + (a ^ b ^ c)) + ss2;
    h = (h + w[J] + (e ^ f ^ g)) + ss1;
  } else {
    // GG's two halves have no bit in common, so they can be added rather than or-ed, which lets
    // the compiler fold them into the sum in any order.
    d = (d + (w[J] ^ w[J + 4]) + ((a & b) | (c & (a | b)))) + ss2;
    h = (h + w[J] + (e & f) + (~e & g)) + ss1;
  }
  b = rotl(b, 9);
  f = rotl(f, 19);
  h = P0(h);
}

// Rounds J..J+3; after four rounds the registers are back in their original roles.
template <int J>
XY_INLINE void FourRounds(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c, std::uint32_t& d,
                          std::uint32_t& e, std::uint32_t& f, std::uint32_t& g, std::uint32_t& h,
                          std::uint32_t* w) {
  Round<J>(a, b, c, d, e, f, g, h, w);
  Round<J + 1>(d, a, b, c, h, e, f, g, w);
  Round<J + 2>(c, d, a, b, g, h, e, f, w);
  Round<J + 3>(b, c, d, a, f, g, h, e, w);
}

template <int... K>
XY_INLINE void AllRounds(std::integer_sequence<int, K...>, std::uint32_t& a, std::uint32_t& b,
                         std::uint32_t& c, std::uint32_t& d, std::uint32_t& e, std::uint32_t& f,
                         std::uint32_t& g, std::uint32_t& h, std::uint32_t* w) {
  (FourRounds<4 * K>(a, b, c, d, e, f, g, h, w), ...);
}

// Spelled out rather than looped: GCC at -O2 does not unroll the loop, and an array written in a
// loop stays in memory, which costs about a third of the speed.
template <int... I>
XY_INLINE void LoadWords(std::integer_sequence<int, I...>, const std::uint8_t* p,
                         std::uint32_t* w) {
  ((w[I] = LoadBe32(p + 4 * I)), ...);
}

XY_INLINE void CompressBody(std::uint32_t* v, const std::uint8_t* p, std::size_t blocks) {
  for (; blocks > 0; --blocks, p += kSm3BlockSize) {
    std::uint32_t w[68];
    LoadWords(std::make_integer_sequence<int, 16>(), p, w);
    std::uint32_t a = v[0], b = v[1], c = v[2], d = v[3];
    std::uint32_t e = v[4], f = v[5], g = v[6], h = v[7];
    AllRounds(std::make_integer_sequence<int, 16>(), a, b, c, d, e, f, g, h, w);
    v[0] ^= a, v[1] ^= b, v[2] ^= c, v[3] ^= d;
    v[4] ^= e, v[5] ^= f, v[6] ^= g, v[7] ^= h;
  }
}

using CompressFn = void (*)(std::uint32_t* v, const std::uint8_t* p, std::size_t blocks);

void CompressBaseline(std::uint32_t* v, const std::uint8_t* p, std::size_t blocks) {
  CompressBody(v, p, blocks);
}

struct CpuFeatures {
  bool bmi2 = false;
  bool avx2 = false;
  bool avx512 = false;
};

#if XY_SM3_X86

const CpuFeatures& Cpu() {
  static const CpuFeatures features = [] {
    __builtin_cpu_init();
    CpuFeatures f;
    f.bmi2 = __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
    f.avx2 = __builtin_cpu_supports("avx2");
    // __builtin_cpu_supports also checks that the OS saves the vector registers (XCR0).
    f.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl");
    return f;
  }();
  return features;
}

// The same body again. BMI2's RORX rotates into a fresh register and BMI1's ANDN computes ~e & g
// in one instruction, which removes most of the register copies that the two-operand ROL and NOT
// need; the rounds are limited by instruction count as much as by latency, so this was worth 1.2x
// on a Sapphire Rapids Xeon.
XY_TARGET_BMI2 void CompressBmi2(std::uint32_t* v, const std::uint8_t* p, std::size_t blocks) {
  CompressBody(v, p, blocks);
}

// Compresses `blocks` consecutive 64-byte blocks at `p` into the chaining value `v`.
void Compress(std::uint32_t* v, const std::uint8_t* p, std::size_t blocks) {
  static const CompressFn fn = Cpu().bmi2 ? CompressBmi2 : CompressBaseline;
  fn(v, p, blocks);
}

#else

const CpuFeatures& Cpu() {
  static constexpr CpuFeatures kNone;
  return kNone;
}

void Compress(std::uint32_t* v, const std::uint8_t* p, std::size_t blocks) {
  CompressBody(v, p, blocks);
}

#endif

// The digest of a message whose first `size - size % 64` bytes are already in `v`, and whose
// remaining bytes start at `rest`.
Sm3Digest FinishFrom(std::array<std::uint32_t, 8> v, const std::uint8_t* rest, std::uint64_t size,
                     CompressFn compress = Compress) {
  std::uint8_t tail[128];
  const std::size_t blocks = PadTail(rest, size, tail);
  compress(v.data(), tail, blocks);
  return DigestOf(v.data());
}

Sm3Digest OneShot(std::string_view data, CompressFn compress) {
  std::array<std::uint32_t, 8> v = internal::kSm3Iv;
  const std::size_t blocks = data.size() / kSm3BlockSize;
  if (blocks > 0) compress(v.data(), Bytes(data), blocks);
  return FinishFrom(v, Bytes(data) + blocks * kSm3BlockSize, data.size(), compress);
}

#if XY_SM3_X86

// ---- Many messages in vector lanes --------------------------------------------------------------
//
// Each vector lane holds one message's chaining value, so one kernel call compresses one block of
// up to 16 (AVX-512) or 8 (AVX2) messages. A lane that finishes its message takes the next input at
// once (messages of different lengths never wait for each other); idle lanes compress a dummy block
// whose result is ignored. The kernels see the state as 8 rows of kLanes words, word i of lane l at
// state[i * kLanes + l], and each takes one block per lane.

// One message in its lane.
struct LaneJob {
  std::size_t index = 0;               // of the input, and of its digest in `out`
  const std::uint8_t* next = nullptr;  // the next block to compress
  std::size_t direct_left = 0;         // whole blocks still to read from the input itself
  std::size_t left = 0;                // blocks still to compress, padded tail included
  std::size_t tail_blocks = 0;         // 1 or 2
  alignas(64) std::uint8_t tail[128];  // the last partial block, padded
};

void StartJob(LaneJob& job, std::size_t index, std::string_view input) {
  job.index = index;
  job.direct_left = input.size() / kSm3BlockSize;
  job.tail_blocks = PadTail(Bytes(input) + job.direct_left * kSm3BlockSize, input.size(), job.tail);
  job.left = job.direct_left + job.tail_blocks;
  job.next = job.direct_left > 0 ? Bytes(input) : job.tail;
}

void AdvanceJob(LaneJob& job) {
  --job.left;
  if (job.direct_left > 0 && --job.direct_left == 0) {
    job.next = job.tail;
  } else {
    job.next += kSm3BlockSize;
  }
}

alignas(64) constexpr std::uint8_t kIdleBlock[kSm3BlockSize] = {};

// A kernel call costs about two (AVX-512) to three (AVX2) scalar compressions, so with fewer busy
// lanes than this the scalar code is faster (bench_crypto, BM_RowsManySmallBatch).
constexpr std::size_t kMinVectorInputs = 3;

using LanesKernel = void (*)(std::uint32_t* state, const std::uint8_t* const* blocks);

template <std::size_t kLanes>
void ManyInLanes(std::span<const std::string_view> inputs, std::span<Sm3Digest> out,
                 LanesKernel kernel) {
  if (inputs.size() < kMinVectorInputs) {
    internal::Sm3ManyScalar(inputs, out);
    return;
  }
  alignas(64) std::uint32_t state[8 * kLanes];
  LaneJob jobs[kLanes];
  bool busy[kLanes] = {};
  const std::uint8_t* blocks[kLanes];
  std::size_t next_input = 0;
  std::size_t busy_count = 0;

  const auto fill = [&](std::size_t lane) {
    if (next_input == inputs.size()) {
      busy[lane] = false;
      return;
    }
    StartJob(jobs[lane], next_input, inputs[next_input]);
    ++next_input;
    for (std::size_t i = 0; i < 8; ++i) state[i * kLanes + lane] = internal::kSm3Iv[i];
    busy[lane] = true;
    ++busy_count;
  };
  for (std::size_t lane = 0; lane < kLanes; ++lane) fill(lane);

  // Once the inputs run out, the last few messages are finished one by one: a kernel call with
  // most lanes idle costs more than their remaining blocks do in scalar code.
  while (next_input < inputs.size() || busy_count >= kMinVectorInputs) {
    for (std::size_t lane = 0; lane < kLanes; ++lane) {
      blocks[lane] = busy[lane] ? jobs[lane].next : kIdleBlock;
    }
    kernel(state, blocks);
    for (std::size_t lane = 0; lane < kLanes; ++lane) {
      if (!busy[lane]) continue;
      LaneJob& job = jobs[lane];
      AdvanceJob(job);
      if (job.left > 0) continue;
      std::uint32_t v[8];
      for (std::size_t i = 0; i < 8; ++i) v[i] = state[i * kLanes + lane];
      out[job.index] = DigestOf(v);
      --busy_count;
      fill(lane);
    }
  }

  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    if (!busy[lane]) continue;
    LaneJob& job = jobs[lane];
    std::uint32_t v[8];
    for (std::size_t i = 0; i < 8; ++i) v[i] = state[i * kLanes + lane];
    if (job.direct_left > 0) Compress(v, job.next, job.direct_left);
    const std::size_t tail_left = job.left - job.direct_left;
    Compress(v, job.tail + (job.tail_blocks - tail_left) * kSm3BlockSize, tail_left);
    out[job.index] = DigestOf(v);
  }
}

// ---- AVX-512: 16 lanes --------------------------------------------------------------------------
//
// AVX-512F has a rotate instruction (VPROLD) and a three-input logic instruction (VPTERNLOGD) that
// computes FF, GG and every three-way XOR in one step; AVX512BW brings the byte shuffle that swaps
// the message words to big-endian.

// GCC 12's AVX-512 intrinsics pass _mm512_undefined_epi32() (a self-initialised variable) as the
// unused merge source, which -Wuninitialized reports once they are inlined into our code (GCC bug
// 105593, fixed in GCC 13). The value is never read: the mask is all ones.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

template <int N>
XY_TARGET_AVX512 XY_INLINE __m512i Rol16(__m512i x) {
  return _mm512_rol_epi32(x, N);
}

XY_TARGET_AVX512 XY_INLINE __m512i Xor3x16(__m512i a, __m512i b, __m512i c) {
  return _mm512_ternarylogic_epi32(a, b, c, 0x96);
}

XY_TARGET_AVX512 XY_INLINE __m512i Add16(__m512i a, __m512i b) { return _mm512_add_epi32(a, b); }

// Loads block l into row l, then transposes the 16×16 matrix of words so that row k holds word k
// of every block: four rounds of interleaving, of single words, pairs of words, then 128-bit
// quarters twice. 64 shuffles, against about 1,800 operations for the rounds.
XY_TARGET_AVX512 XY_INLINE void LoadTransposed16(const std::uint8_t* const* blocks, __m512i* w) {
  const __m512i swap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);
  __m512i r[16], t[16];
  for (int i = 0; i < 16; ++i) r[i] = _mm512_shuffle_epi8(_mm512_loadu_si512(blocks[i]), swap);
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
  }
  for (int g = 0; g < 16; g += 4) {
    r[g] = _mm512_unpacklo_epi64(t[g], t[g + 2]);
    r[g + 1] = _mm512_unpackhi_epi64(t[g], t[g + 2]);
    r[g + 2] = _mm512_unpacklo_epi64(t[g + 1], t[g + 3]);
    r[g + 3] = _mm512_unpackhi_epi64(t[g + 1], t[g + 3]);
  }
  // r[4g + m], 128-bit quarter k: word 4k + m of blocks 4g .. 4g + 3.
  for (int m = 0; m < 4; ++m) {
    const __m512i x_even = _mm512_shuffle_i32x4(r[m], r[4 + m], 0x88);
    const __m512i x_odd = _mm512_shuffle_i32x4(r[m], r[4 + m], 0xdd);
    const __m512i y_even = _mm512_shuffle_i32x4(r[8 + m], r[12 + m], 0x88);
    const __m512i y_odd = _mm512_shuffle_i32x4(r[8 + m], r[12 + m], 0xdd);
    w[m] = _mm512_shuffle_i32x4(x_even, y_even, 0x88);
    w[4 + m] = _mm512_shuffle_i32x4(x_odd, y_odd, 0x88);
    w[8 + m] = _mm512_shuffle_i32x4(x_even, y_even, 0xdd);
    w[12 + m] = _mm512_shuffle_i32x4(x_odd, y_odd, 0xdd);
  }
}

XY_TARGET_AVX512 void CompressLanes16(std::uint32_t* state, const std::uint8_t* const* blocks) {
  __m512i w[68];
  LoadTransposed16(blocks, w);
  __m512i v[8];
  for (int i = 0; i < 8; ++i) v[i] = _mm512_load_si512(state + 16 * i);
  __m512i a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
  for (int j = 0; j < 64; ++j) {
    if (j + 4 >= 16) {
      const int n = j + 4;
      const __m512i x = Xor3x16(w[n - 16], w[n - 9], Rol16<15>(w[n - 3]));
      w[n] = Xor3x16(Xor3x16(x, Rol16<15>(x), Rol16<23>(x)), Rol16<7>(w[n - 13]), w[n - 6]);
    }
    const __m512i a12 = Rol16<12>(a);
    const __m512i ss1 =
        Rol16<7>(Add16(a12, Add16(e, _mm512_set1_epi32(static_cast<int>(kRoundConstants[j])))));
    const __m512i ss2 = _mm512_xor_si512(ss1, a12);
    // FF and GG: XOR for the first 16 rounds, then majority (0xe8) and "e ? f : g" (0xca).
    const __m512i ff = j < 16 ? Xor3x16(a, b, c) : _mm512_ternarylogic_epi32(a, b, c, 0xe8);
    const __m512i gg = j < 16 ? Xor3x16(e, f, g) : _mm512_ternarylogic_epi32(e, f, g, 0xca);
    const __m512i tt1 = Add16(Add16(Add16(d, _mm512_xor_si512(w[j], w[j + 4])), ff), ss2);
    const __m512i tt2 = Add16(Add16(Add16(h, w[j]), gg), ss1);
    d = c;
    c = Rol16<9>(b);
    b = a;
    a = tt1;
    h = g;
    g = Rol16<19>(f);
    f = e;
    e = Xor3x16(tt2, Rol16<9>(tt2), Rol16<17>(tt2));
  }
  const __m512i out[8] = {a, b, c, d, e, f, g, h};
  for (int i = 0; i < 8; ++i) _mm512_store_si512(state + 16 * i, _mm512_xor_si512(v[i], out[i]));
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// ---- AVX2: 8 lanes ------------------------------------------------------------------------------
//
// The same kernel with two shifts and an OR per rotation and two-input logic.

template <int N>
XY_TARGET_AVX2 XY_INLINE __m256i Rol8(__m256i x) {
  return _mm256_or_si256(_mm256_slli_epi32(x, N), _mm256_srli_epi32(x, 32 - N));
}

XY_TARGET_AVX2 XY_INLINE __m256i Xor3x8(__m256i a, __m256i b, __m256i c) {
  return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
}

XY_TARGET_AVX2 XY_INLINE __m256i Add8(__m256i a, __m256i b) { return _mm256_add_epi32(a, b); }

XY_TARGET_AVX2 XY_INLINE void LoadTransposed8(const std::uint8_t* const* blocks, int half,
                                              __m256i* w) {
  const __m256i swap = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3, 2,
                                        1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
  __m256i r[8], t[8];
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm256_shuffle_epi8(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blocks[i] + 32 * half)), swap);
  }
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
  }
  for (int g = 0; g < 8; g += 4) {
    r[g] = _mm256_unpacklo_epi64(t[g], t[g + 2]);
    r[g + 1] = _mm256_unpackhi_epi64(t[g], t[g + 2]);
    r[g + 2] = _mm256_unpacklo_epi64(t[g + 1], t[g + 3]);
    r[g + 3] = _mm256_unpackhi_epi64(t[g + 1], t[g + 3]);
  }
  // r[4g + m], 128-bit lane k: word 4k + m of blocks 4g .. 4g + 3.
  for (int m = 0; m < 4; ++m) {
    w[m] = _mm256_permute2x128_si256(r[m], r[4 + m], 0x20);
    w[4 + m] = _mm256_permute2x128_si256(r[m], r[4 + m], 0x31);
  }
}

XY_TARGET_AVX2 void CompressLanes8(std::uint32_t* state, const std::uint8_t* const* blocks) {
  __m256i w[68];
  LoadTransposed8(blocks, 0, w);
  LoadTransposed8(blocks, 1, w + 8);
  __m256i v[8];
  for (int i = 0; i < 8; ++i) v[i] = _mm256_load_si256(reinterpret_cast<const __m256i*>(state) + i);
  __m256i a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
  for (int j = 0; j < 64; ++j) {
    if (j + 4 >= 16) {
      const int n = j + 4;
      const __m256i x = Xor3x8(w[n - 16], w[n - 9], Rol8<15>(w[n - 3]));
      w[n] = Xor3x8(Xor3x8(x, Rol8<15>(x), Rol8<23>(x)), Rol8<7>(w[n - 13]), w[n - 6]);
    }
    const __m256i a12 = Rol8<12>(a);
    const __m256i ss1 =
        Rol8<7>(Add8(a12, Add8(e, _mm256_set1_epi32(static_cast<int>(kRoundConstants[j])))));
    const __m256i ss2 = _mm256_xor_si256(ss1, a12);
    __m256i ff, gg;
    if (j < 16) {
      ff = Xor3x8(a, b, c);
      gg = Xor3x8(e, f, g);
    } else {
      ff = _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(c, _mm256_or_si256(a, b)));
      gg = _mm256_or_si256(_mm256_and_si256(e, f), _mm256_andnot_si256(e, g));
    }
    const __m256i tt1 = Add8(Add8(Add8(d, _mm256_xor_si256(w[j], w[j + 4])), ff), ss2);
    const __m256i tt2 = Add8(Add8(Add8(h, w[j]), gg), ss1);
    d = c;
    c = Rol8<9>(b);
    b = a;
    a = tt1;
    h = g;
    g = Rol8<19>(f);
    f = e;
    e = Xor3x8(tt2, Rol8<9>(tt2), Rol8<17>(tt2));
  }
  const __m256i out[8] = {a, b, c, d, e, f, g, h};
  for (int i = 0; i < 8; ++i) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(state) + i, _mm256_xor_si256(v[i], out[i]));
  }
}

#endif  // XY_SM3_X86

void RequireSameSize(std::span<const std::string_view> inputs, std::span<Sm3Digest> out) {
  if (inputs.size() != out.size()) {
    std::fprintf(stderr, "xy Sm3Many: %zu inputs but room for %zu digests\n", inputs.size(),
                 out.size());
    std::abort();
  }
}

}  // namespace

// ---- Sm3State -----------------------------------------------------------------------------------

void Sm3State::Update(std::string_view data) {
  Update(std::span<const std::uint8_t>(Bytes(data), data.size()));
}

void Sm3State::Update(std::span<const std::uint8_t> data) {
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  if (n == 0) return;
  std::size_t used = static_cast<std::size_t>(length_ % kSm3BlockSize);
  length_ += n;
  if (used > 0) {
    const std::size_t take = std::min(kSm3BlockSize - used, n);
    std::memcpy(buffer_.data() + used, p, take);
    p += take;
    n -= take;
    if (used + take < kSm3BlockSize) return;
    Compress(v_.data(), buffer_.data(), 1);
  }
  const std::size_t blocks = n / kSm3BlockSize;
  if (blocks > 0) Compress(v_.data(), p, blocks);
  p += blocks * kSm3BlockSize;
  n -= blocks * kSm3BlockSize;
  if (n > 0) std::memcpy(buffer_.data(), p, n);
}

Sm3Digest Sm3State::Finish() const { return FinishFrom(v_, buffer_.data(), length_); }

void Sm3Many(std::span<const std::string_view> inputs, std::span<Sm3Digest> out) {
  using ManyFn = void (*)(std::span<const std::string_view>, std::span<Sm3Digest>);
  static const ManyFn fn = Cpu().avx512 ? internal::Sm3ManyAvx512
                           : Cpu().avx2 ? internal::Sm3ManyAvx2
                                        : internal::Sm3ManyScalar;
  fn(inputs, out);
}

namespace internal {

Sm3Digest Sm3Scalar(std::string_view data) { return OneShot(data, Compress); }

Sm3Digest Sm3ScalarBaseline(std::string_view data) { return OneShot(data, CompressBaseline); }

void Sm3ManyScalar(std::span<const std::string_view> inputs, std::span<Sm3Digest> out) {
  RequireSameSize(inputs, out);
  for (std::size_t i = 0; i < inputs.size(); ++i) out[i] = Sm3Scalar(inputs[i]);
}

#if XY_SM3_X86

void Sm3ManyAvx2(std::span<const std::string_view> inputs, std::span<Sm3Digest> out) {
  RequireSameSize(inputs, out);
  ManyInLanes<8>(inputs, out, CompressLanes8);
}

void Sm3ManyAvx512(std::span<const std::string_view> inputs, std::span<Sm3Digest> out) {
  RequireSameSize(inputs, out);
  ManyInLanes<16>(inputs, out, CompressLanes16);
}

#else

// Never called (Sm3CpuHas*() are false), but defined so that the tests link everywhere.
void Sm3ManyAvx2(std::span<const std::string_view> inputs, std::span<Sm3Digest> out) {
  Sm3ManyScalar(inputs, out);
}

void Sm3ManyAvx512(std::span<const std::string_view> inputs, std::span<Sm3Digest> out) {
  Sm3ManyScalar(inputs, out);
}

#endif

bool Sm3CpuHasAvx2() { return Cpu().avx2; }
bool Sm3CpuHasAvx512() { return Cpu().avx512; }

std::string_view Sm3ManyImplementation() {
  return Cpu().avx512 ? "avx512" : Cpu().avx2 ? "avx2" : "scalar";
}

}  // namespace internal
}  // namespace xy
