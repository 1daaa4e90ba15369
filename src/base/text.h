// Text normalisation for identifiers and names (Unicode via ICU).
//
// Data arrives from department spreadsheets, Windows exports and phone keyboards: full-width digits and
// letters, ideographic spaces, byte-order marks, hyphens of every width, brackets in two widths inside
// organisation names. These functions fold all of that into one canonical form so that equal things
// compare equal. Input that is not valid UTF-8 is never rejected here: each bad byte becomes U+FFFD,
// which no identifier alphabet contains, so the caller reports it as a charset problem.
//
// Thread-safety: all functions are thread-safe (ICU's normaliser instance is immutable).

#ifndef XY_BASE_TEXT_H_
#define XY_BASE_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace xy {

// Unicode NFKC (compatibility composition): full-width ASCII → ASCII, （） → (), U+3000 → space, ….
std::string NormalizeNfkc(std::string_view utf8);

// The canonical form of a typed or pasted identifier (USCC, ID number, organisation code): NFKC, then
// every separator removed anywhere (white space, dashes and hyphens of any width, format characters
// such as the BOM and zero-width space, control characters, and the dots, middle dots, slashes and
// underscores people type between groups), then ASCII letters upper-cased. Pure-ASCII input takes a
// fast path without ICU.
std::string NormalizeIdentifier(std::string_view input);

// The canonical form of an organisation or person's name: NFKC (which also turns the full-width
// brackets （） into ()), other bracket forms 〔〕【】［］ into () as well, white space trimmed and
// runs of it folded into one ASCII space, and the space removed where both neighbours are CJK (people
// type "淮南 市" by accident; Chinese names have no inner spaces).
std::string NormalizeName(std::string_view input);

// Splits `s` at every `sep`: "a\tb\t" → {"a", "b", ""}. The views point into `s`.
std::vector<std::string_view> SplitView(std::string_view s, char sep);

// Trims leading and trailing white space and folds inner runs into one ASCII space.
std::string FoldWhitespace(std::string_view input);

// Number of code points, counting each ill-formed subsequence as one (as its U+FFFD replacement
// would be). REQUIRES: utf8.size() < 2^31 (callers cap their input well below that).
std::size_t CountCodePoints(std::string_view utf8);

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

}  // namespace xy

#endif  // XY_BASE_TEXT_H_
