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
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buf;
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
