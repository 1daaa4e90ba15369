#include "ingest/catalog_loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "base/text.h"
#include "domain/uscc.h"

namespace xy {
namespace {

namespace fs = std::filesystem;

using Items = std::map<std::string, CatalogItem, std::less<>>;
using KeySet = std::set<std::string_view>;

// The keys each table may hold (config/catalog/README.md documents each).
const KeySet kItemKeys = {
    "version",
    "code",
    "supplement",
    "name",
    "nature",
    "scope",
    "report_deadline_working_days",
    "departments",
    "natural_key",
    "subject_name_field",
    "subject_kind_field",
    "subject_code_field",
    "person_id_field",
    "decided_on_field",
    "publicity_start_field",
    "default_severity",
    "severity_rules",
    "publicity",
    "cross_rules",
    "fields",
};
// What a later layer may say about an item an earlier file defined.
const KeySet kSupplementKeys = {
    "version",     "code",      "supplement",  "scope",  "report_deadline_working_days",
    "departments", "publicity", "cross_rules", "fields",
};
const KeySet kFieldKeys = {
    "code",     "label",       "aliases",     "type",  "max_length",
    "required", "required_if", "enum_values", "multi", "personal",
};
// What a later layer may say about a field an earlier file defined (`type` only to restate it).
const KeySet kExistingFieldKeys = {"code", "type", "aliases", "enum_values"};
const KeySet kConditionKeys = {"field", "any_of", "only"};
const KeySet kSeverityRuleKeys = {"level", "field", "any_of", "only"};
const KeySet kPublicityKeys = {"published", "min_months", "max_months"};
const KeySet kCrossRuleKeys = {"kind", "first", "second"};

constexpr std::array kAllFieldTypes = {
    FieldType::kText, FieldType::kDate, FieldType::kDecimal,   FieldType::kInteger,
    FieldType::kEnum, FieldType::kUscc, FieldType::kCitizenId, FieldType::kSubjectCode,
};
constexpr int kMaxMaxLength = 1'000'000;
constexpr int kMaxMonths = 1200;
constexpr int kMaxDeadline = 366;

std::string JoinKeys(const KeySet& keys) {
  std::string out;
  for (std::string_view k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }
std::string QuotedZh(std::string_view s) { return "“" + std::string(s) + "”"; }

std::string Sub(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string Index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

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

bool IsItemCode(std::string_view s) {
  if (s.empty() || s.front() < 'a' || s.front() > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsFieldCode(std::string_view s) {
  if (s.empty() || s.front() < 'A' || s.front() > 'Z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// The separators the validator splits multi-valued enums and conditions on.
bool HasEnumSeparator(std::string_view s) {
  for (std::string_view sep : {";", ",", "；", "、", "，"}) {
    if (s.find(sep) != std::string_view::npos) return true;
  }
  return false;
}

std::string FieldTypeList() {
  std::string out;
  for (FieldType t : kAllFieldTypes) {
    if (!out.empty()) out += ", ";
    out += FieldTypeName(t);
  }
  return out;
}

std::uint64_t Fnv1a(std::uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// A reference from the file being loaded to a field of the merged item, checked once every field of
// the file is known (a file may name a field it defines further down).
struct FieldRef {
  enum class Want {
    kAny,
    kText,         // the subject's name
    kDate,         // decided_on, publicity_start, cross rules
    kSubjectCode,  // kUscc or kSubjectCode
    kCitizenId,    // person_id_field
    kSubjectKind,  // a single-valued enum whose values are 行政相对人类别 names
  };
  std::string path;
  std::string field;
  Want want = Want::kAny;
};

struct ConditionRef {
  std::string path;
  FieldCondition condition;
};

// Loads one file onto the items merged so far. Every error names the file, the line when known, and
// the key path.
class FileLoader {
 public:
  FileLoader(std::string display, std::string stem, std::string layer_file)
      : display_(std::move(display)), stem_(std::move(stem)), layer_file_(std::move(layer_file)) {}

  // On success `items` holds the item the file defined or supplemented; `version` is the file's.
  Result<void> Apply(std::string_view text, Items& items, const std::string& version_tag);
  const std::string& version() const { return version_; }

 private:
  std::unexpected<Error> Bad(const std::string& path, const std::string& en,
                             const std::string& zh) const;
  void Note(const std::string& path, const toml::node& n) {
    lines_.try_emplace(path, static_cast<int>(n.source().begin.line));
  }

  // Refuses keys outside `allowed` (and records every key's line).
  Result<void> CheckKeys(const toml::table& t, const std::string& path, const KeySet& allowed);
  std::unexpected<Error> WrongType(const std::string& path, const toml::node& n,
                                   std::string_view want_en, std::string_view want_zh) const;

  Result<std::optional<std::string>> OptString(const toml::table& t, std::string_view key,
                                               const std::string& path);
  Result<std::string> ReqString(const toml::table& t, std::string_view key,
                                const std::string& path);
  Result<std::optional<bool>> OptBool(const toml::table& t, std::string_view key,
                                      const std::string& path);
  Result<std::optional<int>> OptInt(const toml::table& t, std::string_view key,
                                    const std::string& path, int min, int max);
  Result<std::optional<std::vector<std::string>>> OptStrings(const toml::table& t,
                                                             std::string_view key,
                                                             const std::string& path);
  // An array of tables ([[x]] or [{…}, …]); nullptr when absent.
  Result<const toml::array*> OptTables(const toml::table& t, std::string_view key,
                                       const std::string& path);

  Result<void> ParseFields(const toml::array& fields, CatalogItem& item, bool supplement);
  Result<void> ParseNewField(const toml::table& t, const std::string& fpath, FieldSpec& f);
  Result<void> ParseExistingField(const toml::table& t, const std::string& fpath, FieldSpec& f);
  Result<FieldCondition> ParseCondition(const toml::table& t, const std::string& path,
                                        const KeySet& keys);
  Result<void> ParsePublicity(const toml::table& t, CatalogItem& item);
  Result<void> CheckEnumValues(const std::string& path, const std::vector<std::string>& values);
  Result<void> CheckName(const std::string& path, const std::string& name);

  // After parsing: references, conditions and name uniqueness on the merged item.
  Result<void> CheckItem(const CatalogItem& item);

  std::string display_;
  std::string stem_;
  std::string layer_file_;
  std::string version_;
  std::map<std::string, int> lines_;
  std::vector<FieldRef> refs_;
  std::vector<ConditionRef> conditions_;
  std::set<std::pair<std::string, std::string>> names_added_;  // (field code, label or alias)
};

std::unexpected<Error> FileLoader::Bad(const std::string& path, const std::string& en,
                                       const std::string& zh) const {
  auto it = lines_.find(path);
  std::string where_en = display_;
  std::string where_zh = "目录配置文件 " + display_;
  if (it != lines_.end() && it->second > 0) {
    where_en += ":" + std::to_string(it->second);
    where_zh += " 第" + std::to_string(it->second) + "行";
  }
  if (!path.empty()) {
    where_en += ": " + path;
    where_zh += " " + path;
  }
  return Fail(ErrorCode::kInvalidArgument, "catalog.invalid", where_en + ": " + en,
              where_zh + "：" + zh);
}

Result<void> FileLoader::CheckKeys(const toml::table& t, const std::string& path,
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

std::unexpected<Error> FileLoader::WrongType(const std::string& path, const toml::node& n,
                                             std::string_view want_en,
                                             std::string_view want_zh) const {
  auto [en, zh] = TypeName(n);
  return Bad(path, "expected " + std::string(want_en) + ", found " + std::string(en),
             "应为" + std::string(want_zh) + "，实际为" + std::string(zh));
}

Result<std::optional<std::string>> FileLoader::OptString(const toml::table& t, std::string_view key,
                                                         const std::string& path) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::optional<std::string>();
  std::string kpath = Sub(path, key);
  Note(kpath, *n);
  const toml::value<std::string>* s = n->as_string();
  if (s == nullptr) return WrongType(kpath, *n, "a string", "字符串");
  return std::optional<std::string>(s->get());
}

Result<std::string> FileLoader::ReqString(const toml::table& t, std::string_view key,
                                          const std::string& path) {
  Result<std::optional<std::string>> s = OptString(t, key, path);
  if (!s) return std::unexpected(s.error());
  std::string kpath = Sub(path, key);
  if (!*s) return Bad(kpath, "missing (required)", "缺少必填的配置项");
  if ((*s)->empty()) return Bad(kpath, "must not be empty", "不能为空");
  return **s;
}

Result<std::optional<bool>> FileLoader::OptBool(const toml::table& t, std::string_view key,
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

Result<std::optional<int>> FileLoader::OptInt(const toml::table& t, std::string_view key,
                                              const std::string& path, int min, int max) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::optional<int>();
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
  return std::optional<int>(static_cast<int>(v));
}

Result<std::optional<std::vector<std::string>>> FileLoader::OptStrings(const toml::table& t,
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
    out.push_back(s->get());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<const toml::array*> FileLoader::OptTables(const toml::table& t, std::string_view key,
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

Result<void> FileLoader::CheckName(const std::string& path, const std::string& name) {
  if (name.empty()) return Bad(path, "must not be empty", "不能为空");
  // Headers are matched as written and after NormalizeName; a name that normalisation changes could
  // only ever match the exact spelling (e.g. full-width brackets: write （） as ()).
  if (NormalizeName(name) != name) {
    return Bad(
        path,
        Quoted(name) + " is not in canonical form; write it as " + Quoted(NormalizeName(name)),
        QuotedZh(name) + "不是规范写法，请写作" + QuotedZh(NormalizeName(name)));
  }
  return {};
}

Result<void> FileLoader::CheckEnumValues(const std::string& path,
                                         const std::vector<std::string>& values) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string& v = values[i];
    std::string vpath = Index(path, i);
    if (v.empty()) return Bad(vpath, "must not be empty", "不能为空");
    if (NormalizeName(v) != v) {
      return Bad(
          vpath,
          Quoted(v) +
              " is not in canonical form (the validator compares normalised values); write " +
              Quoted(NormalizeName(v)),
          QuotedZh(v) + "不是规范写法（校验时按规范化后的值比较），请写作" +
              QuotedZh(NormalizeName(v)));
    }
    if (HasEnumSeparator(v)) {
      return Bad(vpath,
                 Quoted(v) + " contains a separator (; , 、) that splits multi-valued fields",
                 QuotedZh(v) + "含有多值分隔符（; , 、）");
    }
    if (!seen.insert(v).second) {
      return Bad(vpath, "duplicate enum value " + Quoted(v), "重复的枚举值" + QuotedZh(v));
    }
  }
  return {};
}

Result<FieldCondition> FileLoader::ParseCondition(const toml::table& t, const std::string& path,
                                                  const KeySet& keys) {
  if (Result<void> r = CheckKeys(t, path, keys); !r) return std::unexpected(r.error());
  FieldCondition c;
  Result<std::string> field = ReqString(t, "field", path);
  if (!field) return std::unexpected(field.error());
  c.field = *field;
  Result<std::optional<std::vector<std::string>>> any_of = OptStrings(t, "any_of", path);
  if (!any_of) return std::unexpected(any_of.error());
  if (!*any_of || (*any_of)->empty()) {
    return Bad(Sub(path, "any_of"), "needs at least one value", "至少需要一个取值");
  }
  c.any_of = std::move(**any_of);
  Result<std::optional<bool>> only = OptBool(t, "only", path);
  if (!only) return std::unexpected(only.error());
  c.only = only->value_or(false);
  conditions_.push_back({path, c});
  return c;
}

Result<void> FileLoader::ParseNewField(const toml::table& t, const std::string& fpath,
                                       FieldSpec& f) {
  if (Result<void> r = CheckKeys(t, fpath, kFieldKeys); !r) return r;
  Result<std::string> label = ReqString(t, "label", fpath);
  if (!label) return std::unexpected(label.error());
  f.label = *label;
  if (Result<void> r = CheckName(Sub(fpath, "label"), f.label); !r) return r;
  Result<std::string> type = ReqString(t, "type", fpath);
  if (!type) return std::unexpected(type.error());
  std::optional<FieldType> ft = ParseFieldType(*type);
  if (!ft) {
    return Bad(Sub(fpath, "type"),
               "unknown field type " + Quoted(*type) + " (known: " + FieldTypeList() + ")",
               "未知的字段类型" + QuotedZh(*type) + "（可用：" + FieldTypeList() + "）");
  }
  f.type = *ft;
  // Checked before the range so that a negative length gets its own message.
  if (const toml::node* n = t.get("max_length");
      n != nullptr && n->is_integer() && n->as_integer()->get() < 0) {
    Note(Sub(fpath, "max_length"), *n);
    return Bad(Sub(fpath, "max_length"),
               "must be 0 (unlimited) or more, found " + std::to_string(n->as_integer()->get()),
               "应为 0（不限）或正数，实际为 " + std::to_string(n->as_integer()->get()));
  }
  Result<std::optional<int>> max_length = OptInt(t, "max_length", fpath, 0, kMaxMaxLength);
  if (!max_length) return std::unexpected(max_length.error());
  f.max_length = max_length->value_or(0);
  for (auto [key, target] : {std::pair{"required", &f.required}, std::pair{"multi", &f.multi},
                             std::pair{"personal", &f.personal}}) {
    Result<std::optional<bool>> b = OptBool(t, key, fpath);
    if (!b) return std::unexpected(b.error());
    *target = b->value_or(false);
  }
  Result<std::optional<std::vector<std::string>>> aliases = OptStrings(t, "aliases", fpath);
  if (!aliases) return std::unexpected(aliases.error());
  if (*aliases) {
    for (std::size_t i = 0; i < (*aliases)->size(); ++i) {
      if (Result<void> r = CheckName(Index(Sub(fpath, "aliases"), i), (**aliases)[i]); !r) return r;
    }
    f.aliases = std::move(**aliases);
  }
  Result<std::optional<std::vector<std::string>>> values = OptStrings(t, "enum_values", fpath);
  if (!values) return std::unexpected(values.error());
  if (f.type == FieldType::kEnum) {
    if (!*values || (*values)->empty()) {
      return Bad(Sub(fpath, "enum_values"), "an enum field needs enum_values",
                 "枚举类型（enum）的字段必须列出 enum_values");
    }
    if (Result<void> r = CheckEnumValues(Sub(fpath, "enum_values"), **values); !r) return r;
    f.enum_values = std::move(**values);
  } else {
    if (*values) {
      return Bad(Sub(fpath, "enum_values"),
                 "only an enum field has enum_values (type is " + *type + ")",
                 "只有枚举类型（enum）的字段可以有 enum_values（此字段类型为 " + *type + "）");
    }
    if (f.multi) {
      return Bad(Sub(fpath, "multi"), "only an enum field can be multi-valued",
                 "只有枚举类型（enum）的字段可以多值");
    }
  }
  Result<const toml::array*> conds = OptTables(t, "required_if", fpath);
  if (!conds) return std::unexpected(conds.error());
  if (*conds) {
    for (std::size_t i = 0; i < (*conds)->size(); ++i) {
      Result<FieldCondition> c = ParseCondition(
          *(*conds)->get(i)->as_table(), Index(Sub(fpath, "required_if"), i), kConditionKeys);
      if (!c) return std::unexpected(c.error());
      f.required_if.push_back(std::move(*c));
    }
  }
  names_added_.emplace(f.code, f.label);
  for (const std::string& a : f.aliases) names_added_.emplace(f.code, a);
  return {};
}

Result<void> FileLoader::ParseExistingField(const toml::table& t, const std::string& fpath,
                                            FieldSpec& f) {
  if (Result<void> r = CheckKeys(t, fpath, kFieldKeys); !r) return r;
  for (const auto& [key, node] : t) {
    if (!kExistingFieldKeys.contains(key.str())) {
      return Bad(
          Sub(fpath, key.str()),
          "a later layer may only add aliases and enum_values to a field an earlier file defines",
          "后续层级只能为已定义的字段增加 aliases 和 enum_values，不能修改其他属性");
    }
  }
  if (Result<std::optional<std::string>> type = OptString(t, "type", fpath); !type) {
    return std::unexpected(type.error());
  } else if (*type && !ParseFieldType(**type)) {
    return Bad(Sub(fpath, "type"),
               "unknown field type " + Quoted(**type) + " (known: " + FieldTypeList() + ")",
               "未知的字段类型" + QuotedZh(**type) + "（可用：" + FieldTypeList() + "）");
  } else if (*type && ParseFieldType(**type) != f.type) {
    std::string from(FieldTypeName(f.type));
    return Bad(Sub(fpath, "type"),
               "a later layer may not change a field's type (" + from + " → " + **type + ")",
               "后续层级不能修改字段类型（" + from + " → " + **type + "）");
  }
  Result<std::optional<std::vector<std::string>>> aliases = OptStrings(t, "aliases", fpath);
  if (!aliases) return std::unexpected(aliases.error());
  if (*aliases) {
    for (std::size_t i = 0; i < (*aliases)->size(); ++i) {
      const std::string& a = (**aliases)[i];
      if (Result<void> r = CheckName(Index(Sub(fpath, "aliases"), i), a); !r) return r;
      if (std::find(f.aliases.begin(), f.aliases.end(), a) == f.aliases.end()) {
        f.aliases.push_back(a);
        names_added_.emplace(f.code, a);
      }
    }
  }
  Result<std::optional<std::vector<std::string>>> values = OptStrings(t, "enum_values", fpath);
  if (!values) return std::unexpected(values.error());
  if (*values) {
    if (f.type != FieldType::kEnum) {
      return Bad(Sub(fpath, "enum_values"), "only an enum field has enum_values",
                 "只有枚举类型（enum）的字段可以有 enum_values");
    }
    if (Result<void> r = CheckEnumValues(Sub(fpath, "enum_values"), **values); !r) return r;
    for (const std::string& v : **values) {
      if (std::find(f.enum_values.begin(), f.enum_values.end(), v) == f.enum_values.end()) {
        f.enum_values.push_back(v);
      }
    }
  }
  return {};
}

Result<void> FileLoader::ParseFields(const toml::array& fields, CatalogItem& item,
                                     bool supplement) {
  std::set<std::string> in_this_file;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const toml::table& t = *fields.get(i)->as_table();
    std::string ipath = Index("fields", i);
    Result<std::string> code = ReqString(t, "code", ipath);
    if (!code) return std::unexpected(code.error());
    if (!IsFieldCode(*code)) {
      return Bad(Sub(ipath, "code"),
                 "field code " + Quoted(*code) +
                     " must be upper-case letters, digits and _ (like CF_XDR_MC)",
                 "字段代码" + QuotedZh(*code) + "只能由大写字母、数字和下划线组成（如 CF_XDR_MC）");
    }
    std::string fpath = "fields[" + *code + "]";
    lines_.try_emplace(fpath, static_cast<int>(t.source().begin.line));
    if (!in_this_file.insert(*code).second) {
      return Bad(Sub(ipath, "code"), "duplicate field code " + Quoted(*code),
                 "重复的字段代码" + QuotedZh(*code));
    }
    auto existing = std::find_if(item.fields.begin(), item.fields.end(),
                                 [&](const FieldSpec& f) { return f.code == *code; });
    if (existing != item.fields.end()) {
      // Only a supplement starts with fields, so this is a field an earlier file defined.
      if (Result<void> r = ParseExistingField(t, fpath, *existing); !r) return r;
    } else {
      FieldSpec f;
      f.code = *code;
      if (Result<void> r = ParseNewField(t, fpath, f); !r) return r;
      item.fields.push_back(std::move(f));
    }
  }
  if (!supplement && item.fields.empty()) {
    return Bad("fields", "an item needs at least one field", "目录项至少需要一个字段");
  }
  return {};
}

Result<void> FileLoader::ParsePublicity(const toml::table& t, CatalogItem& item) {
  for (const auto& [key, node] : t) {
    std::string ppath = Sub("publicity", key.str());
    Note(ppath, node);
    std::optional<Severity> sev = ParseSeverity(key.str());
    if (!sev) {
      return Bad(ppath, "unknown severity " + Quoted(key.str()) + " (known: 轻微, 一般, 严重)",
                 "未知的严重程度" + QuotedZh(key.str()) + "（可用：轻微、一般、严重）");
    }
    const toml::table* pt = node.as_table();
    if (pt == nullptr) return WrongType(ppath, node, "a table", "表");
    if (Result<void> r = CheckKeys(*pt, ppath, kPublicityKeys); !r) return r;
    // Keys not given keep what an earlier layer said (or the defaults).
    PublicityPeriod p = item.publicity.contains(*sev) ? item.publicity.at(*sev) : PublicityPeriod{};
    Result<std::optional<bool>> published = OptBool(*pt, "published", ppath);
    if (!published) return std::unexpected(published.error());
    if (*published) p.published = **published;
    Result<std::optional<int>> min = OptInt(*pt, "min_months", ppath, 0, kMaxMonths);
    if (!min) return std::unexpected(min.error());
    if (*min) p.min_months = **min;
    Result<std::optional<int>> max = OptInt(*pt, "max_months", ppath, 0, kMaxMonths);
    if (!max) return std::unexpected(max.error());
    if (*max) p.max_months = **max;
    if (p.max_months > 0 && p.min_months > p.max_months) {
      return Bad(ppath,
                 "min_months (" + std::to_string(p.min_months) + ") exceeds max_months (" +
                     std::to_string(p.max_months) + ")",
                 "最短公示期（" + std::to_string(p.min_months) + "个月）超过最长公示期（" +
                     std::to_string(p.max_months) + "个月）");
    }
    item.publicity[*sev] = p;
  }
  return {};
}

Result<void> FileLoader::CheckItem(const CatalogItem& item) {
  for (const FieldRef& ref : refs_) {
    const FieldSpec* f = item.Field(ref.field);
    if (f == nullptr) {
      return Bad(ref.path, "names no field of " + item.code + ": " + Quoted(ref.field),
                 "目录项 " + item.code + " 没有名为" + QuotedZh(ref.field) + "的字段");
    }
    std::string_view type = FieldTypeName(f->type);
    auto want = [&](std::string_view en, std::string_view zh) {
      return Bad(
          ref.path,
          "field " + ref.field + " must be " + std::string(en) + " (it is " + std::string(type) +
              ")",
          "字段 " + ref.field + " 应为" + std::string(zh) + "（实为 " + std::string(type) + "）");
    };
    switch (ref.want) {
      case FieldRef::Want::kAny:
        break;
      case FieldRef::Want::kText:
        if (f->type != FieldType::kText) return want("of type text", "text 类型");
        break;
      case FieldRef::Want::kDate:
        if (f->type != FieldType::kDate) return want("of type date", "date 类型");
        break;
      case FieldRef::Want::kSubjectCode:
        if (f->type != FieldType::kUscc && f->type != FieldType::kSubjectCode) {
          return want("of type uscc or subject_code", "uscc 或 subject_code 类型");
        }
        break;
      case FieldRef::Want::kCitizenId:
        if (f->type != FieldType::kCitizenId) return want("of type citizen_id", "citizen_id 类型");
        break;
      case FieldRef::Want::kSubjectKind:
        if (f->type != FieldType::kEnum || f->multi)
          return want("a single-valued enum", "单值枚举类型");
        for (const std::string& v : f->enum_values) {
          if (!ParseSubjectKind(v)) {
            return Bad(ref.path,
                       "the values of " + ref.field +
                           " must be subject kinds (法人及非法人组织, 自然人, "
                           "个体工商户); found " +
                           Quoted(v),
                       "字段 " + ref.field +
                           " 的取值只能是法人及非法人组织、自然人、个体工商户，发现" + QuotedZh(v));
          }
        }
        break;
    }
  }
  for (const ConditionRef& c : conditions_) {
    std::string fpath = Sub(c.path, "field");
    const FieldSpec* f = item.Field(c.condition.field);
    if (f == nullptr) {
      return Bad(fpath, "names no field of " + item.code + ": " + Quoted(c.condition.field),
                 "目录项 " + item.code + " 没有名为" + QuotedZh(c.condition.field) + "的字段");
    }
    if (f->type != FieldType::kEnum) continue;
    for (std::size_t i = 0; i < c.condition.any_of.size(); ++i) {
      const std::string& v = c.condition.any_of[i];
      if (std::find(f->enum_values.begin(), f->enum_values.end(), v) == f->enum_values.end()) {
        return Bad(Index(Sub(c.path, "any_of"), i),
                   Quoted(v) + " is not a value of " + f->code + " (" + f->label + ")",
                   QuotedZh(v) + "不是字段 " + f->code + "（" + f->label + "）的取值");
      }
    }
  }
  if (!item.person_id_field.empty() && item.subject_kind_field.empty()) {
    return Bad("person_id_field",
               "needs subject_kind_field (a natural person is told apart by kind)",
               "设置 person_id_field 时必须同时设置 subject_kind_field（据此区分自然人）");
  }
  bool has_window = std::any_of(item.publicity.begin(), item.publicity.end(), [](const auto& kv) {
    return kv.second.min_months > 0 || kv.second.max_months > 0;
  });
  if (has_window && item.publicity_start_field.empty() && item.decided_on_field.empty()) {
    return Bad("publicity", "periods need a start: set publicity_start_field or decided_on_field",
               "设置了公示期限，但未指定起算日期字段（publicity_start_field 或 decided_on_field）");
  }
  // Every code, label and alias picks exactly one field, as written and after normalising.
  struct Owner {
    std::string field;
    std::string name;
  };
  std::map<std::string, Owner> owners;
  for (const FieldSpec& f : item.fields) {
    std::vector<std::string> names = {f.code, f.label};
    names.insert(names.end(), f.aliases.begin(), f.aliases.end());
    for (const std::string& name : names) {
      auto [it, inserted] = owners.try_emplace(NormalizeName(name), Owner{f.code, name});
      if (inserted) continue;
      // Blame the name this file added, if one of the two is.
      bool first_is_new = names_added_.contains({it->second.field, it->second.name});
      bool second_is_new = names_added_.contains({f.code, name});
      const std::string& blamed_field = first_is_new && !second_is_new ? it->second.field : f.code;
      const std::string& blamed_name = first_is_new && !second_is_new ? it->second.name : name;
      const std::string& other_field = first_is_new && !second_is_new ? f.code : it->second.field;
      const FieldSpec* blamed = item.Field(blamed_field);
      std::string bkey = blamed_name == blamed->code    ? "code"
                         : blamed_name == blamed->label ? "label"
                                                        : "aliases";
      std::string what = bkey == "label" ? "label" : bkey == "code" ? "code" : "alias";
      std::string what_zh = bkey == "label" ? "名称" : bkey == "code" ? "代码" : "别名";
      if (other_field == blamed_field) {
        return Bad(
            "fields[" + blamed_field + "]." + bkey,
            "duplicate " + what + " " + Quoted(blamed_name) + " (already a name of this field)",
            "重复的" + what_zh + QuotedZh(blamed_name) + "（已是本字段的名称之一）");
      }
      return Bad("fields[" + blamed_field + "]." + bkey,
                 "duplicate " + what + " " + Quoted(blamed_name) + ": it already names field " +
                     other_field,
                 "重复的" + what_zh + QuotedZh(blamed_name) + "：已用于字段 " + other_field);
    }
  }
  return {};
}

Result<void> FileLoader::Apply(std::string_view text, Items& items,
                               const std::string& version_tag) {
  toml::table root;
  try {
    root = toml::parse(text, display_);
  } catch (const toml::parse_error& e) {
    lines_[""] = static_cast<int>(e.source().begin.line);
    std::string what(e.description());
    return Bad("", "TOML syntax error: " + what, "TOML 语法错误：" + what);
  }
  if (Result<void> r = CheckKeys(root, "", kItemKeys); !r) return r;

  Result<std::string> version = ReqString(root, "version", "");
  if (!version) return std::unexpected(version.error());
  version_ = *version;
  Result<std::string> code = ReqString(root, "code", "");
  if (!code) return std::unexpected(code.error());
  if (!IsItemCode(*code)) {
    return Bad("code", "item code " + Quoted(*code) + " must be lower-case letters, digits and _",
               "目录项代码" + QuotedZh(*code) + "只能由小写字母、数字和下划线组成");
  }
  if (*code != stem_) {
    return Bad("code",
               "the file defining or supplementing " + *code + " must be named " + *code + ".toml",
               "定义或补充目录项 " + *code + " 的文件应命名为 " + *code + ".toml");
  }
  Result<std::optional<bool>> supplement_opt = OptBool(root, "supplement", "");
  if (!supplement_opt) return std::unexpected(supplement_opt.error());
  bool supplement = supplement_opt->value_or(false);
  auto existing = items.find(*code);
  if (supplement && existing == items.end()) {
    return Bad("supplement", "no earlier file defines item " + *code + " to supplement",
               "前面的文件没有定义目录项 " + *code + "，无法补充");
  }
  if (!supplement && existing != items.end()) {
    return Bad("code",
               "item " + *code + " is already defined by " + existing->second.layers.front() +
                   "; a later file extends it with supplement = true",
               "目录项 " + *code + " 已由 " + existing->second.layers.front() +
                   " 定义；后续文件应写 supplement = true 进行补充");
  }
  if (supplement) {
    for (const auto& [key, node] : root) {
      if (!kSupplementKeys.contains(key.str())) {
        return Bad(
            std::string(key.str()),
            "a supplement may not change this (only scope, report_deadline_working_days, "
            "departments, publicity, fields, cross_rules)",
            "补充文件不能修改此项（只能修改 scope、report_deadline_working_days、departments、"
            "publicity，增加 fields、cross_rules）");
      }
    }
  }
  CatalogItem item = supplement ? existing->second : CatalogItem{};
  item.code = *code;

  if (!supplement) {
    Result<std::string> name = ReqString(root, "name", "");
    if (!name) return std::unexpected(name.error());
    item.name = *name;
    Result<std::string> nature = ReqString(root, "nature", "");
    if (!nature) return std::unexpected(nature.error());
    std::optional<Nature> n = ParseNature(*nature);
    if (!n) {
      return Bad("nature", "unknown nature " + Quoted(*nature) + " (known: 基础, 守信, 失信, 中性)",
                 "未知的信息性质" + QuotedZh(*nature) + "（可用：基础、守信、失信、中性）");
    }
    item.nature = *n;
    Result<std::optional<std::string>> sev = OptString(root, "default_severity", "");
    if (!sev) return std::unexpected(sev.error());
    if (*sev) {
      std::optional<Severity> s = ParseSeverity(**sev);
      if (!s) {
        return Bad("default_severity",
                   "unknown severity " + Quoted(**sev) + " (known: 轻微, 一般, 严重)",
                   "未知的严重程度" + QuotedZh(**sev) + "（可用：轻微、一般、严重）");
      }
      item.default_severity = *s;
    }
  }

  // Overridable scalars.
  Result<std::optional<std::string>> scope = OptString(root, "scope", "");
  if (!scope) return std::unexpected(scope.error());
  if (*scope) {
    std::optional<SharingScope> s = ParseSharingScope(**scope);
    if (!s) {
      return Bad(
          "scope",
          "unknown sharing scope " + Quoted(**scope) + " (known: 社会公开, 政务共享, 授权查询)",
          "未知的共享范围" + QuotedZh(**scope) + "（可用：社会公开、政务共享、授权查询）");
    }
    item.scope = *s;
  }
  Result<std::optional<int>> deadline =
      OptInt(root, "report_deadline_working_days", "", 0, kMaxDeadline);
  if (!deadline) return std::unexpected(deadline.error());
  if (*deadline) item.report_deadline_working_days = **deadline;
  Result<std::optional<std::vector<std::string>>> departments = OptStrings(root, "departments", "");
  if (!departments) return std::unexpected(departments.error());
  if (*departments) {
    for (std::size_t i = 0; i < (*departments)->size(); ++i) {
      const std::string& d = (**departments)[i];
      if (!CheckUscc(d, CheckMode::kStrict).valid()) {
        return Bad(Index("departments", i),
                   Quoted(d) + " is not a valid unified social credit code",
                   QuotedZh(d) + "不是有效的统一社会信用代码");
      }
    }
    item.departments = std::move(**departments);  // replaces the earlier layer's list
  }

  // Fields first: everything below may name them.
  Result<const toml::array*> fields = OptTables(root, "fields", "");
  if (!fields) return std::unexpected(fields.error());
  if (*fields == nullptr && !supplement) {
    return Bad("fields", "missing (an item needs at least one [[fields]] table)",
               "缺少字段定义（至少需要一个 [[fields]]）");
  }
  if (*fields) {
    if (Result<void> r = ParseFields(**fields, item, supplement); !r) return r;
  }

  if (!supplement) {
    Result<std::optional<std::vector<std::string>>> key = OptStrings(root, "natural_key", "");
    if (!key) return std::unexpected(key.error());
    if (!*key || (*key)->empty()) {
      return Bad("natural_key", "missing or empty (the fields that identify one record)",
                 "缺少或为空（用于识别同一条记录的字段）");
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < (*key)->size(); ++i) {
      const std::string& k = (**key)[i];
      if (!seen.insert(k).second) {
        return Bad(Index("natural_key", i), "names " + k + " twice", "重复列出字段 " + k);
      }
      refs_.push_back({Index("natural_key", i), k, FieldRef::Want::kAny});
    }
    item.natural_key = std::move(**key);

    struct Slot {
      std::string_view key;
      std::string* target;
      FieldRef::Want want;
      bool required;
    };
    for (const Slot& s :
         {Slot{"subject_name_field", &item.subject_name_field, FieldRef::Want::kText, true},
          Slot{"subject_kind_field", &item.subject_kind_field, FieldRef::Want::kSubjectKind, false},
          Slot{"subject_code_field", &item.subject_code_field, FieldRef::Want::kSubjectCode, true},
          Slot{"person_id_field", &item.person_id_field, FieldRef::Want::kCitizenId, false},
          Slot{"decided_on_field", &item.decided_on_field, FieldRef::Want::kDate, false},
          Slot{"publicity_start_field", &item.publicity_start_field, FieldRef::Want::kDate,
               false}}) {
      Result<std::optional<std::string>> v = OptString(root, s.key, "");
      if (!v) return std::unexpected(v.error());
      if (!*v || (*v)->empty()) {
        if (s.required) {
          return Bad(std::string(s.key), "missing (required)", "缺少必填的配置项");
        }
        continue;
      }
      *s.target = **v;
      refs_.push_back({std::string(s.key), **v, s.want});
    }

    Result<const toml::array*> rules = OptTables(root, "severity_rules", "");
    if (!rules) return std::unexpected(rules.error());
    if (*rules) {
      for (std::size_t i = 0; i < (*rules)->size(); ++i) {
        const toml::table& t = *(*rules)->get(i)->as_table();
        std::string rpath = Index("severity_rules", i);
        Result<FieldCondition> when = ParseCondition(t, rpath, kSeverityRuleKeys);
        if (!when) return std::unexpected(when.error());
        Result<std::string> level = ReqString(t, "level", rpath);
        if (!level) return std::unexpected(level.error());
        std::optional<Severity> s = ParseSeverity(*level);
        if (!s) {
          return Bad(Sub(rpath, "level"),
                     "unknown severity " + Quoted(*level) + " (known: 轻微, 一般, 严重)",
                     "未知的严重程度" + QuotedZh(*level) + "（可用：轻微、一般、严重）");
        }
        item.severity_rules.push_back({*s, std::move(*when)});
      }
    }
  }

  if (const toml::node* p = root.get("publicity")) {
    Note("publicity", *p);
    const toml::table* pt = p->as_table();
    if (pt == nullptr) return WrongType("publicity", *p, "a table", "表");
    if (Result<void> r = ParsePublicity(*pt, item); !r) return r;
  }

  Result<const toml::array*> cross = OptTables(root, "cross_rules", "");
  if (!cross) return std::unexpected(cross.error());
  if (*cross) {
    for (std::size_t i = 0; i < (*cross)->size(); ++i) {
      const toml::table& t = *(*cross)->get(i)->as_table();
      std::string cpath = Index("cross_rules", i);
      if (Result<void> r = CheckKeys(t, cpath, kCrossRuleKeys); !r) return r;
      Result<std::string> kind = ReqString(t, "kind", cpath);
      if (!kind) return std::unexpected(kind.error());
      if (*kind != "date_order") {
        return Bad(Sub(cpath, "kind"),
                   "unknown cross rule kind " + Quoted(*kind) + " (known: date_order)",
                   "未知的跨字段规则类型" + QuotedZh(*kind) + "（可用：date_order）");
      }
      CrossRule rule;
      rule.kind = CrossRule::Kind::kDateOrder;
      for (auto [key, target] :
           {std::pair{"first", &rule.first}, std::pair{"second", &rule.second}}) {
        Result<std::string> v = ReqString(t, key, cpath);
        if (!v) return std::unexpected(v.error());
        *target = *v;
        refs_.push_back({Sub(cpath, key), *v, FieldRef::Want::kDate});
      }
      if (rule.first == rule.second) {
        return Bad(Sub(cpath, "second"), "compares " + rule.first + " with itself",
                   "字段 " + rule.first + " 不能与自身比较");
      }
      item.cross_rules.push_back(std::move(rule));
    }
  }

  if (Result<void> r = CheckItem(item); !r) return r;

  if (!item.version.empty()) item.version += "+";
  item.version += version_tag.empty() ? *version : version_tag + "." + *version;
  item.layers.push_back(layer_file_);
  items.insert_or_assign(item.code, std::move(item));
  return {};
}

}  // namespace

Result<Catalog> LoadCatalogLayers(const std::vector<CatalogLayer>& layers) {
  if (layers.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "catalog.invalid", "no catalogue layers given",
                "未指定任何目录配置层级");
  }
  Items items;
  std::uint64_t digest = 14695981039346656037ULL;
  std::string version;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const CatalogLayer& layer = layers[l];
    std::string dir = layer.dir.empty() ? layer.name : layer.dir;
    // Item versions from later layers carry the layer's prefix: "340000-anhui" → "340000".
    std::string tag = l == 0 ? std::string() : layer.name.substr(0, layer.name.find('-'));
    std::vector<const CatalogFile*> files;
    for (const CatalogFile& f : layer.files) files.push_back(&f);
    std::sort(files.begin(), files.end(),
              [](const CatalogFile* a, const CatalogFile* b) { return a->name < b->name; });
    std::vector<std::string> versions;
    digest = Fnv1a(Fnv1a(digest, layer.name), std::string_view("\0", 1));
    for (const CatalogFile* f : files) {
      std::string stem = fs::path(f->name).stem().string();
      FileLoader loader(dir + "/" + f->name, stem, layer.name + "/" + f->name);
      if (Result<void> r = loader.Apply(f->text, items, tag); !r) return std::unexpected(r.error());
      const std::string& v = loader.version();
      if (std::find(versions.begin(), versions.end(), v) == versions.end()) versions.push_back(v);
      digest = Fnv1a(Fnv1a(Fnv1a(digest, f->name), std::string_view("\0", 1)), f->text);
      digest = Fnv1a(digest, std::string_view("\0", 1));
    }
    if (!version.empty()) version += ", ";
    version += layer.name + "@";
    if (versions.empty()) version += "-";
    for (std::size_t i = 0; i < versions.size(); ++i) version += (i ? "+" : "") + versions[i];
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(digest));
  Catalog catalog;
  catalog.version = version + " #" + hex;
  for (auto& [code, item] : items) catalog.Put(std::move(item));
  return catalog;
}

Result<Catalog> LoadCatalog(const std::vector<std::string>& layer_dirs) {
  std::vector<CatalogLayer> layers;
  for (const std::string& d : layer_dirs) {
    std::string dir = d;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      return Fail(ErrorCode::kNotFound, "catalog.read",
                  "catalogue layer folder " + dir + " does not exist",
                  "目录配置文件夹 " + dir + " 不存在");
    }
    CatalogLayer layer;
    layer.name = fs::path(dir).filename().string();
    layer.dir = dir;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path& p = it->path();
      std::string name = p.filename().string();
      if (p.extension() != ".toml" || name.starts_with(".") || !it->is_regular_file(ec)) continue;
      std::ifstream in(p, std::ios::binary);
      std::ostringstream text;
      if (in) text << in.rdbuf();
      if (!in || in.bad()) {
        return Fail(ErrorCode::kUnavailable, "catalog.read", "cannot read " + p.string(),
                    "无法读取目录配置文件 " + p.string());
      }
      layer.files.push_back({name, text.str()});
    }
    if (ec) {
      return Fail(ErrorCode::kUnavailable, "catalog.read",
                  "cannot list " + dir + ": " + ec.message(), "无法读取目录配置文件夹 " + dir);
    }
    layers.push_back(std::move(layer));
  }
  return LoadCatalogLayers(layers);
}

}  // namespace xy
