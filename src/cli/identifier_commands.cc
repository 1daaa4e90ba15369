#include "cli/identifier_commands.h"

#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "domain/business_reg_no.h"
#include "domain/check.h"
#include "domain/citizen_id.h"
#include "domain/org_code.h"
#include "domain/region.h"
#include "domain/uscc.h"

namespace xy::cli {
namespace {

using Json = nlohmann::ordered_json;

struct CheckOptions {
  bool strict = false;
  std::vector<std::string> inputs;
};

// Buffered writer for the one-line-per-input output (millions of lines on a pipe).
class LineWriter {
 public:
  explicit LineWriter(std::FILE* out) : out_(out) { buf_.reserve(kFlushAt + 4096); }
  ~LineWriter() { Flush(); }
  void Write(std::string_view input, bool valid, std::string_view reason) {
    buf_.append(input);
    buf_ += valid ? "\tvalid\t" : "\tinvalid\t";
    buf_.append(reason);
    buf_ += '\n';
    if (buf_.size() >= kFlushAt) Flush();
  }
  void Flush() {
    if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), out_);
    buf_.clear();
  }

 private:
  static constexpr std::size_t kFlushAt = 1 << 16;
  std::FILE* out_;
  std::string buf_;
};

// Calls `fn(line)` for each line of `in`, without its "\n" or "\r\n". A final line without a newline
// counts; the empty piece after a final newline does not.
template <typename Fn>
void ForEachLine(std::FILE* in, Fn fn) {
  std::string line;
  std::vector<char> buf(1 << 16);
  bool pending = false;
  while (true) {
    std::size_t n = std::fread(buf.data(), 1, buf.size(), in);
    if (n == 0) break;
    std::size_t start = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (buf[i] != '\n') continue;
      line.append(buf.data() + start, i - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      fn(std::string_view(line));
      line.clear();
      pending = false;
      start = i + 1;
    }
    if (start < n) {
      line.append(buf.data() + start, n - start);
      pending = true;
    }
  }
  if (pending) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    fn(std::string_view(line));
  }
}

// Runs `check` over the arguments, or over stdin's lines when there are none. Exit 1 when any input
// is invalid.
template <typename Check>
int RunChecks(const Context& ctx, const CheckOptions& opts, Check check) {
  LineWriter writer(ctx.out);
  bool any_invalid = false;
  auto one = [&](std::string_view input) {
    CheckResult r = check(input, opts.strict ? CheckMode::kStrict : CheckMode::kNormalize);
    any_invalid |= !r.valid();
    writer.Write(input, r.valid(), r.reason());
  };
  if (opts.inputs.empty()) {
    ForEachLine(ctx.in, one);
  } else {
    for (const std::string& input : opts.inputs) one(input);
  }
  writer.Flush();
  std::fflush(ctx.out);
  return any_invalid ? kExitProblem : kExitOk;
}

CLI::App* AddCheckCommand(CLI::App& parent, const std::string& name, const std::string& what,
                          CheckOptions& opts) {
  CLI::App* cmd = parent.add_subcommand(
      name, "Check " + what + ": one per argument, or one per line on stdin when there are none.\n"
                "Prints INPUT<TAB>valid|invalid<TAB>REASON per input, in order; exits 1 if any is invalid.");
  cmd->add_flag("--strict", opts.strict,
                "Check exactly as given: no NFKC, separator removal or upper-casing");
  cmd->add_option("inputs", opts.inputs, "Codes to check (default: read stdin)");
  return cmd;
}

std::string Dump(const Json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void WriteJson(const Context& ctx, const Json& j) {
  std::string s = Dump(j);
  std::fwrite(s.data(), 1, s.size(), ctx.out);
  std::fflush(ctx.out);
}

Json RegionJson(const RegionTable& regions, const Region& r) {
  Json j;
  j["code"] = std::to_string(r.code);
  j["name"] = r.name();
  j["level"] = std::string(RegionLevelName(r.level));
  j["current"] = r.current();
  j["full_name"] = regions.FullName(r.code);
  Json ancestors = Json::array();
  for (const Region* a : regions.Ancestry(r.code)) {
    if (a == &r) continue;
    ancestors.push_back({{"code", std::to_string(a->code)},
                         {"name", a->name()},
                         {"level", std::string(RegionLevelName(a->level))}});
  }
  j["parents"] = ancestors;
  Json history = Json::array();
  for (const RegionPeriod& p : r.periods) {
    Json h;
    h["name"] = p.name;
    h["valid_from"] = p.valid_from ? Json(*p.valid_from) : Json(nullptr);
    h["valid_to"] = p.valid_to ? Json(*p.valid_to) : Json(nullptr);
    history.push_back(h);
  }
  j["history"] = history;
  return j;
}

int RunUsccInfo(const Context& ctx, const std::string& input, bool strict) {
  Result<Uscc> code = Uscc::Parse(input, strict ? CheckMode::kStrict : CheckMode::kNormalize);
  if (!code) {
    Json j;
    j["input"] = input;
    j["valid"] = false;
    j["reason"] = code.error().reason.substr(code.error().reason.find('.') + 1);
    j["message"] = code.error().message;
    j["message_zh"] = code.error().message_zh;
    WriteJson(ctx, j);
    PrintError(ctx, "invalid unified social credit code: " + code.error().message);
    return kExitProblem;
  }
  UsccInfo info = DescribeUscc(*code);
  Json j;
  j["input"] = input;
  j["valid"] = true;
  j["code"] = info.code;
  j["normalized"] = info.code != input;
  j["authority"] = {{"code", std::string(1, info.authority)}, {"name", info.authority_name}};
  j["category"] = {{"code", std::string(1, info.category)}, {"name", info.category_name}};
  Json region = {{"code", info.region_code}, {"name", info.region_name}, {"current", info.region_current}};
  j["region"] = region;
  j["org_code"] = info.org_code;
  j["check"] = std::string(1, code->check_char());
  WriteJson(ctx, j);
  return kExitOk;
}

int RunRegion(const Context& ctx, const std::string& query) {
  const RegionTable& regions = RegionTable::Default();
  const Region* r = regions.Find(query);
  if (r == nullptr) {
    bool digits = !query.empty() && query.find_first_not_of("0123456789") == std::string::npos;
    if (digits) {
      PrintError(ctx, "no GB/T 2260 region has the code '" + query + "' (present or historic)");
      return kExitProblem;
    }
    Result<int> code = regions.FindByPath(query);
    if (!code) {
      PrintError(ctx, code.error().message);
      return kExitProblem;
    }
    r = regions.Find(*code);
  }
  WriteJson(ctx, RegionJson(regions, *r));
  return kExitOk;
}

}  // namespace

struct IdentifierOptions {
  CheckOptions uscc, id, org, regno;
  std::string info_input, region_query;
  bool info_strict = false;
};

void AddIdentifierCommands(CLI::App& app, Context& ctx, int* exit_code) {
  // Parsing fills the options; the callbacks, which CLI11 keeps as long as the app, share them.
  auto o = std::make_shared<IdentifierOptions>();

  CLI::App* uscc = app.add_subcommand("uscc", "Unified social credit codes (GB 32100-2015)");
  uscc->require_subcommand(1);
  AddCheckCommand(*uscc, "check", "unified social credit codes", o->uscc)->callback([o, &ctx, exit_code] {
    *exit_code = RunChecks(ctx, o->uscc, [](std::string_view in, CheckMode mode) {
      return CheckUscc(in, mode);
    });
  });
  CLI::App* info = uscc->add_subcommand("info", "Decode a unified social credit code as JSON");
  info->add_option("code", o->info_input, "The code")->required();
  info->add_flag("--strict", o->info_strict, "Do not normalise the input first");
  info->callback([o, &ctx, exit_code] { *exit_code = RunUsccInfo(ctx, o->info_input, o->info_strict); });

  CLI::App* id = app.add_subcommand("id", "Citizen identity numbers (GB 11643-1999)");
  id->require_subcommand(1);
  AddCheckCommand(*id, "check", "citizen identity numbers", o->id)->callback([o, &ctx, exit_code] {
    *exit_code = RunChecks(ctx, o->id, [&ctx](std::string_view in, CheckMode mode) {
      return CheckCitizenId(in, *ctx.clock, mode);
    });
  });

  CLI::App* org = app.add_subcommand("orgcode", "Organisation codes (GB 11714-1997)");
  org->require_subcommand(1);
  AddCheckCommand(*org, "check", "organisation codes", o->org)->callback([o, &ctx, exit_code] {
    *exit_code = RunChecks(ctx, o->org, [](std::string_view in, CheckMode mode) {
      return CheckOrgCode(in, mode);
    });
  });

  CLI::App* regno = app.add_subcommand("regno", "15-digit business registration numbers (GS 15-2006)");
  regno->require_subcommand(1);
  AddCheckCommand(*regno, "check", "business registration numbers", o->regno)->callback([o, &ctx, exit_code] {
    *exit_code = RunChecks(ctx, o->regno, [](std::string_view in, CheckMode mode) {
      return CheckBusinessRegNo(in, mode);
    });
  });

  CLI::App* region = app.add_subcommand(
      "region", "Look up a GB/T 2260 region by code (340422) or name path (安徽省/淮南市/寿县) as JSON");
  region->add_option("code_or_path", o->region_query, "Six-digit code or name path")->required();
  region->callback([o, &ctx, exit_code] { *exit_code = RunRegion(ctx, o->region_query); });
}

}  // namespace xy::cli
