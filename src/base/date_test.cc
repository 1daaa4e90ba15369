#include "base/date.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string_view>

namespace xy {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using ::testing::HasSubstr;

Date D(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

// ---------------------------------------------------------------------------------------------------
// ParseIsoDate / ParseCompactDate

struct ValidCase {
  std::string_view input;
  Date want;
};

struct InvalidCase {
  std::string_view name;
  std::string_view input;
  std::string_view reason;
};

TEST(DateTest, ParsesValidIsoDates) {
  const ValidCase kCases[] = {
      {"2026-02-17", D(2026, 2, 17)},  {"2024-02-29", D(2024, 2, 29)},
      {"2000-02-29", D(2000, 2, 29)},  {"1970-01-01", D(1970, 1, 1)},
      {"1850-12-31", D(1850, 12, 31)}, {"9999-12-31", D(9999, 12, 31)},
      {"2023-04-30", D(2023, 4, 30)},
  };
  for (const ValidCase& c : kCases) {
    Result<Date> got = ParseIsoDate(c.input);
    ASSERT_TRUE(got.has_value()) << c.input << ": " << got.error().ToString();
    EXPECT_EQ(*got, c.want) << c.input;
  }
}

TEST(DateTest, RejectsInvalidIsoDatesWithReason) {
  const InvalidCase kCases[] = {
      {"not a leap year", "2023-02-29", "date.invalid"},
      {"century not divisible by 400", "2100-02-29", "date.invalid"},
      {"month 13", "2024-13-01", "date.invalid"},
      {"month 0", "2024-00-10", "date.invalid"},
      {"day 0", "2024-01-00", "date.invalid"},
      {"april 31", "2024-04-31", "date.invalid"},
      {"day 32", "2024-01-32", "date.invalid"},
      {"empty", "", "date.format"},
      {"single-digit month and day", "2024-2-1", "date.format"},
      {"compact form", "20240101", "date.format"},
      {"slashes", "2024/01/01", "date.format"},
      {"letters", "2024-Jan-01", "date.format"},
      {"letters in year", "20x4-01-01", "date.format"},
      {"leading space", " 2024-01-01", "date.format"},
      {"trailing space", "2024-01-01 ", "date.format"},
      {"time part", "2024-01-01T00:00", "date.format"},
      {"two-digit year", "24-01-01", "date.format"},
      {"five-digit year", "12024-01-01", "date.format"},
      {"signed month", "2024-+1-01", "date.format"},
      {"full-width digits", "２０２４-01-01", "date.format"},
  };
  for (const InvalidCase& c : kCases) {
    Result<Date> got = ParseIsoDate(c.input);
    ASSERT_FALSE(got.has_value()) << c.name;
    EXPECT_EQ(got.error().code, ErrorCode::kInvalidArgument) << c.name;
    EXPECT_EQ(got.error().reason, c.reason) << c.name;
    EXPECT_FALSE(got.error().message_zh.empty()) << c.name;
  }
}

TEST(DateTest, IsoErrorMessagesNameTheInput) {
  Result<Date> shape = ParseIsoDate("2024-2-1");
  ASSERT_FALSE(shape.has_value());
  EXPECT_THAT(shape.error().message, HasSubstr("YYYY-MM-DD"));
  EXPECT_THAT(shape.error().message, HasSubstr("'2024-2-1'"));
  EXPECT_THAT(shape.error().message_zh, HasSubstr("2024-2-1"));

  Result<Date> day = ParseIsoDate("2023-02-29");
  ASSERT_FALSE(day.has_value());
  EXPECT_EQ(day.error().message, "no such calendar day: 2023-02-29");
  EXPECT_EQ(day.error().message_zh, "日期不存在：2023-02-29");
}

TEST(DateTest, ParsesValidCompactDates) {
  const ValidCase kCases[] = {
      {"20260217", D(2026, 2, 17)},  {"20240229", D(2024, 2, 29)}, {"20000229", D(2000, 2, 29)},
      {"19491231", D(1949, 12, 31)}, {"18800101", D(1880, 1, 1)},
  };
  for (const ValidCase& c : kCases) {
    Result<Date> got = ParseCompactDate(c.input);
    ASSERT_TRUE(got.has_value()) << c.input << ": " << got.error().ToString();
    EXPECT_EQ(*got, c.want) << c.input;
  }
}

TEST(DateTest, RejectsInvalidCompactDatesWithReason) {
  const InvalidCase kCases[] = {
      {"not a leap year", "20230229", "date.invalid"},
      {"century not divisible by 400", "21000229", "date.invalid"},
      {"month 13", "20241301", "date.invalid"},
      {"day 0", "20240100", "date.invalid"},
      {"empty", "", "date.format"},
      {"iso form", "2024-01-01", "date.format"},
      {"seven digits", "2024011", "date.format"},
      {"nine digits", "202401011", "date.format"},
      {"letter", "2024010a", "date.format"},
      {"x as in an id check character", "2024010X", "date.format"},
      {"space", "2024 101", "date.format"},
  };
  for (const InvalidCase& c : kCases) {
    Result<Date> got = ParseCompactDate(c.input);
    ASSERT_FALSE(got.has_value()) << c.name;
    EXPECT_EQ(got.error().code, ErrorCode::kInvalidArgument) << c.name;
    EXPECT_EQ(got.error().reason, c.reason) << c.name;
  }
  Result<Date> shape = ParseCompactDate("2024-01-01");
  ASSERT_FALSE(shape.has_value());
  EXPECT_THAT(shape.error().message, HasSubstr("YYYYMMDD"));
}

// ---------------------------------------------------------------------------------------------------
// FormatIsoDate

TEST(DateTest, FormatsIsoDates) {
  EXPECT_EQ(FormatIsoDate(D(2026, 2, 17)), "2026-02-17");
  EXPECT_EQ(FormatIsoDate(D(2024, 12, 31)), "2024-12-31");
  EXPECT_EQ(FormatIsoDate(D(1970, 1, 1)), "1970-01-01");
  EXPECT_EQ(FormatIsoDate(D(5, 3, 9)), "0005-03-09");  // four-digit year, zero padded
}

TEST(DateTest, FormatAndParseRoundTrip) {
  for (std::int64_t n = ToDayNumber(D(1999, 12, 1)); n <= ToDayNumber(D(2001, 3, 31)); ++n) {
    Date date = FromDayNumber(n);
    Result<Date> back = ParseIsoDate(FormatIsoDate(date));
    ASSERT_TRUE(back.has_value()) << FormatIsoDate(date);
    EXPECT_EQ(*back, date);
  }
}

// ---------------------------------------------------------------------------------------------------
// Day numbers and weekdays

TEST(DateTest, DayNumbersCountFromUnixEpoch) {
  EXPECT_EQ(ToDayNumber(D(1970, 1, 1)), 0);
  EXPECT_EQ(ToDayNumber(D(1970, 1, 2)), 1);
  EXPECT_EQ(ToDayNumber(D(1969, 12, 31)), -1);
  EXPECT_EQ(ToDayNumber(D(2000, 3, 1)), 11017);
  EXPECT_EQ(ToDayNumber(D(2024, 2, 29)) - ToDayNumber(D(2024, 2, 28)), 1);
  EXPECT_EQ(ToDayNumber(D(2024, 3, 1)) - ToDayNumber(D(2023, 3, 1)), 366);
  EXPECT_EQ(FromDayNumber(0), D(1970, 1, 1));
  EXPECT_EQ(FromDayNumber(-1), D(1969, 12, 31));
  EXPECT_EQ(FromDayNumber(11017), D(2000, 3, 1));
}

TEST(DateTest, DayNumberRoundTrip) {
  // From before the earliest accepted birth year to well past any deadline.
  for (std::int64_t n = ToDayNumber(D(1850, 1, 1)); n <= ToDayNumber(D(2200, 12, 31)); n += 7) {
    Date date = FromDayNumber(n);
    EXPECT_TRUE(date.ok());
    EXPECT_EQ(ToDayNumber(date), n);
  }
}

TEST(DateTest, IsoWeekdayIsOneForMonday) {
  EXPECT_EQ(IsoWeekday(D(2024, 1, 1)), 1u);   // Monday
  EXPECT_EQ(IsoWeekday(D(2024, 1, 6)), 6u);   // Saturday
  EXPECT_EQ(IsoWeekday(D(2024, 1, 7)), 7u);   // Sunday, not 0
  EXPECT_EQ(IsoWeekday(D(1970, 1, 1)), 4u);   // Thursday
  EXPECT_EQ(IsoWeekday(D(2026, 2, 17)), 2u);  // Tuesday
  EXPECT_EQ(IsoWeekday(D(2000, 2, 29)), 2u);  // Tuesday
}

// ---------------------------------------------------------------------------------------------------
// Clocks

TEST(DateTest, FixedClockAnswersItsDate) {
  FixedClock clock(D(2026, 2, 17));
  EXPECT_EQ(clock.Today(), D(2026, 2, 17));
  const Clock& as_base = clock;
  EXPECT_EQ(as_base.Today(), D(2026, 2, 17));
}

Date ChinaToday() {
  using namespace std::chrono;
  return Date(floor<days>(system_clock::now() + hours(8)));
}

TEST(DateTest, SystemClockUsesChinaStandardTime) {
  // Sample before and after, so the test cannot fail when China's midnight passes in between.
  Date before = ChinaToday();
  Date today = SystemClock().Today();
  Date after = ChinaToday();
  EXPECT_TRUE(today == before || today == after)
      << FormatIsoDate(today) << " vs " << FormatIsoDate(before) << "/" << FormatIsoDate(after);
  EXPECT_TRUE(today.ok());
  EXPECT_GE(static_cast<int>(today.year()), 2024);
}

}  // namespace
}  // namespace xy
