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

#include "base/crypto.h"
#include "base/date.h"
#include "base/result.h"
#include "domain/catalog.h"
#include "ledger/tree_head.h"

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
  // SM3 of RecordContentText (store/encoding.h) for this version, when the caller has computed it
  // (ingest does, off the store's thread); otherwise the store computes it for the ledger leaf.
  std::optional<Sm3Digest> content_sm3;
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
  // The ledger key. With it, every record version the batch stores is appended to the transparency
  // ledger (a record_version leaf, in the same transaction) and Commit signs the new tree head.
  // Without it the batch appends nothing — only for measuring what the ledger costs.
  const Sm2KeyPair* ledger_key = nullptr;
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

// One leaf of the transparency ledger as stored: the entry bytes exactly as hashed
// (ledger::EncodeEntry) and what they refer to, for look-up.
struct LedgerLeaf {
  std::int64_t index = 0;  // 0-based position in the log
  std::string kind;        // ledger::EntryKindName: "record_version", …
  std::int64_t ref_id = 0;       // the record id (record_version)
  std::int64_t ref_version = 0;  // the record version (record_version), else 0
  std::string entry;             // ledger::EncodeEntry bytes
  Sm3Digest leaf_hash{};         // ledger::LeafHash(entry) as computed when appended
};

// A stored record version with what RecordContentText needs beyond RecordVersion: the canonical
// fields text as stored and the subject's code.
struct StoredVersion {
  RecordVersion version;
  std::string item;
  std::string natural_key;
  std::string fields_json;
  std::string subject_code;  // the subject's USCC, else its person index
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

// ---- Evaluation (公共信用综合评价): what an evaluation reads and what a run keeps
// The store knows nothing of models: it hands out subjects and the named fields of records, and
// keeps each result's details as the service encoded them (EvaluationResultRow::detail_json).

// A subject as the evaluation and the 双随机 draw read it.
struct EvalSubjectRow {
  SubjectId id = 0;
  SubjectKind kind = SubjectKind::kOrganization;
  int region_code = 0;
  bool provisional = true;
  std::string uscc;  // empty for a person without one
};

// Which records Store::ScanRecords reads, and which of their fields.
struct RecordScanSpec {
  struct Item {
    std::string code;                 // catalogue item
    std::vector<std::string> fields;  // field codes whose values the scan returns, in this order
  };
  // Records of other items are skipped. ScannedRecord::item is an index into this list.
  std::vector<Item> items;
  // Only the records of these subjects (ascending), read through the subject index; empty = every
  // record, in storage order (one sequential pass: the fastest way through a large store).
  std::vector<SubjectId> subjects;
  // Read each record as it stood when batch `known_at` had committed: its latest version stored by
  // a batch ≤ known_at, and no record first stored by a later batch. 0 = the current versions.
  // Evaluation runs read a fixed snapshot this way, so recomputing one sees exactly its data.
  BatchId known_at = 0;
  // A scan of every record with a snapshot may use up to this many connections at once, each on
  // its own thread (a back end may use fewer); visits then come from those threads, one at a time.
  int threads = 1;
};

enum class StoredRecordStatus : std::uint8_t { kActive, kRepaired, kWithdrawn };

struct ScannedRecord {
  RecordId id = 0;
  SubjectId subject = 0;   // the subject of the version read
  std::uint16_t item = 0;  // index into RecordScanSpec::items
  Severity severity = Severity::kGeneral;
  StoredRecordStatus status = StoredRecordStatus::kActive;
  bool published = true;
  std::optional<Date> decided_on;
  std::optional<Date> publicity_from;
  std::optional<Date> publicity_until;
  // This record's values of RecordScanSpec::items[item].fields are RecordChunk::Value(first_value),
  // Value(first_value + 1), … ("" for a field the record does not have).
  std::uint32_t first_value = 0;
};

// Records handed over by a scan, in no particular order between chunks or within one. It owns all
// its memory, so a visitor may move it to another thread.
struct RecordChunk {
  struct Span {
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
  };
  std::vector<ScannedRecord> records;
  std::vector<Span> values;  // into `text`
  std::string text;

  std::string_view Value(std::size_t k) const {
    return std::string_view(text).substr(values[k].offset, values[k].size);
  }
};

// Receives a scan's output; an error from a visit stops the scan and is returned by it.
class RecordVisitor {
 public:
  virtual ~RecordVisitor() = default;
  virtual Result<void> Visit(RecordChunk chunk) = 0;
};
class SubjectVisitor {
 public:
  virtual ~SubjectVisitor() = default;
  virtual Result<void> Visit(std::span<const EvalSubjectRow> subjects) = 0;
};

// One evaluation run as stored.
struct EvaluationRunInfo {
  std::int64_t id = 0;        // assigned by BeginEvaluationRun
  std::string model_version;  // Evaluator::version(): "public-2024@2024.1+bidding@2024.1+…"
  std::string model_text;     // the model's files as the service encoded them, to recompute later
  Date as_of;
  std::string mode;            // "full" or "incremental"
  std::int64_t base_run = 0;   // incremental: the run whose other results were carried over
  BatchId snapshot = 0;        // the last batch whose data the run read (RecordScanSpec::known_at)
  std::int64_t subjects = 0;   // results stored (set by Commit)
  std::int64_t evaluated = 0;  // results computed by this run; the rest were carried over
  std::string summary_json;    // distribution, migration, PSI as reported (set by Commit)
  Timestamp created_at = 0;    // set by BeginEvaluationRun
};

// One subject's result in a run.
struct EvaluationResultRow {
  SubjectId subject = 0;
  int score = 0;
  std::string grade;
  std::string industries;   // the industry results in brief, as the service encodes them
  std::string detail_json;  // dimensions and reasons, as the service encodes them
};

class EvaluationResultVisitor {
 public:
  virtual ~EvaluationResultVisitor() = default;
  virtual Result<void> Visit(std::span<const EvaluationResultRow> results) = 0;
};

// Writes one run in one transaction: nothing of it is visible until Commit, and a writer destroyed
// without Commit (or a killed process) leaves no trace. Holds the store's write lock while open.
class EvaluationWriter {
 public:
  virtual ~EvaluationWriter() = default;  // rolls back unless committed
  virtual std::int64_t run_id() const = 0;
  // Copies every result of `run` into this one (what an incremental run carries over).
  virtual Result<void> CarryOver(std::int64_t run) = 0;
  // Stores results; a subject already in this run (carried over) is replaced.
  virtual Result<void> Put(std::span<const EvaluationResultRow> results) = 0;
  // Sets the run's counts and summary and commits. After Commit the writer is spent.
  virtual Result<void> Commit(std::int64_t subjects, std::int64_t evaluated,
                              const std::string& summary_json) = 0;
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

  // The version of a record (current or archived) with its content; nullopt when there is none.
  // (The ledger reads below fail with kFailedPrecondition "store.ledger" on a back end that does
  // not keep the ledger yet.)
  virtual Result<std::optional<StoredVersion>> GetRecordVersion(RecordId, int) { return NoLedger(); }

  // Ledger leaves [from, from + count) in order (fewer at the end of the log), and every signed
  // tree head, oldest first. The heads' signatures are checked by the reader, not the store.
  virtual Result<std::vector<LedgerLeaf>> LedgerLeaves(std::int64_t /*from*/, std::int64_t /*count*/) {
    return NoLedger();
  }
  virtual Result<std::vector<ledger::SignedTreeHead>> TreeHeads() { return NoLedger(); }
  // The leaf of a record version (nullopt when the ledger has none).
  virtual Result<std::optional<LedgerLeaf>> FindLedgerLeaf(RecordId, int) { return NoLedger(); }

  virtual Result<std::vector<CodeIssue>> ListCodeIssues() = 0;
  virtual Result<void> ReviewCodeIssue(std::int64_t id, const std::string& status,
                                       const std::string& reviewer, const std::string& note) = 0;

  // ---- Evaluation runs (services/evaluate_service.h). A back end that does not keep them yet
  // fails each of these with kFailedPrecondition "store.evaluation".

  // The last committed batch, 0 when there is none: an evaluation's snapshot.
  virtual Result<BatchId> LastBatch() { return NoEvaluation(); }
  // The subjects in ascending id, in chunks: those in `only` (ascending; unknown ids are skipped),
  // or every subject when `only` is empty.
  virtual Result<void> ScanEvalSubjects(std::span<const SubjectId> /*only*/,
                                        SubjectVisitor& /*visitor*/) {
    return NoEvaluation();
  }
  virtual Result<std::optional<Subject>> GetSubject(SubjectId /*id*/) { return NoEvaluation(); }
  // The records `spec` names, in chunks (RecordScanSpec says which and in what order).
  // Errors: kInternal "store.corrupt" for a stored value that cannot be read back.
  virtual Result<void> ScanRecords(const RecordScanSpec& /*spec*/, RecordVisitor& /*visitor*/) {
    return NoEvaluation();
  }
  // The subjects whose records batches (after, upto] changed — a new record, a new version, or a
  // record moved between subjects (then both) — ascending. A batch that only saw records again
  // unchanged changes nothing.
  virtual Result<std::vector<SubjectId>> SubjectsChangedBetween(BatchId /*after*/,
                                                                BatchId /*upto*/) {
    return NoEvaluation();
  }
  // Opens a run; `run.id`, `subjects`, `evaluated`, `summary_json` and `created_at` are ignored.
  // At most one writer (or batch) is open per store at a time: kFailedPrecondition
  // "store.batch_open" otherwise.
  virtual Result<std::unique_ptr<EvaluationWriter>> BeginEvaluationRun(
      const EvaluationRunInfo& /*run*/) {
    return NoEvaluation();
  }
  // The committed run with this id, or the latest committed run when `id` is 0; nullopt when
  // there is none.
  virtual Result<std::optional<EvaluationRunInfo>> GetEvaluationRun(std::int64_t /*id*/) {
    return NoEvaluation();
  }
  // A run's results in ascending subject, in chunks; detail_json is filled only `with_detail`.
  virtual Result<void> ScanEvaluationResults(std::int64_t /*run*/, bool /*with_detail*/,
                                             EvaluationResultVisitor& /*visitor*/) {
    return NoEvaluation();
  }
  virtual Result<std::optional<EvaluationResultRow>> GetEvaluationResult(std::int64_t /*run*/,
                                                                         SubjectId /*subject*/) {
    return NoEvaluation();
  }

 protected:
  static std::unexpected<Error> NoEvaluation() {
    return Fail(ErrorCode::kFailedPrecondition, "store.evaluation",
                "this store back end does not keep evaluation runs yet",
                "该数据库后端尚不支持信用评价结果的存储");
  }

 protected:
  static std::unexpected<Error> NoLedger() {
    return Fail(ErrorCode::kFailedPrecondition, "store.ledger",
                "this store back end does not keep the transparency ledger",
                "该数据库后端尚不支持可信账本");
  }
};

// Opens the store a URL names: "sqlite:PATH" (the file is created if missing, its folder is not),
// "sqlite::memory:" (private, gone when closed; for tests), or "postgresql://…" / "postgres://…"
// (empty parts from the PG* environment variables). It does not migrate: call Migrate().
// Errors: kInvalidArgument "store.url" for an unknown scheme; kUnavailable "store.open" when it
// cannot open or connect.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const Clock& clock);

}  // namespace xy

#endif  // XY_STORE_STORE_H_
