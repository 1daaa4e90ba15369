#include "scoring/config_reader.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace xy::scoring::internal {
namespace {

std::pair<std::string_view, std::string_view> TypeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return {"a table", "表"};
    case toml::node_type::array:
      return {"an array", "数组"};
    case toml::node_type::string:
      return {"a string", "字符串"};
    case toml::node_type::integer:
      return {"an integer", "整数"};
    case toml::node_type::floating_point:
      return {"a float", "浮点数"};
    case toml::node_type::boolean:
      return {"a boolean", "布尔值"};
    case toml::node_type::date:
      return {"a date", "日期"};
    case toml::node_type::time:
      return {"a time", "时间"};
    case toml::node_type::date_time:
      return {"a date-time", "日期时间"};
    default:
      return {"nothing", "空值"};
  }
}

std::int64_t Pow10(int n) {
  std::int64_t p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

std::string JoinKeys(const KeySet& keys) {
  std::string out;
  for (std::string_view k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

// The parent of a key path: "a.b[2].c" → "a.b[2]" → "a.b" → "a" → "".
std::string Parent(const std::string& path) {
  std::size_t cut = path.find_last_of(".[");
  return cut == std::string::npos ? std::string() : path.substr(0, cut);
}

}  // namespace

std::string Sub(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string Index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}
std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }
std::string QuotedZh(std::string_view s) { return "“" + std::string(s) + "”"; }

std::string FormatFixed(std::int64_t scaled, int decimals) {
  bool neg = scaled < 0;
  // Magnitudes here are far below 2^62, so negating is safe.
  std::uint64_t mag =
      neg ? static_cast<std::uint64_t>(-scaled) : static_cast<std::uint64_t>(scaled);
  std::uint64_t p = static_cast<std::uint64_t>(Pow10(decimals));
  std::string out = (neg ? "-" : "") + std::to_string(mag / p);
  std::uint64_t frac = mag % p;
  if (decimals > 0 && frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, static_cast<std::size_t>(decimals) - f.size(), '0');
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

bool IsCode(std::string_view s) {
  if (s.empty() || s.size() > 64 || s.front() < 'a' || s.front() > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

ConfigReader::ConfigReader(std::string source, std::string reason_prefix, std::string kind_zh)
    : source_(std::move(source)), prefix_(std::move(reason_prefix)), kind_zh_(std::move(kind_zh)) {}

Result<toml::table> ConfigReader::Parse(std::string_view text) {
  try {
    return toml::parse(text, source_);
  } catch (const toml::parse_error& e) {
    std::string what(e.description());
    std::string line = std::to_string(e.source().begin.line);
    return Fail(ErrorCode::kInvalidArgument, prefix_ + ".parse",
                source_ + ":" + line + ": TOML syntax error: " + what,
                kind_zh_ + " " + source_ + " 第" + line + "行：TOML 语法错误：" + what);
  }
}

std::unexpected<Error> ConfigReader::Bad(const std::string& path, const std::string& en,
                                         const std::string& zh) const {
  int line = 0;
  for (std::string p = path;; p = Parent(p)) {
    if (auto it = lines_.find(p); it != lines_.end() && it->second > 0) {
      line = it->second;
      break;
    }
    if (p.empty()) break;
  }
  std::string where_en = source_;
  std::string where_zh = kind_zh_ + " " + source_;
  if (line > 0) {
    where_en += ":" + std::to_string(line);
    where_zh += " 第" + std::to_string(line) + "行";
  }
  if (!path.empty()) {
    where_en += ": " + path;
    where_zh += " " + path;
  }
  return Fail(ErrorCode::kInvalidArgument, prefix_ + ".invalid", where_en + ": " + en,
              where_zh + "：" + zh);
}

void ConfigReader::Note(const std::string& path, const toml::node& n) {
  lines_.try_emplace(path, static_cast<int>(n.source().begin.line));
}

Result<void> ConfigReader::CheckKeys(const toml::table& t, const std::string& path,
                                     const KeySet& allowed) {
  for (const auto& [key, node] : t) {
    std::string kpath = Sub(path, key.str());
    Note(kpath, node);
    if (!allowed.contains(key.str())) {
      return Bad(kpath, "unknown key (allowed: " + JoinKeys(allowed) + ")",
                 "未知的配置项（可用的配置项：" + JoinKeys(allowed) + "）");
    }
  }
  return {};
}

std::unexpected<Error> ConfigReader::WrongType(const std::string& path, const toml::node& n,
                                               std::string_view want_en,
                                               std::string_view want_zh) const {
  auto [en, zh] = TypeName(n);
  return Bad(path, "expected " + std::string(want_en) + ", found " + std::string(en),
             "应为" + std::string(want_zh) + "，实际为" + std::string(zh));
}

Result<std::optional<std::string>> ConfigReader::OptString(const toml::table& t,
                                                           std::string_view key,
                                                           const std::string& path) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::optional<std::string>();
  std::string kpath = Sub(path, key);
  Note(kpath, *n);
  const toml::value<std::string>* s = n->as_string();
  if (s == nullptr) return WrongType(kpath, *n, "a string", "字符串");
  return std::optional<std::string>(s->get());
}

Result<std::string> ConfigReader::ReqString(const toml::table& t, std::string_view key,
                                            const std::string& path) {
  Result<std::optional<std::string>> s = OptString(t, key, path);
  if (!s) return std::unexpected(s.error());
  std::string kpath = Sub(path, key);
  if (!*s) return Bad(kpath, "missing (required)", "缺少必填的配置项");
  if ((*s)->empty()) return Bad(kpath, "must not be empty", "不能为空");
  return **s;
}

Result<std::optional<bool>> ConfigReader::OptBool(const toml::table& t, std::string_view key,
                                                  const std::string& path) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::optional<bool>();
  std::string kpath = Sub(path, key);
  Note(kpath, *n);
  const toml::value<bool>* b = n->as_boolean();
  if (b == nullptr)
    return WrongType(kpath, *n, "a boolean (true or false)", "布尔值（true 或 false）");
  return std::optional<bool>(b->get());
}

Result<std::optional<std::int64_t>> ConfigReader::OptInt(const toml::table& t, std::string_view key,
                                                         const std::string& path, std::int64_t min,
                                                         std::int64_t max) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::optional<std::int64_t>();
  std::string kpath = Sub(path, key);
  Note(kpath, *n);
  const toml::value<std::int64_t>* i = n->as_integer();
  if (i == nullptr) return WrongType(kpath, *n, "an integer", "整数");
  std::int64_t v = i->get();
  if (v < min || v > max) {
    std::string range = std::to_string(min) + ".." + std::to_string(max);
    return Bad(kpath, "must be in " + range + ", found " + std::to_string(v),
               "取值应在 " + range + " 之间，实际为 " + std::to_string(v));
  }
  return std::optional<std::int64_t>(v);
}

Result<std::int64_t> ConfigReader::FixedValue(const toml::node& n, const std::string& path,
                                              int decimals, std::int64_t min, std::int64_t max) {
  Note(path, n);
  const std::int64_t scale = Pow10(decimals);
  std::int64_t scaled = 0;
  if (const toml::value<std::int64_t>* i = n.as_integer()) {
    // Bound before scaling so the multiplication cannot overflow.
    if (i->get() > max / scale + 1 || i->get() < min / scale - 1) {
      scaled = i->get() > 0 ? max + 1 : min - 1;
    } else {
      scaled = i->get() * scale;
    }
  } else if (const toml::value<double>* d = n.as_floating_point()) {
    double v = d->get() * static_cast<double>(scale);
    if (!std::isfinite(v) || std::fabs(v) > 9e15) {
      return Bad(path, "number out of range", "数值超出范围");
    }
    double r = std::nearbyint(v);
    // TOML floats are binary; a decimal with at most `decimals` digits lands within a hair of an
    // integer once scaled, anything longer does not.
    if (std::fabs(v - r) > 1e-6 * std::max(1.0, std::fabs(v))) {
      return Bad(path, "at most " + std::to_string(decimals) + " decimal places are allowed",
                 "最多允许 " + std::to_string(decimals) + " 位小数");
    }
    scaled = static_cast<std::int64_t>(r);
  } else {
    return WrongType(path, n, "a number", "数值");
  }
  if (scaled < min || scaled > max) {
    std::string range = FormatFixed(min, decimals) + ".." + FormatFixed(max, decimals);
    return Bad(path, "must be in " + range + ", found " + FormatFixed(scaled, decimals),
               "取值应在 " + range + " 之间，实际为 " + FormatFixed(scaled, decimals));
  }
  return scaled;
}

Result<std::optional<std::int64_t>> ConfigReader::OptFixed(const toml::table& t,
                                                           std::string_view key,
                                                           const std::string& path, int decimals,
                                                           std::int64_t min, std::int64_t max) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::optional<std::int64_t>();
  Result<std::int64_t> v = FixedValue(*n, Sub(path, key), decimals, min, max);
  if (!v) return std::unexpected(v.error());
  return std::optional<std::int64_t>(*v);
}

Result<std::optional<std::vector<std::string>>> ConfigReader::OptStrings(const toml::table& t,
                                                                         std::string_view key,
                                                                         const std::string& path) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::optional<std::vector<std::string>>();
  std::string kpath = Sub(path, key);
  Note(kpath, *n);
  const toml::array* a = n->as_array();
  if (a == nullptr) return WrongType(kpath, *n, "an array of strings", "字符串数组");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    Note(Index(kpath, i), e);
    const toml::value<std::string>* s = e.as_string();
    if (s == nullptr) return WrongType(Index(kpath, i), e, "a string", "字符串");
    if (s->get().empty()) return Bad(Index(kpath, i), "must not be empty", "不能为空");
    out.push_back(s->get());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<const toml::array*> ConfigReader::OptTables(const toml::table& t, std::string_view key,
                                                   const std::string& path) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return static_cast<const toml::array*>(nullptr);
  std::string kpath = Sub(path, key);
  Note(kpath, *n);
  const toml::array* a = n->as_array();
  if (a == nullptr) return WrongType(kpath, *n, "an array of tables", "表数组");
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    Note(Index(kpath, i), e);
    if (!e.is_table()) return WrongType(Index(kpath, i), e, "a table", "表");
  }
  return a;
}

Result<const toml::table*> ConfigReader::OptTable(const toml::table& t, std::string_view key,
                                                  const std::string& path) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return static_cast<const toml::table*>(nullptr);
  std::string kpath = Sub(path, key);
  Note(kpath, *n);
  const toml::table* tt = n->as_table();
  if (tt == nullptr) return WrongType(kpath, *n, "a table", "表");
  return tt;
}

}  // namespace xy::scoring::internal
