// Internal to src/scoring: typed reading of one TOML configuration file (a model, an overlay, a
// draw task) with errors that name the file, the line and the key path, in English and Chinese. Not
// for other layers (ingest has its own catalogue loader; the CLI its config reader).
//
// Every accessor records the line of the key it read, so a later semantic error on that path (a
// weight sum, a band gap) still names the line.
//
// Thread-safety: a single-owner value.

#ifndef XY_SCORING_CONFIG_READER_H_
#define XY_SCORING_CONFIG_READER_H_

#include <toml++/toml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace xy::scoring::internal {

using KeySet = std::set<std::string_view>;

std::string Sub(const std::string& path, std::string_view key);
std::string Index(const std::string& path, std::size_t i);
std::string Quoted(std::string_view s);
std::string QuotedZh(std::string_view s);
// A scaled integer as a decimal: FormatFixed(3500, 4) = "0.35", FormatFixed(-10, 0) = "-10".
std::string FormatFixed(std::int64_t scaled, int decimals);
// [a-z][a-z0-9_]*, at most 64 bytes: the shape of every code in models and tasks.
bool IsCode(std::string_view s);

class ConfigReader {
 public:
  // `reason_prefix`: "model" gives "model.parse" / "model.invalid". `kind_zh`: how the Chinese
  // message names the file ("评价模型配置文件").
  ConfigReader(std::string source, std::string reason_prefix, std::string kind_zh);

  // Errors: kInvalidArgument "<prefix>.parse" with the line of the syntax error.
  Result<toml::table> Parse(std::string_view text);

  // kInvalidArgument "<prefix>.invalid": "<source>:<line>: <path>: <en>".
  std::unexpected<Error> Bad(const std::string& path, const std::string& en,
                             const std::string& zh) const;
  void Note(const std::string& path, const toml::node& n);

  // Refuses keys outside `allowed`.
  Result<void> CheckKeys(const toml::table& t, const std::string& path, const KeySet& allowed);

  Result<std::optional<std::string>> OptString(const toml::table& t, std::string_view key,
                                               const std::string& path);
  Result<std::string> ReqString(const toml::table& t, std::string_view key,
                                const std::string& path);
  Result<std::optional<bool>> OptBool(const toml::table& t, std::string_view key,
                                      const std::string& path);
  Result<std::optional<std::int64_t>> OptInt(const toml::table& t, std::string_view key,
                                             const std::string& path, std::int64_t min,
                                             std::int64_t max);
  // A number (integer or float) with at most `decimals` fractional digits, returned scaled by
  // 10^decimals, in [min, max] (scaled).
  Result<std::optional<std::int64_t>> OptFixed(const toml::table& t, std::string_view key,
                                               const std::string& path, int decimals,
                                               std::int64_t min, std::int64_t max);
  Result<std::int64_t> FixedValue(const toml::node& n, const std::string& path, int decimals,
                                  std::int64_t min, std::int64_t max);
  Result<std::optional<std::vector<std::string>>> OptStrings(const toml::table& t,
                                                             std::string_view key,
                                                             const std::string& path);
  // An array of tables ([[x]]); nullptr when absent.
  Result<const toml::array*> OptTables(const toml::table& t, std::string_view key,
                                       const std::string& path);
  // A table ([x] or x = {…}); nullptr when absent.
  Result<const toml::table*> OptTable(const toml::table& t, std::string_view key,
                                      const std::string& path);

  const std::string& source() const { return source_; }

 private:
  std::unexpected<Error> WrongType(const std::string& path, const toml::node& n,
                                   std::string_view want_en, std::string_view want_zh) const;

  std::string source_;
  std::string prefix_;
  std::string kind_zh_;
  std::map<std::string, int> lines_;
};

}  // namespace xy::scoring::internal

#endif  // XY_SCORING_CONFIG_READER_H_
