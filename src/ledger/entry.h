// What the transparency ledger records: one Entry per leaf, in a canonical byte form.
//
// Four kinds of fact are appended: a stored record version, a list decision, an issued credit
// report and a department's query at the point of service. An entry names the fact and carries the
// SM3 of its full canonical content, not the content itself: the log proves that the content with
// that digest existed at that position, and the store (or the report, or the decision document)
// supplies the content to whoever may see it.
//
// Canonical bytes (format version 1), also described for outsiders in README.md:
//
//   entry   = version (1 byte, 0x01) ‖ kind (1 byte) ‖ the kind's fields in the order declared
//   below int64   = 8 bytes, big-endian two's complement string  = length (4 bytes, big-endian
//   unsigned) ‖ that many bytes (UTF-8 by convention; not
//             checked, the ledger stores what it is given)
//   digest  = 32 bytes (raw SM3 output)
//   date    = string "YYYY-MM-DD"
//
// Each value has exactly one encoding and the decoder accepts nothing else (unknown version or
// kind, truncation, trailing bytes, an over-long field, a malformed date), so two different entries
// can never share a leaf hash. New fields mean a new format version; old leaves keep their bytes.
//
// Thread-safety: plain values and pure functions.

#ifndef XY_LEDGER_ENTRY_H_
#define XY_LEDGER_ENTRY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "base/crypto.h"
#include "base/date.h"
#include "base/result.h"

namespace xy::ledger {

inline constexpr std::uint8_t kEntryFormatVersion = 1;
// Fields hold identifiers, codes and short texts; the cap keeps a garbled length prefix from
// looking plausible and bounds what one leaf can cost.
inline constexpr std::size_t kMaxEntryFieldSize = 64 * 1024;

// The kind tag, the second byte of every entry. Values are part of the format: never renumber.
enum class EntryKind : std::uint8_t {
  kRecordVersion = 1,
  kListDecision = 2,
  kReport = 3,
  kQuery = 4,
};

// "record_version", "list_decision", "report", "query"; "unknown" for any other value.
std::string_view EntryKindName(EntryKind kind);

// A new version of a credit record was stored (the first version too). Appended by ingest once the
// batch commits, so that a record can later be shown to be exactly what the department submitted.
struct RecordVersionEntry {
  static constexpr EntryKind kKind = EntryKind::kRecordVersion;

  std::int64_t record_id = 0;  // the store's RecordId
  std::int64_t version = 0;    // 1 for the first version
  std::string item;            // catalogue item code, e.g. "admin_penalty"
  std::string natural_key;     // the item's natural-key values joined with U+001F, as stored
  Sm3Digest content_sm3{};     // SM3 of the record version's canonical content (the store's form)
  std::int64_t batch_id = 0;   // the ingest batch that wrote this version

  friend bool operator==(const RecordVersionEntry&, const RecordVersionEntry&) = default;
};

// A decision on a credit list (红黑名单, 经营异常名录 …): inclusion, removal, repair, an objection
// mark. The decision's full text and legal basis live with the workflow; the entry pins its digest.
struct ListDecisionEntry {
  static constexpr EntryKind kKind = EntryKind::kListDecision;

  std::int64_t decision_id = 0;  // the store's id of this decision (one workflow transition)
  std::string list;              // list code, e.g. "serious_violation"
  std::string action;            // set by the workflow: "include", "remove", "repair", …
  std::string subject;           // USCC; for a person the blind index, never the ID number
  std::string decided_by;        // the deciding department's USCC (谁认定)
  Date decided_on{};             // the legal date of the decision; must be a real date
  Sm3Digest decision_sm3{};      // SM3 of the decision's canonical content (text, basis, reviewer)

  friend bool operator==(const ListDecisionEntry&, const ListDecisionEntry&) = default;
};

// A signed credit report was issued. Its QR code leads to the inclusion proof of this entry.
struct ReportEntry {
  static constexpr EntryKind kKind = EntryKind::kReport;

  std::string report_no;       // the printed report number
  std::string subject;         // USCC; for a natural person the blind index
  std::int64_t issued_at = 0;  // seconds since 1970-01-01T00:00:00Z
  Sm3Digest report_sm3{};      // SM3 of the report's signed canonical bytes

  friend bool operator==(const ReportEntry&, const ReportEntry&) = default;
};

// A department (or, with the subject's authorisation, a bank) looked a subject up. Auditors use
// these to see who queried whom, under which matter and authorisation.
struct QueryEntry {
  static constexpr EntryKind kKind = EntryKind::kQuery;

  std::int64_t query_id = 0;    // the store's id of the logged query
  std::string dept;             // the querying organisation's USCC
  std::string operator_id;      // the account (clerk or system) that sent the query
  std::string subject;          // USCC; for a natural person the blind index
  std::string matter_code;      // 行政权力事项 code; empty when the query is not for a matter
  std::string purpose;          // the stated purpose, as sent
  std::string authorization;    // reference of the subject's authorisation; empty if none needed
  std::int64_t queried_at = 0;  // seconds since 1970-01-01T00:00:00Z
  Sm3Digest response_sm3{};     // SM3 of the answer given (measures and their legal basis)

  friend bool operator==(const QueryEntry&, const QueryEntry&) = default;
};

using Entry = std::variant<RecordVersionEntry, ListDecisionEntry, ReportEntry, QueryEntry>;

EntryKind KindOf(const Entry& entry);

// The canonical bytes; LeafHash() of them is the entry's leaf hash.
// Errors: kInvalidArgument "ledger.entry" for a field longer than kMaxEntryFieldSize or a
// decided_on that is not a real date (neither could be decoded back).
Result<std::string> EncodeEntry(const Entry& entry);

// The inverse of EncodeEntry: DecodeEntry(*EncodeEntry(e)) == e, and EncodeEntry(*DecodeEntry(b))
// == b. Errors: kInvalidArgument "ledger.entry" for anything else, naming the byte offset.
Result<Entry> DecodeEntry(std::string_view bytes);

}  // namespace xy::ledger

#endif  // XY_LEDGER_ENTRY_H_
