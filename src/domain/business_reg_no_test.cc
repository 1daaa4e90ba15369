#include "domain/business_reg_no.h"

#include <gtest/gtest.h>

#include <random>

namespace xy {
namespace {

// ISO 7064 MOD 11,10 written as the standard's recursive definition, to check the implementation
// against: a number is valid when the last intermediate S equals 1.
bool ReferenceValid(const std::string& digits) {
  int p = 10;
  int s = 0;
  for (char c : digits) {
    s = (p + (c - '0')) % 10;
    if (s == 0) s = 10;
    p = (s * 2) % 11;
  }
  return s == 1;
}

TEST(BusinessRegNoTest, RulesInOrder) {
  std::string first14 = "34040000000012";
  std::string valid = first14 + BusinessRegNoCheckChar(first14);
  ASSERT_TRUE(ReferenceValid(valid));
  EXPECT_EQ(CheckBusinessRegNo(valid).reason(), "ok");
  EXPECT_EQ(CheckBusinessRegNo(valid.substr(0, 6) + " " + valid.substr(6)).reason(), "normalized");
  EXPECT_EQ(CheckBusinessRegNo("").reason(), "empty");
  EXPECT_EQ(CheckBusinessRegNo("3404000000001").reason(), "length");
  EXPECT_EQ(CheckBusinessRegNo("34040000000001A").reason(), "charset");
  EXPECT_EQ(CheckBusinessRegNo("990400000000012").reason(), "region");
  std::string national = "10000000000001";
  EXPECT_EQ(CheckBusinessRegNo(national + BusinessRegNoCheckChar(national)).reason(), "ok");
  std::string wrong = valid;
  wrong[14] = static_cast<char>('0' + (wrong[14] - '0' + 1) % 10);
  EXPECT_EQ(CheckBusinessRegNo(wrong).reason(), "check");
}

TEST(BusinessRegNoTest, CheckDigitAgreesWithTheReferenceEverywhere) {
  std::mt19937 rng(15);
  for (int i = 0; i < 5000; ++i) {
    std::string first14 = "340404";
    for (int k = 0; k < 8; ++k) first14 += static_cast<char>('0' + rng() % 10);
    char check = BusinessRegNoCheckChar(first14);
    EXPECT_TRUE(ReferenceValid(first14 + check)) << first14 << check;
    // Exactly one check digit makes the number valid.
    int valid_digits = 0;
    for (char c = '0'; c <= '9'; ++c) valid_digits += ReferenceValid(first14 + c);
    EXPECT_EQ(valid_digits, 1);
  }
}

}  // namespace
}  // namespace xy
