// Runs a program as a child process for end-to-end tests: feeds it stdin, captures stdout and
// stderr separately and completely, and kills it when it runs too long.
//
// The three pipes are serviced together with poll(), so a child that writes megabytes to stdout or
// stderr before it has read all of its stdin (or never reads it) cannot deadlock the test. A child
// that closes stdin early is not an error: the rest of the input is dropped (EPIPE, no SIGPIPE).
//
// Thread-safety: Run may be called from several threads at once. It blocks SIGPIPE in the calling
// thread only, for the duration of the call.

#ifndef XY_TESTS_SUBPROCESS_H_
#define XY_TESTS_SUBPROCESS_H_

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

// Not xy::testing: that would shadow GoogleTest's ::testing inside namespace xy.
namespace xy::subprocess {

// Members have default initialisers so `RunOptions{.timeout = 5s}` compiles under -Wextra -Werror.
struct RunOptions {
  // The child is killed (SIGKILL) when it has not exited this long after it started.
  std::chrono::milliseconds timeout{60'000};
  // "NAME=VALUE" entries added to (or replacing in) the parent's environment.
  std::vector<std::string> env = {};
  // The child is killed when stdout and stderr together exceed this, so a runaway writer fails the
  // test instead of exhausting memory.
  std::size_t max_output_bytes = std::size_t{1} << 30;
};

struct RunResult {
  int exit_code = -1;      // the exit status, or -1 when the child did not exit normally
  int term_signal = 0;     // the signal that ended the child, or 0 when it exited normally
  bool timed_out = false;  // the child was killed because it ran past RunOptions::timeout
  bool output_limit_exceeded = false;  // killed for writing more than RunOptions::max_output_bytes
  std::string spawn_error;             // non-empty when the program could not be started at all
  std::string out;                     // everything written to stdout, byte for byte
  std::string err;                     // everything written to stderr, byte for byte
  std::chrono::milliseconds elapsed{0};

  // True when the child ran and exited by itself (not signalled, not killed by Run).
  bool exited() const {
    return spawn_error.empty() && !timed_out && !output_limit_exceeded && term_signal == 0;
  }
};

// Runs argv[0] (a path; PATH is not searched) with the arguments argv[1..], writing `stdin_data` to
// its stdin and then closing it (an empty string gives immediate end of file).
RunResult Run(std::vector<std::string> argv, std::string stdin_data,
              const RunOptions& options = {});

// A one-line summary for failure messages: exit status, signal, time-out, and the start of stderr.
std::string Describe(const RunResult& result);
std::ostream& operator<<(std::ostream& os, const RunResult& result);

}  // namespace xy::subprocess

#endif  // XY_TESTS_SUBPROCESS_H_
