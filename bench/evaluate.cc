// bench_evaluate: a full public credit evaluation of a large store, beside the same model written
// as SQL and run by SQLite on the same database in the same run.
//
//   build/bench/bench_evaluate [--subjects N] [--records M] [--threads T] [--dir DIR] [--keep]
//                              [--reuse] [--no-sql]
//
// --keep leaves DIR (default: a fresh folder under the system temp folder) in place; --reuse
// (implies --keep) evaluates the store a previous --keep run left in DIR instead of building one;
// --no-sql skips the SQL version (for profiling xinyong alone).
//
// 1. Build (not timed): a fresh store (the store's own schema, `Store::Migrate`) filled directly
//    with SQLite in bulk: N registered subjects (75 % 法人及非法人组织, 25 % 个体工商户, 淮南
//    districts, codes and names from the generator's synthetic subjects), one subject_registry
//    record each, and M − N further records in a realistic mix: 行政许可 31.5 %, 行政处罚 20 %,
//    信用承诺 20 %, A级纳税人 7 %, 经营异常名录 4 %, 表彰荣誉 3 %, 失信被执行人 3 %, and
//    0.5 % each of 严重违法失信名单, 重大税收违法 and 拖欠农民工工资 — spread over the subjects
//    unevenly (half uniformly, half skewed towards some subjects; many subjects have none). Each
//    record's fields are a row of `xinyong gen` for its item (4,096 template rows per item, with
//    realistic 违法行为类型, 违法事实, 处罚机关, licence names, …) with the values the model reads
//    drawn per record: decision dates 2019-01 … 2026-06, severities (10 % of penalties 轻微 and
//    unpublished, 15 % 严重), fines (10 % ≥ 10 万元), licence validity, 履行状态, 荣誉级别, tax
//    years, list removal dates; publicity windows as the catalogue sets them (一般 penalties a
//    year, 严重 three years, …).
// 2. xinyong: RunEvaluation (services/evaluate_service.h) of every subject as of 2026-06-30 with
//    the shipped model and its ten industry overlays — the read of the store, annotation,
//    evaluation, encoding and storing of every result, and the run statistics, timed end to end.
// 3. SQL: the public model (every indicator, the decay steps, caps, dimension bases and clamps,
//    weights, hard rules and grade bands of config/models/public-2024.toml) as one INSERT … SELECT
//    over the same records table, with json_extract for the fields, run by SQLite into a table of
//    scores. The industry overlays are not in it: the SQL version does less work than xinyong.
// 4. Both public scores are compared subject by subject (they must agree exactly).
// Targets (issue): xinyong at least 20 times faster than the SQL version and under 30 seconds.

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "base/date.h"
#include "domain/catalog.h"
#include "ingest/catalog_loader.h"
#include "services/evaluate_service.h"
#include "services/generator.h"
#include "store/encoding.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench_evaluate: %s\n", what.c_str());
  std::exit(2);
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    Die(sql.substr(0, 80) + ": " + (err ? err : "?"));
  }
}

sqlite3_stmt* Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    Die("prepare: " + std::string(sqlite3_errmsg(db)));
  }
  return st;
}

// Deterministic randomness for the data (not part of anything measured).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() { return xy::SplitMix64(state_); }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  std::int64_t Below(std::int64_t n) {
    return static_cast<std::int64_t>(Next() % static_cast<std::uint64_t>(n));
  }

 private:
  std::uint64_t state_;
};

std::int64_t Day(int y, unsigned m, unsigned d) {
  return xy::ToDayNumber(
      xy::Date(std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)));
}
std::string DayText(std::int64_t day) { return xy::FormatIsoDate(xy::FromDayNumber(day)); }
std::string AddMonthsText(std::int64_t day, int months) {
  xy::Date d = xy::FromDayNumber(day);
  auto ym = std::chrono::year_month(d.year(), d.month()) + std::chrono::months(months);
  auto last = std::chrono::year_month_day_last(ym.year(), std::chrono::month_day_last(ym.month()));
  return xy::FormatIsoDate(xy::Date(ym.year(), ym.month(), std::min(d.day(), last.day())));
}

struct ItemMix {
  const char* item;
  double share;        // of the non-registry records
  int general_months;  // publicity of 一般 records; 0 = none
  int serious_months;
  const char* severity;  // fixed severity; nullptr = drawn (penalties)
};

// A record's fields: a template row with the values the model reads replaced.
struct Template {
  std::vector<std::pair<std::string, std::string>> fields;  // sorted by code, non-empty values
};

std::vector<Template> Templates(const xy::CatalogItem& item, int n) {
  xy::GeneratorOptions options;
  options.rows = n;
  options.seed = 20260630;
  options.pool_size = 50'000;
  xy::Result<xy::RowGenerator> gen = xy::RowGenerator::Create(item, options);
  if (!gen) Die(gen.error().ToString());
  std::vector<Template> out;
  xy::GeneratedRow row;
  while (true) {
    xy::Result<bool> more = gen->Next(&row);
    if (!more) Die(more.error().ToString());
    if (!*more) break;
    Template t;
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
      if (!row.cells[i].empty()) t.fields.emplace_back(gen->field_codes()[i], row.cells[i]);
    }
    std::sort(t.fields.begin(), t.fields.end());
    out.push_back(std::move(t));
  }
  return out;
}

struct BuildSummary {
  std::int64_t subjects = 0;
  std::map<std::string, std::int64_t> records;
  double seconds = 0;
  double megabytes = 0;
};

BuildSummary Build(const std::string& path, const xy::Catalog& catalog, std::int64_t n_subjects,
                   std::int64_t n_records) {
  const auto t0 = Clock::now();
  BuildSummary summary;
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("open " + path);
  // A bulk load with nothing to protect: no journal, no sync; the subject index is built once at
  // the end instead of row by row.
  Exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000;");
  Exec(db, "DROP INDEX records_subject");
  Exec(db, "BEGIN");

  const std::vector<ItemMix> mix = {
      {"admin_license", 0.315, 0, 0, "general"},     {"admin_penalty", 0.20, 12, 36, nullptr},
      {"commitment", 0.20, 36, 36, "general"},       {"tax_a_rating", 0.07, 0, 0, "general"},
      {"abnormal_operation", 0.04, 0, 0, "general"}, {"honor", 0.03, 0, 0, "general"},
      {"judgment_debtor", 0.03, 24, 24, "serious"},  {"serious_violation", 0.005, 0, 0, "serious"},
      {"tax_violation", 0.005, 36, 36, "serious"},   {"wage_arrears", 0.005, 0, 0, "serious"},
  };
  std::map<std::string, std::vector<Template>> templates;
  std::map<std::string, std::int64_t> batch_of;
  sqlite3_stmt* batch = Prepare(
      db,
      "INSERT INTO batches (item, dept, file_name, file_sm3, catalog_version, header_json,"
      " received_at, receipt_json) VALUES (?1, '113404000030000145', ?1 || '.csv', '', '2024.1',"
      " '[]', 1782777600, '{}')");
  std::vector<std::string> items = {"subject_registry"};
  for (const ItemMix& m : mix) items.push_back(m.item);
  for (const std::string& code : items) {
    const xy::CatalogItem* item = catalog.Find(code);
    if (item == nullptr) Die("no catalogue item " + code);
    templates[code] = Templates(*item, 4096);
    sqlite3_bind_text(batch, 1, code.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(batch) != SQLITE_DONE) Die("insert batch");
    sqlite3_reset(batch);
    batch_of[code] = sqlite3_last_insert_rowid(db);
  }
  sqlite3_finalize(batch);

  // Subjects.
  Rng rng(7);
  sqlite3_stmt* subject =
      Prepare(db,
              "INSERT INTO subjects (id, kind, uscc, name, provisional, region_code, created_at)"
              " VALUES (?1, ?2, ?3, ?4, 0, ?5, 1782777600)");
  const int regions[] = {340402, 340403, 340404, 340405, 340406, 340421, 340422};
  std::vector<std::string> usccs(static_cast<std::size_t>(n_subjects));
  for (std::int64_t i = 0; i < n_subjects; ++i) {
    const bool individual = rng.Uniform() < 0.25;
    xy::SyntheticSubject s = xy::MakeSyntheticSubject(1, i);
    // The synthetic pool makes persons too; every subject here is registered, so it gets a code.
    std::string code = s.kind == xy::SubjectKind::kPerson || s.code.size() != 18
                           ? "91340400" + std::to_string(10'000'000'000LL + i).substr(1)
                           : s.code;
    usccs[static_cast<std::size_t>(i)] = code;
    sqlite3_bind_int64(subject, 1, i + 1);
    sqlite3_bind_text(subject, 2, individual ? "individual_business" : "organization", -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(subject, 3, code.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(subject, 4, s.name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(subject, 5, regions[rng.Below(7)]);
    if (sqlite3_step(subject) != SQLITE_DONE)
      Die("insert subject: " + std::string(sqlite3_errmsg(db)));
    sqlite3_reset(subject);
  }
  sqlite3_finalize(subject);
  summary.subjects = n_subjects;

  sqlite3_stmt* record = Prepare(
      db,
      "INSERT INTO records (item, natural_key, subject_id, current_version, status, first_seen,"
      " last_seen, content_digest, fields_json, fields_digest, decided_on, severity, "
      "publicity_from,"
      " publicity_until, published, dept, batch_id, row_no, raw_sm3, recorded_at)"
      " VALUES (?1, ?2, ?3, 1, 'active', 1782777600, 1782777600, 0, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
      " '113404000030000145', ?11, ?12, ?13, 1782777600)");
  const std::int64_t first_day = Day(2019, 1, 1);
  const std::int64_t as_of_day = Day(2026, 6, 30);
  std::map<std::string, std::int64_t> counter;
  std::string json;
  std::vector<xy::FieldView> fields;
  std::vector<std::pair<std::string_view, std::string>> overrides;
  char hex[65];
  auto add = [&](const std::string& item, std::int64_t subject_id, const std::string& severity,
                 std::int64_t decided, int publicity_months, bool published) {
    const std::vector<Template>& pool = templates[item];
    const Template& t =
        pool[static_cast<std::size_t>(rng.Below(static_cast<std::int64_t>(pool.size())))];
    fields.clear();
    std::size_t o = 0;
    std::sort(overrides.begin(), overrides.end());
    for (const auto& [code, value] : t.fields) {
      while (o < overrides.size() && overrides[o].first < code) {
        if (!overrides[o].second.empty())
          fields.emplace_back(overrides[o].first, overrides[o].second);
        ++o;
      }
      if (o < overrides.size() && overrides[o].first == code) {
        if (!overrides[o].second.empty()) fields.emplace_back(code, overrides[o].second);
        ++o;
      } else {
        fields.emplace_back(code, value);
      }
    }
    for (; o < overrides.size(); ++o) {
      if (!overrides[o].second.empty())
        fields.emplace_back(overrides[o].first, overrides[o].second);
    }
    json.clear();
    xy::AppendCanonicalJson(fields, json);
    const std::int64_t n = ++counter[item];
    const std::string key = item + "-" + std::to_string(n);
    const std::uint64_t h1 = rng.Next(), h2 = rng.Next(), h3 = rng.Next(), h4 = rng.Next();
    std::snprintf(hex, sizeof hex, "%016llx%016llx%016llx%016llx",
                  static_cast<unsigned long long>(h1), static_cast<unsigned long long>(h2),
                  static_cast<unsigned long long>(h3), static_cast<unsigned long long>(h4));
    const std::string decided_text = decided > 0 ? DayText(decided) : std::string();
    const std::string until =
        decided > 0 && publicity_months > 0 ? AddMonthsText(decided, publicity_months) : "";
    sqlite3_bind_text(record, 1, item.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(record, 2, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(record, 3, subject_id);
    sqlite3_bind_text(record, 4, json.data(), static_cast<int>(json.size()), SQLITE_STATIC);
    sqlite3_bind_int64(record, 5, xy::FieldsDigest(json));
    if (decided > 0) {
      sqlite3_bind_text(record, 6, decided_text.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(record, 8, decided_text.c_str(), -1, SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(record, 6);
      sqlite3_bind_null(record, 8);
    }
    sqlite3_bind_text(record, 7, severity.c_str(), -1, SQLITE_TRANSIENT);
    if (until.empty()) {
      sqlite3_bind_null(record, 9);
    } else {
      sqlite3_bind_text(record, 9, until.c_str(), -1, SQLITE_TRANSIENT);
    }
    sqlite3_bind_int(record, 10, published ? 1 : 0);
    sqlite3_bind_int64(record, 11, batch_of[item]);
    sqlite3_bind_int64(record, 12, n);
    sqlite3_bind_text(record, 13, hex, 64, SQLITE_STATIC);
    if (sqlite3_step(record) != SQLITE_DONE)
      Die("insert record: " + std::string(sqlite3_errmsg(db)));
    sqlite3_reset(record);
    ++summary.records[item];
  };

  // One registration per subject, founded 1990 … 2026 (more of them recent).
  for (std::int64_t i = 0; i < n_subjects; ++i) {
    const double u = rng.Uniform();
    const std::int64_t founded =
        Day(1990, 1, 1) +
        static_cast<std::int64_t>((1.0 - u * u) * static_cast<double>(as_of_day - Day(1990, 1, 1)));
    overrides.assign(
        {{"DJ_CLRQ", DayText(founded)}, {"DJ_TYSHXYDM", usccs[static_cast<std::size_t>(i)]}});
    add("subject_registry", i + 1, "general", 0, 0, true);
  }
  std::vector<double> cumulative;
  double total = 0;
  for (const ItemMix& m : mix) cumulative.push_back(total += m.share);
  for (std::int64_t k = n_subjects; k < n_records; ++k) {
    double u = rng.Uniform() * total;
    const ItemMix& m = mix[static_cast<std::size_t>(
        std::lower_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin())];
    const double v = rng.Uniform();
    const double w = v < 0.5 ? rng.Uniform() : std::pow(rng.Uniform(), 1.5);
    const std::int64_t subject_id =
        1 + std::min<std::int64_t>(n_subjects - 1,
                                   static_cast<std::int64_t>(w * static_cast<double>(n_subjects)));
    const std::int64_t decided = first_day + rng.Below(as_of_day - first_day + 1);
    const std::string item = m.item;
    std::string severity = m.severity != nullptr ? m.severity : "general";
    bool published = true;
    overrides.clear();
    if (item == "admin_penalty") {
      const double s = rng.Uniform();
      severity = s < 0.10 ? "minor" : s < 0.25 ? "serious" : "general";
      published = severity != "minor";
      const double f = rng.Uniform();
      const double amount = f < 0.7   ? 0.05 + 4.95 * rng.Uniform()
                            : f < 0.9 ? 5 + 5 * rng.Uniform()
                                      : 10 + 90 * rng.Uniform();
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.4f", amount);
      overrides = {{"CF_NR_FK", buf}, {"CF_JDRQ", DayText(decided)}};
    } else if (item == "admin_license") {
      overrides = {{"XK_YXQZI", rng.Uniform() < 0.55 ? "2099-12-31"
                                                     : DayText(Day(2021, 1, 1) + rng.Below(3650))},
                   {"XK_JDRQ", DayText(decided)}};
    } else if (item == "commitment") {
      const double s = rng.Uniform();
      overrides = {{"CN_LXZT", s < 0.75   ? "全部履行"
                               : s < 0.87 ? "部分履行"
                               : s < 0.95 ? "全部未履行"
                                          : ""}};
    } else if (item == "honor") {
      const double s = rng.Uniform();
      overrides = {
          {"RY_RYJB", s < 0.03   ? "国家级"
                      : s < 0.15 ? "省级"
                      : s < 0.5  ? "市级"
                      : s < 0.85 ? "县级"
                                 : "其他"},
          {"RY_YXQZ", rng.Uniform() < 0.5 ? "" : DayText(Day(2024, 1, 1) + rng.Below(2500))}};
    } else if (item == "tax_a_rating") {
      overrides = {
          {"NS_PJND", std::to_string(static_cast<int>(xy::FromDayNumber(decided).year()) - 1)}};
    } else if (item == "abnormal_operation") {
      overrides = {{"YC_YCRQ", rng.Uniform() < 0.5 ? "" : DayText(decided + 30 + rng.Below(700))}};
    } else if (item == "serious_violation") {
      overrides = {
          {"YZ_YCRQ", rng.Uniform() < 0.5 ? "" : DayText(decided + 365 + rng.Below(1100))}};
    } else if (item == "wage_arrears") {
      overrides = {
          {"QX_YCRQ", rng.Uniform() < 0.5 ? "" : DayText(decided + 365 + rng.Below(1100))}};
    }
    add(item, subject_id, severity, decided,
        severity == "serious" ? m.serious_months : m.general_months, published);
  }
  sqlite3_finalize(record);
  Exec(db, "COMMIT");
  Exec(db, "CREATE INDEX records_subject ON records (subject_id)");
  Exec(db, "PRAGMA journal_mode = WAL");
  sqlite3_close(db);
  summary.seconds = Seconds(t0, Clock::now());
  summary.megabytes = static_cast<double>(fs::file_size(path)) / 1e6;
  return summary;
}

// The public model of config/models/public-2024.toml in SQL. Points are integers in 10^-6 point,
// weights in 1/10000, as the evaluator computes them, so the scores must agree exactly. Whole
// months from a decision date d to D: (year(D) − year(d)) × 12 + month(D) − month(d), less one
// when the day of d (clamped to D's month) is after D's day (scoring::MonthsBetween).
std::string PublicModelSql(xy::Date as_of) {
  const int y = static_cast<int>(as_of.year());
  const unsigned m = static_cast<unsigned>(as_of.month());
  const unsigned d = static_cast<unsigned>(as_of.day());
  const unsigned dim = static_cast<unsigned>(
      std::chrono::year_month_day_last(as_of.year(), std::chrono::month_day_last(as_of.month()))
          .day());
  const std::string D = "'" + xy::FormatIsoDate(as_of) + "'";
  auto months = [&](const std::string& col) {
    return "((" + std::to_string(y) + " - CAST(substr(" + col + ", 1, 4) AS INTEGER)) * 12 + (" +
           std::to_string(m) + " - CAST(substr(" + col +
           ", 6, 2) AS INTEGER)) - (CASE WHEN min(CAST(substr(" + col + ", 9, 2) AS INTEGER), " +
           std::to_string(dim) + ") > " + std::to_string(d) + " THEN 1 ELSE 0 END))";
  };
  const std::string decay = "(CASE WHEN mo >= 24 THEN 3000 WHEN mo >= 12 THEN 6000 ELSE 10000 END)";
  auto capped = [](const std::string& sum, long long cap) {
    return "max(-" + std::to_string(cap) + ", min(" + std::to_string(cap) + ", coalesce(" + sum +
           ", 0)))";
  };
  auto clamp = [](const std::string& v) { return "max(0, min(100000000, " + v + "))"; };
  return "INSERT INTO sql_scores (subject_id, score, grade)\n"
         "WITH rec AS (\n"
         "  SELECT subject_id AS s, item, severity,\n"
         "         CASE WHEN decided_on IS NULL THEN 0 ELSE " +
         months("decided_on") +
         " END AS mo,\n"
         // Only the values the indicators test travel on to the grouping, not the fields text.
         "         CASE WHEN item = 'admin_penalty' THEN CAST(json_extract(fields_json, "
         "'$.CF_NR_FK') AS REAL) >= 10 END AS big_fine,\n"
         "         CASE WHEN item = 'commitment' THEN json_extract(fields_json, '$.CN_LXZT') END "
         "AS lxzt,\n"
         "         CASE WHEN item = 'honor' THEN json_extract(fields_json, '$.RY_RYJB') END AS "
         "ryjb,\n"
         "         CASE WHEN item = 'tax_a_rating' THEN CAST(json_extract(fields_json, "
         "'$.NS_PJND') AS INTEGER) END AS pjnd\n"
         "  FROM records\n"
         "  WHERE item IN ('admin_penalty', 'judgment_debtor', 'tax_violation', 'commitment', "
         "'honor',\n"
         "                 'admin_license', 'tax_a_rating', 'wage_arrears', 'abnormal_operation',\n"
         "                 'serious_violation')\n"
         "    AND published = 1 AND status = 'active'\n"
         "    AND (decided_on IS NULL OR decided_on <= " +
         D +
         ")\n"
         "    AND (publicity_from IS NULL OR publicity_from <= " +
         D +
         ")\n"
         "    AND (publicity_until IS NULL OR " +
         D +
         " < publicity_until)\n"
         "    AND CASE item\n"
         "      WHEN 'abnormal_operation' THEN coalesce(nullif(json_extract(fields_json, "
         "'$.YC_YCRQ'), ''), '9999-12-31') > " +
         D +
         "\n"
         "      WHEN 'serious_violation' THEN coalesce(nullif(json_extract(fields_json, "
         "'$.YZ_YCRQ'), ''), '9999-12-31') > " +
         D +
         "\n"
         "      WHEN 'wage_arrears' THEN coalesce(nullif(json_extract(fields_json, '$.QX_YCRQ'), "
         "''), '9999-12-31') > " +
         D +
         "\n"
         "      WHEN 'honor' THEN coalesce(nullif(json_extract(fields_json, '$.RY_YXQZ'), ''), "
         "'9999-12-31') >= " +
         D +
         "\n"
         "      WHEN 'admin_license' THEN coalesce(nullif(json_extract(fields_json, '$.XK_YXQZI'), "
         "''), '9999-12-31') >= " +
         D +
         "\n"
         "      ELSE 1 END\n"
         "),\n"
         "agg AS (\n"
         "  SELECT s,\n"
         "    " +
         capped("sum(CASE WHEN item = 'admin_penalty' AND severity = 'general' THEN -10000000 * " +
                    decay + " / 10000 END)",
                40000000) +
         " AS pen_general,\n"
         "    " +
         capped("sum(CASE WHEN item = 'admin_penalty' AND severity = 'serious' THEN -25000000 * " +
                    decay + " / 10000 END)",
                60000000) +
         " AS pen_serious,\n"
         "    " +
         capped("sum(CASE WHEN item = 'admin_penalty' AND big_fine THEN -5000000 * " + decay +
                    " / 10000 END)",
                15000000) +
         " AS pen_fine,\n"
         "    sum(item = 'admin_penalty' AND mo < 36) AS pen_36,\n"
         "    sum(item = 'admin_penalty' AND mo < 12) AS pen_12,\n"
         "    sum(item = 'judgment_debtor') AS debtor,\n"
         "    sum(item = 'tax_violation') AS tax_violation,\n"
         "    " +
         capped("sum(CASE WHEN item = 'commitment' AND lxzt = '全部履行' THEN 5000000 END)",
                20000000) +
         " AS kept,\n"
         "    " +
         capped(
             "sum(CASE WHEN item = 'commitment' AND lxzt IN ('部分履行', '全部未履行') THEN "
             "-15000000 * " +
                 decay + " / 10000 END)",
             45000000) +
         " AS broken,\n"
         "    " +
         capped(
             "sum(CASE WHEN item = 'honor' AND mo < 60 AND ryjb IN ('国家级', '省级') THEN "
             "20000000 END)",
             40000000) +
         " AS honor_high,\n"
         "    " +
         capped(
             "sum(CASE WHEN item = 'honor' AND mo < 36 AND ryjb IN ('市级', '县级', '其他') THEN "
             "8000000 END)",
             16000000) +
         " AS honor_local,\n"
         "    " +
         capped("sum(CASE WHEN item = 'admin_license' THEN 2000000 END)", 10000000) +
         " AS licences,\n"
         "    sum(item = 'tax_a_rating' AND pjnd >= " +
         std::to_string(y - 1) +
         ") AS tax_a,\n"
         "    sum(item = 'wage_arrears') AS wage,\n"
         "    sum(item = 'abnormal_operation') AS abnormal,\n"
         "    sum(item = 'serious_violation') AS serious_list\n"
         "  FROM rec GROUP BY s\n"
         "),\n"
         "reg AS (\n"
         "  SELECT subject_id AS s, min(json_extract(fields_json, '$.DJ_CLRQ')) AS founded\n"
         "  FROM records WHERE item = 'subject_registry' GROUP BY subject_id\n"
         "),\n"
         "dims AS (\n"
         "  SELECT sub.id AS s,\n"
         "    " +
         clamp("50000000 + CASE WHEN reg.founded IS NULL OR reg.founded > " + D +
               " THEN 0 ELSE CASE WHEN " + months("reg.founded") +
               " / 12 >= 10 THEN 30000000 WHEN " + months("reg.founded") +
               " / 12 >= 3 THEN 20000000 WHEN " + months("reg.founded") +
               " / 12 >= 1 THEN 10000000 ELSE 0 END END") +
         " AS basic,\n"
         "    " +
         clamp(
             "80000000 + coalesce(a.pen_general, 0) + coalesce(a.pen_serious, 0) + "
             "coalesce(a.pen_fine, 0) + CASE WHEN coalesce(a.pen_36, 0) = 0 THEN 10000000 ELSE 0 "
             "END + CASE WHEN a.debtor > 0 THEN -40000000 ELSE 0 END + CASE WHEN a.tax_violation > "
             "0 THEN -40000000 ELSE 0 END") +
         " AS law,\n"
         "    " +
         clamp("70000000 + coalesce(a.kept, 0) + coalesce(a.broken, 0)") +
         " AS contract,\n"
         "    " +
         clamp(
             "50000000 + coalesce(a.honor_high, 0) + coalesce(a.honor_local, 0) + "
             "coalesce(a.licences, 0)") +
         " AS honor,\n"
         "    " +
         clamp(
             "70000000 + CASE WHEN a.tax_a > 0 THEN 30000000 ELSE 0 END + CASE WHEN a.wage > 0 "
             "THEN -50000000 ELSE 0 END") +
         " AS social,\n"
         "    " +
         clamp(
             "100000000 + CASE WHEN a.abnormal > 0 THEN -40000000 ELSE 0 END + CASE WHEN "
             "a.serious_list > 0 THEN -100000000 ELSE 0 END + CASE WHEN a.pen_12 >= 3 THEN "
             "-30000000 ELSE 0 END") +
         " AS risk,\n"
         "    coalesce(a.serious_list, 0) > 0 OR coalesce(a.tax_violation, 0) > 0 OR "
         "coalesce(a.wage, 0) > 0 AS force_d,\n"
         "    coalesce(a.debtor, 0) > 0 AS cap_c,\n"
         "    coalesce(a.abnormal, 0) > 0 AS cap_b\n"
         "  FROM subjects sub LEFT JOIN agg a ON a.s = sub.id LEFT JOIN reg ON reg.s = sub.id\n"
         "  WHERE sub.kind <> 'person'\n"
         "),\n"
         "raw AS (\n"
         "  SELECT s, (10 * (1000 * basic + 3500 * law + 2000 * contract + 1000 * honor + 1000 * "
         "social\n"
         "                   + 1500 * risk) + 5000000000) / 10000000000 AS score0, force_d, cap_c, "
         "cap_b\n"
         "  FROM dims\n"
         "),\n"
         "ruled AS (\n"
         "  SELECT s, min(CASE WHEN force_d THEN min(score0, 549) ELSE score0 END,\n"
         "                CASE WHEN cap_c THEN 699 ELSE 1000 END, CASE WHEN cap_b THEN 849 ELSE "
         "1000 END) AS score\n"
         "  FROM raw\n"
         ")\n"
         "SELECT s, score, CASE WHEN score >= 850 THEN 'A' WHEN score >= 700 THEN 'B' WHEN score "
         ">= 550 THEN 'C' ELSE 'D' END\n"
         "FROM ruled";
}

// The process's peak resident set (VmHWM) in MB, and a reset of it (Linux ≥ 4.0), so the figure
// printed is the evaluation's own and not the bulk load's.
void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }
long PeakRssMb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::atol(line.c_str() + 6) / 1024;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t subjects = 1'000'000;
  std::int64_t records = 10'000'000;
  int threads = 2;
  bool keep = false;
  bool reuse = false;
  bool sql = true;
  fs::path dir = fs::temp_directory_path() / ("xy_bench_evaluate_" + std::to_string(getpid()));
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--subjects")
      subjects = std::atoll(value().c_str());
    else if (a == "--records")
      records = std::atoll(value().c_str());
    else if (a == "--threads")
      threads = std::atoi(value().c_str());
    else if (a == "--dir")
      dir = value();
    else if (a == "--keep")
      keep = true;
    else if (a == "--reuse")
      keep = reuse = true;
    else if (a == "--no-sql")
      sql = false;
    else
      Die("usage: bench_evaluate [--subjects N] [--records M] [--threads T] [--dir DIR] [--keep] "
          "[--reuse] [--no-sql]");
  }
  if (subjects < 1 || records < subjects) Die("need 1 <= subjects <= records");
  const std::string root = XY_SOURCE_DIR;
  xy::Result<xy::Catalog> catalog =
      xy::LoadCatalog({root + "/config/catalog/national", root + "/config/catalog/340000-anhui",
                       root + "/config/catalog/340400-huainan"});
  if (!catalog) Die(catalog.error().ToString());
  const xy::Date as_of(std::chrono::year(2026), std::chrono::month(6), std::chrono::day(30));
  xy::FixedClock clock(as_of);

  const std::string path = (dir / "xy.db").string();
  const bool built_before = reuse && fs::exists(path);
  if (!built_before) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  if (!built_before) {
    xy::Result<std::unique_ptr<xy::Store>> store = xy::OpenStore("sqlite:" + path, clock);
    if (!store) Die(store.error().ToString());
    if (auto r = (*store)->Migrate(); !r) Die(r.error().ToString());
  }
  std::printf("bench_evaluate: %lld subjects, %lld records, %d threads, as of %s\n",
              static_cast<long long>(subjects), static_cast<long long>(records), threads,
              xy::FormatIsoDate(as_of).c_str());
  std::fflush(stdout);
  if (built_before) {
    std::printf("  data     reusing the store in %s\n", path.c_str());
  } else {
    const BuildSummary built = Build(path, *catalog, subjects, records);
    std::printf("  data     built in %.1f s (not measured), store %.0f MB; records by item:",
                built.seconds, built.megabytes);
    for (const auto& [item, n] : built.records)
      std::printf(" %s %lld", item.c_str(), static_cast<long long>(n));
    std::printf("\n");
  }
  std::fflush(stdout);

  // (a) xinyong.
  xy::Result<std::vector<xy::ModelSource>> sources = xy::ReadModelFiles(
      root + "/config/models/public-2024.toml", root + "/config/models/industry");
  if (!sources) Die(sources.error().ToString());
  xy::Result<xy::LoadedModel> model = xy::LoadModel(std::move(*sources), &*catalog);
  if (!model) Die(model.error().ToString());
  xy::Result<std::unique_ptr<xy::Store>> store = xy::OpenStore("sqlite:" + path, clock);
  if (!store) Die(store.error().ToString());
  xy::EvaluateDeps deps;
  deps.store = store->get();
  deps.model = &*model;
  deps.clock = &clock;
  deps.options.threads = threads;
  xy::EvaluateRequest request;
  request.as_of = as_of;
  ResetPeakRss();
  const auto t0 = Clock::now();
  xy::Result<nlohmann::ordered_json> run = xy::RunEvaluation(request, deps);
  const double xy_s = Seconds(t0, Clock::now());
  if (!run) Die(run.error().ToString());
  const long rss = PeakRssMb();
  store->reset();

  if (!sql) {
    std::printf("  xinyong  full evaluation from the store  %8.2f s  (peak RSS %ld MB)\n", xy_s,
                rss);
    std::printf(
        "           read + annotate %.2f s; storing results %.2f s (beside evaluating); commit "
        "%.2f s\n",
        (*run)["read_seconds"].get<double>(), (*run)["store_seconds"].get<double>(),
        (*run)["commit_seconds"].get<double>());
    return 0;
  }
  // (b) The same model as SQL on SQLite.
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("open " + path);
  Exec(db, "DROP TABLE IF EXISTS sql_scores");
  Exec(db,
       "CREATE TABLE sql_scores (subject_id INTEGER PRIMARY KEY, score INTEGER NOT NULL, grade "
       "TEXT NOT NULL)");
  const auto t1 = Clock::now();
  Exec(db, PublicModelSql(as_of));
  const double sql_s = Seconds(t1, Clock::now());

  // Both public scores, subject by subject.
  sqlite3_stmt* cmp = Prepare(
      db,
      "SELECT count(*), sum(e.score = q.score AND e.grade = q.grade) FROM evaluation_results e"
      " JOIN sql_scores q ON q.subject_id = e.subject_id WHERE e.run_id = ?1");
  sqlite3_bind_int64(cmp, 1, (*run)["run_id"].get<std::int64_t>());
  if (sqlite3_step(cmp) != SQLITE_ROW) Die("compare");
  const long long compared = sqlite3_column_int64(cmp, 0);
  const long long agreed = sqlite3_column_int64(cmp, 1);
  sqlite3_finalize(cmp);
  sqlite3_close(db);

  const double ratio = sql_s / xy_s;
  std::printf(
      "  xinyong  full evaluation from the store  %8.2f s  (%lld results stored, peak RSS %ld "
      "MB)\n",
      xy_s, static_cast<long long>((*run)["subjects"].get<std::int64_t>()), rss);
  std::printf(
      "           read + annotate %.2f s; storing results %.2f s (beside evaluating); commit %.2f "
      "s\n",
      (*run)["read_seconds"].get<double>(), (*run)["store_seconds"].get<double>(),
      (*run)["commit_seconds"].get<double>());
  std::printf("           model %s\n", (*run)["model_version"].get<std::string>().c_str());
  std::printf("           grades:");
  for (const auto& g : (*run)["distribution"]["grades"]) {
    std::printf(" %s %lld", g["grade"].get<std::string>().c_str(),
                static_cast<long long>(g["count"].get<std::int64_t>()));
  }
  std::printf("\n");
  std::printf(
      "  SQL      public model on SQLite          %8.2f s  (public score only, no industry "
      "overlays)\n",
      sql_s);
  std::printf("  agree    %lld of %lld public scores and grades identical\n", agreed, compared);
  std::printf("  ratio    xinyong %.1fx faster than the SQL version\n", ratio);
  std::printf("  targets  >= 20x faster than SQL: %s;  < 30 s: %s\n",
              ratio >= 20 ? "met" : "NOT met", xy_s < 30 ? "met" : "NOT met");
  if (!keep) fs::remove_all(dir);
  return agreed == compared && compared == subjects ? 0 : 1;
}
