// Fuzzes RegionTable::Parse (domain/region.h) on arbitrary bytes. A table that parses must answer
// consistently for every row it accepted: Find, the province prefixes, Ancestry, FullName, NameIn
// and FindByPath may not crash and may not contradict each other.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/text.h"
#include "domain/region.h"
#include "fuzz_check.h"

namespace xy {
namespace {

std::vector<std::string_view> Lines(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    std::size_t end = s.find('\n');
    out.push_back(s.substr(0, end));
    if (end == std::string_view::npos) return out;
    s.remove_prefix(end + 1);
  }
}

// `deep` adds FindByPath, which walks the whole table: done for the first rows only, so that large
// inputs stay fast enough to fuzz.
void CheckRegion(const RegionTable& table, const Region& r, bool deep) {
  XY_FUZZ_CHECK(r.code >= 100000 && r.code <= 999999);
  XY_FUZZ_CHECK(!r.periods.empty());
  XY_FUZZ_CHECK(table.Find(r.code) == &r);
  XY_FUZZ_CHECK(table.Find(std::to_string(r.code)) == &r);
  RegionLevel want = r.code % 10000 == 0 ? RegionLevel::kProvince
                     : r.code % 100 == 0 ? RegionLevel::kPrefecture
                                         : RegionLevel::kCounty;
  XY_FUZZ_CHECK(r.level == want);
  // A province-level row and its prefix go together.
  XY_FUZZ_CHECK(table.IsProvincePrefix(r.code / 10000) ==
                (table.Find(r.code / 10000 * 10000) != nullptr));

  // Oldest first: periods are ordered by their end year, an open end last.
  for (std::size_t i = 1; i < r.periods.size(); ++i) {
    XY_FUZZ_CHECK(r.periods[i - 1].valid_to.value_or(9999) <= r.periods[i].valid_to.value_or(9999));
  }
  for (int year : {0, 1949, 1990, 2024, 9999}) {
    const std::string& name = r.NameIn(year);
    bool found = false;
    for (const RegionPeriod& p : r.periods) found = found || &p.name == &name;
    XY_FUZZ_CHECK(found);
  }

  std::vector<const Region*> chain = table.Ancestry(r.code);
  XY_FUZZ_CHECK(!chain.empty() && chain.back() == &r && chain.size() <= 3);
  std::string full = table.FullName(r.code);
  XY_FUZZ_CHECK(!full.empty());
  XY_FUZZ_CHECK(!table.FullName(r.code, 2000).empty());

  if (!deep) return;
  // The path may be ambiguous or contain '/' inside a name, but an answer must name a real row.
  Result<int> found = table.FindByPath(full);
  if (found) {
    XY_FUZZ_CHECK(table.Find(*found) != nullptr);
  } else {
    XY_FUZZ_CHECK(found.error().reason == "region.unknown" ||
                  found.error().reason == "region.ambiguous");
  }
}

}  // namespace
}  // namespace xy

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xy;
  std::string_view tsv = fuzz::AsView(data, size);
  Result<RegionTable> table = RegionTable::Parse(tsv);
  if (!table) {
    XY_FUZZ_CHECK(table.error().reason == "region.parse");
    XY_FUZZ_CHECK(!table.error().message.empty() && IsValidUtf8(table.error().message));
    XY_FUZZ_CHECK(IsValidUtf8(table.error().message_zh));
    return 0;
  }
  XY_FUZZ_CHECK(table->size() > 0);

  // Parse accepted every line, so every data row's code must be found. Rows are the lines that are
  // not empty, not comments and not the optional header (the first such line, starting "code\t").
  std::size_t rows = 0;
  bool first = true;
  for (std::string_view line : Lines(tsv)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    bool header = first && line.starts_with("code\t");
    first = false;
    if (header) continue;
    ++rows;
    XY_FUZZ_CHECK(line.size() >= 6);
    const Region* r = table->Find(line.substr(0, 6));
    XY_FUZZ_CHECK(r != nullptr);
    CheckRegion(*table, *r, rows <= 16);
  }
  XY_FUZZ_CHECK(rows >= table->size());

  // Lookups of codes that are not six digits find nothing, and never crash.
  XY_FUZZ_CHECK(table->Find(std::string_view("12345")) == nullptr);
  XY_FUZZ_CHECK(table->Find(std::string_view("12345x")) == nullptr);
  (void)table->FindByPath(tsv.substr(0, 64));
  return 0;
}
