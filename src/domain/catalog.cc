#include "domain/catalog.h"

#include <algorithm>
#include <array>
#include <utility>

namespace xy {
namespace {

template <typename E, std::size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return {};
}

template <typename E, std::size_t N>
std::optional<E> ValueOf(const std::array<std::pair<E, std::string_view>, N>& table,
                         std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<FieldType, std::string_view>, 8> kFieldTypes = {{
    {FieldType::kText, "text"},
    {FieldType::kDate, "date"},
    {FieldType::kDecimal, "decimal"},
    {FieldType::kInteger, "integer"},
    {FieldType::kEnum, "enum"},
    {FieldType::kUscc, "uscc"},
    {FieldType::kCitizenId, "citizen_id"},
    {FieldType::kSubjectCode, "subject_code"},
}};
constexpr std::array<std::pair<Nature, std::string_view>, 4> kNatures = {{
    {Nature::kBasic, "基础"},
    {Nature::kTrustworthy, "守信"},
    {Nature::kDishonest, "失信"},
    {Nature::kNeutral, "中性"},
}};
constexpr std::array<std::pair<Severity, std::string_view>, 3> kSeverities = {{
    {Severity::kMinor, "轻微"},
    {Severity::kGeneral, "一般"},
    {Severity::kSerious, "严重"},
}};
constexpr std::array<std::pair<SharingScope, std::string_view>, 3> kScopes = {{
    {SharingScope::kPublic, "社会公开"},
    {SharingScope::kGovernment, "政务共享"},
    {SharingScope::kAuthorized, "授权查询"},
}};
constexpr std::array<std::pair<SubjectKind, std::string_view>, 3> kSubjectKinds = {{
    {SubjectKind::kOrganization, "法人及非法人组织"},
    {SubjectKind::kPerson, "自然人"},
    {SubjectKind::kIndividualBusiness, "个体工商户"},
}};

}  // namespace

std::string_view FieldTypeName(FieldType t) { return NameOf(kFieldTypes, t); }
std::optional<FieldType> ParseFieldType(std::string_view s) { return ValueOf(kFieldTypes, s); }
std::string_view NatureName(Nature n) { return NameOf(kNatures, n); }
std::optional<Nature> ParseNature(std::string_view s) { return ValueOf(kNatures, s); }
std::string_view SeverityName(Severity s) { return NameOf(kSeverities, s); }
std::optional<Severity> ParseSeverity(std::string_view s) { return ValueOf(kSeverities, s); }
std::string_view SharingScopeName(SharingScope s) { return NameOf(kScopes, s); }
std::optional<SharingScope> ParseSharingScope(std::string_view s) { return ValueOf(kScopes, s); }
std::string_view SubjectKindName(SubjectKind k) { return NameOf(kSubjectKinds, k); }
std::optional<SubjectKind> ParseSubjectKind(std::string_view s) {
  return ValueOf(kSubjectKinds, s);
}

const FieldSpec* CatalogItem::Field(std::string_view code) const {
  for (const FieldSpec& f : fields) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

const FieldSpec* CatalogItem::FieldForHeader(std::string_view header) const {
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t' || header.back() == '\r')) {
    header.remove_suffix(1);
  }
  for (const FieldSpec& f : fields) {
    if (f.code == header || f.label == header) return &f;
  }
  for (const FieldSpec& f : fields) {
    if (std::find(f.aliases.begin(), f.aliases.end(), header) != f.aliases.end()) return &f;
  }
  return nullptr;
}

void Catalog::Put(CatalogItem item) {
  std::string code = item.code;
  items_.insert_or_assign(std::move(code), std::move(item));
}

const CatalogItem* Catalog::Find(std::string_view code) const {
  auto it = items_.find(code);
  return it == items_.end() ? nullptr : &it->second;
}

}  // namespace xy
