// Throughput of the identifier checks, in codes per second on one core (items_per_second).
//
// The strict USCC check is the hot path of ingest and the API (domain/uscc.h); the target is at
// least 20 million codes per second per core there. The normalising paths are measured separately
// for ASCII input (the fast path without ICU) and for full-width / spaced input, which goes through
// ICU's NFKC and costs far more.
//
// Inputs are generated once with a fixed seed, so runs are comparable: realistic codes built from
// real authority pairs and province prefixes, mostly valid, about one in 32 with a single mistyped
// character (as a typo would be). They sit in one contiguous buffer, as rows of a file being
// ingested would, rather than in separately allocated strings.

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/date.h"
#include "domain/check.h"
#include "domain/citizen_id.h"
#include "domain/region.h"
#include "domain/uscc.h"

namespace xy {
namespace {

constexpr std::size_t kCount = std::size_t{1} << 16;  // a power of two: the loops wrap with a mask
constexpr std::uint64_t kSeed = 20260217;

// Province-level prefixes of GB/T 2260 (mainland).
constexpr int kProvinces[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41,
                              42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65};

// Strings stored back to back in one buffer, with views into it.
class Corpus {
 public:
  void Add(std::string_view s) { pending_.emplace_back(s); }

  // Call once after the last Add: the views point into buffer_, which must not move afterwards.
  void Seal() {
    for (const std::string& s : pending_) buffer_ += s;
    std::size_t offset = 0;
    for (const std::string& s : pending_) {
      views_.emplace_back(buffer_.data() + offset, s.size());
      offset += s.size();
    }
    pending_.clear();
  }

  std::string_view operator[](std::size_t i) const { return views_[i & (kCount - 1)]; }
  std::size_t size() const { return views_.size(); }

 private:
  std::vector<std::string> pending_;
  std::string buffer_;
  std::vector<std::string_view> views_;
};

std::size_t Pick(std::mt19937_64& rng, std::size_t n) {
  return static_cast<std::size_t>(rng() % n);
}

std::string Digits(std::mt19937_64& rng, int count) {
  std::string s;
  for (int i = 0; i < count; ++i) s += static_cast<char>('0' + Pick(rng, 10));
  return s;
}

// A single mistyped character at a random position: another character of `alphabet`.
void Typo(std::mt19937_64& rng, std::string& s, std::string_view alphabet) {
  std::size_t pos = Pick(rng, s.size());
  char c;
  do {
    c = alphabet[Pick(rng, alphabet.size())];
  } while (c == s[pos]);
  s[pos] = c;
}

std::vector<std::string> CanonicalUsccs() {
  std::mt19937_64 rng(kSeed);
  const std::vector<AuthorityTable::Pair>& pairs = AuthorityTable::Default().pairs();
  std::vector<std::string> out;
  out.reserve(kCount);
  while (out.size() < kCount) {
    // Most registered subjects are enterprises, self-employed and cooperatives (91, 92, 93).
    char authority = '9', category = "123"[Pick(rng, 3)];
    if (Pick(rng, 4) == 0) {
      const AuthorityTable::Pair& p = pairs[Pick(rng, pairs.size())];
      authority = p.authority;
      category = p.category;
    }
    std::string region = std::to_string(kProvinces[Pick(rng, std::size(kProvinces))]) + "0" +
                         std::to_string(1 + Pick(rng, 9)) + Digits(rng, 2);
    // New organisation codes are "MA" and seven alphabet characters; older ones mostly digits.
    std::string body;
    if (Pick(rng, 2) == 0) {
      body = "MA";
      for (int i = 0; i < 6; ++i) body += UsccValueChar(static_cast<int>(Pick(rng, 31)));
    } else {
      body = Digits(rng, 8);
    }
    Result<Uscc> code = Uscc::Make(authority, category, region, body);
    if (!code) continue;
    std::string s(code->str());
    if (Pick(rng, 32) == 0) Typo(rng, s, "0123456789ABCDEFGHJKLMNPQRTUWXY");
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> CanonicalCitizenIds() {
  std::mt19937_64 rng(kSeed);
  // Real address codes, found by trying plausible ones against the region table.
  std::vector<std::string> regions;
  while (regions.size() < 512) {
    std::string code = std::to_string(kProvinces[Pick(rng, std::size(kProvinces))]) + "0" +
                       std::to_string(1 + Pick(rng, 9)) + "0" + std::to_string(1 + Pick(rng, 9));
    if (RegionTable::Default().Find(code) != nullptr) regions.push_back(code);
  }
  const std::int64_t first =
      ToDayNumber(Date{std::chrono::year(1950), std::chrono::January, std::chrono::day(1)});
  const std::int64_t last =
      ToDayNumber(Date{std::chrono::year(2008), std::chrono::December, std::chrono::day(31)});
  std::vector<std::string> out;
  out.reserve(kCount);
  while (out.size() < kCount) {
    std::string birth = FormatIsoDate(
        FromDayNumber(first + static_cast<std::int64_t>(Pick(rng, last - first + 1))));
    std::string id = regions[Pick(rng, regions.size())] + birth.substr(0, 4) + birth.substr(5, 2) +
                     birth.substr(8, 2) + Digits(rng, 3);
    id += CitizenIdCheckChar(id);
    if (Pick(rng, 32) == 0) Typo(rng, id, "0123456789");
    out.push_back(std::move(id));
  }
  return out;
}

// "ab 12" → "ａｂ　１２": the full-width forms phone keyboards and Word produce.
std::string FullWidth(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ') {
      out += "\u3000";
      continue;
    }
    char32_t cp = static_cast<char32_t>(c) - 0x21 + 0xFF01;  // U+FF01 … U+FF5E
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Typed or pasted ASCII variants of a canonical code: grouped with spaces or hyphens, lower case,
// surrounding blanks; a quarter are left canonical.
std::string AsciiVariant(std::mt19937_64& rng, const std::string& code) {
  switch (Pick(rng, 4)) {
    case 0:
      return code;
    case 1:
      return code.substr(0, 6) + " " + code.substr(6, 4) + " " + code.substr(10, 4) + " " +
             code.substr(14);
    case 2:
      return Lower(code);
    default:
      return " " + code.substr(0, 8) + "-" + code.substr(8) + "\t";
  }
}

Corpus Build(const std::vector<std::string>& codes,
             const std::function<std::string(std::mt19937_64&, const std::string&)>& variant) {
  std::mt19937_64 rng(kSeed + 1);
  Corpus corpus;
  for (const std::string& code : codes) corpus.Add(variant(rng, code));
  corpus.Seal();
  return corpus;
}

std::string Same(std::mt19937_64&, const std::string& code) { return code; }

std::string FullWidthVariant(std::mt19937_64& rng, const std::string& code) {
  std::string spaced = Pick(rng, 2) == 0 ? code : code.substr(0, 9) + " " + code.substr(9);
  return FullWidth(spaced);
}

const Corpus& UsccStrictInputs() {
  static const Corpus kCorpus = Build(CanonicalUsccs(), Same);
  return kCorpus;
}
const Corpus& UsccAsciiInputs() {
  static const Corpus kCorpus = Build(CanonicalUsccs(), AsciiVariant);
  return kCorpus;
}
const Corpus& UsccFullWidthInputs() {
  static const Corpus kCorpus = Build(CanonicalUsccs(), FullWidthVariant);
  return kCorpus;
}
const Corpus& IdStrictInputs() {
  static const Corpus kCorpus = Build(CanonicalCitizenIds(), Same);
  return kCorpus;
}
const Corpus& IdAsciiInputs() {
  static const Corpus kCorpus = Build(CanonicalCitizenIds(), AsciiVariant);
  return kCorpus;
}
const Corpus& IdFullWidthInputs() {
  static const Corpus kCorpus = Build(CanonicalCitizenIds(), FullWidthVariant);
  return kCorpus;
}

const FixedClock kToday(Date{std::chrono::year(2026), std::chrono::February, std::chrono::day(17)});

// Shared tail of every benchmark: throughput in items, and what share of the inputs was valid, so a
// broken generator (everything failing at the first rule) cannot pass for a fast check.
template <typename Check>
void Run(benchmark::State& state, const Corpus& inputs, Check check) {
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(check(inputs[i++]));
  }
  state.SetItemsProcessed(state.iterations());
  std::size_t valid = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k) valid += check(inputs[k]) ? 1 : 0;
  state.counters["valid_share"] = static_cast<double>(valid) / static_cast<double>(inputs.size());
}

// Callers write CheckUsccStrict(code) and get the default rules; this is what they pay.
void BM_UsccStrict(benchmark::State& state) {
  Run(state, UsccStrictInputs(),
      [](std::string_view s) { return CheckUsccStrict(s) == CheckRule::kOk; });
}
BENCHMARK(BM_UsccStrict);

// The same with the tables looked up once, as a batch loop can.
void BM_UsccStrictRulesHoisted(benchmark::State& state) {
  const UsccRules rules = UsccRules::Default();
  Run(state, UsccStrictInputs(),
      [&rules](std::string_view s) { return CheckUsccStrict(s, rules) == CheckRule::kOk; });
}
BENCHMARK(BM_UsccStrictRulesHoisted);

void BM_UsccNormalizeAscii(benchmark::State& state) {
  Run(state, UsccAsciiInputs(),
      [](std::string_view s) { return CheckUscc(s, CheckMode::kNormalize).valid(); });
}
BENCHMARK(BM_UsccNormalizeAscii);

void BM_UsccNormalizeFullWidth(benchmark::State& state) {
  Run(state, UsccFullWidthInputs(),
      [](std::string_view s) { return CheckUscc(s, CheckMode::kNormalize).valid(); });
}
BENCHMARK(BM_UsccNormalizeFullWidth);

void BM_CitizenIdStrict(benchmark::State& state) {
  Run(state, IdStrictInputs(),
      [](std::string_view s) { return CheckCitizenId(s, kToday, CheckMode::kStrict).valid(); });
}
BENCHMARK(BM_CitizenIdStrict);

void BM_CitizenIdNormalizeAscii(benchmark::State& state) {
  Run(state, IdAsciiInputs(),
      [](std::string_view s) { return CheckCitizenId(s, kToday, CheckMode::kNormalize).valid(); });
}
BENCHMARK(BM_CitizenIdNormalizeAscii);

void BM_CitizenIdNormalizeFullWidth(benchmark::State& state) {
  Run(state, IdFullWidthInputs(),
      [](std::string_view s) { return CheckCitizenId(s, kToday, CheckMode::kNormalize).valid(); });
}
BENCHMARK(BM_CitizenIdNormalizeFullWidth);

}  // namespace
}  // namespace xy
