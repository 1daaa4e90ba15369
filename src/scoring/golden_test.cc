// Golden evaluations: tests/testdata/scoring/case-*.toml, each a model (and overlays), subjects,
// records, an as-of date and the expected score, grade, dimension scores and reasons, computed by
// hand in the file's comments. The case format is described in tests/testdata/scoring/README.md.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "scoring/evaluator.h"
#include "scoring/model.h"

namespace xy::scoring {
namespace {

const std::string kRoot = std::string(XY_SOURCE_DIR) + "/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Date DateOf(const toml::node_view<const toml::node>& n) {
  Result<Date> d = ParseIsoDate(n.value_or(std::string()));
  EXPECT_TRUE(d.has_value()) << "bad date in a case file";
  return d.value_or(Date{});
}

std::optional<Date> OptDate(const toml::table& t, std::string_view key) {
  if (!t.contains(key)) return std::nullopt;
  return DateOf(t[key]);
}

std::vector<std::int64_t> Ids(const toml::node_view<const toml::node>& n) {
  std::vector<std::int64_t> out;
  if (const toml::array* a = n.as_array()) {
    for (const toml::node& e : *a) out.push_back(e.value_or(std::int64_t{0}));
  }
  return out;
}

void ExpectReasons(const std::vector<Reason>& got, const toml::array& want,
                   const std::string& where) {
  ASSERT_EQ(got.size(), want.size()) << where << ": reason count";
  for (std::size_t i = 0; i < want.size(); ++i) {
    const toml::table& w = *want.get(i)->as_table();
    const Reason& g = got[i];
    std::string at = where + " reason " + std::to_string(i);
    EXPECT_EQ(g.indicator, w["indicator"].value_or(std::string())) << at;
    EXPECT_EQ(g.rule, w["rule"].value_or(std::string())) << at;
    EXPECT_EQ(g.points.ToString(), w["points"].value_or(std::string())) << at;
    if (w.contains("score_effect")) {
      EXPECT_EQ(g.score_effect.ToString(), w["score_effect"].value_or(std::string())) << at;
    }
    EXPECT_EQ(g.record_ids, Ids(w["record_ids"])) << at;
    if (g.rule.empty()) {
      EXPECT_FALSE(g.dimension.empty()) << at;
    } else {
      EXPECT_TRUE(g.dimension.empty()) << at;
    }
  }
}

Result<Model> LoadModel(const toml::table& file) {
  std::string model_path = file["model"].value_or(std::string());
  Result<Model> m = ParseModel(ReadFile(kRoot + model_path), model_path);
  if (!m) return m;
  if (const toml::array* overlays = file["overlays"].as_array()) {
    for (const toml::node& n : *overlays) {
      std::string p = n.value_or(std::string());
      Result<Overlay> o = ParseOverlay(ReadFile(kRoot + p), p);
      if (!o) return std::unexpected(o.error());
      if (Result<void> a = AttachOverlay(*m, std::move(*o)); !a) return std::unexpected(a.error());
    }
  }
  return m;
}

void RunCase(const std::filesystem::path& path) {
  SCOPED_TRACE(path.filename().string());
  const toml::table file = toml::parse(ReadFile(path.string()), path.string());
  Result<Model> model = LoadModel(file);
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  Result<Evaluator> ev = Evaluator::Compile(*model);
  ASSERT_TRUE(ev.has_value()) << ev.error().ToString();
  Date as_of = DateOf(file["as_of"]);

  std::vector<EvalSubject> subjects;
  for (const toml::node& n : *file["subjects"].as_array()) {
    const toml::table& t = *n.as_table();
    EvalSubject s;
    s.id = t["id"].value_or(std::int64_t{0});
    s.registered_on = OptDate(t, "registered_on");
    std::vector<std::string> industries;
    if (const toml::array* a = t["industries"].as_array()) {
      for (const toml::node& i : *a) industries.push_back(i.value_or(std::string()));
    }
    s.industries = ev->IndustryMask(industries);
    subjects.push_back(s);
  }
  std::vector<EvalRecord> records;
  if (const toml::array* recs = file["records"].as_array()) {
    for (const toml::node& n : *recs) {
      const toml::table& t = *n.as_table();
      EvalRecord r;
      r.id = t["id"].value_or(std::int64_t{0});
      r.subject = t["subject"].value_or(std::int64_t{0});
      std::optional<Severity> sev = ParseSeverity(t["severity"].value_or(std::string("一般")));
      ASSERT_TRUE(sev.has_value()) << "record " << r.id;
      r.severity = *sev;
      std::string status = t["status"].value_or(std::string("active"));
      r.status = status == "repaired"    ? RecordStatus::kRepaired
                 : status == "withdrawn" ? RecordStatus::kWithdrawn
                                         : RecordStatus::kActive;
      r.published = t["published"].value_or(true);
      r.decided_on = OptDate(t, "decided_on");
      r.publicity_from = OptDate(t, "publicity_from");
      r.publicity_until = OptDate(t, "publicity_until");
      r.status_on = OptDate(t, "status_on");
      std::map<std::string, std::string, std::less<>> fields;
      if (const toml::table* f = t["fields"].as_table()) {
        for (const auto& [k, v] : *f) fields[std::string(k.str())] = v.value_or(std::string());
      }
      auto lookup = [&fields](std::string_view code) -> std::string_view {
        auto it = fields.find(code);
        return it == fields.end() ? std::string_view() : std::string_view(it->second);
      };
      Result<void> a = ev->Annotate(t["item"].value_or(std::string()), lookup, r);
      ASSERT_TRUE(a.has_value()) << a.error().ToString();
      records.push_back(r);
    }
  }
  std::sort(subjects.begin(), subjects.end(),
            [](const EvalSubject& a, const EvalSubject& b) { return a.id < b.id; });
  std::stable_sort(records.begin(), records.end(),
                   [](const EvalRecord& a, const EvalRecord& b) { return a.subject < b.subject; });

  Result<std::vector<EvalResult>> results = ev->EvaluateBatch(subjects, records, as_of);
  ASSERT_TRUE(results.has_value()) << results.error().ToString();
  ASSERT_EQ(results->size(), subjects.size());
  // Two threads give the same results.
  Result<std::vector<EvalResult>> threaded =
      ev->EvaluateBatch(subjects, records, as_of, BatchOptions{.threads = 2});
  ASSERT_TRUE(threaded.has_value());
  for (std::size_t i = 0; i < results->size(); ++i) {
    EXPECT_EQ((*results)[i].score, (*threaded)[i].score);
    EXPECT_EQ((*results)[i].reasons.size(), (*threaded)[i].reasons.size());
  }

  const toml::array* expected = file["expected"].as_array();
  ASSERT_NE(expected, nullptr);
  ASSERT_EQ(expected->size(), subjects.size()) << "every subject needs an [[expected]]";
  for (const toml::node& n : *expected) {
    const toml::table& w = *n.as_table();
    std::int64_t id = w["subject"].value_or(std::int64_t{0});
    auto it = std::find_if(results->begin(), results->end(),
                           [&](const EvalResult& r) { return r.subject == id; });
    ASSERT_NE(it, results->end()) << "subject " << id;
    std::string where = "subject " + std::to_string(id);
    EXPECT_EQ(it->score, w["score"].value_or(-1)) << where;
    EXPECT_EQ(it->grade, w["grade"].value_or(std::string())) << where;
    if (const toml::array* dims = w["dimensions"].as_array()) {
      std::vector<std::string> got;
      for (Decimal d : it->dimensions) got.push_back(d.ToString());
      std::vector<std::string> want;
      for (const toml::node& d : *dims) want.push_back(d.value_or(std::string()));
      EXPECT_EQ(got, want) << where;
    }
    ExpectReasons(it->reasons, *w["reasons"].as_array(), where);
    if (const toml::array* inds = w["industries"].as_array()) {
      ASSERT_EQ(it->industries.size(), inds->size()) << where;
      for (std::size_t k = 0; k < inds->size(); ++k) {
        const toml::table& wi = *inds->get(k)->as_table();
        const IndustryResult& gi = it->industries[k];
        std::string iw = where + " industry " + std::string(gi.industry);
        EXPECT_EQ(gi.industry, wi["industry"].value_or(std::string())) << iw;
        EXPECT_EQ(gi.score, wi["score"].value_or(-1)) << iw;
        EXPECT_EQ(gi.grade, wi["grade"].value_or(std::string())) << iw;
        EXPECT_EQ(gi.overlay_score, wi["overlay_score"].value_or(-1)) << iw;
        ExpectReasons(gi.reasons, *wi["reasons"].as_array(), iw);
      }
    } else {
      EXPECT_TRUE(it->industries.empty()) << where;
    }
  }
}

TEST(GoldenTest, AllCases) {
  std::vector<std::filesystem::path> cases;
  for (const auto& e : std::filesystem::directory_iterator(kRoot + "tests/testdata/scoring")) {
    std::string name = e.path().filename().string();
    if (name.starts_with("case-") && name.ends_with(".toml")) cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  ASSERT_GE(cases.size(), 3u);
  for (const auto& c : cases) RunCase(c);
}

}  // namespace
}  // namespace xy::scoring
