// Ingest through the real binary: files made by `xinyong gen` in every format, the receipt against
// the generator's sidecar of expected verdicts, the quarantine round trip, a batch killed with
// SIGKILL at several moments and run again, and the transparency ledger over what was stored.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/crypto.h"
#include "ledger/proof_bundle.h"
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
// Equal dumps, or the first line where they part (gtest's own diff of two dumps of this size
// would need more memory than the machine has).
::testing::AssertionResult SameDump(const std::string& a, const std::string& b) {
  if (a == b) return ::testing::AssertionSuccess();
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(sa, la));
    const bool more_b = static_cast<bool>(std::getline(sb, lb));
    if (!more_a || !more_b || la != lb) {
      return ::testing::AssertionFailure() << "dumps differ at line " << line << ":\n  "
                                           << la.substr(0, 400) << "\n  " << lb.substr(0, 400);
    }
  }
}

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
        // Times differ between runs, and so do SM2 signatures (each is randomised).
        if (name.ends_with("_at") || name == "first_seen" || name == "last_seen" ||
            name == "timestamp" || name == "signature") {
          continue;
        }
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
  EXPECT_TRUE(SameDump(Dump(dir_ / "killed.db"), Dump(dir_ / "clean.db")));
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

namespace xy {
namespace {

std::vector<Sm3Digest> DigestsFromJson(const Json& hexes) {
  std::vector<Sm3Digest> out;
  for (const Json& h : hexes) {
    Result<std::vector<std::uint8_t>> bytes = FromHex(h.get<std::string>());
    EXPECT_TRUE(bytes.has_value() && bytes->size() == kSm3Size);
    Sm3Digest d{};
    if (bytes && bytes->size() == kSm3Size) std::copy(bytes->begin(), bytes->end(), d.begin());
    out.push_back(d);
  }
  return out;
}

// Checks a `ledger proof` output the way an outside tool would: only the JSON and its public key.
::testing::AssertionResult ProofChecksOut(const std::string& json) {
  const Json j = Json::parse(json);
  Result<std::vector<std::uint8_t>> entry = FromHex(j["entry"].get<std::string>());
  if (!entry) return ::testing::AssertionFailure() << "entry is not hex";
  const Json& th = j["tree_head"];
  Result<ledger::SignedTreeHead> head = ledger::FromText(
      {th["tree_size"].get<std::int64_t>(), th["root"].get<std::string>(),
       th["timestamp"].get<std::int64_t>(), th["signature"].get<std::string>()});
  if (!head) return ::testing::AssertionFailure() << head.error().ToString();
  ledger::InclusionBundle bundle{.entry = std::string(entry->begin(), entry->end()),
                                 .leaf_index = j["leaf_index"].get<std::int64_t>(),
                                 .inclusion_path = DigestsFromJson(j["inclusion_path"]),
                                 .tree_head = *head};
  Result<bool> ok = ledger::VerifyInclusionBundle(j["public_key"].get<std::string>(), bundle);
  if (!ok) return ::testing::AssertionFailure() << ok.error().ToString();
  if (!*ok) return ::testing::AssertionFailure() << "the proof does not verify: " << json;
  return ::testing::AssertionSuccess();
}

void Sql(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(h);
}

// The problems `ledger verify` reported, as "kind record" strings (record 0 for non-record ones).
std::vector<std::string> Problems(const Json& verify) {
  std::vector<std::string> out;
  for (const Json& p : verify["problems"]) {
    out.push_back(p["kind"].get<std::string>() + " " + std::to_string(p.value("record", 0)));
  }
  return out;
}

// Every stored version gets a leaf; verify recomputes them and the signed roots; a proof checks
// out with nothing but its JSON; a record changed or deleted behind the store's back is named, and
// tampering with the ledger's own tables is caught by the hashes and signatures.
TEST_F(IngestCliTest, LedgerVerifiesProvesAndNamesTamperedRecords) {
  const std::string file = Gen("admin_penalty", 200, 0.0, "p.csv");
  ASSERT_EQ(Ingest("admin_penalty", file)["accepted"], 200);
  // A correction of the first data row: a second version, the first archived with its leaf.
  std::string text = ReadAll(file);
  const std::size_t eol = text.find('\n', text.find('\n') + 1);
  text.insert(text.rfind('\r', eol) == eol - 1 ? eol - 1 : eol, "更正");
  const std::string corrected = (dir_ / "p2.csv").string();
  std::ofstream(corrected, std::ios::binary) << text;
  const Json second = Ingest("admin_penalty", corrected);
  ASSERT_EQ(second["updated"], 1) << second.dump();
  ASSERT_EQ(second["unchanged"], 199);

  RunResult verify = X({"ledger", "verify"});
  ASSERT_TRUE(Ok(verify));
  const Json v = Json::parse(verify.out);
  EXPECT_EQ(v["ok"], true);
  EXPECT_EQ(v["leaves"], 201);
  EXPECT_EQ(v["record_versions"], 201);
  EXPECT_EQ(v["tree_heads"], 2);  // one per batch that stored something

  RunResult current = X({"ledger", "proof", "--record", "1"});
  ASSERT_TRUE(Ok(current));
  EXPECT_TRUE(ProofChecksOut(current.out));
  RunResult first = X({"ledger", "proof", "--record", "1", "--version", "1"});
  ASSERT_TRUE(Ok(first));
  EXPECT_TRUE(ProofChecksOut(first.out));
  EXPECT_NE(Json::parse(first.out)["leaf_index"], Json::parse(current.out)["leaf_index"]);
  RunResult none = X({"ledger", "proof", "--record", "999999"});
  EXPECT_EQ(none.exit_code, 2) << subprocess::Describe(none);
  EXPECT_THAT(none.err, HasSubstr("no record 999999"));

  // Tampering with the ledger's own tables, on a copy.
  fs::copy_file(dir_ / "a.db", dir_ / "b.db");
  Sql(dir_ / "b.db", "UPDATE ledger_leaves SET leaf_hash = zeroblob(32) WHERE idx = 3");
  Sql(dir_ / "b.db", "UPDATE ledger_heads SET signature = x'3006020101020101' WHERE tree_size = 200");
  RunResult leaves = X({"ledger", "verify"}, "b");
  EXPECT_EQ(leaves.exit_code, 1) << subprocess::Describe(leaves);
  EXPECT_THAT(Problems(Json::parse(leaves.out)),
              ::testing::UnorderedElementsAre("head.signature 0", "leaf.hash 0", "head.root 0",
                                              "head.root 0"));

  // A record changed, another deleted, directly in the database.
  Sql(dir_ / "a.db", "UPDATE records SET fields_json = replace(fields_json, '\"CF_', '\"cf_') WHERE id = 5");
  Sql(dir_ / "a.db", "DELETE FROM records WHERE id = 9");
  RunResult tampered = X({"ledger", "verify"});
  EXPECT_EQ(tampered.exit_code, 1) << subprocess::Describe(tampered);
  const Json t = Json::parse(tampered.out);
  EXPECT_EQ(t["ok"], false);
  EXPECT_THAT(Problems(t), ::testing::ElementsAre("record.changed 5", "record.missing 9"));
  EXPECT_THAT(t["problems"][0]["message_zh"].get<std::string>(), HasSubstr("被篡改"));
}

// A key file from before the ledger (the master key only) gets a ledger key from `init`, and
// keeps its master key, so the personal data sealed with it stays readable.
TEST_F(IngestCliTest, InitAddsALedgerKeyToAnOlderKeyFile) {
  const std::string keys = ReadAll(dir_ / "xy.keys");
  const std::string master = keys.substr(0, keys.find('\n'));
  ASSERT_EQ(master.size(), 128u);
  ASSERT_THAT(keys, HasSubstr("BEGIN PRIVATE KEY"));
  std::ofstream(dir_ / "xy.keys", std::ios::trunc) << master << "\n";
  const std::string file = Gen("admin_penalty", 5, 0.0, "p.csv");
  RunResult refused = X({"ingest", "--item", "admin_penalty", "--dept", kDept, file});
  EXPECT_EQ(refused.exit_code, 2) << subprocess::Describe(refused);
  EXPECT_THAT(refused.err, HasSubstr("xinyong init"));
  RunResult init = X({"init"});
  ASSERT_TRUE(Ok(init));
  EXPECT_EQ(Json::parse(init.out)["ledger_key_added"], true);
  const std::string upgraded = ReadAll(dir_ / "xy.keys");
  EXPECT_TRUE(upgraded.starts_with(master + "\n"));
  EXPECT_EQ(fs::status(dir_ / "xy.keys").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(Ingest("admin_penalty", file)["accepted"], 5);
}

}  // namespace
}  // namespace xy
