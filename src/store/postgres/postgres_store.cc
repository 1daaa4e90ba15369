#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "domain/uscc.h"
#include "store/encoding.h"
#include "store/ledger_rows.h"
#include "store/postgres/pg_handle.h"
#include "store/postgres/schema.h"

namespace xy {
namespace {

using pg::ArrayWriter;
using pg::ConnPtr;
using pg::CopyWriter;
using pg::Params;
using pg::ResultPtr;

std::unexpected<Error> Corrupt(std::string what) {
  return Fail(ErrorCode::kInternal, "store.corrupt", "stored value cannot be read back: " + what,
              "数据库中的数据无法读取");
}

std::unexpected<Error> BatchOpen() {
  return Fail(ErrorCode::kFailedPrecondition, "store.batch_open",
              "a batch is open on this store; commit or drop it first",
              "当前有一个批次正在写入，请等待其完成");
}

std::unexpected<Error> NoSubjectCode() {
  return Fail(ErrorCode::kInvalidArgument, "store.subject_key",
              "a subject needs a USCC or a person index", "主体缺少统一社会信用代码或身份证号");
}

// ---- Reading text-format result cells

std::string_view Cell(const PGresult* r, int row, int col) {
  return std::string_view(PQgetvalue(r, row, col),
                          static_cast<std::size_t>(PQgetlength(r, row, col)));
}

bool IsNull(const PGresult* r, int row, int col) { return PQgetisnull(r, row, col) != 0; }

std::int64_t IntCell(const PGresult* r, int row, int col) {
  const std::string_view s = Cell(r, row, col);
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool BoolCell(const PGresult* r, int row, int col) { return Cell(r, row, col) == "t"; }

Result<std::optional<Date>> DateCell(const PGresult* r, int row, int col) {
  if (IsNull(r, row, col)) return std::optional<Date>();
  Result<Date> date = ParseIsoDate(Cell(r, row, col));
  if (!date) return Corrupt("date '" + std::string(Cell(r, row, col)) + "'");
  return std::optional<Date>(*date);
}

std::int64_t AffectedRows(const PGresult* r) {
  const char* n = PQcmdTuples(const_cast<PGresult*>(r));
  std::int64_t v = 0;
  if (n != nullptr) std::from_chars(n, n + std::char_traits<char>::length(n), v);
  return v;
}

// A version row as kRecordHistory and kGetVersion select it: version, subject_id, fields_json,
// decided_on, severity, publicity_from, publicity_until, published, dept, batch_id, row_no,
// raw_sm3, recorded_at.
Result<RecordVersion> ReadVersion(const PGresult* res, int i, RecordId id) {
  RecordVersion v;
  v.record = id;
  v.version = static_cast<int>(IntCell(res, i, 0));
  v.subject = IntCell(res, i, 1);
  auto fields = ParseStringMapJson(Cell(res, i, 2));
  if (!fields) return Corrupt("fields of record " + std::to_string(id));
  v.fields = std::move(*fields);
  auto decided = DateCell(res, i, 3);
  if (!decided) return std::unexpected(decided.error());
  v.decided_on = *decided;
  std::optional<Severity> severity = ParseSeverityText(Cell(res, i, 4));
  if (!severity) return Corrupt("severity '" + std::string(Cell(res, i, 4)) + "'");
  v.severity = *severity;
  auto from = DateCell(res, i, 5);
  if (!from) return std::unexpected(from.error());
  v.publicity_from = *from;
  auto until = DateCell(res, i, 6);
  if (!until) return std::unexpected(until.error());
  v.publicity_until = *until;
  v.published = BoolCell(res, i, 7);
  v.dept = Cell(res, i, 8);
  v.batch = IntCell(res, i, 9);
  v.row_no = IntCell(res, i, 10);
  v.raw_sm3 = Cell(res, i, 11);
  v.recorded_at = IntCell(res, i, 12);
  return v;
}

// A leaf row: idx, kind, ref_id, ref_version, entry, leaf_hash (bytea in the text format). The
// stored hash is handed over as it is, whatever its length: checking it is the reader's job
// (ledger verify reports leaf.hash), as on SQLite.
Result<LedgerLeaf> ReadLeaf(const PGresult* res, int i) {
  LedgerLeaf leaf;
  leaf.index = IntCell(res, i, 0);
  leaf.kind = Cell(res, i, 1);
  leaf.ref_id = IntCell(res, i, 2);
  leaf.ref_version = IntCell(res, i, 3);
  std::optional<std::string> entry = pg::DecodeBytea(Cell(res, i, 4));
  std::optional<std::string> hash = pg::DecodeBytea(Cell(res, i, 5));
  if (!entry || !hash) return Corrupt("ledger leaf " + std::to_string(leaf.index));
  leaf.entry = std::move(*entry);
  if (hash->size() == kSm3Size) {
    std::copy(hash->begin(), hash->end(), reinterpret_cast<char*>(leaf.leaf_hash.data()));
  }
  return leaf;
}

// ---- Statements

// Every parameterised statement the store runs, prepared once per connection on first use.
enum Sql : int {
  kSchemaExists,
  kSchemaVersion,
  kMaxIds,
  kInsertBatch,
  kCommitBatch,
  kSetFileSm3,
  kLookUp,
  kUpdateSubject,
  kRenameSubjects,
  kNameKnown,
  kItemHasRecords,
  kArchiveVersions,
  kAdvanceRecords,
  kTouchRecords,
  kInsertIssues,
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
  kLatestHead,
  kInsertHead,
  kLedgerLeaves,
  kTreeHeads,
  kFindLeaf,
  kGetVersion,
  kSqlCount,
};

constexpr std::array<const char*, kSqlCount> kSqlText = {
    "SELECT to_regclass('schema_version') IS NOT NULL",
    "SELECT coalesce(max(version), 0) FROM schema_version",
    // kMaxIds: read under the batch lock, so the ids the batch hands out are the next ones.
    "SELECT (SELECT coalesce(max(id), 0) FROM batches), (SELECT coalesce(max(id), 0) FROM "
    "subjects),"
    " (SELECT coalesce(max(id), 0) FROM records), (SELECT coalesce(max(id), 0) FROM subject_names),"
    " (SELECT coalesce(max(id), 0) FROM code_issues)",
    "INSERT INTO batches (id, item, dept, file_name, file_sm3, catalog_version, header_json,"
    " received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    "UPDATE batches SET receipt_json = $2 WHERE id = $1",
    "UPDATE batches SET file_sm3 = $2 WHERE id = $1",
    // kLookUp: the subjects of codes the batch has not cached, and the stored state of natural
    // keys, in one round trip. `o` is the 1-based position in the array that asked.
    "SELECT 0, u.o, s.id, 0, 0, s.name FROM unnest($1::text[]) WITH ORDINALITY AS u(code, o)"
    " JOIN subjects s ON s.uscc = u.code"
    " UNION ALL SELECT 1, u.o, s.id, 0, 0, s.name"
    " FROM unnest($2::text[]) WITH ORDINALITY AS u(code, o)"
    " JOIN subjects s ON s.person_index = u.code"
    " UNION ALL SELECT 2, u.o, r.id, r.current_version, r.content_digest, NULL"
    " FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS u(item, natural_key, o)"
    " JOIN records r ON r.item = u.item AND r.natural_key = u.natural_key",
    "UPDATE subjects SET kind = $2, name = $3, provisional = false, region_code = $4,"
    " person_sealed = coalesce($5, person_sealed) WHERE id = $1",
    "UPDATE subjects s SET name = u.name FROM unnest($1::int8[], $2::text[]) AS u(id, name)"
    " WHERE s.id = u.id",
    // kNameKnown: whether a stored subject has been seen under a name before this batch.
    "SELECT EXISTS (SELECT 1 FROM subject_names WHERE subject_id = $1 AND name = $2)",
    // kItemHasRecords: asked once per item and batch, under the batch lock.
    "SELECT EXISTS (SELECT 1 FROM records WHERE item = $1)",
    // kArchiveVersions: the outgoing current versions, copied before kAdvanceRecords overwrites.
    "INSERT INTO record_versions (record_id, version, subject_id, fields_json, fields_digest,"
    " decided_on, severity, publicity_from, publicity_until, published, dept, batch_id, row_no,"
    " raw_sm3, recorded_at, leaf_idx) SELECT id, current_version, subject_id, fields_json,"
    " fields_digest, decided_on, severity, publicity_from, publicity_until, published, dept,"
    " batch_id, row_no, raw_sm3, recorded_at, leaf_idx FROM records WHERE id = ANY($1::int8[])",
    // kAdvanceRecords: $15 is each new version's leaf (NULL in a batch without the ledger).
    "UPDATE records r SET current_version = u.version, subject_id = u.subject_id, last_seen = $16,"
    " content_digest = u.content_digest, fields_json = u.fields_json,"
    " fields_digest = u.fields_digest, decided_on = u.decided_on, severity = u.severity,"
    " publicity_from = u.publicity_from, publicity_until = u.publicity_until,"
    " published = u.published, dept = u.dept, batch_id = $17, row_no = u.row_no,"
    " raw_sm3 = u.raw_sm3, recorded_at = $16, leaf_idx = u.leaf_idx"
    " FROM unnest($1::int8[], $2::int4[], $3::int8[], $4::int8[], $5::text[], $6::int8[],"
    " $7::date[], $8::text[], $9::date[], $10::date[], $11::bool[], $12::text[], $13::int8[],"
    " $14::text[], $15::int8[]) AS u(id, version, subject_id, content_digest, fields_json,"
    " fields_digest, decided_on, severity, publicity_from, publicity_until, published, dept,"
    " row_no, raw_sm3, leaf_idx)"
    " WHERE r.id = u.id",
    // kTouchRecords: an unchanged row moves last_seen only; a row already at this batch's time is
    // left alone rather than rewritten.
    "UPDATE records SET last_seen = $2 WHERE id = ANY($1::int8[]) AND last_seen <> $2",
    // kInsertIssues: in call order; one already on file keeps its status (a reviewer's decision
    // stands) and takes no id.
    "INSERT INTO code_issues (id, kind, code, detail, status, reviewer, note, updated_at)"
    " SELECT $4 + row_number() OVER (ORDER BY u.o), u.kind, u.code, u.detail, 'open', '', '', $5"
    " FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(kind, code, detail, o)"
    " WHERE NOT EXISTS (SELECT 1 FROM code_issues c"
    " WHERE c.kind = u.kind AND c.code = u.code AND c.detail = u.detail)",
    "SELECT item, dept, file_name, file_sm3, catalog_version, header_json, received_at,"
    " receipt_json FROM batches WHERE id = $1",
    "SELECT row_no, values_json, reasons_json, messages_json, raw_sm3 FROM quarantine"
    " WHERE batch_id = $1 ORDER BY row_no",
    "SELECT id, kind, uscc, person_index, name, provisional, region_code, created_at"
    " FROM subjects WHERE uscc = $1",
    "SELECT name FROM subject_names WHERE subject_id = $1 ORDER BY id",
    "SELECT count(*) FROM subjects",
    "SELECT count(*) FROM records",
    "SELECT count(*) FROM records WHERE item = $1",
    "SELECT id, subject_id, current_version, status, first_seen, last_seen FROM records"
    " WHERE item = $1 AND natural_key = $2",
    "SELECT version, subject_id, fields_json, decided_on, severity, publicity_from,"
    " publicity_until, published, dept, batch_id, row_no, raw_sm3, recorded_at"
    " FROM record_versions WHERE record_id = $1"
    " UNION ALL SELECT current_version, subject_id, fields_json, decided_on, severity,"
    " publicity_from, publicity_until, published, dept, batch_id, row_no, raw_sm3, recorded_at"
    " FROM records WHERE id = $1 ORDER BY 1",
    "SELECT id, kind, code, detail, status, reviewer, note, updated_at FROM code_issues ORDER BY "
    "id",
    "UPDATE code_issues SET status = $2, reviewer = $3, note = $4, updated_at = $5 WHERE id = $1",
    // kLatestHead: what a batch with the ledger continues from, read under the batch lock.
    "SELECT (SELECT count(*) FROM ledger_leaves),"
    " coalesce((SELECT tree_size FROM ledger_heads ORDER BY tree_size DESC LIMIT 1), 0),"
    " coalesce((SELECT frontier FROM ledger_heads ORDER BY tree_size DESC LIMIT 1), ''::bytea)",
    "INSERT INTO ledger_heads (tree_size, root, timestamp, signature, frontier)"
    " VALUES ($1, $2, $3, $4, $5)",
    "SELECT idx, kind, ref_id, ref_version, entry, leaf_hash FROM ledger_leaves"
    " WHERE idx >= $1 ORDER BY idx LIMIT $2",
    "SELECT tree_size, root, timestamp, signature FROM ledger_heads ORDER BY tree_size",
    // kFindLeaf: the current version's leaf index is on the record row, older ones' on theirs.
    "SELECT idx, kind, ref_id, ref_version, entry, leaf_hash FROM ledger_leaves"
    " WHERE idx = (SELECT leaf_idx FROM records WHERE id = $1 AND current_version = $2"
    " UNION ALL SELECT leaf_idx FROM record_versions WHERE record_id = $1 AND version = $2"
    " LIMIT 1)",
    // kGetVersion: one version with the columns RecordContentText needs and its subject's code.
    "SELECT v.version, v.subject_id, v.fields_json, v.decided_on, v.severity, v.publicity_from,"
    " v.publicity_until, v.published, v.dept, v.batch_id, v.row_no, v.raw_sm3, v.recorded_at,"
    " r.item, r.natural_key, coalesce(s.uscc, s.person_index, '')"
    " FROM (SELECT record_id AS id, version, subject_id, fields_json, decided_on, severity,"
    "        publicity_from, publicity_until, published, dept, batch_id, row_no, raw_sm3,"
    "        recorded_at FROM record_versions WHERE record_id = $1 AND version = $2"
    "       UNION ALL SELECT id, current_version, subject_id, fields_json, decided_on, severity,"
    "        publicity_from, publicity_until, published, dept, batch_id, row_no, raw_sm3,"
    "        recorded_at FROM records WHERE id = $1 AND current_version = $2) v"
    " JOIN records r ON r.id = v.id LEFT JOIN subjects s ON s.id = v.subject_id",
};

constexpr const char* kCopySubjects =
    "COPY subjects (id, kind, uscc, person_index, person_sealed, name, provisional, region_code,"
    " created_at) FROM STDIN (FORMAT binary)";
constexpr int kSubjectColumns = 9;
constexpr const char* kCopyRecords =
    "COPY records (id, item, natural_key, subject_id, current_version, status, first_seen,"
    " last_seen, content_digest, fields_json, fields_digest, decided_on, severity, publicity_from,"
    " publicity_until, published, dept, batch_id, row_no, raw_sm3, recorded_at, leaf_idx)"
    " FROM STDIN (FORMAT binary)";
constexpr int kRecordColumns = 22;
constexpr const char* kCopyNames =
    "COPY subject_names (id, subject_id, name, first_seen_batch, seen_at) FROM STDIN (FORMAT "
    "binary)";
constexpr int kNameColumns = 5;
constexpr const char* kCopyQuarantine =
    "COPY quarantine (batch_id, row_no, values_json, reasons_json, messages_json, raw_sm3)"
    " FROM STDIN (FORMAT binary)";
constexpr int kQuarantineColumns = 6;
constexpr const char* kCopyLeaves =
    "COPY ledger_leaves (idx, kind, ref_id, ref_version, entry, leaf_hash) FROM STDIN (FORMAT "
    "binary)";
constexpr int kLeafColumns = 6;

// Run on every new connection: dates come back as ISO text whatever the server's default, and the
// server's notices ("relation … already exists, skipping") stay out of the command's stderr.
constexpr const char* kSessionSetUp =
    "SET datestyle = 'ISO, YMD'; SET client_min_messages = warning";

int LatestSchemaVersion() { return postgres::Migrations().back().version; }

// The keys a batch wrote for an item that had no record when the batch began: a key that is not
// here is new without asking the server. Bloom filters — a false "maybe" costs one look-up, never a
// wrong answer — about 10 bits and 7 probes a key (1 % false positives), each level twice the size
// of the one before, so memory follows the batch (about 1.3 MB a million keys).
class KeyFilter {
 public:
  void Add(std::uint64_t h) {
    if (levels_.empty() || levels_.back().count == levels_.back().capacity) {
      const std::size_t capacity = levels_.empty() ? 4096 : levels_.back().capacity * 2;
      levels_.push_back(Level{std::vector<std::uint64_t>(capacity * 10 / 64 + 1), capacity, 0});
    }
    Level& level = levels_.back();
    const std::size_t bits = level.words.size() * 64;
    for (std::uint64_t i = 0, p = h; i < kProbes; ++i, p += (h >> 32) | 1) {
      const std::size_t b = p % bits;
      level.words[b / 64] |= std::uint64_t{1} << (b % 64);
    }
    ++level.count;
  }

  bool MayContain(std::uint64_t h) const {
    for (const Level& level : levels_) {
      const std::size_t bits = level.words.size() * 64;
      bool all = true;
      for (std::uint64_t i = 0, p = h; i < kProbes && all; ++i, p += (h >> 32) | 1) {
        const std::size_t b = p % bits;
        all = (level.words[b / 64] >> (b % 64) & 1) != 0;
      }
      if (all) return true;
    }
    return false;
  }

 private:
  static constexpr std::uint64_t kProbes = 7;
  struct Level {
    std::vector<std::uint64_t> words;
    std::size_t capacity;
    std::size_t count;
  };
  std::vector<Level> levels_;
};

// ---- The store

class PostgresBatch;

class PostgresStore final : public Store {
 public:
  PostgresStore(ConnPtr conn, std::string url, PostgresStoreOptions options)
      : conn_(std::move(conn)), url_(std::move(url)), options_(std::move(options)) {}

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

  PGconn* conn() const { return conn_.get(); }
  // Counts reconnections: a batch begun on an earlier connection is gone with it.
  std::uint64_t generation() const { return generation_; }
  const PostgresStoreOptions& options() const { return options_; }

  Timestamp Now() const {
    if (options_.now) return options_.now();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // Runs a prepared statement (prepared on first use on this connection).
  Result<ResultPtr> Run(Sql id, Params& params, std::string_view reason, std::string_view what);
  // Runs SQL text without parameters (one or more statements, simple protocol).
  Result<ResultPtr> Exec(const char* sql, std::string_view reason, std::string_view what);
  // COPY … FROM STDIN of binary data.
  Result<void> Copy(const char* sql, const std::string& data, std::string_view reason,
                    std::string_view what);
  // Ends the connection's transaction, if it can still be ended; errors are of no use here.
  void RollBack() {
    if (PQstatus(conn_.get()) != CONNECTION_OK) return;
    if (PQtransactionStatus(conn_.get()) == PQTRANS_IDLE) return;
    ResultPtr r(PQexec(conn_.get(), "ROLLBACK"));
  }

  void BatchClosed() { open_batch_ = nullptr; }

 private:
  // Reconnects when the connection is broken (and sets the session up again).
  Result<void> Connected();
  Result<void> SetUpSession();
  // Runs one unit of work outside a batch. When it fails because the connection is gone, the
  // unit had no effect (autocommit statements, or a transaction the server rolled back): the
  // store reconnects and runs it once more, so a server restart between two commands costs
  // nothing. Within a batch, it sends the batch's buffered writes first so a read sees them.
  template <typename T, typename F>
  Result<T> Unit(F&& body);
  Result<void> EnsureSchema();
  Result<int> SchemaVersion();
  Result<void> MigrateStep(const postgres::Migration& m);
  Result<std::int64_t> Count(Sql id, const std::string* item);
  Result<std::unique_ptr<BatchTransaction>> Begin(const BatchInput& batch);
  // The ledger as the last signed head left it (empty for a store without one); in the batch's
  // transaction, under its lock.
  Result<ledger::MerkleLog> RestoreLedger();

  ConnPtr conn_;
  std::string url_;
  PostgresStoreOptions options_;
  std::uint64_t generation_ = 1;
  std::array<bool, kSqlCount> prepared_{};
  PostgresBatch* open_batch_ = nullptr;
  bool schema_ok_ = false;
};

// ---- The batch

class PostgresBatch final : public BatchTransaction {
 public:
  struct NextIds {
    SubjectId subject = 1;
    RecordId record = 1;
    std::int64_t name = 1;
    std::int64_t issue = 1;
  };

  // With a ledger key, `log` is the ledger as the last committed batch left it.
  PostgresBatch(PostgresStore& store, BatchId id, Timestamp now, NextIds next,
                const Sm2KeyPair* ledger_key, std::optional<ledger::MerkleLog> log)
      : store_(store),
        id_(id),
        now_(now),
        generation_(store.generation()),
        next_(next),
        ledger_key_(ledger_key),
        log_(std::move(log)),
        head_size_(log_ ? log_->size() : 0),
        rename_ids_(pg::kInt8Oid),
        rename_names_(pg::kTextOid),
        archive_ids_(pg::kInt8Oid),
        touch_ids_(pg::kInt8Oid),
        issue_kinds_(pg::kTextOid),
        issue_codes_(pg::kTextOid),
        issue_details_(pg::kTextOid),
        advance_{ArrayWriter(pg::kInt8Oid), ArrayWriter(pg::kInt4Oid), ArrayWriter(pg::kInt8Oid),
                 ArrayWriter(pg::kInt8Oid), ArrayWriter(pg::kTextOid), ArrayWriter(pg::kInt8Oid),
                 ArrayWriter(pg::kDateOid), ArrayWriter(pg::kTextOid), ArrayWriter(pg::kDateOid),
                 ArrayWriter(pg::kDateOid), ArrayWriter(pg::kBoolOid), ArrayWriter(pg::kTextOid),
                 ArrayWriter(pg::kInt8Oid), ArrayWriter(pg::kTextOid), ArrayWriter(pg::kInt8Oid)} {
    subjects_empty_at_begin_ = next.subject == 1;
  }

  ~PostgresBatch() override {
    if (!done_ && !rolled_back_ && store_.generation() == generation_) store_.RollBack();
    store_.BatchClosed();
  }

  PostgresBatch(const PostgresBatch&) = delete;
  PostgresBatch& operator=(const PostgresBatch&) = delete;

  Result<UpsertResult> Upsert(const RecordInput& record) override;
  Result<void> UpsertMany(std::span<const RecordInput* const> records,
                          std::vector<UpsertResult>& out) override;
  Result<SubjectId> PutSubject(const SubjectKey& key, int region_code) override;
  Result<void> Quarantine(const QuarantineInput& row) override;
  Result<void> ReportCodeIssue(const CodeIssue& issue) override;
  Result<void> SetFileSm3(const std::string& file_sm3) override;
  Result<void> Commit(const std::string& receipt_json) override;
  BatchId batch_id() const override { return id_; }

  // Sends the buffered writes, so that a read through the store (same transaction) sees them.
  Result<void> FlushForRead() {
    if (done_ || failed_ || store_.generation() != generation_) return {};
    return Flush();
  }

 private:
  struct CachedSubject {
    SubjectId id = 0;
    std::string name;  // the subject's current name
    // Names known to be in subject_names (or buffered for it), so a recurring variant is written
    // once per batch.
    std::vector<std::string> names;
    // Found in the store (not created by this batch): a name not in `names` may still be on file.
    bool stored = false;
  };
  // A natural key's current record as this batch knows it.
  struct KeyState {
    RecordId id = 0;
    int version = 0;
    std::int64_t content_digest = 0;
  };

  Result<void> Usable() const;
  // Marks the batch failed and ends its transaction (the server may already have): every later
  // call is refused, and reads through the store work again outside it.
  std::unexpected<Error> Failed(Error error);
  // Looks up, in one statement, the subjects of `uscc`/`person` codes (into the cache) and the
  // stored records of `keys` (into `known`).
  Result<void> LookUp(const std::vector<const std::string*>& uscc,
                      const std::vector<const std::string*>& person,
                      const std::vector<std::pair<const RecordInput*, std::string>>& keys,
                      std::unordered_map<std::string, KeyState>& known);
  CachedSubject* Cached(const SubjectKey& key);
  CachedSubject& CreateSubject(const SubjectKey& key, bool provisional, int region_code);
  // Buffers the name for subject_names unless the subject is known under it.
  Result<void> RecordName(CachedSubject& subject, const std::string& name);
  // Whether a key of `in` can be stored: false when its item had no record when the batch began
  // and the batch has not written the key (asks the server once per item).
  Result<bool> MayBeStored(const RecordInput& in, std::uint64_t key_hash);
  // Buffers the record_version leaf of a version this batch writes and returns its index, the
  // version row's leaf_idx; nullopt when the batch keeps no ledger.
  Result<std::optional<std::int64_t>> AppendLeaf(RecordId record, int version,
                                                 const RecordInput& in, const VersionText& text);
  void QueueAdvance(const RecordInput& in, const KeyState& state, SubjectId subject,
                    std::string_view fields_json, std::int64_t fields_digest,
                    std::optional<std::int64_t> leaf_idx);
  // Sends every buffered write, in an order that respects their dependencies.
  Result<void> Flush();
  Result<void> FlushIfFull() {
    const std::size_t buffered = pending_.size() + quarantine_.rows() + issue_kinds_.size() +
                                 names_.rows() + subjects_.rows();
    if (buffered < static_cast<std::size_t>(store_.options().flush_rows) &&
        records_.bytes() + quarantine_.bytes() + leaves_.bytes() < (64u << 20)) {
      return {};
    }
    return Flush();
  }

  PostgresStore& store_;
  BatchId id_;
  Timestamp now_;
  std::uint64_t generation_;
  NextIds next_;
  bool done_ = false;
  bool failed_ = false;
  bool rolled_back_ = false;
  const Sm2KeyPair* ledger_key_;
  std::optional<ledger::MerkleLog> log_;  // set iff ledger_key_; counts buffered leaves too
  std::int64_t head_size_ = 0;            // the tree size of the last signed head

  std::unordered_map<std::string, CachedSubject> by_uscc_;
  std::unordered_map<std::string, CachedSubject> by_person_;
  // Subjects with a buffered insert or rename: PutSubject sends the buffers before updating one.
  std::unordered_set<SubjectId> pending_subjects_;
  // No subject was stored when the batch began: every code the cache lacks is new.
  bool subjects_empty_at_begin_ = false;
  // Per item: whether it had no record when the batch began; the keys written since, if so.
  std::unordered_map<std::string, bool> item_empty_at_begin_;
  KeyFilter new_keys_;

  // Keys with a buffered write, and their state after it. A buffered key that changes again
  // sends the buffers first (the change archives the version the buffer holds).
  std::unordered_map<std::string, KeyState> pending_;
  CopyWriter subjects_;
  CopyWriter records_;
  CopyWriter quarantine_;
  CopyWriter names_;
  CopyWriter leaves_;
  ArrayWriter rename_ids_, rename_names_;
  ArrayWriter archive_ids_;
  ArrayWriter touch_ids_;
  ArrayWriter issue_kinds_, issue_codes_, issue_details_;
  std::array<ArrayWriter, 15> advance_;  // kAdvanceRecords parameters $1–$15
  std::unordered_set<std::int64_t> quarantined_rows_;
  std::unordered_set<std::string> issues_seen_;
  std::string json_;  // canonical fields of the current row; reused to keep its capacity
};

Result<void> PostgresBatch::Usable() const {
  if (done_) {
    return Fail(ErrorCode::kFailedPrecondition, "store.batch_spent",
                "the batch was already committed", "该批次已提交");
  }
  if (failed_ || store_.generation() != generation_) {
    return Fail(
        ErrorCode::kAborted, "store.batch_aborted",
        "the batch's transaction was rolled back after an earlier error; run the batch again",
        "该批次因前面的错误已被撤销，请重新提交");
  }
  return {};
}

std::unexpected<Error> PostgresBatch::Failed(Error error) {
  failed_ = true;
  if (store_.generation() == generation_) {
    store_.RollBack();
    rolled_back_ = true;
  }
  return std::unexpected(std::move(error));
}

PostgresBatch::CachedSubject* PostgresBatch::Cached(const SubjectKey& key) {
  auto& cache = key.uscc.empty() ? by_person_ : by_uscc_;
  auto it = cache.find(key.uscc.empty() ? key.person_index : key.uscc);
  return it == cache.end() ? nullptr : &it->second;
}

Result<void> PostgresBatch::LookUp(
    const std::vector<const std::string*>& uscc, const std::vector<const std::string*>& person,
    const std::vector<std::pair<const RecordInput*, std::string>>& keys,
    std::unordered_map<std::string, KeyState>& known) {
  constexpr std::string_view kReason = "store.upsert";
  ArrayWriter a_uscc(pg::kTextOid), a_person(pg::kTextOid), a_items(pg::kTextOid),
      a_keys(pg::kTextOid);
  for (const std::string* code : uscc) a_uscc.Text(*code);
  for (const std::string* code : person) a_person.Text(*code);
  for (const auto& [in, key] : keys) {
    a_items.Text(in->item);
    a_keys.Text(in->natural_key);
  }
  Params params;
  params.Binary(a_uscc.Encode())
      .Binary(a_person.Encode())
      .Binary(a_items.Encode())
      .Binary(a_keys.Encode());
  Result<ResultPtr> r = store_.Run(kLookUp, params, kReason, "look up subjects and records");
  if (!r) return Failed(r.error());
  const PGresult* res = r->get();
  for (int row = 0; row < PQntuples(res); ++row) {
    const std::int64_t tag = IntCell(res, row, 0);
    const auto o = static_cast<std::size_t>(IntCell(res, row, 1));
    if (tag == 2) {
      if (o == 0 || o > keys.size()) return Failed(Corrupt("look-up position").error());
      known[keys[o - 1].second] = KeyState{.id = IntCell(res, row, 2),
                                           .version = static_cast<int>(IntCell(res, row, 3)),
                                           .content_digest = IntCell(res, row, 4)};
      continue;
    }
    const auto& codes = tag == 0 ? uscc : person;
    if (o == 0 || o > codes.size()) return Failed(Corrupt("look-up position").error());
    CachedSubject& entry = (tag == 0 ? by_uscc_ : by_person_)[*codes[o - 1]];
    entry.id = IntCell(res, row, 2);
    entry.name = std::string(Cell(res, row, 5));
    entry.names.push_back(entry.name);
    entry.stored = true;
  }
  return {};
}

PostgresBatch::CachedSubject& PostgresBatch::CreateSubject(const SubjectKey& key, bool provisional,
                                                           int region_code) {
  const SubjectId id = next_.subject++;
  subjects_.Row(kSubjectColumns);
  subjects_.Int8(id);
  subjects_.Text(SubjectKindText(key.kind));
  subjects_.TextOrNull(key.uscc);
  subjects_.TextOrNull(key.person_index);
  subjects_.TextOrNull(key.person_sealed);
  subjects_.Text(key.name);
  subjects_.Bool(provisional);
  subjects_.Int4(region_code);
  subjects_.Int8(now_);
  pending_subjects_.insert(id);
  auto& cache = key.uscc.empty() ? by_person_ : by_uscc_;
  CachedSubject& entry = cache[key.uscc.empty() ? key.person_index : key.uscc];
  entry = CachedSubject{.id = id, .name = key.name, .names = {}};
  // A subject of this batch's own has no name on file: this cannot ask the server, nor fail.
  if (!key.name.empty()) (void)RecordName(entry, key.name);
  return entry;
}

Result<void> PostgresBatch::RecordName(CachedSubject& subject, const std::string& name) {
  if (std::find(subject.names.begin(), subject.names.end(), name) != subject.names.end()) return {};
  subject.names.push_back(name);
  if (subject.stored) {
    // Rare (a stored subject under a name other than its current one): asked now, so that every
    // name takes its id in call order, as on SQLite.
    Params p;
    p.Int(subject.id).Text(name);
    Result<ResultPtr> r = store_.Run(kNameKnown, p, "store.upsert", "find subject name");
    if (!r) return Failed(r.error());
    if (BoolCell(r->get(), 0, 0)) return {};
  }
  names_.Row(kNameColumns);
  names_.Int8(next_.name++);
  names_.Int8(subject.id);
  names_.Text(name);
  names_.Int8(id_);
  names_.Int8(now_);
  return {};
}

Result<bool> PostgresBatch::MayBeStored(const RecordInput& in, std::uint64_t key_hash) {
  auto it = item_empty_at_begin_.find(in.item);
  if (it == item_empty_at_begin_.end()) {
    // The first row of the item in this batch: nothing of it has been written yet.
    Params p;
    p.Text(in.item);
    Result<ResultPtr> r = store_.Run(kItemHasRecords, p, "store.upsert", "find item records");
    if (!r) return Failed(r.error());
    it = item_empty_at_begin_.emplace(in.item, !BoolCell(r->get(), 0, 0)).first;
  }
  return !it->second || new_keys_.MayContain(key_hash);
}

Result<std::optional<std::int64_t>> PostgresBatch::AppendLeaf(RecordId record, int version,
                                                              const RecordInput& in,
                                                              const VersionText& text) {
  if (!log_) return std::optional<std::int64_t>();
  Result<LeafRow> leaf = RecordVersionLeaf(record, version, id_, in, text);
  // Rows before this one may be buffered already: the batch cannot go on without them.
  if (!leaf) return Failed(leaf.error());
  const std::int64_t idx = log_->size();
  leaves_.Row(kLeafColumns);
  leaves_.Int8(idx);
  leaves_.Text(ledger::EntryKindName(ledger::EntryKind::kRecordVersion));
  leaves_.Int8(record);
  leaves_.Int8(version);
  leaves_.Text(leaf->entry);
  leaves_.Text(std::string_view(reinterpret_cast<const char*>(leaf->hash.data()), kSm3Size));
  log_->Append(leaf->hash);
  return std::optional<std::int64_t>(idx);
}

void PostgresBatch::QueueAdvance(const RecordInput& in, const KeyState& state, SubjectId subject,
                                 std::string_view fields_json, std::int64_t fields_digest,
                                 std::optional<std::int64_t> leaf_idx) {
  archive_ids_.Int8(state.id);
  advance_[0].Int8(state.id);
  advance_[1].Int4(state.version);
  advance_[2].Int8(subject);
  advance_[3].Int8(state.content_digest);
  advance_[4].Text(fields_json);
  advance_[5].Int8(fields_digest);
  advance_[6].Date(in.decided_on);
  advance_[7].Text(SeverityText(in.severity));
  advance_[8].Date(in.publicity_from);
  advance_[9].Date(in.publicity_until);
  advance_[10].Bool(in.published);
  advance_[11].Text(in.dept);
  advance_[12].Int8(in.row_no);
  advance_[13].Text(in.raw_sm3);
  if (leaf_idx) {
    advance_[14].Int8(*leaf_idx);
  } else {
    advance_[14].Null();
  }
}

Result<UpsertResult> PostgresBatch::Upsert(const RecordInput& record) {
  const RecordInput* one[] = {&record};
  std::vector<UpsertResult> out;
  if (Result<void> r = UpsertMany(one, out); !r) return std::unexpected(r.error());
  return std::move(out.front());
}

Result<void> PostgresBatch::UpsertMany(std::span<const RecordInput* const> records,
                                       std::vector<UpsertResult>& out) {
  if (Result<void> ok = Usable(); !ok) return ok;
  for (const RecordInput* in : records) {
    if (in->subject.uscc.empty() && in->subject.person_index.empty()) return NoSubjectCode();
  }

  // 1. What the batch does not know yet: subjects not cached, keys without a buffered write.
  std::vector<const std::string*> uscc, person;
  std::unordered_set<std::string_view> asked;
  std::vector<std::pair<const RecordInput*, std::string>> keys;
  std::unordered_map<std::string, KeyState> known;
  std::vector<std::string> row_keys;
  row_keys.reserve(records.size());
  for (const RecordInput* in : records) {
    const SubjectKey& s = in->subject;
    const bool by_uscc = !s.uscc.empty();
    if (!subjects_empty_at_begin_ && Cached(s) == nullptr) {
      const std::string& code = by_uscc ? s.uscc : s.person_index;
      // USCCs and person indexes never look alike (18 characters vs a hex digest), but keep the
      // two name spaces apart anyway.
      if (asked.insert(code).second) (by_uscc ? uscc : person).push_back(&code);
    }
    std::string key;
    key.reserve(in->item.size() + 1 + in->natural_key.size());
    key.append(in->item).push_back('\0');
    key.append(in->natural_key);
    if (auto it = pending_.find(key); it != pending_.end()) {
      known.emplace(key, it->second);
    } else if (!known.contains(key)) {
      known.emplace(key, KeyState{});  // id 0: new unless the look-up finds it
      Result<bool> maybe = MayBeStored(*in, static_cast<std::uint64_t>(FieldsDigest(key)));
      if (!maybe) return std::unexpected(maybe.error());
      if (*maybe) keys.emplace_back(in, key);
    }
    row_keys.push_back(std::move(key));
  }
  if (!uscc.empty() || !person.empty() || !keys.empty()) {
    if (Result<void> r = LookUp(uscc, person, keys, known); !r) return r;
  }

  // 2. Each row in order, exactly as Upsert on SQLite decides it.
  std::vector<UpsertResult> results;
  results.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const RecordInput& in = *records[i];
    UpsertResult res;

    CachedSubject* subject = Cached(in.subject);
    if (subject == nullptr) {
      subject = &CreateSubject(in.subject, /*provisional=*/true, UsccRegionCode(in.subject.uscc));
      res.subject_created = true;
    } else if (!in.subject.name.empty() && in.subject.name != subject->name) {
      if (subject->name.empty()) {
        // A subject first seen without a name takes the first one given; that is no conflict.
        rename_ids_.Int8(subject->id);
        rename_names_.Text(in.subject.name);
        pending_subjects_.insert(subject->id);
        subject->name = in.subject.name;
      } else {
        res.known_name = subject->name;
      }
      if (Result<void> r = RecordName(*subject, in.subject.name); !r) return r;
    }
    res.subject = subject->id;

    const bool encoded = !in.fields_json.empty();
    if (!encoded) {
      json_.clear();
      AppendCanonicalJson(in.fields, json_);
    }
    const std::string_view fields_json = encoded ? in.fields_json : json_;
    const std::int64_t fields_digest = encoded ? in.fields_digest : FieldsDigest(json_);
    const std::string decided = FormatIsoDate(in.decided_on);
    const std::string from = FormatIsoDate(in.publicity_from);
    const std::string until = FormatIsoDate(in.publicity_until);
    const std::int64_t content_digest =
        ContentDigest(fields_digest, res.subject, SeverityText(in.severity), decided, from,
                      until, in.published);
    const VersionText text{.fields_json = fields_json,
                           .decided_on = decided,
                           .publicity_from = from,
                           .publicity_until = until};

    const std::string& key = row_keys[i];
    KeyState& state = known[key];
    if (state.id == 0) {
      // A new record: one row, its current version inline, and its leaf.
      state = KeyState{.id = next_.record++, .version = 1, .content_digest = content_digest};
      Result<std::optional<std::int64_t>> leaf_idx = AppendLeaf(state.id, 1, in, text);
      if (!leaf_idx) return std::unexpected(leaf_idx.error());
      if (item_empty_at_begin_[in.item]) {
        new_keys_.Add(static_cast<std::uint64_t>(FieldsDigest(key)));
      }
      records_.Row(kRecordColumns);
      records_.Int8(state.id);
      records_.Text(in.item);
      records_.Text(in.natural_key);
      records_.Int8(res.subject);
      records_.Int4(1);
      records_.Text("active");
      records_.Int8(now_);
      records_.Int8(now_);
      records_.Int8(content_digest);
      records_.Text(fields_json);
      records_.Int8(fields_digest);
      records_.Date(in.decided_on);
      records_.Text(SeverityText(in.severity));
      records_.Date(in.publicity_from);
      records_.Date(in.publicity_until);
      records_.Bool(in.published);
      records_.Text(in.dept);
      records_.Int8(id_);
      records_.Int8(in.row_no);
      records_.Text(in.raw_sm3);
      records_.Int8(now_);
      if (*leaf_idx) {
        records_.Int8(**leaf_idx);
      } else {
        records_.Null();
      }
      pending_[key] = state;
      res.outcome = UpsertOutcome::kAccepted;
    } else if (state.content_digest == content_digest) {
      // Unchanged: only last_seen moves (a buffered write of this key already sets it).
      if (!pending_.contains(key)) {
        touch_ids_.Int8(state.id);
        pending_[key] = state;
      }
      res.outcome = UpsertOutcome::kUnchanged;
    } else {
      // A correction: the current version is archived and replaced. When this batch has the
      // current version still buffered, it goes to the server first, so the archive copies it.
      if (pending_.contains(key)) {
        if (Result<void> r = Flush(); !r) return r;
      }
      state.version += 1;
      state.content_digest = content_digest;
      Result<std::optional<std::int64_t>> leaf_idx = AppendLeaf(state.id, state.version, in, text);
      if (!leaf_idx) return std::unexpected(leaf_idx.error());
      QueueAdvance(in, state, res.subject, fields_json, fields_digest, *leaf_idx);
      pending_[key] = state;
      res.outcome = UpsertOutcome::kUpdated;
    }
    res.record = state.id;
    res.version = state.version;
    results.push_back(std::move(res));
  }
  if (Result<void> r = FlushIfFull(); !r) return r;
  out.insert(out.end(), std::make_move_iterator(results.begin()),
             std::make_move_iterator(results.end()));
  return {};
}

Result<void> PostgresBatch::Flush() {
  constexpr std::string_view kReason = "store.upsert";
  auto failed = [&](Result<ResultPtr>& r) { return Failed(r.error()); };

  if (subjects_.rows() > 0) {
    if (Result<void> r = store_.Copy(kCopySubjects, subjects_.Finish(), kReason, "copy subjects");
        !r) {
      return Failed(r.error());
    }
    subjects_.Clear();
  }
  if (rename_ids_.size() > 0) {
    Params p;
    p.Binary(rename_ids_.Encode()).Binary(rename_names_.Encode());
    if (Result<ResultPtr> r = store_.Run(kRenameSubjects, p, kReason, "name subjects"); !r) {
      return failed(r);
    }
    rename_ids_.Clear();
    rename_names_.Clear();
  }
  pending_subjects_.clear();
  if (names_.rows() > 0) {
    if (Result<void> r = store_.Copy(kCopyNames, names_.Finish(), kReason, "copy subject names");
        !r) {
      return Failed(r.error());
    }
    names_.Clear();
  }
  if (records_.rows() > 0) {
    if (Result<void> r = store_.Copy(kCopyRecords, records_.Finish(), kReason, "copy records");
        !r) {
      return Failed(r.error());
    }
    records_.Clear();
  }
  if (leaves_.rows() > 0) {
    if (Result<void> r = store_.Copy(kCopyLeaves, leaves_.Finish(), "store.ledger", "copy leaves");
        !r) {
      return Failed(r.error());
    }
    leaves_.Clear();
  }
  if (archive_ids_.size() > 0) {
    Params archive;
    archive.Binary(archive_ids_.Encode());
    if (Result<ResultPtr> r = store_.Run(kArchiveVersions, archive, kReason, "archive versions");
        !r) {
      return failed(r);
    }
    Params advance;
    for (ArrayWriter& a : advance_) advance.Binary(a.Encode());
    advance.Int(now_).Int(id_);
    if (Result<ResultPtr> r = store_.Run(kAdvanceRecords, advance, kReason, "advance records");
        !r) {
      return failed(r);
    }
    archive_ids_.Clear();
    for (ArrayWriter& a : advance_) a.Clear();
  }
  if (touch_ids_.size() > 0) {
    Params p;
    p.Binary(touch_ids_.Encode()).Int(now_);
    if (Result<ResultPtr> r = store_.Run(kTouchRecords, p, kReason, "touch records"); !r) {
      return failed(r);
    }
    touch_ids_.Clear();
  }
  pending_.clear();
  if (quarantine_.rows() > 0) {
    if (Result<void> r = store_.Copy(kCopyQuarantine, quarantine_.Finish(), "store.quarantine",
                                     "copy quarantine");
        !r) {
      return Failed(r.error());
    }
    quarantine_.Clear();
  }
  if (issue_kinds_.size() > 0) {
    Params p;
    p.Binary(issue_kinds_.Encode())
        .Binary(issue_codes_.Encode())
        .Binary(issue_details_.Encode())
        .Int(next_.issue - 1)
        .Int(now_);
    Result<ResultPtr> r = store_.Run(kInsertIssues, p, "store.code_issue", "report code issues");
    if (!r) return failed(r);
    next_.issue += AffectedRows(r->get());
    issue_kinds_.Clear();
    issue_codes_.Clear();
    issue_details_.Clear();
  }
  return {};
}

Result<SubjectId> PostgresBatch::PutSubject(const SubjectKey& key, int region_code) {
  constexpr std::string_view kReason = "store.subject";
  if (Result<void> ok = Usable(); !ok) return std::unexpected(ok.error());
  if (key.name.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "store.subject_name",
                "a registered subject needs a name", "登记的主体缺少名称");
  }
  if (key.uscc.empty() && key.person_index.empty()) return NoSubjectCode();
  CachedSubject* subject = Cached(key);
  if (subject == nullptr) {
    std::vector<const std::string*> uscc, person;
    (key.uscc.empty() ? person : uscc).push_back(key.uscc.empty() ? &key.person_index : &key.uscc);
    std::unordered_map<std::string, KeyState> unused;
    if (Result<void> r = LookUp(uscc, person, {}, unused); !r) return std::unexpected(r.error());
    subject = Cached(key);
  }
  if (subject == nullptr) {
    const SubjectId id = CreateSubject(key, /*provisional=*/false, region_code).id;
    if (Result<void> r = FlushIfFull(); !r) return std::unexpected(r.error());
    return id;
  }
  // The update must find the row, and a buffered rename must not undo it afterwards.
  if (pending_subjects_.contains(subject->id)) {
    if (Result<void> r = Flush(); !r) return std::unexpected(r.error());
  }
  Params p;
  p.Int(subject->id)
      .Text(SubjectKindText(key.kind))
      .Text(key.name)
      .Int(region_code)
      .BytesOrNull(key.person_sealed);
  if (Result<ResultPtr> r = store_.Run(kUpdateSubject, p, kReason, "update subject"); !r) {
    return Failed(r.error());
  }
  subject->name = key.name;
  if (Result<void> r = RecordName(*subject, key.name); !r) return std::unexpected(r.error());
  if (Result<void> r = FlushIfFull(); !r) return std::unexpected(r.error());
  return subject->id;
}

Result<void> PostgresBatch::Quarantine(const QuarantineInput& row) {
  if (Result<void> ok = Usable(); !ok) return ok;
  // The batch is new, so only this batch can have quarantined the row: the key is checked here
  // rather than by a failing COPY, which would abort the whole transaction.
  if (!quarantined_rows_.insert(row.row_no).second) {
    return Fail(ErrorCode::kAlreadyExists, "store.quarantine",
                "quarantine row " + std::to_string(row.row_no) + ": already quarantined in batch " +
                    std::to_string(id_),
                "数据已存在");
  }
  quarantine_.Row(kQuarantineColumns);
  quarantine_.Int8(id_);
  quarantine_.Int8(row.row_no);
  quarantine_.Text(StringArrayJson(row.values));
  quarantine_.Text(StringArrayJson(row.reasons));
  quarantine_.Text(StringArrayJson(row.messages_zh));
  quarantine_.Text(row.raw_sm3);
  return FlushIfFull();
}

Result<void> PostgresBatch::ReportCodeIssue(const CodeIssue& issue) {
  if (Result<void> ok = Usable(); !ok) return ok;
  if (issue.kind != "duplicate" && issue.kind != "error") {
    return Fail(ErrorCode::kInvalidArgument, "store.code_issue_kind",
                "code issue kind must be \"duplicate\" or \"error\", not \"" + issue.kind + "\"",
                "重错码类型只能是 duplicate 或 error");
  }
  std::string seen = issue.kind;
  seen.append(1, '\0').append(issue.code).append(1, '\0').append(issue.detail);
  if (!issues_seen_.insert(std::move(seen)).second) return {};  // already on file or buffered
  issue_kinds_.Text(issue.kind);
  issue_codes_.Text(issue.code);
  issue_details_.Text(issue.detail);
  return FlushIfFull();
}

Result<void> PostgresBatch::SetFileSm3(const std::string& file_sm3) {
  if (Result<void> ok = Usable(); !ok) return ok;
  Params p;
  p.Int(id_).Text(file_sm3);
  if (Result<ResultPtr> r = store_.Run(kSetFileSm3, p, "store.batch", "set file digest"); !r) {
    return Failed(r.error());
  }
  return {};
}

Result<void> PostgresBatch::Commit(const std::string& receipt_json) {
  constexpr std::string_view kReason = "store.commit";
  if (Result<void> ok = Usable(); !ok) return ok;
  if (Result<void> r = Flush(); !r) return r;
  Params p;
  p.Int(id_).Text(receipt_json);
  if (Result<ResultPtr> r = store_.Run(kCommitBatch, p, kReason, "store receipt"); !r) {
    return Failed(r.error());
  }
  // A batch that stored no version leaves the log as it was, under the head already signed.
  if (log_ && log_->size() > head_size_) {
    Result<ledger::SignedTreeHead> head = SignLogHead(*ledger_key_, *log_, now_);
    if (!head) return Failed(head.error());
    const Sm3Digest& root = head->head.root;
    Params h;
    h.Int(head->head.tree_size)
        .Bytes(std::string_view(reinterpret_cast<const char*>(root.data()), kSm3Size))
        .Int(head->head.timestamp)
        .Bytes(head->signature)
        .Bytes(FrontierBlob(*log_));
    if (Result<ResultPtr> r = store_.Run(kInsertHead, h, kReason, "store tree head"); !r) {
      return Failed(r.error());
    }
  }
  Result<ResultPtr> r = store_.Exec("COMMIT", kReason, "commit");
  if (!r) return Failed(r.error());
  // COMMIT of a transaction that failed answers ROLLBACK, without an error.
  if (std::string_view(PQcmdStatus(r->get())) != "COMMIT") {
    return Failed(Error{ErrorCode::kAborted, "store.batch_aborted",
                        "the server rolled the batch back at commit", "该批次提交失败，已被撤销"});
  }
  done_ = true;
  by_uscc_.clear();
  by_person_.clear();
  return {};
}

// ---- Store methods

Result<void> PostgresStore::SetUpSession() {
  // Dates come back as ISO text whatever the server's default; bytes go through unconverted.
  Result<ResultPtr> r = Exec(kSessionSetUp, "store.connection", "set up session");
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<void> PostgresStore::Connected() {
  if (PQstatus(conn_.get()) == CONNECTION_OK) return {};
  PQreset(conn_.get());
  ++generation_;
  prepared_.fill(false);
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    Error e = pg::PgError(conn_.get(), nullptr, std::string(pg::kConnectionReason),
                          "reconnect to " + pg::RedactUrl(url_));
    e.message_zh = "与数据库的连接已中断，重新连接失败，请稍后重试";
    return std::unexpected(std::move(e));
  }
  return SetUpSession();
}

template <typename T, typename F>
Result<T> PostgresStore::Unit(F&& body) {
  if (Result<void> c = Connected(); !c) return std::unexpected(c.error());
  if (open_batch_ != nullptr) {
    if (Result<void> f = open_batch_->FlushForRead(); !f) return std::unexpected(f.error());
    return body();
  }
  Result<T> result = body();
  if (!result && pg::IsConnectionError(result.error())) {
    if (Result<void> c = Connected(); !c) return std::unexpected(c.error());
    result = body();
  }
  return result;
}

Result<ResultPtr> PostgresStore::Run(Sql id, Params& params, std::string_view reason,
                                     std::string_view what) {
  PGconn* c = conn_.get();
  const std::string name = "xy" + std::to_string(static_cast<int>(id));
  if (!prepared_[id]) {
    ResultPtr prep(PQprepare(c, name.c_str(), kSqlText[id], 0, nullptr));
    if (PQresultStatus(prep.get()) != PGRES_COMMAND_OK) {
      return std::unexpected(pg::PgError(c, prep.get(), std::string(reason), what));
    }
    prepared_[id] = true;
  }
  ResultPtr r(PQexecPrepared(c, name.c_str(), params.size(), params.values(), params.lengths(),
                             params.formats(), 0));
  const ExecStatusType status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return std::unexpected(pg::PgError(c, r.get(), std::string(reason), what));
  }
  return r;
}

Result<ResultPtr> PostgresStore::Exec(const char* sql, std::string_view reason,
                                      std::string_view what) {
  ResultPtr r(PQexec(conn_.get(), sql));
  const ExecStatusType status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return std::unexpected(pg::PgError(conn_.get(), r.get(), std::string(reason), what));
  }
  return r;
}

Result<void> PostgresStore::Copy(const char* sql, const std::string& data, std::string_view reason,
                                 std::string_view what) {
  PGconn* c = conn_.get();
  {
    ResultPtr start(PQexec(c, sql));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) {
      return std::unexpected(pg::PgError(c, start.get(), std::string(reason), what));
    }
  }
  const bool sent = PQputCopyData(c, data.data(), static_cast<int>(data.size())) == 1;
  // Ending the copy with an error message when sending failed makes the server discard it.
  const bool ended = PQputCopyEnd(c, sent ? nullptr : "client failed to send the data") == 1;
  ResultPtr end(PQgetResult(c));
  // Drain: a COPY answers with exactly one result, then null.
  while (ResultPtr extra{PQgetResult(c)}) {
  }
  if (!sent || !ended || PQresultStatus(end.get()) != PGRES_COMMAND_OK) {
    return std::unexpected(pg::PgError(c, end.get(), std::string(reason), what));
  }
  return {};
}

Result<int> PostgresStore::SchemaVersion() {
  Params none;
  Result<ResultPtr> exists = Run(kSchemaExists, none, "store.schema", "read schema");
  if (!exists) return std::unexpected(exists.error());
  if (!BoolCell(exists->get(), 0, 0)) return 0;
  Result<ResultPtr> version = Run(kSchemaVersion, none, "store.schema", "read schema version");
  if (!version) return std::unexpected(version.error());
  return static_cast<int>(IntCell(version->get(), 0, 0));
}

Result<void> PostgresStore::EnsureSchema() {
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

Result<void> PostgresStore::MigrateStep(const postgres::Migration& m) {
  constexpr std::string_view kReason = "store.migrate";
  // Each step re-reads the version under a lock of this schema's own, so two processes migrating
  // at once apply every step exactly once.
  Result<ResultPtr> begin = Exec(
      "BEGIN;"
      " SELECT pg_advisory_xact_lock(hashtext('xinyong.migrate'), hashtext(current_schema()));"
      " CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
      " description text NOT NULL, applied_at bigint NOT NULL)",
      kReason, "begin migration");
  Result<void> step;
  if (!begin) {
    step = std::unexpected(begin.error());
  } else if (Result<int> version = SchemaVersion(); !version) {
    step = std::unexpected(version.error());
  } else if (*version < m.version) {
    if (Result<ResultPtr> r = Exec(m.sql, kReason, m.description); !r) {
      step = std::unexpected(r.error());
    } else {
      Params p;
      p.Int(m.version).Text(m.description).Int(Now());
      ResultPtr insert(PQexecParams(conn_.get(),
                                    "INSERT INTO schema_version (version, description, applied_at)"
                                    " VALUES ($1, $2, $3)",
                                    p.size(), nullptr, p.values(), p.lengths(), p.formats(), 0));
      if (PQresultStatus(insert.get()) != PGRES_COMMAND_OK) {
        step = std::unexpected(
            pg::PgError(conn_.get(), insert.get(), std::string(kReason), "record migration"));
      }
    }
  }
  if (!step) {
    RollBack();
    return step;
  }
  if (Result<ResultPtr> r = Exec("COMMIT", kReason, "commit migration"); !r) {
    RollBack();
    return std::unexpected(r.error());
  }
  return {};
}

Result<void> PostgresStore::Migrate() {
  if (open_batch_ != nullptr) return BatchOpen();
  return Unit<void>([&]() -> Result<void> {
    for (const postgres::Migration& m : postgres::Migrations()) {
      if (Result<void> r = MigrateStep(m); !r) return r;
    }
    schema_ok_ = false;
    return EnsureSchema();
  });
}

Result<std::unique_ptr<BatchTransaction>> PostgresStore::Begin(const BatchInput& batch) {
  constexpr std::string_view kReason = "store.begin";
  if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
  // The batch lock: EXCLUSIVE lets readers in and keeps every other writer out until commit; the
  // ids read next are then the largest for as long as the batch runs.
  //
  // The planner settings: a batch's tables grow inside one uncommitted transaction, where no
  // statistics can follow them (a first ingest starts from empty tables), and a plan chosen for
  // an empty table — a hash join over a sequential scan — turns each look-up into a scan of every
  // row written so far. Every statement of a batch addresses rows by key, for which an index
  // nested loop is the right plan at any size, so the batch asks for nothing else.
  const std::string begin =
      "BEGIN; SET LOCAL lock_timeout = " + std::to_string(options_.lock_timeout_ms) +
      "; SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off;"
      " SET LOCAL enable_mergejoin = off;"
      " LOCK TABLE batches IN EXCLUSIVE MODE";
  if (Result<ResultPtr> r = Exec(begin.c_str(), kReason, "begin batch"); !r) {
    RollBack();
    return std::unexpected(r.error());
  }
  auto failed = [&](const Error& e) -> Result<std::unique_ptr<BatchTransaction>> {
    RollBack();
    return std::unexpected(e);
  };
  Params none;
  Result<ResultPtr> ids = Run(kMaxIds, none, kReason, "read ids");
  if (!ids) return failed(ids.error());
  const PGresult* res = ids->get();
  const BatchId id = IntCell(res, 0, 0) + 1;
  const PostgresBatch::NextIds next{.subject = IntCell(res, 0, 1) + 1,
                                    .record = IntCell(res, 0, 2) + 1,
                                    .name = IntCell(res, 0, 3) + 1,
                                    .issue = IntCell(res, 0, 4) + 1};
  Params p;
  p.Int(id)
      .Text(batch.item)
      .Text(batch.dept)
      .Text(batch.file_name)
      .Text(batch.file_sm3)
      .Text(batch.catalog_version)
      .Bytes(StringArrayJson(batch.header))
      .Int(batch.received_at);
  if (Result<ResultPtr> r = Run(kInsertBatch, p, kReason, "insert batch"); !r) {
    return failed(r.error());
  }
  std::optional<ledger::MerkleLog> log;
  if (batch.ledger_key != nullptr) {
    Result<ledger::MerkleLog> restored = RestoreLedger();
    if (!restored) return failed(restored.error());
    log = std::move(*restored);
  }
  auto tx =
      std::make_unique<PostgresBatch>(*this, id, Now(), next, batch.ledger_key, std::move(log));
  open_batch_ = tx.get();
  return std::unique_ptr<BatchTransaction>(std::move(tx));
}

Result<std::unique_ptr<BatchTransaction>> PostgresStore::BeginBatch(const BatchInput& batch) {
  if (open_batch_ != nullptr) return BatchOpen();
  return Unit<std::unique_ptr<BatchTransaction>>([&] { return Begin(batch); });
}

Result<ledger::MerkleLog> PostgresStore::RestoreLedger() {
  Params none;
  Result<ResultPtr> r = Run(kLatestHead, none, "store.ledger", "latest tree head");
  if (!r) return std::unexpected(r.error());
  const PGresult* res = r->get();
  const std::int64_t size = IntCell(res, 0, 1);
  std::optional<std::string> frontier = pg::DecodeBytea(Cell(res, 0, 2));
  if (!frontier) return Corrupt("ledger frontier at size " + std::to_string(size));
  return RestoreLedgerLog(size, *frontier, IntCell(res, 0, 0));
}

Result<std::optional<Batch>> PostgresStore::GetBatch(BatchId id) {
  return Unit<std::optional<Batch>>([&]() -> Result<std::optional<Batch>> {
    if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
    Params p;
    p.Int(id);
    Result<ResultPtr> r = Run(kGetBatch, p, "store.query", "get batch");
    if (!r) return std::unexpected(r.error());
    const PGresult* res = r->get();
    if (PQntuples(res) == 0) return std::optional<Batch>();
    Batch batch;
    batch.id = id;
    batch.item = Cell(res, 0, 0);
    batch.dept = Cell(res, 0, 1);
    batch.file_name = Cell(res, 0, 2);
    batch.file_sm3 = Cell(res, 0, 3);
    batch.catalog_version = Cell(res, 0, 4);
    std::optional<std::string> header_json = pg::DecodeBytea(Cell(res, 0, 5));
    std::optional<std::vector<std::string>> header;
    if (header_json) header = ParseStringArrayJson(*header_json);
    if (!header) return Corrupt("header of batch " + std::to_string(id));
    batch.header = std::move(*header);
    batch.received_at = IntCell(res, 0, 6);
    batch.receipt_json = Cell(res, 0, 7);
    return std::optional<Batch>(std::move(batch));
  });
}

Result<std::vector<QuarantineRow>> PostgresStore::GetQuarantine(BatchId id) {
  return Unit<std::vector<QuarantineRow>>([&]() -> Result<std::vector<QuarantineRow>> {
    if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
    Params p;
    p.Int(id);
    Result<ResultPtr> r = Run(kGetQuarantine, p, "store.query", "get quarantine");
    if (!r) return std::unexpected(r.error());
    const PGresult* res = r->get();
    std::vector<QuarantineRow> rows;
    for (int i = 0; i < PQntuples(res); ++i) {
      QuarantineRow row;
      row.batch = id;
      row.row_no = IntCell(res, i, 0);
      std::optional<std::string> values_json = pg::DecodeBytea(Cell(res, i, 1));
      std::optional<std::vector<std::string>> values;
      if (values_json) values = ParseStringArrayJson(*values_json);
      auto reasons = ParseStringArrayJson(Cell(res, i, 2));
      auto messages = ParseStringArrayJson(Cell(res, i, 3));
      if (!values || !reasons || !messages) {
        return Corrupt("quarantine row " + std::to_string(row.row_no) + " of batch " +
                       std::to_string(id));
      }
      row.values = std::move(*values);
      row.reasons = std::move(*reasons);
      row.messages_zh = std::move(*messages);
      row.raw_sm3 = Cell(res, i, 4);
      rows.push_back(std::move(row));
    }
    return rows;
  });
}

Result<std::optional<Subject>> PostgresStore::FindSubjectByUscc(const std::string& uscc) {
  return Unit<std::optional<Subject>>([&]() -> Result<std::optional<Subject>> {
    if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
    Params p;
    p.Text(uscc);
    Result<ResultPtr> r = Run(kGetSubjectByUscc, p, "store.query", "find subject");
    if (!r) return std::unexpected(r.error());
    const PGresult* res = r->get();
    if (PQntuples(res) == 0) return std::optional<Subject>();
    Subject s;
    s.id = IntCell(res, 0, 0);
    std::optional<SubjectKind> kind = ParseSubjectKindText(Cell(res, 0, 1));
    if (!kind) return Corrupt("subject kind '" + std::string(Cell(res, 0, 1)) + "'");
    s.kind = *kind;
    s.uscc = Cell(res, 0, 2);
    s.person_index = Cell(res, 0, 3);
    s.name = Cell(res, 0, 4);
    s.provisional = BoolCell(res, 0, 5);
    s.region_code = static_cast<int>(IntCell(res, 0, 6));
    s.created_at = IntCell(res, 0, 7);
    return std::optional<Subject>(std::move(s));
  });
}

Result<std::vector<std::string>> PostgresStore::SubjectNames(SubjectId id) {
  return Unit<std::vector<std::string>>([&]() -> Result<std::vector<std::string>> {
    if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
    Params p;
    p.Int(id);
    Result<ResultPtr> r = Run(kSubjectNames, p, "store.query", "subject names");
    if (!r) return std::unexpected(r.error());
    std::vector<std::string> names;
    for (int i = 0; i < PQntuples(r->get()); ++i) names.emplace_back(Cell(r->get(), i, 0));
    return names;
  });
}

Result<std::int64_t> PostgresStore::Count(Sql id, const std::string* item) {
  return Unit<std::int64_t>([&]() -> Result<std::int64_t> {
    if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
    Params p;
    if (item != nullptr) p.Text(*item);
    Result<ResultPtr> r = Run(id, p, "store.query", "count");
    if (!r) return std::unexpected(r.error());
    return IntCell(r->get(), 0, 0);
  });
}

Result<std::int64_t> PostgresStore::CountSubjects() { return Count(kCountSubjects, nullptr); }

Result<std::int64_t> PostgresStore::CountRecords(const std::string& item) {
  return item.empty() ? Count(kCountRecords, nullptr) : Count(kCountRecordsOfItem, &item);
}

Result<std::optional<Record>> PostgresStore::FindRecord(const std::string& item,
                                                        const std::string& natural_key) {
  return Unit<std::optional<Record>>([&]() -> Result<std::optional<Record>> {
    if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
    Params p;
    p.Text(item).Text(natural_key);
    Result<ResultPtr> r = Run(kFindRecord, p, "store.query", "find record");
    if (!r) return std::unexpected(r.error());
    const PGresult* res = r->get();
    if (PQntuples(res) == 0) return std::optional<Record>();
    Record rec;
    rec.id = IntCell(res, 0, 0);
    rec.item = item;
    rec.natural_key = natural_key;
    rec.subject = IntCell(res, 0, 1);
    rec.current_version = static_cast<int>(IntCell(res, 0, 2));
    rec.status = Cell(res, 0, 3);
    rec.first_seen = IntCell(res, 0, 4);
    rec.last_seen = IntCell(res, 0, 5);
    return std::optional<Record>(std::move(rec));
  });
}

Result<std::vector<RecordVersion>> PostgresStore::RecordHistory(RecordId id) {
  return Unit<std::vector<RecordVersion>>([&]() -> Result<std::vector<RecordVersion>> {
    if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
    Params p;
    p.Int(id);
    Result<ResultPtr> r = Run(kRecordHistory, p, "store.query", "record history");
    if (!r) return std::unexpected(r.error());
    const PGresult* res = r->get();
    std::vector<RecordVersion> versions;
    for (int i = 0; i < PQntuples(res); ++i) {
      Result<RecordVersion> v = ReadVersion(res, i, id);
      if (!v) return std::unexpected(v.error());
      versions.push_back(std::move(*v));
    }
    return versions;
  });
}

Result<std::optional<StoredVersion>> PostgresStore::GetRecordVersion(RecordId id, int version) {
  return Unit<std::optional<StoredVersion>>([&]() -> Result<std::optional<StoredVersion>> {
    if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
    Params p;
    p.Int(id).Int(version);
    Result<ResultPtr> r = Run(kGetVersion, p, "store.query", "get record version");
    if (!r) return std::unexpected(r.error());
    const PGresult* res = r->get();
    if (PQntuples(res) == 0) return std::optional<StoredVersion>();
    Result<RecordVersion> v = ReadVersion(res, 0, id);
    if (!v) return std::unexpected(v.error());
    StoredVersion out;
    out.version = std::move(*v);
    out.fields_json = Cell(res, 0, 2);
    out.item = Cell(res, 0, 13);
    out.natural_key = Cell(res, 0, 14);
    out.subject_code = Cell(res, 0, 15);
    return std::optional<StoredVersion>(std::move(out));
  });
}

Result<std::vector<LedgerLeaf>> PostgresStore::LedgerLeaves(std::int64_t from, std::int64_t count) {
  return Unit<std::vector<LedgerLeaf>>([&]() -> Result<std::vector<LedgerLeaf>> {
    if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
    Params p;
    p.Int(from).Int(count);
    Result<ResultPtr> r = Run(kLedgerLeaves, p, "store.query", "ledger leaves");
    if (!r) return std::unexpected(r.error());
    const PGresult* res = r->get();
    std::vector<LedgerLeaf> leaves;
    leaves.reserve(static_cast<std::size_t>(PQntuples(res)));
    for (int i = 0; i < PQntuples(res); ++i) {
      Result<LedgerLeaf> leaf = ReadLeaf(res, i);
      if (!leaf) return std::unexpected(leaf.error());
      leaves.push_back(std::move(*leaf));
    }
    return leaves;
  });
}

Result<std::vector<ledger::SignedTreeHead>> PostgresStore::TreeHeads() {
  return Unit<std::vector<ledger::SignedTreeHead>>(
      [&]() -> Result<std::vector<ledger::SignedTreeHead>> {
        if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
        Params none;
        Result<ResultPtr> r = Run(kTreeHeads, none, "store.query", "tree heads");
        if (!r) return std::unexpected(r.error());
        const PGresult* res = r->get();
        std::vector<ledger::SignedTreeHead> heads;
        for (int i = 0; i < PQntuples(res); ++i) {
          ledger::SignedTreeHead h;
          h.head.tree_size = IntCell(res, i, 0);
          std::optional<std::string> root = pg::DecodeBytea(Cell(res, i, 1));
          std::optional<std::string> signature = pg::DecodeBytea(Cell(res, i, 3));
          if (!root || root->size() != kSm3Size || !signature) {
            return Corrupt("tree head at size " + std::to_string(h.head.tree_size));
          }
          std::copy(root->begin(), root->end(), reinterpret_cast<char*>(h.head.root.data()));
          h.head.timestamp = IntCell(res, i, 2);
          h.signature = std::move(*signature);
          heads.push_back(std::move(h));
        }
        return heads;
      });
}

Result<std::optional<LedgerLeaf>> PostgresStore::FindLedgerLeaf(RecordId id, int version) {
  return Unit<std::optional<LedgerLeaf>>([&]() -> Result<std::optional<LedgerLeaf>> {
    if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
    Params p;
    p.Int(id).Int(version);
    Result<ResultPtr> r = Run(kFindLeaf, p, "store.query", "find leaf");
    if (!r) return std::unexpected(r.error());
    const PGresult* res = r->get();
    if (PQntuples(res) == 0) return std::optional<LedgerLeaf>();
    Result<LedgerLeaf> leaf = ReadLeaf(res, 0);
    if (!leaf) return std::unexpected(leaf.error());
    return std::optional<LedgerLeaf>(std::move(*leaf));
  });
}

Result<std::vector<CodeIssue>> PostgresStore::ListCodeIssues() {
  return Unit<std::vector<CodeIssue>>([&]() -> Result<std::vector<CodeIssue>> {
    if (Result<void> r = EnsureSchema(); !r) return std::unexpected(r.error());
    Params none;
    Result<ResultPtr> r = Run(kListCodeIssues, none, "store.query", "list code issues");
    if (!r) return std::unexpected(r.error());
    const PGresult* res = r->get();
    std::vector<CodeIssue> issues;
    for (int i = 0; i < PQntuples(res); ++i) {
      CodeIssue issue;
      issue.id = IntCell(res, i, 0);
      issue.kind = Cell(res, i, 1);
      issue.code = Cell(res, i, 2);
      issue.detail = Cell(res, i, 3);
      issue.status = Cell(res, i, 4);
      issue.reviewer = Cell(res, i, 5);
      issue.note = Cell(res, i, 6);
      issue.updated_at = IntCell(res, i, 7);
      issues.push_back(std::move(issue));
    }
    return issues;
  });
}

Result<void> PostgresStore::ReviewCodeIssue(std::int64_t id, const std::string& status,
                                            const std::string& reviewer, const std::string& note) {
  if (status != "confirmed" && status != "cleared") {
    return Fail(ErrorCode::kInvalidArgument, "store.review_status",
                "a review sets status \"confirmed\" or \"cleared\", not \"" + status + "\"",
                "审核结果只能是 confirmed（确认）或 cleared（排除）");
  }
  // Inside an open batch this write would be undone with the batch.
  if (open_batch_ != nullptr) return BatchOpen();
  return Unit<void>([&]() -> Result<void> {
    if (Result<void> r = EnsureSchema(); !r) return r;
    Params p;
    p.Int(id).Text(status).Text(reviewer).Text(note).Int(Now());
    Result<ResultPtr> r = Run(kReviewCodeIssue, p, "store.code_issue", "review code issue");
    if (!r) return std::unexpected(r.error());
    if (AffectedRows(r->get()) == 0) {
      return Fail(ErrorCode::kNotFound, "store.code_issue",
                  "no code issue with id " + std::to_string(id), "重错码记录不存在");
    }
    return {};
  });
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 PostgresStoreOptions options) {
  // The URL is expanded by libpq (dbname with expand_dbname); the keywords after it are fixed,
  // the one before it a default the URL may override.
  const char* keywords[] = {"connect_timeout", "dbname", "fallback_application_name",
                            "client_encoding", nullptr};
  const char* values[] = {"10", url.c_str(), "xinyong", "UTF8", nullptr};
  ConnPtr conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    std::string detail = conn == nullptr ? "out of memory" : PQerrorMessage(conn.get());
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
    for (char& c : detail) {
      if (c == '\n') c = ' ';
    }
    const std::string where = pg::RedactUrl(url);
    return Fail(ErrorCode::kUnavailable, "store.open",
                "cannot connect to PostgreSQL store " + where + ": " + detail,
                "无法连接 PostgreSQL 数据库 " + where + "（" + detail + "）");
  }
  auto store = std::make_unique<PostgresStore>(std::move(conn), url, std::move(options));
  Result<void> session = [&]() -> Result<void> {
    ResultPtr r(PQexec(store->conn(), kSessionSetUp));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      Error e = pg::PgError(store->conn(), r.get(), "store.open", "set up session");
      e.code = ErrorCode::kUnavailable;
      e.message_zh = "无法使用 PostgreSQL 数据库（" + e.message + "）";
      return std::unexpected(std::move(e));
    }
    return {};
  }();
  if (!session) return std::unexpected(session.error());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace xy
