#include "store/postgres/schema.h"

#include <array>

namespace xy::postgres {
namespace {

// Version 1: subjects, records with versions, batches, quarantine, code issues — SQLite's version 1
// table for table (store/sqlite/schema.cc has the column comments).
//
// Times are Unix seconds (bigint); dates are `date` (NULL = none), read back as ISO text.
// Enumerations are their lowercase English keyword, as on SQLite.
//
// No FOREIGN KEY clauses, unlike SQLite: PostgreSQL checks a foreign key with one query and a row
// lock per inserted row (a trigger), which would cost a bulk ingest more than the insert itself.
// Every reference the store writes is to a row it wrote earlier in the same transaction or found
// under the batch lock, and nothing is ever deleted, so the references hold by construction; the
// contract tests check them on both back ends (SQLite enforces them).
//
// Partitioning (src/store/README.md): records and record_versions carry subject_id on every row,
// ids come from the store rather than a per-table sequence, and no statement relies on a global
// index other than the ones named there.
constexpr const char* kV1 = R"sql(
CREATE TABLE batches (
  id              bigint  PRIMARY KEY,
  item            text    NOT NULL,
  dept            text    NOT NULL,
  file_name       text    NOT NULL,
  file_sm3        text    NOT NULL,
  catalog_version text    NOT NULL,
  header_json     bytea   NOT NULL,  -- JSON array of the headers as read: bytes, maybe not UTF-8
  received_at     bigint  NOT NULL,
  receipt_json    text               -- set by Commit
);

CREATE TABLE subjects (
  id            bigint  PRIMARY KEY,
  kind          text    NOT NULL,
  uscc          text,
  person_index  text,
  person_sealed bytea,
  name          text    NOT NULL,
  provisional   boolean NOT NULL,
  region_code   integer NOT NULL,
  created_at    bigint  NOT NULL,
  CHECK (uscc IS NOT NULL OR person_index IS NOT NULL)
);
CREATE UNIQUE INDEX subjects_uscc ON subjects (uscc) WHERE uscc IS NOT NULL;
CREATE UNIQUE INDEX subjects_person_index ON subjects (person_index) WHERE person_index IS NOT NULL;

CREATE TABLE subject_names (
  id               bigint PRIMARY KEY,
  subject_id       bigint NOT NULL,
  name             text   NOT NULL,
  first_seen_batch bigint NOT NULL,
  seen_at          bigint NOT NULL,
  UNIQUE (subject_id, name)
);

CREATE TABLE records (
  id              bigint  PRIMARY KEY,
  item            text    NOT NULL,
  natural_key     text    NOT NULL,
  subject_id      bigint  NOT NULL,
  current_version integer NOT NULL,
  status          text    NOT NULL DEFAULT 'active',
  first_seen      bigint  NOT NULL,
  last_seen       bigint  NOT NULL,
  content_digest  bigint  NOT NULL,
  UNIQUE (item, natural_key)
);

CREATE TABLE record_versions (
  record_id       bigint  NOT NULL,
  version         integer NOT NULL,
  subject_id      bigint  NOT NULL,
  fields_json     text    NOT NULL,
  fields_digest   bigint  NOT NULL,
  decided_on      date,
  severity        text    NOT NULL,
  publicity_from  date,
  publicity_until date,
  published       boolean NOT NULL,
  dept            text    NOT NULL,
  batch_id        bigint  NOT NULL,
  row_no          bigint  NOT NULL,
  raw_sm3         text    NOT NULL,
  recorded_at     bigint  NOT NULL,
  PRIMARY KEY (record_id, version)
);

CREATE TABLE quarantine (
  batch_id      bigint NOT NULL,
  row_no        bigint NOT NULL,
  values_json   bytea  NOT NULL,  -- the row's original cells: bytes, maybe not UTF-8
  reasons_json  text   NOT NULL,
  messages_json text   NOT NULL,
  raw_sm3       text   NOT NULL,
  PRIMARY KEY (batch_id, row_no)
);

CREATE TABLE code_issues (
  id         bigint PRIMARY KEY,
  kind       text   NOT NULL,
  code       text   NOT NULL,
  detail     text   NOT NULL,
  status     text   NOT NULL,
  reviewer   text   NOT NULL,
  note       text   NOT NULL,
  updated_at bigint NOT NULL,
  UNIQUE (kind, code, detail)
);
)sql";

// Version 2, as on SQLite: a record's current version lives on its records row; record_versions
// keeps only the versions a correction replaced. Unlike SQLite, PostgreSQL can make the new columns
// NOT NULL once they are filled.
constexpr const char* kV2 = R"sql(
ALTER TABLE records
  ADD COLUMN fields_json     text,
  ADD COLUMN fields_digest   bigint,
  ADD COLUMN decided_on      date,
  ADD COLUMN severity        text,
  ADD COLUMN publicity_from  date,
  ADD COLUMN publicity_until date,
  ADD COLUMN published       boolean,
  ADD COLUMN dept            text,
  ADD COLUMN batch_id        bigint,
  ADD COLUMN row_no          bigint,
  ADD COLUMN raw_sm3         text,
  ADD COLUMN recorded_at     bigint;

UPDATE records r SET (fields_json, fields_digest, decided_on, severity, publicity_from,
                      publicity_until, published, dept, batch_id, row_no, raw_sm3, recorded_at) =
  (v.fields_json, v.fields_digest, v.decided_on, v.severity, v.publicity_from, v.publicity_until,
   v.published, v.dept, v.batch_id, v.row_no, v.raw_sm3, v.recorded_at)
  FROM record_versions v
 WHERE v.record_id = r.id AND v.version = r.current_version;

DELETE FROM record_versions v USING records r
 WHERE v.record_id = r.id AND v.version = r.current_version;

ALTER TABLE records
  ALTER COLUMN fields_json   SET NOT NULL,
  ALTER COLUMN fields_digest SET NOT NULL,
  ALTER COLUMN severity      SET NOT NULL,
  ALTER COLUMN published     SET NOT NULL,
  ALTER COLUMN dept          SET NOT NULL,
  ALTER COLUMN batch_id      SET NOT NULL,
  ALTER COLUMN row_no        SET NOT NULL,
  ALTER COLUMN raw_sm3       SET NOT NULL,
  ALTER COLUMN recorded_at   SET NOT NULL;
)sql";

// Version 3, as on SQLite (store/sqlite/schema.cc has the column comments): the transparency
// ledger. A version and its leaf are written in one batch transaction; each committed batch adds a
// signed tree head with the log's frontier, from which the next batch continues without reading
// leaves. The leaf index sits on the version's own row, so the ingest path needs no extra index to
// find it. leaf_idx stays nullable: versions stored before the ledger (or by a batch without the
// ledger key) have no leaf.
//
// (SQLite's version 4, evaluation runs, is not here yet: a PostgreSQL store stops at version 3 and
// its evaluation methods answer kFailedPrecondition "store.evaluation".)
constexpr const char* kV3 = R"sql(
CREATE TABLE ledger_leaves (
  idx         bigint PRIMARY KEY,
  kind        text   NOT NULL,
  ref_id      bigint NOT NULL,
  ref_version bigint NOT NULL,
  entry       bytea  NOT NULL,
  leaf_hash   bytea  NOT NULL
);

CREATE TABLE ledger_heads (
  tree_size bigint PRIMARY KEY,
  root      bytea  NOT NULL,
  timestamp bigint NOT NULL,
  signature bytea  NOT NULL,
  frontier  bytea  NOT NULL
);

ALTER TABLE records ADD COLUMN leaf_idx bigint;
ALTER TABLE record_versions ADD COLUMN leaf_idx bigint;
)sql";

constexpr std::array<Migration, 3> kMigrations = {{
    {1, "subjects, records, batches, quarantine, code issues", kV1},
    {2, "current version on the record row; record_versions keeps replaced versions", kV2},
    {3, "transparency ledger: leaves and signed tree heads", kV3},
}};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

}  // namespace xy::postgres
