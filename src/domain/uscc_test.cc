#include "domain/uscc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "domain/org_code.h"

namespace xy {
namespace {

using ::testing::HasSubstr;

// A real, published valid code (the standard's own example).
constexpr std::string_view kValid = "91350100M000100Y43";

struct ReasonCase {
  std::string input;
  CheckMode mode;
  std::string reason;
  std::string why;
};

TEST(UsccTest, ReportsTheFirstFailingRuleInOrder) {
  const std::vector<ReasonCase> cases = {
      {"91350100M000100Y43", CheckMode::kStrict, "ok", "the GB 32100 example"},
      {"91350100M000100Y43", CheckMode::kNormalize, "ok", "already canonical"},
      {"", CheckMode::kNormalize, "empty", "empty line"},
      {"", CheckMode::kStrict, "empty", "empty line"},
      {" - \t", CheckMode::kNormalize, "empty", "only separators"},
      {"91350100M000100Y4", CheckMode::kNormalize, "length", "17 characters"},
      {"91350100M000100Y433", CheckMode::kNormalize, "length", "19 characters"},
      {"91 350100 M000100Y43", CheckMode::kStrict, "charset",
       "strict: a separator needs normalising, whatever it does to the length"},
      {"91350100M000100Y433 ", CheckMode::kStrict, "charset", "a trailing space, 20 characters"},
      {"91350100M000100Y433", CheckMode::kStrict, "length", "19 characters, nothing to normalise"},
      {"91350100M000100Y4O", CheckMode::kNormalize, "charset", "O is not in the alphabet"},
      {"91350100M000100Y4I", CheckMode::kNormalize, "charset", "I"},
      {"9135010OM000100Y43", CheckMode::kNormalize, "charset", "O before the region check"},
      {"91350100M000100y43", CheckMode::kStrict, "charset", "lower case needs normalising"},
      {"９１３５０１００Ｍ０００１００Ｙ４３", CheckMode::kStrict, "charset",
       "full width: 18 characters, none ASCII"},
      {"91350100M000100Y4\xff", CheckMode::kNormalize, "charset", "a stray byte"},
      {"01350100M000100Y43", CheckMode::kNormalize, "authority", "authority 0 does not exist"},
      {"94350100M000100Y43", CheckMode::kNormalize, "authority", "9 has only categories 1-3"},
      {"54350100M000100Y43", CheckMode::kNormalize, "authority",
       "54 is not in table 2 (reported for 村委会; unverified, not listed)"},
      {"91A50100M000100Y43", CheckMode::kNormalize, "region", "a letter in positions 3-8"},
      {"91990100M000100Y43", CheckMode::kNormalize, "region", "99 is no province"},
      {"91000000M000100Y43", CheckMode::kNormalize, "region", "00 is no province"},
      {"91350100M000100Y53", CheckMode::kNormalize, "org-check", "position 17 should be 4"},
      {"91350100M000100Y4A", CheckMode::kNormalize, "check", "position 18 should be 3"},
      {"91350100m000100y43", CheckMode::kNormalize, "normalized", "lower case folded"},
      {"９１３５０１００Ｍ０００１００Ｙ４３", CheckMode::kNormalize, "normalized", "full width"},
      {"\xEF\xBB\xBF" "91350100M000100Y43", CheckMode::kNormalize, "normalized", "a UTF-8 BOM"},
      {"9135-0100-M000-100Y-43", CheckMode::kNormalize, "normalized", "hyphen groups"},
      {"9135\xE2\x80\x94" "0100M000100Y43", CheckMode::kNormalize, "normalized", "an em dash"},
      {"91350100M000100Y43\r", CheckMode::kNormalize, "normalized", "a stray CR"},
  };
  for (const ReasonCase& c : cases) {
    EXPECT_EQ(CheckUscc(c.input, c.mode).reason(), c.reason)
        << c.why << " [" << c.input << "]";
  }
}

TEST(UsccTest, NationalLevelRegion100000IsAccepted) {
  Result<Uscc> code = Uscc::Make('1', '1', "100000", "00001318");
  ASSERT_TRUE(code.has_value()) << code.error().ToString();
  EXPECT_EQ(CheckUscc(code->str()).reason(), "ok");
  EXPECT_EQ(DescribeUscc(*code).region_name, "国家");
}

TEST(UsccTest, OverLongInputIsALengthProblemWithoutNormalising) {
  std::string huge(kMaxIdentifierInputBytes + 1, ' ');
  huge += kValid;
  CheckResult r = CheckUscc(huge);
  EXPECT_EQ(r.reason(), "length");
  EXPECT_THAT(UsccCheckError(r).message, HasSubstr("longer than 4096 bytes"));
  // Just under the cap, the separators are removed as usual.
  std::string fits(kMaxIdentifierInputBytes - kValid.size(), ' ');
  fits += kValid;
  EXPECT_EQ(CheckUscc(fits).reason(), "normalized");
}

TEST(UsccTest, CheckCharacterWrapsZeroNotThirtyOne) {
  // cn-validator#2: a check that should be 0 was computed as 31. Find a body whose check is '0'.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> digit(0, 9);
  for (int tries = 0; tries < 100000; ++tries) {
    std::string body;
    for (int i = 0; i < 8; ++i) body += static_cast<char>('0' + digit(rng));
    Result<Uscc> code = Uscc::Make('9', '1', "340400", body);
    ASSERT_TRUE(code.has_value());
    if (code->check_char() == '0') {
      EXPECT_EQ(CheckUscc(code->str()).reason(), "ok");
      return;
    }
  }
  FAIL() << "no code with check character 0 found";
}

TEST(UsccTest, ParseGivesActionableMessages) {
  struct MessageCase {
    std::string input;
    std::string reason;
    std::string en;
    std::string zh;
  };
  const std::vector<MessageCase> cases = {
      {"", "uscc.empty", "empty", "统一社会信用代码为空"},
      {"9135", "uscc.length", "has 18 characters, this one has 4", "应为18位，实际为4位"},
      {"91350100M000100Y4O", "uscc.charset", "'O' at position 18", "第18位字符“O”"},
      {"91350100M0001中0Y43", "uscc.charset", "'中' at position 14", "第14位字符“中”"},
      {"94350100M000100Y43", "uscc.authority", "'94'", "“94”不符合GB 32100表2"},
      {"91990100M000100Y43", "uscc.region", "'990100'", "“990100”无效"},
      {"91350100M000100Y53", "uscc.org-check", "position 17 should be '4'", "第17位应为“4”"},
      {"91350100M000100Y4A", "uscc.check", "is 'A', expected '3'", "第18位校验码为“A”，应为“3”"},
  };
  for (const MessageCase& c : cases) {
    Result<Uscc> r = Uscc::Parse(c.input);
    ASSERT_FALSE(r.has_value()) << c.input;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().reason, c.reason) << c.input;
    EXPECT_THAT(r.error().message, HasSubstr(c.en)) << c.input;
    EXPECT_THAT(r.error().message_zh, HasSubstr(c.zh)) << c.input;
  }
}

TEST(UsccTest, ParseKeepsTheCanonicalForm) {
  Result<Uscc> code = Uscc::Parse("９１３５０１００ｍ０００１００ｙ４３");
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(code->str(), kValid);
  EXPECT_EQ(code->authority(), '9');
  EXPECT_EQ(code->category(), '1');
  EXPECT_EQ(code->region(), "350100");
  EXPECT_EQ(code->org_code(), "M000100Y4");
  EXPECT_EQ(code->check_char(), '3');
  EXPECT_FALSE(Uscc::Parse("９１３５０１００ｍ０００１００ｙ４３", CheckMode::kStrict).has_value());
}

TEST(UsccTest, DescribeDecodesEveryPart) {
  Result<Uscc> code = Uscc::Make('9', '2', "340422", "MA2TXY7C");
  ASSERT_TRUE(code.has_value()) << code.error().ToString();
  UsccInfo info = DescribeUscc(*code);
  EXPECT_EQ(info.authority_name, "工商（市场监管）");
  EXPECT_EQ(info.category_name, "个体工商户");
  EXPECT_EQ(info.region_code, "340422");
  EXPECT_EQ(info.region_name, "安徽省/淮南市/寿县");
  EXPECT_TRUE(info.region_current);
  EXPECT_EQ(info.org_code.substr(0, 8), "MA2TXY7C");

  // A retired region code (六安地区's 寿县 before 2000) still decodes, marked not current.
  Result<Uscc> old = Uscc::Make('9', '1', "342422", "12345678");
  ASSERT_TRUE(old.has_value());
  UsccInfo old_info = DescribeUscc(*old);
  EXPECT_EQ(old_info.region_name, "安徽省/六安地区/寿县");
  EXPECT_FALSE(old_info.region_current);
}

TEST(UsccTest, AuthorityTableHasEveryPairOfTable2) {
  // GB 32100 table 2 as DOMAIN.md §2.3 lists it: 36 legal pairs.
  const std::string legal =
      "11 12 13 19 21 29 31 32 33 34 35 39 41 49 51 52 53 59 61 62 69 71 72 79 81 89 91 92 93 "
      "A1 A9 N1 N2 N3 N9 Y1";
  const AuthorityTable& table = AuthorityTable::Default();
  EXPECT_EQ(table.pairs().size(), 36u);
  for (std::size_t i = 0; i < legal.size(); i += 3) {
    EXPECT_TRUE(table.Allowed(legal[i], legal[i + 1])) << legal.substr(i, 2);
  }
  const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  int allowed = 0;
  for (char a : alphabet) {
    for (char c : alphabet) allowed += table.Allowed(a, c);
  }
  EXPECT_EQ(allowed, 36);
  EXPECT_EQ(table.Find('5', '3')->category_name, "基金会");
  EXPECT_EQ(table.Find('5', '4'), nullptr);
}

TEST(UsccTest, AuthorityTableParseErrorsNameTheLine) {
  Result<AuthorityTable> dup = AuthorityTable::Parse("# c\n9\tx\t1\ty\n9\tx\t1\ty\n");
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().reason, "authority.parse");
  EXPECT_THAT(dup.error().message, HasSubstr("line 3: duplicate pair 91"));
  Result<AuthorityTable> bad = AuthorityTable::Parse("9\tx\tI\ty\n");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message, HasSubstr("line 1"));
  EXPECT_FALSE(AuthorityTable::Parse("# only comments\n").has_value());
}

// ---- Properties over random valid codes. ----

class UsccPropertyTest : public ::testing::Test {
 protected:
  // Random valid codes: a legal authority pair, a real county or prefecture code, a random body.
  std::vector<std::string> RandomValidCodes(int n) {
    std::mt19937 rng(20260101);
    const auto& pairs = AuthorityTable::Default().pairs();
    std::vector<int> regions;
    for (int code : {340400, 340402, 340403, 340404, 340405, 340406, 340421, 340422, 110101,
                     440305, 650102, 100000}) {
      regions.push_back(code);
    }
    const std::string body_chars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      const auto& pair = pairs[rng() % pairs.size()];
      std::string body;
      for (int k = 0; k < 8; ++k) body += body_chars[rng() % body_chars.size()];
      Result<Uscc> code = Uscc::Make(pair.authority, pair.category,
                                     std::to_string(regions[rng() % regions.size()]), body);
      EXPECT_TRUE(code.has_value());
      if (code) out.emplace_back(code->str());
    }
    return out;
  }
};

TEST_F(UsccPropertyTest, RandomValidCodesAreValid) {
  for (const std::string& code : RandomValidCodes(2000)) {
    EXPECT_EQ(CheckUscc(code, CheckMode::kStrict).reason(), "ok") << code;
    EXPECT_EQ(CheckUsccStrict(code), CheckRule::kOk) << code;
  }
}

TEST_F(UsccPropertyTest, EverySingleSubstitutionIsInvalid) {
  // Any printable ASCII in place of any one character, read strictly.
  for (const std::string& code : RandomValidCodes(60)) {
    for (std::size_t i = 0; i < code.size(); ++i) {
      for (char c = 0x21; c < 0x7F; ++c) {
        if (c == code[i]) continue;
        std::string changed = code;
        changed[i] = c;
        EXPECT_NE(CheckUsccStrict(changed), CheckRule::kOk) << code << " -> " << changed;
      }
    }
  }
}

TEST_F(UsccPropertyTest, EveryAdjacentTranspositionIsInvalid) {
  for (const std::string& code : RandomValidCodes(2000)) {
    for (std::size_t i = 0; i + 1 < code.size(); ++i) {
      if (code[i] == code[i + 1]) continue;
      std::string swapped = code;
      std::swap(swapped[i], swapped[i + 1]);
      EXPECT_NE(CheckUsccStrict(swapped), CheckRule::kOk) << code << " -> " << swapped;
    }
  }
}

TEST(OrgCodeTest, Gb11714CheckAndRules) {
  EXPECT_EQ(OrgCodeCheckChar("M000100Y"), '4');
  EXPECT_EQ(OrgCodeCheckChar("5JLR20JR"), '1');  // Σ = 747, 747 mod 11 = 10, 11 − 10 = 1
  EXPECT_EQ(OrgCodeCheckChar("00000006"), 'X');  // Σ = 12, 11 − 1 = 10, written X
  EXPECT_EQ(OrgCodeCheckChar("00000000"), '0');  // Σ = 0, 11 − 0 = 11, written 0
  EXPECT_EQ(OrgCodeCheckChar("short"), '\0');
  EXPECT_EQ(OrgCodeCheckChar("M000100y"), '\0');
  EXPECT_EQ(CheckOrgCode("M000100Y4").reason(), "ok");
  EXPECT_EQ(CheckOrgCode("M000100Y-4").reason(), "normalized");
  EXPECT_EQ(CheckOrgCode("m000100y4", CheckMode::kStrict).reason(), "charset");
  EXPECT_EQ(CheckOrgCode("M000100Y5").reason(), "check");
  EXPECT_EQ(CheckOrgCode("M000100YA").reason(), "charset");
  EXPECT_EQ(CheckOrgCode("M000100Y").reason(), "length");
  EXPECT_EQ(CheckOrgCode("").reason(), "empty");
}

}  // namespace
}  // namespace xy
