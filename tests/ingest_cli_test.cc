// Ingest through the real binary: files made by `xinyong gen` in every format, the receipt against
// the generator's sidecar of expected verdicts, the quarantine round trip, and a batch killed with
// SIGKILL at several moments and run again.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "subprocess.h"

namespace xy {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;
using subprocess::RunOptions;
using subprocess::RunResult;
using namespace std::chrono_literals;

// 淮南市市场监督管理局-like department code (valid GB 32100, category 11 机关).
constexpr const char* kDept = "113404000030000145";

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class IngestCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("xy_cli_ingest_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // A config of our own, so the key file lands in the temp folder, not in the source tree.
    std::string root = XY_SOURCE_DIR;
    std::ofstream(dir_ / "xinyong.toml")
        << "[catalog]\nlayers = [\"" << root << "/config/catalog/national\", \"" << root
        << "/config/catalog/340000-anhui\", \"" << root << "/config/catalog/340400-huainan\"]\n"
        << "[ingest]\nuscc_exceptions = \"" << root << "/config/uscc-exceptions.tsv\"\n"
        << "[keys]\nfile = \"" << (dir_ / "xy.keys").string() << "\"\n";
    ASSERT_TRUE(Ok(X({"init"}, "a")));
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Db(const std::string& name) const { return "sqlite:" + (dir_ / name).string(); }

  RunResult X(std::vector<std::string> args, const std::string& db = "a",
              RunOptions options = RunOptions{.timeout = 300s}) {
    args.insert(args.begin(), XY_BINARY);
    args.push_back("--db");
    args.push_back(Db(db + ".db"));
    args.push_back("--config");
    args.push_back((dir_ / "xinyong.toml").string());
    return subprocess::Run(std::move(args), "", options);
  }

  static ::testing::AssertionResult Ok(const RunResult& r) {
    if (r.exited() && r.exit_code == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << subprocess::Describe(r);
  }

  std::string Gen(const std::string& item, int rows, double error_rate, const std::string& name,
                  std::vector<std::string> extra = {}) {
    std::string out = (dir_ / name).string();
    std::vector<std::string> args = {"gen", "--item", item, "--rows", std::to_string(rows), "--seed",
                                     "42", "--error-rate", std::to_string(error_rate), "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = X(args);
    EXPECT_TRUE(Ok(r));
    return out;
  }

  // The sidecar: row_no → (verdict, reasons).
  static std::map<long, std::pair<std::string, std::string>> Expected(const std::string& file) {
    std::map<long, std::pair<std::string, std::string>> out;
    std::istringstream in(ReadAll(file + ".expected.tsv"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#' || line.starts_with("row_no")) continue;
      std::vector<std::string> cols;
      std::stringstream ls(line);
      std::string c;
      while (std::getline(ls, c, '\t')) cols.push_back(c);
      cols.resize(3);
      out[std::stol(cols[0])] = {cols[1], cols[2]};
    }
    return out;
  }

  Json Ingest(const std::string& item, const std::string& file, const std::string& db = "a") {
    RunResult r = X({"ingest", "--item", item, "--dept", kDept, file}, db);
    EXPECT_TRUE(Ok(r));
    return Json::parse(r.out.empty() ? "{}" : r.out);
  }

  fs::path dir_;
};

// Every row of a generated file ends as the sidecar says, in every file format.
TEST_F(IngestCliTest, ReceiptsMatchTheGeneratorsExpectationsInEveryFormat) {
  struct Format {
    std::string name;
    std::vector<std::string> extra;
  };
  const std::vector<Format> formats = {{"p.csv", {}},
                                       {"p-gb.csv", {"--encoding", "gb18030"}},
                                       {"p.xlsx", {}},
                                       {"p.jsonl", {}}};
  for (const Format& f : formats) {
    SCOPED_TRACE(f.name);
    std::string file = Gen("admin_penalty", 400, 0.2, f.name, f.extra);
    auto expected = Expected(file);
    ASSERT_EQ(expected.size(), 400u);
    long rejected = 0;
    std::map<std::string, long> reasons;
    for (const auto& [row, v] : expected) {
      if (v.first != "rejected") continue;
      ++rejected;
      std::stringstream rs(v.second);
      std::string reason;
      while (std::getline(rs, reason, ',')) ++reasons[reason];
    }
    Json receipt = Ingest("admin_penalty", file, "fmt_" + f.name);
    EXPECT_EQ(receipt["rows"], 400);
    EXPECT_EQ(receipt["rejected"], rejected);
    EXPECT_EQ(receipt["accepted"].get<long>() + receipt["updated"].get<long>() +
                  receipt["unchanged"].get<long>(),
              400 - rejected);
    for (const auto& [reason, n] : reasons) EXPECT_EQ(receipt["reasons"][reason], n) << reason;
    if (f.name == "p-gb.csv") {
      EXPECT_EQ(receipt["encoding"], "gb18030");
    }
  }
}

TEST_F(IngestCliTest, EveryCatalogueItemIngestsItsGeneratedFile) {
  for (const char* item : {"subject_registry", "admin_license", "admin_penalty", "judgment_debtor",
                           "tax_violation", "tax_a_rating", "wage_arrears", "abnormal_operation",
                           "serious_violation", "commitment", "honor"}) {
    SCOPED_TRACE(item);
    std::string file = Gen(item, 200, 0.1, std::string(item) + ".csv");
    auto expected = Expected(file);
    long rejected = 0;
    for (const auto& [row, v] : expected) rejected += v.first == "rejected";
    Json receipt = Ingest(item, file);
    EXPECT_EQ(receipt["rows"], 200);
    EXPECT_EQ(receipt["rejected"], rejected);
  }
}

TEST_F(IngestCliTest, QuarantineRoundTrip) {
  std::string file = Gen("admin_penalty", 300, 0.1, "q.csv");
  Json receipt = Ingest("admin_penalty", file);
  long rejected = receipt["rejected"];
  ASSERT_GT(rejected, 0);
  std::string out = (dir_ / "rejected.csv").string();
  ASSERT_TRUE(Ok(X({"quarantine", "--batch", std::to_string(receipt["batch_id"].get<long>()), "--out", out})));
  std::string csv = ReadAll(out);
  EXPECT_TRUE(csv.starts_with("\xEF\xBB\xBF"));
  EXPECT_THAT(csv, HasSubstr("错误原因代码,错误原因"));
  // Resubmitted unchanged, every row is rejected again for the same reasons.
  Json again = Ingest("admin_penalty", out);
  EXPECT_EQ(again["rows"], rejected);
  EXPECT_EQ(again["rejected"], rejected);
  EXPECT_EQ(again["reasons"], receipt["reasons"]);
  // An unknown batch is a clear error.
  RunResult missing = X({"quarantine", "--batch", "999"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("error: no batch 999"));
}

// A canonical dump of every table, without the columns that hold wall-clock times.
std::string Dump(const fs::path& db_path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::vector<std::string> tables;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name", -1, &st,
                     nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  std::string out;
  for (const std::string& t : tables) {
    out += "== " + t + "\n";
    // Rows come in insertion order, which is the same for two runs of the same batches.
    sqlite3_prepare_v2(db, ("SELECT * FROM \"" + t + "\"").c_str(), -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        std::string name = sqlite3_column_name(st, c);
        if (name.ends_with("_at") || name == "first_seen" || name == "last_seen") continue;
        const char* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
        std::string value = text ? text : "NULL";
        if (name == "receipt_json" && text) {
          Json j = Json::parse(value);
          j.erase("received_at");
          value = j.dump();
        }
        out += name + "=" + value + "|";
      }
      out += "\n";
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

TEST_F(IngestCliTest, KilledBatchesLeaveNothingAndARerunEqualsACleanRun) {
  std::string file = Gen("admin_penalty", 60000, 0.05, "big.csv");
  // The clean run, in its own store.
  ASSERT_TRUE(Ok(X({"init"}, "clean")));
  Json clean = Ingest("admin_penalty", file, "clean");
  ASSERT_EQ(clean["rows"], 60000);

  ASSERT_TRUE(Ok(X({"init"}, "killed")));
  int killed = 0;
  for (auto after : {150ms, 600ms, 1500ms}) {
    RunResult r = X({"ingest", "--item", "admin_penalty", "--dept", kDept, file}, "killed",
                    RunOptions{.timeout = after});
    if (!r.timed_out) continue;  // finished before the kill: nothing to learn from this moment
    ++killed;
    EXPECT_EQ(r.term_signal, SIGKILL);
    // Nothing of the killed batch is visible: no batch, no record.
    std::string dump = Dump(dir_ / "killed.db");
    EXPECT_EQ(dump.find("batch_id=1"), std::string::npos);
    EXPECT_THAT(Dump(dir_ / "killed.db"), ::testing::Not(HasSubstr("淮")));
  }
  ASSERT_GE(killed, 2) << "the batch finished too fast to be killed mid-way";
  Json rerun = Ingest("admin_penalty", file, "killed");
  EXPECT_EQ(rerun["batch_id"], clean["batch_id"]);
  EXPECT_EQ(rerun["accepted"], clean["accepted"]);
  EXPECT_EQ(Dump(dir_ / "killed.db"), Dump(dir_ / "clean.db"));
}

TEST_F(IngestCliTest, BatchLevelProblemsExitTwo) {
  RunResult unknown = X({"ingest", "--item", "nope", "--dept", kDept, "/dev/null"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("error: unknown catalogue item 'nope'"));
  RunResult missing = X({"ingest", "--item", "admin_penalty", "--dept", kDept, (dir_ / "none.csv").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(missing.err.starts_with("error: "));
  RunResult bad_dept = X({"ingest", "--item", "admin_penalty", "--dept", "123", "/dev/null"});
  EXPECT_EQ(bad_dept.exit_code, 2);
  EXPECT_THAT(bad_dept.err, HasSubstr("统一社会信用代码"));
}

TEST_F(IngestCliTest, CodesAuditReportsTheRateAndReviewsChangeIt) {
  std::string registry = Gen("subject_registry", 500, 0.02, "reg.csv");
  Ingest("subject_registry", registry);
  RunResult audit = X({"codes", "audit"});
  ASSERT_TRUE(Ok(audit));
  Json a = Json::parse(audit.out);
  EXPECT_GT(a["subjects"].get<long>(), 0);
  long errors = a["errors"];
  EXPECT_GT(errors, 0);
  EXPECT_DOUBLE_EQ(a["rate_per_10000"].get<double>(),
                   std::round((a["duplicates"].get<double>() + errors) / a["subjects"].get<double>() *
                              10000 * 100) / 100);
  long id = a["issues"][0]["id"];
  ASSERT_TRUE(Ok(X({"codes", "review", std::to_string(id), "--status", "cleared", "--reviewer", "王五",
                    "--note", "核对营业执照，代码无误"})));
  Json b = Json::parse(X({"codes", "audit"}).out);
  EXPECT_EQ(b["errors"].get<long>() + b["duplicates"].get<long>(),
            a["errors"].get<long>() + a["duplicates"].get<long>() - 1);
  RunResult bad = X({"codes", "review", std::to_string(id), "--status", "maybe", "--reviewer", "x"});
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
}  // namespace xy
