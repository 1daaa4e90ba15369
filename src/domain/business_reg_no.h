// The 15-digit business registration number (工商注册号) of GS 15-2006, used before the unified
// social credit code: six digits of the registering authority's region (GB/T 2260, or 100000 for the
// national administration), one digit for the kind of enterprise, seven of sequence, and an ISO 7064
// MOD 11,10 check digit. Old 双公示 data carries it in 代码_2 / CF_XDR_GSZC.
//
// Rules in order: empty, length (15), charset (digits), region (a real province prefix, or 100000),
// check. Thread-safety: pure functions.

#ifndef XY_DOMAIN_BUSINESS_REG_NO_H_
#define XY_DOMAIN_BUSINESS_REG_NO_H_

#include <string_view>

#include "domain/check.h"
#include "domain/region.h"

namespace xy {

// The ISO 7064 MOD 11,10 check digit for 14 digits; '\0' when `first14` is not 14 digits.
char BusinessRegNoCheckChar(std::string_view first14);

CheckResult CheckBusinessRegNo(std::string_view input, CheckMode mode = CheckMode::kNormalize,
                               const RegionTable& regions = RegionTable::Default());

}  // namespace xy

#endif  // XY_DOMAIN_BUSINESS_REG_NO_H_
