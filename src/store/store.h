// The store: where subjects, credit records, batches and quarantined rows live.
//
// One interface, two back ends: SQLite (store/sqlite/, the embedded default: one file, zero set-up)
// and later PostgreSQL (store/postgres/). Every store test is written once against this interface
// and runs on each back end. Services talk only to this interface; nothing above it knows SQL.
//
// Batches are atomic: everything a batch writes happens inside one BatchTransaction, which either
// commits whole (Commit) or leaves no trace (destroyed without Commit, or the process killed at any
// moment). Re-running a killed batch therefore ends in exactly the state one clean run gives.
//
// Thread-safety: a Store may be used from one thread at a time; open one per thread. At most one
// BatchTransaction is open per Store at a time, and it must not outlive the Store.

#ifndef XY_STORE_STORE_H_
#define XY_STORE_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/date.h"
#include "base/result.h"
#include "domain/catalog.h"

namespace xy {

using SubjectId = std::int64_t;
using RecordId = std::int64_t;
using BatchId = std::int64_t;
// Seconds since 1970-01-01T00:00:00Z.
using Timestamp = std::int64_t;

// How ingest identifies the subject of a row.
struct SubjectKey {
  SubjectKind kind = SubjectKind::kOrganization;
  std::string uscc;          // canonical USCC; empty for a natural person without one
  std::string person_index;  // blind index of the citizen ID (never the ID itself); empty otherwise
  std::string person_sealed;  // the citizen ID sealed with PersonalDataCipher; empty otherwise
  std::string name;           // canonical name as submitted (NormalizeName)
};

struct Subject {
  SubjectId id = 0;
  SubjectKind kind = SubjectKind::kOrganization;
  std::string uscc;
  std::string person_index;
  std::string name;  // the current registered name (from subject_registry), else the first seen
  bool provisional = true;  // created by a record before the registry knew the subject
  int region_code = 0;      // from the registry (or USCC positions 3–8), 0 when unknown
  Timestamp created_at = 0;
};

// One version of one fact (a licence, a penalty, a list entry …). Values are canonical strings by
// field code, as validated against the catalogue item.
struct RecordInput {
  std::string item;
  std::string natural_key;  // the item's natural-key field values joined with U+001F
  std::map<std::string, std::string> fields;
  // The fields' canonical JSON and its FieldsDigest (store/encoding.h), when the caller has already
  // encoded them (ingest does, on its producer thread, so the store's writer thread does not; it
  // then leaves `fields` empty). Empty `fields_json`: the store encodes `fields` itself.
  std::string fields_json;
  std::int64_t fields_digest = 0;
  SubjectKey subject;
  std::optional<Date> decided_on;
  Severity severity = Severity::kGeneral;
  std::optional<Date> publicity_from;
  std::optional<Date> publicity_until;  // empty = no maximum
  bool published = true;
  // Provenance.
  std::string dept;         // the submitting department's USCC
  std::int64_t row_no = 0;  // 1-based data row in the submitted file
  std::string raw_sm3;      // hex SM3 of the raw row as read (before any normalising)
};

enum class UpsertOutcome {
  kAccepted,   // a new record
  kUpdated,    // the natural key existed with other values: a new version, history kept
  kUnchanged,  // the natural key existed with the same values: only last_seen moves
};

struct UpsertResult {
  UpsertOutcome outcome = UpsertOutcome::kAccepted;
  RecordId record = 0;
  SubjectId subject = 0;
  int version = 1;
  bool subject_created = false;  // an unknown USCC: a provisional subject was created
  // The USCC was already known under another name (重码): stored, and flagged for review.
  std::optional<std::string> known_name;
};

// A stored fact as it stands: which item and key, whose it is and which version is current.
struct Record {
  RecordId id = 0;
  std::string item;
  std::string natural_key;
  SubjectId subject = 0;  // the subject of the current version
  int current_version = 1;
  std::string status;        // "active"
  Timestamp first_seen = 0;  // the batch that first stored the key
  Timestamp last_seen = 0;   // the latest batch that carried the key, changed or not
};

// One version of a record, with its provenance.
struct RecordVersion {
  RecordId record = 0;
  int version = 1;
  SubjectId subject = 0;
  std::map<std::string, std::string> fields;
  std::optional<Date> decided_on;
  Severity severity = Severity::kGeneral;
  std::optional<Date> publicity_from;
  std::optional<Date> publicity_until;
  bool published = true;
  std::string dept;
  BatchId batch = 0;
  std::int64_t row_no = 0;
  std::string raw_sm3;
  Timestamp recorded_at = 0;
};

// A row that failed validation, kept with everything needed to hand it back.
struct QuarantineInput {
  std::int64_t row_no = 0;
  std::vector<std::string> values;   // the row's original cells, in file column order
  std::vector<std::string> reasons;  // machine reason codes ("field.required", "uscc.check", …)
  std::vector<std::string> messages_zh;  // one per reason, for the department
  std::string raw_sm3;
};

struct QuarantineRow : QuarantineInput {
  BatchId batch = 0;
};

struct BatchInput {
  std::string item;
  std::string dept;
  std::string file_name;
  std::string file_sm3;  // may be empty at BeginBatch and set by SetFileSm3 before Commit
  std::string catalog_version;
  std::vector<std::string> header;  // the file's column headers as read (for quarantine export)
  Timestamp received_at = 0;
};

struct Batch : BatchInput {
  BatchId id = 0;
  std::string receipt_json;  // the receipt as issued, verbatim
};

// One row's subject resolution problem found during ingest, kept for the 重错码 review.
struct CodeIssue {
  std::int64_t id = 0;
  std::string kind;  // "duplicate" (one code, several names) or "error" (an invalid code)
  std::string code;
  std::string detail;  // the names seen, or the reason the code is invalid
  std::string status;  // "open", "confirmed", "cleared"
  std::string reviewer;
  std::string note;
  Timestamp updated_at = 0;
};

class BatchTransaction {
 public:
  virtual ~BatchTransaction() = default;  // rolls back unless committed

  // Resolves the subject (creating a provisional one for an unknown code) and writes the record by
  // natural key: new, new version, or unchanged.
  virtual Result<UpsertResult> Upsert(const RecordInput& record) = 0;

  // Upsert of many rows in order, with one result per row appended to `out`: the same outcome as
  // calling Upsert for each, but a back end may write them together (PostgreSQL: one COPY and one
  // set-based merge instead of a round trip per row). On error, no result is appended and the
  // batch must be dropped. The default calls Upsert row by row.
  virtual Result<void> UpsertMany(std::span<const RecordInput* const> records,
                                  std::vector<UpsertResult>& out);

  // Registers or updates a subject from the subject registry (not provisional afterwards); a name
  // change is kept in the subject's name history.
  virtual Result<SubjectId> PutSubject(const SubjectKey& key, int region_code) = 0;

  virtual Result<void> Quarantine(const QuarantineInput& row) = 0;

  // Records a code issue (opened, or left as it is if the same kind+code+detail is already open).
  virtual Result<void> ReportCodeIssue(const CodeIssue& issue) = 0;

  // Sets the batch's file digest when BeginBatch did not have it yet (ingest hashes the file on its
  // own thread while the rows are being read).
  virtual Result<void> SetFileSm3(const std::string& file_sm3) = 0;

  // Stores the receipt and commits everything. After Commit the transaction is spent.
  virtual Result<void> Commit(const std::string& receipt_json) = 0;

  virtual BatchId batch_id() const = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Creates the schema or migrates it to the current version. Idempotent.
  virtual Result<void> Migrate() = 0;

  // Opens a batch. Its id is final only once committed.
  virtual Result<std::unique_ptr<BatchTransaction>> BeginBatch(const BatchInput& batch) = 0;

  virtual Result<std::optional<Batch>> GetBatch(BatchId id) = 0;
  virtual Result<std::vector<QuarantineRow>> GetQuarantine(BatchId id) = 0;

  virtual Result<std::optional<Subject>> FindSubjectByUscc(const std::string& uscc) = 0;
  // All names a subject has been seen under, oldest first.
  virtual Result<std::vector<std::string>> SubjectNames(SubjectId id) = 0;
  virtual Result<std::int64_t> CountSubjects() = 0;
  virtual Result<std::int64_t> CountRecords(const std::string& item) = 0;

  virtual Result<std::optional<Record>> FindRecord(const std::string& item,
                                                   const std::string& natural_key) = 0;
  // Every version of a record, oldest first (empty for an unknown id): corrections never erase.
  virtual Result<std::vector<RecordVersion>> RecordHistory(RecordId id) = 0;

  virtual Result<std::vector<CodeIssue>> ListCodeIssues() = 0;
  virtual Result<void> ReviewCodeIssue(std::int64_t id, const std::string& status,
                                       const std::string& reviewer, const std::string& note) = 0;
};

// Opens the store a URL names: "sqlite:PATH" (the file is created if missing, its folder is not) or
// "sqlite::memory:" (private, gone when closed; for tests). It does not migrate: call Migrate().
// Errors: kInvalidArgument "store.url" for an unknown scheme; kFailedPrecondition "store.url" for
// "postgresql://…" until that back end is built; kUnavailable "store.open" when it cannot open.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const Clock& clock);

}  // namespace xy

#endif  // XY_STORE_STORE_H_
