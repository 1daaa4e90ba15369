// The store contract: what every back end must do, written once against store/store.h and run on
// each back end (INSTANTIATE_TEST_SUITE_P at the end). A new back end adds a BackEnd entry: how to
// open a fresh store and, if it is durable, how to dump its content for the crash test.
//
// The PostgreSQL back end needs a server: run this binary under scripts/with-postgres (ctest does),
// which exports XY_TEST_POSTGRES_URL; each test gets a schema of its own in that database. Without
// the variable the PostgreSQL tests fail; they are never skipped.

#include <libpq-fe.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/crypto.h"
#include "base/date.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/tree_head.h"
#include "store/encoding.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace xy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---- Helpers

MATCHER_P2(IsError, code, reason, "") {
  if (arg.has_value()) {
    *result_listener << "succeeded";
    return false;
  }
  *result_listener << arg.error().ToString();
  return arg.error().code == code && arg.error().reason == reason;
}

#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                     \
  auto lhs##_result = (expr);                                               \
  ASSERT_TRUE(lhs##_result.has_value()) << lhs##_result.error().ToString(); \
  auto lhs = std::move(*lhs##_result)

#define ASSERT_OK(expr)                                                   \
  do {                                                                    \
    auto ok_result_ = (expr);                                             \
    ASSERT_TRUE(ok_result_.has_value()) << ok_result_.error().ToString(); \
  } while (false)

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

// A valid-looking USCC for subject n (the store does not check codes; region 340400 = 淮南).
std::string Uscc(int n) {
  std::string digits = std::to_string(100000000 + n);
  return "91340400" + digits + "X";
}

RecordInput Penalty(const std::string& key, const std::string& uscc, const std::string& name) {
  RecordInput r;
  r.item = "admin_penalty";
  r.natural_key = key;
  r.fields = {{"CF_WSH", key},
              {"CF_XDR_MC", name},
              {"CF_XDR_SHXYM", uscc},
              {"CF_CFJG", "淮南市市场监督管理局"},
              {"CF_NR", "罚款 1000 元"}};
  r.subject.kind = SubjectKind::kOrganization;
  r.subject.uscc = uscc;
  r.subject.name = name;
  r.decided_on = D(2024, 3, 15);
  r.severity = Severity::kGeneral;
  r.publicity_from = D(2024, 3, 15);
  r.publicity_until = std::nullopt;
  r.dept = "11340400003245678A";
  r.row_no = 1;
  r.raw_sm3 = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";
  return r;
}

BatchInput MakeBatch(const std::string& file = "penalties.csv") {
  BatchInput b;
  b.item = "admin_penalty";
  b.dept = "11340400003245678A";
  b.file_name = file;
  b.file_sm3 = "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b";
  b.catalog_version = "national/2024, 340000/2024, 340400/2024";
  b.header = {"行政处罚决定书文号", "行政相对人名称", "统一社会信用代码", "处罚内容"};
  b.received_at = 1700000000;
  return b;
}

CodeIssue Issue(std::string kind, std::string code, std::string detail) {
  CodeIssue issue;
  issue.kind = std::move(kind);
  issue.code = std::move(code);
  issue.detail = std::move(detail);
  return issue;
}

SubjectKey Org(std::string uscc, std::string name, SubjectKind kind = SubjectKind::kOrganization) {
  SubjectKey key;
  key.kind = kind;
  key.uscc = std::move(uscc);
  key.name = std::move(name);
  return key;
}

// The ledger key of every test batch that keeps the ledger (one key: generating one costs more than
// a small batch).
const Sm2KeyPair& LedgerKey() {
  static const Sm2KeyPair key = [] {
    Result<Sm2KeyPair> k = Sm2KeyPair::Generate();
    if (!k) std::abort();
    return std::move(*k);
  }();
  return key;
}

BatchInput LedgerBatch(const std::string& file = "penalties.csv") {
  BatchInput b = MakeBatch(file);
  b.ledger_key = &LedgerKey();
  return b;
}

std::string DateOrEmpty(const std::optional<Date>& d) { return d ? FormatIsoDate(*d) : ""; }

// SM3 of RecordContentText of a version as submitted: what its leaf must carry when the caller did
// not compute it.
Sm3Digest InputContentSm3(const RecordInput& in) {
  const std::string json = in.fields_json.empty() ? CanonicalJson(in.fields) : in.fields_json;
  const std::string decided = DateOrEmpty(in.decided_on);
  const std::string from = DateOrEmpty(in.publicity_from);
  const std::string until = DateOrEmpty(in.publicity_until);
  return Sm3(RecordContentText(RecordContent{
      .fields_json = json,
      .subject_code = in.subject.uscc.empty() ? in.subject.person_index : in.subject.uscc,
      .severity = SeverityText(in.severity),
      .decided_on = decided,
      .publicity_from = from,
      .publicity_until = until,
      .published = in.published,
      .dept = in.dept,
      .row_no = in.row_no,
      .raw_sm3 = in.raw_sm3}));
}

// The same digest recomputed from the version as the store hands it back (what ledger verify does).
Sm3Digest StoredContentSm3(const StoredVersion& v) {
  const std::string decided = DateOrEmpty(v.version.decided_on);
  const std::string from = DateOrEmpty(v.version.publicity_from);
  const std::string until = DateOrEmpty(v.version.publicity_until);
  return Sm3(RecordContentText(RecordContent{.fields_json = v.fields_json,
                                             .subject_code = v.subject_code,
                                             .severity = SeverityText(v.version.severity),
                                             .decided_on = decided,
                                             .publicity_from = from,
                                             .publicity_until = until,
                                             .published = v.version.published,
                                             .dept = v.version.dept,
                                             .row_no = v.version.row_no,
                                             .raw_sm3 = v.version.raw_sm3}));
}

// The entry bytes of a version's leaf, built from the submission alone: every back end must store
// exactly these.
std::string ExpectedEntry(const RecordInput& in, const UpsertResult& r, BatchId batch) {
  Result<std::string> entry = ledger::EncodeEntry(
      ledger::RecordVersionEntry{.record_id = r.record,
                                 .version = r.version,
                                 .item = in.item,
                                 .natural_key = in.natural_key,
                                 .content_sm3 = in.content_sm3.value_or(InputContentSm3(in)),
                                 .batch_id = batch});
  return entry.value_or("<cannot encode>");
}

// Whether two dumps are the same text; if not, where they part (the first differing line, under its
// table's query). gtest's own diff of two strings of megabytes runs out of memory.
::testing::AssertionResult SameDump(const std::string& actual, const std::string& expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  // The first differing byte's line, and the table query ("-- SELECT …") above it.
  std::size_t line = 1, start = 0;
  std::string table = "<no table>";
  const std::size_t n = std::min(actual.size(), expected.size());
  for (std::size_t i = 0; i < n && actual[i] == expected[i]; ++i) {
    if (actual[i] != '\n') continue;
    if (expected.compare(start, 3, "-- ") == 0)
      table = expected.substr(start, std::min<std::size_t>(i - start, 160));
    ++line;
    start = i + 1;
  }
  auto line_at = [&](const std::string& text) {
    if (start >= text.size()) return std::string("<end of dump>");
    const std::size_t end = text.find('\n', start);
    std::string s = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (s.size() > 400) s = s.substr(0, 400) + "…";
    return s;
  };
  return ::testing::AssertionFailure()
         << "dumps differ (" << actual.size() << " vs " << expected.size()
         << " bytes), first at line " << line << ", under " << table
         << "\n  actual:   " << line_at(actual) << "\n  expected: " << line_at(expected);
}

QuarantineInput Rejected(std::int64_t row_no, std::vector<std::string> values,
                         std::vector<std::string> reasons, std::vector<std::string> messages,
                         std::string raw_sm3) {
  QuarantineInput q;
  q.row_no = row_no;
  q.values = std::move(values);
  q.reasons = std::move(reasons);
  q.messages_zh = std::move(messages);
  q.raw_sm3 = std::move(raw_sm3);
  return q;
}

// ---- Back ends

struct OpenOptions {
  std::function<Timestamp()> now;
  // Spill uncommitted work early: SQLite's pages to disk, PostgreSQL's buffered rows to the server
  // (the crash test wants them there).
  bool tiny_cache = false;
};

struct BackEnd {
  std::string name;
  // A location for a new, empty store; distinct on every call.
  std::function<std::string()> fresh_location;
  std::function<Result<std::unique_ptr<Store>>(const std::string& location, const OpenOptions&)>
      open;
  // Everything stored except the time columns (and tree head signatures, which SM2 randomises), in
  // a fixed order; empty when the back end is not durable (its content does not outlive the Store
  // object).
  std::function<std::string(const std::string& location)> dump;
  // Runs SQL on the store's database behind the Store's back (as someone with database access
  // would); "" on success, else the error. Empty for a back end nobody else can reach.
  std::function<std::string(const std::string& location, const std::string& sql)> exec;
};

// Names the back end in gtest's messages (instead of the struct's bytes).
void PrintTo(const BackEnd& back_end, std::ostream* os) { *os << back_end.name; }

// A folder for this test process's files, removed at exit.
const std::filesystem::path& TempDir() {
  static const std::filesystem::path dir = [] {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "xy_store_test_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(TempDir(), ec);
    });
    return std::filesystem::path(pattern);
  }();
  return dir;
}

std::string SqliteDump(const std::string& path) {
  // Table by table, rows in key order, every column but the time ones, values as SQL literals.
  static const char* const kQueries[] = {
      "SELECT version, description FROM schema_version ORDER BY version",
      "SELECT id, item, dept, file_name, file_sm3, catalog_version, header_json, received_at,"
      " receipt_json FROM batches ORDER BY id",
      "SELECT id, kind, uscc, person_index, person_sealed, name, provisional, region_code"
      " FROM subjects ORDER BY id",
      "SELECT id, subject_id, name, first_seen_batch FROM subject_names ORDER BY id",
      "SELECT id, item, natural_key, subject_id, current_version, status FROM records ORDER BY id",
      "SELECT record_id, version, subject_id, fields_json, fields_digest, decided_on, severity,"
      " publicity_from, publicity_until, published, dept, batch_id, row_no, raw_sm3, leaf_idx"
      " FROM record_versions UNION ALL SELECT id, current_version, subject_id, fields_json,"
      " fields_digest, decided_on, severity, publicity_from, publicity_until, published, dept,"
      " batch_id, row_no, raw_sm3, leaf_idx FROM records ORDER BY 1, 2",
      "SELECT batch_id, row_no, values_json, reasons_json, messages_json, raw_sm3 FROM quarantine"
      " ORDER BY batch_id, row_no",
      "SELECT id, kind, code, detail, status, reviewer, note FROM code_issues ORDER BY id",
      "SELECT idx, kind, ref_id, ref_version, lower(hex(entry)), lower(hex(leaf_hash))"
      " FROM ledger_leaves ORDER BY idx",
      "SELECT tree_size, lower(hex(root)), lower(hex(frontier)) FROM ledger_heads ORDER BY "
      "tree_size",
  };
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "<cannot open " + path + ">";
  }
  std::string out;
  for (const char* query : kQueries) {
    out += std::string("-- ") + query + "\n";
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, query, -1, &stmt, nullptr) != SQLITE_OK) {
      out += std::string("<error ") + sqlite3_errmsg(db) + ">\n";
      continue;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        out += text == nullptr ? "NULL" : reinterpret_cast<const char*>(text);
        out += '|';
      }
      out += '\n';
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

std::string SqliteExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string error;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    error = "cannot open " + path + ": " + sqlite3_errmsg(db);
  } else {
    sqlite3_busy_timeout(db, 5000);
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      error = message == nullptr ? "error" : message;
    }
    sqlite3_free(message);
  }
  sqlite3_close(db);
  return error;
}

Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, const OpenOptions& o) {
  SqliteStoreOptions options;
  options.now = o.now;
  if (o.tiny_cache) options.cache_kib = 64;
  return OpenSqliteStore(path, std::move(options));
}

// ---- PostgreSQL: a schema per test in the with-postgres server's database

std::string PostgresBaseUrl() {
  const char* url = std::getenv("XY_TEST_POSTGRES_URL");
  return url == nullptr ? std::string() : std::string(url);
}

// Runs one statement on a connection of the test's own (schemas are made and dumped through it);
// reconnects once when the server has restarted under it.
std::string PostgresAdminExec(const std::string& sql) {
  static PGconn* admin = nullptr;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (admin == nullptr) admin = PQconnectdb(PostgresBaseUrl().c_str());
    if (PQstatus(admin) != CONNECTION_OK) PQreset(admin);
    PGresult* r = PQexec(admin, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    if (ok) return "";
    if (PQstatus(admin) == CONNECTION_OK) break;
  }
  return PQerrorMessage(admin);
}

// A new, empty schema; the location is the server's URL with search_path set to it.
std::string PostgresFreshLocation() {
  static std::atomic<int> counter = 0;
  const std::string base = PostgresBaseUrl();
  if (base.empty()) return "";  // OpenPostgres fails with the reason
  const std::string schema =
      "xy_test_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  const std::string error = PostgresAdminExec("CREATE SCHEMA " + schema);
  if (!error.empty()) return "<cannot create schema " + schema + ": " + error + ">";
  return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-c%20search_path%3D" +
         schema;
}

Result<std::unique_ptr<Store>> OpenPostgres(const std::string& location, const OpenOptions& o) {
  if (location.empty()) {
    return Fail(ErrorCode::kFailedPrecondition, "test.postgres",
                "XY_TEST_POSTGRES_URL is not set: run store_test under scripts/with-postgres "
                "(ctest does)");
  }
  if (location.starts_with("<")) return Fail(ErrorCode::kUnavailable, "test.postgres", location);
  PostgresStoreOptions options;
  options.now = o.now;
  // Small buffers, so every test also crosses the bulk path's flush boundaries.
  options.flush_rows = o.tiny_cache ? 16 : 64;
  return OpenPostgresStore(location, std::move(options));
}

std::string PostgresDump(const std::string& location) {
  // As SqliteDump: table by table, rows in key order, every column but the time ones.
  static const char* const kQueries[] = {
      "SELECT version, description FROM schema_version ORDER BY version",
      "SELECT id, item, dept, file_name, file_sm3, catalog_version, header_json, received_at,"
      " receipt_json FROM batches ORDER BY id",
      "SELECT id, kind, uscc, person_index, person_sealed, name, provisional, region_code"
      " FROM subjects ORDER BY id",
      "SELECT id, subject_id, name, first_seen_batch FROM subject_names ORDER BY id",
      "SELECT id, item, natural_key, subject_id, current_version, status FROM records ORDER BY id",
      "SELECT record_id, version, subject_id, fields_json, fields_digest, decided_on, severity,"
      " publicity_from, publicity_until, published, dept, batch_id, row_no, raw_sm3, leaf_idx"
      " FROM record_versions UNION ALL SELECT id, current_version, subject_id, fields_json,"
      " fields_digest, decided_on, severity, publicity_from, publicity_until, published, dept,"
      " batch_id, row_no, raw_sm3, leaf_idx FROM records ORDER BY 1, 2",
      "SELECT batch_id, row_no, values_json, reasons_json, messages_json, raw_sm3 FROM quarantine"
      " ORDER BY batch_id, row_no",
      "SELECT id, kind, code, detail, status, reviewer, note FROM code_issues ORDER BY id",
      "SELECT idx, kind, ref_id, ref_version, encode(entry, 'hex'), encode(leaf_hash, 'hex')"
      " FROM ledger_leaves ORDER BY idx",
      "SELECT tree_size, encode(root, 'hex'), encode(frontier, 'hex') FROM ledger_heads"
      " ORDER BY tree_size",
  };
  PGconn* conn = PQconnectdb(location.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    return "<cannot connect: " + error + ">";
  }
  std::string out;
  for (const char* query : kQueries) {
    out += std::string("-- ") + query + "\n";
    PGresult* r = PQexec(conn, query);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      out += std::string("<error ") + PQresultErrorMessage(r) + ">\n";
    } else {
      for (int row = 0; row < PQntuples(r); ++row) {
        for (int col = 0; col < PQnfields(r); ++col) {
          out += PQgetisnull(r, row, col) ? "NULL" : PQgetvalue(r, row, col);
          out += '|';
        }
        out += '\n';
      }
    }
    PQclear(r);
  }
  PQfinish(conn);
  return out;
}

std::string PostgresExec(const std::string& location, const std::string& sql) {
  PGconn* conn = PQconnectdb(location.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = std::string("cannot connect: ") + PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
      error = PQresultErrorMessage(r);
    }
    PQclear(r);
  }
  PQfinish(conn);
  return error;
}

std::vector<BackEnd> BackEnds() {
  static std::atomic<int> counter = 0;
  return {
      BackEnd{
          .name = "SqliteFile",
          .fresh_location =
              [] { return (TempDir() / ("store" + std::to_string(++counter) + ".db")).string(); },
          .open = OpenSqlite,
          .dump = SqliteDump,
          .exec = SqliteExec,
      },
      BackEnd{
          .name = "SqliteMemory",
          .fresh_location = [] { return std::string(":memory:"); },
          .open = OpenSqlite,
          .dump = nullptr,
          .exec = nullptr,
      },
      BackEnd{
          .name = "Postgres",
          .fresh_location = PostgresFreshLocation,
          .open = OpenPostgres,
          .dump = PostgresDump,
          .exec = PostgresExec,
      },
  };
}

// ---- The fixture

class StoreContractTest : public ::testing::TestWithParam<BackEnd> {
 protected:
  void SetUp() override {
    location_ = GetParam().fresh_location();
    auto store = Open(location_);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_ = std::move(*store);
    auto migrated = store_->Migrate();
    ASSERT_TRUE(migrated.has_value()) << migrated.error().ToString();
  }

  Result<std::unique_ptr<Store>> Open(const std::string& location, bool tiny_cache = false) {
    return GetParam().open(location,
                           OpenOptions{.now = [this] { return now_; }, .tiny_cache = tiny_cache});
  }

  // Runs `body` in a batch and commits it; returns the batch id (0 on failure, with the test
  // failed).
  BatchId InBatch(Store& store, const std::function<void(BatchTransaction&)>& body,
                  const BatchInput& input = MakeBatch()) {
    auto tx = store.BeginBatch(input);
    EXPECT_TRUE(tx.has_value()) << tx.error().ToString();
    if (!tx) return 0;
    body(**tx);
    const BatchId id = (*tx)->batch_id();
    auto committed = (*tx)->Commit("{\"batch\":" + std::to_string(id) + "}");
    EXPECT_TRUE(committed.has_value()) << committed.error().ToString();
    return id;
  }

  UpsertResult MustUpsert(BatchTransaction& tx, const RecordInput& r) {
    auto result = tx.Upsert(r);
    EXPECT_TRUE(result.has_value()) << result.error().ToString();
    return result.value_or(UpsertResult{});
  }

  std::string location_;
  std::unique_ptr<Store> store_;
  Timestamp now_ = 1'700'000'000;
};

// ---- Schema

TEST_P(StoreContractTest, MigrateIsIdempotent) {
  ASSERT_OK(store_->Migrate());
  ASSERT_OK(store_->Migrate());
  ASSERT_OK_AND_ASSIGN(subjects, store_->CountSubjects());
  EXPECT_EQ(subjects, 0);
  ASSERT_OK_AND_ASSIGN(records, store_->CountRecords(""));
  EXPECT_EQ(records, 0);
}

TEST_P(StoreContractTest, RefusesWorkBeforeMigrate) {
  ASSERT_OK_AND_ASSIGN(fresh, Open(GetParam().fresh_location()));
  EXPECT_THAT(fresh->BeginBatch(MakeBatch()),
              IsError(ErrorCode::kFailedPrecondition, "store.schema"));
  EXPECT_THAT(fresh->CountRecords(""), IsError(ErrorCode::kFailedPrecondition, "store.schema"));
  ASSERT_OK(fresh->Migrate());
  ASSERT_OK_AND_ASSIGN(records, fresh->CountRecords(""));
  EXPECT_EQ(records, 0);
}

// ---- Upsert

TEST_P(StoreContractTest, UpsertNewUnchangedUpdatedKeepsHistory) {
  const RecordInput v1 = Penalty("淮市监罚〔2024〕1号", Uscc(1), "淮南市甲有限公司");
  RecordInput v2 = v1;
  v2.fields["CF_NR"] = "罚款 2000 元";
  v2.row_no = 7;
  RecordInput v3 = v2;
  v3.severity = Severity::kSerious;  // same fields, other severity: still a new version

  UpsertResult first, again, second, third, back;
  now_ = 1000;
  const BatchId b1 = InBatch(*store_, [&](BatchTransaction& tx) { first = MustUpsert(tx, v1); });
  now_ = 2000;
  const BatchId b2 = InBatch(*store_, [&](BatchTransaction& tx) { again = MustUpsert(tx, v1); });
  now_ = 3000;
  const BatchId b3 = InBatch(*store_, [&](BatchTransaction& tx) {
    second = MustUpsert(tx, v2);
    third = MustUpsert(tx, v3);
    back = MustUpsert(tx, v1);  // reverting is a correction too, never a rewrite of history
  });

  EXPECT_EQ(first.outcome, UpsertOutcome::kAccepted);
  EXPECT_EQ(first.version, 1);
  EXPECT_TRUE(first.subject_created);
  EXPECT_NE(first.record, 0);
  EXPECT_EQ(again.outcome, UpsertOutcome::kUnchanged);
  EXPECT_EQ(again.version, 1);
  EXPECT_EQ(again.record, first.record);
  EXPECT_FALSE(again.subject_created);
  EXPECT_EQ(second.outcome, UpsertOutcome::kUpdated);
  EXPECT_EQ(second.version, 2);
  EXPECT_EQ(third.outcome, UpsertOutcome::kUpdated);
  EXPECT_EQ(third.version, 3);
  EXPECT_EQ(back.outcome, UpsertOutcome::kUpdated);
  EXPECT_EQ(back.version, 4);
  EXPECT_EQ(back.record, first.record);

  ASSERT_OK_AND_ASSIGN(record, store_->FindRecord(v1.item, v1.natural_key));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->id, first.record);
  EXPECT_EQ(record->subject, first.subject);
  EXPECT_EQ(record->current_version, 4);
  EXPECT_EQ(record->status, "active");
  EXPECT_EQ(record->first_seen, 1000);
  EXPECT_EQ(record->last_seen, 3000);

  ASSERT_OK_AND_ASSIGN(history, store_->RecordHistory(first.record));
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[0].version, 1);
  EXPECT_EQ(history[0].fields, v1.fields);
  EXPECT_EQ(history[0].batch, b1);
  EXPECT_EQ(history[0].subject, first.subject);
  EXPECT_EQ(history[0].decided_on, D(2024, 3, 15));
  EXPECT_EQ(history[0].publicity_from, D(2024, 3, 15));
  EXPECT_EQ(history[0].publicity_until, std::nullopt);
  EXPECT_EQ(history[0].severity, Severity::kGeneral);
  EXPECT_TRUE(history[0].published);
  EXPECT_EQ(history[0].dept, v1.dept);
  EXPECT_EQ(history[0].row_no, 1);
  EXPECT_EQ(history[0].raw_sm3, v1.raw_sm3);
  EXPECT_EQ(history[0].recorded_at, 1000);
  EXPECT_EQ(history[1].fields.at("CF_NR"), "罚款 2000 元");
  EXPECT_EQ(history[1].batch, b3);
  EXPECT_EQ(history[1].row_no, 7);
  EXPECT_EQ(history[1].recorded_at, 3000);
  EXPECT_EQ(history[2].severity, Severity::kSerious);
  EXPECT_EQ(history[3].fields, v1.fields);
  EXPECT_NE(b2, b1);

  ASSERT_OK_AND_ASSIGN(records, store_->CountRecords("admin_penalty"));
  EXPECT_EQ(records, 1);
}

TEST_P(StoreContractTest, EveryStoredAttributeTakesPartInUnchanged) {
  const RecordInput base = Penalty("K1", Uscc(1), "甲公司");
  std::vector<RecordInput> variants;
  variants.push_back(base);
  variants.back().decided_on = D(2024, 3, 16);
  variants.push_back(variants.back());
  variants.back().decided_on = std::nullopt;
  variants.push_back(variants.back());
  variants.back().publicity_from = D(2024, 4, 1);
  variants.push_back(variants.back());
  variants.back().publicity_until = D(2027, 4, 1);
  variants.push_back(variants.back());
  variants.back().published = false;
  variants.push_back(variants.back());
  variants.back().subject = Penalty("K1", Uscc(2), "乙公司").subject;  // the key moved subject
  variants.push_back(variants.back());
  variants.back().fields["CF_BZ"] = "";  // an added empty field is a change

  InBatch(*store_, [&](BatchTransaction& tx) {
    EXPECT_EQ(MustUpsert(tx, base).outcome, UpsertOutcome::kAccepted);
    int version = 1;
    for (const RecordInput& v : variants) {
      const UpsertResult r = MustUpsert(tx, v);
      EXPECT_EQ(r.outcome, UpsertOutcome::kUpdated) << "variant " << version;
      EXPECT_EQ(r.version, ++version);
      // Provenance alone (row, raw hash, department) is not content.
      RecordInput same = v;
      same.row_no += 100;
      same.raw_sm3 = "other";
      same.dept = "other";
      EXPECT_EQ(MustUpsert(tx, same).outcome, UpsertOutcome::kUnchanged) << "variant " << version;
    }
  });
  ASSERT_OK_AND_ASSIGN(record, store_->FindRecord("admin_penalty", "K1"));
  ASSERT_TRUE(record.has_value());
  ASSERT_OK_AND_ASSIGN(s2, store_->FindSubjectByUscc(Uscc(2)));
  ASSERT_TRUE(s2.has_value());
  EXPECT_EQ(record->subject, s2->id);
  ASSERT_OK_AND_ASSIGN(history, store_->RecordHistory(record->id));
  ASSERT_EQ(history.size(), 8u);
  EXPECT_EQ(history[1].decided_on, D(2024, 3, 16));
  EXPECT_EQ(history[2].decided_on, std::nullopt);
  EXPECT_EQ(history[4].publicity_until, D(2027, 4, 1));
  EXPECT_FALSE(history[5].published);
  EXPECT_EQ(history[6].subject, s2->id);
  EXPECT_NE(history[5].subject, s2->id);
}

TEST_P(StoreContractTest, SameKeyInAnotherItemIsAnotherRecord) {
  RecordInput penalty = Penalty("K", Uscc(1), "甲公司");
  RecordInput licence = penalty;
  licence.item = "admin_license";
  InBatch(*store_, [&](BatchTransaction& tx) {
    EXPECT_EQ(MustUpsert(tx, penalty).outcome, UpsertOutcome::kAccepted);
    EXPECT_EQ(MustUpsert(tx, licence).outcome, UpsertOutcome::kAccepted);
    EXPECT_EQ(MustUpsert(tx, Penalty("K2", Uscc(1), "甲公司")).outcome, UpsertOutcome::kAccepted);
  });
  EXPECT_EQ(store_->CountRecords("admin_penalty").value_or(-1), 2);
  EXPECT_EQ(store_->CountRecords("admin_license").value_or(-1), 1);
  EXPECT_EQ(store_->CountRecords("").value_or(-1), 3);
  EXPECT_EQ(store_->CountRecords("nothing").value_or(-1), 0);
}

TEST_P(StoreContractTest, UpsertManyAppliesRowsInOrder) {
  // One call holding a new key, the same key unchanged, corrected and corrected back; a new subject
  // seen twice, the second time under another name (重码); and a row whose fields come encoded
  // (fields_json, as ingest sends them). The results are those of Upsert row by row.
  RecordInput a = Penalty("M1", Uscc(1), "甲公司");
  RecordInput a_same = a;
  a_same.row_no = 2;
  RecordInput a_fix = a;
  a_fix.fields["CF_NR"] = "罚款 5000 元";
  a_fix.row_no = 3;
  RecordInput b = Penalty("M2", Uscc(1), "乙公司");
  RecordInput c = Penalty("M3", Uscc(2), "丙公司");
  const std::map<std::string, std::string> c_fields = c.fields;
  c.fields_json = CanonicalJson(c.fields);
  c.fields_digest = FieldsDigest(c.fields_json);
  c.fields.clear();
  RecordInput a_back = a;
  a_back.row_no = 6;

  std::vector<UpsertResult> first;
  InBatch(*store_, [&](BatchTransaction& tx) {
    ASSERT_OK(tx.UpsertMany({}, first));
    const RecordInput* rows[] = {&a, &a_same, &a_fix, &b, &c, &a_back};
    ASSERT_OK(tx.UpsertMany(rows, first));
  });
  ASSERT_EQ(first.size(), 6u);
  EXPECT_EQ(first[0].outcome, UpsertOutcome::kAccepted);
  EXPECT_TRUE(first[0].subject_created);
  EXPECT_EQ(first[1].outcome, UpsertOutcome::kUnchanged);
  EXPECT_EQ(first[1].version, 1);
  EXPECT_FALSE(first[1].subject_created);
  EXPECT_EQ(first[2].outcome, UpsertOutcome::kUpdated);
  EXPECT_EQ(first[2].version, 2);
  EXPECT_EQ(first[3].outcome, UpsertOutcome::kAccepted);
  EXPECT_FALSE(first[3].subject_created);
  EXPECT_EQ(first[3].subject, first[0].subject);
  EXPECT_EQ(first[3].known_name, "甲公司");
  EXPECT_EQ(first[4].outcome, UpsertOutcome::kAccepted);
  EXPECT_TRUE(first[4].subject_created);
  EXPECT_NE(first[4].subject, first[0].subject);
  EXPECT_EQ(first[5].outcome, UpsertOutcome::kUpdated);
  EXPECT_EQ(first[5].version, 3);
  for (int i : {1, 2, 5}) EXPECT_EQ(first[i].record, first[0].record);
  EXPECT_NE(first[3].record, first[0].record);

  // Stored keys: unchanged, then corrected twice within one call, mixed with single upserts.
  std::vector<UpsertResult> second;
  UpsertResult single;
  InBatch(*store_, [&](BatchTransaction& tx) {
    const RecordInput* rows[] = {&a_back, &a_fix, &a, &c};
    ASSERT_OK(tx.UpsertMany(rows, second));
    single = MustUpsert(tx, a_fix);
  });
  ASSERT_EQ(second.size(), 4u);
  EXPECT_EQ(second[0].outcome, UpsertOutcome::kUnchanged);
  EXPECT_EQ(second[0].version, 3);
  EXPECT_EQ(second[1].outcome, UpsertOutcome::kUpdated);
  EXPECT_EQ(second[1].version, 4);
  EXPECT_EQ(second[2].outcome, UpsertOutcome::kUpdated);
  EXPECT_EQ(second[2].version, 5);
  EXPECT_EQ(second[3].outcome, UpsertOutcome::kUnchanged);
  EXPECT_EQ(second[3].record, first[4].record);
  EXPECT_EQ(single.outcome, UpsertOutcome::kUpdated);
  EXPECT_EQ(single.version, 6);

  ASSERT_OK_AND_ASSIGN(history, store_->RecordHistory(first[0].record));
  ASSERT_EQ(history.size(), 6u);
  for (int v : {0, 2, 4}) EXPECT_EQ(history[v].fields, a.fields) << v;
  for (int v : {1, 3, 5}) EXPECT_EQ(history[v].fields, a_fix.fields) << v;
  EXPECT_EQ(history[1].row_no, 3);
  EXPECT_EQ(history[2].row_no, 6);
  ASSERT_OK_AND_ASSIGN(c_history, store_->RecordHistory(first[4].record));
  ASSERT_EQ(c_history.size(), 1u);
  EXPECT_EQ(c_history[0].fields, c_fields);
  ASSERT_OK_AND_ASSIGN(names, store_->SubjectNames(first[0].subject));
  EXPECT_THAT(names, ElementsAre("甲公司", "乙公司"));
  EXPECT_EQ(store_->CountRecords("").value_or(-1), 3);
  EXPECT_EQ(store_->CountSubjects().value_or(-1), 2);
}

TEST_P(StoreContractTest, UpsertManyOfManyRowsMatchesUpsertOneByOne) {
  // 500 rows in one call — more than any back end buffers — with keys recurring 200 rows later
  // (unchanged, or corrected every third time) and subjects recurring under other names: each
  // result must equal what Upsert gives for the same row on a second store.
  std::vector<RecordInput> rows;
  for (int i = 0; i < 500; ++i) {
    const int k = i % 300;
    RecordInput r = Penalty("K-" + std::to_string(k), Uscc(k % 70),
                            "公司" + std::to_string(k % 70) + (i % 11 == 0 ? "（新）" : ""));
    if (i >= 300 && i % 3 == 0) r.fields["CF_NR"] = "更正 " + std::to_string(i);
    r.row_no = i + 1;
    rows.push_back(std::move(r));
  }
  std::vector<const RecordInput*> pointers;
  for (const RecordInput& r : rows) pointers.push_back(&r);
  // Both with the ledger: the dumps below then compare the leaves the bulk path writes too.
  std::vector<UpsertResult> many;
  InBatch(
      *store_, [&](BatchTransaction& tx) { ASSERT_OK(tx.UpsertMany(pointers, many)); },
      LedgerBatch());

  const std::string other_location = GetParam().fresh_location();
  ASSERT_OK_AND_ASSIGN(other, Open(other_location));
  ASSERT_OK(other->Migrate());
  std::vector<UpsertResult> one_by_one;
  InBatch(
      *other,
      [&](BatchTransaction& tx) {
        for (const RecordInput& r : rows) one_by_one.push_back(MustUpsert(tx, r));
      },
      LedgerBatch());
  ASSERT_EQ(many.size(), one_by_one.size());
  for (std::size_t i = 0; i < many.size(); ++i) {
    EXPECT_EQ(many[i].outcome, one_by_one[i].outcome) << "row " << i;
    EXPECT_EQ(many[i].record, one_by_one[i].record) << "row " << i;
    EXPECT_EQ(many[i].subject, one_by_one[i].subject) << "row " << i;
    EXPECT_EQ(many[i].version, one_by_one[i].version) << "row " << i;
    EXPECT_EQ(many[i].subject_created, one_by_one[i].subject_created) << "row " << i;
    EXPECT_EQ(many[i].known_name, one_by_one[i].known_name) << "row " << i;
  }
  if (GetParam().dump) {
    other.reset();
    store_.reset();
    EXPECT_TRUE(SameDump(GetParam().dump(location_), GetParam().dump(other_location)));
    ASSERT_OK_AND_ASSIGN(reopened, Open(location_));
    store_ = std::move(reopened);
  }
  EXPECT_EQ(store_->CountRecords("").value_or(-1), 300);
  EXPECT_EQ(store_->CountSubjects().value_or(-1), 70);
}

// ---- Subjects

TEST_P(StoreContractTest, UnknownUsccCreatesOneProvisionalSubject) {
  now_ = 4242;
  UpsertResult a, b;
  InBatch(*store_, [&](BatchTransaction& tx) {
    a = MustUpsert(tx, Penalty("K1", Uscc(1), "淮南市甲有限公司"));
    b = MustUpsert(tx, Penalty("K2", Uscc(1), "淮南市甲有限公司"));
  });
  EXPECT_TRUE(a.subject_created);
  EXPECT_FALSE(b.subject_created);
  EXPECT_EQ(a.subject, b.subject);
  EXPECT_FALSE(a.known_name.has_value());
  EXPECT_FALSE(b.known_name.has_value());

  ASSERT_OK_AND_ASSIGN(subject, store_->FindSubjectByUscc(Uscc(1)));
  ASSERT_TRUE(subject.has_value());
  EXPECT_EQ(subject->id, a.subject);
  EXPECT_EQ(subject->kind, SubjectKind::kOrganization);
  EXPECT_EQ(subject->uscc, Uscc(1));
  EXPECT_EQ(subject->name, "淮南市甲有限公司");
  EXPECT_TRUE(subject->provisional);
  EXPECT_EQ(subject->region_code, 340400);  // from USCC positions 3–8
  EXPECT_EQ(subject->created_at, 4242);
  EXPECT_EQ(store_->CountSubjects().value_or(-1), 1);
  ASSERT_OK_AND_ASSIGN(names, store_->SubjectNames(a.subject));
  EXPECT_THAT(names, ElementsAre("淮南市甲有限公司"));

  // A later batch finds it in the store, not in a cache.
  UpsertResult c;
  InBatch(*store_, [&](BatchTransaction& tx) {
    c = MustUpsert(tx, Penalty("K3", Uscc(1), "淮南市甲有限公司"));
  });
  EXPECT_FALSE(c.subject_created);
  EXPECT_EQ(c.subject, a.subject);
  ASSERT_OK_AND_ASSIGN(none, store_->FindSubjectByUscc(Uscc(99)));
  EXPECT_FALSE(none.has_value());
}

TEST_P(StoreContractTest, KnownUsccUnderAnotherNameIsFlaggedAndKept) {
  UpsertResult a, b, c, d;
  InBatch(*store_, [&](BatchTransaction& tx) {
    a = MustUpsert(tx, Penalty("K1", Uscc(1), "甲公司"));
    b = MustUpsert(tx, Penalty("K2", Uscc(1), "乙公司"));
    c = MustUpsert(tx, Penalty("K3", Uscc(1), "乙公司"));
  });
  InBatch(*store_,
          [&](BatchTransaction& tx) { d = MustUpsert(tx, Penalty("K4", Uscc(1), "乙公司")); });
  EXPECT_FALSE(a.known_name.has_value());
  EXPECT_EQ(b.known_name, "甲公司");
  EXPECT_EQ(c.known_name, "甲公司");
  EXPECT_EQ(d.known_name, "甲公司");
  EXPECT_EQ(b.subject, a.subject);
  EXPECT_FALSE(b.subject_created);

  ASSERT_OK_AND_ASSIGN(subject, store_->FindSubjectByUscc(Uscc(1)));
  ASSERT_TRUE(subject.has_value());
  EXPECT_EQ(subject->name, "甲公司");  // a record never renames; the registry does
  ASSERT_OK_AND_ASSIGN(names, store_->SubjectNames(a.subject));
  EXPECT_THAT(names, ElementsAre("甲公司", "乙公司"));
}

TEST_P(StoreContractTest, PutSubjectRegistersAndRenames) {
  UpsertResult a;
  SubjectId registered = 0, fresh = 0;
  InBatch(*store_,
          [&](BatchTransaction& tx) { a = MustUpsert(tx, Penalty("K1", Uscc(1), "甲公司")); });
  InBatch(*store_, [&](BatchTransaction& tx) {
    const SubjectKey key = Org(Uscc(1), "淮南市甲有限公司");
    auto id = tx.PutSubject(key, 340402);
    ASSERT_TRUE(id.has_value()) << id.error().ToString();
    registered = *id;
    // The registry name is now the subject's name: records under it are no conflict.
    EXPECT_FALSE(MustUpsert(tx, Penalty("K2", Uscc(1), "淮南市甲有限公司")).known_name.has_value());
    EXPECT_EQ(MustUpsert(tx, Penalty("K3", Uscc(1), "甲公司")).known_name, "淮南市甲有限公司");
    const SubjectKey other = Org(Uscc(2), "丙商店", SubjectKind::kIndividualBusiness);
    auto id2 = tx.PutSubject(other, 340403);
    ASSERT_TRUE(id2.has_value()) << id2.error().ToString();
    fresh = *id2;
  });
  EXPECT_EQ(registered, a.subject);

  ASSERT_OK_AND_ASSIGN(subject, store_->FindSubjectByUscc(Uscc(1)));
  ASSERT_TRUE(subject.has_value());
  EXPECT_FALSE(subject->provisional);
  EXPECT_EQ(subject->region_code, 340402);
  EXPECT_EQ(subject->name, "淮南市甲有限公司");
  ASSERT_OK_AND_ASSIGN(names, store_->SubjectNames(a.subject));
  EXPECT_THAT(names, ElementsAre("甲公司", "淮南市甲有限公司"));

  ASSERT_OK_AND_ASSIGN(shop, store_->FindSubjectByUscc(Uscc(2)));
  ASSERT_TRUE(shop.has_value());
  EXPECT_EQ(shop->id, fresh);
  EXPECT_EQ(shop->kind, SubjectKind::kIndividualBusiness);
  EXPECT_FALSE(shop->provisional);
  EXPECT_EQ(shop->region_code, 340403);
  EXPECT_EQ(store_->CountSubjects().value_or(-1), 2);
}

TEST_P(StoreContractTest, NaturalPersonsAreFoundByBlindIndex) {
  RecordInput r = Penalty("P1", "", "张三");
  r.subject = SubjectKey{.kind = SubjectKind::kPerson,
                         .uscc = "",
                         .person_index = "b1d2c3",
                         .person_sealed = std::string("\x01\x00\xff sealed", 10),
                         .name = "张三"};
  RecordInput r2 = r;
  r2.natural_key = "P2";
  UpsertResult a, b;
  InBatch(*store_, [&](BatchTransaction& tx) {
    a = MustUpsert(tx, r);
    b = MustUpsert(tx, r2);
  });
  EXPECT_TRUE(a.subject_created);
  EXPECT_FALSE(b.subject_created);
  EXPECT_EQ(a.subject, b.subject);
  EXPECT_EQ(store_->CountSubjects().value_or(-1), 1);

  RecordInput nobody = r;
  nobody.subject.person_index.clear();
  auto tx = store_->BeginBatch(MakeBatch());
  ASSERT_TRUE(tx.has_value());
  EXPECT_THAT((*tx)->Upsert(nobody), IsError(ErrorCode::kInvalidArgument, "store.subject_key"));
}

// ---- Quarantine, batches

TEST_P(StoreContractTest, QuarantineKeepsOriginalCellsInRowOrder) {
  const std::vector<std::string> odd = {
      "a,b",           "say \"hi\"",  "line1\nline2\r\n",         "",
      "淮南市\t甲",    "back\\slash", std::string("\x01\x1f", 2), "\xff\xfe not UTF-8",
      "{\"json\":[1]}"};
  const BatchId id = InBatch(*store_, [&](BatchTransaction& tx) {
    ASSERT_OK(tx.Quarantine(
        Rejected(5, {"x", "", "z"}, {"field.required"}, {"缺少必填项“处罚内容”"}, "r5")));
    ASSERT_OK(tx.Quarantine(Rejected(2, odd, {"uscc.check", "date.format"},
                                     {"统一社会信用代码校验位错误", "日期格式错误"}, "r2")));
    EXPECT_THAT(tx.Quarantine(Rejected(2, {}, {}, {}, "")),
                IsError(ErrorCode::kAlreadyExists, "store.quarantine"));
  });
  ASSERT_OK_AND_ASSIGN(rows, store_->GetQuarantine(id));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].row_no, 2);
  EXPECT_EQ(rows[0].batch, id);
  EXPECT_EQ(rows[0].values, odd);
  EXPECT_THAT(rows[0].reasons, ElementsAre("uscc.check", "date.format"));
  EXPECT_THAT(rows[0].messages_zh, ElementsAre("统一社会信用代码校验位错误", "日期格式错误"));
  EXPECT_EQ(rows[0].raw_sm3, "r2");
  EXPECT_EQ(rows[1].row_no, 5);
  EXPECT_THAT(rows[1].values, ElementsAre("x", "", "z"));
  ASSERT_OK_AND_ASSIGN(other, store_->GetQuarantine(id + 1));
  EXPECT_THAT(other, IsEmpty());
}

TEST_P(StoreContractTest, CommitStoresBatchAndReceipt) {
  BatchInput input = MakeBatch("2024年3月行政处罚.csv");
  input.header.push_back("含,逗号\"引号\"");
  auto tx = store_->BeginBatch(input);
  ASSERT_TRUE(tx.has_value()) << tx.error().ToString();
  const BatchId id = (*tx)->batch_id();
  EXPECT_GT(id, 0);
  ASSERT_OK((*tx)->Upsert(Penalty("K1", Uscc(1), "甲公司")));
  const std::string receipt = R"({"batch":1,"accepted":1,"rejected":0,"说明":"已接收"})";
  ASSERT_OK((*tx)->Commit(receipt));
  EXPECT_THAT((*tx)->Commit(receipt), IsError(ErrorCode::kFailedPrecondition, "store.batch_spent"));
  EXPECT_THAT((*tx)->Upsert(Penalty("K2", Uscc(1), "甲公司")),
              IsError(ErrorCode::kFailedPrecondition, "store.batch_spent"));
  tx->reset();  // a committed batch's destructor must not undo it

  ASSERT_OK_AND_ASSIGN(batch, store_->GetBatch(id));
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->id, id);
  EXPECT_EQ(batch->item, input.item);
  EXPECT_EQ(batch->dept, input.dept);
  EXPECT_EQ(batch->file_name, input.file_name);
  EXPECT_EQ(batch->file_sm3, input.file_sm3);
  EXPECT_EQ(batch->catalog_version, input.catalog_version);
  EXPECT_EQ(batch->header, input.header);
  EXPECT_EQ(batch->received_at, input.received_at);
  EXPECT_EQ(batch->receipt_json, receipt);
  EXPECT_EQ(store_->CountRecords("").value_or(-1), 1);
  ASSERT_OK_AND_ASSIGN(missing, store_->GetBatch(id + 100));
  EXPECT_FALSE(missing.has_value());
}

TEST_P(StoreContractTest, FileDigestCanArriveBeforeCommit) {
  BatchInput input = MakeBatch();
  input.file_sm3.clear();  // hashed while the rows were read
  ASSERT_OK_AND_ASSIGN(tx, store_->BeginBatch(input));
  const BatchId id = tx->batch_id();
  const std::string digest(64, 'e');
  ASSERT_OK(tx->SetFileSm3(digest));
  ASSERT_OK(tx->Commit("{}"));
  EXPECT_THAT(tx->SetFileSm3(digest), IsError(ErrorCode::kFailedPrecondition, "store.batch_spent"));
  ASSERT_OK_AND_ASSIGN(batch, store_->GetBatch(id));
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->file_sm3, digest);
}

TEST_P(StoreContractTest, BatchWithoutCommitLeavesNothing) {
  BatchId id = 0;
  {
    auto tx = store_->BeginBatch(MakeBatch());
    ASSERT_TRUE(tx.has_value()) << tx.error().ToString();
    id = (*tx)->batch_id();
    ASSERT_OK((*tx)->Upsert(Penalty("K1", Uscc(1), "甲公司")));
    ASSERT_OK((*tx)->PutSubject(Org(Uscc(2), "乙公司"), 340400));
    ASSERT_OK((*tx)->Quarantine(Rejected(3, {"x"}, {"r"}, {"m"}, "h")));
    ASSERT_OK((*tx)->ReportCodeIssue(Issue("duplicate", Uscc(1), "甲公司；乙公司")));
    // Only one batch at a time per store.
    EXPECT_THAT(store_->BeginBatch(MakeBatch()),
                IsError(ErrorCode::kFailedPrecondition, "store.batch_open"));
  }  // dropped without Commit

  ASSERT_OK_AND_ASSIGN(batch, store_->GetBatch(id));
  EXPECT_FALSE(batch.has_value());
  EXPECT_EQ(store_->CountRecords("").value_or(-1), 0);
  EXPECT_EQ(store_->CountSubjects().value_or(-1), 0);
  ASSERT_OK_AND_ASSIGN(rows, store_->GetQuarantine(id));
  EXPECT_THAT(rows, IsEmpty());
  ASSERT_OK_AND_ASSIGN(issues, store_->ListCodeIssues());
  EXPECT_THAT(issues, IsEmpty());
  ASSERT_OK_AND_ASSIGN(subject, store_->FindSubjectByUscc(Uscc(1)));
  EXPECT_FALSE(subject.has_value());

  // The store is free again, and the next batch starts from a clean slate (no stale cache).
  UpsertResult r;
  InBatch(*store_,
          [&](BatchTransaction& tx) { r = MustUpsert(tx, Penalty("K1", Uscc(1), "甲公司")); });
  EXPECT_EQ(r.outcome, UpsertOutcome::kAccepted);
  EXPECT_TRUE(r.subject_created);
  EXPECT_EQ(store_->CountSubjects().value_or(-1), 1);
}

// ---- Code issues

TEST_P(StoreContractTest, CodeIssuesOpenDeduplicateAndReview) {
  now_ = 100;
  InBatch(*store_, [&](BatchTransaction& tx) {
    ASSERT_OK(tx.ReportCodeIssue(Issue("duplicate", Uscc(1), "甲；乙")));
    ASSERT_OK(tx.ReportCodeIssue(Issue("duplicate", Uscc(1), "甲；乙")));
    ASSERT_OK(tx.ReportCodeIssue(Issue("error", "91340400MA2X", "uscc.length")));
    EXPECT_THAT(tx.ReportCodeIssue(Issue("other", "x", "y")),
                IsError(ErrorCode::kInvalidArgument, "store.code_issue_kind"));
  });
  ASSERT_OK_AND_ASSIGN(issues, store_->ListCodeIssues());
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].kind, "duplicate");
  EXPECT_EQ(issues[0].code, Uscc(1));
  EXPECT_EQ(issues[0].detail, "甲；乙");
  EXPECT_EQ(issues[0].status, "open");
  EXPECT_EQ(issues[0].reviewer, "");
  EXPECT_EQ(issues[0].updated_at, 100);
  EXPECT_EQ(issues[1].kind, "error");

  now_ = 200;
  ASSERT_OK(store_->ReviewCodeIssue(issues[0].id, "confirmed", "王科长", "同一主体更名"));
  ASSERT_OK(store_->ReviewCodeIssue(issues[1].id, "cleared", "王科长", ""));
  EXPECT_THAT(store_->ReviewCodeIssue(issues[0].id, "open", "x", ""),
              IsError(ErrorCode::kInvalidArgument, "store.review_status"));
  EXPECT_THAT(store_->ReviewCodeIssue(issues[1].id + 1000, "confirmed", "x", ""),
              IsError(ErrorCode::kNotFound, "store.code_issue"));

  // Reported again after review: the reviewer's decision stands.
  now_ = 300;
  InBatch(*store_, [&](BatchTransaction& tx) {
    ASSERT_OK(tx.ReportCodeIssue(Issue("duplicate", Uscc(1), "甲；乙")));
  });
  ASSERT_OK_AND_ASSIGN(reviewed, store_->ListCodeIssues());
  ASSERT_EQ(reviewed.size(), 2u);
  EXPECT_EQ(reviewed[0].status, "confirmed");
  EXPECT_EQ(reviewed[0].reviewer, "王科长");
  EXPECT_EQ(reviewed[0].note, "同一主体更名");
  EXPECT_EQ(reviewed[0].updated_at, 200);
  EXPECT_EQ(reviewed[1].status, "cleared");
}

TEST_P(StoreContractTest, ReviewWaitsForAnOpenBatch) {
  InBatch(*store_,
          [&](BatchTransaction& tx) { ASSERT_OK(tx.ReportCodeIssue(Issue("error", "X", "d"))); });
  auto tx = store_->BeginBatch(MakeBatch());
  ASSERT_TRUE(tx.has_value());
  // It would be undone with the batch.
  EXPECT_THAT(store_->ReviewCodeIssue(1, "confirmed", "r", ""),
              IsError(ErrorCode::kFailedPrecondition, "store.batch_open"));
  EXPECT_THAT(store_->Migrate(), IsError(ErrorCode::kFailedPrecondition, "store.batch_open"));
}

// ---- Transparency ledger

// A stored version as the ledger must show it: what was submitted, and where the store put it.
struct LoggedVersion {
  const RecordInput* in;
  UpsertResult result;
  BatchId batch;
};

// Checks the whole log against `versions` (every version a ledger batch stored, in order): one
// leaf each, numbered from 0, with the entry built from the submission; each version finds its
// leaf; each stored version's content gives the digest its leaf carries. `hashes` gets the stored
// leaf hashes.
void ExpectLog(Store& store, const std::vector<LoggedVersion>& versions,
               std::vector<Sm3Digest>& hashes) {
  hashes.clear();
  Result<std::vector<LedgerLeaf>> leaves = store.LedgerLeaves(0, 1000);
  ASSERT_TRUE(leaves.has_value()) << leaves.error().ToString();
  EXPECT_EQ(leaves->size(), versions.size());
  for (std::size_t i = 0; i < leaves->size() && i < versions.size(); ++i) {
    SCOPED_TRACE("leaf " + std::to_string(i));
    const LedgerLeaf& leaf = (*leaves)[i];
    const LoggedVersion& v = versions[i];
    hashes.push_back(leaf.leaf_hash);
    EXPECT_EQ(leaf.index, static_cast<std::int64_t>(i));
    EXPECT_EQ(leaf.kind, "record_version");
    EXPECT_EQ(leaf.ref_id, v.result.record);
    EXPECT_EQ(leaf.ref_version, v.result.version);
    EXPECT_EQ(leaf.entry, ExpectedEntry(*v.in, v.result, v.batch));
    EXPECT_EQ(leaf.leaf_hash, ledger::LeafHash(leaf.entry));
    Result<ledger::Entry> decoded = ledger::DecodeEntry(leaf.entry);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().ToString();
    const auto* e = std::get_if<ledger::RecordVersionEntry>(&*decoded);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->record_id, v.result.record);
    EXPECT_EQ(e->version, v.result.version);
    EXPECT_EQ(e->item, v.in->item);
    EXPECT_EQ(e->natural_key, v.in->natural_key);
    EXPECT_EQ(e->batch_id, v.batch);

    Result<std::optional<LedgerLeaf>> found =
        store.FindLedgerLeaf(v.result.record, v.result.version);
    ASSERT_TRUE(found.has_value()) << found.error().ToString();
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->index, leaf.index);
    EXPECT_EQ((*found)->entry, leaf.entry);
    EXPECT_EQ((*found)->leaf_hash, leaf.leaf_hash);

    Result<std::optional<StoredVersion>> stored =
        store.GetRecordVersion(v.result.record, v.result.version);
    ASSERT_TRUE(stored.has_value()) << stored.error().ToString();
    ASSERT_TRUE(stored->has_value());
    EXPECT_EQ((*stored)->item, v.in->item);
    EXPECT_EQ((*stored)->natural_key, v.in->natural_key);
    EXPECT_EQ((*stored)->version.version, v.result.version);
    EXPECT_EQ((*stored)->version.batch, v.batch);
    EXPECT_EQ((*stored)->version.subject, v.result.subject);
    // A digest the caller computed is taken as given (the test below hands one in that is not
    // the content's); otherwise it is the stored content's.
    if (!v.in->content_sm3) {
      EXPECT_EQ(StoredContentSm3(**stored), e->content_sm3);
    }
  }
}

// The heads as they must be: one per ledger batch that stored a version, at the log's size then,
// each signed with the ledger key over the root of the leaves it covers.
void ExpectHeads(Store& store, const std::vector<Sm3Digest>& hashes,
                 const std::vector<std::pair<std::int64_t, Timestamp>>& sizes_and_times) {
  Result<std::vector<ledger::SignedTreeHead>> heads = store.TreeHeads();
  ASSERT_TRUE(heads.has_value()) << heads.error().ToString();
  ASSERT_EQ(heads->size(), sizes_and_times.size());
  for (std::size_t i = 0; i < heads->size(); ++i) {
    SCOPED_TRACE("head " + std::to_string(i));
    const ledger::SignedTreeHead& h = (*heads)[i];
    const auto [size, time] = sizes_and_times[i];
    ASSERT_EQ(h.head.tree_size, size);
    ASSERT_LE(size, static_cast<std::int64_t>(hashes.size()));
    EXPECT_EQ(h.head.timestamp, time);
    EXPECT_EQ(h.head.root, ledger::RootOf(std::span(hashes).first(static_cast<std::size_t>(size))));
    Result<bool> signed_ok = ledger::VerifyTreeHead(LedgerKey().PublicPem(), h);
    ASSERT_TRUE(signed_ok.has_value()) << signed_ok.error().ToString();
    EXPECT_TRUE(*signed_ok);
    if (i > 0) {
      // The log only grew: the earlier head is a prefix of this one.
      const ledger::SignedTreeHead& before = (*heads)[i - 1];
      Result<std::vector<Sm3Digest>> proof =
          ledger::ConsistencyProof(hashes, before.head.tree_size, size);
      ASSERT_TRUE(proof.has_value()) << proof.error().ToString();
      EXPECT_TRUE(ledger::VerifyConsistency(*proof, before.head.tree_size, size, before.head.root,
                                            h.head.root));
    }
  }
}

TEST_P(StoreContractTest, LedgerAppendsOneLeafPerStoredVersionInOrder) {
  const RecordInput a = Penalty("L1", Uscc(1), "甲公司");
  RecordInput b = Penalty("L2", Uscc(2), "乙公司");
  b.severity = Severity::kSerious;
  b.publicity_until = D(2027, 3, 15);
  b.row_no = 2;
  RecordInput a_fix = a;
  a_fix.fields["CF_NR"] = "罚款 3000 元";
  a_fix.row_no = 4;
  // Encoded fields and a content digest from the caller (as ingest sends them): the leaf carries
  // the caller's digest, which the store does not recompute.
  RecordInput c = Penalty("L3", Uscc(3), "丙公司");
  c.fields_json = CanonicalJson(c.fields);
  c.fields_digest = FieldsDigest(c.fields_json);
  c.fields.clear();
  c.content_sm3 = Sm3("computed by the caller");
  // A person: the content names the blind index; no decision date, not published.
  RecordInput p = Penalty("L4", "", "张三");
  p.subject = SubjectKey{.kind = SubjectKind::kPerson,
                         .uscc = "",
                         .person_index = "b1d2c3",
                         .person_sealed = "sealed",
                         .name = "张三"};
  p.decided_on = std::nullopt;
  p.published = false;

  now_ = 5000;
  std::vector<UpsertResult> r1;
  const BatchId b1 = InBatch(
      *store_,
      [&](BatchTransaction& tx) {
        r1.push_back(MustUpsert(tx, a));
        const RecordInput* rows[] = {&b, &a, &a_fix, &c};
        ASSERT_OK(tx.UpsertMany(rows, r1));
        r1.push_back(MustUpsert(tx, p));
      },
      LedgerBatch());
  ASSERT_EQ(r1.size(), 6u);
  EXPECT_EQ(r1[2].outcome, UpsertOutcome::kUnchanged);  // no leaf
  EXPECT_EQ(r1[3].outcome, UpsertOutcome::kUpdated);
  std::vector<LoggedVersion> logged = {
      {&a, r1[0], b1}, {&b, r1[1], b1}, {&a_fix, r1[3], b1}, {&c, r1[4], b1}, {&p, r1[5], b1}};
  std::vector<Sm3Digest> hashes;
  ExpectLog(*store_, logged, hashes);
  ExpectHeads(*store_, hashes, {{5, 5000}});
  // Version 1 of `a` was archived by the correction, with its leaf index.
  ASSERT_OK_AND_ASSIGN(a_first, store_->FindLedgerLeaf(r1[0].record, 1));
  ASSERT_TRUE(a_first.has_value());
  EXPECT_EQ(a_first->index, 0);

  // A second batch continues the log: an unchanged row (no leaf), a correction, a new record.
  RecordInput b_fix = b;
  b_fix.publicity_until = std::nullopt;
  const RecordInput d = Penalty("L5", Uscc(1), "甲公司");
  now_ = 6000;
  std::vector<UpsertResult> r2;
  const BatchId b2 = InBatch(
      *store_,
      [&](BatchTransaction& tx) {
        const RecordInput* rows[] = {&a_fix, &b_fix, &d};
        ASSERT_OK(tx.UpsertMany(rows, r2));
      },
      LedgerBatch());
  ASSERT_EQ(r2.size(), 3u);
  EXPECT_EQ(r2[0].outcome, UpsertOutcome::kUnchanged);
  logged.push_back({&b_fix, r2[1], b2});
  logged.push_back({&d, r2[2], b2});
  ExpectLog(*store_, logged, hashes);
  ExpectHeads(*store_, hashes, {{5, 5000}, {7, 6000}});

  // A ledger batch that stores no version signs no head.
  now_ = 7000;
  InBatch(
      *store_,
      [&](BatchTransaction& tx) {
        EXPECT_EQ(MustUpsert(tx, d).outcome, UpsertOutcome::kUnchanged);
      },
      LedgerBatch());
  ExpectHeads(*store_, hashes, {{5, 5000}, {7, 6000}});

  // A batch without the key appends nothing; its version has no leaf. The next ledger batch
  // continues the log where the last head left it.
  const RecordInput e = Penalty("L6", Uscc(4), "丁公司");
  RecordInput e_fix = e;
  e_fix.fields["CF_NR"] = "罚款 9000 元";
  UpsertResult unlogged, e2;
  now_ = 8000;
  InBatch(*store_, [&](BatchTransaction& tx) { unlogged = MustUpsert(tx, e); });
  now_ = 9000;
  const BatchId b5 = InBatch(
      *store_, [&](BatchTransaction& tx) { e2 = MustUpsert(tx, e_fix); }, LedgerBatch());
  EXPECT_EQ(e2.version, 2);
  logged.push_back({&e_fix, e2, b5});
  ExpectLog(*store_, logged, hashes);
  ExpectHeads(*store_, hashes, {{5, 5000}, {7, 6000}, {8, 9000}});
  ASSERT_OK_AND_ASSIGN(no_leaf, store_->FindLedgerLeaf(unlogged.record, 1));
  EXPECT_FALSE(no_leaf.has_value());
  ASSERT_OK_AND_ASSIGN(unlogged_version, store_->GetRecordVersion(unlogged.record, 1));
  ASSERT_TRUE(unlogged_version.has_value());
  EXPECT_EQ(StoredContentSm3(*unlogged_version), InputContentSm3(e));

  // Pages of leaves, and what does not exist.
  ASSERT_OK_AND_ASSIGN(page, store_->LedgerLeaves(2, 3));
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].index, 2);
  EXPECT_EQ(page[2].index, 4);
  ASSERT_OK_AND_ASSIGN(tail, store_->LedgerLeaves(6, 100));
  EXPECT_EQ(tail.size(), 2u);
  ASSERT_OK_AND_ASSIGN(past, store_->LedgerLeaves(100, 10));
  EXPECT_THAT(past, IsEmpty());
  ASSERT_OK_AND_ASSIGN(no_version, store_->FindLedgerLeaf(r1[0].record, 9));
  EXPECT_FALSE(no_version.has_value());
  ASSERT_OK_AND_ASSIGN(no_record, store_->FindLedgerLeaf(9999, 1));
  EXPECT_FALSE(no_record.has_value());
  ASSERT_OK_AND_ASSIGN(no_stored, store_->GetRecordVersion(r1[0].record, 9));
  EXPECT_FALSE(no_stored.has_value());
  ASSERT_OK_AND_ASSIGN(no_stored_record, store_->GetRecordVersion(9999, 1));
  EXPECT_FALSE(no_stored_record.has_value());
}

TEST_P(StoreContractTest, LedgerBatchDroppedWithoutCommitLeavesNoLeavesOrHeads) {
  const RecordInput first = Penalty("K0", Uscc(1), "甲公司");
  UpsertResult r0;
  now_ = 100;
  const BatchId b1 = InBatch(
      *store_, [&](BatchTransaction& tx) { r0 = MustUpsert(tx, first); }, LedgerBatch());
  {
    ASSERT_OK_AND_ASSIGN(tx, store_->BeginBatch(LedgerBatch("dropped.csv")));
    // More rows than a back end buffers, so some leaves reached the database before the drop.
    for (int i = 1; i <= 200; ++i) {
      ASSERT_OK(tx->Upsert(Penalty("K" + std::to_string(i), Uscc(i % 7), "公司")));
    }
    RecordInput fix = first;
    fix.fields["CF_NR"] = "罚款 2 元";
    ASSERT_OK_AND_ASSIGN(corrected, tx->Upsert(fix));
    EXPECT_EQ(corrected.version, 2);
  }
  std::vector<LoggedVersion> logged = {{&first, r0, b1}};
  std::vector<Sm3Digest> hashes;
  ExpectLog(*store_, logged, hashes);
  ExpectHeads(*store_, hashes, {{1, 100}});
  ASSERT_OK_AND_ASSIGN(gone, store_->FindLedgerLeaf(r0.record, 2));
  EXPECT_FALSE(gone.has_value());

  const RecordInput next = Penalty("K1", Uscc(1), "甲公司");
  UpsertResult r1;
  now_ = 200;
  const BatchId b2 = InBatch(
      *store_, [&](BatchTransaction& tx) { r1 = MustUpsert(tx, next); }, LedgerBatch());
  logged.push_back({&next, r1, b2});
  ExpectLog(*store_, logged, hashes);
  ExpectHeads(*store_, hashes, {{1, 100}, {2, 200}});
}

// ---- Crash safety

// Batch 1 of the crash test: 60 subjects, 150 records.
void WriteFirstBatch(BatchTransaction& tx) {
  for (int i = 0; i < 150; ++i) {
    RecordInput r =
        Penalty("A-" + std::to_string(i), Uscc(i % 60), "公司" + std::to_string(i % 60));
    r.row_no = i + 1;
    r.fields["CF_NR"] = std::string(400, 'a' + i % 26);  // rows large enough to fill pages
    if (!tx.Upsert(r)) std::abort();
  }
}

// Batch 2: updates, unchanged rows, new records and subjects, renames, quarantine, issues.
// `limit` stops it part-way (the killed child).
bool WriteSecondBatch(BatchTransaction& tx, int limit) {
  for (int i = 0; i < 400 && i < limit; ++i) {
    RecordInput r;
    if (i < 150) {
      r = Penalty("A-" + std::to_string(i), Uscc(i % 60), "公司" + std::to_string(i % 60));
      r.fields["CF_NR"] = std::string(400, 'a' + i % 26);
      if (i % 3 == 0) r.fields["CF_NR"] = std::string(450, 'z');  // a correction
      if (i % 10 == 0) r.subject.name = "新名" + std::to_string(i % 60);
    } else {
      r = Penalty("B-" + std::to_string(i), Uscc(i % 90), "公司" + std::to_string(i % 90));
      r.fields["CF_NR"] = std::string(500, 'b');
    }
    r.row_no = i + 1;
    if (!tx.Upsert(r)) return false;
    if (i % 25 == 0) {
      if (!tx.Quarantine(
              Rejected(1000 + i, {"v", std::to_string(i)}, {"field.required"}, {"缺少"}, "q"))) {
        return false;
      }
      if (!tx.ReportCodeIssue(Issue("duplicate", Uscc(i % 60), "d"))) {
        return false;
      }
      if (!tx.PutSubject(Org(Uscc(i % 60), "登记名" + std::to_string(i)), 340400)) {
        return false;
      }
    }
  }
  return true;
}

// The crash test needs a store that outlives a process: it runs on the durable back ends only
// (those with a dump), instantiated below, rather than being skipped on the others.
class DurableStoreContractTest : public StoreContractTest {};

std::vector<BackEnd> DurableBackEnds() {
  std::vector<BackEnd> out;
  for (BackEnd& b : BackEnds()) {
    if (b.dump) out.push_back(std::move(b));
  }
  return out;
}

TEST_P(DurableStoreContractTest, KilledBatchLeavesNoTraceAndRerunEqualsCleanRun) {
  store_.reset();

  // The crashed store: batch 1 committed, batch 2 killed half-way, then batch 2 again.
  const std::string crashed = GetParam().fresh_location();
  {
    ASSERT_OK_AND_ASSIGN(store, Open(crashed));
    ASSERT_OK(store->Migrate());
    InBatch(*store, WriteFirstBatch, LedgerBatch());
  }
  const std::string after_first = GetParam().dump(crashed);
  // The ledger is in the dump (found, not matched: a failed matcher would print the whole dump).
  EXPECT_NE(after_first.find("\n149|record_version|150|1|"), std::string::npos);

  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    // No gtest in here: any failure is an exit code the parent reports.
    auto store = Open(crashed, /*tiny_cache=*/true);
    if (!store) _exit(3);
    auto tx = (*store)->BeginBatch(LedgerBatch("second.csv"));
    if (!tx) _exit(4);
    if (!WriteSecondBatch(**tx, 300)) _exit(5);
    raise(SIGKILL);  // as kill -9: no destructor, no rollback, no close
    _exit(6);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_EQ(WTERMSIG(status), SIGKILL);
  if (GetParam().name.starts_with("Sqlite")) {
    // The test is only worth something if uncommitted pages of batch 2 reached the disk.
    std::error_code ec;
    EXPECT_GT(std::filesystem::file_size(crashed + "-wal", ec), 64u * 1024) << ec.message();
  }

  {
    ASSERT_OK_AND_ASSIGN(store, Open(crashed));
    ASSERT_OK(store->Migrate());
    EXPECT_EQ(store->CountRecords("").value_or(-1), 150);
    EXPECT_EQ(store->CountSubjects().value_or(-1), 60);
    ASSERT_OK_AND_ASSIGN(second, store->GetBatch(2));
    EXPECT_FALSE(second.has_value());
    ASSERT_OK_AND_ASSIGN(issues, store->ListCodeIssues());
    EXPECT_THAT(issues, IsEmpty());
  }
  EXPECT_TRUE(SameDump(GetParam().dump(crashed), after_first));
  {
    ASSERT_OK_AND_ASSIGN(store, Open(crashed));
    InBatch(
        *store, [](BatchTransaction& tx) { ASSERT_TRUE(WriteSecondBatch(tx, 400)); },
        LedgerBatch("second.csv"));
  }

  // The clean store: both batches, no crash.
  const std::string clean = GetParam().fresh_location();
  {
    ASSERT_OK_AND_ASSIGN(store, Open(clean));
    ASSERT_OK(store->Migrate());
    InBatch(*store, WriteFirstBatch, LedgerBatch());
    InBatch(
        *store, [](BatchTransaction& tx) { ASSERT_TRUE(WriteSecondBatch(tx, 400)); },
        LedgerBatch("second.csv"));
    EXPECT_EQ(store->CountRecords("").value_or(-1), 400);
    // 150 first versions, then 250 new records and 50 corrections (every third of the first 150).
    ASSERT_OK_AND_ASSIGN(heads, store->TreeHeads());
    ASSERT_EQ(heads.size(), 2u);
    EXPECT_EQ(heads[0].head.tree_size, 150);
    EXPECT_EQ(heads[1].head.tree_size, 450);
  }
  const std::string clean_dump = GetParam().dump(clean);
  EXPECT_NE(clean_dump.find("second.csv"), std::string::npos);
  EXPECT_TRUE(SameDump(GetParam().dump(crashed), clean_dump));
}

TEST_P(DurableStoreContractTest, BeginBatchRefusesALedgerWrittenBehindItsBack) {
  InBatch(
      *store_,
      [&](BatchTransaction& tx) {
        MustUpsert(tx, Penalty("K1", Uscc(1), "甲公司"));
        MustUpsert(tx, Penalty("K2", Uscc(1), "甲公司"));
      },
      LedgerBatch());
  // A leaf past the last signed head, as only someone writing the database directly could add.
  ASSERT_EQ(GetParam().exec(location_,
                            "INSERT INTO ledger_leaves (idx, kind, ref_id, ref_version, entry,"
                            " leaf_hash) SELECT idx + 2, kind, ref_id, ref_version, entry,"
                            " leaf_hash FROM ledger_leaves WHERE idx = 0"),
            "");
  auto refused = store_->BeginBatch(LedgerBatch("next.csv"));
  ASSERT_THAT(refused, IsError(ErrorCode::kFailedPrecondition, "store.ledger"));
  EXPECT_THAT(refused.error().message, HasSubstr("3 leaves"));
  EXPECT_THAT(refused.error().message, HasSubstr("ledger verify"));
  EXPECT_THAT(refused.error().message_zh, HasSubstr("可信账本"));
  ASSERT_OK_AND_ASSIGN(batch, store_->GetBatch(2));
  EXPECT_FALSE(batch.has_value());

  // The refusal left nothing open: once the stray leaf is gone, the next batch goes ahead.
  ASSERT_EQ(GetParam().exec(location_, "DELETE FROM ledger_leaves WHERE idx = 2"), "");
  UpsertResult r;
  InBatch(
      *store_, [&](BatchTransaction& tx) { r = MustUpsert(tx, Penalty("K3", Uscc(1), "甲公司")); },
      LedgerBatch("next.csv"));
  ASSERT_OK_AND_ASSIGN(leaf, store_->FindLedgerLeaf(r.record, 1));
  ASSERT_TRUE(leaf.has_value());
  EXPECT_EQ(leaf->index, 2);
}

INSTANTIATE_TEST_SUITE_P(BackEnds, StoreContractTest, ::testing::ValuesIn(BackEnds()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(DurableBackEnds, DurableStoreContractTest,
                         ::testing::ValuesIn(DurableBackEnds()),
                         [](const auto& info) { return info.param.name; });

// ---- Not back-end specific: URLs and encodings

TEST(OpenStoreTest, DispatchesOnUrl) {
  const FixedClock clock(D(2024, 1, 1));
  ASSERT_OK_AND_ASSIGN(memory, OpenStore("sqlite::memory:", clock));
  ASSERT_OK(memory->Migrate());
  const std::string file = (TempDir() / "open_test.db").string();
  ASSERT_OK_AND_ASSIGN(store, OpenStore("sqlite:" + file, clock));
  ASSERT_OK(store->Migrate());
  EXPECT_TRUE(std::filesystem::exists(file));

  EXPECT_THAT(OpenStore("mysql://localhost/x", clock),
              IsError(ErrorCode::kInvalidArgument, "store.url"));
  EXPECT_THAT(OpenStore("sqlite:", clock), IsError(ErrorCode::kInvalidArgument, "store.url"));
  EXPECT_THAT(OpenStore("data/xinyong.db", clock),
              IsError(ErrorCode::kInvalidArgument, "store.url"));
  // Both PostgreSQL schemes reach the back end: here a port nobody listens on.
  for (const char* url : {"postgresql://127.0.0.1:1/xinyong?connect_timeout=5",
                          "postgres://127.0.0.1:1/xinyong?connect_timeout=5"}) {
    auto pg = OpenStore(url, clock);
    EXPECT_THAT(pg, IsError(ErrorCode::kUnavailable, "store.open")) << url;
    if (!pg) {
      EXPECT_THAT(pg.error().message, HasSubstr("PostgreSQL"));
      EXPECT_THAT(pg.error().message_zh, HasSubstr("无法连接"));
    }
  }
}

TEST(OpenStoreTest, MissingFolderOrNotADatabaseIsUnavailable) {
  const FixedClock clock(D(2024, 1, 1));
  const std::string missing = (TempDir() / "no-such-folder" / "x.db").string();
  auto r = OpenStore("sqlite:" + missing, clock);
  ASSERT_THAT(r, IsError(ErrorCode::kUnavailable, "store.open"));
  EXPECT_THAT(r.error().message, HasSubstr("no-such-folder"));
  EXPECT_THAT(r.error().message_zh, HasSubstr("不存在"));
  EXPECT_FALSE(std::filesystem::exists(TempDir() / "no-such-folder"));

  const std::string junk = (TempDir() / "junk.db").string();
  {
    FILE* f = std::fopen(junk.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    const std::string text(8192, 'x');
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  auto j = OpenStore("sqlite:" + junk, clock);
  ASSERT_THAT(j, IsError(ErrorCode::kUnavailable, "store.open"));
  EXPECT_FALSE(j.error().message_zh.empty());
}

TEST(EncodingTest, CanonicalJsonSortsKeysAndEscapesMinimally) {
  const std::map<std::string, std::string> fields = {
      {"b", "淮南"}, {"a", "say \"hi\"\n"}, {"c", std::string("\x01", 1)}, {"B", "\\"}};
  EXPECT_EQ(CanonicalJson(fields), R"({"B":"\\","a":"say \"hi\"\n","b":"淮南","c":"\u0001"})");
  EXPECT_EQ(CanonicalJson({}), "{}");
  auto back = ParseStringMapJson(CanonicalJson(fields));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, fields);
}

TEST(EncodingTest, StringArraysRoundTripAnyBytes) {
  std::vector<std::string> values = {"", "a,b", "\"", "\xe4\xb8", std::string("\0x", 2), "\t\r\n"};
  EXPECT_EQ(ParseStringArrayJson(StringArrayJson(values)), values);
  EXPECT_EQ(ParseStringArrayJson("[]"), std::vector<std::string>{});
  EXPECT_EQ(ParseStringArrayJson(R"([ "a" , "\u6dee\ud83d\ude00" ])"),
            (std::vector<std::string>{"a", "淮😀"}));
  EXPECT_EQ(ParseStringArrayJson("[\"a\""), std::nullopt);
  EXPECT_EQ(ParseStringArrayJson("[1]"), std::nullopt);
  EXPECT_EQ(ParseStringArrayJson("[\"a\"] x"), std::nullopt);
  EXPECT_EQ(ParseStringMapJson("{\"a\":1}"), std::nullopt);
}

TEST(EncodingTest, FieldsDigestIsPinned) {
  // Stored digests must never change meaning. Inputs under 32 bytes give exactly XXH64 (seed 0).
  EXPECT_EQ(static_cast<std::uint64_t>(FieldsDigest("")), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(static_cast<std::uint64_t>(FieldsDigest("abc")), 0x44BC2CF5AD770999ULL);
  // A longer one, cross-checked against an independent (Python) rendering of encoding.cc's steps.
  EXPECT_EQ(static_cast<std::uint64_t>(
                FieldsDigest(R"({"CF_WSH":"淮市监罚〔2024〕1号","CF_XDR_MC":"淮南市甲有限公司"})")),
            0xE49413F87F7A2823ULL);
  // "3320404949056263377|7|general|2024-03-15|2024-03-15||1", digested the same way.
  EXPECT_EQ(static_cast<std::uint64_t>(ContentDigest(FieldsDigest("{}"), 7, "general", "2024-03-15",
                                                     "2024-03-15", "", true)),
            0xE5EABDDDA18268E6ULL);
  EXPECT_NE(ContentDigest(1, 7, "general", "", "", "", true),
            ContentDigest(1, 7, "general", "", "", "", false));
}

TEST(SqliteStoreTest, RefusesAStoreFromANewerBuild) {
  const std::string path = (TempDir() / "newer.db").string();
  {
    ASSERT_OK_AND_ASSIGN(store, OpenSqliteStore(path));
    ASSERT_OK(store->Migrate());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "INSERT INTO schema_version (version, description, applied_at)"
                         " VALUES (999, 'from the future', 0)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ASSERT_OK_AND_ASSIGN(store, OpenSqliteStore(path));
  auto batch = store->BeginBatch(MakeBatch());
  ASSERT_THAT(batch, IsError(ErrorCode::kFailedPrecondition, "store.schema"));
  EXPECT_THAT(batch.error().message, HasSubstr("newer"));
  EXPECT_THAT(store->Migrate(), IsError(ErrorCode::kFailedPrecondition, "store.schema"));
}

TEST(SqliteStoreTest, MigratesAVersionOneStoreKeepingEveryVersion) {
  // A store written by a build at schema version 1 (every version in record_versions), with one
  // record corrected once: after Migrate the history reads the same, and a further correction
  // and an unchanged resubmission behave as on a fresh store.
  const std::string path = (TempDir() / "v1.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string v1 = std::string(
                             "CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
                             " description TEXT NOT NULL, applied_at INTEGER NOT NULL);") +
                         sqlite::Migrations()[0].sql +
                         R"sql(
INSERT INTO schema_version VALUES (1, 'v1', 0);
INSERT INTO batches VALUES (1, 'admin_penalty', '113404000030000145', 'a.csv', 'x', 'c', '[]', 10, '{}');
INSERT INTO batches VALUES (2, 'admin_penalty', '113404000030000145', 'b.csv', 'y', 'c', '[]', 20, '{}');
INSERT INTO subjects VALUES (1, 'organization', '91340400MA2MXJ7Y0E', NULL, NULL, '甲公司', 1, 340400, 10);
INSERT INTO records VALUES (1, 'admin_penalty', 'K1', 1, 2, 'active', 10, 20, 77);
INSERT INTO record_versions VALUES (1, 1, 1, '{"a":"1"}', 11, '2024-01-02', 'general', '2024-01-02', NULL, 1, '113404000030000145', 1, 5, 'h1', 10);
INSERT INTO record_versions VALUES (1, 2, 1, '{"a":"2"}', 12, '2024-01-03', 'serious', '2024-01-03', '2027-01-03', 1, '113404000030000145', 2, 6, 'h2', 20);
)sql";
  ASSERT_EQ(sqlite3_exec(db, v1.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);

  ASSERT_OK_AND_ASSIGN(store, OpenSqliteStore(path));
  ASSERT_OK(store->Migrate());
  ASSERT_OK_AND_ASSIGN(history, store->RecordHistory(1));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].version, 1);
  EXPECT_EQ(history[0].fields, (std::map<std::string, std::string>{{"a", "1"}}));
  EXPECT_EQ(history[0].raw_sm3, "h1");
  EXPECT_EQ(history[0].batch, 1);
  EXPECT_EQ(history[1].version, 2);
  EXPECT_EQ(history[1].fields, (std::map<std::string, std::string>{{"a", "2"}}));
  EXPECT_EQ(history[1].severity, Severity::kSerious);
  EXPECT_EQ(history[1].publicity_until, D(2027, 1, 3));
  EXPECT_EQ(history[1].row_no, 6);
  EXPECT_EQ(history[1].recorded_at, 20);

  RecordInput next;
  next.item = "admin_penalty";
  next.natural_key = "K1";
  next.fields = {{"a", "3"}};
  next.subject.uscc = "91340400MA2MXJ7Y0E";
  next.subject.name = "甲公司";
  next.dept = "113404000030000145";
  next.raw_sm3 = "h3";
  ASSERT_OK_AND_ASSIGN(tx, store->BeginBatch(MakeBatch()));
  ASSERT_OK_AND_ASSIGN(third, tx->Upsert(next));
  EXPECT_EQ(third.outcome, UpsertOutcome::kUpdated);
  EXPECT_EQ(third.version, 3);
  ASSERT_OK_AND_ASSIGN(again, tx->Upsert(next));
  EXPECT_EQ(again.outcome, UpsertOutcome::kUnchanged);
  ASSERT_OK(tx->Commit("{}"));
  ASSERT_OK_AND_ASSIGN(after, store->RecordHistory(1));
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[1].fields, history[1].fields);
  EXPECT_EQ(after[2].fields, next.fields);
}

// ---- PostgreSQL only: the server is another process, which can restart under a client

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(PostgresBaseUrl().empty())
        << "XY_TEST_POSTGRES_URL is not set: run store_test under scripts/with-postgres";
    location_ = PostgresFreshLocation();
    ASSERT_OK_AND_ASSIGN(store,
                         OpenPostgres(location_, OpenOptions{.now = [this] { return now_; }}));
    store_ = std::move(store);
    ASSERT_OK(store_->Migrate());
  }

  // Runs the with-postgres control script: restart, stop or start the server.
  static void Control(const std::string& action) {
    const char* ctl = std::getenv("XY_TEST_POSTGRES_CTL");
    ASSERT_NE(ctl, nullptr) << "XY_TEST_POSTGRES_CTL is not set: run under scripts/with-postgres";
    ASSERT_EQ(std::system((std::string(ctl) + " " + action).c_str()), 0) << action;
  }

  std::string location_;
  std::unique_ptr<Store> store_;
  Timestamp now_ = 1'700'000'000;
};

TEST_F(PostgresStoreTest, ServerRestartFailsTheBatchAndTheNextOneReconnects) {
  {
    ASSERT_OK_AND_ASSIGN(tx, store_->BeginBatch(MakeBatch("first.csv")));
    for (int i = 0; i < 100; ++i) {
      ASSERT_OK(tx->Upsert(Penalty("A-" + std::to_string(i), Uscc(i % 10), "公司")));
    }
    ASSERT_OK(tx->Commit("{}"));
  }
  const std::string after_first = PostgresDump(location_);

  {
    ASSERT_OK_AND_ASSIGN(tx, store_->BeginBatch(MakeBatch("lost.csv")));
    // Enough rows that some of them reached the server (64 are buffered at most) before it goes.
    for (int i = 0; i < 200; ++i) {
      ASSERT_OK(tx->Upsert(Penalty("B-" + std::to_string(i), Uscc(i % 30), "公司")));
    }
    ASSERT_OK(tx->Quarantine(Rejected(7, {"x"}, {"field.required"}, {"缺少"}, "h")));
    ASSERT_OK(tx->ReportCodeIssue(Issue("error", "X", "d")));
    Control("restart");
    EXPECT_THAT(tx->Upsert(Penalty("B-last", Uscc(99), "公司")),
                IsError(ErrorCode::kUnavailable, "store.connection"));
    // The batch is gone with the connection: nothing more is accepted into it.
    EXPECT_THAT(tx->Upsert(Penalty("B-more", Uscc(98), "公司")),
                IsError(ErrorCode::kAborted, "store.batch_aborted"));
    EXPECT_THAT(tx->Commit("{}"), IsError(ErrorCode::kAborted, "store.batch_aborted"));
  }
  EXPECT_TRUE(SameDump(PostgresDump(location_), after_first));

  // The next batch on the same Store object reconnects and commits.
  UpsertResult again;
  {
    ASSERT_OK_AND_ASSIGN(tx, store_->BeginBatch(MakeBatch("again.csv")));
    ASSERT_OK_AND_ASSIGN(r, tx->Upsert(Penalty("B-0", Uscc(0), "公司")));
    again = r;
    ASSERT_OK(tx->Commit("{}"));
  }
  EXPECT_EQ(again.outcome, UpsertOutcome::kAccepted);
  EXPECT_EQ(again.record, 101);  // no id was used up by the lost batch
  ASSERT_OK_AND_ASSIGN(batch, store_->GetBatch(2));
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->file_name, "again.csv");
  EXPECT_EQ(store_->CountRecords("").value_or(-1), 101);
  ASSERT_OK_AND_ASSIGN(issues, store_->ListCodeIssues());
  EXPECT_THAT(issues, IsEmpty());

  // A restart while the store is idle costs the next call nothing.
  Control("restart");
  ASSERT_OK_AND_ASSIGN(count, store_->CountRecords(""));
  EXPECT_EQ(count, 101);
}

TEST_F(PostgresStoreTest, ServerDownIsUnavailableUntilItIsBack) {
  Control("stop");
  EXPECT_THAT(store_->CountRecords(""), IsError(ErrorCode::kUnavailable, "store.connection"));
  auto tx = store_->BeginBatch(MakeBatch());
  EXPECT_THAT(tx, IsError(ErrorCode::kUnavailable, "store.connection"));
  if (!tx) {
    EXPECT_FALSE(tx.error().message_zh.empty());
  }
  const std::string fresh = PostgresBaseUrl();
  EXPECT_THAT(OpenStore(fresh, FixedClock(D(2024, 1, 1))),
              IsError(ErrorCode::kUnavailable, "store.open"));
  Control("start");
  ASSERT_OK_AND_ASSIGN(count, store_->CountRecords(""));
  EXPECT_EQ(count, 0);
  ASSERT_OK_AND_ASSIGN(batch, store_->BeginBatch(MakeBatch()));
  ASSERT_OK(batch->Upsert(Penalty("K1", Uscc(1), "甲公司")));
  ASSERT_OK(batch->Commit("{}"));
  EXPECT_EQ(store_->CountRecords("").value_or(-1), 1);
}

TEST_F(PostgresStoreTest, AWriterWaitsForTheOpenBatchThenTimesOut) {
  ASSERT_OK_AND_ASSIGN(tx, store_->BeginBatch(MakeBatch("first.csv")));
  ASSERT_OK(tx->Upsert(Penalty("K1", Uscc(1), "甲公司")));
  PostgresStoreOptions options;
  options.lock_timeout_ms = 300;
  ASSERT_OK_AND_ASSIGN(second, OpenPostgresStore(location_, options));
  EXPECT_THAT(second->BeginBatch(MakeBatch("second.csv")),
              IsError(ErrorCode::kUnavailable, "store.begin"));
  // Readers do not wait, and do not see the open batch.
  EXPECT_EQ(second->CountRecords("").value_or(-1), 0);
  ASSERT_OK(tx->Commit("{}"));
  ASSERT_OK_AND_ASSIGN(next, second->BeginBatch(MakeBatch("second.csv")));
  EXPECT_EQ(next->batch_id(), 2);
}

TEST_F(PostgresStoreTest, RefusesAStoreFromANewerBuild) {
  PGconn* conn = PQconnectdb(location_.c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  PGresult* r = PQexec(conn,
                       "INSERT INTO schema_version (version, description, applied_at)"
                       " VALUES (999, 'from the future', 0)");
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(conn);
  ASSERT_OK_AND_ASSIGN(store, OpenPostgres(location_, OpenOptions{}));
  auto batch = store->BeginBatch(MakeBatch());
  ASSERT_THAT(batch, IsError(ErrorCode::kFailedPrecondition, "store.schema"));
  EXPECT_THAT(batch.error().message, HasSubstr("newer"));
  EXPECT_THAT(store->Migrate(), IsError(ErrorCode::kFailedPrecondition, "store.schema"));
}

TEST_F(PostgresStoreTest, EmptyUrlPartsComeFromTheEnvironment) {
  // with-postgres exports PGHOST, PGPORT, PGUSER and PGDATABASE; libpq fills what the URL leaves
  // out. Each store gets a schema of its own through the PGOPTIONS variable.
  const char* database = std::getenv("PGDATABASE");
  ASSERT_NE(database, nullptr);
  const FixedClock clock(D(2024, 1, 1));
  for (const std::string& url :
       {std::string("postgresql://"), "postgresql:///" + std::string(database),
        std::string("postgres://")}) {
    const std::string location = PostgresFreshLocation();
    const std::string schema = location.substr(location.rfind("%3D") + 3);
    ASSERT_EQ(setenv("PGOPTIONS", ("-c search_path=" + schema).c_str(), 1), 0);
    auto store = OpenStore(url, clock);
    unsetenv("PGOPTIONS");
    ASSERT_TRUE(store.has_value()) << url << ": " << store.error().ToString();
    ASSERT_OK((*store)->Migrate());
    ASSERT_OK_AND_ASSIGN(tx, (*store)->BeginBatch(MakeBatch()));
    ASSERT_OK(tx->Upsert(Penalty("K1", Uscc(1), "甲公司")));
    ASSERT_OK(tx->Commit("{}"));
    EXPECT_THAT(PostgresDump(location), HasSubstr("|K1|"));
  }
}

}  // namespace
}  // namespace xy
