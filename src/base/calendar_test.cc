#include "base/calendar.h"

#include <gtest/gtest.h>

#include <climits>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/embedded.h"

namespace xy {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

Date D(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

Date Iso(const std::string& text) {
  Result<Date> d = ParseIsoDate(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Date{});
}

const WorkingDayCalendar& Cal() { return WorkingDayCalendar::Default(); }

// Every expected value below is read off the State Council notices (see the `# source` lines of
// data/cn-holidays.tsv), not produced by the code under test.

// ---- The embedded file ----

TEST(WorkingDayCalendarTest, EmbeddedFileParsesAndMatchesTheDataFile) {
  std::ifstream in("data/cn-holidays.tsv", std::ios::binary);
  ASSERT_TRUE(in) << "tests run from the source root";
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string on_disk = buf.str();
  EXPECT_EQ(EmbeddedData("cn-holidays.tsv"), on_disk) << "rebuild: the embedded copy is stale";

  Result<WorkingDayCalendar> parsed = WorkingDayCalendar::Parse(on_disk);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->first_year(), 2020);
  EXPECT_EQ(parsed->last_year(), 2027);
}

TEST(WorkingDayCalendarTest, DefaultCoversTwentyTwentyToTwentyTwentySeven) {
  EXPECT_EQ(Cal().first_year(), 2020);
  EXPECT_EQ(Cal().last_year(), 2027);
  EXPECT_EQ(&Cal(), &WorkingDayCalendar::Default());  // built once
}

TEST(WorkingDayCalendarTest, OnlyTwentyTwentySevenIsProvisional) {
  for (int y = 2020; y <= 2026; ++y) EXPECT_FALSE(Cal().IsProvisional(y)) << y;
  EXPECT_TRUE(Cal().IsProvisional(2027));  // no 2027 notice yet: statutory days only
  EXPECT_FALSE(Cal().IsProvisional(2019));
  EXPECT_FALSE(Cal().IsProvisional(2028));
}

// ---- Single days ----

struct DayCase {
  const char* date;
  bool working;
  const char* why;
};

TEST(WorkingDayCalendarTest, IsWorkingDay) {
  const DayCase kCases[] = {
      {"2026-02-13", true, "Friday before 春节 2026, ordinary"},
      {"2026-02-14", true, "Saturday, 春节调休: adjusted working weekend counts"},
      {"2026-02-15", false, "Sunday, first day of 春节 2026 (腊月二十八)"},
      {"2026-02-16", false, "Monday, 除夕, 春节"},
      {"2026-02-21", false, "Saturday inside 春节"},
      {"2026-02-23", false, "Monday, last day of 春节 (正月初七)"},
      {"2026-02-24", true, "Tuesday, back to work"},
      {"2026-02-28", true, "Saturday, second 春节调休"},
      {"2026-03-01", false, "Sunday, not adjusted"},
      {"2026-03-07", false, "Saturday, ordinary weekend"},
      {"2026-03-09", true, "Monday, ordinary"},
      {"2026-01-04", true, "Sunday, 元旦调休"},
      {"2026-09-20", true, "Sunday, 国庆调休 (before 中秋, for 国庆)"},
      {"2026-10-07", false, "Wednesday, last day of 国庆 2026"},
      {"2026-10-10", true, "Saturday, 国庆调休"},
      {"2025-09-28", true, "Sunday, 国庆节、中秋节调休 2025"},
      {"2025-10-08", false, "Wednesday, 8th day of 国庆+中秋 2025"},
      {"2025-10-11", true, "Saturday, 国庆节、中秋节调休 2025"},
      {"2025-10-12", false, "Sunday after it, not adjusted"},
      {"2025-01-28", false, "Tuesday, 除夕 2025: statutory from 2025 (国务院令第795号)"},
      {"2025-05-02", false, "Friday, the second 劳动节 day added in 2025"},
      {"2024-02-09", true, "Friday, 除夕 2024: only 'encouraged' off, still a working day"},
      {"2024-02-18", true, "Sunday, 春节调休 2024"},
      {"2020-01-19", true, "Sunday, 春节调休 2020 (before the COVID-19 extension, stands)"},
      {"2020-01-31", false, "Friday, COVID-19 extension of 春节 2020"},
      {"2020-02-01", false, "Saturday: was 春节调休, cancelled by the extension to 02-02"},
      {"2020-02-03", true, "Monday, work resumed after the extension"},
      {"2022-12-31", false, "Saturday, first day of 元旦 2023"},
      {"2023-01-02", false, "Monday, 元旦 2023"},
      {"2023-01-29", true, "Sunday, 春节调休 2023"},
      {"2020-01-01", false, "Wednesday, 元旦 2020, first covered day"},
      {"2027-12-31", true, "Friday, last covered day"},
      {"2027-02-05", false, "Friday, 除夕 2027 (provisional, statutory)"},
      {"2027-02-08", false, "Monday, 初三 2027 (provisional, statutory)"},
  };
  for (const DayCase& c : kCases) {
    Result<bool> r = Cal().IsWorkingDay(Iso(c.date));
    ASSERT_TRUE(r.has_value()) << c.date << ": " << r.error().ToString();
    EXPECT_EQ(*r, c.working) << c.date << " — " << c.why;
  }
}

TEST(WorkingDayCalendarTest, HolidayName) {
  EXPECT_EQ(Cal().HolidayName(D(2026, 2, 16)), "春节");
  EXPECT_EQ(Cal().HolidayName(D(2026, 2, 14)), "春节调休");
  EXPECT_EQ(Cal().HolidayName(D(2025, 10, 1)), "国庆节、中秋节");
  EXPECT_EQ(Cal().HolidayName(D(2020, 2, 1)), "春节（延长）");
  EXPECT_EQ(Cal().HolidayName(D(2026, 3, 9)), "");    // ordinary Monday
  EXPECT_EQ(Cal().HolidayName(D(2026, 3, 7)), "");    // ordinary Saturday
  EXPECT_EQ(Cal().HolidayName(D(2019, 12, 31)), "");  // not covered
  EXPECT_EQ(Cal().HolidayName(D(2028, 1, 1)), "");
}

// ---- Deadlines ----

struct AddCase {
  const char* start;
  int n;
  const char* expected;
  const char* why;
};

TEST(WorkingDayCalendarTest, AddWorkingDaysAcrossHolidays) {
  const AddCase kCases[] = {
      // 春节 2026: off 02-15 (Sun) .. 02-23 (Mon); adjusted working Saturdays 02-14 and 02-28.
      {"2026-02-14", 7, "2026-03-03",
       "decision on the last working day before 春节 (Sat 调休): 02-24,25,26,27, 02-28 (Sat 调休), "
       "03-02, 03-03"},
      {"2026-02-13", 7, "2026-03-02",
       "Friday before: 02-14 (Sat 调休), 02-24..27, 02-28 (Sat 调休), 03-02"},
      {"2026-02-13", 1, "2026-02-14", "the adjusted Saturday is the next working day"},
      {"2026-02-18", 1, "2026-02-24",
       "decision during 春节: next working day is the first after it"},
      {"2026-02-27", 1, "2026-02-28", "Friday + 1 = the adjusted Saturday 02-28"},
      {"2026-02-28", 1, "2026-03-02", "Saturday 调休 + 1 skips the ordinary Sunday 03-01"},
      // 国庆+中秋 2025: off 10-01 (Wed) .. 10-08 (Wed); adjusted 09-28 (Sun) and 10-11 (Sat).
      {"2025-10-03", 7, "2025-10-16",
       "decision during 国庆: 10-09, 10-10, 10-11 (Sat 调休), 10-13, 10-14, 10-15, 10-16"},
      {"2025-09-30", 1, "2025-10-09", "last working day before 国庆 + 1"},
      {"2025-09-26", 1, "2025-09-28", "Friday + 1 = Sunday 09-28 (调休); Saturday 09-27 is off"},
      {"2025-09-26", 2, "2025-09-29", "then Monday"},
      // 国庆 2024: off 10-01 .. 10-07; adjusted 09-29 (Sun) and 10-12 (Sat).
      {"2024-09-30", 5, "2024-10-12", "10-08, 10-09, 10-10, 10-11, 10-12 (Sat 调休)"},
      // 春节 2024: 除夕 02-09 is a working day; off 02-10 .. 02-17; adjusted 02-18 (Sun).
      {"2024-02-08", 1, "2024-02-09", "除夕 2024 is a working day"},
      {"2024-02-09", 1, "2024-02-18", "then the adjusted Sunday after 春节"},
      // 2020: 春节 extended to 02-02 (国办发明电〔2020〕1号); the 02-01 调休 Saturday is gone.
      {"2020-01-23", 1, "2020-02-03",
       "Thursday before 春节 + 1 = Monday 02-03, not Saturday 02-01"},
      {"2020-01-17", 1, "2020-01-19", "Friday + 1 = Sunday 01-19 (调休, stands)"},
      // 元旦 2023 starts on 2022-12-31.
      {"2022-12-30", 1, "2023-01-03", "off 12-31 .. 01-02"},
      {"2021-12-31", 1, "2022-01-04", "元旦 2022: off 01-01 .. 01-03"},
      // Ordinary stretch: a weekend that is not adjusted does not count.
      {"2026-03-06", 1, "2026-03-09", "Friday + 1 = Monday"},
      {"2026-03-06", 5, "2026-03-13", "one ordinary week"},
      // Provisional 2027, statutory days only: 除夕 02-05 (Fri) .. 初三 02-08 (Mon).
      {"2027-02-04", 1, "2027-02-09", "provisional: may change when the 2027 notice is published"},
      // n == 0 returns the start, whatever day it is.
      {"2026-02-16", 0, "2026-02-16", "n == 0 on a holiday"},
      // Edges of the covered range.
      {"2019-12-31", 1, "2020-01-02", "only days after start are judged; 2020-01-01 is 元旦"},
      {"2027-12-30", 1, "2027-12-31", "last covered day"},
  };
  for (const AddCase& c : kCases) {
    Result<Date> r = Cal().AddWorkingDays(Iso(c.start), c.n);
    ASSERT_TRUE(r.has_value()) << c.start << " + " << c.n << ": " << r.error().ToString();
    EXPECT_EQ(FormatIsoDate(*r), c.expected) << c.start << " + " << c.n << " — " << c.why;
  }
}

struct BetweenCase {
  const char* from;
  const char* to;
  int expected;
  const char* why;
};

TEST(WorkingDayCalendarTest, WorkingDaysBetween) {
  const BetweenCase kCases[] = {
      {"2026-02-14", "2026-03-03", 7, "the 春节 2026 deadline above"},
      {"2025-09-30", "2025-10-09", 1, "across 国庆+中秋 2025"},
      {"2026-03-09", "2026-03-09", 0, "empty interval"},
      {"2026-03-13", "2026-03-09", 0, "to before from"},
      {"2026-03-06", "2026-03-08", 0, "an ordinary weekend"},
      {"2026-02-13", "2026-02-14", 1, "the adjusted Saturday"},
      {"2019-12-31", "2020-01-03", 2, "01-01 元旦, then 01-02 and 01-03"},
      // Whole years: Monday-Friday, minus weekday holidays, plus adjusted weekends, counted by hand
      // from each notice. 11 statutory days until 2024, 13 from 2025; 2020 loses two more to the
      // extension.
      {"2019-12-31", "2020-12-31", 249, "2020: 262 weekdays - 19 + 6; the extension cost 2 days"},
      {"2020-12-31", "2021-12-31", 250, "2021: 261 - 18 + 7"},
      {"2021-12-31", "2022-12-31", 249, "2022: 260 - 18 + 7"},
      {"2022-12-31", "2023-12-31", 249, "2023: 260 - 18 + 7"},
      {"2023-12-31", "2024-12-31", 251, "2024: 262 - 19 + 8"},
      {"2024-12-31", "2025-12-31", 248, "2025: 261 - 18 + 5"},
      {"2025-12-31", "2026-12-31", 248, "2026: 261 - 19 + 6"},
  };
  for (const BetweenCase& c : kCases) {
    Result<int> r = Cal().WorkingDaysBetween(Iso(c.from), Iso(c.to));
    ASSERT_TRUE(r.has_value()) << c.from << ".." << c.to << ": " << r.error().ToString();
    EXPECT_EQ(*r, c.expected) << c.from << ".." << c.to << " — " << c.why;
  }
}

// ---- Refusing to guess ----

void ExpectOutOfRange(const Error& e, const std::string& date) {
  EXPECT_EQ(e.code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(e.reason, "calendar.out_of_range");
  EXPECT_NE(e.message.find(date), std::string::npos) << e.message;
  EXPECT_NE(e.message_zh.find(date), std::string::npos) << e.message_zh;
  EXPECT_NE(e.message_zh.find("工作日历"), std::string::npos) << e.message_zh;
}

TEST(WorkingDayCalendarTest, OutOfRangeAtTheEdges) {
  Result<bool> before = Cal().IsWorkingDay(D(2019, 12, 31));
  ASSERT_FALSE(before.has_value());
  ExpectOutOfRange(before.error(), "2019-12-31");

  Result<bool> after = Cal().IsWorkingDay(D(2028, 1, 1));
  ASSERT_FALSE(after.has_value());
  ExpectOutOfRange(after.error(), "2028-01-01");

  ASSERT_TRUE(Cal().IsWorkingDay(D(2020, 1, 1)).has_value());
  ASSERT_TRUE(Cal().IsWorkingDay(D(2027, 12, 31)).has_value());

  // The walk would have to judge 2028-01-01.
  Result<Date> walk = Cal().AddWorkingDays(D(2027, 12, 31), 1);
  ASSERT_FALSE(walk.has_value());
  ExpectOutOfRange(walk.error(), "2028-01-01");
  walk = Cal().AddWorkingDays(D(2027, 12, 20), 30);
  ASSERT_FALSE(walk.has_value());
  ExpectOutOfRange(walk.error(), "2028-01-01");
  walk = Cal().AddWorkingDays(D(2026, 1, 1), INT_MAX);  // no overflow, just out of range
  ASSERT_FALSE(walk.has_value());
  ExpectOutOfRange(walk.error(), "2028-01-01");
  // The walk would have to judge 2019-12-31.
  walk = Cal().AddWorkingDays(D(2019, 12, 30), 1);
  ASSERT_FALSE(walk.has_value());
  ExpectOutOfRange(walk.error(), "2019-12-31");
  // n == 0 judges nothing.
  walk = Cal().AddWorkingDays(D(2028, 6, 1), 0);
  ASSERT_TRUE(walk.has_value());
  EXPECT_EQ(FormatIsoDate(*walk), "2028-06-01");

  Result<int> between = Cal().WorkingDaysBetween(D(2027, 12, 30), D(2028, 1, 1));
  ASSERT_FALSE(between.has_value());
  ExpectOutOfRange(between.error(), "2028-01-01");
  between = Cal().WorkingDaysBetween(D(2019, 12, 30), D(2020, 1, 10));
  ASSERT_FALSE(between.has_value());
  ExpectOutOfRange(between.error(), "2019-12-31");
  between = Cal().WorkingDaysBetween(D(2028, 1, 5), D(2028, 1, 1));  // empty interval
  ASSERT_TRUE(between.has_value());
  EXPECT_EQ(*between, 0);
}

TEST(WorkingDayCalendarTest, RejectsBadArguments) {
  Result<Date> negative = Cal().AddWorkingDays(D(2026, 3, 9), -1);
  ASSERT_FALSE(negative.has_value());
  EXPECT_EQ(negative.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(negative.error().reason, "calendar.negative_count");

  Result<bool> no_such_day = Cal().IsWorkingDay(D(2023, 2, 29));
  ASSERT_FALSE(no_such_day.has_value());
  EXPECT_EQ(no_such_day.error().reason, "date.invalid");
  EXPECT_FALSE(Cal().AddWorkingDays(D(2023, 2, 29), 1).has_value());
  EXPECT_FALSE(Cal().WorkingDaysBetween(D(2023, 1, 1), D(2023, 2, 29)).has_value());
  EXPECT_EQ(Cal().HolidayName(D(2023, 2, 29)), "");
}

// ---- Properties over the whole range ----

TEST(WorkingDayCalendarTest, AddAndBetweenRoundTripForEveryStartDate) {
  const Date last = D(2027, 12, 31);
  const int kCounts[] = {0, 1, 2, 5, 7, 10, 15, 20, 30, 60};
  for (std::int64_t s = ToDayNumber(D(2019, 12, 31)); s <= ToDayNumber(last); ++s) {
    const Date start = FromDayNumber(s);
    Result<int> left = Cal().WorkingDaysBetween(start, last);
    ASSERT_TRUE(left.has_value());
    for (int n : kCounts) {
      Result<Date> r = Cal().AddWorkingDays(start, n);
      if (n > *left) {
        // Exactly the walks that need a day after 2027-12-31 fail.
        ASSERT_FALSE(r.has_value()) << FormatIsoDate(start) << " + " << n;
        EXPECT_EQ(r.error().reason, "calendar.out_of_range");
        continue;
      }
      ASSERT_TRUE(r.has_value()) << FormatIsoDate(start) << " + " << n << ": "
                                 << r.error().ToString();
      Result<int> back = Cal().WorkingDaysBetween(start, *r);
      ASSERT_TRUE(back.has_value());
      ASSERT_EQ(*back, n) << FormatIsoDate(start) << " + " << n << " = " << FormatIsoDate(*r);
      if (n == 0) {
        ASSERT_EQ(ToDayNumber(*r), s);
        continue;
      }
      // The result is a working day, and the earliest one that completes the count.
      ASSERT_TRUE(*Cal().IsWorkingDay(*r)) << FormatIsoDate(*r);
      Result<int> before = Cal().WorkingDaysBetween(start, FromDayNumber(ToDayNumber(*r) - 1));
      ASSERT_TRUE(before.has_value());
      ASSERT_EQ(*before, n - 1) << FormatIsoDate(start) << " + " << n;
    }
  }
}

TEST(WorkingDayCalendarTest, BetweenAgreesWithCountingDayByDay) {
  // The precomputed counts against the slow definition, over every month of the range.
  for (int y = 2020; y <= 2027; ++y) {
    for (unsigned m = 1; m <= 12; ++m) {
      const Date from = FromDayNumber(ToDayNumber(D(y, m, 1)) - 1);
      const Date to =
          FromDayNumber(ToDayNumber(D(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1)) - 1);
      int slow = 0;
      for (std::int64_t d = ToDayNumber(from) + 1; d <= ToDayNumber(to); ++d) {
        slow += *Cal().IsWorkingDay(FromDayNumber(d)) ? 1 : 0;
      }
      EXPECT_EQ(Cal().WorkingDaysBetween(from, to).value_or(-1), slow) << y << "-" << m;
    }
  }
}

// ---- Parsing ----

TEST(WorkingDayCalendarTest, ParsesASmallCalendar) {
  Result<WorkingDayCalendar> cal = WorkingDayCalendar::Parse(
      "# a test calendar\r\n"
      "#! years 2026 2026\r\n"
      "#! provisional 2026\r\n"
      "date\tkind\tname\r\n"
      "\r\n"
      "# comments between rows are fine\r\n"
      "2026-03-10\tholiday\t测试\r\n"
      "2026-03-14\tworkday\t测试调休\r\n");
  ASSERT_TRUE(cal.has_value()) << cal.error().ToString();
  EXPECT_EQ(cal->first_year(), 2026);
  EXPECT_EQ(cal->last_year(), 2026);
  EXPECT_TRUE(cal->IsProvisional(2026));
  EXPECT_FALSE(*cal->IsWorkingDay(D(2026, 3, 10)));  // Tuesday, listed holiday
  EXPECT_TRUE(*cal->IsWorkingDay(D(2026, 3, 14)));   // Saturday, listed workday
  EXPECT_FALSE(*cal->IsWorkingDay(D(2026, 3, 15)));  // Sunday, not listed
  EXPECT_TRUE(*cal->IsWorkingDay(D(2026, 3, 16)));   // Monday, not listed
  EXPECT_EQ(cal->HolidayName(D(2026, 3, 10)), "测试");
  // Monday 03-09 + 4: 03-11, 03-12, 03-13, 03-14 (the adjusted Saturday).
  EXPECT_EQ(FormatIsoDate(*cal->AddWorkingDays(D(2026, 3, 9), 4)), "2026-03-14");
  EXPECT_FALSE(cal->IsWorkingDay(D(2025, 12, 31)).has_value());
  EXPECT_FALSE(cal->IsWorkingDay(D(2027, 1, 1)).has_value());
}

struct ParseErrorCase {
  const char* tsv;
  int line;           // 0 for an error about the whole file
  const char* words;  // expected in the message
};

TEST(WorkingDayCalendarTest, ParseErrorsNameTheLine) {
  // Lines 1-3 are valid; the case's own line, if any, is line 4.
  const std::string ok =
      "#! years 2026 2026\n"
      "date\tkind\tname\n"
      "2026-02-16\tholiday\t春节\n";
  const ParseErrorCase kCases[] = {
      {"2026-02-30\tholiday\t春节\n", 4, "bad date"},
      {"2026/02/17\tholiday\t春节\n", 4, "bad date"},
      {"2026-02-17\toff\t春节\n", 4, "unknown kind"},
      {"2026-02-17\tHoliday\t春节\n", 4, "unknown kind"},
      {"2026-02-17\tworkday\t春节调休\n", 4, "is a Tuesday, not a Saturday or Sunday"},
      {"2027-01-01\tholiday\t元旦\n", 4, "outside the declared years"},
      {"2025-12-31\tholiday\t元旦\n", 4, "outside the declared years"},
      {"2026-02-16\tholiday\t春节\n", 4, "duplicate date 2026-02-16 (already listed on line 3)"},
      {"2026-02-17\tholiday\n", 4, "3 tab-separated columns"},
      {"2026-02-17\tholiday\t春节\textra\n", 4, "3 tab-separated columns"},
      {"2026-02-17\tholiday\t\n", 4, "empty name"},
      {"#! provisional 2026\n", 4, "after the header row"},
  };
  for (const ParseErrorCase& c : kCases) {
    Result<WorkingDayCalendar> r = WorkingDayCalendar::Parse(ok + c.tsv);
    ASSERT_FALSE(r.has_value()) << c.tsv;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.tsv;
    EXPECT_EQ(r.error().reason, "calendar.parse") << c.tsv;
    EXPECT_NE(r.error().message.find("line " + std::to_string(c.line) + ":"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find(c.words), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message_zh.find("第 " + std::to_string(c.line) + " 行"), std::string::npos)
        << r.error().message_zh;
  }

  const ParseErrorCase kFileCases[] = {
      {"date\tkind\tname\n", 1, "missing '#! years"},
      {"#! years 2026 2026\n2026-02-16\tholiday\t春节\n", 2, "expected the header row"},
      {"#! years 2026 2026\ndate kind name\n", 2, "expected the header row"},
      {"#! yeers 2026 2026\n", 1, "unknown directive"},
      {"#! years 2026\n", 1, "expected '#! years FIRST LAST'"},
      {"#! years 2027 2026\n", 1, "bad year range"},
      {"#! years 2026 2026\n#! years 2026 2026\n", 2, "given twice"},
      {"#! provisional 2026\n#! years 2026 2026\n", 1, "before '#! years'"},
      {"#! years 2026 2026\n#! provisional 2030\n", 2, "outside the declared years"},
  };
  for (const ParseErrorCase& c : kFileCases) {
    Result<WorkingDayCalendar> r = WorkingDayCalendar::Parse(c.tsv);
    ASSERT_FALSE(r.has_value()) << c.tsv;
    EXPECT_EQ(r.error().reason, "calendar.parse") << c.tsv;
    EXPECT_NE(r.error().message.find("line " + std::to_string(c.line) + ":"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find(c.words), std::string::npos) << r.error().message;
  }

  for (const char* no_header : {"", "# only comments\n", "#! years 2026 2026\n"}) {
    Result<WorkingDayCalendar> r = WorkingDayCalendar::Parse(no_header);
    ASSERT_FALSE(r.has_value()) << no_header;
    EXPECT_EQ(r.error().reason, "calendar.parse");
    EXPECT_NE(r.error().message.find("no header row"), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace xy
