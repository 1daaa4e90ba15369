// The ingest use case end to end below the command line: the shipped catalogue, a real SQLite file,
// real files on disk.

#include "services/ingest_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "domain/citizen_id.h"
#include "domain/uscc.h"
#include "ingest/catalog_loader.h"

namespace xy {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::ordered_json;

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

std::string Code(std::string_view body, char a = '9', char c = '1') {
  return std::string(Uscc::Make(a, c, "340400", body)->str());
}

// 2024-03-12 10:00 China time: five working days after 2024-03-05.
std::int64_t FixedNow() { return ToDayNumber(D(2024, 3, 12)) * 86400 + 2 * 3600; }

const std::string kHeader =
    "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_FRDB,CF_XDR_ZJLX,CF_XDR_ZJHM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,"
    "CF_CFLB,CF_NR,CF_NR_FK,CF_JDRQ,CF_YXQ,CF_GSJZQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM\n";

class IngestServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("xy_ingest_" + std::to_string(getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::string root = XY_SOURCE_DIR;
    Result<Catalog> catalog = LoadCatalog({root + "/config/catalog/national",
                                           root + "/config/catalog/340000-anhui",
                                           root + "/config/catalog/340400-huainan"});
    ASSERT_TRUE(catalog.has_value()) << catalog.error().ToString();
    catalog_ = std::move(*catalog);
    Result<std::unique_ptr<Store>> store = OpenStore("sqlite:" + (dir_ / "xy.db").string(), clock_);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().has_value());
    MasterKey key{};
    key.fill(7);
    cipher_ = std::make_unique<PersonalDataCipher>(key);
    deps_.store = store_.get();
    deps_.catalog = &catalog_;
    deps_.clock = &clock_;
    deps_.calendar = &WorkingDayCalendar::Default();
    deps_.cipher = cipher_.get();
    deps_.now = &FixedNow;
    dept_ = Code("00300001", '1', '1');
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  // One penalty row; the defaults make a valid 罚款 decided on 2024-03-05.
  std::string Row(std::map<std::string, std::string> change = {}) {
    std::map<std::string, std::string> v = {
        {"CF_XDR_MC", "淮南市鑫源商贸有限公司"}, {"CF_XDR_LB", "法人及非法人组织"},
        {"CF_XDR_SHXYM", Code("MA2TXY7C")}, {"CF_FRDB", "李四"}, {"CF_XDR_ZJLX", ""},
        {"CF_XDR_ZJHM", ""}, {"CF_WSH", "淮市监处罚〔2024〕12号"}, {"CF_WFXW", "销售过期食品"},
        {"CF_SY", "2024年2月检查发现"}, {"CF_YJ", "《食品安全法》第一百二十四条"}, {"CF_CFLB", "罚款"},
        {"CF_NR", "罚款2000元"}, {"CF_NR_FK", "0.2"}, {"CF_JDRQ", "2024-03-05"},
        {"CF_YXQ", "2024-03-12"}, {"CF_GSJZQ", "2025-03-05"}, {"CF_CFJG", "淮南市市场监督管理局"},
        {"CF_CFJGDM", dept_}, {"CF_SJLY", "淮南市市场监督管理局"}, {"CF_SJLYDM", dept_}};
    for (auto& [k, x] : change) v[k] = x;
    std::string line;
    for (const char* k : {"CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_FRDB", "CF_XDR_ZJLX",
                          "CF_XDR_ZJHM", "CF_WSH", "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR",
                          "CF_NR_FK", "CF_JDRQ", "CF_YXQ", "CF_GSJZQ", "CF_CFJG", "CF_CFJGDM",
                          "CF_SJLY", "CF_SJLYDM"}) {
      line += (line.empty() ? "" : ",") + v[k];
    }
    return line + "\n";
  }

  Result<Json> Ingest(const std::string& path) {
    return RunIngest({"admin_penalty", dept_, path, "", TextEncoding::kAuto}, deps_);
  }

  fs::path dir_;
  FixedClock clock_{D(2024, 3, 12)};
  Catalog catalog_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<PersonalDataCipher> cipher_;
  IngestDeps deps_;
  std::string dept_;
};

TEST_F(IngestServiceTest, EveryRowIsAccountedForWithQualityFigures) {
  std::string file = Write(
      "p.csv", kHeader + Row() +
                   Row({{"CF_WSH", "淮市监处罚〔2024〕3号"}, {"CF_JDRQ", "2024-02-01"},
                        {"CF_YXQ", "2024-02-08"}}) +  // decided long before: late
                   Row({{"CF_WSH", "淮市监处罚〔2024〕13号"}, {"CF_XDR_SHXYM", "91340400MA2TXY7C24"}}) +
                   Row({{"CF_WSH", "淮市监处罚〔2024〕14号"}, {"CF_NR_FK", ""}}));
  Result<Json> r = Ingest(file);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  const Json& receipt = *r;
  EXPECT_EQ(receipt["rows"], 4);
  EXPECT_EQ(receipt["accepted"], 2);
  EXPECT_EQ(receipt["updated"], 0);
  EXPECT_EQ(receipt["unchanged"], 0);
  EXPECT_EQ(receipt["rejected"], 2);
  EXPECT_EQ(receipt["reasons"], Json({{"field.required", 1}, {"uscc.check", 1}}));
  EXPECT_EQ(receipt["quality"]["timeliness"], 0.5);  // 1 of the 2 stored rows within 7 working days
  EXPECT_EQ(receipt["quality"]["late_rows"], 1);
  EXPECT_EQ(receipt["quality"]["completeness"], 0.75);
  EXPECT_EQ(receipt["quality"]["compliance"], 0.5);
  EXPECT_EQ(receipt["quality"]["code_errors"], 2500.0);
  EXPECT_EQ(receipt["received_at"], "2024-03-12T10:00:00+08:00");
  EXPECT_EQ(receipt["provisional_subjects"], 1);
  EXPECT_EQ(receipt["quarantine"], "xinyong quarantine --batch 1 --out rejected.csv");
  EXPECT_EQ(*store_->CountRecords("admin_penalty"), 2);
}

TEST_F(IngestServiceTest, IdempotentAndVersioned) {
  std::string first = Write("a.csv", kHeader + Row() + Row({{"CF_WSH", "淮市监处罚〔2024〕15号"}}));
  ASSERT_EQ((*Ingest(first))["accepted"], 2);
  Result<Json> again = Ingest(first);
  EXPECT_EQ((*again)["unchanged"], 2);
  EXPECT_EQ((*again)["accepted"], 0);
  std::string changed = Write("b.csv", kHeader + Row({{"CF_NR_FK", "0.3"}, {"CF_NR", "罚款3000元"}}));
  Result<Json> update = Ingest(changed);
  EXPECT_EQ((*update)["updated"], 1);
  EXPECT_EQ(*store_->CountRecords("admin_penalty"), 2);
}

TEST_F(IngestServiceTest, QuarantineRoundTrip) {
  std::string file = Write("q.csv", kHeader + Row() +
                                        Row({{"CF_WSH", "淮市监处罚〔2024〕20号"},
                                             {"CF_XDR_SHXYM", "91340400MA2TXY7C24"}}) +
                                        Row({{"CF_WSH", "淮市监处罚〔2024〕21号"}, {"CF_JDRQ", "2024-3-32"}}));
  Result<Json> r = Ingest(file);
  ASSERT_EQ((*r)["rejected"], 2);
  Result<std::string> csv = QuarantineCsv(*store_, (*r)["batch_id"].get<BatchId>());
  ASSERT_TRUE(csv.has_value()) << csv.error().ToString();
  EXPECT_THAT(*csv, HasSubstr("原始行号,错误原因代码,错误原因"));
  EXPECT_THAT(*csv, HasSubstr("uscc.check"));
  EXPECT_THAT(*csv, HasSubstr("第18位校验码为“4”，应为“3”"));
  EXPECT_THAT(*csv, HasSubstr("field.date"));
  EXPECT_EQ(csv->find("〔2024〕12号"), std::string::npos) << "the valid row leaked into quarantine";

  // The department fixes the two cells in the exported file and submits it again.
  std::string fixed = *csv;
  fixed.replace(fixed.find("91340400MA2TXY7C24"), 18, Code("MA2TXY7C"));
  fixed.replace(fixed.find("2024-3-32"), 9, "2024-3-5");
  Result<Json> again = Ingest(Write("fixed.csv", fixed));
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ((*again)["rows"], 2);
  EXPECT_EQ((*again)["accepted"], 2);
  EXPECT_EQ((*again)["rejected"], 0);
  EXPECT_EQ((*again)["ignored_columns"], Json({"原始行号", "错误原因代码", "错误原因"}));
  EXPECT_EQ(*store_->CountRecords("admin_penalty"), 3);
}

TEST_F(IngestServiceTest, PersonalDataIsSealedAtRest) {
  std::string first17 = "34040419800101001";
  std::string id = first17 + CitizenIdCheckChar(first17);
  std::string file = Write("person.csv", kHeader + Row({{"CF_XDR_MC", "张三"},
                                                         {"CF_XDR_LB", "自然人"},
                                                         {"CF_XDR_SHXYM", ""},
                                                         {"CF_FRDB", ""},
                                                         {"CF_XDR_ZJLX", "身份证"},
                                                         {"CF_XDR_ZJHM", id}}));
  Result<Json> r = Ingest(file);
  ASSERT_EQ((*r)["accepted"], 1) << r->dump();
  EXPECT_EQ((*Ingest(file))["unchanged"], 1);  // sealing is deterministic, so re-ingest is a no-op
  store_.reset();
  // No table of the database file holds the ID number in clear.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "xy.db").string().c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  std::ifstream in(dir_ / "xy.db", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.find(id), std::string::npos);
  EXPECT_NE(bytes.find("张三"), std::string::npos);  // the name is stored (masked only on display)
}

TEST_F(IngestServiceTest, BatchLevelErrors) {
  EXPECT_EQ(RunIngest({"no_such_item", dept_, "x.csv", "", TextEncoding::kAuto}, deps_).error().reason,
            "ingest.item");
  EXPECT_EQ(RunIngest({"admin_penalty", "123", "x.csv", "", TextEncoding::kAuto}, deps_).error().reason,
            "ingest.dept");
  EXPECT_EQ(Ingest((dir_ / "missing.csv").string()).error().code, ErrorCode::kNotFound);
  Result<Json> wrong = Ingest(Write("wrong.csv", "foo,bar\n1,2\n"));
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().reason, "ingest.columns");
  EXPECT_EQ(*store_->CountRecords(""), 0);
}

}  // namespace
}  // namespace xy
