#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>

#include "domain/uscc.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "store/encoding.h"
#include "store/ledger_rows.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_handle.h"

namespace xy {
namespace {

using sqlite::DbPtr;
using sqlite::SqliteError;
using sqlite::StmtPtr;
using sqlite::StmtUse;

std::unexpected<Error> Corrupt(std::string what) {
  return Fail(ErrorCode::kInternal, "store.corrupt", "stored value cannot be read back: " + what,
              "数据库中的数据无法读取");
}

Result<std::optional<Date>> DateColumn(const StmtUse& use, int i) {
  if (use.ColumnIsNull(i)) return std::optional<Date>();
  Result<Date> date = ParseIsoDate(use.ColumnView(i));
  if (!date) return Corrupt("date '" + use.ColumnText(i) + "'");
  return std::optional<Date>(*date);
}

// A version row as kRecordHistory and kGetVersion select it: version, subject_id, fields_json,
// decided_on, severity, publicity_from, publicity_until, published, dept, batch_id, row_no,
// raw_sm3, recorded_at.
Result<RecordVersion> ReadVersion(const StmtUse& use, RecordId id) {
  RecordVersion v;
  v.record = id;
  v.version = static_cast<int>(use.ColumnInt(0));
  v.subject = use.ColumnInt(1);
  auto fields = ParseStringMapJson(use.ColumnView(2));
  if (!fields) return Corrupt("fields of record " + std::to_string(id));
  v.fields = std::move(*fields);
  auto decided = DateColumn(use, 3);
  if (!decided) return std::unexpected(decided.error());
  v.decided_on = *decided;
  std::optional<Severity> severity = ParseSeverityText(use.ColumnView(4));
  if (!severity) return Corrupt("severity '" + use.ColumnText(4) + "'");
  v.severity = *severity;
  auto from = DateColumn(use, 5);
  if (!from) return std::unexpected(from.error());
  v.publicity_from = *from;
  auto until = DateColumn(use, 6);
  if (!until) return std::unexpected(until.error());
  v.publicity_until = *until;
  v.published = use.ColumnInt(7) != 0;
  v.dept = use.ColumnText(8);
  v.batch = use.ColumnInt(9);
  v.row_no = use.ColumnInt(10);
  v.raw_sm3 = use.ColumnText(11);
  v.recorded_at = use.ColumnInt(12);
  return v;
}

// ---- Statements

// Every statement the store runs, prepared once per connection on first use.
enum Sql : int {
  kBegin,
  kCommit,
  kRollback,
  kSchemaVersion,
  kFindSubjectByUscc,
  kFindSubjectByPerson,
  kInsertSubject,
  kUpdateSubject,
  kRenameSubject,
  kInsertSubjectName,
  kInsertRecord,
  kFindRecordKey,
  kArchiveVersion,
  kTouchRecord,
  kAdvanceRecord,
  kInsertBatch,
  kCommitBatch,
  kSetFileSm3,
  kInsertQuarantine,
  kReportCodeIssue,
  kGetBatch,
  kGetQuarantine,
  kGetSubjectByUscc,
  kSubjectNames,
  kCountSubjects,
  kCountRecords,
  kCountRecordsOfItem,
  kFindRecord,
  kRecordHistory,
  kListCodeIssues,
  kReviewCodeIssue,
  kInsertLeaf,
  kInsertHead,
  kLatestHead,
  kCountLeaves,
  kLedgerLeaves,
  kTreeHeads,
  kGetLeaf,
  kVersionLeafIdx,
  kGetVersion,
  kSqlCount,
};

constexpr std::array<const char*, kSqlCount> kSqlText = {
    // kBegin: IMMEDIATE takes the write lock now (waiting up to the busy timeout), so a batch never
    // fails half-way because another writer got there first.
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SELECT coalesce(max(version), 0) FROM schema_version",
    "SELECT id, name FROM subjects WHERE uscc = ?1",
    "SELECT id, name FROM subjects WHERE person_index = ?1",
    "INSERT INTO subjects (kind, uscc, person_index, person_sealed, name, provisional, region_code,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    "UPDATE subjects SET kind = ?2, name = ?3, provisional = 0, region_code = ?4,"
    " person_sealed = coalesce(?5, person_sealed) WHERE id = ?1",
    "UPDATE subjects SET name = ?2 WHERE id = ?1",
    "INSERT INTO subject_names (subject_id, name, first_seen_batch, seen_at) VALUES (?1, ?2, ?3, "
    "?4)"
    " ON CONFLICT (subject_id, name) DO NOTHING",
    // kInsertRecord: a new key is one statement; for a stored one it changes nothing. ?6–?16 are the
    // version's content, bound by BindContent (as in kAdvanceRecord).
    "INSERT INTO records (item, natural_key, subject_id, current_version, status, first_seen,"
    " last_seen, content_digest, fields_json, fields_digest, decided_on, severity, publicity_from,"
    " publicity_until, published, dept, batch_id, row_no, raw_sm3, recorded_at, leaf_idx)"
    " VALUES (?1, ?2, ?3, 1, 'active', ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
    " ?16, ?4, ?17) ON CONFLICT (item, natural_key) DO NOTHING",
    "SELECT id, current_version, content_digest FROM records WHERE item = ?1 AND natural_key = ?2",
    // kArchiveVersion: the outgoing current version, copied before a correction overwrites it.
    "INSERT INTO record_versions (record_id, version, subject_id, fields_json, fields_digest,"
    " decided_on, severity, publicity_from, publicity_until, published, dept, batch_id, row_no,"
    " raw_sm3, recorded_at, leaf_idx) SELECT id, current_version, subject_id, fields_json,"
    " fields_digest, decided_on, severity, publicity_from, publicity_until, published, dept,"
    " batch_id, row_no, raw_sm3, recorded_at, leaf_idx FROM records WHERE id = ?1",
    "UPDATE records SET last_seen = ?2 WHERE id = ?1",
    "UPDATE records SET current_version = ?2, subject_id = ?3, last_seen = ?4, content_digest = ?5,"
    " fields_json = ?6, fields_digest = ?7, decided_on = ?8, severity = ?9, publicity_from = ?10,"
    " publicity_until = ?11, published = ?12, dept = ?13, batch_id = ?14, row_no = ?15,"
    " raw_sm3 = ?16, recorded_at = ?4, leaf_idx = ?17 WHERE id = ?1",
    "INSERT INTO batches (item, dept, file_name, file_sm3, catalog_version, header_json,"
    " received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    "UPDATE batches SET receipt_json = ?2 WHERE id = ?1",
    "UPDATE batches SET file_sm3 = ?2 WHERE id = ?1",
    "INSERT INTO quarantine (batch_id, row_no, values_json, reasons_json, messages_json, raw_sm3)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    // kReportCodeIssue: an issue already on file keeps its status: a reviewer's decision stands.
    "INSERT INTO code_issues (kind, code, detail, status, reviewer, note, updated_at)"
    " VALUES (?1, ?2, ?3, 'open', '', '', ?4) ON CONFLICT (kind, code, detail) DO NOTHING",
    "SELECT item, dept, file_name, file_sm3, catalog_version, header_json, received_at,"
    " receipt_json FROM batches WHERE id = ?1",
    "SELECT row_no, values_json, reasons_json, messages_json, raw_sm3 FROM quarantine"
    " WHERE batch_id = ?1 ORDER BY row_no",
    "SELECT id, kind, uscc, person_index, name, provisional, region_code, created_at"
    " FROM subjects WHERE uscc = ?1",
    "SELECT name FROM subject_names WHERE subject_id = ?1 ORDER BY id",
    "SELECT count(*) FROM subjects",
    "SELECT count(*) FROM records",
    "SELECT count(*) FROM records WHERE item = ?1",
    "SELECT id, subject_id, current_version, status, first_seen, last_seen FROM records"
    " WHERE item = ?1 AND natural_key = ?2",
    "SELECT version, subject_id, fields_json, decided_on, severity, publicity_from,"
    " publicity_until, published, dept, batch_id, row_no, raw_sm3, recorded_at"
    " FROM record_versions WHERE record_id = ?1"
    " UNION ALL SELECT current_version, subject_id, fields_json, decided_on, severity,"
    " publicity_from, publicity_until, published, dept, batch_id, row_no, raw_sm3, recorded_at"
    " FROM records WHERE id = ?1 ORDER BY 1",
    "SELECT id, kind, code, detail, status, reviewer, note, updated_at FROM code_issues ORDER BY "
    "id",
    "UPDATE code_issues SET status = ?2, reviewer = ?3, note = ?4, updated_at = ?5 WHERE id = ?1",
    "INSERT INTO ledger_leaves (idx, kind, ref_id, ref_version, entry, leaf_hash)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    "INSERT INTO ledger_heads (tree_size, root, timestamp, signature, frontier)"
    " VALUES (?1, ?2, ?3, ?4, ?5)",
    "SELECT tree_size, frontier FROM ledger_heads ORDER BY tree_size DESC LIMIT 1",
    "SELECT count(*) FROM ledger_leaves",
    "SELECT idx, kind, ref_id, ref_version, entry, leaf_hash FROM ledger_leaves"
    " WHERE idx >= ?1 ORDER BY idx LIMIT ?2",
    "SELECT tree_size, root, timestamp, signature FROM ledger_heads ORDER BY tree_size",
    "SELECT idx, kind, ref_id, ref_version, entry, leaf_hash FROM ledger_leaves WHERE idx = ?1",
    // kVersionLeafIdx: the current version lives on the record row, older ones in record_versions.
    "SELECT leaf_idx FROM records WHERE id = ?1 AND current_version = ?2"
    " UNION ALL SELECT leaf_idx FROM record_versions WHERE record_id = ?1 AND version = ?2",
    // kGetVersion: one version with the columns RecordContentText needs and its subject's code.
    "SELECT v.version, v.subject_id, v.fields_json, v.decided_on, v.severity, v.publicity_from,"
    " v.publicity_until, v.published, v.dept, v.batch_id, v.row_no, v.raw_sm3, v.recorded_at,"
    " r.item, r.natural_key, coalesce(s.uscc, s.person_index, '')"
    " FROM (SELECT record_id AS id, version, subject_id, fields_json, decided_on, severity,"
    "        publicity_from, publicity_until, published, dept, batch_id, row_no, raw_sm3,"
    "        recorded_at FROM record_versions WHERE record_id = ?1 AND version = ?2"
    "       UNION ALL SELECT id, current_version, subject_id, fields_json, decided_on, severity,"
    "        publicity_from, publicity_until, published, dept, batch_id, row_no, raw_sm3,"
    "        recorded_at FROM records WHERE id = ?1 AND current_version = ?2) v"
    " JOIN records r ON r.id = v.id LEFT JOIN subjects s ON s.id = v.subject_id",
};

int LatestSchemaVersion() { return sqlite::Migrations().back().version; }

// ---- The store

class SqliteBatch;

class SqliteStore final : public Store {
 public:
  SqliteStore(DbPtr db, SqliteStoreOptions options)
      : db_(std::move(db)), options_(std::move(options)) {}

  Result<void> Migrate() override;
  Result<std::unique_ptr<BatchTransaction>> BeginBatch(const BatchInput& batch) override;
  Result<std::optional<Batch>> GetBatch(BatchId id) override;
  Result<std::vector<QuarantineRow>> GetQuarantine(BatchId id) override;
  Result<std::optional<Subject>> FindSubjectByUscc(const std::string& uscc) override;
  Result<std::vector<std::string>> SubjectNames(SubjectId id) override;
  Result<std::int64_t> CountSubjects() override;
  Result<std::int64_t> CountRecords(const std::string& item) override;
  Result<std::optional<Record>> FindRecord(const std::string& item,
                                           const std::string& natural_key) override;
  Result<std::vector<RecordVersion>> RecordHistory(RecordId id) override;
  Result<std::optional<StoredVersion>> GetRecordVersion(RecordId id, int version) override;
  Result<std::vector<LedgerLeaf>> LedgerLeaves(std::int64_t from, std::int64_t count) override;
  Result<std::vector<ledger::SignedTreeHead>> TreeHeads() override;
  Result<std::optional<LedgerLeaf>> FindLedgerLeaf(RecordId id, int version) override;
  Result<std::vector<CodeIssue>> ListCodeIssues() override;
  Result<void> ReviewCodeIssue(std::int64_t id, const std::string& status,
                               const std::string& reviewer, const std::string& note) override;
  // Evaluation runs: the section "Evaluation" at the end of this file.
  Result<BatchId> LastBatch() override;
  Result<void> ScanEvalSubjects(std::span<const SubjectId> only, SubjectVisitor& visitor) override;
  Result<std::optional<Subject>> GetSubject(SubjectId id) override;
  Result<void> ScanRecords(const RecordScanSpec& spec, RecordVisitor& visitor) override;
  Result<std::vector<SubjectId>> SubjectsChangedBetween(BatchId after, BatchId upto) override;
  Result<std::unique_ptr<EvaluationWriter>> BeginEvaluationRun(
      const EvaluationRunInfo& run) override;
  Result<std::optional<EvaluationRunInfo>> GetEvaluationRun(std::int64_t id) override;
  Result<void> ScanEvaluationResults(std::int64_t run, bool with_detail,
                                     EvaluationResultVisitor& visitor) override;
  Result<std::optional<EvaluationResultRow>> GetEvaluationResult(std::int64_t run,
                                                                 SubjectId subject) override;

  sqlite3* db() const { return db_.get(); }

  Timestamp Now() const {
    if (options_.now) return options_.now();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // The cached statement, prepared on first use.
  Result<sqlite3_stmt*> Prepared(Sql id, std::string_view reason) {
    StmtPtr& slot = stmts_[id];
    if (slot == nullptr) {
      sqlite3_stmt* stmt = nullptr;
      const int rc = sqlite3_prepare_v3(db_.get(), kSqlText[id], -1, SQLITE_PREPARE_PERSISTENT,
                                        &stmt, nullptr);
      if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return std::unexpected(SqliteError(db_.get(), rc, std::string(reason), kSqlText[id]));
      }
      slot.reset(stmt);
    }
    return slot.get();
  }

  // Runs a statement that returns no rows (BEGIN, COMMIT, ROLLBACK).
  Result<void> Run(Sql id, std::string_view reason) {
    Result<sqlite3_stmt*> stmt = Prepared(id, reason);
    if (!stmt) return std::unexpected(stmt.error());
    StmtUse use(*stmt);
    const int rc = use.Step();
    if (rc != SQLITE_DONE) {
      return std::unexpected(SqliteError(db_.get(), rc, std::string(reason), kSqlText[id]));
    }
    return {};
  }

  void BatchClosed() { batch_open_ = false; }

 private:
  // Fails unless the schema is at the version this build writes (checked once per connection).
  Result<void> EnsureSchema();
  Result<int> SchemaVersion();
  Result<std::int64_t> Count(Sql id, const std::string* item);
  // The ledger as the last signed head left it (empty for a store without one).
  Result<ledger::MerkleLog> RestoreLedger();
  std::unexpected<Error> Failed(int rc, std::string_view reason, std::string_view what) const {
    return std::unexpected(SqliteError(db_.get(), rc, std::string(reason), what));
  }

  // Declared first so it is destroyed last, after the statements.
  DbPtr db_;
  SqliteStoreOptions options_;
  std::array<StmtPtr, kSqlCount> stmts_;
  bool batch_open_ = false;
  bool schema_ok_ = false;
};

std::unexpected<Error> BatchOpen() {
  return Fail(ErrorCode::kFailedPrecondition, "store.batch_open",
              "a batch is open on this store; commit or drop it first",
              "当前有一个批次正在写入，请等待其完成");
}

// ---- The batch

class SqliteBatch final : public BatchTransaction {
 public:
  // With a ledger key, `log` is the ledger as the last committed batch left it.
  SqliteBatch(SqliteStore& store, BatchId id, Timestamp now, const Sm2KeyPair* ledger_key,
              std::optional<ledger::MerkleLog> log)
      : store_(store),
        id_(id),
        now_(now),
        ledger_key_(ledger_key),
        log_(std::move(log)),
        head_size_(log_ ? log_->size() : 0) {}

  ~SqliteBatch() override {
    // SQLite may already have rolled back after an I/O error; ROLLBACK then would only fail.
    if (!done_ && sqlite3_get_autocommit(store_.db()) == 0) {
      (void)store_.Run(kRollback, "store.rollback");
    }
    store_.BatchClosed();
  }

  SqliteBatch(const SqliteBatch&) = delete;
  SqliteBatch& operator=(const SqliteBatch&) = delete;

  Result<UpsertResult> Upsert(const RecordInput& record) override;
  Result<SubjectId> PutSubject(const SubjectKey& key, int region_code) override;
  Result<void> Quarantine(const QuarantineInput& row) override;
  Result<void> ReportCodeIssue(const CodeIssue& issue) override;
  Result<void> SetFileSm3(const std::string& file_sm3) override;
  Result<void> Commit(const std::string& receipt_json) override;
  BatchId batch_id() const override { return id_; }

 private:
  struct CachedSubject {
    SubjectId id = 0;
    std::string name;  // the subject's current name
    // Names known to be in subject_names, so a recurring variant is inserted once per batch.
    std::vector<std::string> names;
  };

  // The transaction is still ours: not committed, and not rolled back by SQLite after an error
  // (after SQLITE_FULL or an I/O error SQLite may roll back by itself; going on would write the
  // rest of the batch outside any transaction, row by row).
  Result<void> Usable() const;

  // The subject's cache entry, read from the store (nullptr when the store does not have it).
  Result<CachedSubject*> LookUpSubject(const SubjectKey& key, std::string_view reason);
  Result<CachedSubject*> CreateSubject(const SubjectKey& key, bool provisional, int region_code,
                                       std::string_view reason);
  Result<void> RecordName(CachedSubject& subject, const std::string& name, std::string_view reason);

  // The version's content as parameters ?6–?16 of kInsertRecord and kAdvanceRecord.
  struct Content {
    const std::string& fields_json;
    std::int64_t fields_digest;
    const std::string& decided;
    const std::string& from;
    const std::string& until;
  };
  void BindContent(StmtUse& use, const RecordInput& in, const Content& c) const;
  // ?17 of kInsertRecord and kAdvanceRecord: the leaf the version is about to take (NULL when the
  // batch keeps no ledger).
  void BindLeafIdx(StmtUse& use) const {
    if (log_) {
      use.Int(17, log_->size());
    } else {
      use.Null(17);
    }
  }
  // Appends the record_version leaf of a version just written (a no-op without the ledger).
  Result<void> AppendLeaf(RecordId record, int version, const RecordInput& in, const Content& c);

  // The stored record of a key: its id, current version and that version's ContentDigest.
  struct Current {
    RecordId id = 0;
    int version = 0;
    std::int64_t content_digest = 0;
  };
  Result<std::optional<Current>> FindCurrent(const RecordInput& in);
  // The new record's id, or 0 when the key is already stored.
  Result<RecordId> InsertRecord(const RecordInput& in, SubjectId subject,
                                std::int64_t content_digest, const Content& content);

  std::unexpected<Error> Failed(int rc, std::string_view reason, std::string_view what) const {
    return std::unexpected(SqliteError(store_.db(), rc, std::string(reason), what));
  }

  SqliteStore& store_;
  BatchId id_;
  Timestamp now_;
  bool done_ = false;
  std::unordered_map<std::string, CachedSubject> by_uscc_;
  std::unordered_map<std::string, CachedSubject> by_person_;
  std::string json_;            // canonical fields of the current row; reused to keep its capacity
  bool expect_stored_ = false;  // whether the previous row's key was already stored
  const Sm2KeyPair* ledger_key_;
  std::optional<ledger::MerkleLog> log_;  // set iff ledger_key_
  std::int64_t head_size_ = 0;            // the tree size of the last signed head
};

Result<void> SqliteBatch::Usable() const {
  if (done_) {
    return Fail(ErrorCode::kFailedPrecondition, "store.batch_spent",
                "the batch was already committed", "该批次已提交");
  }
  if (sqlite3_get_autocommit(store_.db()) != 0) {
    return Fail(
        ErrorCode::kAborted, "store.batch_aborted",
        "the batch's transaction was rolled back after an earlier error; run the batch again",
        "该批次因前面的错误已被撤销，请重新提交");
  }
  return {};
}

std::unexpected<Error> NoSubjectCode() {
  return Fail(ErrorCode::kInvalidArgument, "store.subject_key",
              "a subject needs a USCC or a person index", "主体缺少统一社会信用代码或身份证号");
}

Result<SqliteBatch::CachedSubject*> SqliteBatch::LookUpSubject(const SubjectKey& key,
                                                               std::string_view reason) {
  const bool by_uscc = !key.uscc.empty();
  if (!by_uscc && key.person_index.empty()) return NoSubjectCode();
  auto& cache = by_uscc ? by_uscc_ : by_person_;
  const std::string& code = by_uscc ? key.uscc : key.person_index;
  if (auto it = cache.find(code); it != cache.end()) return &it->second;

  Result<sqlite3_stmt*> stmt =
      store_.Prepared(by_uscc ? kFindSubjectByUscc : kFindSubjectByPerson, reason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Text(1, code);
  const int rc = use.Step();
  if (rc == SQLITE_DONE) return nullptr;
  if (rc != SQLITE_ROW) return Failed(rc, reason, "find subject");
  CachedSubject& entry = cache[code];
  entry.id = use.ColumnInt(0);
  entry.name = use.ColumnText(1);
  entry.names.push_back(entry.name);
  return &entry;
}

Result<SqliteBatch::CachedSubject*> SqliteBatch::CreateSubject(const SubjectKey& key,
                                                               bool provisional, int region_code,
                                                               std::string_view reason) {
  SubjectId id = 0;
  {
    Result<sqlite3_stmt*> stmt = store_.Prepared(kInsertSubject, reason);
    if (!stmt) return std::unexpected(stmt.error());
    StmtUse use(*stmt);
    use.Text(1, SubjectKindText(key.kind));
    use.TextOrNull(2, key.uscc);
    use.TextOrNull(3, key.person_index);
    if (key.person_sealed.empty()) {
      use.Null(4);
    } else {
      use.Blob(4, key.person_sealed);
    }
    use.Text(5, key.name);
    use.Int(6, provisional ? 1 : 0);
    use.Int(7, region_code);
    use.Int(8, now_);
    if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, reason, "insert subject");
    id = sqlite3_last_insert_rowid(store_.db());
  }
  CachedSubject entry{.id = id, .name = key.name, .names = {}};
  if (!key.name.empty()) {
    if (Result<void> r = RecordName(entry, key.name, reason); !r) return std::unexpected(r.error());
  }
  auto& cache = key.uscc.empty() ? by_person_ : by_uscc_;
  const std::string& code = key.uscc.empty() ? key.person_index : key.uscc;
  return &(cache[code] = std::move(entry));
}

Result<void> SqliteBatch::RecordName(CachedSubject& subject, const std::string& name,
                                     std::string_view reason) {
  if (std::find(subject.names.begin(), subject.names.end(), name) != subject.names.end()) return {};
  Result<sqlite3_stmt*> stmt = store_.Prepared(kInsertSubjectName, reason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Int(1, subject.id);
  use.Text(2, name);
  use.Int(3, id_);
  use.Int(4, now_);
  const int rc = use.Step();
  if (rc != SQLITE_DONE) return Failed(rc, reason, "insert subject name");
  subject.names.push_back(name);
  return {};
}

void SqliteBatch::BindContent(StmtUse& use, const RecordInput& in, const Content& c) const {
  use.Text(6, c.fields_json);
  use.Int(7, c.fields_digest);
  use.TextOrNull(8, c.decided);
  use.Text(9, SeverityText(in.severity));
  use.TextOrNull(10, c.from);
  use.TextOrNull(11, c.until);
  use.Int(12, in.published ? 1 : 0);
  use.Text(13, in.dept);
  use.Int(14, id_);
  use.Int(15, in.row_no);
  use.Text(16, in.raw_sm3);
}

Result<void> SqliteBatch::AppendLeaf(RecordId record, int version, const RecordInput& in,
                                     const Content& c) {
  if (!log_) return {};
  constexpr std::string_view kReason = "store.ledger";
  Result<LeafRow> leaf = RecordVersionLeaf(record, version, id_, in,
                                           VersionText{.fields_json = c.fields_json,
                                                       .decided_on = c.decided,
                                                       .publicity_from = c.from,
                                                       .publicity_until = c.until});
  if (!leaf) return std::unexpected(leaf.error());
  Result<sqlite3_stmt*> stmt = store_.Prepared(kInsertLeaf, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Int(1, log_->size());
  use.Text(2, ledger::EntryKindName(ledger::EntryKind::kRecordVersion));
  use.Int(3, record);
  use.Int(4, version);
  use.Blob(5, leaf->entry);
  use.Blob(6, std::string_view(reinterpret_cast<const char*>(leaf->hash.data()), kSm3Size));
  if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "append leaf");
  log_->Append(leaf->hash);
  return {};
}

Result<RecordId> SqliteBatch::InsertRecord(const RecordInput& in, SubjectId subject,
                                           std::int64_t content_digest, const Content& content) {
  Result<sqlite3_stmt*> stmt = store_.Prepared(kInsertRecord, "store.upsert");
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Text(1, in.item);
  use.Text(2, in.natural_key);
  use.Int(3, subject);
  use.Int(4, now_);
  use.Int(5, content_digest);
  BindContent(use, in, content);
  BindLeafIdx(use);
  if (const int rc = use.Step(); rc != SQLITE_DONE)
    return Failed(rc, "store.upsert", "insert record");
  return sqlite3_changes(store_.db()) == 1 ? sqlite3_last_insert_rowid(store_.db()) : 0;
}

Result<std::optional<SqliteBatch::Current>> SqliteBatch::FindCurrent(const RecordInput& in) {
  Result<sqlite3_stmt*> stmt = store_.Prepared(kFindRecordKey, "store.upsert");
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Text(1, in.item);
  use.Text(2, in.natural_key);
  const int rc = use.Step();
  if (rc == SQLITE_DONE) return std::optional<Current>();
  if (rc != SQLITE_ROW) return Failed(rc, "store.upsert", "find record");
  return std::optional<Current>(Current{.id = use.ColumnInt(0),
                                        .version = static_cast<int>(use.ColumnInt(1)),
                                        .content_digest = use.ColumnInt(2)});
}

Result<UpsertResult> SqliteBatch::Upsert(const RecordInput& in) {
  constexpr std::string_view kReason = "store.upsert";
  if (Result<void> ok = Usable(); !ok) return std::unexpected(ok.error());
  UpsertResult out;

  // The subject.
  Result<CachedSubject*> subject = LookUpSubject(in.subject, kReason);
  if (!subject) return std::unexpected(subject.error());
  if (*subject == nullptr) {
    subject =
        CreateSubject(in.subject, /*provisional=*/true, UsccRegionCode(in.subject.uscc), kReason);
    if (!subject) return std::unexpected(subject.error());
    out.subject_created = true;
  } else if (!in.subject.name.empty() && in.subject.name != (*subject)->name) {
    CachedSubject& known = **subject;
    if (known.name.empty()) {
      // A subject first seen without a name takes the first one given; that is no conflict.
      Result<sqlite3_stmt*> stmt = store_.Prepared(kRenameSubject, kReason);
      if (!stmt) return std::unexpected(stmt.error());
      StmtUse use(*stmt);
      use.Int(1, known.id);
      use.Text(2, in.subject.name);
      if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "name subject");
      known.name = in.subject.name;
    } else {
      out.known_name = known.name;
    }
    if (Result<void> r = RecordName(known, in.subject.name, kReason); !r) {
      return std::unexpected(r.error());
    }
  }
  out.subject = (*subject)->id;

  // The record. The canonical text is built once: it is both stored and digested.
  const bool encoded = !in.fields_json.empty();
  if (!encoded) {
    json_.clear();
    AppendCanonicalJson(in.fields, json_);
  }
  const std::string& fields_json = encoded ? in.fields_json : json_;
  const std::int64_t fields_digest = encoded ? in.fields_digest : FieldsDigest(json_);
  const std::string decided = FormatIsoDate(in.decided_on);
  const std::string from = FormatIsoDate(in.publicity_from);
  const std::string until = FormatIsoDate(in.publicity_until);
  const std::int64_t content_digest = ContentDigest(
      fields_digest, out.subject, SeverityText(in.severity), decided, from, until, in.published);
  const Content content{fields_json, fields_digest, decided, from, until};

  // A new key costs one statement when we try to insert first; a stored key one look-up when we
  // look first. Files are mostly all new (a first submission) or mostly stored (a resubmission), so
  // the order follows the previous row's case, and a wrong guess costs one index probe.
  std::optional<Current> current;
  if (expect_stored_) {
    Result<std::optional<Current>> found = FindCurrent(in);
    if (!found) return std::unexpected(found.error());
    current = *found;
  }
  if (!current) {
    Result<RecordId> inserted = InsertRecord(in, out.subject, content_digest, content);
    if (!inserted) return std::unexpected(inserted.error());
    if (*inserted != 0) {
      expect_stored_ = false;
      out.record = *inserted;
      out.outcome = UpsertOutcome::kAccepted;
      out.version = 1;
      if (Result<void> r = AppendLeaf(out.record, 1, in, content); !r) {
        return std::unexpected(r.error());
      }
      return out;
    }
    Result<std::optional<Current>> found = FindCurrent(in);
    if (!found) return std::unexpected(found.error());
    if (!*found) return Corrupt("record key " + in.natural_key + " neither new nor stored");
    current = *found;
  }
  expect_stored_ = true;
  out.record = current->id;
  out.version = current->version;

  if (current->content_digest == content_digest) {
    Result<sqlite3_stmt*> stmt = store_.Prepared(kTouchRecord, kReason);
    if (!stmt) return std::unexpected(stmt.error());
    StmtUse use(*stmt);
    use.Int(1, out.record);
    use.Int(2, now_);
    if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "touch record");
    out.outcome = UpsertOutcome::kUnchanged;
    return out;
  }

  {
    Result<sqlite3_stmt*> stmt = store_.Prepared(kArchiveVersion, kReason);
    if (!stmt) return std::unexpected(stmt.error());
    StmtUse use(*stmt);
    use.Int(1, out.record);
    if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "archive version");
  }
  ++out.version;
  Result<sqlite3_stmt*> stmt = store_.Prepared(kAdvanceRecord, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Int(1, out.record);
  use.Int(2, out.version);
  use.Int(3, out.subject);
  use.Int(4, now_);
  use.Int(5, content_digest);
  BindContent(use, in, content);
  BindLeafIdx(use);
  if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "advance record");
  if (Result<void> r = AppendLeaf(out.record, out.version, in, content); !r) {
    return std::unexpected(r.error());
  }
  out.outcome = UpsertOutcome::kUpdated;
  return out;
}

Result<SubjectId> SqliteBatch::PutSubject(const SubjectKey& key, int region_code) {
  constexpr std::string_view kReason = "store.subject";
  if (Result<void> ok = Usable(); !ok) return std::unexpected(ok.error());
  if (key.name.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "store.subject_name",
                "a registered subject needs a name", "登记的主体缺少名称");
  }
  Result<CachedSubject*> subject = LookUpSubject(key, kReason);
  if (!subject) return std::unexpected(subject.error());
  if (*subject == nullptr) {
    subject = CreateSubject(key, /*provisional=*/false, region_code, kReason);
    if (!subject) return std::unexpected(subject.error());
    return (*subject)->id;
  }
  CachedSubject& known = **subject;
  {
    Result<sqlite3_stmt*> stmt = store_.Prepared(kUpdateSubject, kReason);
    if (!stmt) return std::unexpected(stmt.error());
    StmtUse use(*stmt);
    use.Int(1, known.id);
    use.Text(2, SubjectKindText(key.kind));
    use.Text(3, key.name);
    use.Int(4, region_code);
    if (key.person_sealed.empty()) {
      use.Null(5);
    } else {
      use.Blob(5, key.person_sealed);
    }
    if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "update subject");
  }
  known.name = key.name;
  if (Result<void> r = RecordName(known, key.name, kReason); !r) return std::unexpected(r.error());
  return known.id;
}

Result<void> SqliteBatch::Quarantine(const QuarantineInput& row) {
  constexpr std::string_view kReason = "store.quarantine";
  if (Result<void> ok = Usable(); !ok) return ok;
  const std::string values = StringArrayJson(row.values);
  const std::string reasons = StringArrayJson(row.reasons);
  const std::string messages = StringArrayJson(row.messages_zh);
  Result<sqlite3_stmt*> stmt = store_.Prepared(kInsertQuarantine, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Int(1, id_);
  use.Int(2, row.row_no);
  use.Text(3, values);
  use.Text(4, reasons);
  use.Text(5, messages);
  use.Text(6, row.raw_sm3);
  if (const int rc = use.Step(); rc != SQLITE_DONE) {
    return Failed(rc, kReason, "quarantine row " + std::to_string(row.row_no));
  }
  return {};
}

Result<void> SqliteBatch::ReportCodeIssue(const CodeIssue& issue) {
  constexpr std::string_view kReason = "store.code_issue";
  if (Result<void> ok = Usable(); !ok) return ok;
  if (issue.kind != "duplicate" && issue.kind != "error") {
    return Fail(ErrorCode::kInvalidArgument, "store.code_issue_kind",
                "code issue kind must be \"duplicate\" or \"error\", not \"" + issue.kind + "\"",
                "重错码类型只能是 duplicate 或 error");
  }
  Result<sqlite3_stmt*> stmt = store_.Prepared(kReportCodeIssue, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Text(1, issue.kind);
  use.Text(2, issue.code);
  use.Text(3, issue.detail);
  use.Int(4, now_);
  if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "report code issue");
  return {};
}

Result<void> SqliteBatch::SetFileSm3(const std::string& file_sm3) {
  constexpr std::string_view kReason = "store.batch";
  if (Result<void> ok = Usable(); !ok) return ok;
  Result<sqlite3_stmt*> stmt = store_.Prepared(kSetFileSm3, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Int(1, id_);
  use.Text(2, file_sm3);
  if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "set file digest");
  return {};
}

Result<void> SqliteBatch::Commit(const std::string& receipt_json) {
  constexpr std::string_view kReason = "store.commit";
  if (Result<void> ok = Usable(); !ok) return ok;
  {
    Result<sqlite3_stmt*> stmt = store_.Prepared(kCommitBatch, kReason);
    if (!stmt) return std::unexpected(stmt.error());
    StmtUse use(*stmt);
    use.Int(1, id_);
    use.Text(2, receipt_json);
    if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "store receipt");
  }
  if (log_ && log_->size() > head_size_) {
    Result<ledger::SignedTreeHead> head = SignLogHead(*ledger_key_, *log_, now_);
    if (!head) return std::unexpected(head.error());
    const std::string frontier = FrontierBlob(*log_);
    Result<sqlite3_stmt*> stmt = store_.Prepared(kInsertHead, kReason);
    if (!stmt) return std::unexpected(stmt.error());
    StmtUse use(*stmt);
    use.Int(1, head->head.tree_size);
    use.Blob(2, std::string_view(reinterpret_cast<const char*>(head->head.root.data()), kSm3Size));
    use.Int(3, head->head.timestamp);
    use.Blob(4, head->signature);
    use.Blob(5, frontier);
    if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "store tree head");
  }
  // On failure the transaction stays open (or SQLite has rolled it back); the destructor cleans up.
  if (Result<void> r = store_.Run(kCommit, kReason); !r) return r;
  done_ = true;
  by_uscc_.clear();
  by_person_.clear();
  return {};
}

// ---- Store methods

Result<int> SqliteStore::SchemaVersion() {
  // Without the table the store is empty (version 0); ask the catalogue rather than fail a prepare.
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(),
                              "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
                              " AND name = 'schema_version'",
                              -1, &raw, nullptr);
  StmtPtr probe(raw);
  if (rc != SQLITE_OK) return Failed(rc, "store.schema", "read schema");
  {
    StmtUse use(probe.get());
    rc = use.Step();
    if (rc != SQLITE_ROW) return Failed(rc, "store.schema", "read schema");
    if (use.ColumnInt(0) == 0) return 0;
  }
  Result<sqlite3_stmt*> stmt = Prepared(kSchemaVersion, "store.schema");
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  rc = use.Step();
  if (rc != SQLITE_ROW) return Failed(rc, "store.schema", "read schema version");
  return static_cast<int>(use.ColumnInt(0));
}

Result<void> SqliteStore::EnsureSchema() {
  if (schema_ok_) return {};
  Result<int> version = SchemaVersion();
  if (!version) return std::unexpected(version.error());
  if (*version < LatestSchemaVersion()) {
    return Fail(ErrorCode::kFailedPrecondition, "store.schema",
                "the store is at schema version " + std::to_string(*version) +
                    ", this build needs " + std::to_string(LatestSchemaVersion()) +
                    ": run `xinyong init`",
                "数据库尚未初始化或版本过旧，请先运行 xinyong init");
  }
  if (*version > LatestSchemaVersion()) {
    return Fail(ErrorCode::kFailedPrecondition, "store.schema",
                "the store is at schema version " + std::to_string(*version) +
                    ", newer than this build (" + std::to_string(LatestSchemaVersion()) +
                    "): upgrade xinyong",
                "数据库版本比本程序新，请升级 xinyong");
  }
  schema_ok_ = true;
  return {};
}

Result<void> SqliteStore::Migrate() {
  constexpr std::string_view kReason = "store.migrate";
  if (batch_open_) return BatchOpen();
  if (Result<void> r = sqlite::Exec(db_.get(),
                                    "CREATE TABLE IF NOT EXISTS schema_version ("
                                    " version INTEGER PRIMARY KEY,"
                                    " description TEXT NOT NULL,"
                                    " applied_at INTEGER NOT NULL)",
                                    std::string(kReason));
      !r) {
    return r;
  }
  for (const sqlite::Migration& m : sqlite::Migrations()) {
    // Each step re-reads the version under the write lock, so two processes migrating at once
    // apply every step exactly once.
    if (Result<void> r = Run(kBegin, kReason); !r) return r;
    Result<int> version = SchemaVersion();
    Result<void> step;
    if (!version) {
      step = std::unexpected(version.error());
    } else if (*version < m.version) {
      step = sqlite::Exec(db_.get(), m.sql, std::string(kReason));
      if (step) {
        sqlite3_stmt* raw = nullptr;
        int rc = sqlite3_prepare_v2(
            db_.get(),
            "INSERT INTO schema_version (version, description, applied_at) VALUES (?1, ?2, ?3)", -1,
            &raw, nullptr);
        StmtPtr insert(raw);
        if (rc == SQLITE_OK) {
          StmtUse use(insert.get());
          use.Int(1, m.version);
          use.Text(2, m.description);
          use.Int(3, Now());
          rc = use.Step();
        }
        if (rc != SQLITE_DONE && rc != SQLITE_OK) step = Failed(rc, kReason, "record migration");
      }
    }
    if (!step) {
      if (sqlite3_get_autocommit(db_.get()) == 0) (void)Run(kRollback, kReason);
      return step;
    }
    if (Result<void> r = Run(kCommit, kReason); !r) {
      if (sqlite3_get_autocommit(db_.get()) == 0) (void)Run(kRollback, kReason);
      return r;
    }
  }
  schema_ok_ = false;
  return EnsureSchema();
}

Result<std::unique_ptr<BatchTransaction>> SqliteStore::BeginBatch(const BatchInput& batch) {
  constexpr std::string_view kReason = "store.begin";
  if (batch_open_) return BatchOpen();
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  if (Result<void> r = Run(kBegin, kReason); !r) return std::unexpected(r.error());
  const Timestamp now = Now();
  const std::string header = StringArrayJson(batch.header);
  BatchId id = 0;
  std::optional<Error> error;
  {
    Result<sqlite3_stmt*> stmt = Prepared(kInsertBatch, kReason);
    if (!stmt) {
      error = stmt.error();
    } else {
      StmtUse use(*stmt);
      use.Text(1, batch.item);
      use.Text(2, batch.dept);
      use.Text(3, batch.file_name);
      use.Text(4, batch.file_sm3);
      use.Text(5, batch.catalog_version);
      use.Text(6, header);
      use.Int(7, batch.received_at);
      if (const int rc = use.Step(); rc != SQLITE_DONE) {
        error = SqliteError(db_.get(), rc, std::string(kReason), "insert batch");
      }
      id = sqlite3_last_insert_rowid(db_.get());
    }
  }
  if (error) {
    // After the statement is reset, so the rollback finds nothing pending.
    if (sqlite3_get_autocommit(db_.get()) == 0) (void)Run(kRollback, kReason);
    return std::unexpected(std::move(*error));
  }
  std::optional<ledger::MerkleLog> log;
  if (batch.ledger_key != nullptr) {
    Result<ledger::MerkleLog> restored = RestoreLedger();
    if (!restored) {
      if (sqlite3_get_autocommit(db_.get()) == 0) (void)Run(kRollback, kReason);
      return std::unexpected(restored.error());
    }
    log = std::move(*restored);
  }
  batch_open_ = true;
  return std::make_unique<SqliteBatch>(*this, id, now, batch.ledger_key, std::move(log));
}

Result<ledger::MerkleLog> SqliteStore::RestoreLedger() {
  constexpr std::string_view kReason = "store.ledger";
  std::int64_t size = 0;
  std::string frontier;
  {
    Result<sqlite3_stmt*> stmt = Prepared(kLatestHead, kReason);
    if (!stmt) return std::unexpected(stmt.error());
    StmtUse use(*stmt);
    const int rc = use.Step();
    if (rc == SQLITE_ROW) {
      size = use.ColumnInt(0);
      frontier = std::string(use.ColumnBlob(1));
    } else if (rc != SQLITE_DONE) {
      return Failed(rc, kReason, "latest tree head");
    }
  }
  Result<std::int64_t> leaves = Count(kCountLeaves, nullptr);
  if (!leaves) return std::unexpected(leaves.error());
  return RestoreLedgerLog(size, frontier, *leaves);
}

namespace {

LedgerLeaf ReadLeaf(const StmtUse& use) {
  LedgerLeaf leaf;
  leaf.index = use.ColumnInt(0);
  leaf.kind = use.ColumnText(1);
  leaf.ref_id = use.ColumnInt(2);
  leaf.ref_version = use.ColumnInt(3);
  leaf.entry = std::string(use.ColumnBlob(4));
  const std::string_view hash = use.ColumnBlob(5);
  if (hash.size() == kSm3Size) std::memcpy(leaf.leaf_hash.data(), hash.data(), kSm3Size);
  return leaf;
}

}  // namespace

Result<std::vector<LedgerLeaf>> SqliteStore::LedgerLeaves(std::int64_t from, std::int64_t count) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  Result<sqlite3_stmt*> stmt = Prepared(kLedgerLeaves, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Int(1, from);
  use.Int(2, count);
  std::vector<LedgerLeaf> leaves;
  int rc;
  while ((rc = use.Step()) == SQLITE_ROW) leaves.push_back(ReadLeaf(use));
  if (rc != SQLITE_DONE) return Failed(rc, kReason, "ledger leaves");
  return leaves;
}

Result<std::vector<ledger::SignedTreeHead>> SqliteStore::TreeHeads() {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  Result<sqlite3_stmt*> stmt = Prepared(kTreeHeads, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  std::vector<ledger::SignedTreeHead> heads;
  int rc;
  while ((rc = use.Step()) == SQLITE_ROW) {
    ledger::SignedTreeHead h;
    h.head.tree_size = use.ColumnInt(0);
    const std::string_view root = use.ColumnBlob(1);
    if (root.size() != kSm3Size) return Corrupt("tree head root at size " + std::to_string(h.head.tree_size));
    std::memcpy(h.head.root.data(), root.data(), kSm3Size);
    h.head.timestamp = use.ColumnInt(2);
    h.signature = std::string(use.ColumnBlob(3));
    heads.push_back(std::move(h));
  }
  if (rc != SQLITE_DONE) return Failed(rc, kReason, "tree heads");
  return heads;
}

Result<std::optional<LedgerLeaf>> SqliteStore::FindLedgerLeaf(RecordId id, int version) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  std::int64_t idx = -1;
  {
    Result<sqlite3_stmt*> stmt = Prepared(kVersionLeafIdx, kReason);
    if (!stmt) return std::unexpected(stmt.error());
    StmtUse use(*stmt);
    use.Int(1, id);
    use.Int(2, version);
    const int rc = use.Step();
    if (rc == SQLITE_DONE) return std::optional<LedgerLeaf>();
    if (rc != SQLITE_ROW) return Failed(rc, kReason, "find leaf");
    if (use.ColumnIsNull(0)) return std::optional<LedgerLeaf>();
    idx = use.ColumnInt(0);
  }
  Result<sqlite3_stmt*> stmt = Prepared(kGetLeaf, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Int(1, idx);
  const int rc = use.Step();
  if (rc == SQLITE_DONE) return std::optional<LedgerLeaf>();
  if (rc != SQLITE_ROW) return Failed(rc, kReason, "get leaf");
  return std::optional<LedgerLeaf>(ReadLeaf(use));
}

Result<std::optional<StoredVersion>> SqliteStore::GetRecordVersion(RecordId id, int version) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  Result<sqlite3_stmt*> stmt = Prepared(kGetVersion, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Int(1, id);
  use.Int(2, version);
  const int rc = use.Step();
  if (rc == SQLITE_DONE) return std::optional<StoredVersion>();
  if (rc != SQLITE_ROW) return Failed(rc, kReason, "get record version");
  Result<RecordVersion> v = ReadVersion(use, id);
  if (!v) return std::unexpected(v.error());
  StoredVersion out;
  out.version = std::move(*v);
  out.fields_json = use.ColumnText(2);
  out.item = use.ColumnText(13);
  out.natural_key = use.ColumnText(14);
  out.subject_code = use.ColumnText(15);
  return std::optional<StoredVersion>(std::move(out));
}

Result<std::optional<Batch>> SqliteStore::GetBatch(BatchId id) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  Result<sqlite3_stmt*> stmt = Prepared(kGetBatch, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Int(1, id);
  const int rc = use.Step();
  if (rc == SQLITE_DONE) return std::optional<Batch>();
  if (rc != SQLITE_ROW) return Failed(rc, kReason, "get batch");
  Batch batch;
  batch.id = id;
  batch.item = use.ColumnText(0);
  batch.dept = use.ColumnText(1);
  batch.file_name = use.ColumnText(2);
  batch.file_sm3 = use.ColumnText(3);
  batch.catalog_version = use.ColumnText(4);
  std::optional<std::vector<std::string>> header = ParseStringArrayJson(use.ColumnView(5));
  if (!header) return Corrupt("header of batch " + std::to_string(id));
  batch.header = std::move(*header);
  batch.received_at = use.ColumnInt(6);
  batch.receipt_json = use.ColumnText(7);
  return std::optional<Batch>(std::move(batch));
}

Result<std::vector<QuarantineRow>> SqliteStore::GetQuarantine(BatchId id) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  Result<sqlite3_stmt*> stmt = Prepared(kGetQuarantine, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Int(1, id);
  std::vector<QuarantineRow> rows;
  int rc;
  while ((rc = use.Step()) == SQLITE_ROW) {
    QuarantineRow row;
    row.batch = id;
    row.row_no = use.ColumnInt(0);
    auto values = ParseStringArrayJson(use.ColumnView(1));
    auto reasons = ParseStringArrayJson(use.ColumnView(2));
    auto messages = ParseStringArrayJson(use.ColumnView(3));
    if (!values || !reasons || !messages) {
      return Corrupt("quarantine row " + std::to_string(row.row_no) + " of batch " +
                     std::to_string(id));
    }
    row.values = std::move(*values);
    row.reasons = std::move(*reasons);
    row.messages_zh = std::move(*messages);
    row.raw_sm3 = use.ColumnText(4);
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return Failed(rc, kReason, "get quarantine");
  return rows;
}

Result<std::optional<Subject>> SqliteStore::FindSubjectByUscc(const std::string& uscc) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  Result<sqlite3_stmt*> stmt = Prepared(kGetSubjectByUscc, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Text(1, uscc);
  const int rc = use.Step();
  if (rc == SQLITE_DONE) return std::optional<Subject>();
  if (rc != SQLITE_ROW) return Failed(rc, kReason, "find subject");
  Subject s;
  s.id = use.ColumnInt(0);
  std::optional<SubjectKind> kind = ParseSubjectKindText(use.ColumnView(1));
  if (!kind) return Corrupt("subject kind '" + use.ColumnText(1) + "'");
  s.kind = *kind;
  s.uscc = use.ColumnText(2);
  s.person_index = use.ColumnText(3);
  s.name = use.ColumnText(4);
  s.provisional = use.ColumnInt(5) != 0;
  s.region_code = static_cast<int>(use.ColumnInt(6));
  s.created_at = use.ColumnInt(7);
  return std::optional<Subject>(std::move(s));
}

Result<std::vector<std::string>> SqliteStore::SubjectNames(SubjectId id) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  Result<sqlite3_stmt*> stmt = Prepared(kSubjectNames, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Int(1, id);
  std::vector<std::string> names;
  int rc;
  while ((rc = use.Step()) == SQLITE_ROW) names.push_back(use.ColumnText(0));
  if (rc != SQLITE_DONE) return Failed(rc, kReason, "subject names");
  return names;
}

Result<std::int64_t> SqliteStore::Count(Sql id, const std::string* item) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  Result<sqlite3_stmt*> stmt = Prepared(id, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  if (item != nullptr) use.Text(1, *item);
  const int rc = use.Step();
  if (rc != SQLITE_ROW) return Failed(rc, kReason, "count");
  return use.ColumnInt(0);
}

Result<std::int64_t> SqliteStore::CountSubjects() { return Count(kCountSubjects, nullptr); }

Result<std::int64_t> SqliteStore::CountRecords(const std::string& item) {
  return item.empty() ? Count(kCountRecords, nullptr) : Count(kCountRecordsOfItem, &item);
}

Result<std::optional<Record>> SqliteStore::FindRecord(const std::string& item,
                                                      const std::string& natural_key) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  Result<sqlite3_stmt*> stmt = Prepared(kFindRecord, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Text(1, item);
  use.Text(2, natural_key);
  const int rc = use.Step();
  if (rc == SQLITE_DONE) return std::optional<Record>();
  if (rc != SQLITE_ROW) return Failed(rc, kReason, "find record");
  Record r;
  r.id = use.ColumnInt(0);
  r.item = item;
  r.natural_key = natural_key;
  r.subject = use.ColumnInt(1);
  r.current_version = static_cast<int>(use.ColumnInt(2));
  r.status = use.ColumnText(3);
  r.first_seen = use.ColumnInt(4);
  r.last_seen = use.ColumnInt(5);
  return std::optional<Record>(std::move(r));
}

Result<std::vector<RecordVersion>> SqliteStore::RecordHistory(RecordId id) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  Result<sqlite3_stmt*> stmt = Prepared(kRecordHistory, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Int(1, id);
  std::vector<RecordVersion> versions;
  int rc;
  while ((rc = use.Step()) == SQLITE_ROW) {
    Result<RecordVersion> v = ReadVersion(use, id);
    if (!v) return std::unexpected(v.error());
    versions.push_back(std::move(*v));
  }
  if (rc != SQLITE_DONE) return Failed(rc, kReason, "record history");
  return versions;
}

Result<std::vector<CodeIssue>> SqliteStore::ListCodeIssues() {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  Result<sqlite3_stmt*> stmt = Prepared(kListCodeIssues, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  std::vector<CodeIssue> issues;
  int rc;
  while ((rc = use.Step()) == SQLITE_ROW) {
    CodeIssue issue;
    issue.id = use.ColumnInt(0);
    issue.kind = use.ColumnText(1);
    issue.code = use.ColumnText(2);
    issue.detail = use.ColumnText(3);
    issue.status = use.ColumnText(4);
    issue.reviewer = use.ColumnText(5);
    issue.note = use.ColumnText(6);
    issue.updated_at = use.ColumnInt(7);
    issues.push_back(std::move(issue));
  }
  if (rc != SQLITE_DONE) return Failed(rc, kReason, "list code issues");
  return issues;
}

Result<void> SqliteStore::ReviewCodeIssue(std::int64_t id, const std::string& status,
                                          const std::string& reviewer, const std::string& note) {
  constexpr std::string_view kReason = "store.code_issue";
  if (status != "confirmed" && status != "cleared") {
    return Fail(ErrorCode::kInvalidArgument, "store.review_status",
                "a review sets status \"confirmed\" or \"cleared\", not \"" + status + "\"",
                "审核结果只能是 confirmed（确认）或 cleared（排除）");
  }
  // Inside an open batch this write would be undone with the batch.
  if (batch_open_) return BatchOpen();
  if (Result<void> r = EnsureSchema(); !r) return r;
  Result<sqlite3_stmt*> stmt = Prepared(kReviewCodeIssue, kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(*stmt);
  use.Int(1, id);
  use.Text(2, status);
  use.Text(3, reviewer);
  use.Text(4, note);
  use.Int(5, Now());
  if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "review code issue");
  if (sqlite3_changes(db_.get()) == 0) {
    return Fail(ErrorCode::kNotFound, "store.code_issue",
                "no code issue with id " + std::to_string(id), "重错码记录不存在");
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               SqliteStoreOptions options) {
  constexpr std::string_view kReason = "store.open";
  if (path.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "store.open", "empty SQLite database path",
                "数据库文件路径为空");
  }
  if (path != ":memory:") {
    // SQLite would say only "unable to open database file"; the operator needs to know why.
    const std::filesystem::path folder = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!folder.empty() && !std::filesystem::is_directory(folder, ec)) {
      return Fail(ErrorCode::kUnavailable, "store.open",
                  "cannot open store " + path + ": folder " + folder.string() + " does not exist",
                  "无法打开数据库 " + path + "：文件夹 " + folder.string() + " 不存在");
    }
  }
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);  // closes even a failed open
  auto open_failed = [&](int code, std::string_view what) {
    Error error = SqliteError(db.get(), code, std::string(kReason), what);
    error.code = ErrorCode::kUnavailable;
    error.message = "cannot open store " + path + ": " + error.message;
    error.message_zh = "无法打开数据库 " + path + "（" + sqlite3_errstr(code) + "）";
    return std::unexpected(std::move(error));
  };
  if (rc != SQLITE_OK) return open_failed(rc, "open");
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
  // journal_mode is the first statement that reads the file, so a file that is not a database
  // fails here. In-memory databases answer "memory" and keep it, which is fine.
  const std::string pragmas =
      "PRAGMA journal_mode = WAL;"
      "PRAGMA synchronous = NORMAL;"
      "PRAGMA foreign_keys = ON;"
      "PRAGMA temp_store = MEMORY;"
      // Truncate the WAL after a big batch is checkpointed, instead of
      // keeping a file the size of the largest batch ever.
      "PRAGMA journal_size_limit = 67108864;"
      "PRAGMA cache_size = -" +
      std::to_string(options.cache_kib) + ";";
  if (const int prc = sqlite3_exec(db.get(), pragmas.c_str(), nullptr, nullptr, nullptr);
      prc != SQLITE_OK) {
    return open_failed(prc, "configure");
  }
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(db), std::move(options)));
}

// ---- Evaluation
//
// The statements of this section are prepared where they are used (PrepareLocal) rather than in
// kSqlText: each runs once per scan or per run, not once per ingested row, so caching them would
// buy nothing.

namespace {

Result<StmtPtr> PrepareLocal(sqlite3* db, std::string_view sql, std::string_view reason) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(db, rc, std::string(reason), sql));
  return stmt;
}

// A date column as FormatIsoDate writes it, parsed without the general parser: three dates a record
// over millions of records. Anything unusual takes DateColumn, which names a bad value.
Result<std::optional<Date>> FastDateColumn(const StmtUse& use, int i) {
  // NULL reads as empty text (and the store never writes an empty date): one call, not two.
  const std::string_view s = use.ColumnView(i);
  if (s.empty()) return std::optional<Date>();
  if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
    bool digits = true;
    for (int k : {0, 1, 2, 3, 5, 6, 8, 9}) digits = digits && s[k] >= '0' && s[k] <= '9';
    if (digits) {
      auto num = [&](int from, int n) {
        int v = 0;
        for (int k = from; k < from + n; ++k) v = v * 10 + (s[k] - '0');
        return v;
      };
      const Date d{std::chrono::year(num(0, 4)),
                   std::chrono::month(static_cast<unsigned>(num(5, 2))),
                   std::chrono::day(static_cast<unsigned>(num(8, 2)))};
      if (d.ok()) return std::optional<Date>(d);
    }
  }
  return DateColumn(use, i);
}

std::optional<StoredRecordStatus> ParseStatusText(std::string_view s) {
  if (s == "active") return StoredRecordStatus::kActive;
  if (s == "repaired") return StoredRecordStatus::kRepaired;
  if (s == "withdrawn") return StoredRecordStatus::kWithdrawn;
  return std::nullopt;
}

// The columns every record query of the scan selects, in this order (an archived version is
// selected in the same shape, with its record's item and status bound as parameters).
enum ScanColumn : int {
  kColId,
  kColSubject,
  kColItem,
  kColSeverity,
  kColStatus,
  kColPublished,
  kColDecided,
  kColFrom,
  kColUntil,
  kColBatch,
  kColFields,
};
constexpr std::string_view kScanColumns =
    "id, subject_id, item, severity, status, published, decided_on, publicity_from,"
    " publicity_until, batch_id, fields_json";

// "?10, ?11, …": the items of a scan, bound from parameter 10 on.
constexpr int kFirstItemParam = 10;
std::string ItemParams(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    out += "?" + std::to_string(kFirstItemParam + static_cast<int>(i));
  }
  return out;
}

// Reads record rows into chunks and hands them to the visitor.
class RecordScanner {
 public:
  static constexpr std::size_t kChunkRecords = 16'384;

  RecordScanner(sqlite3* db, const RecordScanSpec& spec, RecordVisitor& visitor)
      : db_(db), spec_(spec), visitor_(visitor) {
    for (const RecordScanSpec::Item& item : spec.items) {
      Plan plan;
      plan.count = static_cast<std::uint32_t>(item.fields.size());
      std::vector<std::pair<std::string, std::uint32_t>> sorted;
      for (std::uint32_t k = 0; k < plan.count; ++k) sorted.emplace_back(item.fields[k], k);
      std::sort(sorted.begin(), sorted.end());
      for (const auto& [field, k] : sorted) plan.sorted.push_back({"\"" + field + "\":\"", k});
      plans_.push_back(std::move(plan));
    }
  }

  void BindItems(StmtUse& use) const {
    for (std::size_t i = 0; i < spec_.items.size(); ++i) {
      use.Text(kFirstItemParam + static_cast<int>(i), spec_.items[i].code);
    }
  }

  // One row of a record query. `only_subject` (non-zero): keep the record only if the version read
  // belongs to that subject.
  Result<void> Add(const StmtUse& row, SubjectId only_subject) {
    if (spec_.known_at > 0 && row.ColumnInt(kColBatch) > spec_.known_at) {
      return AddArchived(row, only_subject);
    }
    return AddVersion(row, only_subject);
  }

  // Records added since the last visit.
  std::size_t Pending() const { return chunk_.records.size(); }
  // Finalizes the statements of the scanner's connection before the connection closes.
  void Release() { archived_.reset(); }

  Result<void> Flush() {
    if (chunk_.records.empty()) return {};
    RecordChunk out = std::move(chunk_);
    chunk_ = RecordChunk();
    chunk_.records.reserve(kChunkRecords);
    return visitor_.Visit(std::move(out));
  }

 private:
  struct Wanted {
    std::string pattern;         // "CODE":"
    std::uint32_t position = 0;  // in the spec's field list
  };
  struct Plan {
    std::vector<Wanted> sorted;  // by field code
    std::uint32_t count = 0;
  };

  std::optional<std::uint16_t> ItemIndex(std::string_view code) {
    // Records come in runs of one item (a batch is one item), so the last match is tried first.
    if (last_item_ < spec_.items.size() && spec_.items[last_item_].code == code) {
      return static_cast<std::uint16_t>(last_item_);
    }
    for (std::size_t i = 0; i < spec_.items.size(); ++i) {
      if (spec_.items[i].code == code) {
        last_item_ = i;
        return static_cast<std::uint16_t>(i);
      }
    }
    return std::nullopt;
  }

  // The version the snapshot saw of a record changed after it: the latest archived version stored
  // by a batch ≤ known_at; none when the record was first stored later.
  Result<void> AddArchived(const StmtUse& current, SubjectId only_subject) {
    constexpr std::string_view kReason = "store.scan";
    if (archived_ == nullptr) {
      Result<StmtPtr> stmt = PrepareLocal(
          db_,
          "SELECT record_id, subject_id, ?3, severity, ?4, published, decided_on, publicity_from,"
          " publicity_until, batch_id, fields_json FROM record_versions"
          " WHERE record_id = ?1 AND batch_id <= ?2 ORDER BY version DESC LIMIT 1",
          kReason);
      if (!stmt) return std::unexpected(stmt.error());
      archived_ = std::move(*stmt);
    }
    const std::string item = current.ColumnText(kColItem);
    const std::string status = current.ColumnText(kColStatus);
    StmtUse use(archived_.get());
    use.Int(1, current.ColumnInt(kColId));
    use.Int(2, spec_.known_at);
    use.Text(3, item);
    use.Text(4, status);
    const int rc = use.Step();
    if (rc == SQLITE_DONE) return {};
    if (rc != SQLITE_ROW)
      return std::unexpected(SqliteError(db_, rc, std::string(kReason), "archived version"));
    return AddVersion(use, only_subject);
  }

  Result<void> AddVersion(const StmtUse& row, SubjectId only_subject) {
    const SubjectId subject = row.ColumnInt(kColSubject);
    if (only_subject != 0 && subject != only_subject) return {};
    const std::optional<std::uint16_t> item = ItemIndex(row.ColumnView(kColItem));
    if (!item) return {};
    ScannedRecord r;
    r.id = row.ColumnInt(kColId);
    r.subject = subject;
    r.item = *item;
    std::optional<Severity> severity = ParseSeverityText(row.ColumnView(kColSeverity));
    if (!severity) return Corrupt("severity '" + row.ColumnText(kColSeverity) + "'");
    r.severity = *severity;
    std::optional<StoredRecordStatus> status = ParseStatusText(row.ColumnView(kColStatus));
    if (!status) return Corrupt("record status '" + row.ColumnText(kColStatus) + "'");
    r.status = *status;
    r.published = row.ColumnInt(kColPublished) != 0;
    for (auto [col, date] :
         {std::pair{kColDecided, &r.decided_on}, std::pair{kColFrom, &r.publicity_from},
          std::pair{kColUntil, &r.publicity_until}}) {
      Result<std::optional<Date>> d = FastDateColumn(row, col);
      if (!d) return std::unexpected(d.error());
      *date = *d;
    }
    const Plan& plan = plans_[*item];
    r.first_value = static_cast<std::uint32_t>(chunk_.values.size());
    chunk_.values.resize(chunk_.values.size() + plan.count);
    if (plan.count > 0 && !Extract(row.ColumnView(kColFields), plan, r.first_value)) {
      return Corrupt("fields of record " + std::to_string(r.id));
    }
    chunk_.records.push_back(r);
    if (chunk_.records.size() >= kChunkRecords) return Flush();
    return {};
  }

  // Copies the wanted fields' values out of canonical fields JSON (store/encoding.h): no
  // whitespace, keys in byte order, every quote inside a value escaped. So `"CODE":"` occurs only
  // where the key CODE starts, and the wanted keys (sorted) are found by one forward search each,
  // each starting where the previous value ended: no parser, and the search skips most bytes.
  // False when a found value is not terminated.
  bool Extract(std::string_view json, const Plan& plan, std::uint32_t first) {
    std::size_t pos = 0;
    for (const Wanted& w : plan.sorted) {
      const void* hit =
          memmem(json.data() + pos, json.size() - pos, w.pattern.data(), w.pattern.size());
      if (hit == nullptr) continue;  // the record does not have this field
      const std::size_t from =
          static_cast<std::size_t>(static_cast<const char*>(hit) - json.data()) + w.pattern.size();
      std::size_t end = from;
      while (true) {
        const void* q = std::memchr(json.data() + end, '"', json.size() - end);
        if (q == nullptr) return false;
        end = static_cast<std::size_t>(static_cast<const char*>(q) - json.data());
        std::size_t slashes = 0;
        while (end - slashes > from && json[end - slashes - 1] == '\\') ++slashes;
        if (slashes % 2 == 0) break;
        ++end;
      }
      if (!Store(json.substr(from, end - from), first + w.position)) return false;
      pos = end + 1;
    }
    return true;
  }

  // Keeps a raw JSON string body (without its quotes) as value `k` of the chunk, unescaped.
  bool Store(std::string_view raw, std::uint32_t k) {
    RecordChunk::Span& span = chunk_.values[k];
    span.offset = static_cast<std::uint32_t>(chunk_.text.size());
    if (raw.find('\\') == std::string_view::npos) {
      chunk_.text.append(raw);
      span.size = static_cast<std::uint32_t>(raw.size());
      return true;
    }
    // Rare (a value with a quote, backslash or control character): the store's own parser.
    std::optional<std::vector<std::string>> parsed =
        ParseStringArrayJson("[\"" + std::string(raw) + "\"]");
    if (!parsed || parsed->size() != 1) return false;
    chunk_.text.append((*parsed)[0]);
    span.size = static_cast<std::uint32_t>((*parsed)[0].size());
    return true;
  }

  sqlite3* db_;
  const RecordScanSpec& spec_;
  RecordVisitor& visitor_;
  std::vector<Plan> plans_;
  RecordChunk chunk_;
  StmtPtr archived_;
  std::size_t last_item_ = 0;
};

EvaluationRunInfo ReadRun(const StmtUse& use) {
  EvaluationRunInfo run;
  run.id = use.ColumnInt(0);
  run.model_version = use.ColumnText(1);
  run.model_text = use.ColumnText(2);
  // as_of (3) is parsed by the caller, which can report a corrupt value.
  run.mode = use.ColumnText(4);
  run.base_run = use.ColumnInt(5);
  run.snapshot = use.ColumnInt(6);
  run.subjects = use.ColumnInt(7);
  run.evaluated = use.ColumnInt(8);
  run.summary_json = use.ColumnText(9);
  run.created_at = use.ColumnInt(10);
  return run;
}

class SqliteEvaluationWriter final : public EvaluationWriter {
 public:
  SqliteEvaluationWriter(SqliteStore& store, std::int64_t id, StmtPtr insert, StmtPtr insert_detail)
      : store_(store),
        id_(id),
        insert_(std::move(insert)),
        insert_detail_(std::move(insert_detail)) {}
  ~SqliteEvaluationWriter() override {
    insert_.reset();  // a pending statement would make ROLLBACK fail
    insert_detail_.reset();
    if (!done_ && sqlite3_get_autocommit(store_.db()) == 0) {
      (void)store_.Run(kRollback, "store.rollback");
    }
    store_.BatchClosed();
  }
  SqliteEvaluationWriter(const SqliteEvaluationWriter&) = delete;
  SqliteEvaluationWriter& operator=(const SqliteEvaluationWriter&) = delete;

  std::int64_t run_id() const override { return id_; }

  Result<void> CarryOver(std::int64_t run) override {
    constexpr std::string_view kReason = "store.evaluation";
    if (Result<void> r = Usable(); !r) return r;
    for (const char* sql :
         {"INSERT INTO evaluation_results (run_id, subject_id, score, grade, industries)"
          " SELECT ?1, subject_id, score, grade, industries FROM evaluation_results WHERE run_id = "
          "?2",
          "INSERT INTO evaluation_details (run_id, subject_id, detail_json)"
          " SELECT ?1, subject_id, detail_json FROM evaluation_details WHERE run_id = ?2"}) {
      Result<StmtPtr> stmt = PrepareLocal(store_.db(), sql, kReason);
      if (!stmt) return std::unexpected(stmt.error());
      StmtUse use(stmt->get());
      use.Int(1, id_);
      use.Int(2, run);
      if (const int rc = use.Step(); rc != SQLITE_DONE)
        return Failed(rc, kReason, "carry over results");
    }
    return {};
  }

  Result<void> Put(std::span<const EvaluationResultRow> results) override {
    constexpr std::string_view kReason = "store.evaluation";
    if (Result<void> r = Usable(); !r) return r;
    for (const EvaluationResultRow& row : results) {
      {
        StmtUse use(insert_.get());
        use.Int(1, id_);
        use.Int(2, row.subject);
        use.Int(3, row.score);
        use.Text(4, row.grade);
        use.Text(5, row.industries);
        if (const int rc = use.Step(); rc != SQLITE_DONE)
          return Failed(rc, kReason, "insert result");
      }
      StmtUse use(insert_detail_.get());
      use.Int(1, id_);
      use.Int(2, row.subject);
      use.Text(3, row.detail_json);
      if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "insert result");
    }
    return {};
  }

  Result<void> Commit(std::int64_t subjects, std::int64_t evaluated,
                      const std::string& summary_json) override {
    constexpr std::string_view kReason = "store.evaluation";
    if (Result<void> r = Usable(); !r) return r;
    {
      Result<StmtPtr> stmt = PrepareLocal(store_.db(),
                                          "UPDATE evaluation_runs SET subjects = ?2, evaluated = "
                                          "?3, summary_json = ?4 WHERE id = ?1",
                                          kReason);
      if (!stmt) return std::unexpected(stmt.error());
      StmtUse use(stmt->get());
      use.Int(1, id_);
      use.Int(2, subjects);
      use.Int(3, evaluated);
      use.Text(4, summary_json);
      if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "finish run");
    }
    insert_.reset();
    insert_detail_.reset();
    if (Result<void> r = store_.Run(kCommit, kReason); !r) return r;
    done_ = true;
    return {};
  }

 private:
  Result<void> Usable() const {
    if (done_) {
      return Fail(ErrorCode::kFailedPrecondition, "store.batch_spent",
                  "the evaluation run was already committed", "该评价批次已提交");
    }
    if (sqlite3_get_autocommit(store_.db()) != 0) {
      return Fail(ErrorCode::kAborted, "store.batch_aborted",
                  "the evaluation run's transaction was rolled back after an earlier error; run it "
                  "again",
                  "该评价因前面的错误已被撤销，请重新运行");
    }
    return {};
  }
  std::unexpected<Error> Failed(int rc, std::string_view reason, std::string_view what) const {
    return std::unexpected(SqliteError(store_.db(), rc, std::string(reason), what));
  }

  SqliteStore& store_;
  std::int64_t id_;
  StmtPtr insert_;
  StmtPtr insert_detail_;
  bool done_ = false;
};

// Visits from several scanning threads, one at a time.
class SerializedVisitor final : public RecordVisitor {
 public:
  explicit SerializedVisitor(RecordVisitor& inner) : inner_(inner) {}
  Result<void> Visit(RecordChunk chunk) override {
    std::lock_guard lock(mu_);
    return inner_.Visit(std::move(chunk));
  }

 private:
  RecordVisitor& inner_;
  std::mutex mu_;
};

// A scan of every record split into id ranges, each read on its own read-only connection and
// thread: one SQLite connection decodes rows on one core only, and the scan is most of the cost of
// a full evaluation. The snapshot (known_at) makes the ranges consistent with each other although
// each connection reads at its own moment: a version stored later is replaced by the one the
// snapshot saw, a record stored later is skipped.
Result<void> ParallelScan(const std::string& file, const RecordScanSpec& spec, sqlite3* main,
                          RecordVisitor& visitor) {
  constexpr std::string_view kReason = "store.scan";
  std::int64_t lo = 0, hi = -1;
  {
    Result<StmtPtr> bounds = PrepareLocal(
        main, "SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM records", kReason);
    if (!bounds) return std::unexpected(bounds.error());
    StmtUse use(bounds->get());
    const int rc = use.Step();
    if (rc != SQLITE_ROW)
      return std::unexpected(SqliteError(main, rc, std::string(kReason), "record ids"));
    lo = use.ColumnInt(0);
    hi = use.ColumnInt(1);
  }
  if (hi < lo) return {};
  const std::int64_t parts = std::min<std::int64_t>(spec.threads, hi - lo + 1);
  const std::int64_t step = (hi - lo + parts) / parts;
  SerializedVisitor serialized(visitor);
  std::mutex mu;
  std::optional<Error> error;
  auto part = [&](std::int64_t from, std::int64_t to) -> Result<void> {
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    DbPtr db(raw);
    if (rc != SQLITE_OK)
      return std::unexpected(
          SqliteError(db.get(), rc, std::string(kReason), "open scan connection"));
    sqlite3_busy_timeout(db.get(), 5000);
    RecordScanner scanner(db.get(), spec, serialized);
    {
      Result<StmtPtr> stmt = PrepareLocal(
          db.get(),
          "SELECT " + std::string(kScanColumns) + " FROM records WHERE id BETWEEN ?1 AND ?2",
          kReason);
      if (!stmt) return std::unexpected(stmt.error());
      StmtUse use(stmt->get());
      use.Int(1, from);
      use.Int(2, to);
      int step_rc;
      while ((step_rc = use.Step()) == SQLITE_ROW) {
        if (Result<void> r = scanner.Add(use, 0); !r) return r;
        // Another range failed: stop early.
        if (scanner.Pending() == 0) {
          std::lock_guard lock(mu);
          if (error) return {};
        }
      }
      if (step_rc != SQLITE_DONE)
        return std::unexpected(
            SqliteError(db.get(), step_rc, std::string(kReason), "scan records"));
    }
    Result<void> flushed = scanner.Flush();
    scanner.Release();
    return flushed;
  };
  {
    std::vector<std::jthread> threads;
    for (std::int64_t p = 0; p < parts; ++p) {
      const std::int64_t from = lo + p * step;
      const std::int64_t to = std::min(hi, from + step - 1);
      if (from > to) continue;
      threads.emplace_back([&, from, to] {
        Result<void> r = part(from, to);
        if (!r) {
          std::lock_guard lock(mu);
          if (!error) error = r.error();
        }
      });
    }
  }
  if (error) return std::unexpected(*error);
  return {};
}

}  // namespace

Result<BatchId> SqliteStore::LastBatch() {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  // Only committed batches carry a receipt; an open batch of this connection has none yet.
  Result<StmtPtr> stmt = PrepareLocal(
      db_.get(), "SELECT coalesce(max(id), 0) FROM batches WHERE receipt_json IS NOT NULL",
      kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(stmt->get());
  const int rc = use.Step();
  if (rc != SQLITE_ROW) return Failed(rc, kReason, "last batch");
  return use.ColumnInt(0);
}

Result<void> SqliteStore::ScanEvalSubjects(std::span<const SubjectId> only,
                                           SubjectVisitor& visitor) {
  constexpr std::string_view kReason = "store.scan";
  constexpr std::size_t kChunk = 8192;
  if (Result<void> r = EnsureSchema(); !r) return r;
  Result<StmtPtr> stmt = PrepareLocal(
      db_.get(),
      only.empty() ? "SELECT id, kind, region_code, provisional, coalesce(uscc, '') FROM subjects"
                     " ORDER BY id"
                   : "SELECT id, kind, region_code, provisional, coalesce(uscc, '') FROM subjects"
                     " WHERE id = ?1",
      kReason);
  if (!stmt) return std::unexpected(stmt.error());
  std::vector<EvalSubjectRow> chunk;
  chunk.reserve(only.empty() ? kChunk : only.size());
  auto read = [&](StmtUse& use) -> Result<bool> {
    const int rc = use.Step();
    if (rc == SQLITE_DONE) return false;
    if (rc != SQLITE_ROW) return Failed(rc, kReason, "scan subjects");
    EvalSubjectRow s;
    s.id = use.ColumnInt(0);
    std::optional<SubjectKind> kind = ParseSubjectKindText(use.ColumnView(1));
    if (!kind) return Corrupt("subject kind '" + use.ColumnText(1) + "'");
    s.kind = *kind;
    s.region_code = static_cast<int>(use.ColumnInt(2));
    s.provisional = use.ColumnInt(3) != 0;
    s.uscc = use.ColumnText(4);
    chunk.push_back(std::move(s));
    return true;
  };
  if (only.empty()) {
    StmtUse use(stmt->get());
    while (true) {
      Result<bool> more = read(use);
      if (!more) return std::unexpected(more.error());
      if (!*more) break;
      if (chunk.size() >= kChunk) {
        if (Result<void> r = visitor.Visit(chunk); !r) return r;
        chunk.clear();
      }
    }
  } else {
    for (SubjectId id : only) {
      StmtUse use(stmt->get());
      use.Int(1, id);
      Result<bool> found = read(use);
      if (!found) return std::unexpected(found.error());
    }
  }
  if (!chunk.empty()) return visitor.Visit(chunk);
  return {};
}

Result<std::optional<Subject>> SqliteStore::GetSubject(SubjectId id) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  Result<StmtPtr> stmt = PrepareLocal(
      db_.get(),
      "SELECT id, kind, coalesce(uscc, ''), coalesce(person_index, ''), name, provisional,"
      " region_code, created_at FROM subjects WHERE id = ?1",
      kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(stmt->get());
  use.Int(1, id);
  const int rc = use.Step();
  if (rc == SQLITE_DONE) return std::optional<Subject>();
  if (rc != SQLITE_ROW) return Failed(rc, kReason, "get subject");
  Subject s;
  s.id = use.ColumnInt(0);
  std::optional<SubjectKind> kind = ParseSubjectKindText(use.ColumnView(1));
  if (!kind) return Corrupt("subject kind '" + use.ColumnText(1) + "'");
  s.kind = *kind;
  s.uscc = use.ColumnText(2);
  s.person_index = use.ColumnText(3);
  s.name = use.ColumnText(4);
  s.provisional = use.ColumnInt(5) != 0;
  s.region_code = static_cast<int>(use.ColumnInt(6));
  s.created_at = use.ColumnInt(7);
  return std::optional<Subject>(std::move(s));
}

Result<void> SqliteStore::ScanRecords(const RecordScanSpec& spec, RecordVisitor& visitor) {
  constexpr std::string_view kReason = "store.scan";
  if (Result<void> r = EnsureSchema(); !r) return r;
  if (spec.items.empty()) return {};
  RecordScanner scanner(db_.get(), spec, visitor);
  const std::string items = ItemParams(spec.items.size());
  auto drain = [&](sqlite3_stmt* stmt, SubjectId subject, std::string_view what) -> Result<void> {
    StmtUse use(stmt);
    if (subject != 0) scanner.BindItems(use);
    if (subject != 0) use.Int(1, subject);
    int rc;
    while ((rc = use.Step()) == SQLITE_ROW) {
      if (Result<void> r = scanner.Add(use, subject); !r) return r;
    }
    if (rc != SQLITE_DONE) return Failed(rc, kReason, what);
    return {};
  };
  if (spec.subjects.empty()) {
    const char* file = sqlite3_db_filename(db_.get(), "main");
    if (spec.threads > 1 && spec.known_at > 0 && file != nullptr && *file != '\0') {
      return ParallelScan(file, spec, db_.get(), visitor);
    }
    // One pass in storage order; the items are picked out here (an IN list would cost SQLite a
    // probe per row and tempt it into the (item, natural_key) index, read in random order).
    Result<StmtPtr> all = PrepareLocal(
        db_.get(), "SELECT " + std::string(kScanColumns) + " FROM records NOT INDEXED", kReason);
    if (!all) return std::unexpected(all.error());
    if (Result<void> r = drain(all->get(), 0, "scan records"); !r) return r;
    return scanner.Flush();
  }
  Result<StmtPtr> current =
      PrepareLocal(db_.get(),
                   "SELECT " + std::string(kScanColumns) +
                       " FROM records WHERE subject_id = ?1 AND item IN (" + items + ")",
                   kReason);
  if (!current) return std::unexpected(current.error());
  // With a snapshot, a record that belongs to another subject now may have belonged to this one
  // then: its archived versions say so.
  StmtPtr moved;
  if (spec.known_at > 0) {
    Result<StmtPtr> stmt = PrepareLocal(db_.get(),
                                        "SELECT " + std::string(kScanColumns) +
                                            " FROM records WHERE id IN (SELECT record_id FROM "
                                            "record_versions WHERE subject_id = ?1)"
                                            " AND subject_id <> ?1 AND item IN (" +
                                            items + ")",
                                        kReason);
    if (!stmt) return std::unexpected(stmt.error());
    moved = std::move(*stmt);
  }
  for (SubjectId subject : spec.subjects) {
    if (Result<void> r = drain(current->get(), subject, "scan subject records"); !r) return r;
    if (moved != nullptr) {
      if (Result<void> r = drain(moved.get(), subject, "scan moved records"); !r) return r;
    }
  }
  return scanner.Flush();
}

Result<std::vector<SubjectId>> SqliteStore::SubjectsChangedBetween(BatchId after, BatchId upto) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  // A record that moved to another subject leaves the subject of its older versions changed too.
  Result<StmtPtr> stmt = PrepareLocal(
      db_.get(),
      "WITH changed AS (SELECT id, subject_id FROM records NOT INDEXED"
      "                 WHERE batch_id > ?1 AND batch_id <= ?2)"
      " SELECT subject_id FROM changed"
      " UNION SELECT v.subject_id FROM record_versions v JOIN changed c ON c.id = v.record_id"
      " ORDER BY 1",
      kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(stmt->get());
  use.Int(1, after);
  use.Int(2, upto);
  std::vector<SubjectId> out;
  int rc;
  while ((rc = use.Step()) == SQLITE_ROW) out.push_back(use.ColumnInt(0));
  if (rc != SQLITE_DONE) return Failed(rc, kReason, "changed subjects");
  return out;
}

Result<std::unique_ptr<EvaluationWriter>> SqliteStore::BeginEvaluationRun(
    const EvaluationRunInfo& run) {
  constexpr std::string_view kReason = "store.evaluation";
  if (batch_open_) return BatchOpen();
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  if (Result<void> r = Run(kBegin, kReason); !r) return std::unexpected(r.error());
  auto rollback = [&](Error e) -> std::unexpected<Error> {
    if (sqlite3_get_autocommit(db_.get()) == 0) (void)Run(kRollback, kReason);
    return std::unexpected(std::move(e));
  };
  std::int64_t id = 0;
  {
    Result<StmtPtr> stmt = PrepareLocal(
        db_.get(),
        "INSERT INTO evaluation_runs (model_version, model_text, as_of, mode, base_run,"
        " snapshot_batch, subjects, evaluated, summary_json, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, '{}', ?7)",
        kReason);
    if (!stmt) return rollback(stmt.error());
    const std::string as_of = FormatIsoDate(run.as_of);
    {
      StmtUse use(stmt->get());
      use.Text(1, run.model_version);
      use.Text(2, run.model_text);
      use.Text(3, as_of);
      use.Text(4, run.mode);
      if (run.base_run > 0) {
        use.Int(5, run.base_run);
      } else {
        use.Null(5);
      }
      use.Int(6, run.snapshot);
      use.Int(7, Now());
      if (const int rc = use.Step(); rc != SQLITE_DONE) {
        return rollback(SqliteError(db_.get(), rc, std::string(kReason), "insert run"));
      }
    }
    id = sqlite3_last_insert_rowid(db_.get());
  }
  // OR REPLACE: an incremental run replaces the results it carried over.
  Result<StmtPtr> insert = PrepareLocal(
      db_.get(),
      "INSERT OR REPLACE INTO evaluation_results (run_id, subject_id, score, grade, industries)"
      " VALUES (?1, ?2, ?3, ?4, ?5)",
      kReason);
  if (!insert) return rollback(insert.error());
  Result<StmtPtr> insert_detail = PrepareLocal(db_.get(),
                                               "INSERT OR REPLACE INTO evaluation_details (run_id, "
                                               "subject_id, detail_json) VALUES (?1, ?2, ?3)",
                                               kReason);
  if (!insert_detail) return rollback(insert_detail.error());
  batch_open_ = true;
  return std::unique_ptr<EvaluationWriter>(std::make_unique<SqliteEvaluationWriter>(
      *this, id, std::move(*insert), std::move(*insert_detail)));
}

Result<std::optional<EvaluationRunInfo>> SqliteStore::GetEvaluationRun(std::int64_t id) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  constexpr std::string_view kColumns =
      "SELECT id, model_version, model_text, as_of, mode, coalesce(base_run, 0), snapshot_batch,"
      " subjects, evaluated, summary_json, created_at FROM evaluation_runs";
  Result<StmtPtr> stmt = PrepareLocal(
      db_.get(), std::string(kColumns) + (id > 0 ? " WHERE id = ?1" : " ORDER BY id DESC LIMIT 1"),
      kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(stmt->get());
  if (id > 0) use.Int(1, id);
  const int rc = use.Step();
  if (rc == SQLITE_DONE) return std::optional<EvaluationRunInfo>();
  if (rc != SQLITE_ROW) return Failed(rc, kReason, "get evaluation run");
  EvaluationRunInfo run = ReadRun(use);
  Result<Date> as_of = ParseIsoDate(use.ColumnView(3));
  if (!as_of) return Corrupt("as-of date of evaluation run " + std::to_string(run.id));
  run.as_of = *as_of;
  return std::optional<EvaluationRunInfo>(std::move(run));
}

Result<void> SqliteStore::ScanEvaluationResults(std::int64_t run, bool with_detail,
                                                EvaluationResultVisitor& visitor) {
  constexpr std::string_view kReason = "store.query";
  constexpr std::size_t kChunk = 8192;
  if (Result<void> r = EnsureSchema(); !r) return r;
  Result<StmtPtr> stmt = PrepareLocal(
      db_.get(),
      with_detail ? "SELECT r.subject_id, r.score, r.grade, r.industries, d.detail_json"
                    " FROM evaluation_results r JOIN evaluation_details d"
                    " ON d.run_id = r.run_id AND d.subject_id = r.subject_id"
                    " WHERE r.run_id = ?1 ORDER BY r.subject_id"
                  : "SELECT subject_id, score, grade, industries, '' FROM evaluation_results"
                    " WHERE run_id = ?1 ORDER BY subject_id",
      kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(stmt->get());
  use.Int(1, run);
  std::vector<EvaluationResultRow> chunk;
  chunk.reserve(kChunk);
  int rc;
  while ((rc = use.Step()) == SQLITE_ROW) {
    EvaluationResultRow row;
    row.subject = use.ColumnInt(0);
    row.score = static_cast<int>(use.ColumnInt(1));
    row.grade = use.ColumnText(2);
    row.industries = use.ColumnText(3);
    row.detail_json = use.ColumnText(4);
    chunk.push_back(std::move(row));
    if (chunk.size() >= kChunk) {
      if (Result<void> r = visitor.Visit(chunk); !r) return r;
      chunk.clear();
    }
  }
  if (rc != SQLITE_DONE) return Failed(rc, kReason, "scan evaluation results");
  if (!chunk.empty()) return visitor.Visit(chunk);
  return {};
}

Result<std::optional<EvaluationResultRow>> SqliteStore::GetEvaluationResult(std::int64_t run,
                                                                            SubjectId subject) {
  constexpr std::string_view kReason = "store.query";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  Result<StmtPtr> stmt = PrepareLocal(
      db_.get(),
      "SELECT r.score, r.grade, r.industries, d.detail_json FROM evaluation_results r"
      " JOIN evaluation_details d ON d.run_id = r.run_id AND d.subject_id = r.subject_id"
      " WHERE r.run_id = ?1 AND r.subject_id = ?2",
      kReason);
  if (!stmt) return std::unexpected(stmt.error());
  StmtUse use(stmt->get());
  use.Int(1, run);
  use.Int(2, subject);
  const int rc = use.Step();
  if (rc == SQLITE_DONE) return std::optional<EvaluationResultRow>();
  if (rc != SQLITE_ROW) return Failed(rc, kReason, "get evaluation result");
  EvaluationResultRow row;
  row.subject = subject;
  row.score = static_cast<int>(use.ColumnInt(0));
  row.grade = use.ColumnText(1);
  row.industries = use.ColumnText(2);
  row.detail_json = use.ColumnText(3);
  return std::optional<EvaluationResultRow>(std::move(row));
}

}  // namespace xy
