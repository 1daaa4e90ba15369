// Calendar dates and the injected clock.
//
// Dates are std::chrono::year_month_day (alias Date) and always valid once constructed through this
// header. "Today" is the civil date in China Standard Time (UTC+8, no daylight saving), which is the
// date every legal deadline and publicity window in the platform is counted in. Code that needs today
// takes a `const Clock&`, so tests run with a FixedClock.
//
// Thread-safety: functions are pure; SystemClock and FixedClock are immutable and thread-safe.

#ifndef XY_BASE_DATE_H_
#define XY_BASE_DATE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace xy {

using Date = std::chrono::year_month_day;

// Parses exactly "YYYY-MM-DD" (ISO 8601 calendar date, four-digit year) into a real date.
// Errors: kInvalidArgument "date.format" (shape) or "date.invalid" (no such day, e.g. 2023-02-29).
Result<Date> ParseIsoDate(std::string_view text);

// Parses exactly "YYYYMMDD", the form inside citizen ID numbers and commitment codes.
Result<Date> ParseCompactDate(std::string_view text);

// "2026-02-17".
std::string FormatIsoDate(Date date);
// The same for an optional date: "" for none (how the stores write an absent date).
std::string FormatIsoDate(const std::optional<Date>& date);

// Days since 1970-01-01, and back; convenient for arithmetic and storage.
inline std::int64_t ToDayNumber(Date date) {
  return std::chrono::sys_days(date).time_since_epoch().count();
}
inline Date FromDayNumber(std::int64_t days) {
  return Date(std::chrono::sys_days(std::chrono::days(days)));
}

// 1 = Monday ... 7 = Sunday (ISO 8601).
unsigned IsoWeekday(Date date);

class Clock {
 public:
  virtual ~Clock() = default;
  // The current civil date in China Standard Time.
  virtual Date Today() const = 0;
};

// Reads the system clock and converts to UTC+8.
class SystemClock final : public Clock {
 public:
  Date Today() const override;
};

// Always answers the date it was built with.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Date today) : today_(today) {}
  Date Today() const override { return today_; }

 private:
  Date today_;
};

}  // namespace xy

#endif  // XY_BASE_DATE_H_
