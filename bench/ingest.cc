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
//    quarantine, receipt — the whole batch, timed from the open of the file to the commit. On
//    PostgreSQL the store is a fresh schema of the named database (dropped at the end).
// Targets (issues): SQLite ≥ 150,000 rows/s and ≥ 60 % of the ceiling; PostgreSQL ≥ 100,000 rows/s
// and ≥ 70 % of the plain COPY.

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/calendar.h"
#include "base/crypto.h"
#include "ingest/catalog_loader.h"
#include "ingest/reader.h"
#include "services/generator.h"
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
  const std::string schema = "xy_bench_" + std::to_string(getpid());
  PGconn* admin = nullptr;
  if (postgres) {
    admin = PQconnectdb(db.c_str());
    if (PQstatus(admin) != CONNECTION_OK) Die(std::string("connect: ") + PQerrorMessage(admin));
    PgExec(admin, "SET client_min_messages = warning");  // DROP … CASCADE lists every table
    PgExec(admin, "CREATE SCHEMA " + schema);
  }
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

  // 3. xinyong, end to end.
  xy::FixedClock clock(xy::Date(std::chrono::year(2026), std::chrono::month(7), std::chrono::day(1)));
  const std::string store_url = postgres ? WithSchema(db, schema) : "sqlite:" + (dir / "xy.db").string();
  xy::Result<std::unique_ptr<xy::Store>> store = xy::OpenStore(store_url, clock);
  if (!store) Die(store.error().ToString());
  if (auto m = (*store)->Migrate(); !m) Die(m.error().ToString());
  xy::MasterKey key{};
  key.fill(42);
  xy::PersonalDataCipher cipher(key);
  xy::IngestDeps deps;
  deps.store = store->get();
  deps.catalog = &*catalog;
  deps.clock = &clock;
  deps.calendar = &xy::WorkingDayCalendar::Default();
  deps.cipher = &cipher;
  auto t1 = Clock::now();
  xy::Result<nlohmann::ordered_json> receipt =
      xy::RunIngest({"admin_penalty", "113404000030000145", csv, "", xy::TextEncoding::kAuto}, deps);
  double xy_s = Seconds(t1, Clock::now());
  if (!receipt) Die(receipt.error().ToString());

  double raw_rate = static_cast<double>(rows) / raw_s;
  double xy_rate = static_cast<double>(rows) / xy_s;
  std::printf("bench_ingest: %lld admin_penalty rows, CSV %.0f MB (generated in %.2f s)\n",
              static_cast<long long>(rows), static_cast<double>(fs::file_size(csv)) / 1e6, gen_s);
  if (postgres) {
    std::printf("  ceiling  plain PostgreSQL COPY    %8.2f s  %10.0f rows/s\n", raw_s, raw_rate);
  } else {
    std::printf("  ceiling  raw SQLite bulk insert   %8.2f s  %10.0f rows/s\n", raw_s, raw_rate);
  }
  std::printf("  xinyong  ingest end to end        %8.2f s  %10.0f rows/s  (%.0f %% of ceiling)\n",
              xy_s, xy_rate, 100.0 * xy_rate / raw_rate);
  std::printf("  receipt  accepted %lld, rejected %lld, unchanged %lld, updated %lld\n",
              (*receipt)["accepted"].get<long long>(), (*receipt)["rejected"].get<long long>(),
              (*receipt)["unchanged"].get<long long>(), (*receipt)["updated"].get<long long>());
  if (postgres) {
    std::printf("  targets  >= 100000 rows/s: %s;  >= 70 %% of plain COPY: %s\n",
                xy_rate >= 100000 ? "met" : "NOT met", xy_rate >= 0.7 * raw_rate ? "met" : "NOT met");
    store->reset();
    PgExec(admin, "DROP SCHEMA " + schema + " CASCADE");
    PQfinish(admin);
  } else {
    std::printf("  targets  >= 150000 rows/s: %s;  >= 60 %% of ceiling: %s\n",
                xy_rate >= 150000 ? "met" : "NOT met", xy_rate >= 0.6 * raw_rate ? "met" : "NOT met");
  }
  fs::remove_all(dir);
  return 0;
}
