#include "store/sqlite/schema.h"

#include <array>

namespace xy::sqlite {
namespace {

// Version 1: subjects, records with versions, batches, quarantine, code issues.
//
// Times are Unix seconds (INTEGER); dates are ISO text 'YYYY-MM-DD' (NULL = none). Enumerations are
// stored as their lowercase English keyword ('organization', 'general', …) so a row reads without
// the code. Every id is an INTEGER PRIMARY KEY (the rowid: no extra index) and a PostgreSQL
// identity column later.
constexpr const char* kV1 = R"sql(
CREATE TABLE batches (
  id              INTEGER PRIMARY KEY,
  item            TEXT    NOT NULL,
  dept            TEXT    NOT NULL,
  file_name       TEXT    NOT NULL,
  file_sm3        TEXT    NOT NULL,
  catalog_version TEXT    NOT NULL,
  header_json     TEXT    NOT NULL,  -- the file's column headers, a JSON array of strings
  received_at     INTEGER NOT NULL,
  receipt_json    TEXT               -- set by Commit; a batch without it never became visible
);

CREATE TABLE subjects (
  id            INTEGER PRIMARY KEY,
  kind          TEXT    NOT NULL,   -- organization | person | individual_business
  uscc          TEXT,               -- canonical USCC, NULL when the subject has none
  person_index  TEXT,               -- blind index of the citizen ID, NULL for others
  person_sealed BLOB,               -- the citizen ID sealed with PersonalDataCipher
  name          TEXT    NOT NULL,   -- current name: the registry's, else the first seen
  provisional   INTEGER NOT NULL,   -- 1 = created by a record before the registry knew it
  region_code   INTEGER NOT NULL,   -- GB/T 2260, 0 = unknown
  created_at    INTEGER NOT NULL,
  CHECK (uscc IS NOT NULL OR person_index IS NOT NULL)
);
CREATE UNIQUE INDEX subjects_uscc ON subjects (uscc) WHERE uscc IS NOT NULL;
CREATE UNIQUE INDEX subjects_person_index ON subjects (person_index) WHERE person_index IS NOT NULL;

-- Every name a subject has been seen under (重码 review, name history); id gives the order.
CREATE TABLE subject_names (
  id               INTEGER PRIMARY KEY,
  subject_id       INTEGER NOT NULL REFERENCES subjects (id),
  name             TEXT    NOT NULL,
  first_seen_batch INTEGER NOT NULL REFERENCES batches (id),
  seen_at          INTEGER NOT NULL,
  UNIQUE (subject_id, name)
);

-- One fact per (item, natural key); its content lives in record_versions.
CREATE TABLE records (
  id              INTEGER PRIMARY KEY,
  item            TEXT    NOT NULL,
  natural_key     TEXT    NOT NULL,
  subject_id      INTEGER NOT NULL REFERENCES subjects (id),  -- as of the current version
  current_version INTEGER NOT NULL,
  status          TEXT    NOT NULL DEFAULT 'active',
  first_seen      INTEGER NOT NULL,
  last_seen       INTEGER NOT NULL,  -- moves on every batch that carries the key, changed or not
  -- ContentDigest of the current version (store/encoding.h): a resubmitted row is found unchanged
  -- from this row alone, without reading its version.
  content_digest  INTEGER NOT NULL,
  UNIQUE (item, natural_key)
);

CREATE TABLE record_versions (
  record_id       INTEGER NOT NULL REFERENCES records (id),
  version         INTEGER NOT NULL,
  subject_id      INTEGER NOT NULL REFERENCES subjects (id),
  fields_json     TEXT    NOT NULL,  -- canonical JSON (store/encoding.h)
  fields_digest   INTEGER NOT NULL,  -- FieldsDigest(fields_json): "unchanged" without reading it
  decided_on      TEXT,
  severity        TEXT    NOT NULL,  -- minor | general | serious
  publicity_from  TEXT,
  publicity_until TEXT,              -- NULL = no maximum
  published       INTEGER NOT NULL,
  dept            TEXT    NOT NULL,
  batch_id        INTEGER NOT NULL REFERENCES batches (id),
  row_no          INTEGER NOT NULL,
  raw_sm3         TEXT    NOT NULL,
  recorded_at     INTEGER NOT NULL,
  PRIMARY KEY (record_id, version)
);

CREATE TABLE quarantine (
  batch_id      INTEGER NOT NULL REFERENCES batches (id),
  row_no        INTEGER NOT NULL,
  values_json   TEXT    NOT NULL,  -- the row's original cells in file column order
  reasons_json  TEXT    NOT NULL,
  messages_json TEXT    NOT NULL,
  raw_sm3       TEXT    NOT NULL,
  PRIMARY KEY (batch_id, row_no)
);

CREATE TABLE code_issues (
  id         INTEGER PRIMARY KEY,
  kind       TEXT    NOT NULL,  -- duplicate | error
  code       TEXT    NOT NULL,
  detail     TEXT    NOT NULL,
  status     TEXT    NOT NULL,  -- open | confirmed | cleared
  reviewer   TEXT    NOT NULL,
  note       TEXT    NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (kind, code, detail)
);
)sql";

// Version 2: a record's current version lives on its records row; record_versions keeps only the
// versions it replaced. A new fact — nearly every row of a first submission — is then one row and
// one index entry instead of two of each (about a third of the store's cost per row). A correction
// copies the outgoing version into record_versions before overwriting it.
//
// The added columns are nullable only because ALTER TABLE cannot add NOT NULL columns without a
// default; the store always writes them, and the copy below fills them for every existing record.
constexpr const char* kV2 = R"sql(
ALTER TABLE records ADD COLUMN fields_json TEXT;
ALTER TABLE records ADD COLUMN fields_digest INTEGER;
ALTER TABLE records ADD COLUMN decided_on TEXT;
ALTER TABLE records ADD COLUMN severity TEXT;
ALTER TABLE records ADD COLUMN publicity_from TEXT;
ALTER TABLE records ADD COLUMN publicity_until TEXT;
ALTER TABLE records ADD COLUMN published INTEGER;
ALTER TABLE records ADD COLUMN dept TEXT;
ALTER TABLE records ADD COLUMN batch_id INTEGER;
ALTER TABLE records ADD COLUMN row_no INTEGER;
ALTER TABLE records ADD COLUMN raw_sm3 TEXT;
ALTER TABLE records ADD COLUMN recorded_at INTEGER;

UPDATE records SET (fields_json, fields_digest, decided_on, severity, publicity_from,
                    publicity_until, published, dept, batch_id, row_no, raw_sm3, recorded_at) =
  (SELECT v.fields_json, v.fields_digest, v.decided_on, v.severity, v.publicity_from,
          v.publicity_until, v.published, v.dept, v.batch_id, v.row_no, v.raw_sm3, v.recorded_at
     FROM record_versions v
    WHERE v.record_id = records.id AND v.version = records.current_version);

DELETE FROM record_versions
 WHERE version = (SELECT r.current_version FROM records r WHERE r.id = record_versions.record_id);
)sql";

constexpr std::array<Migration, 2> kMigrations = {{
    {1, "subjects, records, batches, quarantine, code issues", kV1},
    {2, "current version on the record row; record_versions keeps replaced versions", kV2},
}};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

}  // namespace xy::sqlite
