// The evaluation through the real binary: files made by `xinyong gen` for several catalogue items
// ingested into one store, then `xinyong evaluate` (full and incremental), `evaluate show`,
// `evaluate recompute` and `inspect draw`, checked against the store itself (read with SQLite) and
// against each other: every registry subject has a result, reasons point at stored records, stored
// results recompute exactly, an incremental run equals a full run, and a draw is reproducible from
// its seed and never gives a subject an inspector who declared a conflict with it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/crypto.h"
#include "subprocess.h"

namespace xy {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;
using subprocess::RunOptions;
using subprocess::RunResult;
using namespace std::chrono_literals;

constexpr const char* kDept = "113404000030000145";
constexpr const char* kAsOf = "2026-06-30";
// Every item shares the generator's subject pool of this seed and size.
constexpr const char* kSeed = "42";
constexpr const char* kPool = "150";

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Rows of a query on the store, each row's columns joined by '|'.
std::vector<std::string> Query(const fs::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::vector<std::string> rows;
  while (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      const char* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
      row += (c > 0 ? "|" : "") + std::string(text != nullptr ? text : "NULL");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

std::int64_t QueryInt(const fs::path& db_path, const std::string& sql) {
  std::vector<std::string> rows = Query(db_path, sql);
  return rows.empty() ? -1 : std::stoll(rows[0]);
}

void Sql(const fs::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

std::string Sm3Hex(const std::string& text) {
  Sm3Hasher h;
  h.Update(text);
  return ToHex(h.Finish());
}

class EvaluateCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("xy_cli_evaluate_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::string root = XY_SOURCE_DIR;
    std::ofstream(dir_ / "xinyong.toml")
        << "[catalog]\nlayers = [\"" << root << "/config/catalog/national\", \"" << root
        << "/config/catalog/340000-anhui\", \"" << root << "/config/catalog/340400-huainan\"]\n"
        << "[ingest]\nuscc_exceptions = \"" << root << "/config/uscc-exceptions.tsv\"\n"
        << "[keys]\nfile = \"" << (dir_ / "xy.keys").string() << "\"\n"
        << "[models]\npublic = \"" << root << "/config/models/public-2024.toml\"\n"
        << "industry = \"" << root << "/config/models/industry\"\n";
    ASSERT_TRUE(Ok(X({"init"})));
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path DbPath() const { return dir_ / "a.db"; }

  RunResult X(std::vector<std::string> args) {
    args.insert(args.begin(), XY_BINARY);
    args.push_back("--db");
    args.push_back("sqlite:" + DbPath().string());
    args.push_back("--config");
    args.push_back((dir_ / "xinyong.toml").string());
    return subprocess::Run(std::move(args), "", RunOptions{.timeout = 300s});
  }

  static ::testing::AssertionResult Ok(const RunResult& r) {
    if (r.exited() && r.exit_code == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << subprocess::Describe(r);
  }

  Json Run(std::vector<std::string> args) {
    RunResult r = X(std::move(args));
    EXPECT_TRUE(Ok(r));
    return Json::parse(r.out.empty() ? "{}" : r.out);
  }

  // Generates `rows` rows of `item` from the shared pool and ingests them.
  Json GenIngest(const std::string& item, int rows, const std::string& name) {
    const std::string file = (dir_ / name).string();
    EXPECT_TRUE(Ok(X({"gen", "--item", item, "--rows", std::to_string(rows), "--seed", kSeed,
                      "--pool", kPool, "--out", file})));
    return Run({"ingest", "--item", item, "--dept", kDept, file});
  }

  // A small synthetic 淮南: the registry of the pool and records of eight items.
  void Populate() {
    const std::vector<std::pair<std::string, int>> items = {{"subject_registry", 150},
                                                            {"admin_penalty", 240},
                                                            {"admin_license", 150},
                                                            {"commitment", 120},
                                                            {"judgment_debtor", 30},
                                                            {"tax_a_rating", 60},
                                                            {"honor", 40},
                                                            {"abnormal_operation", 30}};
    for (const auto& [item, rows] : items) {
      Json receipt = GenIngest(item, rows, item + ".csv");
      ASSERT_EQ(receipt["rejected"], 0) << item;
    }
  }

  // A run's results as "subject|score|grade|industries|detail" rows.
  std::vector<std::string> Results(std::int64_t run) {
    return Query(DbPath(),
                 "SELECT r.subject_id, r.score, r.grade, r.industries, d.detail_json FROM"
                 " evaluation_results r JOIN evaluation_details d ON d.run_id = r.run_id"
                 " AND d.subject_id = r.subject_id WHERE r.run_id = " +
                     std::to_string(run) + " ORDER BY r.subject_id");
  }

  fs::path dir_;
};

// The distribution, and (with a previous run) the migration matrix and PSI, add up.
void ExpectConsistentStatistics(const Json& run) {
  const std::int64_t subjects = run["subjects"];
  std::int64_t total = 0;
  for (const Json& g : run["distribution"]["grades"]) total += g["count"].get<std::int64_t>();
  EXPECT_EQ(total, subjects);
  EXPECT_EQ(run["distribution"]["total"], subjects);
  if (run["migration"].is_null()) return;
  const Json& m = run["migration"];
  std::int64_t in_both = 0, fresh = 0;
  for (const Json& row : m["matrix"]) {
    for (const Json& n : row) in_both += n.get<std::int64_t>();
  }
  for (const Json& n : m["new_subjects"]) fresh += n.get<std::int64_t>();
  EXPECT_EQ(in_both + fresh, subjects);
  EXPECT_EQ(m["stayed"].get<std::int64_t>() + m["upgraded"].get<std::int64_t>() +
                m["downgraded"].get<std::int64_t>(),
            in_both);
  ASSERT_FALSE(run["psi"].is_null());
  std::int64_t previous = 0, current = 0;
  for (const Json& b : run["psi"]["bins"]) {
    previous += b["previous"].get<std::int64_t>();
    current += b["current"].get<std::int64_t>();
  }
  EXPECT_EQ(current, subjects);
  EXPECT_GT(previous, 0);
  EXPECT_FALSE(run["psi"]["value"].get<std::string>().empty());
}

TEST_F(EvaluateCliTest, FullRunCoversEveryRegistrySubjectWithReasonsThatRecompute) {
  Populate();
  const Json run = Run({"evaluate", "--as-of", kAsOf});
  EXPECT_EQ(run["run_id"], 1);
  EXPECT_EQ(run["mode"], "full");
  EXPECT_EQ(run["as_of"], kAsOf);
  EXPECT_THAT(run["model_version"].get<std::string>(), HasSubstr("public-2024@2024.1+"));
  EXPECT_TRUE(run["previous_run"].is_null());
  EXPECT_TRUE(run["migration"].is_null());
  EXPECT_TRUE(run["psi"].is_null());
  // Every subject but the natural persons, and nobody twice.
  EXPECT_EQ(run["subjects"],
            QueryInt(DbPath(), "SELECT count(*) FROM subjects WHERE kind <> 'person'"));
  EXPECT_EQ(run["evaluated"], run["subjects"]);
  ExpectConsistentStatistics(run);

  // Every registered subject has a result, also those with no other record.
  EXPECT_EQ(QueryInt(DbPath(),
                     "SELECT count(*) FROM records r WHERE r.item = 'subject_registry' AND"
                     " NOT EXISTS (SELECT 1 FROM evaluation_results e WHERE e.run_id = 1"
                     " AND e.subject_id = r.subject_id)"),
            0);
  const std::vector<std::string> lonely =
      Query(DbPath(),
            "SELECT s.uscc FROM subjects s JOIN records r ON r.subject_id = s.id AND"
            " r.item = 'subject_registry' WHERE (SELECT count(*) FROM records x WHERE"
            " x.subject_id = s.id) = 1 ORDER BY s.id LIMIT 1");
  ASSERT_EQ(lonely.size(), 1u) << "the pool should leave some registered subject without records";
  const Json quiet = Run({"evaluate", "show", "--subject", lonely[0]});
  EXPECT_EQ(quiet["subject"]["uscc"], lonely[0]);
  EXPECT_GE(quiet["score"].get<int>(), 0);
  EXPECT_EQ(quiet["dimensions"].size(), 6u);
  for (const Json& r : quiet["reasons"]) EXPECT_TRUE(r["record_ids"].empty()) << r.dump();

  // A subject with penalties: its reasons name records that exist, of the items they count.
  const std::vector<std::string> penalised =
      Query(DbPath(),
            "SELECT s.uscc FROM subjects s JOIN evaluation_details e ON e.subject_id = s.id"
            " AND e.run_id = 1 WHERE e.detail_json LIKE '%\"penalty_general\"%' ORDER BY s.id"
            " LIMIT 1");
  ASSERT_EQ(penalised.size(), 1u);
  const Json shown = Run({"evaluate", "show", "--subject", penalised[0], "--run", "1"});
  EXPECT_EQ(shown["run_id"], 1);
  bool saw_penalty = false;
  for (const Json& r : shown["reasons"]) {
    EXPECT_FALSE(r["name"].get<std::string>().empty()) << r.dump();
    for (const Json& id : r["record_ids"]) {
      const std::vector<std::string> item =
          Query(DbPath(), "SELECT item, subject_id FROM records WHERE id = " +
                              std::to_string(id.get<std::int64_t>()));
      ASSERT_EQ(item.size(), 1u) << "reason " << r["indicator"] << " names record " << id;
      EXPECT_EQ(item[0].substr(item[0].find('|') + 1),
                std::to_string(shown["subject"]["id"].get<std::int64_t>()));
      if (r["indicator"] == "penalty_general") {
        saw_penalty = true;
        EXPECT_EQ(item[0].substr(0, item[0].find('|')), "admin_penalty");
      }
    }
  }
  EXPECT_TRUE(saw_penalty);

  // Every stored result recomputes exactly; a tampered one is named.
  const Json ok = Run({"evaluate", "recompute", "--run", "1"});
  EXPECT_EQ(ok["ok"], true);
  EXPECT_EQ(ok["checked"], run["subjects"]);
  EXPECT_EQ(ok["matched"], run["subjects"]);
  const Json one = Run({"evaluate", "recompute", "--run", "1", "--subject", penalised[0]});
  EXPECT_EQ(one["checked"], 1);
  EXPECT_EQ(one["ok"], true);
  Sql(DbPath(),
      "UPDATE evaluation_results SET score = score + 1 WHERE run_id = 1 AND subject_id = " +
          std::to_string(shown["subject"]["id"].get<std::int64_t>()));
  RunResult bad = X({"evaluate", "recompute", "--run", "1"});
  EXPECT_EQ(bad.exit_code, 1) << subprocess::Describe(bad);
  const Json report = Json::parse(bad.out);
  EXPECT_EQ(report["ok"], false);
  ASSERT_EQ(report["mismatches"].size(), 1u);
  EXPECT_EQ(report["mismatches"][0]["uscc"], penalised[0]);
  EXPECT_THAT(report["mismatches"][0]["what"].get<std::string>(), HasSubstr("recomputed"));
  EXPECT_THAT(bad.err, HasSubstr("error: subject"));
  EXPECT_THAT(bad.err, HasSubstr(penalised[0]));
}

TEST_F(EvaluateCliTest, IncrementalRunEqualsAFullRunAndOldRunsStillRecompute) {
  Populate();
  const Json first = Run({"evaluate", "--as-of", kAsOf});
  const std::int64_t snapshot = first["snapshot_batch"];

  // New penalties (the first 240 rows again, unchanged, and 60 more) and a corrected licence.
  const Json more = GenIngest("admin_penalty", 300, "admin_penalty-2.csv");
  EXPECT_EQ(more["unchanged"], 240);
  EXPECT_EQ(more["accepted"], 60);
  std::string licences = ReadAll(dir_ / "admin_license.csv");
  const std::size_t eol = licences.find('\n', licences.find('\n') + 1);
  licences.insert(licences.rfind('\r', eol) == eol - 1 ? eol - 1 : eol, "（变更）");
  std::ofstream(dir_ / "admin_license-2.csv", std::ios::binary) << licences;
  const Json corrected = Run({"ingest", "--item", "admin_license", "--dept", kDept,
                              (dir_ / "admin_license-2.csv").string()});
  EXPECT_EQ(corrected["updated"], 1) << corrected.dump();

  const std::int64_t touched =
      QueryInt(DbPath(),
               "SELECT count(DISTINCT r.subject_id) FROM records r JOIN subjects s ON s.id ="
               " r.subject_id WHERE s.kind <> 'person' AND r.batch_id > " +
                   std::to_string(snapshot));
  ASSERT_GT(touched, 0);
  const Json incremental = Run({"evaluate", "--incremental"});
  EXPECT_EQ(incremental["mode"], "incremental");
  EXPECT_EQ(incremental["base_run"], 1);
  EXPECT_EQ(incremental["as_of"], kAsOf);
  EXPECT_EQ(incremental["evaluated"], touched);
  EXPECT_EQ(incremental["carried_over"].get<std::int64_t>() + touched,
            incremental["subjects"].get<std::int64_t>());
  EXPECT_EQ(incremental["previous_run"], 1);
  ExpectConsistentStatistics(incremental);

  const Json full = Run({"evaluate", "--full", "--as-of", kAsOf});
  EXPECT_EQ(full["previous_run"], 2);
  ExpectConsistentStatistics(full);
  EXPECT_EQ(full["subjects"], incremental["subjects"]);
  const std::vector<std::string> inc = Results(2);
  const std::vector<std::string> all = Results(3);
  ASSERT_EQ(inc.size(), all.size());
  for (std::size_t i = 0; i < inc.size(); ++i) EXPECT_EQ(inc[i], all[i]);
  // Against itself, nothing moved.
  EXPECT_EQ(full["migration"]["stayed"], full["subjects"]);
  EXPECT_EQ(full["psi"]["value"], "0");

  // Every run recomputes from its own snapshot, the first one although records changed since.
  for (const char* run : {"1", "2", "3"}) {
    const Json r = Run({"evaluate", "recompute", "--run", run});
    EXPECT_EQ(r["ok"], true) << run << ": " << r.dump();
  }

  // Nothing changed since run 3: an incremental run evaluates nobody and carries everything.
  const Json idle = Run({"evaluate", "--incremental"});
  EXPECT_EQ(idle["evaluated"], 0);
  EXPECT_EQ(idle["carried_over"], idle["subjects"]);

  // An incremental run keeps the base run's date.
  RunResult other_date = X({"evaluate", "--incremental", "--as-of", "2026-07-01"});
  EXPECT_EQ(other_date.exit_code, 2);
  EXPECT_THAT(other_date.err, HasSubstr("全量评价"));
}

TEST_F(EvaluateCliTest, RefusesWhatItCannotDo) {
  RunResult no_base = X({"evaluate", "--incremental"});
  EXPECT_EQ(no_base.exit_code, 2);
  EXPECT_THAT(no_base.err, HasSubstr("error: an incremental evaluation needs an earlier run"));
  RunResult no_run = X({"evaluate", "recompute", "--run", "7"});
  EXPECT_EQ(no_run.exit_code, 2);
  EXPECT_THAT(no_run.err, HasSubstr("no evaluation run 7"));
  RunResult both = X({"evaluate", "--full", "--incremental"});
  EXPECT_EQ(both.exit_code, 2);
  RunResult bad_date = X({"evaluate", "--as-of", "2026-02-30"});
  EXPECT_EQ(bad_date.exit_code, 2);
  Populate();
  ASSERT_TRUE(Ok(X({"evaluate", "--as-of", kAsOf})));
  RunResult unknown = X({"evaluate", "show", "--subject", "91340400MA0000000X"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("主体不存在"));
}

TEST_F(EvaluateCliTest, DrawIsReproducibleAndNeverAssignsAConflictedInspector) {
  Populate();
  ASSERT_TRUE(Ok(X({"evaluate", "--as-of", kAsOf})));
  // A subject the draw is sure to pick: the whole of its class is drawn (ratio 1).
  const std::vector<std::string> worst =
      Query(DbPath(),
            "SELECT s.id, s.uscc, e.grade FROM evaluation_results e JOIN subjects s ON"
            " s.id = e.subject_id WHERE e.run_id = 1 ORDER BY e.score, s.id LIMIT 1");
  ASSERT_EQ(worst.size(), 1u);
  const std::string worst_id = worst[0].substr(0, worst[0].find('|'));
  const std::string worst_uscc = worst[0].substr(worst[0].find('|') + 1, 18);
  const std::string worst_class = worst[0].substr(worst[0].rfind('|') + 1);
  std::ostringstream task_text;
  task_text
      << "code = \"2026-test-001\"\nname = \"测试抽查任务\"\ndepartment = \"11340400MB0000000X\"\n"
      << "[population]\nregions = [\"340400\"]\nkinds = [\"法人及非法人组织\", \"个体工商户\"]\n";
  // The worst subject's class is drawn whole (a policy allows it), the others in part.
  const std::map<std::string, std::string> ratios = {
      {"A", "0.05"}, {"B", "0.2"}, {"C", "0.6"}, {"D", "0.8"}};
  for (const auto& [cls, ratio] : ratios) {
    task_text << "[[classes]]\nclass = \"" << cls
              << "\"\nratio = " << (cls == worst_class ? "1.0" : ratio) << "\n";
  }
  task_text << "[[policy]]\nclass = \"" << worst_class << "\"\nlow = 0\nhigh = 1\n";
  task_text
      << "[[inspectors]]\nid = \"ZF001\"\nname = \"甲\"\ndepartment = \"11340400MB0000000X\"\n"
      << "conflict_codes = [\"" << worst_uscc << "\", \"91340400MA0000000X\"]\n"
      << "[[inspectors]]\nid = \"ZF002\"\nname = \"乙\"\ndepartment = \"11340400MB0000000X\"\n"
      << "[[inspectors]]\nid = \"ZF003\"\nname = \"丙\"\ndepartment = \"11340400MB0000000X\"\n"
      << "[[inspectors]]\nid = \"ZF004\"\nname = \"丁\"\ndepartment = \"11340400MB0000000X\"\n"
      << "conflict_departments = [\"11340400MB0000000X\"]\n";
  const std::string task = (dir_ / "task.toml").string();
  std::ofstream(task) << task_text.str();
  const std::string population = (dir_ / "population.tsv").string();
  RunResult a =
      X({"inspect", "draw", "--task", task, "--seed", "7", "--population-out", population});
  ASSERT_TRUE(Ok(a));
  RunResult again = X({"inspect", "draw", "--task", task, "--seed", "7"});
  ASSERT_TRUE(Ok(again));
  EXPECT_EQ(a.out, again.out);  // same population, task and seed: the same draw, byte for byte
  RunResult other = X({"inspect", "draw", "--task", task, "--seed", "8"});
  ASSERT_TRUE(Ok(other));
  const Json d = Json::parse(a.out);
  const Json e = Json::parse(other.out);
  EXPECT_NE(d["assignments"], e["assignments"]);
  EXPECT_EQ(d["population_digest"], e["population_digest"]);

  EXPECT_EQ(d["algorithm"], "xinyong-draw/1");
  EXPECT_EQ(d["seed"], "7");
  EXPECT_EQ(d["run_id"], 1);
  EXPECT_EQ(d["excluded_inspectors"], Json::array({"ZF004"}));
  EXPECT_EQ(d["unresolved_conflict_codes"], Json::array({"91340400MA0000000X"}));
  std::int64_t selected = 0, population_size = 0;
  for (const Json& c : d["classes"]) {
    selected += c["selected"].get<std::int64_t>();
    population_size += c["population"].get<std::int64_t>();
    if (c["class"] == worst_class) {
      EXPECT_EQ(c["selected"], c["population"]);
    }
  }
  EXPECT_EQ(population_size, d["population"]);
  ASSERT_EQ(d["assignments"].size(), static_cast<std::size_t>(selected));
  bool saw_worst = false;
  for (const Json& x : d["assignments"]) {
    const std::string first = x["inspectors"][0], second = x["inspectors"][1];
    EXPECT_NE(first, second);
    for (const std::string& i : {first, second}) EXPECT_NE(i, "ZF004");
    if (std::to_string(x["subject_id"].get<std::int64_t>()) == worst_id) {
      saw_worst = true;
      EXPECT_EQ(x["uscc"], worst_uscc);
      EXPECT_NE(first, "ZF001");
      EXPECT_NE(second, "ZF001");
    }
  }
  EXPECT_TRUE(saw_worst);

  // The published population reproduces both digests: ids in ascending numeric order, codes in
  // byte order, one a line.
  std::vector<std::int64_t> ids;
  std::vector<std::string> codes;
  std::istringstream lines(ReadAll(population));
  std::string line;
  while (std::getline(lines, line)) {
    const std::size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    ids.push_back(std::stoll(line.substr(0, t1)));
    codes.push_back(line.substr(t1 + 1, t2 - t1 - 1));
  }
  ASSERT_EQ(static_cast<std::int64_t>(ids.size()), d["population"].get<std::int64_t>());
  std::sort(ids.begin(), ids.end());
  std::sort(codes.begin(), codes.end());
  std::string id_text, code_text;
  for (std::int64_t id : ids) id_text += std::to_string(id) + "\n";
  for (const std::string& c : codes) code_text += c + "\n";
  EXPECT_EQ(d["population_digest"], Sm3Hex(id_text));
  EXPECT_EQ(d["uscc_digest"], Sm3Hex(code_text));
}

}  // namespace
}  // namespace xy
