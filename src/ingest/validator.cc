#include "ingest/validator.h"

#include <algorithm>

#include "base/decimal.h"
#include "base/text.h"
#include "domain/citizen_id.h"

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

// Splits a multi-valued enum on ; ； 、 , ，
std::vector<std::string> SplitMulti(std::string_view s) {
  std::vector<std::string> parts;
  std::string current;
  auto flush = [&] {
    std::string_view t = Trim(current);
    if (!t.empty()) parts.emplace_back(t);
    current.clear();
  };
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == ';' || s[i] == ',') {
      flush();
      ++i;
    } else if (s.substr(i, 3) == "；" || s.substr(i, 3) == "、" || s.substr(i, 3) == "，") {
      flush();
      i += 3;
    } else {
      current += s[i++];
    }
  }
  flush();
  return parts;
}

bool ConditionHolds(const FieldCondition& c, const std::map<std::string, std::string>& values) {
  auto it = values.find(c.field);
  if (it == values.end() || it->second.empty()) return false;
  std::vector<std::string> parts = SplitMulti(it->second);
  auto in_set = [&](const std::string& p) {
    return std::find(c.any_of.begin(), c.any_of.end(), p) != c.any_of.end();
  };
  if (c.only) return !parts.empty() && std::all_of(parts.begin(), parts.end(), in_set);
  return std::any_of(parts.begin(), parts.end(), in_set);
}

int ToInt(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<Date> ParseLenientDate(std::string_view text) {
  std::string s = NormalizeNfkc(Trim(text));  // full-width digits and separators
  std::string_view v = s;
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
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    while (i < v.size()) {
      std::size_t j = i;
      while (j < v.size() && v[j] >= '0' && v[j] <= '9') ++j;
      if (j == i) return std::nullopt;
      parts.push_back(v.substr(i, j - i));
      if (j == v.size()) break;
      if (v[j] == '-' || v[j] == '/' || v[j] == '.') {
        i = j + 1;
      } else if (v.substr(j, 3) == "年" || v.substr(j, 3) == "月" || v.substr(j, 3) == "日") {
        i = j + 3;
      } else {
        return std::nullopt;
      }
    }
    if (parts.size() != 3 || parts[0].size() != 4 || parts[1].size() > 2 || parts[2].size() > 2) {
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
  return map;
}

ValidatedRow ValidateRow(const CatalogItem& item, const ColumnMap& columns, const RawRow& row,
                         const ValidationContext& ctx) {
  ValidatedRow out;
  const std::string row_text = RowPrefix(row.row_no);
  auto error = [&](std::string reason, const FieldSpec* f, std::string message) {
    out.errors.push_back({std::move(reason), f ? f->code : "", row_text + std::move(message)});
  };
  auto warn = [&](std::string reason, const FieldSpec* f, std::string message) {
    out.warnings.push_back({std::move(reason), f ? f->code : "", row_text + std::move(message)});
  };
  if (row.error) {
    error("row.decode", nullptr, "：" + row.error_zh.value_or(*row.error));
    out.complete = false;
    return out;
  }

  // 1. Raw values by field code, trimmed. Subject kind first: it decides what the code field holds.
  std::map<std::string, std::string>& values = out.record.fields;
  for (std::size_t c = 0; c < columns.by_column.size() && c < row.cells.size(); ++c) {
    if (const FieldSpec* f = columns.by_column[c]) values[f->code] = std::string(Trim(row.cells[c]));
  }

  SubjectKind kind = SubjectKind::kOrganization;
  if (!item.subject_kind_field.empty()) {
    const std::string& k = values[item.subject_kind_field];
    if (auto parsed = ParseSubjectKind(NormalizeName(k))) kind = *parsed;
  }

  // 2. Each field by its type; canonical values replace the raw ones.
  for (const FieldSpec& f : item.fields) {
    std::string& v = values[f.code];
    if (v.empty()) continue;
    if (f.max_length > 0 && CountCodePoints(v) > static_cast<std::size_t>(f.max_length)) {
      error("field.too_long", &f,
            FieldLabel(f) + "超过" + std::to_string(f.max_length) + "字（实际" +
                std::to_string(CountCodePoints(v)) + "字）");
      continue;
    }
    switch (f.type) {
      case FieldType::kText:
        v = FoldWhitespace(v);
        break;
      case FieldType::kDate: {
        std::optional<Date> d = ParseLenientDate(v);
        if (!d) {
          error("field.date", &f, FieldLabel(f) + "“" + v + "”不是有效日期，应写作如 2023-01-05");
        } else {
          v = FormatIsoDate(*d);
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
          v = n;
        }
        break;
      }
      case FieldType::kEnum: {
        std::vector<std::string> parts =
            f.multi ? SplitMulti(NormalizeName(v)) : std::vector<std::string>{NormalizeName(v)};
        std::string canonical;
        bool ok = !parts.empty();
        for (const std::string& p : parts) {
          if (std::find(f.enum_values.begin(), f.enum_values.end(), p) == f.enum_values.end()) {
            ok = false;
            std::string allowed;
            for (const std::string& e : f.enum_values) allowed += (allowed.empty() ? "" : "、") + e;
            error("field.enum", &f, FieldLabel(f) + "的值“" + p + "”不在允许范围内（" + allowed + "）");
            break;
          }
          canonical += (canonical.empty() ? "" : ";") + p;
        }
        if (ok) v = canonical;
        break;
      }
      case FieldType::kUscc:
      case FieldType::kSubjectCode:
      case FieldType::kCitizenId: {
        bool person_code = f.type == FieldType::kCitizenId ||
                           (f.type == FieldType::kSubjectCode && kind == SubjectKind::kPerson);
        CheckResult r = person_code ? CheckCitizenId(v, *ctx.clock)
                                    : CheckUscc(v, CheckMode::kNormalize, ctx.uscc_rules);
        std::string prefix = person_code ? "id." : "uscc.";
        if (!r.valid()) {
          if (!person_code && ctx.exceptions && ctx.exceptions->codes.contains(r.canonical)) {
            warn("uscc.exception", &f, FieldLabel(f) + "“" + r.canonical + "”未通过校验，但在已复核的例外清单中");
            v = r.canonical;
            break;
          }
          Error e = person_code ? CitizenIdCheckError(r) : UsccCheckError(r);
          error(prefix + std::string(CheckRuleName(r.rule)), &f, FieldLabel(f) + "错误：" + e.message_zh);
          out.code_error = true;
        } else {
          if (r.normalized) {
            warn(prefix + "normalized", &f, FieldLabel(f) + "“" + v + "”已规范为“" + r.canonical + "”");
          }
          v = r.canonical;
        }
        break;
      }
    }
  }

  // 3. Required and conditionally required fields (conditions read the canonical values).
  for (const FieldSpec& f : item.fields) {
    if (!values[f.code].empty()) continue;
    bool required = f.required;
    std::string why;
    for (const FieldCondition& c : f.required_if) {
      if (ConditionHolds(c, values)) {
        required = true;
        const FieldSpec* cf = item.Field(c.field);
        why = "（" + (cf ? cf->label : c.field) + "为“" + values[c.field] + "”时必填）";
        break;
      }
    }
    // A natural person's USCC columns are empty by design; the ID number identifies them.
    if (required && kind == SubjectKind::kPerson && f.code == item.subject_code_field &&
        !item.person_id_field.empty()) {
      required = false;
    }
    if (required) {
      error("field.required", &f, "缺少必填项" + FieldLabel(f) + why);
      out.complete = false;
    }
  }
  if (kind == SubjectKind::kPerson && !item.person_id_field.empty() &&
      values[item.person_id_field].empty()) {
    const FieldSpec* f = item.Field(item.person_id_field);
    if (f && std::none_of(out.errors.begin(), out.errors.end(),
                          [&](const RowIssue& i) { return i.field == f->code; })) {
      error("field.required", f, "缺少必填项" + FieldLabel(*f) + "（行政相对人为自然人时必填）");
      out.complete = false;
    }
  }

  // 4. Cross-field rules.
  for (const CrossRule& rule : item.cross_rules) {
    const std::string& a = values[rule.first];
    const std::string& b = values[rule.second];
    if (a.empty() || b.empty() || a.size() != 10 || b.size() != 10) continue;
    if (b < a) {  // ISO dates compare as text
      const FieldSpec* fa = item.Field(rule.first);
      const FieldSpec* fb = item.Field(rule.second);
      error("cross.date_order", fb,
            FieldLabel(*fb) + "“" + b + "”早于" + FieldLabel(*fa) + "“" + a + "”");
    }
  }
  if (!out.errors.empty()) return out;

  // 5. The record: subject, natural key, severity, publicity window.
  RecordInput& rec = out.record;
  rec.item = item.code;
  rec.row_no = row.row_no;
  rec.subject.kind = kind;
  if (!item.subject_name_field.empty()) rec.subject.name = NormalizeName(values[item.subject_name_field]);
  if (kind == SubjectKind::kPerson) {
    out.person_id = !item.person_id_field.empty() ? values[item.person_id_field]
                                                  : values[item.subject_code_field];
  } else if (!item.subject_code_field.empty()) {
    rec.subject.uscc = values[item.subject_code_field];
  }
  for (const std::string& k : item.natural_key) {
    if (!rec.natural_key.empty()) rec.natural_key += '\x1f';
    rec.natural_key += values[k];
  }
  if (!item.decided_on_field.empty()) rec.decided_on = ParseLenientDate(values[item.decided_on_field]);
  rec.severity = item.default_severity;
  for (const SeverityRule& r : item.severity_rules) {
    if (ConditionHolds(r.when, values)) {
      rec.severity = r.level;
      break;
    }
  }
  std::optional<Date> start = item.publicity_start_field.empty()
                                  ? rec.decided_on
                                  : ParseLenientDate(values[item.publicity_start_field]);
  rec.publicity_from = start;
  if (auto p = item.publicity.find(rec.severity); p != item.publicity.end()) {
    rec.published = p->second.published;
    if (start && p->second.max_months > 0) rec.publicity_until = AddMonths(*start, p->second.max_months);
  }
  // Drop empty optional fields so the stored payload only holds what was submitted.
  std::erase_if(values, [](const auto& kv) { return kv.second.empty(); });
  return out;
}

}  // namespace xy
