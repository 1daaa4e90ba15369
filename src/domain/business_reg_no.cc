#include "domain/business_reg_no.h"

#include "base/text.h"

namespace xy {

char BusinessRegNoCheckChar(std::string_view first14) {
  if (first14.size() < 14) return '\0';
  // ISO 7064 MOD 11,10 (a hybrid system): P starts at 10; for each digit, S = (P + d) mod 10 with
  // 0 read as 10, then P = 2S mod 11. The check digit makes the final S equal 1.
  int p = 10;
  for (int i = 0; i < 14; ++i) {
    char c = first14[i];
    if (c < '0' || c > '9') return '\0';
    int s = (p + (c - '0')) % 10;
    if (s == 0) s = 10;
    p = (2 * s) % 11;
  }
  return static_cast<char>('0' + (11 - p) % 10);
}

CheckResult CheckBusinessRegNo(std::string_view input, CheckMode mode,
                               const RegionTable& regions) {
  CheckResult r = PrepareIdentifier(input, mode);
  if (!r.valid()) return r;
  const std::string& s = r.canonical;
  if (s.size() != 15) {
    r.rule = CountCodePoints(s) == 15 ? CheckRule::kCharset : CheckRule::kLength;
    return r;
  }
  for (char c : s) {
    if (c < '0' || c > '9') {
      r.rule = CheckRule::kCharset;
      return r;
    }
  }
  if (s.compare(0, 6, "100000") != 0 && !regions.IsProvincePrefix((s[0] - '0') * 10 + (s[1] - '0'))) {
    r.rule = CheckRule::kRegion;
  } else if (BusinessRegNoCheckChar(s) != s[14]) {
    r.rule = CheckRule::kCheck;
  }
  return r;
}

}  // namespace xy
