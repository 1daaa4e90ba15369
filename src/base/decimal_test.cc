#include "base/decimal.h"

#include <gtest/gtest.h>

namespace xy {
namespace {

TEST(DecimalTest, ParsesAndPrintsTheShortestExactForm) {
  struct Case {
    const char* in;
    std::int64_t micros;
    const char* out;
  };
  const Case cases[] = {
      {"0.2", 200000, "0.2"},          {"12", 12000000, "12"},
      {"-0.5", -500000, "-0.5"},       {"+3.", 3000000, "3"},
      {".25", 250000, "0.25"},         {"0.000001", 1, "0.000001"},
      {"0.2000000", 200000, "0.2"},    {"000012.50", 12500000, "12.5"},
      {"999999999999.999999", 999999999999999999, "999999999999.999999"},
      {"-0", 0, "0"},
  };
  for (const Case& c : cases) {
    Result<Decimal> d = Decimal::Parse(c.in);
    ASSERT_TRUE(d.has_value()) << c.in << ": " << d.error().ToString();
    EXPECT_EQ(d->micros(), c.micros) << c.in;
    EXPECT_EQ(d->ToString(), c.out) << c.in;
  }
}

TEST(DecimalTest, RejectsWithExactReasons) {
  struct Case {
    const char* in;
    const char* reason;
  };
  const Case cases[] = {
      {"", "decimal.format"},          {".", "decimal.format"},
      {"1,000", "decimal.format"},     {"1e5", "decimal.format"},
      {"２", "decimal.format"},        {"--1", "decimal.format"},
      {"0.0000001", "decimal.scale"},  {"1234567890123", "decimal.range"},
  };
  for (const Case& c : cases) {
    Result<Decimal> d = Decimal::Parse(c.in);
    ASSERT_FALSE(d.has_value()) << c.in;
    EXPECT_EQ(d.error().reason, c.reason) << c.in;
    EXPECT_FALSE(d.error().message_zh.empty());
  }
}

TEST(DecimalTest, ArithmeticIsExact) {
  Decimal a = *Decimal::Parse("0.1");
  Decimal b = *Decimal::Parse("0.2");
  EXPECT_EQ(a + b, *Decimal::Parse("0.3"));
  EXPECT_EQ((b - a).ToString(), "0.1");
  EXPECT_LT(a, b);
  EXPECT_EQ(Decimal::FromMicros(-1).ToString(), "-0.000001");
}

}  // namespace
}  // namespace xy
