// The `xinyong` command line: the composition root. It parses the global options, wires the
// configuration and the layers together, and dispatches to one command.
//
// Exit status (INTERFACES.md): 0 success; 1 the command ran and found a problem (an invalid code, a
// failed verification); 2 usage error or the command could not run. Errors go to stderr as one line
// starting with "error:".

#ifndef XY_CLI_APP_H_
#define XY_CLI_APP_H_

#include <cstdio>
#include <string>
#include <vector>

#include "base/date.h"
#include "base/result.h"

namespace xy::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitProblem = 1;
inline constexpr int kExitUsage = 2;

// What every command may use. Built once in RunCli.
struct Context {
  std::string db_url = "sqlite:data/xinyong.db";  // --db
  std::string config_path;                        // --config
  std::string argv0;                              // how the binary was invoked (finds config/)
  const Clock* clock = nullptr;
  std::FILE* in = stdin;
  std::FILE* out = stdout;
  std::FILE* err = stderr;
};

// Runs one invocation and returns its exit status.
int RunCli(int argc, char** argv);

// Prints "error: <message>" on ctx.err.
void PrintError(const Context& ctx, const std::string& message);

// Prints an Error as one "error:" line, English with the Chinese in brackets, and returns
// kExitUsage: the command could not run.
int ReportError(const Context& ctx, const Error& error);

}  // namespace xy::cli

#endif  // XY_CLI_APP_H_
