#include "cli/app.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "cli/data_commands.h"
#include "cli/evaluate_commands.h"
#include "cli/gen_command.h"
#include "cli/identifier_commands.h"

namespace xy::cli {
namespace {

// True when `name` is an option (of `level` or, as global options fall through, of a parent) that
// takes a value in the next word ("--db URL"; "--db=URL" is one word).
bool TakesSeparateValue(const CLI::App& level, std::string_view name) {
  if (name.find('=') != std::string_view::npos) return false;
  for (const CLI::App* a = &level; a != nullptr; a = a->get_parent()) {
    if (const CLI::Option* opt = a->get_option_no_throw(std::string(name))) {
      return opt->get_items_expected_min() > 0;
    }
  }
  return false;
}

// CLI11 reports a mistyped command such as `xinyong foo` as "A subcommand is required": the word
// lands in the extras and the requirement is checked first. This walks the words the way the
// command tree would and returns the first one that is not a command where a command is expected
// ("foo", "uscc foo"), or "" when every command word is known.
std::string UnknownCommand(const CLI::App& app, int argc, char** argv, std::string* known_path) {
  const CLI::App* level = &app;
  for (int i = 1; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word == "--") return {};  // everything after it is an argument, not a command
    if (word.starts_with("-")) {
      if (TakesSeparateValue(*level, word)) ++i;
      continue;
    }
    std::vector<const CLI::App*> commands = level->get_subcommands(nullptr);
    if (commands.empty()) return {};  // a leaf command: the remaining words are its arguments
    auto it = std::find_if(commands.begin(), commands.end(),
                           [&](const CLI::App* c) { return c->check_name(std::string(word)); });
    if (it == commands.end()) {
      return known_path->empty() ? std::string(word) : *known_path + " " + std::string(word);
    }
    if (!known_path->empty()) *known_path += ' ';
    *known_path += word;
    level = *it;
  }
  return {};
}

}  // namespace

void PrintError(const Context& ctx, const std::string& message) {
  std::fprintf(ctx.err, "error: %s\n", message.c_str());
  std::fflush(ctx.err);
}

int ReportError(const Context& ctx, const Error& error) {
  PrintError(ctx, error.message + (error.message_zh.empty() ? "" : "（" + error.message_zh + "）"));
  return kExitUsage;
}

int RunCli(int argc, char** argv) {
  SystemClock clock;
  Context ctx;
  ctx.clock = &clock;
  ctx.argv0 = argc > 0 ? argv[0] : "xinyong";

  CLI::App app{"xinyong — public credit information sharing and service platform (公共信用信息共享服务平台)",
               "xinyong"};
  app.require_subcommand(1);
  // Global options are accepted before or after the command's own arguments.
  app.fallthrough();
  app.add_option("--db", ctx.db_url,
                 "Store URL: sqlite:PATH (default sqlite:data/xinyong.db) or postgresql://…");
  app.add_option("--config", ctx.config_path, "Configuration file (TOML)");
  app.set_version_flag("--version", "xinyong 0.1.0");

  int exit_code = kExitOk;
  AddIdentifierCommands(app, ctx, &exit_code);
  AddDataCommands(app, ctx, &exit_code);
  AddEvaluateCommands(app, ctx, &exit_code);
  AddGenCommand(app, ctx, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::fputs(app.help().c_str(), stdout);
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    std::fputs((std::string(e.what()) + "\n").c_str(), stdout);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::string known;
    std::string unknown = UnknownCommand(app, argc, argv, &known);
    if (!unknown.empty()) {
      std::string help = known.empty() ? "xinyong --help" : "xinyong " + known + " --help";
      PrintError(ctx, "unknown command '" + unknown + "' (see: " + help + ")");
      return kExitUsage;
    }
    PrintError(ctx, std::string(e.what()) + " (see: xinyong --help)");
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace xy::cli
