#include "services/generator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/text.h"
#include "domain/citizen_id.h"
#include "domain/uscc.h"
#include "ingest/catalog_loader.h"
#include "ingest/reader.h"
#include "ingest/validator.h"

namespace xy {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;

constexpr Date kReference{std::chrono::year(2026), std::chrono::month(6), std::chrono::day(30)};

// The catalogue as shipped (config/xinyong.toml lists these layers).
const Catalog& Shipped() {
  static const Catalog catalog = [] {
    std::string root = XY_SOURCE_DIR;
    Result<Catalog> c =
        LoadCatalog({root + "/config/catalog/national", root + "/config/catalog/340000-anhui",
                     root + "/config/catalog/340400-huainan"});
    if (!c) ADD_FAILURE() << c.error().ToString();
    return c ? *c : Catalog{};
  }();
  return catalog;
}

const CatalogItem& Item(std::string_view code) {
  const CatalogItem* item = Shipped().Find(code);
  if (item == nullptr) {
    ADD_FAILURE() << "no catalogue item " << code;
    static const CatalogItem kEmpty;
    return kEmpty;
  }
  return *item;
}

std::vector<std::string> ItemCodes() {
  std::vector<std::string> codes;
  for (const auto& [code, item] : Shipped().items()) codes.push_back(code);
  return codes;
}

std::string TempPath(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) /
                 ("xy_gen_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  fs::create_directories(dir);
  return (dir / name).string();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = s.find(sep, start);
    out.emplace_back(
        s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

struct SidecarRow {
  std::int64_t row_no = 0;
  std::string verdict;
  std::set<std::string> reasons;
  std::set<std::string> warnings;
  std::string kind;
};

std::vector<SidecarRow> ReadSidecar(const std::string& path) {
  std::vector<SidecarRow> rows;
  std::istringstream in(ReadAll(path));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "row_no\tverdict\treasons\tnote");
  while (std::getline(in, line)) {
    std::vector<std::string> cells = Split(line, '\t');
    EXPECT_EQ(cells.size(), 4u) << line;
    if (cells.size() != 4) continue;
    SidecarRow r;
    r.row_no = std::stoll(cells[0]);
    r.verdict = cells[1];
    if (!cells[2].empty()) {
      for (const std::string& x : Split(cells[2], ',')) r.reasons.insert(x);
    }
    if (!cells[3].empty()) {
      for (const std::string& kv : Split(cells[3], ';')) {
        if (kv.starts_with("warnings=")) {
          for (const std::string& w : Split(kv.substr(9), ',')) r.warnings.insert(w);
        } else if (kv.starts_with("kind=")) {
          r.kind = kv.substr(5);
        }
      }
    }
    rows.push_back(r);
  }
  return rows;
}

std::set<std::string> ReasonSet(const std::vector<RowIssue>& issues) {
  std::set<std::string> out;
  for (const RowIssue& i : issues) out.insert(i.reason);
  return out;
}

std::string Describe(const ValidatedRow& vr) {
  std::string s;
  for (const RowIssue& i : vr.errors) s += "\n  error " + i.reason + ": " + i.message_zh;
  for (const RowIssue& i : vr.warnings) s += "\n  warning " + i.reason + ": " + i.message_zh;
  return s;
}

Result<GenerateSummary> Generate(const CatalogItem& item, const std::string& path,
                                 GeneratorOptions options, OutputOptions output = {}) {
  Result<FileFormat> format = FormatFromPath(path);
  if (!format) return std::unexpected(format.error());
  output.format = *format;
  return GenerateFile(item, options, path, output);
}

// The key test: ingest's reader and validator, run on the generated file, give every row exactly
// the verdict, reasons and warnings the sidecar promised.
void ExpectFileMatchesSidecar(const CatalogItem& item, const std::string& path,
                              TextEncoding encoding = TextEncoding::kAuto) {
  SCOPED_TRACE(item.code + " " + path);
  std::vector<SidecarRow> expected = ReadSidecar(SidecarPath(path));
  Result<std::unique_ptr<Reader>> reader = OpenReader(path, encoding);
  ASSERT_TRUE(reader) << reader.error().ToString();
  Result<ColumnMap> columns = MapColumns(item, (*reader)->header());
  ASSERT_TRUE(columns) << columns.error().ToString();
  EXPECT_TRUE(columns->ignored_columns.empty());
  EXPECT_TRUE(columns->absent_fields.empty());
  FixedClock clock(kReference);
  ValidationContext ctx;
  ctx.clock = &clock;
  std::size_t i = 0;
  int mismatches = 0;
  while (true) {
    Result<std::optional<RawRow>> raw = (*reader)->Next();
    ASSERT_TRUE(raw) << raw.error().ToString();
    if (!*raw) break;
    ASSERT_LT(i, expected.size()) << "more rows in the file than in the sidecar";
    const SidecarRow& want = expected[i++];
    ASSERT_EQ((*raw)->row_no, want.row_no);
    ASSERT_FALSE((*raw)->error) << *(*raw)->error;
    ValidatedRow vr = ValidateRow(item, *columns, **raw, ctx);
    bool same = (vr.valid() ? "accepted" : "rejected") == want.verdict &&
                ReasonSet(vr.errors) == want.reasons && ReasonSet(vr.warnings) == want.warnings;
    if (!same && ++mismatches <= 10) {
      ADD_FAILURE() << "row " << want.row_no << " expected " << want.verdict << " (" << want.kind
                    << ") got " << (vr.valid() ? "accepted" : "rejected") << Describe(vr)
                    << "\n  raw: " << (*raw)->raw;
    }
  }
  EXPECT_EQ(i, expected.size()) << "fewer rows in the file than in the sidecar";
  EXPECT_EQ(mismatches, 0);
}

// The next row; a generator error fails the test and ends the loop.
bool NextRow(RowGenerator& gen, GeneratedRow* row) {
  Result<bool> more = gen.Next(row);
  if (!more) {
    ADD_FAILURE() << more.error().ToString();
    return false;
  }
  return *more;
}

RawRow Raw(const GeneratedRow& row) {
  RawRow raw;
  raw.row_no = row.row_no;
  raw.cells = row.cells;
  return raw;
}

TEST(GeneratorTest, ShippedCatalogueHasTheItems) {
  for (const char* code : {"subject_registry", "admin_license", "admin_penalty", "judgment_debtor",
                           "tax_violation", "tax_a_rating", "wage_arrears", "abnormal_operation",
                           "serious_violation", "commitment", "honor"}) {
    EXPECT_NE(Shipped().Find(code), nullptr) << code;
  }
}

TEST(GeneratorTest, SidecarMatchesValidatorForEveryItem) {
  for (const std::string& code : ItemCodes()) {
    const CatalogItem& item = Item(code);
    std::string path = TempPath(code + ".csv");
    Result<GenerateSummary> s = Generate(item, path, {.rows = 1200, .seed = 7, .error_rate = 0.3});
    ASSERT_TRUE(s) << s.error().ToString();
    EXPECT_EQ(s->rows, 1200);
    EXPECT_EQ(s->accepted + s->rejected, 1200);
    ExpectFileMatchesSidecar(item, path);
  }
}

TEST(GeneratorTest, SidecarMatchesValidatorInEveryFormat) {
  for (const char* code : {"admin_penalty", "admin_license", "commitment", "subject_registry"}) {
    const CatalogItem& item = Item(code);
    GeneratorOptions options{.rows = 600, .seed = 11, .error_rate = 0.4};
    for (const char* ext : {".jsonl", ".xlsx"}) {
      std::string path = TempPath(std::string(code) + ext);
      Result<GenerateSummary> s = Generate(item, path, options);
      ASSERT_TRUE(s) << s.error().ToString();
      ExpectFileMatchesSidecar(item, path);
    }
    std::string gb = TempPath(std::string(code) + "_gb.csv");
    Result<GenerateSummary> s = Generate(item, gb, options, {.encoding = TextEncoding::kGb18030});
    ASSERT_TRUE(s) << s.error().ToString();
    EXPECT_FALSE(IsValidUtf8(ReadAll(gb)));  // really GB18030 bytes
    ExpectFileMatchesSidecar(item, gb, TextEncoding::kGb18030);
    ExpectFileMatchesSidecar(item, gb, TextEncoding::kAuto);  // and detected as such
    std::string labels = TempPath(std::string(code) + "_labels.csv");
    s = Generate(item, labels, options, {.label_header = true});
    ASSERT_TRUE(s) << s.error().ToString();
    EXPECT_NE(ReadAll(labels).find(item.fields[0].label), std::string::npos);
    ExpectFileMatchesSidecar(item, labels);
  }
}

TEST(GeneratorTest, CleanRowsAreValidAndCanonical) {
  FixedClock clock(kReference);
  ValidationContext ctx;
  ctx.clock = &clock;
  for (const std::string& code : ItemCodes()) {
    SCOPED_TRACE(code);
    const CatalogItem& item = Item(code);
    Result<RowGenerator> gen = RowGenerator::Create(item, {.rows = 2000, .seed = 3});
    ASSERT_TRUE(gen) << gen.error().ToString();
    Result<ColumnMap> columns = MapColumns(item, gen->field_codes());
    ASSERT_TRUE(columns);
    GeneratedRow row;
    int bad = 0;
    while (true) {
      Result<bool> more = gen->Next(&row);
      ASSERT_TRUE(more) << more.error().ToString();
      if (!*more) break;
      EXPECT_TRUE(row.expected.accepted);
      EXPECT_FALSE(row.expected.planted);
      ValidatedRow vr = ValidateRow(item, *columns, Raw(row), ctx);
      if ((!vr.valid() || !vr.warnings.empty()) && ++bad <= 5) {
        ADD_FAILURE() << "row " << row.row_no << Describe(vr);
      }
      // What the generator writes is already the canonical form the validator stores.
      for (std::size_t i = 0; i < item.fields.size() && vr.valid(); ++i) {
        const FieldSpec& f = item.fields[i];
        // (Multi-valued enums are written with 、 as often as with ;, which the validator
        // rewrites.)
        if (row.cells[i].empty() || (f.type == FieldType::kEnum && f.multi)) continue;
        EXPECT_EQ(vr.record.fields[f.code], row.cells[i]) << f.code;
      }
    }
  }
}

TEST(GeneratorTest, SameSeedSameBytesOtherSeedOtherBytes) {
  const CatalogItem& item = Item("admin_penalty");
  for (const char* ext : {".csv", ".jsonl"}) {
    std::string a = TempPath(std::string("a") + ext), b = TempPath(std::string("b") + ext),
                c = TempPath(std::string("c") + ext);
    ASSERT_TRUE(Generate(item, a, {.rows = 500, .seed = 42, .error_rate = 0.2}));
    ASSERT_TRUE(Generate(item, b, {.rows = 500, .seed = 42, .error_rate = 0.2}));
    ASSERT_TRUE(Generate(item, c, {.rows = 500, .seed = 43, .error_rate = 0.2}));
    EXPECT_EQ(ReadAll(a), ReadAll(b));
    EXPECT_EQ(ReadAll(SidecarPath(a)), ReadAll(SidecarPath(b)));
    EXPECT_NE(ReadAll(a), ReadAll(c));
    EXPECT_NE(ReadAll(SidecarPath(a)), ReadAll(SidecarPath(c)));
  }
}

TEST(GeneratorTest, ErrorRateDoesNotChangeTheCleanRows) {
  const CatalogItem& item = Item("admin_penalty");
  Result<RowGenerator> clean = RowGenerator::Create(item, {.rows = 300, .seed = 5});
  Result<RowGenerator> dirty =
      RowGenerator::Create(item, {.rows = 300, .seed = 5, .error_rate = 0.5});
  ASSERT_TRUE(clean && dirty);
  GeneratedRow a, b;
  int same = 0;
  while (NextRow(*clean, &a) && NextRow(*dirty, &b)) {
    if (!b.expected.planted) {
      EXPECT_EQ(a.cells, b.cells) << a.row_no;
      ++same;
    }
  }
  EXPECT_EQ(same, 150);
}

TEST(GeneratorTest, PlantsRoundedShareOfRows) {
  const CatalogItem& item = Item("admin_penalty");
  for (std::int64_t rows : {1, 7, 100, 1000, 2500}) {
    for (double rate : {0.0, 0.013, 0.1, 0.25, 0.5, 1.0}) {
      Result<RowGenerator> gen =
          RowGenerator::Create(item, {.rows = rows, .seed = 9, .error_rate = rate});
      ASSERT_TRUE(gen);
      GeneratedRow row;
      std::int64_t planted = 0, n = 0;
      while (NextRow(*gen, &row)) {
        ++n;
        planted += row.expected.planted.has_value();
      }
      EXPECT_EQ(n, rows);
      EXPECT_NEAR(planted, std::llround(static_cast<double>(rows) * rate), 1)
          << rows << " rows at " << rate;
    }
  }
}

TEST(GeneratorTest, AdminPenaltyGetsEveryKindInFairShares) {
  const CatalogItem& item = Item("admin_penalty");
  EXPECT_EQ(ApplicableErrorKinds(item).size(), static_cast<std::size_t>(kGenErrorKindCount));
  Result<RowGenerator> gen =
      RowGenerator::Create(item, {.rows = 3300, .seed = 21, .error_rate = 0.3});
  ASSERT_TRUE(gen);
  std::map<GenErrorKind, int> counts;
  std::map<std::string, int> required_if_fields;
  GeneratedRow row;
  while (NextRow(*gen, &row)) {
    if (!row.expected.planted) continue;
    GenErrorKind k = *row.expected.planted;
    ++counts[k];
    if (k == GenErrorKind::kRequiredIf) ++required_if_fields[row.expected.field];
    if (k == GenErrorKind::kUsccNormalized) {
      EXPECT_TRUE(row.expected.accepted);
      EXPECT_THAT(row.expected.warnings, ElementsAre("uscc.normalized"));
    } else {
      EXPECT_FALSE(row.expected.accepted);
      EXPECT_THAT(row.expected.reasons, ElementsAre(std::string(GenErrorKindReason(k))));
    }
  }
  EXPECT_EQ(counts.size(), static_cast<std::size_t>(kGenErrorKindCount));
  for (const auto& [k, n] : counts) EXPECT_GE(n, 80) << GenErrorKindName(k);  // 990 / 11 = 90 each
  EXPECT_GT(required_if_fields["CF_NR_FK"], 20);  // 罚款 without its amount
}

TEST(GeneratorTest, EveryApplicableKindAppearsForEveryItem) {
  for (const std::string& code : ItemCodes()) {
    SCOPED_TRACE(code);
    const CatalogItem& item = Item(code);
    Result<RowGenerator> gen =
        RowGenerator::Create(item, {.rows = 2000, .seed = 4, .error_rate = 0.3});
    ASSERT_TRUE(gen);
    std::map<GenErrorKind, int> counts;
    GeneratedRow row;
    while (NextRow(*gen, &row)) {
      if (row.expected.planted) ++counts[*row.expected.planted];
    }
    for (GenErrorKind k : gen->kinds()) {
      EXPECT_GE(counts[k], 10) << GenErrorKindName(k);
    }
    EXPECT_EQ(counts.size(), gen->kinds().size());
  }
}

TEST(GeneratorTest, KindsFollowTheItem) {
  auto names = [](const CatalogItem& item) {
    std::vector<std::string> out;
    for (GenErrorKind k : ApplicableErrorKinds(item)) out.emplace_back(GenErrorKindName(k));
    return out;
  };
  // 失信被执行人 has no decimal field; A级纳税人 no cross rule, no required_if, no decimal.
  EXPECT_THAT(names(Item("judgment_debtor")), ::testing::Not(Contains("field.decimal")));
  EXPECT_THAT(names(Item("tax_a_rating")), ::testing::Not(Contains("cross.date_order")));
  EXPECT_THAT(names(Item("tax_a_rating")), ::testing::Not(Contains("field.required_if")));
  EXPECT_THAT(names(Item("admin_license")), Contains("cross.date_order"));
}

TEST(GeneratorTest, NaturalKeysAreUnique) {
  FixedClock clock(kReference);
  ValidationContext ctx;
  ctx.clock = &clock;
  for (const std::string& code : ItemCodes()) {
    SCOPED_TRACE(code);
    const CatalogItem& item = Item(code);
    Result<RowGenerator> gen =
        RowGenerator::Create(item, {.rows = 3000, .seed = 8, .error_rate = 0.1});
    ASSERT_TRUE(gen);
    Result<ColumnMap> columns = MapColumns(item, gen->field_codes());
    ASSERT_TRUE(columns);
    std::set<std::string> keys;
    GeneratedRow row;
    while (true) {
      Result<bool> more = gen->Next(&row);
      ASSERT_TRUE(more) << more.error().ToString();
      if (!*more) break;
      ValidatedRow vr = ValidateRow(item, *columns, Raw(row), ctx);
      if (!vr.valid()) continue;
      EXPECT_TRUE(keys.insert(vr.record.natural_key).second) << "row " << row.row_no;
    }
    EXPECT_GT(keys.size(), 2500u);
  }
}

// Column of `code` in a generated row.
std::size_t Col(const CatalogItem& item, std::string_view code) {
  for (std::size_t i = 0; i < item.fields.size(); ++i) {
    if (item.fields[i].code == code) return i;
  }
  ADD_FAILURE() << "no field " << code;
  return 0;
}

TEST(GeneratorTest, AdminPenaltyRowsAreRealistic) {
  const CatalogItem& item = Item("admin_penalty");
  Result<RowGenerator> gen = RowGenerator::Create(item, {.rows = 2000, .seed = 12});
  ASSERT_TRUE(gen);
  std::size_t lb = Col(item, "CF_XDR_LB"), code = Col(item, "CF_XDR_SHXYM"),
              id = Col(item, "CF_XDR_ZJHM"), cflb = Col(item, "CF_CFLB"),
              fk = Col(item, "CF_NR_FK"), date = Col(item, "CF_JDRQ"), wsh = Col(item, "CF_WSH"),
              name = Col(item, "CF_XDR_MC");
  std::map<std::string, int> kinds;
  std::set<std::string> names;
  int with_fine = 0;
  GeneratedRow row;
  while (NextRow(*gen, &row)) {
    const auto& c = row.cells;
    ++kinds[c[lb]];
    names.insert(c[name]);
    bool fine = c[cflb].find("罚款") != std::string::npos;
    with_fine += fine;
    EXPECT_EQ(fine, !c[fk].empty()) << c[cflb] << " / " << c[fk];
    EXPECT_GE(c[date], "2023-01-01");
    EXPECT_LE(c[date], "2026-06-30");
    EXPECT_NE(c[wsh].find("〔" + c[date].substr(0, 4) + "〕"), std::string::npos) << c[wsh];
    if (c[lb] == "自然人") {
      EXPECT_TRUE(c[code].empty());
      EXPECT_EQ(c[id].size(), 18u);
      EXPECT_TRUE(c[id].starts_with("34"));
    } else {
      EXPECT_TRUE(c[code].substr(2, 4) == "3404") << c[code];
      EXPECT_TRUE(c[id].empty());
    }
  }
  EXPECT_GT(kinds["法人及非法人组织"], 1000);
  EXPECT_GT(kinds["个体工商户"], 150);
  EXPECT_GT(kinds["自然人"], 100);
  EXPECT_GT(with_fine, 1200);
  EXPECT_GT(names.size(), 400u);  // about rows / 3 subjects
}

TEST(GeneratorTest, ReferenceDateBoundsTheDates) {
  const CatalogItem& item = Item("admin_penalty");
  Date ref{std::chrono::year(2024), std::chrono::month(3), std::chrono::day(31)};
  Result<RowGenerator> gen =
      RowGenerator::Create(item, {.rows = 500, .seed = 1, .reference_date = ref});
  ASSERT_TRUE(gen);
  std::size_t date = Col(item, "CF_JDRQ");
  GeneratedRow row;
  while (NextRow(*gen, &row)) {
    EXPECT_LE(row.cells[date], "2024-03-31");
    EXPECT_GE(row.cells[date], "2023-01-01");
  }
}

TEST(GeneratorTest, RegistrySharesSubjectsWithRecordFiles) {
  const CatalogItem& penalty = Item("admin_penalty");
  const CatalogItem& registry = Item("subject_registry");
  const std::int64_t pool = 300;
  std::map<std::string, std::string> registered;  // USCC → name
  Result<RowGenerator> reg =
      RowGenerator::Create(registry, {.rows = pool, .seed = 5, .pool_size = pool});
  ASSERT_TRUE(reg);
  GeneratedRow row;
  std::size_t reg_code = Col(registry, "DJ_TYSHXYDM"), reg_name = Col(registry, "DJ_MC");
  while (NextRow(*reg, &row)) registered[row.cells[reg_code]] = row.cells[reg_name];
  EXPECT_EQ(registered.size(), static_cast<std::size_t>(pool));

  Result<RowGenerator> rec =
      RowGenerator::Create(penalty, {.rows = 1000, .seed = 5, .pool_size = pool});
  ASSERT_TRUE(rec);
  std::size_t code = Col(penalty, "CF_XDR_SHXYM"), name = Col(penalty, "CF_XDR_MC");
  int organisations = 0;
  while (NextRow(*rec, &row)) {
    if (row.cells[code].empty()) continue;  // a natural person
    ++organisations;
    auto it = registered.find(row.cells[code]);
    ASSERT_NE(it, registered.end()) << row.cells[code];
    EXPECT_EQ(it->second, row.cells[name]);
  }
  EXPECT_GT(organisations, 700);
}

TEST(GeneratorTest, SubjectsArePureUniqueAndValid) {
  FixedClock clock(kReference);
  std::set<std::string> codes, companies;
  for (std::int64_t i = 0; i < 20000; ++i) {
    SyntheticSubject s = MakeSyntheticSubject(77, i);
    SyntheticSubject again = MakeSyntheticSubject(77, i);
    ASSERT_EQ(s.code, again.code);
    ASSERT_EQ(s.name, again.name);
    EXPECT_TRUE(codes.insert(s.code).second) << s.code;
    if (s.category == "91") {
      EXPECT_TRUE(companies.insert(s.name).second) << s.name;
    }
    if (s.kind == SubjectKind::kPerson) {
      EXPECT_TRUE(CheckCitizenId(s.code, clock, CheckMode::kStrict).valid()) << s.code;
    } else {
      EXPECT_TRUE(CheckUscc(s.code, CheckMode::kStrict).valid()) << s.code;
      EXPECT_EQ(s.code.substr(0, 2), s.category);
      EXPECT_EQ(s.code.substr(2, 6), s.region);
      EXPECT_TRUE(CheckCitizenId(s.legal_rep_id, clock, CheckMode::kStrict).valid())
          << s.legal_rep_id;
    }
  }
  EXPECT_NE(MakeSyntheticSubject(78, 0).code, MakeSyntheticSubject(77, 0).code);
}

TEST(GeneratorTest, BoundedRandomIsPinned) {
  // Fixed outputs: mt19937_64 and SplitMix64 are fully specified, and so is BoundedRandom. A change
  // here changes every generated file.
  std::mt19937_64 engine(42);
  std::vector<std::uint64_t> got;
  for (int i = 0; i < 6; ++i) got.push_back(BoundedRandom(engine, 1000));
  EXPECT_THAT(got, ElementsAre(755, 639, 752, 136, 903, 94));
  std::mt19937_64 big(7);
  for (int i = 0; i < 1000; ++i) EXPECT_LT(BoundedRandom(big, 3), 3u);
  std::uint64_t state = 1;
  EXPECT_EQ(SplitMix64(state), 0x910a2dec89025cc1ULL);
}

TEST(GeneratorTest, RefusesBadOptions) {
  const CatalogItem& item = Item("admin_penalty");
  Result<RowGenerator> gen = RowGenerator::Create(item, {.rows = 10, .error_rate = 1.5});
  ASSERT_FALSE(gen);
  EXPECT_EQ(gen.error().reason, "gen.options");
  Result<GenerateSummary> s =
      Generate(item, TempPath("x.jsonl"), {.rows = 1}, {.encoding = TextEncoding::kGb18030});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().reason, "gen.format");
  s = Generate(item, "/nonexistent-dir/x.csv", {.rows = 1});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().reason, "gen.write");
}

TEST(GeneratorTest, TooManyRowsForTheKeySpaceFails) {
  // A级纳税人: one row per taxpayer and year (2022 … 2025): a pool of 2 cannot give 40 rows.
  Result<RowGenerator> gen =
      RowGenerator::Create(Item("tax_a_rating"), {.rows = 40, .seed = 1, .pool_size = 2});
  ASSERT_TRUE(gen);
  GeneratedRow row;
  Result<bool> more = true;
  while (more && *more) more = gen->Next(&row);
  ASSERT_FALSE(more);
  EXPECT_EQ(more.error().reason, "gen.natural_key");
}

}  // namespace
}  // namespace xy
