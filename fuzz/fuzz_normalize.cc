// Fuzzes the text normalisation in base/text.h: NormalizeIdentifier, NormalizeName, FoldWhitespace,
// CountCodePoints and IsValidUtf8. Each is checked against a property of its contract (idempotent,
// valid UTF-8 out, no separators left) or against an independent implementation (a plain UTF-8
// decoder, ICU's own code point count, the ICU path against the ASCII fast path).

#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/text.h"
#include "fuzz_check.h"

namespace xy {
namespace {

// A straightforward decoder written from RFC 3629, to hold IsValidUtf8 (built on ICU's U8_NEXT) to.
bool ReferenceValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n;
    std::uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i - 1 < n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = cp << 6 | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

icu::UnicodeString FromUtf8(std::string_view s) {
  return icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
}

void CheckIdentifier(std::string_view input) {
  std::string once = NormalizeIdentifier(input);
  XY_FUZZ_CHECK(IsValidUtf8(once));
  XY_FUZZ_CHECK(NormalizeIdentifier(once) == once);
  for (unsigned char c : once) {
    XY_FUZZ_CHECK(!(c >= 'a' && c <= 'z'));
    XY_FUZZ_CHECK(c > 0x20 && c != 0x7F && c != '-' && c != '.' && c != '/' && c != '_');
  }
  icu::UnicodeString u = FromUtf8(once);
  for (int32_t i = 0; i < u.length();) {
    UChar32 c = u.char32At(i);
    i += U16_LENGTH(c);
    XY_FUZZ_CHECK(!u_isUWhiteSpace(c) && u_charType(c) != U_FORMAT_CHAR &&
                  u_charType(c) != U_DASH_PUNCTUATION);
  }
  // A trailing no-break space is a separator (NFKC makes it a space) that sends any input down the
  // ICU path; the answer must not depend on the path taken.
  XY_FUZZ_CHECK(NormalizeIdentifier(std::string(input) + "\u00A0") == once);
  if (IsValidUtf8(input)) XY_FUZZ_CHECK(NormalizeIdentifier("\u3000" + std::string(input)) == once);
}

void CheckName(std::string_view input) {
  std::string once = NormalizeName(input);
  XY_FUZZ_CHECK(IsValidUtf8(once));
  XY_FUZZ_CHECK(NormalizeName(once) == once);
  XY_FUZZ_CHECK(once.empty() || (once.front() != ' ' && once.back() != ' '));
  XY_FUZZ_CHECK(once.find("  ") == std::string::npos);
  // In printable ASCII without spaces only the square brackets change (［］ and [] become ()).
  bool printable = true;
  std::string bracketed(input);
  for (char& c : bracketed) {
    printable = printable && c > 0x20 && c < 0x7F;
    if (c == '[') c = '(';
    if (c == ']') c = ')';
  }
  if (printable) XY_FUZZ_CHECK(once == bracketed);
}

void CheckFold(std::string_view input) {
  std::string once = FoldWhitespace(input);
  XY_FUZZ_CHECK(IsValidUtf8(once));
  XY_FUZZ_CHECK(FoldWhitespace(once) == once);
  XY_FUZZ_CHECK(once.empty() || (once.front() != ' ' && once.back() != ' '));
  XY_FUZZ_CHECK(once.find("  ") == std::string::npos);
  icu::UnicodeString u = FromUtf8(once);
  for (int32_t i = 0; i < u.length();) {
    UChar32 c = u.char32At(i);
    i += U16_LENGTH(c);
    XY_FUZZ_CHECK(c == ' ' || !u_isUWhiteSpace(c));
  }
  // Folding only touches white space: valid text without any comes back unchanged.
  bool has_space = false;
  icu::UnicodeString in = FromUtf8(input);
  for (int32_t i = 0; i < in.length();) {
    UChar32 c = in.char32At(i);
    i += U16_LENGTH(c);
    has_space = has_space || u_isUWhiteSpace(c);
  }
  if (!has_space && IsValidUtf8(input)) XY_FUZZ_CHECK(once == input);
}

void CheckUtf8(std::string_view input) {
  bool valid = IsValidUtf8(input);
  XY_FUZZ_CHECK(valid == ReferenceValidUtf8(input));

  std::size_t count = CountCodePoints(input);
  XY_FUZZ_CHECK(count <= input.size());
  XY_FUZZ_CHECK((count == 0) == input.empty());
  if (IsAscii(input)) XY_FUZZ_CHECK(count == input.size());
  if (valid) {
    std::size_t leads = 0;
    for (unsigned char c : input) leads += (c & 0xC0) != 0x80;
    XY_FUZZ_CHECK(count == leads);
  }
  // The documented count is that of the text after ICU's U+FFFD replacement of ill-formed parts.
  XY_FUZZ_CHECK(static_cast<std::size_t>(FromUtf8(input).countChar32()) == count);
}

}  // namespace
}  // namespace xy

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xy;
  // Every function here is linear, but NFKC can expand a character eighteen-fold; 64 KiB is far
  // beyond any field while keeping each run quick.
  if (size > 65536) return 0;
  std::string_view input = fuzz::AsView(data, size);
  CheckUtf8(input);
  CheckIdentifier(input);
  CheckName(input);
  CheckFold(input);
  return 0;
}
