// bench_ingest: 行政处罚 rows from a CSV file into a fresh store, end to end, beside the raw bulk-load
// rate of the same rows into the same database engine in the same run (the ceiling).
//
//   build/bench/bench_ingest [--rows N] [--seed S] [--dir DIR] [--db postgresql://…]
//
// 1. `xinyong gen`'s generator writes N admin_penalty rows (5 % with one planted problem) to CSV.
// 2. Ceiling: the same rows, read into memory first (not timed), then
//    - SQLite (default): inserted with one prepared INSERT of every cell into a plain table, in one
//      transaction, WAL + synchronous=NORMAL — what SQLite alone can do with these bytes;
//    - PostgreSQL (--db postgresql://…): one plain COPY … FROM STDIN (text format) of every cell into
//      a plain, logged table of text columns with no index, created beforehand, in one transaction —
//      what the server alone can do with these bytes.
// 3. xinyong: RunIngest on the file into a fresh store — reading, validation against the catalogue,
//    SM3 of every raw row, sealing personal fields, subject resolution, upsert by natural key,
//    quarantine, receipt — the whole batch, timed from the open of the file to the commit. Twice,
//    each time into a fresh store: first without the ledger key, then with one (a new SM2 key), as
//    `xinyong ingest` runs — every stored version also gets a leaf (SM3 of its content and of its
//    entry) in the batch's transaction, and the commit signs a tree head. Their ratio is what the
//    transparency ledger costs. On PostgreSQL each store is a fresh schema of the named database
//    (dropped at the end).
// Targets (issues), for the run with the ledger, which is how the platform ingests: SQLite
// ≥ 150,000 rows/s and ≥ 60 % of the ceiling; PostgreSQL ≥ 100,000 rows/s and ≥ 70 % of the plain
// COPY.

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/calendar.h"
#include "base/crypto.h"
#include "ingest/catalog_loader.h"
#include "ingest/reader.h"
#include "services/generator.h"
#include "ledger/tree_head.h"
#include "services/ingest_service.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench_ingest: %s\n", what.c_str());
  std::exit(2);
}

void Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) Die(std::string(sql) + ": " + err);
}

// The ceiling: every cell of every row into a plain table, one prepared statement, one transaction.
double RawInsertSeconds(const std::string& path, const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("open " + path);
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "PRAGMA synchronous=NORMAL");
  std::string create = "CREATE TABLE raw(", insert = "INSERT INTO raw VALUES(";
  for (std::size_t i = 0; i < header.size(); ++i) {
    create += (i ? ", c" : "c") + std::to_string(i) + " TEXT";
    insert += i ? ", ?" : "?";
  }
  Exec(db, (create + ")").c_str());
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, (insert + ")").c_str(), -1, &st, nullptr) != SQLITE_OK) Die("prepare");
  auto start = Clock::now();
  Exec(db, "BEGIN");
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      const std::string& v = i < row.size() ? row[i] : std::string();
      sqlite3_bind_text(st, static_cast<int>(i + 1), v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    }
    if (sqlite3_step(st) != SQLITE_DONE) Die("insert");
    sqlite3_reset(st);
  }
  Exec(db, "COMMIT");
  double s = Seconds(start, Clock::now());
  sqlite3_finalize(st);
  sqlite3_close(db);
  return s;
}

// ---- PostgreSQL

// A connection URL with `options` setting the search path to `schema`.
std::string WithSchema(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-c%20search_path%3D" +
         schema;
}

void PgExec(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(r);
  std::string error = PQresultErrorMessage(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Die(sql + ": " + error);
}

// Text-format COPY escaping of one cell: backslash, tab, newline, carriage return.
void AppendCopyText(std::string& out, const std::string& cell) {
  for (char c : cell) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

// The ceiling: every cell of every row into a plain logged table of text columns (no index), one
// COPY in one transaction; the COPY text is built as it is sent, as a client must.
double PgCopySeconds(const std::string& url, const std::vector<std::string>& header,
                     const std::vector<std::vector<std::string>>& rows) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) Die(std::string("connect: ") + PQerrorMessage(conn));
  std::string create = "CREATE TABLE raw (";
  for (std::size_t i = 0; i < header.size(); ++i) create += (i ? ", c" : "c") + std::to_string(i) + " text";
  PgExec(conn, create + ")");
  auto start = Clock::now();
  PgExec(conn, "BEGIN");
  PGresult* r = PQexec(conn, "COPY raw FROM STDIN");
  if (PQresultStatus(r) != PGRES_COPY_IN) Die(std::string("COPY: ") + PQresultErrorMessage(r));
  PQclear(r);
  std::string buffer;
  buffer.reserve(1 << 20);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (i) buffer += '\t';
      if (i < row.size()) AppendCopyText(buffer, row[i]);
    }
    buffer += '\n';
    if (buffer.size() >= (1 << 20)) {
      if (PQputCopyData(conn, buffer.data(), static_cast<int>(buffer.size())) != 1) Die("copy data");
      buffer.clear();
    }
  }
  if (!buffer.empty() && PQputCopyData(conn, buffer.data(), static_cast<int>(buffer.size())) != 1) {
    Die("copy data");
  }
  if (PQputCopyEnd(conn, nullptr) != 1) Die("copy end");
  r = PQgetResult(conn);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) Die(std::string("COPY: ") + PQresultErrorMessage(r));
  PQclear(r);
  while ((r = PQgetResult(conn)) != nullptr) PQclear(r);
  PgExec(conn, "COMMIT");
  double s = Seconds(start, Clock::now());
  PQfinish(conn);
  return s;
}

// The machine's load averages (1, 5, 15 minutes), so a figure can be read against what else ran.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double a = 0, b = 0, c = 0;
  if (!(in >> a >> b >> c)) return "unknown";
  char text[64];
  std::snprintf(text, sizeof text, "%.2f %.2f %.2f", a, b, c);
  return text;
}

struct IngestRun {
  double seconds = 0;
  nlohmann::ordered_json receipt;
  std::int64_t leaves = 0;  // the size of the last signed tree head
  std::size_t heads = 0;
};

// xinyong's ingest of the file into a fresh store at `url`, with the ledger when `ledger_key` is
// set; timed from the open of the file to the commit.
IngestRun RunXinyong(const std::string& url, const std::string& csv, const xy::Catalog& catalog,
                     const xy::Sm2KeyPair* ledger_key) {
  xy::FixedClock clock(
      xy::Date(std::chrono::year(2026), std::chrono::month(7), std::chrono::day(1)));
  xy::Result<std::unique_ptr<xy::Store>> store = xy::OpenStore(url, clock);
  if (!store) Die(store.error().ToString());
  if (auto m = (*store)->Migrate(); !m) Die(m.error().ToString());
  xy::MasterKey key{};
  key.fill(42);
  xy::PersonalDataCipher cipher(key);
  xy::IngestDeps deps;
  deps.store = store->get();
  deps.catalog = &catalog;
  deps.clock = &clock;
  deps.calendar = &xy::WorkingDayCalendar::Default();
  deps.cipher = &cipher;
  deps.ledger_key = ledger_key;
  IngestRun run;
  auto start = Clock::now();
  xy::Result<nlohmann::ordered_json> receipt = xy::RunIngest(
      {"admin_penalty", "113404000030000145", csv, "", xy::TextEncoding::kAuto}, deps);
  run.seconds = Seconds(start, Clock::now());
  if (!receipt) Die(receipt.error().ToString());
  run.receipt = std::move(*receipt);
  // The ledger run must have logged every stored version, and the other nothing.
  xy::Result<std::vector<xy::ledger::SignedTreeHead>> heads = (*store)->TreeHeads();
  if (!heads) Die(heads.error().ToString());
  run.heads = heads->size();
  run.leaves = heads->empty() ? 0 : heads->back().head.tree_size;
  const std::int64_t stored =
      run.receipt["accepted"].get<std::int64_t>() + run.receipt["updated"].get<std::int64_t>();
  if (ledger_key != nullptr ? (run.heads != 1 || run.leaves != stored) : run.heads != 0) {
    Die("the ledger holds " + std::to_string(run.leaves) + " leaves under " +
        std::to_string(run.heads) + " heads after storing " + std::to_string(stored) + " versions");
  }
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t rows = 1'000'000;
  std::uint64_t seed = 1;
  fs::path dir = fs::temp_directory_path() / ("xy_bench_ingest_" + std::to_string(getpid()));
  std::string db;  // empty: SQLite files in DIR
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--rows") rows = std::atoll(argv[i + 1]);
    else if (a == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--dir") dir = argv[i + 1];
    else if (a == "--db") db = argv[i + 1];
    else Die("usage: bench_ingest [--rows N] [--seed S] [--dir DIR] [--db postgresql://…]");
  }
  const bool postgres = db.starts_with("postgresql://") || db.starts_with("postgres://");
  if (!db.empty() && !postgres) Die("--db takes a postgresql:// URL (SQLite is the default)");
  // On PostgreSQL, a schema of this run's own: the ceiling's table and the store both live in it.
  // The run without the ledger gets a schema of its own.
  const std::string schema = "xy_bench_" + std::to_string(getpid());
  const std::string schema_off = schema + "_noledger";
  PGconn* admin = nullptr;
  if (postgres) {
    admin = PQconnectdb(db.c_str());
    if (PQstatus(admin) != CONNECTION_OK) Die(std::string("connect: ") + PQerrorMessage(admin));
    PgExec(admin, "SET client_min_messages = warning");  // DROP … CASCADE lists every table
    PgExec(admin, "CREATE SCHEMA " + schema);
    PgExec(admin, "CREATE SCHEMA " + schema_off);
  }
  const std::string load_before = LoadAverage();
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string root = XY_SOURCE_DIR;
  xy::Result<xy::Catalog> catalog = xy::LoadCatalog({root + "/config/catalog/national",
                                                     root + "/config/catalog/340000-anhui",
                                                     root + "/config/catalog/340400-huainan"});
  if (!catalog) Die(catalog.error().ToString());
  const xy::CatalogItem* item = catalog->Find("admin_penalty");

  // 1. The file.
  std::string csv = (dir / "penalties.csv").string();
  xy::GeneratorOptions gen;
  gen.rows = rows;
  gen.seed = seed;
  gen.error_rate = 0.05;
  auto t0 = Clock::now();
  xy::Result<xy::GenerateSummary> summary = xy::GenerateFile(*item, gen, csv, xy::OutputOptions{});
  if (!summary) Die(summary.error().ToString());
  double gen_s = Seconds(t0, Clock::now());

  // 2. The ceiling.
  xy::Result<std::unique_ptr<xy::Reader>> reader = xy::OpenReader(csv);
  if (!reader) Die(reader.error().ToString());
  std::vector<std::vector<std::string>> cells;
  cells.reserve(static_cast<std::size_t>(rows));
  while (true) {
    xy::Result<std::optional<xy::RawRow>> r = (*reader)->Next();
    if (!r) Die(r.error().ToString());
    if (!r->has_value()) break;
    cells.push_back(std::move((*r)->cells));
  }
  double raw_s = postgres ? PgCopySeconds(WithSchema(db, schema), (*reader)->header(), cells)
                         : RawInsertSeconds((dir / "raw.db").string(), (*reader)->header(), cells);
  cells.clear();
  cells.shrink_to_fit();

  // 3. xinyong, end to end: without the ledger, then with it, each into a fresh store.
  xy::Result<xy::Sm2KeyPair> ledger_key = xy::Sm2KeyPair::Generate();
  if (!ledger_key) Die(ledger_key.error().ToString());
  const IngestRun off = RunXinyong(
      postgres ? WithSchema(db, schema_off) : "sqlite:" + (dir / "xy_noledger.db").string(), csv,
      *catalog, nullptr);
  const IngestRun on =
      RunXinyong(postgres ? WithSchema(db, schema) : "sqlite:" + (dir / "xy.db").string(), csv,
                 *catalog, &*ledger_key);
  for (const char* count : {"accepted", "rejected", "unchanged", "updated"}) {
    if (on.receipt[count] != off.receipt[count])
      Die(std::string("the two runs differ in ") + count);
  }

  const double raw_rate = static_cast<double>(rows) / raw_s;
  const double on_rate = static_cast<double>(rows) / on.seconds;
  const double off_rate = static_cast<double>(rows) / off.seconds;
  std::printf("bench_ingest: %lld admin_penalty rows, CSV %.0f MB (generated in %.2f s)\n",
              static_cast<long long>(rows), static_cast<double>(fs::file_size(csv)) / 1e6, gen_s);
  if (postgres) {
    std::printf("  ceiling  plain PostgreSQL COPY         %8.2f s  %10.0f rows/s\n", raw_s,
                raw_rate);
  } else {
    std::printf("  ceiling  raw SQLite bulk insert        %8.2f s  %10.0f rows/s\n", raw_s,
                raw_rate);
  }
  std::printf(
      "  xinyong  ingest with the ledger        %8.2f s  %10.0f rows/s  (%.0f %% of ceiling)\n",
      on.seconds, on_rate, 100.0 * on_rate / raw_rate);
  std::printf(
      "  xinyong  ingest without the ledger     %8.2f s  %10.0f rows/s  (%.0f %% of ceiling)\n",
      off.seconds, off_rate, 100.0 * off_rate / raw_rate);
  std::printf(
      "  ledger   with/without = %.3f: the ledger costs %.1f %% of the rate (%lld leaves, %zu "
      "signed head)\n",
      on_rate / off_rate, 100.0 * (1.0 - on_rate / off_rate), static_cast<long long>(on.leaves),
      on.heads);
  std::printf("  receipt  accepted %lld, rejected %lld, unchanged %lld, updated %lld (both runs)\n",
              on.receipt["accepted"].get<long long>(), on.receipt["rejected"].get<long long>(),
              on.receipt["unchanged"].get<long long>(), on.receipt["updated"].get<long long>());
  if (postgres) {
    std::printf(
        "  targets  (the run with the ledger) >= 100000 rows/s: %s;  >= 70 %% of plain COPY: %s\n",
        on_rate >= 100000 ? "met" : "NOT met", on_rate >= 0.7 * raw_rate ? "met" : "NOT met");
    PgExec(admin, "DROP SCHEMA " + schema + " CASCADE");
    PgExec(admin, "DROP SCHEMA " + schema_off + " CASCADE");
    PQfinish(admin);
  } else {
    std::printf(
        "  targets  (the run with the ledger) >= 150000 rows/s: %s;  >= 60 %% of ceiling: %s\n",
        on_rate >= 150000 ? "met" : "NOT met", on_rate >= 0.6 * raw_rate ? "met" : "NOT met");
  }
  std::printf("  load     average (1, 5, 15 min) %s at the start, %s at the end; %u CPUs\n",
              load_before.c_str(), LoadAverage().c_str(), std::thread::hardware_concurrency());
  fs::remove_all(dir);
  return 0;
}
