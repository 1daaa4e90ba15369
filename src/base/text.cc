#include "base/text.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <utility>

namespace xy {
namespace {

const icu::Normalizer2& Nfkc() {
  // getNFKCInstance returns a process-wide singleton owned by ICU; it only fails when ICU's data is
  // missing, which is an installation fault we cannot recover from.
  static const icu::Normalizer2* const kNfkc = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status) || n == nullptr) std::abort();
    return n;
  }();
  return *kNfkc;
}

icu::UnicodeString NfkcUnicode(std::string_view utf8) {
  // fromUTF8 replaces each ill-formed sequence with U+FFFD.
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out = Nfkc().normalize(in, status);
  if (U_FAILURE(status)) return in;
  return out;
}

std::string ToUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

bool IsIdentifierSeparator(UChar32 c) {
  if (u_isUWhiteSpace(c)) return true;
  switch (u_charType(c)) {
    case U_DASH_PUNCTUATION:  // - ‐ ‑ ‒ – — ― ﹣ (NFKC has already folded －)
    case U_FORMAT_CHAR:       // U+FEFF BOM, U+200B zero-width space, soft hyphen
    case U_CONTROL_CHAR:      // tabs, stray CR
      return true;
    default:
      break;
  }
  switch (c) {
    case '.':
    case '/':
    case '_':
    case 0x00B7:  // · middle dot
    case 0x30FB:  // ・ katakana middle dot
    case 0x2027:  // ‧ hyphenation point
    case 0x2212:  // − minus sign (category Sm)
      return true;
    default:
      return false;
  }
}

bool IsAsciiSeparator(unsigned char c) {
  return c == ' ' || c == '-' || c == '.' || c == '/' || c == '_' || c < 0x20 || c == 0x7F;
}

bool IsCjk(UChar32 c) {
  return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x3FFFF) || (c >= 0x3000 && c <= 0x303F) ||
         (c >= 0xFF00 && c <= 0xFFEF);
}

// Runs after NFKC, which has already turned the full-width ［］ into ASCII []; so [] must be mapped
// here too, or ［寿县］ would stay a different name from （寿县）.
// Brackets inside Chinese names: "淮南 (寿县)" is a typo for "淮南(寿县)".
bool IsCjkOrBracket(UChar32 c) { return IsCjk(c) || c == '(' || c == ')'; }

UChar32 CanonicalBracket(UChar32 c) {
  switch (c) {
    case '[':
    case 0x3014:  // 〔
    case 0x3010:  // 【
    case 0x3016:  // 〖
      return '(';
    case ']':
    case 0x3015:  // 〕
    case 0x3011:  // 】
    case 0x3017:  // 〗
      return ')';
    default:
      return c;
  }
}

std::string NormalizeIdentifierOnce(std::string_view input) {
  bool ascii = true;
  for (unsigned char c : input) {
    if (c >= 0x80) {
      ascii = false;
      break;
    }
  }
  std::string out;
  out.reserve(input.size());
  if (ascii) {
    // NFKC is the identity on ASCII, so only separators and case remain.
    for (unsigned char c : input) {
      if (IsAsciiSeparator(c)) continue;
      out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : static_cast<char>(c));
    }
    return out;
  }
  icu::UnicodeString nfkc = NfkcUnicode(input);
  icu::UnicodeString kept;
  for (int32_t i = 0; i < nfkc.length();) {
    UChar32 c = nfkc.char32At(i);
    i += U16_LENGTH(c);
    if (IsIdentifierSeparator(c)) continue;
    if (c >= 'a' && c <= 'z') c = c - 'a' + 'A';
    kept.append(c);
  }
  return ToUtf8(kept);
}

std::string NormalizeNameOnce(std::string_view input) {
  icu::UnicodeString nfkc = NfkcUnicode(input);
  // First pass: canonical brackets, white space folded to single spaces, trimmed.
  std::u32string cps;
  bool pending_space = false;
  for (int32_t i = 0; i < nfkc.length();) {
    UChar32 c = nfkc.char32At(i);
    i += U16_LENGTH(c);
    if (u_isUWhiteSpace(c) || u_charType(c) == U_CONTROL_CHAR) {
      pending_space = !cps.empty();
      continue;
    }
    if (u_charType(c) == U_FORMAT_CHAR) continue;
    if (pending_space) {
      cps.push_back(U' ');
      pending_space = false;
    }
    cps.push_back(static_cast<char32_t>(CanonicalBracket(c)));
  }
  // Second pass: drop a space between two CJK characters.
  icu::UnicodeString out;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (cps[i] == U' ' && i > 0 && i + 1 < cps.size() &&
        IsCjkOrBracket(static_cast<UChar32>(cps[i - 1])) &&
        IsCjkOrBracket(static_cast<UChar32>(cps[i + 1])) &&
        (IsCjk(static_cast<UChar32>(cps[i - 1])) || IsCjk(static_cast<UChar32>(cps[i + 1])))) {
      continue;
    }
    out.append(static_cast<UChar32>(cps[i]));
  }
  return ToUtf8(out);
}

// Removing a separator can put a base letter next to a combining mark that NFKC then composes
// ("A-\u0301" → "A\u0301" → "Á"), so one pass is not always a fixed point. Repeat until it is;
// in practice the second pass already changes nothing.
template <typename Pass>
std::string UntilStable(std::string_view input, Pass pass) {
  std::string current = pass(input);
  for (int i = 0; i < 4; ++i) {
    std::string next = pass(current);
    if (next == current) break;
    current = std::move(next);
  }
  return current;
}

// One pass over UTF-8 bytes: true when well-formed (the same judgement as U8_NEXT: no overlongs, no
// surrogates, nothing above U+10FFFF). `code_points` receives the number of code points, and
// `unicode_space` whether one of the non-ASCII white space characters occurs (U+0085, U+00A0,
// U+1680, U+180E, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000); both are set only when the
// result is true.
bool ScanUtf8(std::string_view s, std::size_t& code_points, bool& unicode_space,
              bool* ascii_fold = nullptr) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t count = 0;
  bool space = false;
  bool fold = false;  // ASCII white space other than single inner spaces
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = b[i];
    if (c < 0x80) {
      if (c <= ' ' && c >= 0x09 && (c != ' ' || i == 0 || i + 1 == n || b[i - 1] == ' ') &&
          (c == ' ' || c <= 0x0D)) {
        fold = true;
      }
      ++i;
      ++count;
      continue;
    }
    // The common case in Chinese text: a lead byte E4–EC or EE–EF (no special second-byte range,
    // no listed white space) and two continuation bytes.
    if (c >= 0xE4 && c <= 0xEF && c != 0xED && i + 2 < n &&
        ((b[i + 1] & 0xC0) | ((b[i + 2] & 0xC0) >> 2)) == 0xA0) {
      i += 3;
      ++count;
      while (i + 2 < n) {  // the rest of a run of such characters
        unsigned char d = b[i];
        if (d < 0xE4 || d == 0xED || d > 0xEF ||
            ((b[i + 1] & 0xC0) | ((b[i + 2] & 0xC0) >> 2)) != 0xA0) {
          break;
        }
        i += 3;
        ++count;
      }
      continue;
    }
    if (c < 0xC2) return false;
    if (c < 0xE0) {
      if (i + 1 >= n || (b[i + 1] & 0xC0) != 0x80) return false;
      if (c == 0xC2 && (b[i + 1] == 0x85 || b[i + 1] == 0xA0)) space = true;
      i += 2;
      ++count;
      continue;
    }
    if (c < 0xF0) {
      if (i + 2 >= n) return false;
      unsigned char c1 = b[i + 1], c2 = b[i + 2];
      if ((c2 & 0xC0) != 0x80) return false;
      if (c == 0xE0) {
        if (c1 < 0xA0 || c1 > 0xBF) return false;
      } else if (c == 0xED) {
        if (c1 < 0x80 || c1 > 0x9F) return false;
      } else if ((c1 & 0xC0) != 0x80) {
        return false;
      }
      if (c == 0xE1) {
        if ((c1 == 0x9A && c2 == 0x80) || (c1 == 0xA0 && c2 == 0x8E)) space = true;
      } else if (c == 0xE2) {
        if ((c1 == 0x80 && (c2 <= 0x8A || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF)) ||
            (c1 == 0x81 && c2 == 0x9F)) {
          space = true;
        }
      } else if (c == 0xE3) {
        if (c1 == 0x80 && c2 == 0x80) space = true;
      }
      i += 3;
      ++count;
      continue;
    }
    if (c > 0xF4 || i + 3 >= n) return false;
    unsigned char c1 = b[i + 1];
    if (c == 0xF0) {
      if (c1 < 0x90 || c1 > 0xBF) return false;
    } else if (c == 0xF4) {
      if (c1 < 0x80 || c1 > 0x8F) return false;
    } else if ((c1 & 0xC0) != 0x80) {
      return false;
    }
    if ((b[i + 2] & 0xC0) != 0x80 || (b[i + 3] & 0xC0) != 0x80) return false;
    i += 4;
    ++count;
  }
  code_points = count;
  unicode_space = space;
  if (ascii_fold != nullptr) *ascii_fold = fold;
  return true;
}

bool IsAsciiSpace(unsigned char c) { return c == ' ' || (c >= 0x09 && c <= 0x0D); }

// The common case of a name: NFKC already, no white space, no control or format characters, no
// bracket to canonicalise. Such a name is its own canonical form, and ICU need not rebuild it.
bool NameIsCanonical(std::string_view s) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = b[i];
    if (c <= 0x20 || c == 0x7F || c == '[' || c == ']') return false;
    // Lead bytes of the ranges that need work: C2 (NBSP, soft hyphen, controls), E2 80/81 (spaces,
    // zero-width and format characters), E3 80 (U+3000 and the CJK brackets), EF (BOM, full width).
    if (c == 0xC2 || c == 0xEF) return false;
    if ((c == 0xE2 || c == 0xE3) && i + 1 < s.size() && (b[i + 1] == 0x80 || b[i + 1] == 0x81)) {
      return false;
    }
  }
  UErrorCode status = U_ZERO_ERROR;
  bool normalized =
      Nfkc().isNormalizedUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())), status);
  return U_SUCCESS(status) && normalized;
}

}  // namespace

std::vector<std::string_view> SplitView(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? s.npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::string NormalizeNfkc(std::string_view utf8) {
  for (unsigned char c : utf8) {
    if (c >= 0x80) return ToUtf8(NfkcUnicode(utf8));
  }
  return std::string(utf8);  // NFKC is the identity on ASCII
}

std::string NormalizeIdentifier(std::string_view input) {
  for (unsigned char c : input) {
    if (c >= 0x80) return UntilStable(input, NormalizeIdentifierOnce);
  }
  return NormalizeIdentifierOnce(input);  // ASCII: one pass is final
}

std::string NormalizeName(std::string_view input) {
  if (IsValidUtf8(input) && NameIsCanonical(input)) return std::string(input);
  return UntilStable(input, NormalizeNameOnce);
}

std::string FoldWhitespace(std::string_view input) {
  std::size_t code_points = 0;
  bool unicode_space = false;
  bool ascii_fold = false;
  if (ScanUtf8(input, code_points, unicode_space, &ascii_fold) && !unicode_space) {
    // Only ASCII white space to fold: work on the bytes (no UTF-8 sequence contains an ASCII byte).
    // Already folded (no white space but single inner spaces) is the common case: copy it whole.
    if (!ascii_fold) return std::string(input);
    std::string out;
    out.reserve(input.size());
    bool pending_space = false;
    for (unsigned char c : input) {
      if (IsAsciiSpace(c)) {
        pending_space = !out.empty();
        continue;
      }
      if (pending_space) {
        out += ' ';
        pending_space = false;
      }
      out += static_cast<char>(c);
    }
    return out;
  }
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(
      icu::StringPiece(input.data(), static_cast<int32_t>(input.size())));
  icu::UnicodeString out;
  bool pending_space = false;
  for (int32_t i = 0; i < in.length();) {
    UChar32 c = in.char32At(i);
    i += U16_LENGTH(c);
    if (u_isUWhiteSpace(c)) {
      pending_space = out.length() > 0;
      continue;
    }
    if (pending_space) {
      out.append(static_cast<UChar>(' '));
      pending_space = false;
    }
    out.append(c);
  }
  return ToUtf8(out);
}

std::size_t CountCodePoints(std::string_view utf8) {
  std::size_t count = 0;
  bool unicode_space = false;
  if (ScanUtf8(utf8, count, unicode_space)) return count;  // well-formed: one per sequence
  count = 0;
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  int32_t length = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);  // one code point, or one maximal ill-formed subpart
    ++count;
  }
  return count;
}

bool IsValidUtf8(std::string_view bytes) {
  std::size_t code_points = 0;
  bool unicode_space = false;
  return ScanUtf8(bytes, code_points, unicode_space);
}

}  // namespace xy
