#include "cli/gen_command.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/date.h"
#include "cli/config.h"
#include "ingest/catalog_loader.h"
#include "ingest/reader.h"
#include "services/generator.h"

namespace xy::cli {
namespace {

using Json = nlohmann::ordered_json;

struct GenOptions {
  std::string item;
  std::int64_t rows = 0;
  std::uint64_t seed = 1;
  double error_rate = 0.0;
  std::string out;
  std::string encoding = "utf-8";
  std::string header = "codes";
  std::int64_t pool = 0;
  std::string reference_date = "2026-06-30";
};

int RunGen(const Context& ctx, const GenOptions& o) {
  OutputOptions output;
  Result<FileFormat> format = FormatFromPath(o.out);
  if (!format) return ReportError(ctx, format.error());
  output.format = *format;
  if (o.encoding == "utf-8" || o.encoding == "utf8") {
    output.encoding = TextEncoding::kUtf8;
  } else if (o.encoding == "gb18030" || o.encoding == "gbk") {
    output.encoding = TextEncoding::kGb18030;
  } else {
    PrintError(ctx, "--encoding must be utf-8 or gb18030");
    return kExitUsage;
  }
  if (o.header != "codes" && o.header != "labels") {
    PrintError(ctx, "--header must be codes or labels");
    return kExitUsage;
  }
  output.label_header = o.header == "labels";
  Result<Date> reference = ParseIsoDate(o.reference_date);
  if (!reference) return ReportError(ctx, reference.error());

  Result<Config> config = LoadConfig(ctx.config_path, ctx.argv0);
  if (!config) return ReportError(ctx, config.error());
  Result<Catalog> catalog = LoadCatalog(config->catalog_layers);
  if (!catalog) return ReportError(ctx, catalog.error());
  const CatalogItem* item = catalog->Find(o.item);
  if (item == nullptr) {
    std::string known;
    for (const auto& [code, it] : catalog->items()) known += (known.empty() ? "" : ", ") + code;
    PrintError(ctx, "unknown catalogue item '" + o.item + "' (known: " + known + ")");
    return kExitUsage;
  }

  GeneratorOptions options;
  options.rows = o.rows;
  options.seed = o.seed;
  options.error_rate = o.error_rate;
  options.pool_size = o.pool;
  options.reference_date = *reference;
  Result<GenerateSummary> summary = GenerateFile(*item, options, o.out, output);
  if (!summary) return ReportError(ctx, summary.error());

  Json j;
  j["file"] = summary->file;
  j["item"] = item->code;
  j["rows"] = summary->rows;
  j["expected"] = summary->sidecar;
  j["accepted"] = summary->accepted;
  j["rejected"] = summary->rejected;
  j["seed"] = o.seed;
  j["pool"] = summary->pool_size;
  j["errors"] = Json::object();
  for (const auto& [kind, n] : summary->planted) j["errors"][kind] = n;
  std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fwrite(line.data(), 1, line.size(), ctx.out);
  std::fflush(ctx.out);
  return kExitOk;
}

}  // namespace

void AddGenCommand(CLI::App& app, Context& ctx, int* exit_code) {
  auto o = std::make_shared<GenOptions>();
  CLI::App* gen = app.add_subcommand("gen",
                                     "Write a synthetic department file for a catalogue item (CSV, "
                                     "GB18030 CSV, XLSX or JSON Lines, by "
                                     "--out's extension) with a known share of errors, and "
                                     "FILE.expected.tsv with every row's expected "
                                     "verdict; prints a one-line JSON summary");
  gen->add_option("--item", o->item, "Catalogue item code (admin_penalty, admin_license, …)")
      ->required();
  gen->add_option("--rows", o->rows, "Number of data rows")
      ->required()
      ->check(CLI::NonNegativeNumber);
  gen->add_option("--seed", o->seed, "Random seed (default 1): the same seed gives the same file");
  gen->add_option(
         "--error-rate", o->error_rate,
         "Share of rows with one planted problem, 0 … 1 (default 0); the kinds are spread evenly")
      ->check(CLI::Range(0.0, 1.0));
  gen->add_option("--out", o->out, "Output file: .csv, .jsonl / .ndjson or .xlsx")->required();
  gen->add_option("--encoding", o->encoding, "CSV encoding: utf-8 (default) or gb18030");
  gen->add_option("--header", o->header,
                  "CSV/XLSX header: codes (default, CF_XDR_MC …) or labels (行政相对人名称 …)");
  gen->add_option(
         "--pool", o->pool,
         "Subjects the rows draw from (default: about rows / 3). Files generated with the same "
         "--seed and --pool share subjects")
      ->check(CLI::NonNegativeNumber);
  gen->add_option(
      "--reference-date", o->reference_date,
      "The data's 'today', YYYY-MM-DD (default 2026-06-30; never the clock, for reproducibility)");
  gen->callback([o, &ctx, exit_code] { *exit_code = RunGen(ctx, *o); });
}

}  // namespace xy::cli
