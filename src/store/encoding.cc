#include "store/encoding.h"

#include <array>
#include <bit>
#include <cstring>
#include <string>

namespace xy {
namespace {

// Bytes that must be escaped inside a JSON string: the quote, the backslash, the C0 controls.
constexpr auto kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

bool IsClean(std::string_view s) {
  for (char c : s) {
    if (kNeedsEscape[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

void AppendJsonString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* bytes = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t i = 0;
  while (i < s.size() && !kNeedsEscape[bytes[i]]) ++i;
  out.push_back('"');
  if (i == s.size()) {  // the common case: nothing to escape, one copy
    out.append(s);
    out.push_back('"');
    return;
  }
  std::size_t run = 0;  // start of the current run of bytes copied verbatim
  for (; i < s.size(); ++i) {
    const unsigned char c = bytes[i];
    if (!kNeedsEscape[c]) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void AppendUtf8(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A reader for the JSON this file writes: arrays and objects whose values are strings.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size();
  }

  std::optional<std::string> String() {
    if (!Consume('"')) return std::nullopt;
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return std::nullopt;
      switch (text_[pos_++]) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          std::optional<std::uint32_t> cp = Hex4();
          if (!cp) return std::nullopt;
          if (*cp >= 0xD800 && *cp < 0xDC00) {  // a high surrogate needs its low half
            if (!(pos_ + 1 < text_.size() && text_[pos_] == '\\' && text_[pos_ + 1] == 'u')) {
              return std::nullopt;
            }
            pos_ += 2;
            std::optional<std::uint32_t> low = Hex4();
            if (!low || *low < 0xDC00 || *low >= 0xE000) return std::nullopt;
            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
          } else if (*cp >= 0xDC00 && *cp < 0xE000) {
            return std::nullopt;
          }
          AppendUtf8(*cp, out);
          break;
        }
        default:
          return std::nullopt;
      }
    }
    return std::nullopt;  // unterminated
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  std::optional<std::uint32_t> Hex4() {
    if (pos_ + 4 > text_.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return std::nullopt;
      }
    }
    return v;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// The digest's primes and round are XXH64's (seed 0); the whole input runs through XXH64's
// short-input path (one 8-byte lane, then 4-byte and 1-byte tails, then the avalanche), which is
// simple to reproduce in any language and about eight times faster than byte-wise FNV-1a on the
// ~1 KB texts of a record. It is not XXH64 for inputs of 32 bytes or more.
constexpr std::uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr std::uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
constexpr std::uint64_t kP5 = 0x27D4EB2F165667C5ULL;

template <typename T>
T LoadLittleEndian(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = std::byteswap(v);
  return v;
}

std::uint64_t Round(std::uint64_t input) { return std::rotl(input * kP2, 31) * kP1; }

template <typename Fields>
void AppendCanonicalJsonOf(const Fields& fields, std::string& out) {
  // This runs once per ingested row, so the common case (nothing to escape) is one pass to size
  // and check, then plain copies into the sized buffer: about twice as fast as appending piecewise.
  std::size_t size = 2;
  bool clean = true;
  for (const auto& [key, value] : fields) {
    size += key.size() + value.size() + 6;  // "k":"v",
    clean = clean && IsClean(key) && IsClean(value);
  }
  if (!fields.empty()) --size;  // no comma after the last
  if (clean) {
    const std::size_t start = out.size();
    out.resize(start + size);
    char* p = out.data() + start;
    *p++ = '{';
    for (const auto& [key, value] : fields) {
      if (p != out.data() + start + 1) *p++ = ',';
      *p++ = '"';
      std::memcpy(p, key.data(), key.size());
      p += key.size();
      *p++ = '"';
      *p++ = ':';
      *p++ = '"';
      std::memcpy(p, value.data(), value.size());
      p += value.size();
      *p++ = '"';
    }
    *p = '}';
    return;
  }
  out.reserve(out.size() + size);
  out.push_back('{');
  bool first = true;
  for (const auto& [key, value] : fields) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(key, out);
    out.push_back(':');
    AppendJsonString(value, out);
  }
  out.push_back('}');
}

}  // namespace

void AppendCanonicalJson(const std::map<std::string, std::string>& fields, std::string& out) {
  AppendCanonicalJsonOf(fields, out);
}

void AppendCanonicalJson(std::span<const FieldView> sorted_fields, std::string& out) {
  AppendCanonicalJsonOf(sorted_fields, out);
}

std::string CanonicalJson(const std::map<std::string, std::string>& fields) {
  std::string out;
  AppendCanonicalJson(fields, out);
  return out;
}

std::string StringArrayJson(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(values[i], out);
  }
  out.push_back(']');
  return out;
}

std::optional<std::vector<std::string>> ParseStringArrayJson(std::string_view json) {
  Parser p(json);
  if (!p.Consume('[')) return std::nullopt;
  std::vector<std::string> out;
  if (!p.Consume(']')) {
    do {
      std::optional<std::string> s = p.String();
      if (!s) return std::nullopt;
      out.push_back(std::move(*s));
    } while (p.Consume(','));
    if (!p.Consume(']')) return std::nullopt;
  }
  if (!p.AtEnd()) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::string>> ParseStringMapJson(std::string_view json) {
  Parser p(json);
  if (!p.Consume('{')) return std::nullopt;
  std::map<std::string, std::string> out;
  if (!p.Consume('}')) {
    do {
      std::optional<std::string> key = p.String();
      if (!key || !p.Consume(':')) return std::nullopt;
      std::optional<std::string> value = p.String();
      if (!value) return std::nullopt;
      out.insert_or_assign(std::move(*key), std::move(*value));
    } while (p.Consume(','));
    if (!p.Consume('}')) return std::nullopt;
  }
  if (!p.AtEnd()) return std::nullopt;
  return out;
}

std::int64_t FieldsDigest(std::string_view text) {
  const char* p = text.data();
  std::size_t n = text.size();
  std::uint64_t h = kP5 + static_cast<std::uint64_t>(n);
  for (; n >= 8; p += 8, n -= 8) {
    h ^= Round(LoadLittleEndian<std::uint64_t>(p));
    h = std::rotl(h, 27) * kP1 + kP4;
  }
  if (n >= 4) {
    h ^= static_cast<std::uint64_t>(LoadLittleEndian<std::uint32_t>(p)) * kP1;
    h = std::rotl(h, 23) * kP2 + kP3;
    p += 4;
    n -= 4;
  }
  for (; n > 0; ++p, --n) {
    h ^= static_cast<std::uint64_t>(static_cast<unsigned char>(*p)) * kP5;
    h = std::rotl(h, 11) * kP1;
  }
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return static_cast<std::int64_t>(h);
}

std::int64_t ContentDigest(std::int64_t fields_digest, std::int64_t subject,
                           std::string_view severity, std::string_view decided_on,
                           std::string_view publicity_from, std::string_view publicity_until,
                           bool published) {
  // A short text of the parts, '|'-separated (no part can contain '|'), digested like the fields.
  std::string text;
  text.reserve(96);
  text.append(std::to_string(fields_digest)).push_back('|');
  text.append(std::to_string(subject)).push_back('|');
  text.append(severity).push_back('|');
  text.append(decided_on).push_back('|');
  text.append(publicity_from).push_back('|');
  text.append(publicity_until).push_back('|');
  text.push_back(published ? '1' : '0');
  return FieldsDigest(text);
}

std::string_view SubjectKindText(SubjectKind kind) {
  switch (kind) {
    case SubjectKind::kOrganization:
      return "organization";
    case SubjectKind::kPerson:
      return "person";
    case SubjectKind::kIndividualBusiness:
      return "individual_business";
  }
  return "organization";
}

std::optional<SubjectKind> ParseSubjectKindText(std::string_view s) {
  if (s == "organization") return SubjectKind::kOrganization;
  if (s == "person") return SubjectKind::kPerson;
  if (s == "individual_business") return SubjectKind::kIndividualBusiness;
  return std::nullopt;
}

std::string_view SeverityText(Severity severity) {
  switch (severity) {
    case Severity::kMinor:
      return "minor";
    case Severity::kGeneral:
      return "general";
    case Severity::kSerious:
      return "serious";
  }
  return "general";
}

std::optional<Severity> ParseSeverityText(std::string_view s) {
  if (s == "minor") return Severity::kMinor;
  if (s == "general") return Severity::kGeneral;
  if (s == "serious") return Severity::kSerious;
  return std::nullopt;
}

std::string RecordContentText(const RecordContent& c) {
  std::string out = "xinyong-record-v1";
  auto put = [&out](std::string_view v) {
    out += std::to_string(v.size());
    out += ':';
    out.append(v);
  };
  put(c.fields_json);
  put(c.subject_code);
  put(c.severity);
  put(c.decided_on);
  put(c.publicity_from);
  put(c.publicity_until);
  put(c.published ? "1" : "0");
  put(c.dept);
  put(std::to_string(c.row_no));
  put(c.raw_sm3);
  return out;
}

}  // namespace xy
