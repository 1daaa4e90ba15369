#include "cli/app.h"

#include <CLI/CLI.hpp>

#include "cli/identifier_commands.h"

namespace xy::cli {

void PrintError(const Context& ctx, const std::string& message) {
  std::fprintf(ctx.err, "error: %s\n", message.c_str());
  std::fflush(ctx.err);
}

int RunCli(int argc, char** argv) {
  SystemClock clock;
  Context ctx;
  ctx.clock = &clock;

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
    PrintError(ctx, std::string(e.what()) + " (see: xinyong --help)");
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace xy::cli
