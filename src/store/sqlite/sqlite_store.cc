#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "store/encoding.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_handle.h"

namespace xy {
namespace {

using sqlite::DbPtr;
using sqlite::SqliteError;
using sqlite::StmtPtr;
using sqlite::StmtUse;

// ---- Column encodings of enumerations and dates

std::string_view KindKeyword(SubjectKind kind) {
  switch (kind) {
    case SubjectKind::kOrganization:
      return "organization";
    case SubjectKind::kPerson:
      return "person";
    case SubjectKind::kIndividualBusiness:
      return "individual_business";
  }
  return "organization";
}

std::optional<SubjectKind> ParseKindKeyword(std::string_view s) {
  if (s == "organization") return SubjectKind::kOrganization;
  if (s == "person") return SubjectKind::kPerson;
  if (s == "individual_business") return SubjectKind::kIndividualBusiness;
  return std::nullopt;
}

std::string_view SeverityKeyword(Severity severity) {
  switch (severity) {
    case Severity::kMinor:
      return "minor";
    case Severity::kGeneral:
      return "general";
    case Severity::kSerious:
      return "serious";
  }
  return "general";
}

std::optional<Severity> ParseSeverityKeyword(std::string_view s) {
  if (s == "minor") return Severity::kMinor;
  if (s == "general") return Severity::kGeneral;
  if (s == "serious") return Severity::kSerious;
  return std::nullopt;
}

// "" for no date, which binds as NULL; else FormatIsoDate's text, written without snprintf (three
// dates a row; snprintf was a tenth of an upsert's own CPU time).
std::string DateText(const std::optional<Date>& date) {
  if (!date) return std::string();
  const int year = static_cast<int>(date->year());
  if (year < 0 || year > 9999) return FormatIsoDate(*date);
  const auto month = static_cast<unsigned>(date->month());
  const auto day = static_cast<unsigned>(date->day());
  std::string text = "0000-00-00";  // fits the small-string buffer: no allocation
  text[0] = static_cast<char>('0' + year / 1000);
  text[1] = static_cast<char>('0' + year / 100 % 10);
  text[2] = static_cast<char>('0' + year / 10 % 10);
  text[3] = static_cast<char>('0' + year % 10);
  text[5] = static_cast<char>('0' + month / 10);
  text[6] = static_cast<char>('0' + month % 10);
  text[8] = static_cast<char>('0' + day / 10);
  text[9] = static_cast<char>('0' + day % 10);
  return text;
}

// The GB/T 2260 region in USCC positions 3–8, the registering authority's; 0 if not six digits.
int RegionFromUscc(std::string_view uscc) {
  if (uscc.size() != 18) return 0;
  int region = 0;
  for (char c : uscc.substr(2, 6)) {
    if (c < '0' || c > '9') return 0;
    region = region * 10 + (c - '0');
  }
  return region;
}

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
    " publicity_until, published, dept, batch_id, row_no, raw_sm3, recorded_at)"
    " VALUES (?1, ?2, ?3, 1, 'active', ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
    " ?16, ?4) ON CONFLICT (item, natural_key) DO NOTHING",
    "SELECT id, current_version, content_digest FROM records WHERE item = ?1 AND natural_key = ?2",
    // kArchiveVersion: the outgoing current version, copied before a correction overwrites it.
    "INSERT INTO record_versions (record_id, version, subject_id, fields_json, fields_digest,"
    " decided_on, severity, publicity_from, publicity_until, published, dept, batch_id, row_no,"
    " raw_sm3, recorded_at) SELECT id, current_version, subject_id, fields_json, fields_digest,"
    " decided_on, severity, publicity_from, publicity_until, published, dept, batch_id, row_no,"
    " raw_sm3, recorded_at FROM records WHERE id = ?1",
    "UPDATE records SET last_seen = ?2 WHERE id = ?1",
    "UPDATE records SET current_version = ?2, subject_id = ?3, last_seen = ?4, content_digest = ?5,"
    " fields_json = ?6, fields_digest = ?7, decided_on = ?8, severity = ?9, publicity_from = ?10,"
    " publicity_until = ?11, published = ?12, dept = ?13, batch_id = ?14, row_no = ?15,"
    " raw_sm3 = ?16, recorded_at = ?4 WHERE id = ?1",
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
  Result<std::vector<CodeIssue>> ListCodeIssues() override;
  Result<void> ReviewCodeIssue(std::int64_t id, const std::string& status,
                               const std::string& reviewer, const std::string& note) override;

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
  SqliteBatch(SqliteStore& store, BatchId id, Timestamp now) : store_(store), id_(id), now_(now) {}

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
    use.Text(1, KindKeyword(key.kind));
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
  use.Text(9, SeverityKeyword(in.severity));
  use.TextOrNull(10, c.from);
  use.TextOrNull(11, c.until);
  use.Int(12, in.published ? 1 : 0);
  use.Text(13, in.dept);
  use.Int(14, id_);
  use.Int(15, in.row_no);
  use.Text(16, in.raw_sm3);
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
        CreateSubject(in.subject, /*provisional=*/true, RegionFromUscc(in.subject.uscc), kReason);
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
  const std::string decided = DateText(in.decided_on);
  const std::string from = DateText(in.publicity_from);
  const std::string until = DateText(in.publicity_until);
  const std::int64_t content_digest = ContentDigest(
      fields_digest, out.subject, SeverityKeyword(in.severity), decided, from, until, in.published);
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
  if (const int rc = use.Step(); rc != SQLITE_DONE) return Failed(rc, kReason, "advance record");
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
    use.Text(2, KindKeyword(key.kind));
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
  batch_open_ = true;
  return std::make_unique<SqliteBatch>(*this, id, now);
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
  std::optional<SubjectKind> kind = ParseKindKeyword(use.ColumnView(1));
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
    std::optional<Severity> severity = ParseSeverityKeyword(use.ColumnView(4));
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
    versions.push_back(std::move(v));
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

}  // namespace xy
