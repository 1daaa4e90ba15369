// `xinyong init`, `ingest`, `quarantine`, `codes audit|review`: the commands that work on the store.

#ifndef XY_CLI_DATA_COMMANDS_H_
#define XY_CLI_DATA_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cli/app.h"

namespace xy::cli {

void AddDataCommands(CLI::App& app, Context& ctx, int* exit_code);

}  // namespace xy::cli

#endif  // XY_CLI_DATA_COMMANDS_H_
