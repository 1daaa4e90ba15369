// The public credit information catalogue (公共信用信息目录): which items exist and what a valid row
// of each looks like.
//
// Nothing enters a credit record unless an item here defines it (ARCHITECTURE.md principle 1). An item
// declares its fields (pinyin code such as CF_XDR_MC, Chinese label, type, length, required-ness,
// enum values, masking), its nature (守信 / 失信 / 中性 / 基础), how severity is decided from the row,
// the publicity period per severity, the natural key that makes ingest idempotent, the sharing scope,
// the owning departments and the reporting deadline.
//
// The catalogue is configuration (config/catalog/, TOML, layered national → province → city): see
// ingest/catalog_loader.h for how files become a Catalog. This header is the pure value model.
//
// Thread-safety: immutable after loading; share a `const Catalog&` freely.

#ifndef XY_DOMAIN_CATALOG_H_
#define XY_DOMAIN_CATALOG_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xy {

enum class FieldType {
  kText,
  kDate,         // YYYY-MM-DD (readers may hand over other common forms; see ingest/validator.h)
  kDecimal,      // fixed point, 6 decimals; money is in 万元 as the 双公示 standard says
  kInteger,
  kEnum,         // one of enum_values (several, separated by ; or 、, when `multi`)
  kUscc,         // GB 32100 unified social credit code
  kCitizenId,    // GB 11643 citizen identity number
  kSubjectCode,  // the subject's identifier: a USCC, or a citizen ID for a natural person
};

enum class Nature { kBasic, kTrustworthy, kDishonest, kNeutral };  // 基础 守信 失信 中性
enum class Severity { kMinor, kGeneral, kSerious };                // 轻微 一般 严重
enum class SharingScope { kPublic, kGovernment, kAuthorized };     // 社会公开 政务共享 授权查询

// 行政相对人类别.
enum class SubjectKind { kOrganization, kPerson, kIndividualBusiness };  // 法人及非法人组织 自然人 个体工商户

// The Chinese names used in files and configuration, and back. Parse returns nullopt for others.
std::string_view FieldTypeName(FieldType t);  // "text", "date", … (configuration keywords)
std::optional<FieldType> ParseFieldType(std::string_view s);
std::string_view NatureName(Nature n);  // "守信" …
std::optional<Nature> ParseNature(std::string_view s);
std::string_view SeverityName(Severity s);  // "轻微" …
std::optional<Severity> ParseSeverity(std::string_view s);
std::string_view SharingScopeName(SharingScope s);  // "社会公开" …
std::optional<SharingScope> ParseSharingScope(std::string_view s);
std::string_view SubjectKindName(SubjectKind k);  // "法人及非法人组织" …
std::optional<SubjectKind> ParseSubjectKind(std::string_view s);

// A condition on one field of a row: true when the field's value (each part, for a multi-valued enum)
// is one of `any_of`. With `only`, true when the field is non-empty and every part is in `any_of`.
struct FieldCondition {
  std::string field;
  std::vector<std::string> any_of;
  bool only = false;
};

struct FieldSpec {
  std::string code;                  // CF_XDR_MC
  std::string label;                 // 行政相对人名称
  std::vector<std::string> aliases;  // other column names accepted (legacy 2016 layout, variants)
  FieldType type = FieldType::kText;
  int max_length = 0;  // in characters; 0 = unlimited
  bool required = false;
  std::vector<FieldCondition> required_if;  // required when any holds
  std::vector<std::string> enum_values;
  bool multi = false;     // enum: several values allowed
  bool personal = false;  // personal data: masked in every public view (脱敏)
};

// Checks across fields.
struct CrossRule {
  enum class Kind {
    kDateOrder,  // `second` ≥ `first` when both are present (有效期至 ≥ 有效期自)
  };
  Kind kind = Kind::kDateOrder;
  std::string first;
  std::string second;
};

// The first matching rule decides the row's severity; no match gives the item's default.
struct SeverityRule {
  Severity level = Severity::kGeneral;
  FieldCondition when;
};

// How long a record is shown publicly, counted from the date in `CatalogItem::publicity_start_field`.
// A record can be repaired (信用修复) only after `min_months` and stops being published at
// `max_months` (0 = until withdrawn). `published == false`: not shown publicly at all.
struct PublicityPeriod {
  bool published = true;
  int min_months = 0;
  int max_months = 0;
};

struct CatalogItem {
  std::string code;     // admin_penalty
  std::string name;     // 行政处罚
  std::string version;  // of this item's definition, e.g. "2024.1+340000.1+340400.1"
  std::vector<std::string> layers;  // the files that defined it, national first
  Nature nature = Nature::kNeutral;
  SharingScope scope = SharingScope::kPublic;
  std::vector<FieldSpec> fields;
  std::vector<CrossRule> cross_rules;
  // Field codes that identify one fact: a row with the same key is the same record (a new version if
  // anything else changed).
  std::vector<std::string> natural_key;
  // Which fields carry the subject: its name, its kind (行政相对人类别; empty = always an
  // organisation) and its code (a kUscc or kSubjectCode field).
  std::string subject_name_field;
  std::string subject_kind_field;
  std::string subject_code_field;
  std::string person_id_field;  // citizen ID of a natural-person subject, if separate
  std::string decided_on_field;        // the decision date (及时率, valid time); may be empty
  std::string publicity_start_field;   // usually the same as decided_on_field
  int report_deadline_working_days = 0;  // 双公示: 7; 0 = no deadline
  Severity default_severity = Severity::kGeneral;
  std::vector<SeverityRule> severity_rules;
  std::map<Severity, PublicityPeriod> publicity;  // missing severity = unlimited, published
  std::vector<std::string> departments;  // owning departments' USCCs; empty = any department

  const FieldSpec* Field(std::string_view code) const;
  // Finds the field a column header names: its code, its label or an alias (exact, after trimming).
  const FieldSpec* FieldForHeader(std::string_view header) const;
};

class Catalog {
 public:
  // Adds or replaces an item. The loader calls this after merging layers.
  void Put(CatalogItem item);
  const CatalogItem* Find(std::string_view code) const;
  const std::map<std::string, CatalogItem, std::less<>>& items() const { return items_; }
  // The layer files in the order they were applied, e.g. "national/2024, 340000/2024, 340400/2024".
  std::string version;

 private:
  std::map<std::string, CatalogItem, std::less<>> items_;
};

}  // namespace xy

#endif  // XY_DOMAIN_CATALOG_H_
