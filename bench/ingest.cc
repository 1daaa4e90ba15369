// bench_ingest: 行政处罚 rows from a CSV file into a fresh store, end to end, beside the raw SQLite
// bulk-insert rate of the same rows in the same run (the ceiling).
//
//   build/bench/bench_ingest [--rows N] [--seed S] [--dir DIR]
//
// 1. `xinyong gen`'s generator writes N admin_penalty rows (5 % with one planted problem) to CSV.
// 2. Ceiling: the same rows, read into memory first (not timed), inserted with one prepared INSERT
//    of every cell into a plain table, in one transaction, WAL + synchronous=NORMAL — what SQLite
//    alone can do with these bytes.
// 3. xinyong: RunIngest on the file into a fresh store — reading, validation against the catalogue,
//    SM3 of every raw row, sealing personal fields, subject resolution, upsert by natural key,
//    quarantine, receipt — the whole batch, timed from the open of the file to the commit.
// Targets (issue): ≥ 150,000 rows/s and ≥ 60 % of the ceiling.

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

}  // namespace

int main(int argc, char** argv) {
  std::int64_t rows = 1'000'000;
  std::uint64_t seed = 1;
  fs::path dir = fs::temp_directory_path() / ("xy_bench_ingest_" + std::to_string(getpid()));
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--rows") rows = std::atoll(argv[i + 1]);
    else if (a == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--dir") dir = argv[i + 1];
    else Die("usage: bench_ingest [--rows N] [--seed S] [--dir DIR]");
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
  double raw_s = RawInsertSeconds((dir / "raw.db").string(), (*reader)->header(), cells);
  cells.clear();
  cells.shrink_to_fit();

  // 3. xinyong, end to end.
  xy::FixedClock clock(xy::Date(std::chrono::year(2026), std::chrono::month(7), std::chrono::day(1)));
  xy::Result<std::unique_ptr<xy::Store>> store = xy::OpenStore("sqlite:" + (dir / "xy.db").string(), clock);
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
  std::printf("  ceiling  raw SQLite bulk insert   %8.2f s  %10.0f rows/s\n", raw_s, raw_rate);
  std::printf("  xinyong  ingest end to end        %8.2f s  %10.0f rows/s  (%.0f %% of ceiling)\n",
              xy_s, xy_rate, 100.0 * xy_rate / raw_rate);
  std::printf("  receipt  accepted %lld, rejected %lld, unchanged %lld, updated %lld\n",
              (*receipt)["accepted"].get<long long>(), (*receipt)["rejected"].get<long long>(),
              (*receipt)["unchanged"].get<long long>(), (*receipt)["updated"].get<long long>());
  std::printf("  targets  >= 150000 rows/s: %s;  >= 60 %% of ceiling: %s\n",
              xy_rate >= 150000 ? "met" : "NOT met", xy_rate >= 0.6 * raw_rate ? "met" : "NOT met");
  fs::remove_all(dir);
  return 0;
}
