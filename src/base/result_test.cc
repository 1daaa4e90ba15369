#include "base/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace xy {
namespace {

TEST(ResultTest, ErrorCodeNameForEveryCode) {
  struct Case {
    ErrorCode code;
    std::string_view name;
  };
  // The names are part of the HTTP error body; a change here breaks clients.
  const Case kCases[] = {
      {ErrorCode::kInvalidArgument, "invalid_argument"},
      {ErrorCode::kNotFound, "not_found"},
      {ErrorCode::kAlreadyExists, "already_exists"},
      {ErrorCode::kPermissionDenied, "permission_denied"},
      {ErrorCode::kUnauthenticated, "unauthenticated"},
      {ErrorCode::kFailedPrecondition, "failed_precondition"},
      {ErrorCode::kResourceExhausted, "resource_exhausted"},
      {ErrorCode::kAborted, "aborted"},
      {ErrorCode::kUnavailable, "unavailable"},
      {ErrorCode::kInternal, "internal"},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(ErrorCodeName(c.code), c.name) << static_cast<int>(c.code);
  }
}

TEST(ResultTest, ErrorCodeNameOfOutOfRangeValueIsInternal) {
  // A value outside the enumerators (e.g. read from a corrupt store) must not crash or print
  // garbage.
  EXPECT_EQ(ErrorCodeName(static_cast<ErrorCode>(999)), "internal");
}

TEST(ResultTest, DefaultErrorIsInternal) {
  Error e;
  EXPECT_EQ(e.code, ErrorCode::kInternal);
  EXPECT_EQ(e.reason, "");
  EXPECT_EQ(e.message, "");
  EXPECT_EQ(e.message_zh, "");
}

TEST(ResultTest, ToStringJoinsCodeReasonAndMessage) {
  Error e{ErrorCode::kInvalidArgument, "uscc.check", "MOD 31 check character mismatch",
          "第18位校验码错误"};
  EXPECT_EQ(e.ToString(), "invalid_argument uscc.check: MOD 31 check character mismatch");

  Error not_found{ErrorCode::kNotFound, "region.unknown", "no region 999999", ""};
  EXPECT_EQ(not_found.ToString(), "not_found region.unknown: no region 999999");
}

TEST(ResultTest, ToStringLeavesOutTheChineseMessage) {
  // Logs are English; the Chinese text is for the portal only.
  Error e{ErrorCode::kUnavailable, "store.down", "database unreachable", "数据库不可用"};
  EXPECT_EQ(e.ToString().find("数据库"), std::string::npos);
}

TEST(ResultTest, FailBuildsUnexpectedWithAllFields) {
  std::unexpected<Error> u =
      Fail(ErrorCode::kNotFound, "region.unknown", "no such region", "未找到行政区划");
  EXPECT_EQ(u.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(u.error().reason, "region.unknown");
  EXPECT_EQ(u.error().message, "no such region");
  EXPECT_EQ(u.error().message_zh, "未找到行政区划");
}

TEST(ResultTest, FailChineseMessageDefaultsToEmpty) {
  std::unexpected<Error> u = Fail(ErrorCode::kInternal, "x.y", "broken");
  EXPECT_EQ(u.error().code, ErrorCode::kInternal);
  EXPECT_EQ(u.error().reason, "x.y");
  EXPECT_EQ(u.error().message, "broken");
  EXPECT_EQ(u.error().message_zh, "");
}

Result<int> ParsePositive(int v) {
  if (v <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "test.not_positive", "must be positive", "必须为正数");
  }
  return v;
}

TEST(ResultTest, ResultHoldsValueOrError) {
  Result<int> ok = ParsePositive(7);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 7);

  Result<int> bad = ParsePositive(-1);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().reason, "test.not_positive");
  EXPECT_EQ(bad.value_or(42), 42);
}

// The propagation pattern every layer uses (g++ 12's std::expected has no and_then/transform yet).
Result<int> SumOfPositives(int a, int b) {
  Result<int> x = ParsePositive(a);
  if (!x) return std::unexpected(std::move(x.error()));
  Result<int> y = ParsePositive(b);
  if (!y) return std::unexpected(std::move(y.error()));
  return *x + *y;
}

TEST(ResultTest, ErrorsPropagateUnchanged) {
  EXPECT_EQ(SumOfPositives(2, 3).value(), 5);
  Result<int> bad = SumOfPositives(2, -3);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().ToString(), "invalid_argument test.not_positive: must be positive");
  EXPECT_EQ(bad.error().message_zh, "必须为正数");
}

TEST(ResultTest, ResultHoldsMoveOnlyValues) {
  auto make = [](bool ok) -> Result<std::unique_ptr<int>> {
    if (!ok) return Fail(ErrorCode::kResourceExhausted, "test.quota", "quota exceeded");
    return std::make_unique<int>(5);
  };
  Result<std::unique_ptr<int>> r = make(true);
  ASSERT_TRUE(r.has_value());
  std::unique_ptr<int> p = std::move(*r);
  EXPECT_EQ(*p, 5);

  Result<std::unique_ptr<int>> e = make(false);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().ToString(), "resource_exhausted test.quota: quota exceeded");
}

TEST(ResultTest, ResultOfStringAndVoidLikeUse) {
  Result<std::string> s = std::string("安徽省");
  EXPECT_EQ(s.value(), "安徽省");
  Result<void> done{};
  EXPECT_TRUE(done.has_value());
  Result<void> failed = Fail(ErrorCode::kAborted, "test.conflict", "concurrent change");
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ErrorCode::kAborted);
}

}  // namespace
}  // namespace xy
