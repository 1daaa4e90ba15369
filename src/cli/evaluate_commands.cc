#include "cli/evaluate_commands.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "base/date.h"
#include "cli/config.h"
#include "ingest/catalog_loader.h"
#include "services/evaluate_service.h"
#include "store/store.h"

namespace xy::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

struct EvaluateOptionsCli {
  std::string as_of;
  bool full = false;
  bool incremental = false;
  int threads = 0;  // 0: the machine's cores
  // show / recompute
  std::string subject;
  std::int64_t run = 0;
  // inspect draw
  std::string task;
  std::uint64_t seed = 0;
  std::string population_out;
};

void Print(const Context& ctx, const Json& j) {
  const std::string s = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fwrite(s.data(), 1, s.size(), ctx.out);
  std::fflush(ctx.out);
}

Result<std::unique_ptr<Store>> OpenMigrated(const Context& ctx, bool migrate) {
  if (ctx.db_url.starts_with("sqlite:")) {
    const std::string path = ctx.db_url.substr(7);
    std::error_code ec;
    if (fs::path parent = fs::path(path).parent_path(); !path.starts_with(":") && !parent.empty()) {
      fs::create_directories(parent, ec);
    }
  }
  Result<std::unique_ptr<Store>> store = OpenStore(ctx.db_url, *ctx.clock);
  if (!store) return store;
  if (migrate) {
    if (Result<void> r = (*store)->Migrate(); !r) return std::unexpected(r.error());
  }
  return store;
}

EvaluateOptions ServiceOptions(const EvaluateOptionsCli& o) {
  EvaluateOptions options;
  options.threads = o.threads > 0
                        ? o.threads
                        : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return options;
}

int RunEvaluate(const Context& ctx, const EvaluateOptionsCli& o) {
  if (o.full && o.incremental) {
    PrintError(ctx, "--full and --incremental exclude each other");
    return kExitUsage;
  }
  EvaluateRequest request;
  request.incremental = o.incremental;
  if (!o.as_of.empty()) {
    Result<Date> d = ParseIsoDate(o.as_of);
    if (!d) return ReportError(ctx, d.error());
    request.as_of = *d;
  }
  Result<Config> config = LoadConfig(ctx.config_path, ctx.argv0);
  if (!config) return ReportError(ctx, config.error());
  Result<Catalog> catalog = LoadCatalog(config->catalog_layers);
  if (!catalog) return ReportError(ctx, catalog.error());
  Result<std::vector<ModelSource>> sources =
      ReadModelFiles(config->model_file, config->industry_dir);
  if (!sources) return ReportError(ctx, sources.error());
  Result<LoadedModel> model = LoadModel(std::move(*sources), &*catalog);
  if (!model) return ReportError(ctx, model.error());
  Result<std::unique_ptr<Store>> store = OpenMigrated(ctx, /*migrate=*/true);
  if (!store) return ReportError(ctx, store.error());
  EvaluateDeps deps;
  deps.store = store->get();
  deps.model = &*model;
  deps.clock = ctx.clock;
  deps.options = ServiceOptions(o);
  Result<Json> summary = RunEvaluation(request, deps);
  if (!summary) return ReportError(ctx, summary.error());
  Print(ctx, *summary);
  return kExitOk;
}

int RunShow(const Context& ctx, const EvaluateOptionsCli& o) {
  Result<std::unique_ptr<Store>> store = OpenMigrated(ctx, /*migrate=*/true);
  if (!store) return ReportError(ctx, store.error());
  Result<Json> shown = ShowResult(**store, o.subject, o.run);
  if (!shown) return ReportError(ctx, shown.error());
  Print(ctx, *shown);
  return kExitOk;
}

int RunRecompute(const Context& ctx, const EvaluateOptionsCli& o) {
  Result<std::unique_ptr<Store>> store = OpenMigrated(ctx, /*migrate=*/true);
  if (!store) return ReportError(ctx, store.error());
  std::optional<SubjectId> subject;
  if (!o.subject.empty()) {
    Result<std::optional<Subject>> s = (*store)->FindSubjectByUscc(o.subject);
    if (!s) return ReportError(ctx, s.error());
    if (!*s) {
      return ReportError(
          ctx, Error{ErrorCode::kNotFound, "evaluate.subject", "no subject with code " + o.subject,
                     "统一社会信用代码 " + o.subject + " 对应的主体不存在"});
    }
    subject = (*s)->id;
  }
  Result<RecomputeReport> report = Recompute(**store, o.run, subject, ServiceOptions(o));
  if (!report) return ReportError(ctx, report.error());
  Json j;
  j["run_id"] = report->run;
  j["model_version"] = report->model_version;
  j["as_of"] = FormatIsoDate(report->as_of);
  j["snapshot_batch"] = report->snapshot;
  j["checked"] = report->checked;
  j["matched"] = report->checked - static_cast<std::int64_t>(report->mismatches.size());
  j["ok"] = report->mismatches.empty();
  Json mismatches = Json::array();
  for (const RecomputeMismatch& m : report->mismatches) {
    mismatches.push_back({{"subject_id", m.subject}, {"uscc", m.uscc}, {"what", m.what}});
  }
  j["mismatches"] = mismatches;
  Print(ctx, j);
  for (const RecomputeMismatch& m : report->mismatches) {
    PrintError(ctx, "subject " + std::to_string(m.subject) +
                        (m.uscc.empty() ? "" : " (" + m.uscc + ")") +
                        " does not recompute to its stored result: " + m.what +
                        "（复算结果与保存的评价结果不一致）");
  }
  return report->mismatches.empty() ? kExitOk : kExitProblem;
}

int RunInspectDraw(const Context& ctx, const EvaluateOptionsCli& o) {
  std::ifstream in(o.task, std::ios::binary);
  if (!in) {
    return ReportError(ctx, Error{ErrorCode::kNotFound, "file.open", "cannot read " + o.task,
                                  "无法读取 " + o.task});
  }
  std::ostringstream text;
  text << in.rdbuf();
  Result<std::unique_ptr<Store>> store = OpenMigrated(ctx, /*migrate=*/true);
  if (!store) return ReportError(ctx, store.error());
  DrawRequest request;
  request.task_text = text.str();
  request.task_name = o.task;
  request.seed = o.seed;
  request.run = o.run;
  request.population_out = o.population_out;
  Result<Json> draw = RunDraw(**store, request);
  if (!draw) return ReportError(ctx, draw.error());
  Print(ctx, *draw);
  return kExitOk;
}

}  // namespace

void AddEvaluateCommands(CLI::App& app, Context& ctx, int* exit_code) {
  auto o = std::make_shared<EvaluateOptionsCli>();

  CLI::App* evaluate = app.add_subcommand(
      "evaluate",
      "Public credit comprehensive evaluation (公共信用综合评价) of every subject, stored as a "
      "run; "
      "prints the run's summary with the grade distribution, migration matrix and PSI (JSON)");
  evaluate->add_option("--as-of", o->as_of,
                       "Evaluation date YYYY-MM-DD (default today; incremental: the last run's)");
  evaluate->add_flag("--full", o->full, "Evaluate every subject (the default)");
  evaluate->add_flag(
      "--incremental", o->incremental,
      "Re-evaluate only the subjects whose records changed since the last run; carry "
      "the others over");
  evaluate->add_option("--threads", o->threads, "Evaluation threads (default: the machine's cores)")
      ->check(CLI::NonNegativeNumber);
  evaluate->callback([evaluate, o, &ctx, exit_code] {
    // The run itself only when no `show` / `recompute` was given.
    if (evaluate->get_subcommands().empty()) *exit_code = RunEvaluate(ctx, *o);
  });

  CLI::App* show = evaluate->add_subcommand(
      "show", "One subject's score, grade, dimensions and reasons with their record ids (JSON)");
  show->add_option("--subject", o->subject, "The subject's unified social credit code")->required();
  show->add_option("--run", o->run, "Evaluation run id (default: the latest)");
  show->callback([o, &ctx, exit_code] { *exit_code = RunShow(ctx, *o); });

  CLI::App* recompute = evaluate->add_subcommand(
      "recompute",
      "Recompute stored results from the run's snapshot with the run's model; exit 1 naming every "
      "subject whose result differs");
  recompute->add_option("--run", o->run, "Evaluation run id")->required();
  recompute->add_option("--subject", o->subject, "Only this subject (unified social credit code)");
  recompute->callback([o, &ctx, exit_code] { *exit_code = RunRecompute(ctx, *o); });

  CLI::App* inspect = app.add_subcommand("inspect", "信用分级分类监管: inspections");
  inspect->require_subcommand(1);
  CLI::App* draw = inspect->add_subcommand(
      "draw",
      "双随机 draw: subjects per risk class and two conflict-free inspectors each, reproducible "
      "from the seed; prints the seed, the population digests and the assignments (JSON)");
  draw->add_option("--task", o->task, "Task file (config/tasks/README.md)")->required();
  draw->add_option("--seed", o->seed, "Seed (unsigned 64-bit); publish it with the result")
      ->required();
  draw->add_option("--run", o->run,
                   "Evaluation run whose grades give the classes (default: the latest)");
  draw->add_option(
      "--population-out", o->population_out,
      "Also write the population as id<TAB>uscc<TAB>class lines, for re-running the draw");
  draw->callback([o, &ctx, exit_code] { *exit_code = RunInspectDraw(ctx, *o); });
}

}  // namespace xy::cli
