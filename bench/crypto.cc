// SM3 and HMAC-SM3 throughput: OpenSSL 3.0 (what crypto.cc used before base/sm3.h) against our
// scalar code and Sm3Many, on one core.
//
// Ingest hashes every raw row (about 700 bytes) and the whole file, and derives blind indexes with
// HmacSm3Key::Mac of 18-character ID numbers, so those are the shapes measured. The OpenSSL
// figures call EVP exactly as the old crypto.cc did (a fetched SM3 and a per-thread context for
// the one-shot hash; a duplicated keyed context per MAC), so "old" and "new" here are what ingest
// paid before and pays now. Compare bytes_per_second (hashes) or items_per_second (MACs).
//
// Rows are generated once with a fixed seed and sit back to back in one buffer, as the rows of a
// file being read would.

#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/crypto.h"
#include "base/sm3.h"

namespace xy {
namespace {

constexpr std::size_t kRowSize = 700;
constexpr std::size_t kRows = 4096;  // 2.8 MB: larger than L2, as a real batch of rows is
constexpr std::size_t kBatch = 256;  // rows per Sm3Many call
constexpr std::size_t kChunk = 64 * 1024;

const std::string& Buffer() {
  static const std::string buffer = [] {
    std::mt19937_64 rng(20260217);
    std::string out(kRows * kRowSize, '\0');
    for (char& c : out) c = static_cast<char>(' ' + rng() % 95);  // printable, like CSV
    return out;
  }();
  return buffer;
}

const std::vector<std::string_view>& Rows() {
  static const std::vector<std::string_view> rows = [] {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < kRows; ++i) {
      out.push_back(std::string_view(Buffer()).substr(i * kRowSize, kRowSize));
    }
    return out;
  }();
  return rows;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "bench_crypto: %s failed\n", what);
    std::abort();
  }
}

const EVP_MD* OpenSslSm3Md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SM3", nullptr);
  return md;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

// The old Sm3(): per-thread context, re-initialised for each message.
Sm3Digest OpenSslSm3(std::string_view data) {
  thread_local const std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  Sm3Digest out;
  unsigned int length = 0;
  Check(EVP_DigestInit_ex2(ctx.get(), OpenSslSm3Md(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
            EVP_DigestFinal_ex(ctx.get(), out.data(), &length) == 1,
        "OpenSSL SM3");
  return out;
}

void SetRowCounters(benchmark::State& state, std::size_t rows) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * rows * kRowSize));
}

// ---- One 700-byte row at a time -----------------------------------------------------------------

void BM_RowOpenSsl(benchmark::State& state) {
  const std::vector<std::string_view>& rows = Rows();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(OpenSslSm3(rows[i]));
    i = (i + 1) % kRows;
  }
  SetRowCounters(state, 1);
}
BENCHMARK(BM_RowOpenSsl);

void BM_RowScalar(benchmark::State& state) {
  const std::vector<std::string_view>& rows = Rows();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Sm3(rows[i]));
    i = (i + 1) % kRows;
  }
  SetRowCounters(state, 1);
}
BENCHMARK(BM_RowScalar);

// ---- Batches of rows through Sm3Many ------------------------------------------------------------

template <void (*kHash)(std::span<const std::string_view>, std::span<Sm3Digest>)>
void RowsInBatches(benchmark::State& state) {
  const std::vector<std::string_view>& rows = Rows();
  std::vector<Sm3Digest> out(kBatch);
  std::size_t at = 0;
  for (auto _ : state) {
    kHash(std::span(rows).subspan(at, kBatch), out);
    benchmark::DoNotOptimize(out.data());
    at = (at + kBatch) % kRows;
  }
  SetRowCounters(state, kBatch);
}

void BM_RowsManyDispatched(benchmark::State& state) {
  state.SetLabel(std::string(internal::Sm3ManyImplementation()));
  RowsInBatches<Sm3Many>(state);
}
BENCHMARK(BM_RowsManyDispatched);

void BM_RowsManyAvx512(benchmark::State& state) {
  if (!internal::Sm3CpuHasAvx512()) {
    state.SkipWithError("no AVX-512 on this CPU");
    return;
  }
  RowsInBatches<internal::Sm3ManyAvx512>(state);
}
BENCHMARK(BM_RowsManyAvx512);

void BM_RowsManyAvx2(benchmark::State& state) {
  if (!internal::Sm3CpuHasAvx2()) {
    state.SkipWithError("no AVX2 on this CPU");
    return;
  }
  RowsInBatches<internal::Sm3ManyAvx2>(state);
}
BENCHMARK(BM_RowsManyAvx2);

void BM_RowsManyScalar(benchmark::State& state) { RowsInBatches<internal::Sm3ManyScalar>(state); }
BENCHMARK(BM_RowsManyScalar);

// Small batches, where idle lanes and the set-up of each call weigh most.
void BM_RowsManySmallBatch(benchmark::State& state) {
  const std::size_t batch = static_cast<std::size_t>(state.range(0));
  const std::vector<std::string_view>& rows = Rows();
  std::vector<Sm3Digest> out(batch);
  std::size_t at = 0;
  for (auto _ : state) {
    Sm3Many(std::span(rows).subspan(at, batch), out);
    benchmark::DoNotOptimize(out.data());
    at = (at + batch) % (kRows - batch);
  }
  SetRowCounters(state, batch);
}
BENCHMARK(BM_RowsManySmallBatch)->Arg(2)->Arg(3)->Arg(4)->Arg(8)->Arg(16)->Arg(17)->Arg(32);

// ---- A file in 64 KiB reads ---------------------------------------------------------------------

void BM_StreamOpenSsl(benchmark::State& state) {
  const std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  Check(EVP_DigestInit_ex2(ctx.get(), OpenSslSm3Md(), nullptr) == 1, "OpenSSL SM3 init");
  const std::string_view chunk = std::string_view(Buffer()).substr(0, kChunk);
  for (auto _ : state) {
    Check(EVP_DigestUpdate(ctx.get(), chunk.data(), chunk.size()) == 1, "OpenSSL SM3 update");
  }
  Sm3Digest out;
  unsigned int length = 0;
  Check(EVP_DigestFinal_ex(ctx.get(), out.data(), &length) == 1, "OpenSSL SM3 final");
  benchmark::DoNotOptimize(out);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kChunk));
}
BENCHMARK(BM_StreamOpenSsl);

void BM_StreamHasher(benchmark::State& state) {
  Sm3Hasher hasher;
  const std::string_view chunk = std::string_view(Buffer()).substr(0, kChunk);
  for (auto _ : state) hasher.Update(chunk);
  benchmark::DoNotOptimize(hasher.Finish());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kChunk));
}
BENCHMARK(BM_StreamHasher);

// ---- Blind index: HMAC-SM3 of an 18-character ID number -----------------------------------------

constexpr std::string_view kIdNumber = "11010519491231002X";

std::span<const std::uint8_t> MacKey() {
  static const std::array<std::uint8_t, 32> key = [] {
    std::array<std::uint8_t, 32> k;
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i * 7);
    return k;
  }();
  return key;
}

// The old HmacSm3Key::Mac: a keyed context built once, duplicated for each MAC.
void BM_MacOpenSsl(benchmark::State& state) {
  const std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac(
      EVP_MAC_fetch(nullptr, "HMAC", nullptr), &EVP_MAC_free);
  const std::unique_ptr<EVP_MAC_CTX, MacCtxFree> keyed(EVP_MAC_CTX_new(mac.get()));
  char digest[] = "SM3";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  Check(EVP_MAC_init(keyed.get(), MacKey().data(), MacKey().size(), params) == 1, "HMAC init");
  for (auto _ : state) {
    const std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_dup(keyed.get()));
    Sm3Digest out;
    std::size_t length = 0;
    Check(ctx != nullptr &&
              EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(kIdNumber.data()),
                             kIdNumber.size()) == 1 &&
              EVP_MAC_final(ctx.get(), out.data(), &length, out.size()) == 1,
          "HMAC-SM3");
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_MacOpenSsl);

void BM_MacPreparedKey(benchmark::State& state) {
  const HmacSm3Key key(MacKey());
  for (auto _ : state) benchmark::DoNotOptimize(key.Mac(kIdNumber));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_MacPreparedKey);

}  // namespace
}  // namespace xy
