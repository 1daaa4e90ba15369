#include "base/calendar.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <unordered_map>
#include <utility>

#include "base/embedded.h"
#include "base/text.h"

namespace xy {
namespace {

// A calendar spans whole years; more than this many is a typo in `#! years`, not a real file, and
// would only make Parse allocate for nothing.
constexpr int kMaxYears = 200;

// What a file row says about a day.
enum class DayKind : std::uint8_t { kUnlisted, kHoliday, kWorkday };

// Splits on runs of spaces and tabs, dropping empty words.
std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<int> ParseYear(std::string_view s) {
  if (s.size() != 4) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < 1000) return std::nullopt;
  return v;
}

std::int64_t FirstDayOf(int year) {
  return ToDayNumber(Date{std::chrono::year(year), std::chrono::January, std::chrono::day(1)});
}

const char* WeekdayName(unsigned iso_weekday) {
  static constexpr const char* kNames[] = {"",         "Monday", "Tuesday",  "Wednesday",
                                           "Thursday", "Friday", "Saturday", "Sunday"};
  return iso_weekday <= 7 ? kNames[iso_weekday] : "?";
}

std::unexpected<Error> InvalidDate() {
  return Fail(ErrorCode::kInvalidArgument, "date.invalid", "not a calendar date", "日期不存在");
}

}  // namespace

Result<WorkingDayCalendar> WorkingDayCalendar::Parse(std::string_view tsv) {
  WorkingDayCalendar cal;
  bool years_seen = false;
  bool header_seen = false;
  std::vector<DayKind> kinds;
  std::vector<int> listed_on_line;  // per covered day: the line that listed it, 0 if none
  std::unordered_map<std::string, std::uint16_t> name_ids;

  int line_no = 0;
  auto bad = [&line_no](const std::string& what) {
    return Fail(ErrorCode::kInvalidArgument, "calendar.parse",
                "holiday calendar line " + std::to_string(line_no) + ": " + what,
                "节假日表第 " + std::to_string(line_no) + " 行格式错误");
  };

  for (std::string_view line : SplitView(tsv, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;

    if (line.starts_with("#!")) {
      // Directives shape the tables the rows are written into, so they must all come first.
      if (header_seen) return bad("directive '" + std::string(line) + "' after the header row");
      std::vector<std::string_view> words = Words(line.substr(2));
      if (!words.empty() && words[0] == "years") {
        if (years_seen) return bad("'#! years' given twice");
        std::optional<int> first = words.size() == 3 ? ParseYear(words[1]) : std::nullopt;
        std::optional<int> last = words.size() == 3 ? ParseYear(words[2]) : std::nullopt;
        if (!first || !last) return bad("expected '#! years FIRST LAST' with four-digit years");
        if (*last < *first || *last - *first >= kMaxYears) {
          return bad("bad year range " + std::to_string(*first) + "-" + std::to_string(*last));
        }
        years_seen = true;
        cal.first_year_ = *first;
        cal.last_year_ = *last;
        cal.provisional_.assign(static_cast<std::size_t>(*last - *first + 1), false);
      } else if (!words.empty() && words[0] == "provisional") {
        if (!years_seen) return bad("'#! provisional' before '#! years'");
        std::optional<int> year = words.size() == 2 ? ParseYear(words[1]) : std::nullopt;
        if (!year) return bad("expected '#! provisional YEAR' with a four-digit year");
        if (*year < cal.first_year_ || *year > cal.last_year_) {
          return bad("provisional year " + std::to_string(*year) +
                     " is outside the declared years");
        }
        cal.provisional_[static_cast<std::size_t>(*year - cal.first_year_)] = true;
      } else {
        return bad("unknown directive '" + std::string(line) + "'");
      }
      continue;
    }
    if (line.front() == '#') continue;

    if (!header_seen) {
      if (line != "date\tkind\tname") {
        return bad("expected the header row 'date<TAB>kind<TAB>name'");
      }
      if (!years_seen) return bad("missing '#! years FIRST LAST' before the header row");
      header_seen = true;
      cal.first_day_ = FirstDayOf(cal.first_year_);
      auto days = static_cast<std::size_t>(FirstDayOf(cal.last_year_ + 1) - cal.first_day_);
      kinds.assign(days, DayKind::kUnlisted);
      listed_on_line.assign(days, 0);
      cal.name_index_.assign(days, 0);
      continue;
    }

    std::vector<std::string_view> cols = SplitView(line, '\t');
    if (cols.size() != 3) return bad("expected 3 tab-separated columns: date, kind, name");
    Result<Date> date = ParseIsoDate(cols[0]);
    if (!date) return bad("bad date '" + std::string(cols[0]) + "': " + date.error().message);
    std::int64_t index = cal.IndexOf(*date);
    if (index < 0 || index >= cal.day_count()) {
      return bad("date " + std::string(cols[0]) + " is outside the declared years " +
                 std::to_string(cal.first_year_) + "-" + std::to_string(cal.last_year_));
    }
    DayKind kind;
    if (cols[1] == "holiday") {
      kind = DayKind::kHoliday;
    } else if (cols[1] == "workday") {
      kind = DayKind::kWorkday;
      // Only a weekend can be turned into a working day; a weekday row marked `workday` is a typo
      // (usually the wrong date) and would silently change nothing.
      unsigned weekday = IsoWeekday(*date);
      if (weekday < 6) {
        return bad("workday " + std::string(cols[0]) + " is a " + WeekdayName(weekday) +
                   ", not a Saturday or Sunday");
      }
    } else {
      return bad("unknown kind '" + std::string(cols[1]) + "' (expected holiday or workday)");
    }
    if (cols[2].empty()) return bad("empty name");
    auto i = static_cast<std::size_t>(index);
    if (listed_on_line[i] != 0) {
      return bad("duplicate date " + std::string(cols[0]) + " (already listed on line " +
                 std::to_string(listed_on_line[i]) + ")");
    }
    listed_on_line[i] = line_no;
    kinds[i] = kind;

    auto [it, inserted] = name_ids.try_emplace(std::string(cols[2]), 0);
    if (inserted) {
      if (cal.names_.size() >= 0xFFFF) return bad("too many distinct names");
      cal.names_.push_back(it->first);
      it->second = static_cast<std::uint16_t>(cal.names_.size());
    }
    cal.name_index_[i] = it->second;
  }

  if (!header_seen) {
    return Fail(ErrorCode::kInvalidArgument, "calendar.parse",
                "holiday calendar has no header row 'date<TAB>kind<TAB>name'",
                "节假日表缺少表头行");
  }

  // The running count is the whole point of the precomputation: every query below is a subtraction
  // or a binary search over it.
  cal.working_before_.assign(kinds.size() + 1, 0);
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    bool working =
        kinds[i] == DayKind::kUnlisted
            ? IsoWeekday(FromDayNumber(cal.first_day_ + static_cast<std::int64_t>(i))) <= 5
            : kinds[i] == DayKind::kWorkday;
    cal.working_before_[i + 1] = cal.working_before_[i] + (working ? 1 : 0);
  }
  return cal;
}

const WorkingDayCalendar& WorkingDayCalendar::Default() {
  static const WorkingDayCalendar* const kCalendar = [] {
    Result<WorkingDayCalendar> c = Parse(EmbeddedData("cn-holidays.tsv"));
    if (!c) std::abort();  // a broken embedded file is a build bug; calendar_test parses it
    return new WorkingDayCalendar(std::move(*c));
  }();
  return *kCalendar;
}

bool WorkingDayCalendar::IsProvisional(int year) const {
  if (year < first_year_ || year > last_year_) return false;
  return provisional_[static_cast<std::size_t>(year - first_year_)];
}

namespace {

// `date` is the first day the calendar would have had to judge but does not cover.
std::unexpected<Error> OutOfRange(Date date, int first_year, int last_year) {
  std::string day = FormatIsoDate(date);
  std::string range = std::to_string(first_year) + "-" + std::to_string(last_year);
  return Fail(ErrorCode::kFailedPrecondition, "calendar.out_of_range",
              "the working-day calendar covers " + range + " only; cannot judge " + day,
              "工作日历仅覆盖 " + std::to_string(first_year) + "—" + std::to_string(last_year) +
                  " 年，无法判断 " + day + " 是否为工作日");
}

}  // namespace

Result<bool> WorkingDayCalendar::IsWorkingDay(Date date) const {
  if (!date.ok()) return InvalidDate();
  std::int64_t i = IndexOf(date);
  if (i < 0 || i >= day_count()) return OutOfRange(date, first_year_, last_year_);
  auto u = static_cast<std::size_t>(i);
  return working_before_[u + 1] != working_before_[u];
}

Result<Date> WorkingDayCalendar::AddWorkingDays(Date start, int n) const {
  if (!start.ok()) return InvalidDate();
  if (n < 0) {
    return Fail(ErrorCode::kInvalidArgument, "calendar.negative_count",
                "working-day count must not be negative: " + std::to_string(n),
                "工作日天数不能为负数：" + std::to_string(n));
  }
  if (n == 0) return start;
  std::int64_t s = IndexOf(start);
  // The first day judged is start + 1; it must be covered.
  if (s < -1 || s + 1 >= day_count()) {
    return OutOfRange(FromDayNumber(ToDayNumber(start) + 1), first_year_, last_year_);
  }
  // working_before_[s + 1] counts the working days up to and including start; the answer is the
  // first day whose running count reaches that plus n.
  std::int64_t target = std::int64_t{working_before_[static_cast<std::size_t>(s + 1)]} + n;
  if (target > working_before_.back()) {
    return OutOfRange(FromDayNumber(first_day_ + day_count()), first_year_, last_year_);
  }
  auto it = std::lower_bound(working_before_.begin() + (s + 2), working_before_.end(), target);
  std::int64_t j = (it - working_before_.begin()) - 1;
  return FromDayNumber(first_day_ + j);
}

Result<int> WorkingDayCalendar::WorkingDaysBetween(Date from, Date to) const {
  if (!from.ok() || !to.ok()) return InvalidDate();
  std::int64_t f = IndexOf(from);
  std::int64_t t = IndexOf(to);
  if (t <= f) return 0;
  if (f < -1) return OutOfRange(FromDayNumber(ToDayNumber(from) + 1), first_year_, last_year_);
  if (t >= day_count()) {
    return OutOfRange(FromDayNumber(first_day_ + day_count()), first_year_, last_year_);
  }
  return working_before_[static_cast<std::size_t>(t + 1)] -
         working_before_[static_cast<std::size_t>(f + 1)];
}

std::string_view WorkingDayCalendar::HolidayName(Date date) const {
  if (!date.ok()) return {};
  std::int64_t i = IndexOf(date);
  if (i < 0 || i >= day_count()) return {};
  std::uint16_t k = name_index_[static_cast<std::size_t>(i)];
  return k == 0 ? std::string_view() : std::string_view(names_[k - 1]);
}

}  // namespace xy
