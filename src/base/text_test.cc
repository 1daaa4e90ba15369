#include "base/text.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace xy {
namespace {

// U+FFFD REPLACEMENT CHARACTER in UTF-8: what every ill-formed byte sequence becomes.
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

struct Case {
  std::string_view name;
  std::string_view input;
  std::string_view want;
};

// ---------------------------------------------------------------------------------------------------
// NormalizeNfkc

TEST(TextTest, NfkcFoldsFullWidthAsciiAndCompatibilityForms) {
  const Case kCases[] = {
      {"empty", "", ""},
      {"ascii unchanged", "Hello, World 123", "Hello, World 123"},
      {"full-width digits", "０１２３４５６７８９", "0123456789"},
      {"full-width upper", "ＡＢＣＸＹＺ", "ABCXYZ"},
      {"full-width lower", "ａｂｃｘｙｚ", "abcxyz"},
      {"full-width brackets", "（北京）", "(北京)"},
      {"full-width hyphen-minus", "\uFF0D", "-"},
      {"ideographic space", "淮南\u3000寿县", "淮南 寿县"},
      {"no-break space", "a\u00A0b", "a b"},
      {"ligature", "\uFB01", "fi"},
      {"circled digit", "\u2460", "1"},
      {"half-width katakana", "\uFF76", "\u30AB"},
      {"decomposed e acute composes", "e\u0301", "\u00E9"},
      {"cjk unchanged", "安徽省淮南市寿县", "安徽省淮南市寿县"},
      // The BOM and zero-width space are not compatibility characters: NFKC keeps them (the
      // identifier normaliser removes them as separators).
      {"bom kept", "\uFEFFa", "\uFEFFa"},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(NormalizeNfkc(c.input), c.want) << c.name;
  }
}

TEST(TextTest, NfkcReplacesEachIllFormedSequenceWithFffd) {
  EXPECT_EQ(NormalizeNfkc("a\xFF"
                          "b"),
            "a" + std::string(kReplacement) + "b");
  EXPECT_EQ(NormalizeNfkc("\xC0\xAF"), std::string(kReplacement) + std::string(kReplacement));
  // A truncated three-byte sequence is one maximal ill-formed subpart: one replacement.
  EXPECT_EQ(NormalizeNfkc("\xE4\xB8"), std::string(kReplacement));
}

// ---------------------------------------------------------------------------------------------------
// NormalizeIdentifier

TEST(TextTest, FoldsFullWidthDigits) {
  EXPECT_EQ(NormalizeIdentifier("９１３４０４００ＭＡ２ＴＧＷ９１Ｘ８"), "91340400MA2TGW91X8");
  EXPECT_EQ(NormalizeIdentifier("１１０１０５１９４９１２３１００２Ｘ"), "11010519491231002X");
}

TEST(TextTest, IdentifierRemovesSeparatorsAndUpperCases) {
  const Case kCases[] = {
      {"empty", "", ""},
      {"already canonical", "91350200776049653A", "91350200776049653A"},
      {"lower case", "91350200776049653a", "91350200776049653A"},
      {"all lower letters", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
      {"full-width lower", "ｍａ２ｔｇｗ", "MA2TGW"},
      {"full-width mixed", "ＭａＸ", "MAX"},
      {"ascii space", "913 502 00", "91350200"},
      {"leading and trailing spaces", "  9135  ", "9135"},
      {"tab", "91\t35", "9135"},
      {"cr lf", "9135\r\n", "9135"},
      {"ideographic space", "91\u300035", "9135"},
      {"no-break space", "91\u00A035", "9135"},
      {"bom at start", "\uFEFF9135", "9135"},
      {"zero-width space", "91\u200B35", "9135"},
      {"soft hyphen", "91\u00AD35", "9135"},
      {"ascii hyphen", "77604965-3", "776049653"},
      {"hyphen U+2010", "91\u201035", "9135"},
      {"non-breaking hyphen U+2011", "91\u201135", "9135"},
      {"figure dash U+2012", "91\u201235", "9135"},
      {"en dash U+2013", "91\u201335", "9135"},
      {"em dash U+2014", "91\u201435", "9135"},
      {"horizontal bar U+2015", "91\u201535", "9135"},
      {"full-width hyphen-minus U+FF0D", "91\uFF0D35", "9135"},
      {"small hyphen-minus U+FE63", "91\uFE6335", "9135"},
      {"minus sign U+2212", "91\u221235", "9135"},
      {"dot", "91.35", "9135"},
      {"full-width dot", "91\uFF0E35", "9135"},
      {"slash", "91/35", "9135"},
      {"full-width slash", "91\uFF0F35", "9135"},
      {"underscore", "91_35", "9135"},
      {"middle dot", "91\u00B735", "9135"},
      {"katakana middle dot", "91\u30FB35", "9135"},
      {"hyphenation point", "91\u202735", "9135"},
      {"many separators together", " \uFEFF9-1.3/5_\u3000\u2014A\t", "9135A"},
      {"only separators", " -\u3000\u200B\t", ""},
      // Letters that are not separators stay, so the identifier check can report charset.
      {"cjk kept", "91寿县35", "91寿县35"},
      {"ascii punctuation kept", "91*35", "91*35"},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(NormalizeIdentifier(c.input), c.want) << c.name;
  }
}

TEST(TextTest, IdentifierKeepsReplacementCharacterForInvalidUtf8) {
  // The bad byte must survive as U+FFFD so that the check reports charset rather than silently
  // dropping it and accepting a corrupted code.
  EXPECT_EQ(NormalizeIdentifier("91\xFF"
                                "35"),
            "91" + std::string(kReplacement) + "35");
  EXPECT_EQ(NormalizeIdentifier("\x80"), std::string(kReplacement));
  EXPECT_EQ(NormalizeIdentifier("a\xE4\xB8"), "A" + std::string(kReplacement));
}

TEST(TextTest, IdentifierAsciiFastPathAgreesWithIcuPath) {
  // A leading zero-width space forces the ICU path and is itself removed, so both calls must give
  // the same result for every ASCII byte, alone and between two letters.
  for (int c = 0; c < 0x80; ++c) {
    std::string one(1, static_cast<char>(c));
    EXPECT_EQ(NormalizeIdentifier(one), NormalizeIdentifier("\u200B" + one)) << "byte " << c;
    std::string between = "a" + one + "b";
    EXPECT_EQ(NormalizeIdentifier(between), NormalizeIdentifier("\u200B" + between))
        << "byte " << c;
  }
}

// ---------------------------------------------------------------------------------------------------
// NormalizeName

TEST(TextTest, NameFoldsBracketsAndWhiteSpace) {
  const Case kCases[] = {
      {"empty", "", ""},
      {"plain", "淮南市寿县人民政府", "淮南市寿县人民政府"},
      {"full-width parentheses", "安徽某某有限公司（寿县分公司）", "安徽某某有限公司(寿县分公司)"},
      {"tortoise shell brackets", "淮府〔2024〕1号", "淮府(2024)1号"},
      {"black lenticular brackets", "【寿县】某某店", "(寿县)某某店"},
      {"white lenticular brackets", "\u3016寿县\u3017某某店", "(寿县)某某店"},
      {"full-width square brackets", "某某店［寿县］", "某某店(寿县)"},
      // NFKC makes ［］ and [] indistinguishable, so ASCII square brackets fold as well.
      {"ascii square brackets", "某某店[寿县]", "某某店(寿县)"},
      {"ascii parentheses unchanged", "ABC (China) Co., Ltd.", "ABC (China) Co., Ltd."},
      {"trimmed", "  淮南市  ", "淮南市"},
      {"space between two cjk removed", "淮南 市", "淮南市"},
      {"run of spaces between cjk removed", "淮南 \t\u3000 市", "淮南市"},
      {"space between latin words kept", "Huainan  City\tCo", "Huainan City Co"},
      {"space between cjk and latin kept", "淮南 ABC", "淮南 ABC"},
      {"space between latin and cjk kept", "ABC 淮南", "ABC 淮南"},
      {"full-width latin folded", "ＡＢＣ公司", "ABC公司"},
      {"newline folded", "Anhui\r\nCo", "Anhui Co"},
      {"bom and zero-width space dropped", "\uFEFF淮南\u200B市", "淮南市"},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(NormalizeName(c.input), c.want) << c.name;
  }
}

// ---------------------------------------------------------------------------------------------------
// FoldWhitespace

TEST(TextTest, FoldWhitespaceTrimsAndFoldsRuns) {
  const Case kCases[] = {
      {"empty", "", ""},
      {"only spaces", " \t\r\n ", ""},
      {"no change", "a b", "a b"},
      {"leading and trailing", "  a b  ", "a b"},
      {"inner run", "a \t\n\r b", "a b"},
      {"ideographic space", "淮南\u3000\u3000市", "淮南 市"},
      {"no-break space", "a\u00A0b", "a b"},
      // Only white space is touched: the zero-width space is a format character, not white space,
      // and CJK neighbours keep their space (that is NormalizeName's job).
      {"zero-width space kept", "a\u200Bb", "a\u200Bb"},
      {"cjk space kept", "淮南 市", "淮南 市"},
      {"full-width letters kept", "ＡＢ", "ＡＢ"},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(FoldWhitespace(c.input), c.want) << c.name;
  }
}

// ---------------------------------------------------------------------------------------------------
// CountCodePoints

TEST(TextTest, CountsCodePoints) {
  struct CountCase {
    std::string_view name;
    std::string_view input;
    std::size_t want;
  };
  const CountCase kCases[] = {
      {"empty", "", 0},
      {"ascii", "91350200776049653A", 18},
      {"embedded nul", std::string_view("a\0b", 3), 3},
      {"cjk", "安徽省淮南市", 6},
      {"full-width", "９１３５", 4},
      {"two-byte", "\u00E9\u00B7", 2},
      {"four-byte", "\U00020000\U0002A6D6", 2},
      {"mixed", "a淮\U00020000b", 4},
      {"lone invalid byte", "\xFF", 1},
      {"lone continuation byte", "\x80", 1},
      {"invalid bytes between ascii",
       "a\xFF\xFE"
       "b",
       4},
      // A truncated sequence is one maximal ill-formed subpart, counted once.
      {"truncated three-byte", "\xE4\xB8", 1},
      {"truncated then ascii",
       "\xE4\xB8"
       "a",
       2},
      {"truncated four-byte", "\xF0\xA0\x80", 1},
      // C0 can never start a well-formed sequence, so each byte is its own ill-formed subpart.
      {"overlong slash", "\xC0\xAF", 2},
      {"surrogate", "\xED\xA0\x80", 3},
  };
  for (const CountCase& c : kCases) {
    EXPECT_EQ(CountCodePoints(c.input), c.want) << c.name;
  }
}

TEST(TextTest, CountCodePointsMatchesReplacementCount) {
  // The header promises each ill-formed subsequence counts as its U+FFFD replacement would.
  const std::string_view kInputs[] = {
      "a\xFF"
      "b",
      "\xE4\xB8",
      "\xC0\xAF",
      "\xED\xA0\x80",
      "\xF4\x90\x80\x80",
      "x\xF0\xA0\x80y"};
  for (std::string_view in : kInputs) {
    std::string replaced = NormalizeNfkc(in);
    EXPECT_EQ(CountCodePoints(in), CountCodePoints(replaced)) << replaced;
  }
}

// ---------------------------------------------------------------------------------------------------
// IsValidUtf8

TEST(TextTest, ValidatesUtf8) {
  struct Utf8Case {
    std::string_view name;
    std::string_view input;
    bool want;
  };
  const Utf8Case kCases[] = {
      {"empty", "", true},
      {"ascii", "91350200776049653A", true},
      {"embedded nul", std::string_view("a\0b", 3), true},
      {"cjk", "安徽省", true},
      {"largest two-byte", "\xDF\xBF", true},
      {"largest three-byte before surrogates", "\xED\x9F\xBF", true},
      {"first after surrogates", "\xEE\x80\x80", true},
      {"U+FFFD itself", "\xEF\xBF\xBD", true},
      {"largest code point U+10FFFF", "\xF4\x8F\xBF\xBF", true},
      {"overlong two-byte slash", "\xC0\xAF", false},
      {"overlong two-byte C1", "\xC1\xBF", false},
      {"overlong three-byte", "\xE0\x80\xAF", false},
      {"overlong four-byte", "\xF0\x80\x80\xAF", false},
      {"high surrogate", "\xED\xA0\x80", false},
      {"low surrogate", "\xED\xBF\xBF", false},
      {"above U+10FFFF", "\xF4\x90\x80\x80", false},
      {"F5 lead byte", "\xF5\x80\x80\x80", false},
      {"FF byte", "\xFF", false},
      {"lone continuation", "\x80", false},
      {"truncated two-byte", "\xC3", false},
      {"truncated three-byte", "\xE4\xB8", false},
      {"truncated four-byte", "\xF0\xA0\x80", false},
      {"truncated then ascii",
       "\xE4\xB8"
       "a",
       false},
      {"valid then truncated", "安\xE5", false},
  };
  for (const Utf8Case& c : kCases) {
    EXPECT_EQ(IsValidUtf8(c.input), c.want) << c.name;
  }
}

}  // namespace
}  // namespace xy
