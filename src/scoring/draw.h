// The 双随机 draw (random subjects, random inspectors) of credit-graded supervision
// (信用分级分类监管, docs/domain.md §1.6): per risk class, a share of the subjects is drawn and
// each drawn subject gets two inspectors from the task's pool, never one who declared a conflict.
//
// Reproducible by anyone (一公开): the draw is a pure function of (population, task, seed). It uses
// SplitMix64 — a 64-bit generator short enough to re-implement in any language — and never a
// standard library distribution, whose output differs between implementations. The population is
// identified by PopulationDigest, an SM3 over a canonical text, which the CLI prints with the seed.
// The steps are in src/scoring/README.md ("The draw, step by step") so that the public can re-run a
// draw.
//
// Thread-safety: pure functions; SplitMix64 is a single-owner value.

#ifndef XY_SCORING_DRAW_H_
#define XY_SCORING_DRAW_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "domain/catalog.h"

namespace xy::scoring {

// SplitMix64 (Steele, Lea, Flood 2014): state += 0x9E3779B97F4A7C15; z = state;
// z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB; z ^ (z >>
// 31).
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next();
  // Uniform in [0, n) by rejection: with r = 2^64 mod n, draw x until x ≤ 2^64 − 1 − r, return x
  // mod n. Always draws at least once, also for n = 1. REQUIRES: n ≥ 1.
  std::uint64_t Below(std::uint64_t n);

 private:
  std::uint64_t state_;
};

// A subject of the (already filtered) population and its risk class.
struct DrawSubject {
  std::int64_t id = 0;
  std::string risk_class;
};

// How many of a class to draw: ceil(ratio × class size), then at least `min`, at most `max` (−1: no
// maximum), at most the class size.
struct ClassRatio {
  std::string risk_class;
  int ratio = 0;  // 1/10000 of the class
  std::int64_t min = 0;
  std::int64_t max = -1;
};

// The share a task may draw of a class (low ≤ ratio ≤ high), in 1/10000.
struct RatioRange {
  std::string risk_class;
  int low = 0;
  int high = 0;
};

// The published local rule of docs/domain.md §1.6 (大庆林甸): A ≤ 5 %, B 5–20 %, C 21–60 %,
// D 61–100 %.
std::vector<RatioRange> DefaultRatioPolicy();

struct Inspector {
  std::string id;  // the inspector's number in the 执法检查人员名录库
  std::string name;
  std::string department;
  std::vector<std::int64_t> conflict_subjects;  // subject ids: never assigned to these
  // USCCs of conflicted subjects as written in the task file; the caller resolves them into
  // conflict_subjects (the draw itself reads only ids).
  std::vector<std::string> conflict_codes;
  // Departments the inspector declared a conflict with: excluded from every task of these.
  std::vector<std::string> conflict_departments;
};

// Which subjects a task draws from. The CLI applies it before the draw.
struct PopulationFilter {
  std::string grade_source = "public";  // "public" or an industry code: whose grade gives the class
  std::vector<std::string> regions;     // GB/T 2260 codes; 340400 covers 3404xx; empty = all
  std::vector<SubjectKind> kinds;       // empty = all
  std::vector<std::string> industries;  // key fields; empty = all subjects

  bool Matches(int region_code, SubjectKind kind,
               std::span<const std::string> subject_industries) const;
};

struct DrawTask {
  std::string code;  // 2025-scjg-001
  std::string name;
  std::string department;  // the organising department's USCC (or code)
  PopulationFilter population;
  std::vector<ClassRatio> ratios;  // in draw order; every class of the population needs one
  std::vector<RatioRange> policy = DefaultRatioPolicy();  // checked against `ratios`
  std::vector<Inspector> inspectors;
};

// Parses a task file (config/tasks/*.toml; keys in config/tasks/README.md). A class of the default
// policy (A–D) that the file gives no ratio gets the policy's upper bound.
// Errors: kInvalidArgument "task.parse" / "task.invalid", naming the file, line and key.
Result<DrawTask> ParseDrawTask(std::string_view toml_text, std::string_view source_name);

struct Assignment {
  std::int64_t subject = 0;
  std::string risk_class;
  std::array<std::string, 2> inspectors;  // ids
};

struct ClassOutcome {
  std::string risk_class;
  std::int64_t population = 0;
  std::int64_t selected = 0;
  int ratio = 0;  // 1/10000
};

inline constexpr std::string_view kDrawAlgorithm = "xinyong-draw/1";

struct DrawResult {
  std::string algorithm{kDrawAlgorithm};
  std::uint64_t seed = 0;
  std::string population_digest;        // PopulationDigest
  std::string classes_digest;           // ClassesDigest
  std::vector<ClassOutcome> classes;    // in the task's order
  std::vector<Assignment> assignments;  // by class in the task's order, then ascending subject id
  std::vector<std::string> excluded_inspectors;   // conflicted with the task's department
  std::vector<std::pair<std::string, int>> load;  // inspector id → subjects, ascending id
};

// SM3, lower-case hex, of the subject ids in ascending order, each written in decimal ASCII and
// followed by "\n" (LF): `sort -n ids.txt | sm3sum` reproduces it. Independent of input order.
std::string PopulationDigest(std::span<const DrawSubject> population);
// The same over "<id>\t<risk class>\n" lines: identifies the classification too (which is not
// published, docs/domain.md §1.6 山东, but lets an auditor check it).
std::string ClassesDigest(std::span<const DrawSubject> population);
// The same over the subjects' unified social credit codes (统一社会信用代码), which the public can
// see where it cannot see xinyong's subject ids: SM3, lower-case hex, of the codes in byte order,
// each followed by "\n" — `LC_ALL=C sort usccs.txt | sm3sum` reproduces it. Independent of input
// order. The CLI prints it beside PopulationDigest so that anyone holding the published list of
// codes can check it is the population the draw was made from.
std::string UsccDigest(std::span<const std::string> codes);

// Errors: kInvalidArgument "draw.population" (a duplicate id), "draw.task" (a class with no ratio,
// an inspector id twice), "draw.ratio" (a ratio outside the policy, min > max); kFailedPrecondition
// "draw.inspectors" when a drawn subject cannot get two distinct conflict-free inspectors (the
// message names the subject).
Result<DrawResult> Draw(std::span<const DrawSubject> population, const DrawTask& task,
                        std::uint64_t seed);

}  // namespace xy::scoring

#endif  // XY_SCORING_DRAW_H_
