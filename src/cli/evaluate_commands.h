// `xinyong evaluate` (full or incremental runs, `show`, `recompute`) and `xinyong inspect draw`:
// the public credit comprehensive evaluation and the 双随机 draw of credit-graded supervision
// (services/evaluate_service.h).

#ifndef XY_CLI_EVALUATE_COMMANDS_H_
#define XY_CLI_EVALUATE_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cli/app.h"

namespace xy::cli {

void AddEvaluateCommands(CLI::App& app, Context& ctx, int* exit_code);

}  // namespace xy::cli

#endif  // XY_CLI_EVALUATE_COMMANDS_H_
