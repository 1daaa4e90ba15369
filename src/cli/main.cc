// The `xinyong` binary. Everything happens in RunCli; main only guards against escaping exceptions.

#include <cstdio>
#include <exception>

#include "cli/app.h"

int main(int argc, char** argv) {
  try {
    return xy::cli::RunCli(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: internal: %s\n", e.what());
    return xy::cli::kExitUsage;
  }
}
