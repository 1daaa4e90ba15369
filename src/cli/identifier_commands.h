// `xinyong uscc check|info`, `xinyong id check`, `xinyong orgcode check`, `xinyong regno check`,
// `xinyong region`.

#ifndef XY_CLI_IDENTIFIER_COMMANDS_H_
#define XY_CLI_IDENTIFIER_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cli/app.h"

namespace xy::cli {

// Adds the identifier commands to `app`. Each sets `*exit_code` when it runs.
void AddIdentifierCommands(CLI::App& app, Context& ctx, int* exit_code);

}  // namespace xy::cli

#endif  // XY_CLI_IDENTIFIER_COMMANDS_H_
