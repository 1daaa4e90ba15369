#include "cli/data_commands.h"

#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/calendar.h"
#include "base/crypto.h"
#include "cli/config.h"
#include "ingest/catalog_loader.h"
#include "ingest/validator.h"
#include "ledger/proof_bundle.h"
#include "services/ingest_service.h"
#include "services/keys.h"
#include "services/ledger_service.h"
#include "store/store.h"

namespace xy::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

struct DataOptions {
  // ingest
  std::string item, dept, encoding = "auto";
  std::vector<std::string> files;
  // quarantine
  std::int64_t batch = 0;
  std::string out;
  // codes review
  std::int64_t issue = 0;
  std::string status, reviewer, note;
  // ledger proof
  std::int64_t record = 0;
  int version = 0;
};

void Print(const Context& ctx, const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), ctx.out);
  std::fflush(ctx.out);
}

std::string Dump(const Json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, "file.open", "cannot read " + path, "无法读取 " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Everything a data command needs, opened from the global options and the config.
struct Env {
  Config config;
  std::unique_ptr<Store> store;
};

Result<Env> OpenEnv(const Context& ctx, bool migrate) {
  Env env;
  Result<Config> config = LoadConfig(ctx.config_path, ctx.argv0);
  if (!config) return std::unexpected(config.error());
  env.config = *config;
  if (ctx.db_url.starts_with("sqlite:")) {
    std::string path = ctx.db_url.substr(7);
    std::error_code ec;
    if (fs::path parent = fs::path(path).parent_path(); !path.starts_with(":") && !parent.empty()) {
      fs::create_directories(parent, ec);
    }
  }
  Result<std::unique_ptr<Store>> store = OpenStore(ctx.db_url, *ctx.clock);
  if (!store) return std::unexpected(store.error());
  env.store = std::move(*store);
  if (migrate) {
    if (Result<void> r = env.store->Migrate(); !r) return std::unexpected(r.error());
  }
  return env;
}

int RunInit(const Context& ctx) {
  Result<Env> env = OpenEnv(ctx, /*migrate=*/true);
  if (!env) return ReportError(ctx, env.error());
  Json j;
  j["db"] = ctx.db_url;
  j["config"] = env->config.path;
  Result<KeyFileChange> keys = OpenOrCreateKeyFile(env->config.key_file);
  if (!keys) return ReportError(ctx, keys.error());
  j["key_file"] = env->config.key_file;
  j["key_created"] = *keys == KeyFileChange::kCreated;
  if (*keys == KeyFileChange::kLedgerKeyAdded) j["ledger_key_added"] = true;
  Print(ctx, Dump(j));
  return kExitOk;
}

int RunIngestCommand(const Context& ctx, const DataOptions& o) {
  TextEncoding encoding = TextEncoding::kAuto;
  if (o.encoding == "utf-8" || o.encoding == "utf8") {
    encoding = TextEncoding::kUtf8;
  } else if (o.encoding == "gb18030" || o.encoding == "gbk") {
    encoding = TextEncoding::kGb18030;
  } else if (o.encoding != "auto") {
    PrintError(ctx, "--encoding must be auto, utf-8 or gb18030");
    return kExitUsage;
  }
  Result<Env> env = OpenEnv(ctx, /*migrate=*/true);
  if (!env) return ReportError(ctx, env.error());
  Result<Catalog> catalog = LoadCatalog(env->config.catalog_layers);
  if (!catalog) return ReportError(ctx, catalog.error());
  UsccExceptions exceptions;
  if (!env->config.uscc_exceptions.empty()) {
    Result<std::string> text = ReadFile(env->config.uscc_exceptions);
    if (!text) return ReportError(ctx, text.error());
    Result<UsccExceptions> parsed = UsccExceptions::Parse(*text);
    if (!parsed) return ReportError(ctx, parsed.error());
    exceptions = std::move(*parsed);
  }
  Result<Keys> keys = ReadKeyFile(env->config.key_file);
  if (!keys) return ReportError(ctx, keys.error());
  PersonalDataCipher cipher(keys->master);

  IngestDeps deps;
  deps.store = env->store.get();
  deps.catalog = &*catalog;
  deps.clock = ctx.clock;
  deps.calendar = &WorkingDayCalendar::Default();
  deps.exceptions = &exceptions;
  deps.cipher = &cipher;
  deps.ledger_key = &keys->ledger;
  Json receipts = Json::array();
  for (const std::string& file : o.files) {
    IngestRequest req{o.item, o.dept, file, "", encoding};
    Result<Json> receipt = RunIngest(req, deps);
    if (!receipt) {
      // Receipts of files already processed stay printed; this file was not processed.
      if (!receipts.empty()) Print(ctx, Dump(receipts.size() == 1 ? receipts[0] : receipts));
      return ReportError(ctx, receipt.error());
    }
    receipts.push_back(*receipt);
  }
  Print(ctx, Dump(receipts.size() == 1 ? receipts[0] : receipts));
  return kExitOk;
}

int RunQuarantine(const Context& ctx, const DataOptions& o) {
  Result<Env> env = OpenEnv(ctx, /*migrate=*/false);
  if (!env) return ReportError(ctx, env.error());
  Result<std::string> csv = QuarantineCsv(*env->store, o.batch);
  if (!csv) return ReportError(ctx, csv.error());
  if (o.out.empty()) {
    Print(ctx, *csv);
    return kExitOk;
  }
  std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
  if (!out || !out.write(csv->data(), static_cast<std::streamsize>(csv->size()))) {
    PrintError(ctx, "cannot write " + o.out);
    return kExitUsage;
  }
  return kExitOk;
}

int RunCodesAudit(const Context& ctx) {
  Result<Env> env = OpenEnv(ctx, /*migrate=*/true);
  if (!env) return ReportError(ctx, env.error());
  Result<std::vector<CodeIssue>> issues = env->store->ListCodeIssues();
  if (!issues) return ReportError(ctx, issues.error());
  Result<std::int64_t> subjects = env->store->CountSubjects();
  if (!subjects) return ReportError(ctx, subjects.error());
  std::int64_t duplicates = 0, errors = 0;
  Json list = Json::array();
  for (const CodeIssue& i : *issues) {
    // Cleared issues were false alarms; confirmed and open ones count against the rate.
    if (i.status != "cleared") (i.kind == "duplicate" ? duplicates : errors)++;
    list.push_back({{"id", i.id}, {"kind", i.kind}, {"code", i.code}, {"detail", i.detail},
                    {"status", i.status}, {"reviewer", i.reviewer}, {"note", i.note}});
  }
  double rate = *subjects == 0 ? 0.0 : static_cast<double>(duplicates + errors) / *subjects;
  Json j;
  j["subjects"] = *subjects;
  j["duplicates"] = duplicates;
  j["errors"] = errors;
  j["rate_per_10000"] = std::round(rate * 10000 * 100) / 100;
  j["target_per_10000"] = 1.0;  // the Huainan plan: 重错码率 below 1/10,000 by end of 2022
  j["meets_target"] = rate * 10000 < 1.0;
  j["issues"] = list;
  Print(ctx, Dump(j));
  return kExitOk;
}

int RunCodesReview(const Context& ctx, const DataOptions& o) {
  Result<Env> env = OpenEnv(ctx, /*migrate=*/true);
  if (!env) return ReportError(ctx, env.error());
  if (Result<void> r = env->store->ReviewCodeIssue(o.issue, o.status, o.reviewer, o.note); !r) {
    return ReportError(ctx, r.error());
  }
  return kExitOk;
}

int RunLedgerVerify(const Context& ctx) {
  Result<Env> env = OpenEnv(ctx, /*migrate=*/true);
  if (!env) return ReportError(ctx, env.error());
  Result<Keys> keys = ReadKeyFile(env->config.key_file);
  if (!keys) return ReportError(ctx, keys.error());
  Result<LedgerCheck> check = VerifyLedger(*env->store, keys->ledger.PublicPem());
  if (!check) return ReportError(ctx, check.error());
  Json j;
  j["ok"] = check->ok();
  j["leaves"] = check->leaves;
  j["tree_heads"] = check->heads;
  j["record_versions"] = check->record_versions;
  Json problems = Json::array();
  for (const LedgerProblem& p : check->problems) {
    Json q;
    q["kind"] = p.kind;
    if (p.leaf >= 0) q["leaf"] = p.leaf;
    if (p.tree_size >= 0) q["tree_size"] = p.tree_size;
    if (p.record != 0) {
      q["record"] = p.record;
      q["version"] = p.version;
      q["item"] = p.item;
      q["natural_key"] = p.natural_key;
    }
    q["message"] = p.message;
    q["message_zh"] = p.message_zh;
    problems.push_back(std::move(q));
  }
  j["problems"] = problems;
  Print(ctx, Dump(j));
  return check->ok() ? kExitOk : kExitProblem;
}

int RunLedgerProof(const Context& ctx, const DataOptions& o) {
  Result<Env> env = OpenEnv(ctx, /*migrate=*/true);
  if (!env) return ReportError(ctx, env.error());
  Result<Keys> keys = ReadKeyFile(env->config.key_file);
  if (!keys) return ReportError(ctx, keys.error());
  Result<ledger::InclusionBundle> bundle = ProveRecordVersion(
      *env->store, o.record, o.version > 0 ? std::optional<int>(o.version) : std::nullopt);
  if (!bundle) return ReportError(ctx, bundle.error());
  // The bundle as the ledger layer writes it, with the public key an outside checker needs.
  Json j = Json::parse(ledger::ToJson(*bundle));
  j["public_key"] = keys->ledger.PublicPem();
  Print(ctx, Dump(j));
  return kExitOk;
}

}  // namespace

void AddDataCommands(CLI::App& app, Context& ctx, int* exit_code) {
  auto o = std::make_shared<DataOptions>();

  app.add_subcommand("init", "Create or migrate the store and create the key file (0600) if missing")
      ->callback([&ctx, exit_code] { *exit_code = RunInit(ctx); });

  CLI::App* ingest = app.add_subcommand(
      "ingest", "Ingest department files for one catalogue item; prints the batch receipt (JSON)");
  ingest->add_option("--item", o->item, "Catalogue item code (admin_penalty, admin_license, …)")->required();
  ingest->add_option("--dept", o->dept, "The submitting department's unified social credit code")->required();
  ingest->add_option("--encoding", o->encoding, "CSV encoding: auto (default), utf-8 or gb18030");
  ingest->add_option("files", o->files, "Files: .csv, .jsonl, .xlsx (one batch each)")->required();
  ingest->callback([o, &ctx, exit_code] { *exit_code = RunIngestCommand(ctx, *o); });

  CLI::App* quarantine = app.add_subcommand(
      "quarantine", "The rejected rows of a batch as CSV, with 错误原因 columns, ready to fix and resubmit");
  quarantine->add_option("--batch", o->batch, "Batch id from the receipt")->required();
  quarantine->add_option("--out", o->out, "Write to this file instead of stdout");
  quarantine->callback([o, &ctx, exit_code] { *exit_code = RunQuarantine(ctx, *o); });

  CLI::App* codes = app.add_subcommand("codes", "统一社会信用代码重错码治理: duplicate and wrong codes");
  codes->require_subcommand(1);
  codes->add_subcommand("audit", "List suspected duplicate and wrong codes with the 重错码率 (JSON)")
      ->callback([&ctx, exit_code] { *exit_code = RunCodesAudit(ctx); });
  CLI::App* review = codes->add_subcommand("review", "Mark an issue confirmed or cleared");
  review->add_option("id", o->issue, "Issue id from `codes audit`")->required();
  review->add_option("--status", o->status, "confirmed or cleared")->required();
  review->add_option("--reviewer", o->reviewer, "Who reviewed it")->required();
  review->add_option("--note", o->note, "Why");
  review->callback([o, &ctx, exit_code] { *exit_code = RunCodesReview(ctx, *o); });

  CLI::App* ledger = app.add_subcommand("ledger", "The transparency ledger (SM3 Merkle log, SM2-signed tree heads)");
  ledger->require_subcommand(1);
  ledger
      ->add_subcommand("verify",
                       "Recompute the ledger from the stored data and check every signed tree head; exit 1 "
                       "naming each record found changed or deleted")
      ->callback([&ctx, exit_code] { *exit_code = RunLedgerVerify(ctx); });
  CLI::App* proof = ledger->add_subcommand(
      "proof", "Print a record version's inclusion proof under the latest signed tree head (JSON, with the public key)");
  proof->add_option("--record", o->record, "Record id")->required();
  proof->add_option("--version", o->version, "Record version (default: the current one)");
  proof->callback([o, &ctx, exit_code] { *exit_code = RunLedgerProof(ctx, *o); });
}

}  // namespace xy::cli
