#include "domain/region.h"

#include <algorithm>
#include <cstdlib>

#include "base/embedded.h"
#include "base/text.h"

namespace xy {
namespace {

std::optional<int> ParseDigits(std::string_view s, std::size_t length) {
  if (s.size() != length) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool Covers(const RegionPeriod& p, int year) {
  return (!p.valid_from || *p.valid_from <= year) && (!p.valid_to || year <= *p.valid_to);
}

bool AnyNameIs(const Region& r, std::string_view name) {
  return std::any_of(r.periods.begin(), r.periods.end(),
                     [&](const RegionPeriod& p) { return p.name == name; });
}

}  // namespace

std::string_view RegionLevelName(RegionLevel level) {
  switch (level) {
    case RegionLevel::kProvince:
      return "province";
    case RegionLevel::kPrefecture:
      return "prefecture";
    case RegionLevel::kCounty:
      return "county";
  }
  return "county";
}

const std::string& Region::NameIn(int year) const {
  for (auto it = periods.rbegin(); it != periods.rend(); ++it) {
    if (Covers(*it, year)) return it->name;
  }
  return name();
}

Result<RegionTable> RegionTable::Parse(std::string_view tsv) {
  RegionTable table;
  bool header_seen = false;
  int line_no = 0;
  for (std::string_view line : SplitView(tsv, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (!header_seen) {
      header_seen = true;
      if (line.starts_with("code\t")) continue;
    }
    auto bad = [&](std::string what) {
      return Fail(ErrorCode::kInvalidArgument, "region.parse",
                  "region table line " + std::to_string(line_no) + ": " + what,
                  "行政区划表第 " + std::to_string(line_no) + " 行格式错误");
    };
    std::vector<std::string_view> cols = SplitView(line, '\t');
    if (cols.size() != 5) return bad("expected 5 tab-separated columns");
    std::optional<int> code = ParseDigits(cols[0], 6);
    if (!code || *code < 100000) return bad("code is not six digits");
    RegionPeriod period{std::string(cols[4]), std::nullopt, std::nullopt};
    if (period.name.empty()) return bad("empty name");
    if (!cols[1].empty() && !(period.valid_from = ParseDigits(cols[1], 4))) {
      return bad("valid_from is not a year");
    }
    if (!cols[2].empty() && !(period.valid_to = ParseDigits(cols[2], 4))) {
      return bad("valid_to is not a year");
    }
    Region& r = table.regions_[*code];
    if (r.periods.empty()) {
      r.code = *code;
      r.level = *code % 10000 == 0  ? RegionLevel::kProvince
                : *code % 100 == 0 ? RegionLevel::kPrefecture
                                   : RegionLevel::kCounty;
      if (r.level == RegionLevel::kProvince) table.province_prefix_[*code / 10000] = true;
    }
    r.periods.push_back(std::move(period));
  }
  if (table.regions_.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "region.parse", "region table has no rows",
                "行政区划表为空");
  }
  for (auto& [code, r] : table.regions_) {
    // Oldest first; a period with no start year is the oldest, an open end is the newest.
    std::stable_sort(r.periods.begin(), r.periods.end(),
                     [](const RegionPeriod& a, const RegionPeriod& b) {
                       int ak = a.valid_to.value_or(9999), bk = b.valid_to.value_or(9999);
                       if (ak != bk) return ak < bk;
                       return a.valid_from.value_or(0) < b.valid_from.value_or(0);
                     });
  }
  return table;
}

const RegionTable& RegionTable::Default() {
  static const RegionTable* const kTable = [] {
    Result<RegionTable> t = Parse(EmbeddedData("gbt2260-regions.tsv"));
    if (!t) std::abort();  // a broken embedded file is a build bug; tests parse it
    return new RegionTable(std::move(*t));
  }();
  return *kTable;
}

const Region* RegionTable::Find(int code) const {
  auto it = regions_.find(code);
  return it == regions_.end() ? nullptr : &it->second;
}

const Region* RegionTable::Find(std::string_view six_digits) const {
  std::optional<int> code = ParseDigits(six_digits, 6);
  return code ? Find(*code) : nullptr;
}

bool RegionTable::IsPlaceholder(const Region& r) const {
  const std::string& n = r.name();
  return r.level == RegionLevel::kPrefecture &&
         (n == "市辖区" || n == "县" || n.ends_with("直辖县级行政区划") || n.ends_with("直辖行政单位"));
}

std::vector<const Region*> RegionTable::Ancestry(int code) const {
  std::vector<const Region*> chain;
  for (int c : {code / 10000 * 10000, code / 100 * 100, code}) {
    const Region* r = Find(c);
    if (r == nullptr || (!chain.empty() && chain.back() == r)) continue;
    if (c != code && IsPlaceholder(*r)) continue;
    chain.push_back(r);
  }
  return chain;
}

std::string RegionTable::FullName(int code, std::optional<int> year) const {
  std::string out;
  for (const Region* r : Ancestry(code)) {
    if (!out.empty()) out += '/';
    out += year ? r->NameIn(*year) : r->name();
  }
  return out;
}

Result<int> RegionTable::FindByPath(std::string_view path) const {
  std::vector<std::string_view> segments = SplitView(path, '/');
  std::erase_if(segments, [](std::string_view s) { return s.empty(); });
  std::vector<const Region*> matches;
  if (!segments.empty()) {
    for (const auto& [code, r] : regions_) {
      std::vector<const Region*> chain = Ancestry(code);
      if (chain.empty() || chain.back() != &r || chain.size() < segments.size()) continue;
      bool ok = true;
      for (std::size_t i = 0; i < segments.size() && ok; ++i) {
        ok = AnyNameIs(*chain[chain.size() - segments.size() + i], segments[i]);
      }
      if (ok) matches.push_back(&r);
    }
  }
  if (matches.size() > 1) {
    // Prefer units in use today; a path that still names several is ambiguous.
    std::vector<const Region*> current;
    for (const Region* r : matches) {
      if (r->current()) current.push_back(r);
    }
    if (current.size() == 1) return current.front()->code;
    if (!current.empty()) matches = current;
  }
  if (matches.empty()) {
    return Fail(ErrorCode::kNotFound, "region.unknown",
                "no GB/T 2260 region named '" + std::string(path) + "'",
                "未找到行政区划“" + std::string(path) + "”");
  }
  if (matches.size() > 1) {
    std::sort(matches.begin(), matches.end(),
              [](const Region* a, const Region* b) { return a->code < b->code; });
    std::string list;
    for (const Region* r : matches) {
      if (!list.empty()) list += ", ";
      list += std::to_string(r->code) + " " + FullName(r->code);
    }
    return Fail(ErrorCode::kInvalidArgument, "region.ambiguous",
                "'" + std::string(path) + "' names several regions: " + list,
                "“" + std::string(path) + "”对应多个行政区划：" + list + "，请写出完整路径");
  }
  return matches.front()->code;
}

}  // namespace xy
