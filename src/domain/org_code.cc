#include "domain/org_code.h"

#include "base/text.h"

namespace xy {
namespace {

int BodyValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

}  // namespace

char OrgCodeCheckChar(std::string_view body) {
  static constexpr int kWeights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
  if (body.size() != 8) return '\0';
  int sum = 0;
  for (int i = 0; i < 8; ++i) {
    int v = BodyValue(body[i]);
    if (v < 0) return '\0';
    sum += v * kWeights[i];
  }
  int c = 11 - sum % 11;
  if (c == 10) return 'X';
  if (c == 11) return '0';
  return static_cast<char>('0' + c);
}

CheckResult CheckOrgCode(std::string_view input, CheckMode mode) {
  CheckResult r = PrepareIdentifier(input, mode);
  if (!r.valid()) return r;
  const std::string& s = r.canonical;
  if (CountCodePoints(s) != 9) {
    r.rule = CheckRule::kLength;
  } else if (s.size() != 9 || OrgCodeCheckChar(s.substr(0, 8)) == '\0' ||
             !((s[8] >= '0' && s[8] <= '9') || s[8] == 'X')) {
    r.rule = CheckRule::kCharset;
  } else if (OrgCodeCheckChar(s.substr(0, 8)) != s[8]) {
    r.rule = CheckRule::kCheck;
  }
  return r;
}

}  // namespace xy
