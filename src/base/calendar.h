// The PRC working-day calendar: which dates are working days; deadlines counted in working days.
//
// A WorkingDayCalendar answers for a fixed range of whole years (data/cn-holidays.tsv: 2020–2027).
// A working day is Monday to Friday unless the State Council's annual notice makes it a day off,
// plus the Saturdays and Sundays the notice makes adjusted working days (调休上班). Legal deadlines
// such as "公示 within 7 working days of the decision" are AddWorkingDays(decision, 7). Outside the
// covered years the calendar refuses to answer (calendar.out_of_range) instead of guessing
// Monday–Friday: a guessed deadline is wrong by a week around 春节. A year built from the statute
// alone because its notice was not yet published is marked provisional (IsProvisional).
//
// The answers come from a table precomputed at Parse: one running count of working days per covered
// day, so IsWorkingDay and WorkingDaysBetween are O(1) and AddWorkingDays is O(log days), cheap
// enough to run for every ingested row.
//
// Thread-safety: immutable after Parse, so const methods may be called from any thread; Default()
// is built once on first use (thread-safe static) and lives for the rest of the program.
//
// Ownership: a calendar owns its tables (about 20 KB for eight years) and is cheap to move; copy it
// only when needed. Parse does no I/O: it reads the text it is given.

#ifndef XY_BASE_CALENDAR_H_
#define XY_BASE_CALENDAR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/date.h"
#include "base/result.h"

namespace xy {

class WorkingDayCalendar {
 public:
  // Parses the TSV format of data/cn-holidays.tsv: `#` comments; before the header row, the
  // directives `#! years <first> <last>` (required) and `#! provisional <year>`; the header row
  // `date<TAB>kind<TAB>name`; then rows `YYYY-MM-DD<TAB>holiday|workday<TAB>name`. Errors are
  // kInvalidArgument "calendar.parse" and name the line and what is wrong: bad date, unknown kind,
  // a `workday` that is not a Saturday or Sunday, a date outside the declared years, a duplicate
  // date, a missing or malformed directive or header.
  static Result<WorkingDayCalendar> Parse(std::string_view tsv);

  // The calendar compiled into the binary (cn-holidays.tsv), parsed once. Aborts if the embedded
  // file does not parse: that is a build bug, and the tests parse the same file.
  static const WorkingDayCalendar& Default();

  // The covered years, inclusive.
  int first_year() const { return first_year_; }
  int last_year() const { return last_year_; }

  // True when `year`'s rows come from the statute rather than a published notice, so its working
  // days may still change (调休 and 补假 unknown). False for years outside the range.
  bool IsProvisional(int year) const;

  // Whether `date` is a working day. Errors: kFailedPrecondition "calendar.out_of_range" for a date
  // outside the covered years; kInvalidArgument "date.invalid" for a non-existent date.
  Result<bool> IsWorkingDay(Date date) const;

  // The n-th working day after `start` (start itself is not counted; n == 0 returns start
  // unchanged). Only the days after `start` are judged, so `start` may be the last day before the
  // covered range. Errors: kInvalidArgument "calendar.negative_count" for n < 0;
  // kFailedPrecondition "calendar.out_of_range" when a day that has to be judged lies outside the
  // covered years.
  Result<Date> AddWorkingDays(Date start, int n) const;

  // The number of working days d with from < d <= to; 0 when to <= from (no day judged, no error).
  // AddWorkingDays(a, n) == b implies WorkingDaysBetween(a, b) == n. Errors: kFailedPrecondition
  // "calendar.out_of_range" when a day in (from, to] lies outside the covered years.
  Result<int> WorkingDaysBetween(Date from, Date to) const;

  // The name the file gives `date` ("春节", "春节调休"), or empty when the date is not listed (an
  // ordinary day, or outside the covered years). The view lives as long as the calendar.
  std::string_view HolidayName(Date date) const;

 private:
  WorkingDayCalendar() = default;

  // Index of `date` in the per-day tables; negative or >= day_count() outside the covered range.
  std::int64_t IndexOf(Date date) const { return ToDayNumber(date) - first_day_; }
  std::int64_t day_count() const { return static_cast<std::int64_t>(name_index_.size()); }

  int first_year_ = 0;
  int last_year_ = -1;
  std::int64_t first_day_ = 0;     // day number of first_year-01-01
  std::vector<bool> provisional_;  // per covered year
  // working_before_[i] = number of working days among covered days [0, i); day_count() + 1 entries.
  std::vector<std::int32_t> working_before_;
  std::vector<std::uint16_t> name_index_;  // per covered day: 0 = not listed, else names_[k - 1]
  std::vector<std::string> names_;         // distinct names in the file
};

}  // namespace xy

#endif  // XY_BASE_CALENDAR_H_
