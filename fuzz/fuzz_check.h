// Shared by the libFuzzer targets in this folder.
//
// A fuzz target that only survives its input finds crashes; one that checks invariants also finds
// wrong answers. XY_FUZZ_CHECK reports which invariant broke (file, line, the condition) before
// trapping, so a crash file comes with its explanation instead of a bare SIGILL.

#ifndef XY_FUZZ_FUZZ_CHECK_H_
#define XY_FUZZ_FUZZ_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#define XY_FUZZ_CHECK(cond)                                                             \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
      std::fflush(stderr);                                                              \
      __builtin_trap();                                                                 \
    }                                                                                   \
  } while (false)

// The libraries are built with recoverable UBSan (cmake/XyOptions.cmake), which only prints; a fuzz
// run must stop at the first undefined behaviour, or the finding scrolls past unnoticed. Not
// inline: the runtime looks the symbol up, nothing calls it, so it must be emitted. Each fuzz
// target is one .cc file, so including this header once per binary is the rule.
extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

namespace xy::fuzz {

inline std::string_view AsView(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace xy::fuzz

#endif  // XY_FUZZ_FUZZ_CHECK_H_
