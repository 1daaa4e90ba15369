#include "subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ostream>
#include <utility>

extern char** environ;

namespace xy::subprocess {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunk = 1 << 16;

// Owns one file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }

  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void Reset(int fd) {
    Close();
    fd_ = fd;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

// Close-on-exec so the child only keeps the ends posix_spawn dup2s onto 0, 1 and 2 (and other tests
// running Run concurrently do not leak each other's pipes into their children).
bool MakePipe(Pipe& p, std::string& error) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    error = std::string("pipe2: ") + std::strerror(errno);
    return false;
  }
  p.read.Reset(fds[0]);
  p.write.Reset(fds[1]);
  return true;
}

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Writing to a pipe whose reader has gone raises SIGPIPE, which would kill the whole test binary.
// This blocks it in the calling thread while Run works, then discards any SIGPIPE the writes
// raised.
class SigpipeBlocker {
 public:
  SigpipeBlocker() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeBlocker() {
    if (!was_pending_) {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGPIPE);
      const timespec zero{0, 0};
      while (sigtimedwait(&set, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  SigpipeBlocker(const SigpipeBlocker&) = delete;
  SigpipeBlocker& operator=(const SigpipeBlocker&) = delete;

 private:
  sigset_t old_mask_;
  bool was_pending_ = false;
};

// The parent's environment with `overrides` ("NAME=VALUE") added or replacing same-named entries.
std::vector<std::string> MergedEnvironment(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  for (const std::string& o : overrides) {
    std::string name = o.substr(0, o.find('=') + 1);
    std::erase_if(env, [&](const std::string& e) { return e.starts_with(name); });
    env.push_back(o);
  }
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Reads what is available now, at most kMaxChunksPerRead chunks so that a child writing without
// pause cannot keep Run from checking its deadline and the other pipes. Returns false at end of
// file or on an error (the pipe is done).
bool ReadSome(int fd, std::string& sink) {
  constexpr int kMaxChunksPerRead = 16;
  char buf[kChunk];
  for (int chunks = 0; chunks < kMaxChunksPerRead;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      sink.append(buf, static_cast<std::size_t>(n));
      ++chunks;
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
  return true;
}

// Writes what fits now. Returns false when all is written or the reader has gone.
bool WriteSome(int fd, const std::string& data, std::size_t& written) {
  while (written < data.size()) {
    std::size_t len = std::min(kChunk, data.size() - written);
    ssize_t n = ::write(fd, data.data() + written, len);
    if (n > 0) {
      written += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return false;  // EPIPE: the child closed stdin or exited; the rest is dropped
  }
  return false;
}

int MillisUntil(Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, INT_MAX));
}

}  // namespace

RunResult Run(std::vector<std::string> argv, std::string stdin_data, const RunOptions& options) {
  RunResult result;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + options.timeout;
  if (argv.empty()) {
    result.spawn_error = "empty argv";
    return result;
  }

  SigpipeBlocker sigpipe_blocker;
  Pipe in, out, err;
  if (!MakePipe(in, result.spawn_error) || !MakePipe(out, result.spawn_error) ||
      !MakePipe(err, result.spawn_error)) {
    return result;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write.get(), STDERR_FILENO);

  // The child starts with no signals blocked (we block SIGPIPE here, and the mask is inherited),
  // SIGPIPE at its default even if the test binary ignores it, and in its own process group so a
  // time-out kills anything it started too.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty_mask, default_signals;
  sigemptyset(&empty_mask);
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &empty_mask);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<std::string> env = MergedEnvironment(options.env);
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, c_argv[0], &actions, &attr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    result.spawn_error = "cannot run " + argv[0] + ": " + std::strerror(rc);
    return result;
  }

  // Only the child holds these ends now; keeping them open here would hide its end of file.
  in.read.Close();
  out.write.Close();
  err.write.Close();
  SetNonBlocking(in.write.get());
  SetNonBlocking(out.read.get());
  SetNonBlocking(err.read.get());

  std::size_t written = 0;
  if (stdin_data.empty()) in.write.Close();

  // Kills the child and anything it started (same process group); `flag` records why.
  bool killed = false;
  auto kill_group = [&](bool& flag) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);  // in case setpgid had not taken effect
    killed = true;
    flag = true;
  };

  while (!killed && (out.read.open() || err.read.open())) {
    int wait_ms = MillisUntil(deadline);
    if (wait_ms == 0) {
      kill_group(result.timed_out);
      break;
    }
    pollfd fds[3];
    nfds_t n = 0;
    int in_slot = -1, out_slot = -1, err_slot = -1;
    if (in.write.open()) {
      in_slot = static_cast<int>(n);
      fds[n++] = {in.write.get(), POLLOUT, 0};
    }
    if (out.read.open()) {
      out_slot = static_cast<int>(n);
      fds[n++] = {out.read.get(), POLLIN, 0};
    }
    if (err.read.open()) {
      err_slot = static_cast<int>(n);
      fds[n++] = {err.read.get(), POLLIN, 0};
    }
    int ready = ::poll(fds, n, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      result.spawn_error = std::string("poll: ") + std::strerror(errno);
      bool poll_failed = false;
      kill_group(poll_failed);
      break;
    }
    if (ready == 0) continue;  // the deadline check at the top kills it
    if (in_slot >= 0 && fds[in_slot].revents != 0 &&
        !WriteSome(in.write.get(), stdin_data, written)) {
      in.write.Close();  // all written (end of file for the child), or the child stopped reading
    }
    if (out_slot >= 0 && fds[out_slot].revents != 0 && !ReadSome(out.read.get(), result.out)) {
      out.read.Close();
    }
    if (err_slot >= 0 && fds[err_slot].revents != 0 && !ReadSome(err.read.get(), result.err)) {
      err.read.Close();
    }
    if (result.out.size() + result.err.size() > options.max_output_bytes) {
      kill_group(result.output_limit_exceeded);
    }
  }
  in.write.Close();

  // Both outputs are closed, so the child is exiting; but it may also have closed them and kept
  // running, so the deadline still applies.
  int status = 0;
  while (true) {
    pid_t w = ::waitpid(pid, &status, killed ? 0 : WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (w == 0) {
      if (MillisUntil(deadline) == 0) {
        kill_group(result.timed_out);
        continue;
      }
      ::usleep(1000);
    }
  }
  if (result.timed_out) {
    // Keep what it wrote before it was killed: that is what explains a hang.
    if (out.read.open()) ReadSome(out.read.get(), result.out);
    if (err.read.open()) ReadSome(err.read.get(), result.err);
  }
  if (WIFEXITED(status) && !killed) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

std::string Describe(const RunResult& result) {
  std::string s;
  if (!result.spawn_error.empty()) {
    s = "spawn error: " + result.spawn_error;
  } else if (result.timed_out) {
    s = "timed out after " + std::to_string(result.elapsed.count()) + " ms";
  } else if (result.output_limit_exceeded) {
    s = "killed after writing more than the output limit";
  } else if (result.term_signal != 0) {
    s = "killed by signal " + std::to_string(result.term_signal) + " (" +
        strsignal(result.term_signal) + ")";
  } else {
    s = "exit " + std::to_string(result.exit_code);
  }
  s += ", " + std::to_string(result.out.size()) + " bytes on stdout, stderr: ";
  constexpr std::size_t kShown = 2000;
  s += result.err.size() <= kShown ? result.err : result.err.substr(0, kShown) + "…";
  return s;
}

std::ostream& operator<<(std::ostream& os, const RunResult& result) {
  return os << Describe(result);
}

}  // namespace xy::subprocess
