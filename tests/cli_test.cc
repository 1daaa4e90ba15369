// End-to-end tests of the `xinyong` command line (INTERFACES.md): the real binary, run as a
// subprocess with real pipes, so argument parsing, stdin framing, buffering and exit statuses are
// all exercised exactly as scripts see them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "subprocess.h"

namespace xy {
namespace {

using subprocess::RunOptions;
using subprocess::RunResult;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kBinary = XY_BINARY;

// Valid codes used throughout (checked by hand against GB 32100 / GB 11643).
constexpr std::string_view kUscc = "91350200776049653A";  // 厦门, enterprise
constexpr std::string_view kId = "11010519491231002X";    // GB 11643's own example

RunResult Xinyong(std::vector<std::string> args, std::string stdin_data = "") {
  args.insert(args.begin(), kBinary);
  return subprocess::Run(std::move(args), std::move(stdin_data), RunOptions{.timeout = 120s});
}

// One output line of the check commands.
std::string Line(std::string_view input, std::string_view verdict, std::string_view reason) {
  std::string s(input);
  s += '\t';
  s += verdict;
  s += '\t';
  s += reason;
  s += '\n';
  return s;
}

// The contract for failures: stderr is exactly one line, starting with "error:".
::testing::AssertionResult IsOneErrorLine(const std::string& err) {
  if (!err.starts_with("error: ")) {
    return ::testing::AssertionFailure() << "stderr does not start with \"error: \": " << err;
  }
  if (std::count(err.begin(), err.end(), '\n') != 1 || !err.ends_with('\n')) {
    return ::testing::AssertionFailure() << "stderr is not exactly one line: " << err;
  }
  return ::testing::AssertionSuccess();
}

// The first line where `got` and `want` differ, for readable failures on multi-megabyte outputs.
std::string FirstDifference(const std::string& got, const std::string& want) {
  std::size_t line = 1, start = 0;
  std::size_t n = std::min(got.size(), want.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (got[i] != want[i]) {
      auto excerpt = [&](const std::string& s) {
        std::size_t end = s.find('\n', start);
        return s.substr(start, std::min<std::size_t>(end == s.npos ? s.npos : end - start, 200));
      };
      return "line " + std::to_string(line) + ": got '" + excerpt(got) + "', want '" +
             excerpt(want) + "'";
    }
    if (got[i] == '\n') {
      ++line;
      start = i + 1;
    }
  }
  if (got.size() == want.size()) return "";
  return "outputs agree for " + std::to_string(n) + " bytes, then got " +
         std::to_string(got.size()) + " bytes, want " + std::to_string(want.size());
}

// ===================================================================================================
// The subprocess helper itself (shared by every end-to-end test, so it must not deadlock or lose
// bytes).

RunResult Sh(const std::string& script, std::string stdin_data = "", RunOptions options = {}) {
  return subprocess::Run({"/bin/sh", "-c", script}, std::move(stdin_data), options);
}

TEST(SubprocessTest, CapturesExitCodeAndBothStreamsSeparately) {
  RunResult r = Sh("echo out; echo err >&2; exit 3");
  EXPECT_TRUE(r.exited()) << r;
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.term_signal, 0);
}

TEST(SubprocessTest, PassesArgumentsVerbatim) {
  RunResult r =
      subprocess::Run({"/bin/sh", "-c", "printf '%s|' \"$@\"", "sh", "a b", "", "安徽"}, "");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "a b||安徽|");
}

TEST(SubprocessTest, FeedsStdinByteExact) {
  std::string data("a\0b\r\n\xFF\xFE end", 11);
  RunResult r = Sh("cat", data);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, data);
}

TEST(SubprocessTest, EmptyStdinIsEndOfFile) {
  RunResult r = Sh("cat; echo done");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "done\n");
}

TEST(SubprocessTest, StreamsLargeStdinThroughChild) {
  // 8 MB in while the child writes it back: only works when writing and reading interleave.
  std::string data(8 << 20, 'x');
  for (std::size_t i = 0; i < data.size(); i += 4096) data[i] = static_cast<char>('a' + i % 26);
  RunResult r = Sh("cat", data);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(r.out == data) << "got " << r.out.size() << " bytes";
}

TEST(SubprocessTest, LargeOutputOnBothStreamsWithUnreadStdin) {
  // The child fills both pipes far beyond their 64 KB buffers and never reads its 4 MB of stdin.
  RunResult r =
      Sh("head -c 3000000 /dev/zero; head -c 3000000 /dev/zero >&2", std::string(4 << 20, 'i'));
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out.size(), 3000000u);
  EXPECT_EQ(r.err.size(), 3000000u);
}

TEST(SubprocessTest, ChildClosingStdinEarlyIsNotAnError) {
  // Our writes then fail with EPIPE; the test process must not die of SIGPIPE.
  RunResult r = Sh("exec 0<&-; echo closed", std::string(2 << 20, 'i'));
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "closed\n");
}

TEST(SubprocessTest, TimesOutAndKeepsPartialOutput) {
  RunResult r = Sh("echo started; sleep 30", "", RunOptions{.timeout = 300ms});
  EXPECT_TRUE(r.timed_out) << r;
  EXPECT_FALSE(r.exited());
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.out, "started\n");
  EXPECT_LT(r.elapsed, 10s);
}

TEST(SubprocessTest, TimeOutKillsGrandchildrenHoldingThePipes) {
  // The shell exits at once but leaves a background sleep holding stdout open.
  RunResult r = Sh("sleep 30 & echo bg", "", RunOptions{.timeout = 300ms});
  EXPECT_TRUE(r.timed_out) << r;
  EXPECT_EQ(r.out, "bg\n");
  EXPECT_LT(r.elapsed, 10s);
}

TEST(SubprocessTest, KillsRunawayWriterAtOutputLimit) {
  RunResult r = Sh("cat /dev/zero", "", RunOptions{.max_output_bytes = 1 << 20});
  EXPECT_TRUE(r.output_limit_exceeded) << r;
  EXPECT_FALSE(r.exited());
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_GT(r.out.size(), std::size_t{1} << 20);
  EXPECT_LT(r.out.size(), std::size_t{4} << 20);  // reads are bounded between limit checks
  EXPECT_LT(r.elapsed, 10s);
}

std::size_t OpenFileDescriptors() {
  return static_cast<std::size_t>(std::distance(
      std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator()));
}

TEST(SubprocessTest, DoesNotLeakFileDescriptors) {
  std::size_t before = OpenFileDescriptors();
  for (int i = 0; i < 10; ++i) {
    Sh("echo x; echo y >&2", "in");
    Sh("exit 1", std::string(1 << 20, 'i'));
    Sh("sleep 5", "", RunOptions{.timeout = 50ms});
    subprocess::Run({"/nonexistent/xinyong"}, "");
  }
  EXPECT_EQ(OpenFileDescriptors(), before);
}

TEST(SubprocessTest, ReportsTerminatingSignal) {
  RunResult r = Sh("kill -TERM $$");
  EXPECT_FALSE(r.exited());
  EXPECT_EQ(r.term_signal, SIGTERM) << r;
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_THAT(subprocess::Describe(r), HasSubstr("signal 15"));
}

TEST(SubprocessTest, ReportsProgramThatCannotStart) {
  RunResult r = subprocess::Run({"/nonexistent/xinyong"}, "data");
  EXPECT_FALSE(r.exited());
  EXPECT_THAT(r.spawn_error, HasSubstr("cannot run /nonexistent/xinyong"));
  EXPECT_THAT(r.spawn_error, HasSubstr("No such file"));
}

TEST(SubprocessTest, AddsEnvironmentVariables) {
  RunResult r = Sh("echo \"$XY_SUBPROCESS_TEST\"; echo \"$HOME\"", "",
                   RunOptions{.env = {"XY_SUBPROCESS_TEST=你好", "HOME=/nowhere"}});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "你好\n/nowhere\n");
}

TEST(SubprocessTest, ChildStartsWithDefaultSigpipe) {
  // Run blocks SIGPIPE in the parent while it works; the child must still die of it, as a program
  // in a shell pipeline would (a shell cannot un-ignore a signal that was ignored when it started).
  RunResult r = Sh("kill -PIPE $$; echo survived");
  EXPECT_EQ(r.term_signal, SIGPIPE) << r;
  EXPECT_EQ(r.out, "");
}

// ===================================================================================================
// uscc check / id check: every reason, exact lines

struct CheckCase {
  std::string_view note;
  std::string input;
  std::string_view verdict;
  std::string_view reason;
};

void ExpectChecks(const std::vector<std::string>& command, const std::vector<CheckCase>& cases) {
  for (const CheckCase& c : cases) {
    SCOPED_TRACE(std::string(c.note) + " [" + c.input + "]");
    std::vector<std::string> args = command;
    args.push_back(c.input);
    RunResult r = Xinyong(args);
    ASSERT_TRUE(r.exited()) << r;
    EXPECT_EQ(r.out, Line(c.input, c.verdict, c.reason));
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.exit_code, c.verdict == "valid" ? 0 : 1);
  }
}

TEST(CliTest, UsccCheckReportsEveryReason) {
  ExpectChecks({"uscc", "check"},
               {
                   {"enterprise", "91350200776049653A", "valid", "ok"},
                   {"MA registration number", "91440101MA5CJQ4N59", "valid", "ok"},
                   {"public institution 12", "123502001549897397", "valid", "ok"},
                   {"lower case", "91350200776049653a", "valid", "normalized"},
                   {"full-width", "９１３５０２００７７６０４９６５３Ａ", "valid", "normalized"},
                   {"hyphens", "9135-0200-7760-4965-3A", "valid", "normalized"},
                   {"surrounding spaces", " 91350200776049653A ", "valid", "normalized"},
                   {"bom of a windows export", "\uFEFF91350200776049653A", "valid", "normalized"},
                   {"empty", "", "invalid", "empty"},
                   {"only separators", " -\u3000", "invalid", "empty"},
                   {"16 characters", "9135020077604965", "invalid", "length"},
                   {"19 characters", "913502007760496533A", "invalid", "length"},
                   {"letter I", "I1350200776049653A", "invalid", "charset"},
                   {"letter O in org code", "9135020077604965OA", "invalid", "charset"},
                   {"cjk character at 17", "9135020077604965寿A", "invalid", "charset"},
                   {"invalid utf-8 at 18", "91350200776049653\xFF", "invalid", "charset"},
                   {"authority 9 with category A", "9A350200776049653A", "invalid", "authority"},
                   {"authority 0", "01350200776049653A", "invalid", "authority"},
                   {"province prefix 99", "91990200776049653A", "invalid", "region"},
                   {"region with a letter", "9135A200776049653A", "invalid", "region"},
                   {"org code check", "91350200776049654A", "invalid", "org-check"},
                   {"mod 31 check", "91350200776049653B", "invalid", "check"},
                   {"xiamen pilot-era code", "91350203M0001QAY9B", "invalid", "check"},
               });
}

TEST(CliTest, IdCheckReportsEveryReason) {
  ExpectChecks({"id", "check"},
               {
                   {"standard example", "11010519491231002X", "valid", "ok"},
                   {"historic region, born 1880", "440524188001010014", "valid", "ok"},
                   {"historic 342422 寿县 (六安地区)", "342422198001010013", "valid", "ok"},
                   {"current 340422 寿县", "340422198001010011", "valid", "ok"},
                   {"hong kong residence permit", "810000199001010019", "valid", "ok"},
                   {"leap day 2000", "340404200002290024", "valid", "ok"},
                   {"lower-case x", "11010519491231002x", "valid", "normalized"},
                   {"full-width", "１１０１０５１９４９１２３１００２ｘ", "valid", "normalized"},
                   {"grouped with spaces", "110105 19491231 002X", "valid", "normalized"},
                   {"empty", "", "invalid", "empty"},
                   {"first generation 15 digits", "110105491231002", "invalid", "length"},
                   {"17 digits", "11010519491231002", "invalid", "length"},
                   {"two X", "1101051949123100XX", "invalid", "charset"},
                   {"letter in region", "1101A5194912310021", "invalid", "charset"},
                   {"check Y", "11010519491231002Y", "invalid", "charset"},
                   {"unknown region", "990105194912310021", "invalid", "region"},
                   {"february 30", "110105194902300021", "invalid", "birthdate"},
                   {"2001-02-29", "340404200102290021", "invalid", "birthdate"},
                   {"before 1850", "110105184912310020", "invalid", "birthdate"},
                   {"in the future", "110105209912310021", "invalid", "birthdate"},
                   {"check character", "11010519491231001X", "invalid", "check"},
               });
}

TEST(CliTest, StrictModeRefusesAnythingThatNeedsNormalising) {
  ExpectChecks({"uscc", "check", "--strict"},
               {
                   {"canonical", "91350200776049653A", "valid", "ok"},
                   {"lower case", "91350200776049653a", "invalid", "charset"},
                   {"full-width", "９１３５０２００７７６０４９６５３Ａ", "invalid", "charset"},
                   {"empty", "", "invalid", "empty"},
               });
  ExpectChecks({"id", "check", "--strict"},
               {
                   {"canonical", "11010519491231002X", "valid", "ok"},
                   {"lower-case x", "11010519491231002x", "invalid", "charset"},
                   {"full-width", "１１０１０５１９４９１２３１００２Ｘ", "invalid", "charset"},
               });
}

// INTERFACES.md: "--strict does not normalise: anything that would need it is invalid with reason
// charset" — also when normalising would change the length (a separator).
TEST(CliTest, StrictModeReportsSeparatorsAsCharset) {
  ExpectChecks({"uscc", "check", "--strict"},
               {
                   {"trailing space", "91350200776049653A ", "invalid", "charset"},
                   {"hyphen", "9135-0200776049653A", "invalid", "charset"},
               });
}

TEST(CliTest, OrgcodeAndRegnoUseTheSameLineFormat) {
  ExpectChecks({"orgcode", "check"}, {
                                         {"plain", "776049653", "valid", "ok"},
                                         {"with hyphen", "77604965-3", "valid", "normalized"},
                                         {"empty", "", "invalid", "empty"},
                                         {"short", "7760", "invalid", "length"},
                                         {"check", "776049654", "invalid", "check"},
                                     });
  ExpectChecks({"regno", "check"}, {
                                       {"plain", "340400000000017", "valid", "ok"},
                                       {"spaced", "340400 0000000 17", "valid", "normalized"},
                                       {"16 digits", "3404000000000170", "invalid", "length"},
                                       {"letter", "34040000000001A", "invalid", "charset"},
                                       {"unknown province", "990000000000011", "invalid", "region"},
                                       {"check", "340400000000013", "invalid", "check"},
                                   });
}

// ===================================================================================================
// Inputs: arguments, stdin framing, odd bytes, volume

TEST(CliTest, OutputKeepsArgumentOrder) {
  RunResult r = Xinyong({"uscc", "check", "91350200776049653B", std::string(kUscc), "", "x"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_EQ(r.out, Line("91350200776049653B", "invalid", "check") + Line(kUscc, "valid", "ok") +
                       Line("", "invalid", "empty") + Line("x", "invalid", "length"));
  EXPECT_EQ(r.err, "");
}

TEST(CliTest, ReadsStdinWhenThereAreNoArguments) {
  RunResult r = Xinyong({"id", "check"}, std::string(kId) + "\n11010519491231001X\n");
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_EQ(r.out, Line(kId, "valid", "ok") + Line("11010519491231001X", "invalid", "check"));
}

TEST(CliTest, ArgumentsTakePrecedenceOverStdin) {
  RunResult r = Xinyong({"uscc", "check", std::string(kUscc)}, "91350200776049653B\n");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, Line(kUscc, "valid", "ok"));
}

TEST(CliTest, EmptyLinesInTheMiddleAreReportedEmpty) {
  RunResult r =
      Xinyong({"uscc", "check"}, std::string(kUscc) + "\n\n   \n" + std::string(kUscc) + "\n");
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_EQ(r.out, Line(kUscc, "valid", "ok") + Line("", "invalid", "empty") +
                       Line("   ", "invalid", "empty") + Line(kUscc, "valid", "ok"));
}

TEST(CliTest, CrLfLineEndingsAreNotEchoed) {
  RunResult r = Xinyong({"uscc", "check"}, std::string(kUscc) + "\r\n91350200776049653a\r\n\r\n");
  EXPECT_EQ(r.exit_code, 1) << r;
  // The \r is part of the line ending: not echoed, and the code is "ok", not "normalized".
  EXPECT_EQ(r.out, Line(kUscc, "valid", "ok") + Line("91350200776049653a", "valid", "normalized") +
                       Line("", "invalid", "empty"));
}

TEST(CliTest, FinalLineWithoutNewlineCounts) {
  RunResult r = Xinyong({"uscc", "check"}, std::string(kUscc) + "\n91350200776049653B");
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_EQ(r.out, Line(kUscc, "valid", "ok") + Line("91350200776049653B", "invalid", "check"));

  RunResult crlf = Xinyong({"uscc", "check"}, std::string(kUscc) + "\r");
  EXPECT_EQ(crlf.exit_code, 0) << crlf;
  EXPECT_EQ(crlf.out, Line(kUscc, "valid", "ok"));
}

TEST(CliTest, NoInputAtAllIsSuccessWithNoOutput) {
  for (std::vector<std::string> command : {std::vector<std::string>{"uscc", "check"},
                                           {"id", "check"},
                                           {"uscc", "check", "--strict"}}) {
    RunResult r = Xinyong(command, "");
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "");
  }
}

TEST(CliTest, SingleNewlineIsOneEmptyInput) {
  RunResult r = Xinyong({"uscc", "check"}, "\n");
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_EQ(r.out, Line("", "invalid", "empty"));
}

TEST(CliTest, NonUtf8BytesAreEchoedByteExact) {
  const std::vector<CheckCase> kCases = {
      {"two bad bytes then a code",
       "\xFF\xFE"
       "91350200776049653A",
       "invalid", "length"},
      {"lone continuation byte", "\x80", "invalid", "length"},
      {"bad byte inside, 18 code points",
       "913502007760496\xC3"
       "3A",
       "invalid", "charset"},
      {"bad byte at position 18", "91350200776049653\xFF", "invalid", "charset"},
      {"eighteen bad bytes", std::string(18, '\xFF'), "invalid", "charset"},
      {"overlong slash",
       "9135\xC0\xAF"
       "0200776049653A",
       "invalid", "length"},
      {"latin-1 e acute", "91350200776049653\xE9", "invalid", "charset"},
      {"nul is a control character, removed",
       std::string("913502007760\0"
                   "49653A",
                   19),
       "valid", "normalized"},
  };
  std::string in, want;
  for (const CheckCase& c : kCases) {
    in += c.input + "\n";
    want += Line(c.input, c.verdict, c.reason);
  }
  RunResult r = Xinyong({"uscc", "check"}, in);
  ASSERT_TRUE(r.exited()) << r;
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out == want) << FirstDifference(r.out, want);
  EXPECT_EQ(r.err, "");

  // Strict mode reads the bytes as they are: never a crash, always a reason.
  RunResult strict = Xinyong({"uscc", "check", "--strict"}, in);
  ASSERT_TRUE(strict.exited()) << strict;
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_EQ(std::count(strict.out.begin(), strict.out.end(), '\n'),
            static_cast<std::ptrdiff_t>(kCases.size()));
  EXPECT_THAT(strict.out, HasSubstr(Line("91350200776049653\xFF", "invalid", "charset")));

  RunResult id = Xinyong({"id", "check"}, "11010519491231002\xFF\n\xFF\n");
  ASSERT_TRUE(id.exited()) << id;
  EXPECT_EQ(id.exit_code, 1);
  EXPECT_EQ(id.out, Line("11010519491231002\xFF", "invalid", "charset") +
                        Line("\xFF", "invalid", "length"));
}

TEST(CliTest, MegabyteLineIsRefusedQuicklyAsLength) {
  std::string as(1 << 20, 'A');
  std::string spaces = std::string(1 << 20, ' ') + std::string(kUscc);
  RunResult r = Xinyong({"uscc", "check"}, as + "\n" + spaces + "\n" + std::string(kUscc) + "\n");
  ASSERT_TRUE(r.exited()) << r;
  EXPECT_EQ(r.exit_code, 1);
  // Even with a valid code at its end, an input over 4096 bytes is not normalised: no identifier is
  // that long, and one hostile line must not cost unbounded work.
  std::string want = Line(as, "invalid", "length") + Line(spaces, "invalid", "length") +
                     Line(kUscc, "valid", "ok");
  EXPECT_TRUE(r.out == want) << FirstDifference(r.out, want);
  EXPECT_EQ(r.err, "");
  EXPECT_LT(r.elapsed, 20s);

  RunResult id = Xinyong({"id", "check"}, as);
  EXPECT_EQ(id.exit_code, 1) << id;
  EXPECT_TRUE(id.out == Line(as, "invalid", "length"));
}

TEST(CliTest, TwoHundredThousandLinesAreAllEchoedInOrder) {
  constexpr int kLines = 200'000;
  std::string in, want;
  in.reserve(kLines * 20);
  want.reserve(kLines * 40);
  for (int i = 0; i < kLines; ++i) {
    // Every input is distinct, so a dropped, duplicated or reordered line shows.
    std::string input = i % 2 == 0 ? std::string(kUscc) : std::to_string(i);
    in += input + "\n";
    want += i % 2 == 0 ? Line(input, "valid", "ok") : Line(input, "invalid", "length");
  }
  RunResult r = Xinyong({"uscc", "check"}, in);
  ASSERT_TRUE(r.exited()) << r;
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), kLines);
  EXPECT_TRUE(r.out == want) << FirstDifference(r.out, want);
  EXPECT_EQ(r.err, "");
}

TEST(CliTest, ManyValidLinesExitZero) {
  std::string in;
  for (int i = 0; i < 10'000; ++i) in += std::string(kId) + "\n";
  RunResult r = Xinyong({"id", "check"}, in);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 10'000);
}

// ===================================================================================================
// Exit statuses and usage errors

TEST(CliTest, ExitZeroWhenAllValidOneWhenAnyInvalid) {
  RunResult all_valid = Xinyong({"uscc", "check", std::string(kUscc), "91440101MA5CJQ4N59"});
  EXPECT_EQ(all_valid.exit_code, 0) << all_valid;
  RunResult one_invalid =
      Xinyong({"uscc", "check", std::string(kUscc), "91350200776049653B", "91440101MA5CJQ4N59"});
  EXPECT_EQ(one_invalid.exit_code, 1) << one_invalid;
  EXPECT_EQ(std::count(one_invalid.out.begin(), one_invalid.out.end(), '\n'), 3);
  RunResult normalized = Xinyong({"id", "check", "11010519491231002x"});
  EXPECT_EQ(normalized.exit_code, 0) << normalized;
}

struct UsageCase {
  std::string_view note;
  std::vector<std::string> args;
  std::string_view message;  // a substring of the error line
};

TEST(CliTest, UsageErrorsExitTwoWithOneErrorLine) {
  const UsageCase kCases[] = {
      {"unknown command", {"foo"}, "unknown command 'foo'"},
      {"unknown command after global option",
       {"--db", "sqlite:x.db", "foo"},
       "unknown command 'foo'"},
      {"unknown command with arguments", {"foo", "bar", "--strict"}, "unknown command 'foo'"},
      {"unknown subcommand", {"uscc", "chek", std::string(kUscc)}, "unknown command 'uscc chek'"},
      {"no command", {}, "subcommand is required"},
      {"no subcommand", {"uscc"}, "subcommand is required"},
      {"unknown option", {"uscc", "check", "--bogus", std::string(kUscc)}, "--bogus"},
      {"unknown global option", {"--bogus", "uscc", "check"}, "--bogus"},
      {"missing code for info", {"uscc", "info"}, "code is required"},
      {"missing region query", {"region"}, "code_or_path is required"},
      {"missing --db value", {"uscc", "check", "--db"}, "--db"},
      {"missing --config value", {"--config"}, "--config"},
      {"extra argument to info", {"uscc", "info", std::string(kUscc), "x"}, "not expected: x"},
  };
  for (const UsageCase& c : kCases) {
    SCOPED_TRACE(c.note);
    RunResult r = Xinyong(c.args, std::string(kUscc) + "\n");
    ASSERT_TRUE(r.exited()) << r;
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(IsOneErrorLine(r.err));
    EXPECT_THAT(r.err, HasSubstr(c.message));
  }
}

TEST(CliTest, UnknownCommandErrorPointsToHelp) {
  RunResult r = Xinyong({"foo"});
  EXPECT_EQ(r.err, "error: unknown command 'foo' (see: xinyong --help)\n");
  RunResult sub = Xinyong({"id", "verify"});
  EXPECT_EQ(sub.err, "error: unknown command 'id verify' (see: xinyong id --help)\n");
}

TEST(CliTest, GlobalOptionsAcceptedBeforeAndAfterTheCommand) {
  // A real (empty, valid TOML) configuration file, so the test keeps passing once --config is read.
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("xy_cli_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string config = (dir / "xinyong.toml").string();
  std::ofstream(config) << "# empty\n";
  std::string db = "sqlite:" + (dir / "test.db").string();

  const std::vector<std::vector<std::string>> kArgLists = {
      {"--db", db, "--config", config, "uscc", "check", std::string(kUscc)},
      {"uscc", "check", std::string(kUscc), "--db", db, "--config", config},
      {"uscc", "--db", db, "check", "--config", config, std::string(kUscc)},
      {"--db=" + db, "uscc", "check", std::string(kUscc), "--config=" + config},
      {"--config", config, "uscc", "check", "--strict", std::string(kUscc), "--db", db},
  };
  for (const std::vector<std::string>& args : kArgLists) {
    std::string joined;
    for (const std::string& a : args) joined += a + " ";
    SCOPED_TRACE(joined);
    RunResult r = Xinyong(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(r.out, Line(kUscc, "valid", "ok"));
    EXPECT_EQ(r.err, "");
  }
  // With stdin as the input source, the options' values are not mistaken for codes.
  RunResult from_stdin = Xinyong({"id", "check", "--db", db, "--config", config}, std::string(kId));
  EXPECT_EQ(from_stdin.exit_code, 0) << from_stdin;
  EXPECT_EQ(from_stdin.out, Line(kId, "valid", "ok"));

  std::filesystem::remove_all(dir);
}

TEST(CliTest, HelpAndVersionExitZero) {
  RunResult help = Xinyong({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help;
  EXPECT_THAT(help.out, AllOf(HasSubstr("uscc"), HasSubstr("region"), HasSubstr("--db")));
  EXPECT_EQ(help.err, "");

  RunResult sub = Xinyong({"uscc", "check", "--help"});
  EXPECT_EQ(sub.exit_code, 0) << sub;
  EXPECT_THAT(sub.out, HasSubstr("--strict"));

  RunResult version = Xinyong({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version;
  EXPECT_THAT(version.out, StartsWith("xinyong "));
}

// ===================================================================================================
// uscc info

Json ParseJson(const RunResult& r) {
  Json j = Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not JSON: " << r.out;
  return j;
}

TEST(CliTest, UsccInfoDecodesAValidCode) {
  RunResult r = Xinyong({"uscc", "info", std::string(kUscc)});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.err, "");
  Json j = ParseJson(r);
  EXPECT_EQ(j["input"], kUscc);
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["code"], kUscc);
  EXPECT_EQ(j["normalized"], false);
  EXPECT_EQ(j["authority"]["code"], "9");
  EXPECT_EQ(j["authority"]["name"], "工商（市场监管）");
  EXPECT_EQ(j["category"]["code"], "1");
  EXPECT_EQ(j["category"]["name"], "企业");
  EXPECT_EQ(j["region"]["code"], "350200");
  EXPECT_EQ(j["region"]["name"], "福建省/厦门市");
  EXPECT_EQ(j["region"]["current"], true);
  EXPECT_EQ(j["org_code"], "776049653");
  EXPECT_EQ(j["check"], "A");
}

TEST(CliTest, UsccInfoNormalisesAndReportsIt) {
  RunResult r = Xinyong({"uscc", "info", "９１３５０２００７７６０４９６５３ａ"});
  ASSERT_EQ(r.exit_code, 0) << r;
  Json j = ParseJson(r);
  EXPECT_EQ(j["input"], "９１３５０２００７７６０４９６５３ａ");
  EXPECT_EQ(j["code"], kUscc);
  EXPECT_EQ(j["normalized"], true);

  RunResult strict = Xinyong({"uscc", "info", "--strict", "91350200776049653a"});
  EXPECT_EQ(strict.exit_code, 1) << strict;
  EXPECT_TRUE(IsOneErrorLine(strict.err));
}

TEST(CliTest, UsccInfoOfAnInvalidCodeExitsOneWithErrorLine) {
  RunResult r = Xinyong({"uscc", "info", "91350200776049653B"});
  ASSERT_TRUE(r.exited()) << r;
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(IsOneErrorLine(r.err));
  EXPECT_THAT(r.err, HasSubstr("MOD 31 check character is 'B', expected 'A'"));
  Json j = ParseJson(r);
  EXPECT_EQ(j["valid"], false);
  EXPECT_EQ(j["reason"], "check");
  EXPECT_EQ(j["message_zh"], "第18位校验码为“B”，应为“A”");

  RunResult region = Xinyong({"uscc", "info", "91990200776049653A"});
  EXPECT_EQ(region.exit_code, 1) << region;
  EXPECT_TRUE(IsOneErrorLine(region.err));
  EXPECT_THAT(region.err, HasSubstr("'990200'"));
  EXPECT_EQ(ParseJson(region)["reason"], "region");

  RunResult org = Xinyong({"uscc", "info", "91350200776049654A"});
  EXPECT_EQ(org.exit_code, 1) << org;
  EXPECT_EQ(ParseJson(org)["reason"], "org-check");
}

// ===================================================================================================
// region

TEST(CliTest, RegionByCode) {
  RunResult r = Xinyong({"region", "340422"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.err, "");
  Json j = ParseJson(r);
  EXPECT_EQ(j["code"], "340422");
  EXPECT_EQ(j["name"], "寿县");
  EXPECT_EQ(j["level"], "county");
  EXPECT_EQ(j["current"], true);
  EXPECT_EQ(j["full_name"], "安徽省/淮南市/寿县");
  ASSERT_EQ(j["parents"].size(), 2u);
  EXPECT_EQ(j["parents"][0]["code"], "340000");
  EXPECT_EQ(j["parents"][0]["name"], "安徽省");
  EXPECT_EQ(j["parents"][0]["level"], "province");
  EXPECT_EQ(j["parents"][1]["code"], "340400");
  EXPECT_EQ(j["parents"][1]["name"], "淮南市");
  EXPECT_EQ(j["parents"][1]["level"], "prefecture");
  ASSERT_EQ(j["history"].size(), 1u);
  EXPECT_EQ(j["history"][0]["name"], "寿县");
  EXPECT_EQ(j["history"][0]["valid_from"], 2015);
  EXPECT_TRUE(j["history"][0]["valid_to"].is_null());
}

TEST(CliTest, RegionByNamePath) {
  RunResult r = Xinyong({"region", "安徽省/淮南市/寿县"});
  ASSERT_EQ(r.exit_code, 0) << r;
  Json j = ParseJson(r);
  EXPECT_EQ(j["code"], "340422");
  EXPECT_EQ(j["full_name"], "安徽省/淮南市/寿县");
}

TEST(CliTest, RegionHistoricCode) {
  // 寿县 belonged to 六安地区 until the 1999 reorganisation; the old code still appears in ID
  // numbers.
  RunResult r = Xinyong({"region", "342422"});
  ASSERT_EQ(r.exit_code, 0) << r;
  Json j = ParseJson(r);
  EXPECT_EQ(j["code"], "342422");
  EXPECT_EQ(j["name"], "寿县");
  EXPECT_EQ(j["current"], false);
  EXPECT_EQ(j["full_name"], "安徽省/六安地区/寿县");
  ASSERT_EQ(j["parents"].size(), 2u);
  EXPECT_EQ(j["parents"][1]["code"], "342400");
  EXPECT_EQ(j["parents"][1]["name"], "六安地区");
  ASSERT_FALSE(j["history"].empty());
  EXPECT_EQ(j["history"].back()["valid_to"], 1999);
}

TEST(CliTest, RegionUnknownExitsOne) {
  const std::pair<std::string, std::string_view> kCases[] = {
      {"999999", "no GB/T 2260 region has the code '999999'"},
      {"12", "'12'"},
      {"火星/某县", "no GB/T 2260 region named '火星/某县'"},
      {"朝阳区", "names several regions"},  // ambiguous: Beijing and Changchun
  };
  for (const auto& [query, message] : kCases) {
    SCOPED_TRACE(query);
    RunResult r = Xinyong({"region", query});
    ASSERT_TRUE(r.exited()) << r;
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(IsOneErrorLine(r.err));
    EXPECT_THAT(r.err, HasSubstr(message));
  }
}

}  // namespace
}  // namespace xy
