// How the store turns values into column text, shared by every back end so that a record written by
// SQLite and one written by PostgreSQL (or migrated between them) carry the same bytes and digests.
//
// - Canonical fields JSON: a record's field map as one JSON object, keys in byte order (std::map
//   order), no whitespace, only `"`, `\` and control characters escaped (as \" \\ \b \f \n \r \t or
//   \u00XX); every other byte is copied as is. Equal maps give equal text, so "unchanged" is a text
//   (or digest) comparison that never parses JSON.
// - String lists (batch header, quarantine cells, reasons, messages) are JSON arrays in the same
//   escaping. The parsers here read exactly what the writers write (and any JSON array/object of
//   strings); they exist so the store round-trips cells byte for byte, even cells that are not
//   valid UTF-8, which a strict JSON library would reject.
// - FieldsDigest: a stable, non-cryptographic 64-bit hash of the canonical text, stored with each
//   record version; ContentDigest folds in the other attributes of a version and decides
//   "unchanged". Both definitions are fixed (see encoding.cc): changing them would make every
//   stored record look changed on the next ingest, so store_contract_test pins known values.
//
// Thread-safety: pure functions.

#ifndef XY_STORE_ENCODING_H_
#define XY_STORE_ENCODING_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/catalog.h"

namespace xy {

// Appends the canonical JSON object of `fields` to `out` (reusing its capacity on the hot path).
void AppendCanonicalJson(const std::map<std::string, std::string>& fields, std::string& out);
std::string CanonicalJson(const std::map<std::string, std::string>& fields);
// The same for fields already in key order with no empty key repeated (what a std::map holds),
// given as views: ingest encodes a row straight from its validated values without building a map.
using FieldView = std::pair<std::string_view, std::string_view>;
void AppendCanonicalJson(std::span<const FieldView> sorted_fields, std::string& out);

// ["a","b"] for a list of strings.
std::string StringArrayJson(const std::vector<std::string>& values);

// nullopt when `json` is not an array (object) whose elements (values) are all strings.
std::optional<std::vector<std::string>> ParseStringArrayJson(std::string_view json);
std::optional<std::map<std::string, std::string>> ParseStringMapJson(std::string_view json);

// The 64-bit digest of canonical fields text, as stored (two's complement) in a signed BIGINT
// column.
std::int64_t FieldsDigest(std::string_view canonical_json);

// The digest of everything that makes a record version differ from another: its fields (by their
// digest), subject, severity, dates (ISO text, "" for none) and published flag. Stored on the
// record for its current version, so Upsert tells "unchanged" from the record row alone. Equal
// digests are taken as equal content (a chance of 2^-64 per comparison; the digest is not meant to
// resist a submitter crafting collisions against their own corrections).
std::int64_t ContentDigest(std::int64_t fields_digest, std::int64_t subject,
                           std::string_view severity, std::string_view decided_on,
                           std::string_view publicity_from, std::string_view publicity_until,
                           bool published);

// Enumerations as stored (lowercase English keywords, so a row reads without the code); the
// parsers return nullopt for anything else.
std::string_view SubjectKindText(SubjectKind kind);  // organization | person | individual_business
std::optional<SubjectKind> ParseSubjectKindText(std::string_view s);
std::string_view SeverityText(Severity severity);  // minor | general | serious
std::optional<Severity> ParseSeverityText(std::string_view s);

// The canonical content of a record version, whose SM3 a ledger leaf carries (content_sm3): every
// value that makes the version what it is, each as its decimal byte length, ':' and the bytes, in
// this order, after the tag "xinyong-record-v1". Dates are ISO text, "" for none; severity its
// keyword; published "1" or "0". Recomputing it from the stored columns and comparing digests is how
// `ledger verify` finds a record changed behind the store's back.
struct RecordContent {
  std::string_view fields_json;
  std::string_view subject_code;  // USCC, else the person index
  std::string_view severity;
  std::string_view decided_on;
  std::string_view publicity_from;
  std::string_view publicity_until;
  bool published = true;
  std::string_view dept;
  std::int64_t row_no = 0;
  std::string_view raw_sm3;
};
std::string RecordContentText(const RecordContent& content);

}  // namespace xy

#endif  // XY_STORE_ENCODING_H_
