// GB/T 2260 administrative divisions, with their history.
//
// A RegionTable holds every code that is or was in use (data/gbt2260-regions.tsv): its level, and one
// period per stretch of years it named a unit (a code can be retired and later reused for another
// unit). Citizen ID numbers keep the code of the place of first registration forever, so identifier
// checks accept historic codes; new records use current ones.
//
// Thread-safety: immutable after Parse; Default() is built once and safe to share.

#ifndef XY_DOMAIN_REGION_H_
#define XY_DOMAIN_REGION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"

namespace xy {

enum class RegionLevel { kProvince, kPrefecture, kCounty };

// "province", "prefecture", "county".
std::string_view RegionLevelName(RegionLevel level);

struct RegionPeriod {
  std::string name;
  std::optional<int> valid_from;  // first year in use; empty when the source gives none
  std::optional<int> valid_to;    // last year in use; empty while still current
};

struct Region {
  int code = 0;  // six digits, 340422
  RegionLevel level = RegionLevel::kCounty;
  std::vector<RegionPeriod> periods;  // oldest first; never empty

  bool current() const { return !periods.back().valid_to.has_value(); }
  // The most recent name.
  const std::string& name() const { return periods.back().name; }
  // The name in use in `year`, or the most recent one when no period covers it.
  const std::string& NameIn(int year) const;
};

class RegionTable {
 public:
  // Parses the TSV format of data/gbt2260-regions.tsv (comment lines, a header row, then
  // code, valid_from, valid_to, province, name). Errors name the line: kInvalidArgument "region.parse".
  static Result<RegionTable> Parse(std::string_view tsv);

  // The table compiled into the binary.
  static const RegionTable& Default();

  // The code's entry, present or historic; nullptr when the code never existed.
  const Region* Find(int code) const;
  // As above from six ASCII digits; nullptr for anything else.
  const Region* Find(std::string_view six_digits) const;

  // True when `two_digits` (11 … 82) is the prefix of a province-level code that is or was in use.
  bool IsProvincePrefix(int two_digits) const {
    return two_digits >= 0 && two_digits < 100 && province_prefix_[two_digits];
  }

  // The chain province → prefecture → county for a code (only the levels that exist, and without
  // the placeholder units "市辖区", "县", "省直辖县级行政区划" that GB/T 2260 uses as prefecture rows
  // under municipalities). `year`, when given, picks the names in use then.
  std::vector<const Region*> Ancestry(int code) const;

  // "安徽省/淮南市/寿县" for 340422; the names are the current ones (or those in use in `year`).
  std::string FullName(int code, std::optional<int> year = std::nullopt) const;

  // Finds a code by its full name path, "安徽省/淮南市/寿县" or "淮南市/寿县" under a unique prefix;
  // current units are preferred over historic ones with the same path.
  // Errors: kNotFound "region.unknown"; kInvalidArgument "region.ambiguous" (lists the candidates).
  Result<int> FindByPath(std::string_view path) const;

  std::size_t size() const { return regions_.size(); }

 private:
  bool IsPlaceholder(const Region& r) const;

  std::unordered_map<int, Region> regions_;
  bool province_prefix_[100] = {};
};

}  // namespace xy

#endif  // XY_DOMAIN_REGION_H_
