// `xinyong gen`: a synthetic department file for one catalogue item, with a known share of known
// errors and a sidecar listing every row's expected outcome (services/generator.h).

#ifndef XY_CLI_GEN_COMMAND_H_
#define XY_CLI_GEN_COMMAND_H_

#include <CLI/CLI.hpp>

#include "cli/app.h"

namespace xy::cli {

// Adds `gen` to `app`. It sets `*exit_code` when it runs.
void AddGenCommand(CLI::App& app, Context& ctx, int* exit_code);

}  // namespace xy::cli

#endif  // XY_CLI_GEN_COMMAND_H_
