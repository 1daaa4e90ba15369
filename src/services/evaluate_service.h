// The evaluation use cases: the public credit comprehensive evaluation (公共信用综合评价) of every
// subject, stored as a run; one subject's result with its reasons; recomputing stored results; and
// the 双随机 draw of credit-graded supervision over a run's grades.
//
// A run is a pure function of (model, records as of a batch, as-of date) — docs/architecture.md
// principle 5 — and keeps all three: the model's files as read, the last batch whose data it read
// (RecordScanSpec::known_at) and the date. Recompute re-reads exactly that snapshot with exactly
// that model, so a stored result can be checked at any later time, whatever was ingested since.
//
// ---- Who is evaluated
// Every subject that is not a natural person (全覆盖: registry subjects with no records included;
// provisional subjects, known only from a record, too). The public model is written for
// 法人和非法人组织 and 个体工商户; natural persons have no public evaluation.
//
// ---- What a subject is evaluated from
// - its records of the items the model reads, each as its version stood at the snapshot;
// - 成立日期: DJ_CLRQ of its subject_registry record (the registered_years indicator);
// - its key fields (the industry overlays it gets a result for): a subject belongs to a key field
//   when one of its records that counts on the as-of date (the evaluator's rules: published,
//   decided, inside its publicity window and validity, not repaired) is of an item one of the
//   overlay's own indicators reads and meets all that indicator's `when` conditions — it holds a
//   valid licence of the field, or has a penalty of the field on record. Derived from the snapshot
//   and the date alone, so recomputing gives the same fields.
//
// ---- Full and incremental runs
// Full: every subject, read in one pass over the records in storage order (the store may split it
// over several connections), annotated on worker threads as it arrives and grouped by subject in
// memory — about 100 bytes per record the model reads, held while the run evaluates (1.2 GB for
// 10 million records) — then evaluated, encoded and stored in chunks of subjects, so results take
// no memory beyond a chunk. Reading in subject order instead would cost a random read per record
// (the records table is in ingest order). Beyond a city, runs split by subject-id range
// (docs/architecture.md "Scale").
//
// Incremental: against the latest run (the base), with the same model and as-of date (refused
// otherwise: a different date changes every subject's decay and windows, so run a full
// evaluation). The subjects whose records changed in the batches after the base's snapshot
// (SubjectsChangedBetween: new records, new versions, records moved between subjects) are
// re-evaluated from the new snapshot; every other result is copied from the base unchanged, which
// is exact because nothing they are computed from changed. An incremental run is therefore equal,
// subject for subject, to a full run at the same snapshot and date. It is a complete run of its
// own: show, recompute and draw read it like a full one.
//
// ---- Run statistics
// The grade distribution; against the previous run (the latest before this one): the migration
// matrix and the PSI of the score distribution (scoring/run_stats.h).
//
// Thread-safety: each function uses its Store from the calling thread only; the evaluation work
// runs on EvaluateOptions::threads threads of its own.

#ifndef XY_SERVICES_EVALUATE_SERVICE_H_
#define XY_SERVICES_EVALUATE_SERVICE_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/date.h"
#include "base/result.h"
#include "domain/catalog.h"
#include "scoring/evaluator.h"
#include "scoring/model.h"
#include "store/store.h"

namespace xy {

// One model file as read.
struct ModelSource {
  std::string name;  // "public-2024.toml", "industry/food-drug.toml": how a run records it
  std::string text;
};

// A model ready to evaluate with: parsed, overlays attached, compiled.
struct LoadedModel {
  scoring::Model model;
  scoring::Evaluator evaluator;
  std::vector<ModelSource> sources;  // the public model first, then the overlays by file name
};

// Reads the public model file and every *.toml of `industry_dir` (by file name; "" = no overlays).
// Errors: kNotFound "model.file" for a file or folder that cannot be read.
Result<std::vector<ModelSource>> ReadModelFiles(const std::string& model_file,
                                                const std::string& industry_dir);

// Parses sources[0] as the public model and the rest as overlays, attaches them, checks the model
// against `catalog` (skipped when null: a stored run's model is not re-checked against today's
// catalogue) and compiles it. Errors: those of scoring/model.h and Evaluator::Compile.
Result<LoadedModel> LoadModel(std::vector<ModelSource> sources, const Catalog* catalog);

// The sources as stored with a run (a JSON array of {"name", "text"}), and back.
std::string EncodeModelSources(std::span<const ModelSource> sources);
Result<std::vector<ModelSource>> DecodeModelSources(const std::string& json);

struct EvaluateOptions {
  int threads = 2;                    // annotation and evaluation threads
  std::size_t chunk_subjects = 8192;  // subjects evaluated and stored together
};

struct EvaluateRequest {
  // Full: default the clock's today. Incremental: default (and only) the base run's date.
  std::optional<Date> as_of;
  bool incremental = false;
};

struct EvaluateDeps {
  Store* store = nullptr;
  const LoadedModel* model = nullptr;
  const Clock* clock = nullptr;
  EvaluateOptions options;
};

// Runs one evaluation, stores it, and returns its summary (docs/cli.md `xinyong evaluate`):
// run_id, mode, model_version, as_of, snapshot_batch, base_run, subjects, evaluated, carried_over,
// distribution, previous_run, migration, psi, seconds. Errors: kFailedPrecondition
// "evaluate.incremental" (no base run, another model or as-of date), "eval.field" (a stored value
// the model reads cannot be parsed), store errors.
Result<nlohmann::ordered_json> RunEvaluation(const EvaluateRequest& request,
                                             const EvaluateDeps& deps);

// One subject's stored result in `run` (0 = the latest run) with its dimensions and reasons, named
// from the run's own model. Errors: kNotFound "evaluate.subject" (unknown USCC, or no result in the
// run), "evaluate.run".
Result<nlohmann::ordered_json> ShowResult(Store& store, const std::string& uscc, std::int64_t run);

struct RecomputeMismatch {
  SubjectId subject = 0;
  std::string uscc;
  std::string what;  // "score 712 stored, 705 recomputed", "reasons differ", "no stored result", …
};

struct RecomputeReport {
  std::int64_t run = 0;
  std::string model_version;
  Date as_of;
  BatchId snapshot = 0;
  std::int64_t checked = 0;
  std::vector<RecomputeMismatch> mismatches;
};

// Re-evaluates `subject` (or, when nullopt, every subject of the run) as of the run's date from the
// run's snapshot with the run's stored model, and compares score, grade, dimensions, reasons and
// industry results with what was stored. Errors: kNotFound "evaluate.run", store errors.
Result<RecomputeReport> Recompute(Store& store, std::int64_t run, std::optional<SubjectId> subject,
                                  const EvaluateOptions& options = {});

struct DrawRequest {
  std::string task_text;  // a task file (config/tasks/README.md)
  std::string task_name;  // its name, for messages
  std::uint64_t seed = 0;
  std::int64_t run = 0;  // the run whose grades give the risk classes; 0 = the latest
  // When set, the population is written there as "<id>\t<uscc>\t<class>\n" lines in ascending id:
  // with the seed and the task, everything needed to re-run the draw (src/scoring/README.md).
  std::string population_out;
};

// The 双随机 draw (scoring/draw.h) over the subjects of a run that the task's population filter
// keeps, each in the risk class of its grade (the public grade, or an industry's: subjects without
// a result in that industry are not in the population). Conflict codes (USCCs) are resolved to
// subjects; codes the store does not know are listed, not refused. Errors: kNotFound
// "evaluate.run", the draw's and the task parser's errors.
Result<nlohmann::ordered_json> RunDraw(Store& store, const DrawRequest& request);

}  // namespace xy

#endif  // XY_SERVICES_EVALUATE_SERVICE_H_
