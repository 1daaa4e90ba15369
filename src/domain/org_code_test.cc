// GB 11714 organisation code tests live in uscc_test.cc (OrgCodeTest), beside the USCC positions
// 9–17 that use the same check; this file keeps the one-test-file-per-source layout.
#include "domain/org_code.h"

#include <gtest/gtest.h>

namespace xy {
namespace {

TEST(OrgCodeTest, KnownCodesFromCertificates) {
  // Positions 9-17 of published valid USCCs are valid organisation codes.
  for (std::string_view uscc : {"91350100M000100Y43", "9135010557098120XJ", "914403001922038216",
                                "91110108795101314G"}) {
    EXPECT_EQ(CheckOrgCode(uscc.substr(8, 9), CheckMode::kStrict).reason(), "ok") << uscc;
  }
}

}  // namespace
}  // namespace xy
