// Validation of one submitted row against its catalogue item: every field by its type and length,
// required and conditionally required fields, cross-field rules, identifiers through the domain
// checks, then the row's severity, publicity window and subject.
//
// The result is either a RecordInput ready for the store, or the list of everything wrong with the
// row (all problems, not just the first, so the department fixes a row once), each with a stable
// reason code and a Chinese message that names the column as the department wrote it.
//
// Reason codes (docs/ingest.md lists them with examples):
//   row.decode            the reader could not decode the row (bad JSON, unclosed quote, extra cells)
//   field.required        a required (or conditionally required) field is empty
//   field.too_long        longer than the field's max_length (characters)
//   field.date            not a date (accepted: 2023-01-05, 2023/1/5, 20230105, 2023年1月5日,
//                         2023-01-05 08:30:00)
//   field.decimal         not a decimal, negative money, or more than 6 decimal places
//   field.integer         not a whole number
//   field.enum            not one of the item's values
//   uscc.<rule>           the USCC fails GB 32100 (uscc.length, uscc.check, …; 错码)
//   id.<rule>             the citizen ID fails GB 11643 (id.birthdate, id.check, …)
//   cross.date_order      e.g. 有效期至 before 有效期自
// Warnings (the row is kept): uscc.normalized, id.normalized (the code was written in another form),
// uscc.exception (fails the check but is on the reviewed exception list), column.ignored.
//
// Thread-safety: pure given its inputs; ColumnMap and ValidationContext are read only.

#ifndef XY_INGEST_VALIDATOR_H_
#define XY_INGEST_VALIDATOR_H_

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/date.h"
#include "domain/catalog.h"
#include "domain/uscc.h"
#include "ingest/reader.h"
#include "store/store.h"

namespace xy {

// Precomputed per item and column layout (field positions, resolved rule references); internal to
// the validator.
struct ValidationPlan;

// Which catalogue field each file column feeds.
struct ColumnMap {
  std::vector<const FieldSpec*> by_column;  // nullptr for a column no field claims
  std::vector<std::string> ignored_columns;  // headers that name no field
  std::vector<const FieldSpec*> absent_fields;  // fields no column provides
  // Set by MapColumns for the item it was given (which must then outlive the map and stay
  // unchanged); ValidateRow uses it when it matches and otherwise plans the row itself.
  std::shared_ptr<const ValidationPlan> plan;
};

// Maps a header onto an item's fields (by code, label or alias). Errors: kInvalidArgument
// "ingest.columns" when no column names a field of the item, or two columns name the same field.
Result<ColumnMap> MapColumns(const CatalogItem& item, const std::vector<std::string>& header);

// Reviewed USCCs that fail the check but are real (pilot-era codes, DOMAIN.md §2.2).
struct UsccExceptions {
  std::set<std::string, std::less<>> codes;
  // Parses config/uscc-exceptions.tsv: "code<TAB>reviewer<TAB>note" lines, # comments. Errors name
  // the line (kInvalidArgument "uscc_exceptions.parse").
  static Result<UsccExceptions> Parse(std::string_view tsv);
};

struct ValidationContext {
  const Clock* clock = nullptr;
  const UsccExceptions* exceptions = nullptr;  // may be null: no exceptions
  UsccRules uscc_rules = UsccRules::Default();
  // Ingest sets this: a valid row's fields then come back already encoded (record.fields_json and
  // fields_digest, record.fields left empty), with every personal field replaced by
  // seal_personal(value) first. Unset, they come back as the record.fields map.
  bool encode_fields = false;
  std::function<std::string(std::string_view)> seal_personal;
};

struct RowIssue {
  std::string reason;      // "field.required"
  std::string field;       // the field code, or empty for row-level issues
  std::string message_zh;  // 第3行“行政相对人名称”(CF_XDR_MC)为必填项
};

struct ValidatedRow {
  std::vector<RowIssue> errors;    // empty = the row is valid
  std::vector<RowIssue> warnings;
  bool complete = true;    // every required field present (完整率)
  bool code_error = false; // an identifier failed its check (错码)
  RecordInput record;      // filled when valid (dept, raw_sm3 and subject protection set by the caller)
  // The subject's citizen ID in canonical form, for a natural person; the caller seals it and derives
  // the blind index — the validator never sees keys.
  std::string person_id;

  bool valid() const { return errors.empty(); }
};

ValidatedRow ValidateRow(const CatalogItem& item, const ColumnMap& columns, const RawRow& row,
                         const ValidationContext& ctx);

// Accepts the date forms listed above and returns the canonical date.
std::optional<Date> ParseLenientDate(std::string_view text);

// Adds calendar months, clamping to the month's last day (2024-01-31 + 1 month = 2024-02-29).
Date AddMonths(Date date, int months);

}  // namespace xy

#endif  // XY_INGEST_VALIDATOR_H_
