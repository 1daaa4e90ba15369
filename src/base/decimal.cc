#include "base/decimal.h"

namespace xy {

Result<Decimal> Decimal::Parse(std::string_view text) {
  auto bad = [&](std::string reason, std::string en, std::string zh) {
    return Fail(ErrorCode::kInvalidArgument, std::move(reason),
                en + ": '" + std::string(text) + "'", zh + "：“" + std::string(text) + "”");
  };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  std::size_t dot = s.find('.');
  std::string_view int_part = s.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (int_part.empty() && frac_part.empty()) {
    return bad("decimal.format", "not a number", "不是有效的数字");
  }
  for (std::string_view part : {int_part, frac_part}) {
    for (char c : part) {
      if (c < '0' || c > '9') return bad("decimal.format", "not a number", "不是有效的数字");
    }
  }
  // Leading zeros do not count towards the 12 integer digits.
  while (int_part.size() > 1 && int_part.front() == '0') int_part.remove_prefix(1);
  if (int_part.size() > 12) return bad("decimal.range", "more than 12 integer digits", "整数部分超过12位");
  // Trailing zeros beyond the scale are harmless ("0.2000000").
  while (frac_part.size() > kScale && frac_part.back() == '0') frac_part.remove_suffix(1);
  if (frac_part.size() > kScale) {
    return bad("decimal.scale", "more than 6 decimal places", "小数超过6位");
  }
  std::int64_t micros = 0;
  for (char c : int_part) micros = micros * 10 + (c - '0');
  for (std::size_t i = 0; i < static_cast<std::size_t>(kScale); ++i) {
    micros = micros * 10 + (i < frac_part.size() ? frac_part[i] - '0' : 0);
  }
  return Decimal(negative ? -micros : micros);
}

std::string Decimal::ToString() const {
  std::uint64_t abs = micros_ < 0 ? static_cast<std::uint64_t>(-(micros_ + 1)) + 1
                                  : static_cast<std::uint64_t>(micros_);
  std::string out = std::to_string(abs / kOne);
  std::uint64_t frac = abs % kOne;
  if (frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, kScale - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    out += '.';
    out += f;
  }
  if (micros_ < 0) out.insert(0, 1, '-');
  return out;
}

}  // namespace xy
