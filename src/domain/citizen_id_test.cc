#include "domain/citizen_id.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace xy {
namespace {

using ::testing::HasSubstr;

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

const FixedClock kClock(D(2026, 11, 28));

TEST(CitizenIdTest, ReportsTheFirstFailingRuleInOrder) {
  struct Case {
    std::string input;
    CheckMode mode;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"11010519491231002X", CheckMode::kStrict, "ok"},  // GB 11643's own example
      {"11010519491231002x", CheckMode::kNormalize, "normalized"},
      {"11010519491231002x", CheckMode::kStrict, "charset"},
      {"110105 19491231 002X", CheckMode::kNormalize, "normalized"},
      {"", CheckMode::kNormalize, "empty"},
      {"1101051949123100", CheckMode::kNormalize, "length"},
      {"110105194912310", CheckMode::kNormalize, "length"},  // first generation
      {"11010519491231002Y", CheckMode::kNormalize, "charset"},
      {"X10105194912310021", CheckMode::kNormalize, "charset"},
      {"１１０１０５１９４９１２３１００２Ｘ", CheckMode::kStrict, "charset"},
      {"990105194912310021", CheckMode::kNormalize, "region"},
      {"340404202602300011", CheckMode::kNormalize, "birthdate"},  // 30 February
      {"340404202612010011", CheckMode::kNormalize, "birthdate"},  // after today (2026-11-28)
      {"340404184912310011", CheckMode::kNormalize, "birthdate"},  // before 1850
      {"110105194912310021", CheckMode::kNormalize, "check"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CheckCitizenId(c.input, kClock, c.mode).reason(), c.reason) << c.input;
  }
}

TEST(CitizenIdTest, BirthdateUsesTheInjectedClock) {
  std::string first17 = "34040420261128001";
  std::string id = first17 + CitizenIdCheckChar(first17);
  EXPECT_EQ(CheckCitizenId(id, FixedClock(D(2026, 11, 28))).reason(), "ok");  // born today
  EXPECT_EQ(CheckCitizenId(id, FixedClock(D(2026, 11, 27))).reason(), "birthdate");
}

TEST(CitizenIdTest, HistoricAndResidencePermitRegionsAreAccepted) {
  for (std::string first17 : {"44052418800101001",    // 潮阳县, 1983-1993 only
                              "81000019980902013",    // Hong Kong residents' permit
                              "83000020020906006"}) {  // Taiwan residents' permit
    std::string id = first17 + CitizenIdCheckChar(first17);
    EXPECT_EQ(CheckCitizenId(id, kClock).reason(), "ok") << id;
  }
}

TEST(CitizenIdTest, ParseExposesPartsAndMasks) {
  Result<CitizenId> id = CitizenId::Parse("11010519491231002x", kClock);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->str(), "11010519491231002X");
  EXPECT_EQ(id->region_code(), 110105);
  EXPECT_EQ(id->birth_date(), D(1949, 12, 31));
  EXPECT_FALSE(id->male());  // 17th digit 2: even
  EXPECT_EQ(id->Masked(), "110105********002X");
}

TEST(CitizenIdTest, ParseErrorsSayWhatIsWrong) {
  Result<CitizenId> short_id = CitizenId::Parse("110105194912310", kClock);
  ASSERT_FALSE(short_id.has_value());
  EXPECT_EQ(short_id.error().reason, "id.length");
  EXPECT_THAT(short_id.error().message_zh, HasSubstr("第一代15位身份证号码已停止使用"));
  Result<CitizenId> bad = CitizenId::Parse("110105194912310021", kClock);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().reason, "id.check");
  EXPECT_THAT(bad.error().message, HasSubstr("is '1', expected 'X'"));
  Result<CitizenId> future = CitizenId::Parse("340404202612010011", kClock);
  EXPECT_THAT(future.error().message_zh, HasSubstr("出生日期“20261201”无效或晚于今天"));
}

std::vector<std::string> RandomValidIds(int n) {
  std::mt19937 rng(11643);
  const int regions[] = {340402, 340403, 340404, 340421, 340422, 110105, 342422, 810000};
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    Date birth = FromDayNumber(-25000 + static_cast<int>(rng() % 45000));  // 1901 … 2025
    char buf[32];
    std::snprintf(buf, sizeof buf, "%06d%04d%02u%02u%03u", regions[rng() % 8],
                  static_cast<int>(birth.year()), static_cast<unsigned>(birth.month()),
                  static_cast<unsigned>(birth.day()), static_cast<unsigned>(rng() % 1000));
    std::string first17(buf);
    out.push_back(first17 + CitizenIdCheckChar(first17));
  }
  return out;
}

TEST(CitizenIdPropertyTest, RandomValidNumbersAreValid) {
  for (const std::string& id : RandomValidIds(2000)) {
    EXPECT_EQ(CheckCitizenId(id, kClock, CheckMode::kStrict).reason(), "ok") << id;
  }
}

TEST(CitizenIdPropertyTest, EverySingleSubstitutionAndAdjacentTranspositionIsInvalid) {
  for (const std::string& id : RandomValidIds(300)) {
    for (std::size_t i = 0; i < id.size(); ++i) {
      for (char c : std::string("0123456789X")) {
        if (c == id[i]) continue;
        std::string changed = id;
        changed[i] = c;
        EXPECT_FALSE(CheckCitizenId(changed, kClock, CheckMode::kStrict).valid()) << changed;
      }
      if (i + 1 < id.size() && id[i] != id[i + 1]) {
        std::string swapped = id;
        std::swap(swapped[i], swapped[i + 1]);
        EXPECT_FALSE(CheckCitizenId(swapped, kClock, CheckMode::kStrict).valid()) << swapped;
      }
    }
  }
}

}  // namespace
}  // namespace xy
