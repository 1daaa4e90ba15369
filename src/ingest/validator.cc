#include "ingest/validator.h"

#include <algorithm>

#include "base/decimal.h"
#include "base/text.h"
#include "domain/citizen_id.h"
#include "store/encoding.h"

namespace xy {
namespace {

std::string_view Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// "“行政相对人名称”(CF_XDR_MC)": how a department recognises the column.
std::string FieldLabel(const FieldSpec& f) { return "“" + f.label + "”(" + f.code + ")"; }

std::string RowPrefix(std::int64_t row_no) { return "第" + std::to_string(row_no) + "行"; }

int ToInt(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---------------------------------------------------------------------------------------------------
// The plan: every code the row logic reads (fields, rule references, columns) resolved once per item
// and column layout to a "slot", so a row keeps its values in a vector instead of a map by code.
// Slots [0, distinct field codes) follow the item's fields (a repeated code shares the first slot);
// further slots hold codes that rules or columns name but no field has (they only ever read empty
// unless a column feeds them).

struct PlannedCondition {
  const FieldCondition* cond = nullptr;
  int slot = -1;
  const std::string* label = nullptr;  // the field's label, or the code when no field has it
};

struct PlannedField {
  int slot = -1;
  bool subject_code = false;  // f.code == item.subject_code_field
  // Enum values a cell may hold verbatim: already canonical (NormalizeName keeps them) and, for a
  // multi field, one part as they stand (no separator, no surrounding space). Such a cell is its own
  // canonical value.
  std::vector<const std::string*> verbatim_enum;
  std::vector<PlannedCondition> required_if;
};

struct PlannedCross {
  int first = -1;
  int second = -1;
  const FieldSpec* fa = nullptr;
  const FieldSpec* fb = nullptr;
};

struct PlannedSeverity {
  const SeverityRule* rule = nullptr;
  int slot = -1;
};

}  // namespace

struct ValidationPlan {
  const CatalogItem* item = nullptr;
  const FieldSpec* fields_data = nullptr;
  std::size_t field_count = 0;
  std::vector<const FieldSpec*> by_column;  // the layout the plan was made for

  std::vector<std::string> slot_code;
  std::size_t field_slots = 0;          // slots [0, field_slots) belong to fields
  std::vector<int> sorted_slots;        // slots in code order (std::map order)
  std::vector<char> slot_personal;      // the slot holds a personal field (sealed at rest)
  std::vector<int> column_slot;         // -1: no field
  std::vector<PlannedField> fields;     // parallel to item->fields
  int kind_slot = -1;
  std::vector<std::pair<std::string, SubjectKind>> verbatim_kinds;  // ParseSubjectKind(NormalizeName(s))
  int name_slot = -1;
  int code_slot = -1;
  int person_slot = -1;
  const FieldSpec* person_field = nullptr;
  int decided_slot = -1;
  int publicity_slot = -1;
  std::vector<int> natural_key;
  std::vector<PlannedCross> cross;
  std::vector<PlannedSeverity> severity;

  int SlotFor(std::string_view code) {
    for (std::size_t i = 0; i < slot_code.size(); ++i) {
      if (slot_code[i] == code) return static_cast<int>(i);
    }
    slot_code.emplace_back(code);
    return static_cast<int>(slot_code.size() - 1);
  }
  int OptionalSlot(const std::string& code) { return code.empty() ? -1 : SlotFor(code); }

  bool Matches(const CatalogItem& it, const ColumnMap& columns) const {
    return item == &it && fields_data == it.fields.data() && field_count == it.fields.size() &&
           by_column == columns.by_column;
  }
};

namespace {

// Calls `part` with each trimmed, non-empty part of a multi-valued enum (split on ; ； 、 , ，), in
// order; stops early when `part` returns false. Separators are matched at any byte position.
template <typename F>
void ForEachPart(std::string_view s, F part) {
  std::size_t begin = 0;
  auto flush = [&](std::size_t end) {
    std::string_view t = Trim(s.substr(begin, end - begin));
    return t.empty() || part(t);
  };
  for (std::size_t i = 0; i < s.size();) {
    std::size_t sep = 0;
    if (s[i] == ';' || s[i] == ',') {
      sep = 1;
    } else if (static_cast<unsigned char>(s[i]) >= 0x80 &&
               (s.substr(i, 3) == "；" || s.substr(i, 3) == "、" || s.substr(i, 3) == "，")) {
      sep = 3;
    }
    if (sep == 0) {
      ++i;
      continue;
    }
    if (!flush(i)) return;
    i += sep;
    begin = i;
  }
  flush(s.size());
}

std::shared_ptr<const ValidationPlan> MakePlan(const CatalogItem& item,
                                               const std::vector<const FieldSpec*>& by_column) {
  auto plan = std::make_shared<ValidationPlan>();
  ValidationPlan& p = *plan;
  p.item = &item;
  p.fields_data = item.fields.data();
  p.field_count = item.fields.size();
  p.by_column = by_column;
  p.fields.resize(item.fields.size());
  for (std::size_t i = 0; i < item.fields.size(); ++i) p.fields[i].slot = p.SlotFor(item.fields[i].code);
  p.field_slots = p.slot_code.size();
  for (const FieldSpec* f : by_column) p.column_slot.push_back(f ? p.SlotFor(f->code) : -1);
  for (std::size_t i = 0; i < item.fields.size(); ++i) {
    const FieldSpec& f = item.fields[i];
    PlannedField& pf = p.fields[i];
    pf.subject_code = f.code == item.subject_code_field;
    if (f.type == FieldType::kEnum) {
      for (const std::string& e : f.enum_values) {
        if (e.empty() || NormalizeName(e) != e) continue;
        if (f.multi) {
          std::size_t parts = 0;
          bool whole = false;
          ForEachPart(e, [&](std::string_view part) {
            ++parts;
            whole = part == e;
            return true;
          });
          if (parts != 1 || !whole) continue;
        }
        pf.verbatim_enum.push_back(&e);
      }
    }
    for (const FieldCondition& c : f.required_if) {
      const FieldSpec* cf = item.Field(c.field);
      pf.required_if.push_back({&c, p.SlotFor(c.field), cf ? &cf->label : &c.field});
    }
  }
  p.kind_slot = p.OptionalSlot(item.subject_kind_field);
  for (SubjectKind k : {SubjectKind::kOrganization, SubjectKind::kPerson, SubjectKind::kIndividualBusiness}) {
    std::string name(SubjectKindName(k));
    std::optional<SubjectKind> parsed = ParseSubjectKind(NormalizeName(name));
    if (!name.empty() && parsed) p.verbatim_kinds.emplace_back(name, *parsed);
  }
  p.name_slot = p.OptionalSlot(item.subject_name_field);
  p.code_slot = p.OptionalSlot(item.subject_code_field);
  p.person_slot = p.OptionalSlot(item.person_id_field);
  if (!item.person_id_field.empty()) p.person_field = item.Field(item.person_id_field);
  p.decided_slot = p.OptionalSlot(item.decided_on_field);
  p.publicity_slot = p.OptionalSlot(item.publicity_start_field);
  for (const std::string& k : item.natural_key) p.natural_key.push_back(p.SlotFor(k));
  for (const CrossRule& r : item.cross_rules) {
    p.cross.push_back({p.SlotFor(r.first), p.SlotFor(r.second), item.Field(r.first), item.Field(r.second)});
  }
  for (const SeverityRule& r : item.severity_rules) p.severity.push_back({&r, p.SlotFor(r.when.field)});
  p.slot_personal.assign(p.slot_code.size(), 0);
  for (std::size_t i = 0; i < item.fields.size(); ++i) {
    if (item.fields[i].personal) p.slot_personal[p.fields[i].slot] = 1;
  }
  p.sorted_slots.resize(p.slot_code.size());
  for (std::size_t i = 0; i < p.sorted_slots.size(); ++i) p.sorted_slots[i] = static_cast<int>(i);
  std::sort(p.sorted_slots.begin(), p.sorted_slots.end(),
            [&](int a, int b) { return p.slot_code[a] < p.slot_code[b]; });
  return plan;
}

struct Slot {
  std::string value;
  std::string_view raw;  // the trimmed cell, until `value` takes it over
  bool pending = false;  // `raw` not yet copied into `value`
  bool touched = false;  // for slots past the fields: whether the map would hold the code

  std::string& Value() {
    if (pending) {
      value.assign(raw);
      pending = false;
    }
    return value;
  }
};

bool Contains(const std::vector<std::string>& values, std::string_view v) {
  for (const std::string& e : values) {
    if (e == v) return true;
  }
  return false;
}

bool ConditionHoldsOn(const FieldCondition& c, const std::string& value) {
  if (value.empty()) return false;
  bool any_part = false;
  bool result = c.only;  // only: all parts in the set; otherwise: any part
  ForEachPart(value, [&](std::string_view p) {
    any_part = true;
    bool in = Contains(c.any_of, p);
    if (c.only && !in) {
      result = false;
      return false;
    }
    if (!c.only && in) {
      result = true;
      return false;
    }
    return true;
  });
  if (c.only) return any_part && result;
  return result;
}

// FormatIsoDate for the dates ParseLenientDate returns (years 1900–9999), without snprintf.
std::string IsoDate(Date date) {
  int y = static_cast<int>(date.year());
  unsigned m = static_cast<unsigned>(date.month());
  unsigned d = static_cast<unsigned>(date.day());
  if (y < 1000 || y > 9999) return FormatIsoDate(date);
  char buf[10] = {static_cast<char>('0' + y / 1000),     static_cast<char>('0' + y / 100 % 10),
                  static_cast<char>('0' + y / 10 % 10),  static_cast<char>('0' + y % 10),
                  '-',
                  static_cast<char>('0' + m / 10),       static_cast<char>('0' + m % 10),
                  '-',
                  static_cast<char>('0' + d / 10),       static_cast<char>('0' + d % 10)};
  return std::string(buf, sizeof buf);
}

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

}  // namespace

std::optional<Date> ParseLenientDate(std::string_view text) {
  std::string_view v = Trim(text);
  std::string nfkc;
  if (!IsAscii(v)) {  // full-width digits and separators (NFKC is the identity on ASCII)
    nfkc = NormalizeNfkc(v);
    v = nfkc;
  }
  // A time of day after the date is ignored: "2023-01-05 08:30:00", "2023-01-05T08:30:00".
  if (std::size_t cut = v.find_first_of(" T"); cut != std::string_view::npos && cut >= 8) {
    v = v.substr(0, cut);
  }
  int y = 0, m = 0, d = 0;
  if (v.size() == 8 && AllDigits(v)) {
    y = ToInt(v.substr(0, 4));
    m = ToInt(v.substr(4, 2));
    d = ToInt(v.substr(6, 2));
  } else {
    // YYYY?M?D with one of - / . 年月日 as separators.
    std::string_view parts[3];
    std::size_t count = 0;
    std::size_t i = 0;
    while (i < v.size()) {
      std::size_t j = i;
      while (j < v.size() && v[j] >= '0' && v[j] <= '9') ++j;
      if (j == i || count == 3) return std::nullopt;  // a fourth part fails as the original did
      parts[count++] = v.substr(i, j - i);
      if (j == v.size()) break;
      if (v[j] == '-' || v[j] == '/' || v[j] == '.') {
        i = j + 1;
      } else if (v.substr(j, 3) == "年" || v.substr(j, 3) == "月" || v.substr(j, 3) == "日") {
        i = j + 3;
      } else {
        return std::nullopt;
      }
    }
    if (count != 3 || parts[0].size() != 4 || parts[1].size() > 2 || parts[2].size() > 2) {
      return std::nullopt;
    }
    y = ToInt(parts[0]);
    m = ToInt(parts[1]);
    d = ToInt(parts[2]);
  }
  Date date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
            std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok() || y < 1900) return std::nullopt;
  return date;
}

Date AddMonths(Date date, int months) {
  auto ym = std::chrono::year_month(date.year(), date.month()) + std::chrono::months(months);
  auto last = std::chrono::year_month_day_last(ym.year(), std::chrono::month_day_last(ym.month()));
  std::chrono::day day = std::min(date.day(), last.day());
  return Date(ym.year(), ym.month(), day);
}

Result<UsccExceptions> UsccExceptions::Parse(std::string_view tsv) {
  UsccExceptions out;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < tsv.size()) {
    std::size_t end = tsv.find('\n', pos);
    if (end == std::string_view::npos) end = tsv.size();
    std::string_view line = Trim(tsv.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    std::string_view code = line.substr(0, line.find('\t'));
    if (code == "code") continue;  // header
    if (code.size() != 18) {
      return Fail(ErrorCode::kInvalidArgument, "uscc_exceptions.parse",
                  "USCC exception list line " + std::to_string(line_no) +
                      ": the first column must be an 18-character code",
                  "统一社会信用代码例外清单第" + std::to_string(line_no) + "行：第一列应为18位代码");
    }
    out.codes.emplace(code);
  }
  return out;
}

Result<ColumnMap> MapColumns(const CatalogItem& item, const std::vector<std::string>& header) {
  ColumnMap map;
  std::set<const FieldSpec*> seen;
  for (const std::string& h : header) {
    // Headers arrive with BOMs, full-width brackets and stray spaces; compare canonical forms.
    const FieldSpec* f = item.FieldForHeader(h);
    if (f == nullptr) f = item.FieldForHeader(NormalizeName(h));
    if (f != nullptr && !seen.insert(f).second) {
      return Fail(ErrorCode::kInvalidArgument, "ingest.columns",
                  "two columns name the field " + f->code + " (" + f->label + ")",
                  "有两列都对应字段" + FieldLabel(*f) + "，请删除重复的列");
    }
    map.by_column.push_back(f);
    if (f == nullptr) map.ignored_columns.push_back(h);
  }
  if (seen.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "ingest.columns",
                "no column of the file names a field of " + item.code + " (" + item.name + ")",
                "文件的表头中没有“" + item.name + "”目录的任何字段，请检查是否选错了目录或表头");
  }
  for (const FieldSpec& f : item.fields) {
    if (!seen.contains(&f)) map.absent_fields.push_back(&f);
  }
  map.plan = MakePlan(item, map.by_column);
  return map;
}

ValidatedRow ValidateRow(const CatalogItem& item, const ColumnMap& columns, const RawRow& row,
                         const ValidationContext& ctx) {
  ValidatedRow out;
  std::string row_text;  // 第7行, built with the first issue
  auto prefix = [&]() -> const std::string& {
    if (row_text.empty()) row_text = RowPrefix(row.row_no);
    return row_text;
  };
  auto error = [&](std::string reason, const FieldSpec* f, std::string message) {
    out.errors.push_back({std::move(reason), f ? f->code : "", prefix() + std::move(message)});
  };
  auto warn = [&](std::string reason, const FieldSpec* f, std::string message) {
    out.warnings.push_back({std::move(reason), f ? f->code : "", prefix() + std::move(message)});
  };
  if (row.error) {
    error("row.decode", nullptr, "：" + row.error_zh.value_or(*row.error));
    out.complete = false;
    return out;
  }

  std::shared_ptr<const ValidationPlan> own;
  const ValidationPlan* plan = columns.plan.get();
  if (plan == nullptr || !plan->Matches(item, columns)) {
    own = MakePlan(item, columns.by_column);
    plan = own.get();
  }
  const ValidationPlan& p = *plan;

  // 1. Raw values by field, trimmed. Subject kind first: it decides what the code field holds.
  // Reused per thread: a row's slots take more than a kilobyte, which would otherwise be a large
  // allocation (and a malloc consolidation) per row. Values moved into the record leave them empty.
  thread_local std::vector<Slot> scratch;
  std::vector<Slot>& values = scratch;
  values.resize(p.slot_code.size());
  for (Slot& slot : values) {
    slot.value.clear();
    slot.raw = {};
    slot.pending = false;
    slot.touched = false;
  }
  for (std::size_t c = 0; c < p.column_slot.size() && c < row.cells.size(); ++c) {
    if (int s = p.column_slot[c]; s >= 0) {
      values[s].raw = Trim(row.cells[c]);
      values[s].pending = true;
      values[s].touched = true;
    }
  }
  // Slots a column did not feed are empty; the others are copied when first needed (a text field
  // straight from the cell into its folded form).
  auto at = [&](int slot) -> std::string& {
    values[slot].touched = true;
    return values[slot].Value();
  };

  SubjectKind kind = SubjectKind::kOrganization;
  if (p.kind_slot >= 0) {
    const std::string& k = at(p.kind_slot);
    auto known = std::find_if(p.verbatim_kinds.begin(), p.verbatim_kinds.end(),
                              [&](const auto& vk) { return vk.first == k; });
    if (known != p.verbatim_kinds.end()) {
      kind = known->second;
    } else if (auto parsed = ParseSubjectKind(NormalizeName(k))) {
      kind = *parsed;
    }
  }

  // 2. Each field by its type; canonical values replace the raw ones.
  for (std::size_t i = 0; i < item.fields.size(); ++i) {
    const FieldSpec& f = item.fields[i];
    Slot& slot = values[p.fields[i].slot];
    std::string_view current = slot.pending ? slot.raw : std::string_view(slot.value);
    if (current.empty()) continue;
    // A code point takes at least one byte: only a long value needs counting.
    if (f.max_length > 0 && current.size() > static_cast<std::size_t>(f.max_length)) {
      std::size_t n = CountCodePoints(current);
      if (n > static_cast<std::size_t>(f.max_length)) {
        error("field.too_long", &f,
              FieldLabel(f) + "超过" + std::to_string(f.max_length) + "字（实际" + std::to_string(n) +
                  "字）");
        continue;
      }
    }
    if (f.type == FieldType::kText) {
      slot.value = FoldWhitespace(current);
      slot.pending = false;
      continue;
    }
    std::string& v = slot.Value();
    switch (f.type) {
      case FieldType::kText:
        break;
      case FieldType::kDate: {
        std::optional<Date> d = ParseLenientDate(v);
        if (!d) {
          error("field.date", &f, FieldLabel(f) + "“" + v + "”不是有效日期，应写作如 2023-01-05");
        } else {
          v = IsoDate(*d);
        }
        break;
      }
      case FieldType::kDecimal: {
        // NFKC only: full-width digits become ASCII; the decimal point must survive.
        Result<Decimal> d = Decimal::Parse(NormalizeNfkc(v));
        if (!d || d->negative()) {
          error("field.decimal", &f,
                FieldLabel(f) + "“" + v + "”不是有效的非负数（最多6位小数，单位按目录要求，如万元）");
        } else {
          v = d->ToString();
        }
        break;
      }
      case FieldType::kInteger: {
        std::string n = NormalizeNfkc(v);
        if (!AllDigits(n) || n.size() > 18) {
          error("field.integer", &f, FieldLabel(f) + "“" + v + "”不是整数");
        } else {
          v = std::move(n);
        }
        break;
      }
      case FieldType::kEnum: {
        const std::vector<const std::string*>& verbatim = p.fields[i].verbatim_enum;
        if (std::any_of(verbatim.begin(), verbatim.end(), [&](const std::string* e) { return *e == v; })) {
          break;  // NormalizeName keeps it, and it is one allowed value (one part)
        }
        std::string normalized = NormalizeName(v);
        auto reject = [&](std::string_view part) {
          std::string allowed;
          for (const std::string& e : f.enum_values) allowed += (allowed.empty() ? "" : "、") + e;
          error("field.enum", &f,
                FieldLabel(f) + "的值“" + std::string(part) + "”不在允许范围内（" + allowed + "）");
        };
        if (!f.multi) {
          if (Contains(f.enum_values, normalized)) {
            v = std::move(normalized);
          } else {
            reject(normalized);
          }
          break;
        }
        std::string canonical;
        bool any = false;
        bool ok = true;
        ForEachPart(normalized, [&](std::string_view part) {
          any = true;
          if (!Contains(f.enum_values, part)) {
            ok = false;
            reject(part);
            return false;
          }
          if (!canonical.empty()) canonical += ';';
          canonical += part;
          return true;
        });
        if (ok && any) v = std::move(canonical);
        break;
      }
      case FieldType::kUscc:
      case FieldType::kSubjectCode:
      case FieldType::kCitizenId: {
        bool person_code = f.type == FieldType::kCitizenId ||
                           (f.type == FieldType::kSubjectCode && kind == SubjectKind::kPerson);
        CheckResult r = person_code ? CheckCitizenId(v, *ctx.clock)
                                    : CheckUscc(v, CheckMode::kNormalize, ctx.uscc_rules);
        const char* kind_prefix = person_code ? "id." : "uscc.";
        if (!r.valid()) {
          if (!person_code && ctx.exceptions && ctx.exceptions->codes.contains(r.canonical)) {
            warn("uscc.exception", &f, FieldLabel(f) + "“" + r.canonical + "”未通过校验，但在已复核的例外清单中");
            v = r.canonical;
            break;
          }
          Error e = person_code ? CitizenIdCheckError(r) : UsccCheckError(r);
          error(kind_prefix + std::string(CheckRuleName(r.rule)), &f, FieldLabel(f) + "错误：" + e.message_zh);
          out.code_error = true;
        } else {
          if (r.normalized) {
            warn(std::string(kind_prefix) + "normalized", &f,
                 FieldLabel(f) + "“" + v + "”已规范为“" + r.canonical + "”");
          }
          v = std::move(r.canonical);
        }
        break;
      }
    }
  }

  // 3. Required and conditionally required fields (conditions read the canonical values).
  for (std::size_t i = 0; i < item.fields.size(); ++i) {
    const FieldSpec& f = item.fields[i];
    const PlannedField& pf = p.fields[i];
    if (!values[pf.slot].Value().empty()) continue;
    bool required = f.required;
    const PlannedCondition* why = nullptr;
    for (const PlannedCondition& c : pf.required_if) {
      if (ConditionHoldsOn(*c.cond, values[c.slot].Value())) {
        required = true;
        why = &c;
        break;
      }
    }
    // A natural person's USCC columns are empty by design; the ID number identifies them.
    if (required && kind == SubjectKind::kPerson && pf.subject_code && p.person_slot >= 0) {
      required = false;
    }
    if (required) {
      std::string message = "缺少必填项" + FieldLabel(f);
      if (why) message += "（" + *why->label + "为“" + values[why->slot].Value() + "”时必填）";
      error("field.required", &f, std::move(message));
      out.complete = false;
    }
  }
  if (kind == SubjectKind::kPerson && p.person_slot >= 0 && at(p.person_slot).empty()) {
    const FieldSpec* f = p.person_field;
    if (f && std::none_of(out.errors.begin(), out.errors.end(),
                          [&](const RowIssue& i) { return i.field == f->code; })) {
      error("field.required", f, "缺少必填项" + FieldLabel(*f) + "（行政相对人为自然人时必填）");
      out.complete = false;
    }
  }

  // 4. Cross-field rules.
  for (const PlannedCross& rule : p.cross) {
    const std::string& a = at(rule.first);
    const std::string& b = at(rule.second);
    if (a.empty() || b.empty() || a.size() != 10 || b.size() != 10) continue;
    if (b < a) {  // ISO dates compare as text
      error("cross.date_order", rule.fb,
            FieldLabel(*rule.fb) + "“" + b + "”早于" + FieldLabel(*rule.fa) + "“" + a + "”");
    }
  }

  // The fields as the store (or, for a rejected row, the caller's report) sees them: a valid row
  // keeps only what was submitted; a rejected one every field as it stood.
  const bool valid = out.errors.empty();
  std::map<std::string, std::string>& fields = out.record.fields;
  auto fill_fields = [&] {
    for (int s : p.sorted_slots) {
      Slot& slot = values[s];
      slot.Value();
      bool present = valid ? !slot.value.empty()
                           : (static_cast<std::size_t>(s) < p.field_slots || slot.touched);
      if (present) fields.emplace_hint(fields.end(), p.slot_code[s], std::move(slot.value));
    }
  };
  if (!valid) {
    fill_fields();
    return out;
  }

  // 5. The record: subject, natural key, severity, publicity window.
  RecordInput& rec = out.record;
  rec.item = item.code;
  rec.row_no = row.row_no;
  rec.subject.kind = kind;
  if (p.name_slot >= 0) rec.subject.name = NormalizeName(values[p.name_slot].Value());
  if (kind == SubjectKind::kPerson) {
    out.person_id = p.person_slot >= 0 ? values[p.person_slot].Value()
                                       : (p.code_slot >= 0 ? values[p.code_slot].Value() : "");
  } else if (p.code_slot >= 0) {
    rec.subject.uscc = values[p.code_slot].Value();
  }
  for (int k : p.natural_key) {
    if (!rec.natural_key.empty()) rec.natural_key += '\x1f';
    rec.natural_key += values[k].Value();
  }
  if (p.decided_slot >= 0) rec.decided_on = ParseLenientDate(values[p.decided_slot].Value());
  rec.severity = item.default_severity;
  for (const PlannedSeverity& r : p.severity) {
    if (ConditionHoldsOn(r.rule->when, values[r.slot].Value())) {
      rec.severity = r.rule->level;
      break;
    }
  }
  std::optional<Date> start = p.publicity_slot < 0 ? rec.decided_on
                                                   : ParseLenientDate(values[p.publicity_slot].Value());
  rec.publicity_from = start;
  if (auto pp = item.publicity.find(rec.severity); pp != item.publicity.end()) {
    rec.published = pp->second.published;
    if (start && pp->second.max_months > 0) rec.publicity_until = AddMonths(*start, pp->second.max_months);
  }
  // Drop empty optional fields so the stored payload only holds what was submitted.
  if (!ctx.encode_fields) {
    fill_fields();
    return out;
  }
  thread_local std::vector<FieldView> views;
  views.clear();
  for (int s : p.sorted_slots) {
    Slot& slot = values[s];
    slot.Value();
    if (slot.value.empty()) continue;
    if (p.slot_personal[s] && ctx.seal_personal) slot.value = ctx.seal_personal(slot.value);
    views.emplace_back(p.slot_code[s], slot.value);
  }
  AppendCanonicalJson(views, rec.fields_json);
  rec.fields_digest = FieldsDigest(rec.fields_json);
  return out;
}

}  // namespace xy
