// Fixed-point decimal with six fractional digits, for money (万元 in the 双公示 standard:
// decimal(18,6)) and other exact quantities. Never double: 0.1 + 0.2 must be 0.3.
//
// Thread-safety: a plain value.

#ifndef XY_BASE_DECIMAL_H_
#define XY_BASE_DECIMAL_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace xy {

class Decimal {
 public:
  static constexpr int kScale = 6;
  static constexpr std::int64_t kOne = 1'000'000;

  constexpr Decimal() = default;
  static constexpr Decimal FromMicros(std::int64_t micros) { return Decimal(micros); }

  // Parses "12", "-0.5", "0.200000", "+3.", ".25" (ASCII; at most 6 fractional digits and 12 integer
  // digits, the range of decimal(18,6)). No exponent, no thousands separators.
  // Errors: kInvalidArgument "decimal.format" / "decimal.range" / "decimal.scale".
  static Result<Decimal> Parse(std::string_view text);

  std::int64_t micros() const { return micros_; }
  bool negative() const { return micros_ < 0; }

  // The shortest exact form: "0.2", "12", "-3.000001".
  std::string ToString() const;

  friend constexpr auto operator<=>(Decimal, Decimal) = default;
  friend constexpr Decimal operator+(Decimal a, Decimal b) { return Decimal(a.micros_ + b.micros_); }
  friend constexpr Decimal operator-(Decimal a, Decimal b) { return Decimal(a.micros_ - b.micros_); }

 private:
  constexpr explicit Decimal(std::int64_t micros) : micros_(micros) {}
  std::int64_t micros_ = 0;
};

}  // namespace xy

#endif  // XY_BASE_DECIMAL_H_
