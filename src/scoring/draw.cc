#include "scoring/draw.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "base/crypto.h"
#include "scoring/config_reader.h"
#include "scoring/model.h"

namespace xy::scoring {
namespace {

using internal::ConfigReader;
using internal::FormatFixed;
using internal::Index;
using internal::KeySet;
using internal::Quoted;
using internal::QuotedZh;
using internal::Sub;

const KeySet kTaskKeys = {"code",       "name",    "department", "department_name", "description",
                          "population", "classes", "policy",     "inspectors"};
const KeySet kPopulationKeys = {"grade_source", "regions", "kinds", "industries"};
const KeySet kClassKeys = {"class", "ratio", "min", "max"};
const KeySet kPolicyKeys = {"class", "low", "high"};
const KeySet kInspectorKeys = {
    "id", "name", "department", "conflict_subjects", "conflict_codes", "conflict_departments"};

std::vector<std::int64_t> SortedIds(std::span<const DrawSubject> population) {
  std::vector<std::int64_t> ids;
  ids.reserve(population.size());
  for (const DrawSubject& s : population) ids.push_back(s.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// "340400" → "3404", "340000" → "34", "340402" → "340402": a code covers the codes below it.
std::string RegionPrefix(std::string code) {
  while (code.size() > 2 && code.ends_with("00")) code.resize(code.size() - 2);
  return code;
}

std::unexpected<Error> DrawFail(ErrorCode code, std::string reason, const std::string& en,
                                const std::string& zh) {
  return Fail(code, std::move(reason), en, zh);
}

}  // namespace

std::uint64_t SplitMix64::Next() {
  state_ += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t SplitMix64::Below(std::uint64_t n) {
  // 2^64 mod n, computed in 64 bits as (2^64 − n) mod n.
  const std::uint64_t r = (0 - n) % n;
  std::uint64_t x = Next();
  while (x > std::numeric_limits<std::uint64_t>::max() - r) x = Next();
  return x % n;
}

std::vector<RatioRange> DefaultRatioPolicy() {
  return {{"A", 0, 500}, {"B", 500, 2000}, {"C", 2100, 6000}, {"D", 6100, 10'000}};
}

bool PopulationFilter::Matches(int region_code, SubjectKind kind,
                               std::span<const std::string> subject_industries) const {
  if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) return false;
  if (!regions.empty()) {
    std::string code = std::to_string(region_code);
    bool hit = std::any_of(regions.begin(), regions.end(),
                           [&](const std::string& r) { return code.starts_with(RegionPrefix(r)); });
    if (!hit) return false;
  }
  if (!industries.empty()) {
    bool hit = std::any_of(
        subject_industries.begin(), subject_industries.end(), [&](const std::string& i) {
          return std::find(industries.begin(), industries.end(), i) != industries.end();
        });
    if (!hit) return false;
  }
  return true;
}

std::string PopulationDigest(std::span<const DrawSubject> population) {
  Sm3Hasher h;
  for (std::int64_t id : SortedIds(population)) h.Update(std::to_string(id) + "\n");
  return ToHex(h.Finish());
}

std::string ClassesDigest(std::span<const DrawSubject> population) {
  std::vector<const DrawSubject*> sorted;
  sorted.reserve(population.size());
  for (const DrawSubject& s : population) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(), [](const DrawSubject* a, const DrawSubject* b) {
    return a->id != b->id ? a->id < b->id : a->risk_class < b->risk_class;
  });
  Sm3Hasher h;
  for (const DrawSubject* s : sorted) h.Update(std::to_string(s->id) + "\t" + s->risk_class + "\n");
  return ToHex(h.Finish());
}

std::string UsccDigest(std::span<const std::string> codes) {
  std::vector<std::string_view> sorted(codes.begin(), codes.end());
  std::sort(sorted.begin(), sorted.end());
  Sm3Hasher h;
  for (std::string_view code : sorted) {
    h.Update(code);
    h.Update("\n");
  }
  return ToHex(h.Finish());
}

Result<DrawResult> Draw(std::span<const DrawSubject> population, const DrawTask& task,
                        std::uint64_t seed) {
  // 1. Checks.
  std::vector<std::int64_t> ids = SortedIds(population);
  for (std::size_t i = 1; i < ids.size(); ++i) {
    if (ids[i] == ids[i - 1]) {
      return DrawFail(ErrorCode::kInvalidArgument, "draw.population",
                      "subject " + std::to_string(ids[i]) + " appears twice in the population",
                      "主体 " + std::to_string(ids[i]) + " 在抽查对象名录中出现两次");
    }
  }
  std::map<std::string, std::vector<std::int64_t>> members;
  for (const DrawSubject& s : population) members[s.risk_class].push_back(s.id);
  std::set<std::string> listed;
  for (const ClassRatio& c : task.ratios) {
    if (!listed.insert(c.risk_class).second) {
      return DrawFail(ErrorCode::kInvalidArgument, "draw.task",
                      "class " + c.risk_class + " has two ratios",
                      "风险类别 " + c.risk_class + " 的抽查比例重复");
    }
    if (c.ratio < 0 || c.ratio > kFractionOne || c.min < 0 || (c.max >= 0 && c.max < c.min)) {
      return DrawFail(ErrorCode::kInvalidArgument, "draw.ratio",
                      "class " + c.risk_class + ": ratio must be in 0..1 and 0 ≤ min ≤ max",
                      "风险类别 " + c.risk_class + "：抽查比例须在 0 至 1 之间，且 0 ≤ min ≤ max");
    }
    for (const RatioRange& p : task.policy) {
      if (p.risk_class == c.risk_class && (c.ratio < p.low || c.ratio > p.high)) {
        std::string range = FormatFixed(p.low, 4) + ".." + FormatFixed(p.high, 4);
        return DrawFail(ErrorCode::kInvalidArgument, "draw.ratio",
                        "class " + c.risk_class + ": ratio " + FormatFixed(c.ratio, 4) +
                            " is outside the policy's " + range,
                        "风险类别 " + c.risk_class + " 的抽查比例 " + FormatFixed(c.ratio, 4) +
                            " 超出规定范围 " + range);
      }
    }
  }
  for (const auto& [cls, list] : members) {
    if (!listed.contains(cls)) {
      return DrawFail(ErrorCode::kInvalidArgument, "draw.task",
                      "the task gives no ratio for class " + Quoted(cls) + " (" +
                          std::to_string(list.size()) + " subjects); no class is exempt",
                      "抽查任务未给出风险类别" + QuotedZh(cls) + "的抽查比例（该类有 " +
                          std::to_string(list.size()) + " 户）；任何类别都不得免于抽查");
    }
  }
  std::set<std::string> inspector_ids;
  for (const Inspector& in : task.inspectors) {
    if (in.id.empty() || !inspector_ids.insert(in.id).second) {
      return DrawFail(ErrorCode::kInvalidArgument, "draw.task",
                      "inspector id " + Quoted(in.id) + " is empty or listed twice",
                      "检查人员编号" + QuotedZh(in.id) + "为空或重复");
    }
  }

  DrawResult out;
  out.seed = seed;
  out.population_digest = PopulationDigest(population);
  out.classes_digest = ClassesDigest(population);
  SplitMix64 rng(seed);

  // 2. Subjects, class by class in the task's order: a partial Fisher–Yates shuffle of the class's
  // ids in ascending order; the first k are drawn.
  for (const ClassRatio& c : task.ratios) {
    std::vector<std::int64_t>& m = members[c.risk_class];
    std::sort(m.begin(), m.end());
    const auto n = static_cast<std::int64_t>(m.size());
    std::int64_t k = (std::int64_t{c.ratio} * n + kFractionOne - 1) / kFractionOne;
    k = std::max(k, c.min);
    if (c.max >= 0) k = std::min(k, c.max);
    k = std::min(k, n);
    for (std::int64_t i = 0; i < k; ++i) {
      auto j = i + static_cast<std::int64_t>(rng.Below(static_cast<std::uint64_t>(n - i)));
      std::swap(m[static_cast<std::size_t>(i)], m[static_cast<std::size_t>(j)]);
    }
    std::vector<std::int64_t> drawn(m.begin(), m.begin() + k);
    std::sort(drawn.begin(), drawn.end());
    for (std::int64_t id : drawn) out.assignments.push_back({id, c.risk_class, {}});
    out.classes.push_back({c.risk_class, n, k, c.ratio});
  }

  // 3. The pool: inspectors without a conflict with the task's department, by id, then shuffled by
  // Fisher–Yates with the same generator.
  std::vector<const Inspector*> pool;
  for (const Inspector& in : task.inspectors) {
    const auto& cd = in.conflict_departments;
    if (std::find(cd.begin(), cd.end(), task.department) != cd.end()) {
      out.excluded_inspectors.push_back(in.id);
    } else {
      pool.push_back(&in);
    }
  }
  std::sort(out.excluded_inspectors.begin(), out.excluded_inspectors.end());
  std::sort(pool.begin(), pool.end(),
            [](const Inspector* a, const Inspector* b) { return a->id < b->id; });
  for (std::size_t i = 0; i + 1 < pool.size(); ++i) {
    std::size_t j = i + static_cast<std::size_t>(rng.Below(pool.size() - i));
    std::swap(pool[i], pool[j]);
  }

  // 4. Two inspectors per drawn subject: the conflict-free one with the least load so far, ties to
  // the earliest in the shuffled pool (a round robin when nobody is conflicted).
  std::vector<int> load(pool.size(), 0);
  for (Assignment& a : out.assignments) {
    std::size_t first = pool.size();
    for (int slot = 0; slot < 2; ++slot) {
      std::size_t best = pool.size();
      for (std::size_t p = 0; p < pool.size(); ++p) {
        if (p == first) continue;
        const auto& cs = pool[p]->conflict_subjects;
        if (std::find(cs.begin(), cs.end(), a.subject) != cs.end()) continue;
        if (best == pool.size() || load[p] < load[best]) best = p;
      }
      if (best == pool.size()) {
        return DrawFail(
            ErrorCode::kFailedPrecondition, "draw.inspectors",
            "subject " + std::to_string(a.subject) +
                " cannot get two distinct inspectors without a declared conflict (pool of " +
                std::to_string(pool.size()) + ")",
            "主体 " + std::to_string(a.subject) +
                " 无法分配两名无利害关系声明的不同检查人员（可用人员 " +
                std::to_string(pool.size()) + " 名）");
      }
      a.inspectors[static_cast<std::size_t>(slot)] = pool[best]->id;
      ++load[best];
      first = best;
    }
  }
  for (std::size_t p = 0; p < pool.size(); ++p) out.load.emplace_back(pool[p]->id, load[p]);
  std::sort(out.load.begin(), out.load.end());
  return out;
}

Result<DrawTask> ParseDrawTask(std::string_view toml_text, std::string_view source_name) {
  ConfigReader r(std::string(source_name), "task", "抽查任务配置文件");
  Result<toml::table> parsed = r.Parse(toml_text);
  if (!parsed) return std::unexpected(parsed.error());
  const toml::table& root = *parsed;
  if (Result<void> k = r.CheckKeys(root, "", kTaskKeys); !k) return std::unexpected(k.error());
  DrawTask task;
  for (auto [key, dst] : {std::pair{"code", &task.code}, std::pair{"name", &task.name},
                          std::pair{"department", &task.department}}) {
    Result<std::string> s = r.ReqString(root, key, "");
    if (!s) return std::unexpected(s.error());
    *dst = *s;
  }
  for (std::string_view key : {"department_name", "description"}) {
    if (Result<std::optional<std::string>> s = r.OptString(root, key, ""); !s) {
      return std::unexpected(s.error());
    }
  }

  Result<const toml::table*> pop = r.OptTable(root, "population", "");
  if (!pop) return std::unexpected(pop.error());
  if (*pop != nullptr) {
    const toml::table& p = **pop;
    if (Result<void> k = r.CheckKeys(p, "population", kPopulationKeys); !k) {
      return std::unexpected(k.error());
    }
    Result<std::optional<std::string>> gs = r.OptString(p, "grade_source", "population");
    if (!gs) return std::unexpected(gs.error());
    if (*gs) task.population.grade_source = **gs;
    Result<std::optional<std::vector<std::string>>> regions =
        r.OptStrings(p, "regions", "population");
    if (!regions) return std::unexpected(regions.error());
    if (*regions) {
      for (std::size_t i = 0; i < (*regions)->size(); ++i) {
        const std::string& code = (**regions)[i];
        if (code.size() != 6 ||
            !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          return r.Bad(Index("population.regions", i),
                       Quoted(code) + " is not a 6-digit GB/T 2260 code",
                       QuotedZh(code) + "不是 6 位 GB/T 2260 行政区划代码");
        }
      }
      task.population.regions = std::move(**regions);
    }
    Result<std::optional<std::vector<std::string>>> kinds = r.OptStrings(p, "kinds", "population");
    if (!kinds) return std::unexpected(kinds.error());
    if (*kinds) {
      for (std::size_t i = 0; i < (*kinds)->size(); ++i) {
        std::optional<SubjectKind> k = ParseSubjectKind((**kinds)[i]);
        if (!k) {
          return r.Bad(
              Index("population.kinds", i),
              Quoted((**kinds)[i]) +
                  " is not a subject kind (法人及非法人组织, 自然人, 个体工商户)",
              QuotedZh((**kinds)[i]) + "不是主体类别（法人及非法人组织、自然人、个体工商户）");
        }
        task.population.kinds.push_back(*k);
      }
    }
    Result<std::optional<std::vector<std::string>>> ind =
        r.OptStrings(p, "industries", "population");
    if (!ind) return std::unexpected(ind.error());
    if (*ind) task.population.industries = std::move(**ind);
  }

  Result<const toml::array*> policy = r.OptTables(root, "policy", "");
  if (!policy) return std::unexpected(policy.error());
  if (*policy != nullptr) {
    for (std::size_t i = 0; i < (*policy)->size(); ++i) {
      std::string path = Index("policy", i);
      const toml::table& t = *(*policy)->get(i)->as_table();
      if (Result<void> k = r.CheckKeys(t, path, kPolicyKeys); !k) return std::unexpected(k.error());
      Result<std::string> cls = r.ReqString(t, "class", path);
      if (!cls) return std::unexpected(cls.error());
      Result<std::optional<std::int64_t>> low = r.OptFixed(t, "low", path, 4, 0, kFractionOne);
      if (!low) return std::unexpected(low.error());
      Result<std::optional<std::int64_t>> high = r.OptFixed(t, "high", path, 4, 0, kFractionOne);
      if (!high) return std::unexpected(high.error());
      if (!*low || !*high)
        return r.Bad(path, "a policy range needs low and high", "须给出 low 与 high");
      if (**low > **high) return r.Bad(Sub(path, "high"), "is below low", "小于 low");
      auto it = std::find_if(task.policy.begin(), task.policy.end(),
                             [&](const RatioRange& p) { return p.risk_class == *cls; });
      RatioRange range{*cls, static_cast<int>(**low), static_cast<int>(**high)};
      if (it != task.policy.end()) {
        *it = range;
      } else {
        task.policy.push_back(range);
      }
    }
  }

  Result<const toml::array*> classes = r.OptTables(root, "classes", "");
  if (!classes) return std::unexpected(classes.error());
  if (*classes != nullptr) {
    for (std::size_t i = 0; i < (*classes)->size(); ++i) {
      std::string path = Index("classes", i);
      const toml::table& t = *(*classes)->get(i)->as_table();
      if (Result<void> k = r.CheckKeys(t, path, kClassKeys); !k) return std::unexpected(k.error());
      ClassRatio c;
      Result<std::string> cls = r.ReqString(t, "class", path);
      if (!cls) return std::unexpected(cls.error());
      c.risk_class = *cls;
      for (const ClassRatio& other : task.ratios) {
        if (other.risk_class == c.risk_class) {
          return r.Bad(Sub(path, "class"), "class " + Quoted(c.risk_class) + " is listed twice",
                       "风险类别" + QuotedZh(c.risk_class) + "重复");
        }
      }
      Result<std::optional<std::int64_t>> ratio = r.OptFixed(t, "ratio", path, 4, 0, kFractionOne);
      if (!ratio) return std::unexpected(ratio.error());
      if (!*ratio) return r.Bad(Sub(path, "ratio"), "missing (required)", "缺少必填的配置项");
      c.ratio = static_cast<int>(**ratio);
      Result<std::optional<std::int64_t>> mn = r.OptInt(t, "min", path, 0, 10'000'000);
      if (!mn) return std::unexpected(mn.error());
      c.min = mn->value_or(0);
      Result<std::optional<std::int64_t>> mx = r.OptInt(t, "max", path, 0, 10'000'000);
      if (!mx) return std::unexpected(mx.error());
      c.max = mx->value_or(-1);
      if (c.max >= 0 && c.max < c.min) return r.Bad(Sub(path, "max"), "is below min", "小于 min");
      for (const RatioRange& p : task.policy) {
        if (p.risk_class == c.risk_class && (c.ratio < p.low || c.ratio > p.high)) {
          std::string range = FormatFixed(p.low, 4) + ".." + FormatFixed(p.high, 4);
          return r.Bad(Sub(path, "ratio"),
                       FormatFixed(c.ratio, 4) + " is outside the allowed " + range +
                           " for class " + c.risk_class + " (change [[policy]] to allow it)",
                       "抽查比例 " + FormatFixed(c.ratio, 4) + " 超出风险类别 " + c.risk_class +
                           " 的规定范围 " + range + "（如确需调整，请修改 [[policy]]）");
        }
      }
      task.ratios.push_back(std::move(c));
    }
  }
  // Classes of the default policy without a ratio: the most the policy allows.
  for (const RatioRange& p : task.policy) {
    bool given = std::any_of(task.ratios.begin(), task.ratios.end(),
                             [&](const ClassRatio& c) { return c.risk_class == p.risk_class; });
    if (!given) task.ratios.push_back({p.risk_class, p.high, 0, -1});
  }

  Result<const toml::array*> inspectors = r.OptTables(root, "inspectors", "");
  if (!inspectors) return std::unexpected(inspectors.error());
  if (*inspectors == nullptr || (*inspectors)->size() < 2) {
    return r.Bad("inspectors", "needs at least two inspectors", "至少需要两名检查人员");
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < (*inspectors)->size(); ++i) {
    std::string path = Index("inspectors", i);
    const toml::table& t = *(*inspectors)->get(i)->as_table();
    if (Result<void> k = r.CheckKeys(t, path, kInspectorKeys); !k)
      return std::unexpected(k.error());
    Inspector in;
    Result<std::string> id = r.ReqString(t, "id", path);
    if (!id) return std::unexpected(id.error());
    in.id = *id;
    if (!ids.insert(in.id).second) {
      return r.Bad(Sub(path, "id"), "inspector " + Quoted(in.id) + " is listed twice",
                   "检查人员" + QuotedZh(in.id) + "重复");
    }
    Result<std::string> name = r.ReqString(t, "name", path);
    if (!name) return std::unexpected(name.error());
    in.name = *name;
    Result<std::optional<std::string>> dept = r.OptString(t, "department", path);
    if (!dept) return std::unexpected(dept.error());
    in.department = dept->value_or("");
    if (const toml::node* n = t.get("conflict_subjects")) {
      std::string cpath = Sub(path, "conflict_subjects");
      r.Note(cpath, *n);
      const toml::array* a = n->as_array();
      if (a == nullptr) return r.Bad(cpath, "expected an array of subject ids", "应为主体编号数组");
      for (std::size_t j = 0; j < a->size(); ++j) {
        const toml::value<std::int64_t>* v = a->get(j)->as_integer();
        if (v == nullptr || v->get() <= 0) {
          return r.Bad(Index(cpath, j), "expected a positive subject id", "应为正整数的主体编号");
        }
        in.conflict_subjects.push_back(v->get());
      }
    }
    Result<std::optional<std::vector<std::string>>> codes = r.OptStrings(t, "conflict_codes", path);
    if (!codes) return std::unexpected(codes.error());
    if (*codes) in.conflict_codes = std::move(**codes);
    Result<std::optional<std::vector<std::string>>> depts =
        r.OptStrings(t, "conflict_departments", path);
    if (!depts) return std::unexpected(depts.error());
    if (*depts) in.conflict_departments = std::move(**depts);
    task.inspectors.push_back(std::move(in));
  }
  return task;
}

}  // namespace xy::scoring
