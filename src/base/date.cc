#include "base/date.h"

#include <cstdio>

namespace xy {
namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int ToInt(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

Result<Date> MakeDate(std::string_view text, int y, int m, int d) {
  Date date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
            std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok()) {
    return Fail(ErrorCode::kInvalidArgument, "date.invalid",
                "no such calendar day: " + std::string(text),
                "日期不存在：" + std::string(text));
  }
  return date;
}

}  // namespace

Result<Date> ParseIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !AllDigits(text.substr(0, 4)) ||
      !AllDigits(text.substr(5, 2)) || !AllDigits(text.substr(8, 2))) {
    return Fail(ErrorCode::kInvalidArgument, "date.format",
                "expected a date as YYYY-MM-DD, got '" + std::string(text) + "'",
                "日期格式应为 YYYY-MM-DD，实际为“" + std::string(text) + "”");
  }
  return MakeDate(text, ToInt(text.substr(0, 4)), ToInt(text.substr(5, 2)),
                  ToInt(text.substr(8, 2)));
}

Result<Date> ParseCompactDate(std::string_view text) {
  if (text.size() != 8 || !AllDigits(text)) {
    return Fail(ErrorCode::kInvalidArgument, "date.format",
                "expected a date as YYYYMMDD, got '" + std::string(text) + "'",
                "日期格式应为 YYYYMMDD，实际为“" + std::string(text) + "”");
  }
  return MakeDate(text, ToInt(text.substr(0, 4)), ToInt(text.substr(4, 2)),
                  ToInt(text.substr(6, 2)));
}

std::string FormatIsoDate(Date date) {
  const int year = static_cast<int>(date.year());
  const auto month = static_cast<unsigned>(date.month());
  const auto day = static_cast<unsigned>(date.day());
  if (year < 0 || year > 9999 || month > 12 || day > 31) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", year, month, day);
    return buf;
  }
  // Digit by digit into the small-string buffer: several dates per ingested row are formatted,
  // and snprintf cost as much as the rest of the row's date handling together.
  std::string text = "0000-00-00";
  text[0] = static_cast<char>('0' + year / 1000);
  text[1] = static_cast<char>('0' + year / 100 % 10);
  text[2] = static_cast<char>('0' + year / 10 % 10);
  text[3] = static_cast<char>('0' + year % 10);
  text[5] = static_cast<char>('0' + month / 10);
  text[6] = static_cast<char>('0' + month % 10);
  text[8] = static_cast<char>('0' + day / 10);
  text[9] = static_cast<char>('0' + day % 10);
  return text;
}

std::string FormatIsoDate(const std::optional<Date>& date) {
  return date ? FormatIsoDate(*date) : std::string();
}

unsigned IsoWeekday(Date date) {
  return std::chrono::weekday(std::chrono::sys_days(date)).iso_encoding();
}

Date SystemClock::Today() const {
  using namespace std::chrono;
  auto china_now = system_clock::now() + hours(8);
  return Date(floor<days>(china_now));
}

}  // namespace xy
