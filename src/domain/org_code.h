// Organisation code (组织机构代码), GB 11714-1997: eight body characters (0-9, A-Z) and a check
// character (0-9 or X), written "MA1K35Y3-8" on old certificates. Positions 9–17 of every unified
// social credit code are such a code, so the USCC check uses the same arithmetic.
//
// Thread-safety: pure functions.

#ifndef XY_DOMAIN_ORG_CODE_H_
#define XY_DOMAIN_ORG_CODE_H_

#include <string_view>

#include "domain/check.h"

namespace xy {

// The GB 11714 check character for an eight-character body: weights 3 7 9 10 5 8 4 2 over character
// values (0-9, A=10 … Z=35); C9 = 11 − (Σ mod 11), with 10 written 'X' and 11 written '0'.
// Returns '\0' when `body` is not eight characters of 0-9 / A-Z.
char OrgCodeCheckChar(std::string_view body);

// Rules in order: empty, length (9 characters), charset (body 0-9 A-Z, check 0-9 X), check.
CheckResult CheckOrgCode(std::string_view input, CheckMode mode = CheckMode::kNormalize);

}  // namespace xy

#endif  // XY_DOMAIN_ORG_CODE_H_
