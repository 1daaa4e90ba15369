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

// Version 3: the transparency ledger (src/ledger). Leaves are appended in the batch's transaction,
// so a record version and its leaf exist together or not at all; each committed batch adds a signed
// tree head with the log's frontier, from which the next batch continues without reading leaves.
// A version's leaf index sits on its own row (records / record_versions), so finding the leaf of a
// record costs no extra index on the ingest path.
constexpr const char* kV3 = R"sql(
CREATE TABLE ledger_leaves (
  idx         INTEGER PRIMARY KEY,  -- 0-based position in the log
  kind        TEXT    NOT NULL,     -- record_version | list_decision | report | query
  ref_id      INTEGER NOT NULL,     -- the record id for record_version
  ref_version INTEGER NOT NULL,     -- the record version for record_version, else 0
  entry       BLOB    NOT NULL,     -- ledger::EncodeEntry bytes, exactly as hashed
  leaf_hash   BLOB    NOT NULL      -- SM3(0x00 ‖ entry)
);

CREATE TABLE ledger_heads (
  tree_size INTEGER PRIMARY KEY,
  root      BLOB    NOT NULL,
  timestamp INTEGER NOT NULL,
  signature BLOB    NOT NULL,  -- SM2 (DER) over ledger::TreeHeadSigningInput
  frontier  BLOB    NOT NULL   -- MerkleLog::frontier(), 32 bytes per digest, leftmost first
);

ALTER TABLE records ADD COLUMN leaf_idx INTEGER;          -- the current version's leaf
ALTER TABLE record_versions ADD COLUMN leaf_idx INTEGER;  -- NULL: stored before the ledger
)sql";

// Version 4: evaluation runs (services/evaluate_service.h). A run keeps the model it used (the
// text of its files), its as-of date and the last batch whose data it read, so any stored result
// can be recomputed from the run alone. Results are clustered by (run, subject) (WITHOUT ROWID):
// a run is written and read in subject order, and one subject's result is one B-tree descent. The
// details (dimensions, reasons with record ids, industry results) are one compact JSON text per
// result, written and read by the service (the store never looks inside), in a table of their
// own: the run statistics, incremental runs and draws read only score and grade, about a tenth of
// the bytes.
//
// The subject indexes serve what reads one subject's records — recomputing or showing one result,
// re-evaluating the subjects an ingest touched — which otherwise scan every record. Full
// evaluations read the records table in storage order and need neither.
constexpr const char* kV4 = R"sql(
CREATE TABLE evaluation_runs (
  id             INTEGER PRIMARY KEY,
  model_version  TEXT    NOT NULL,  -- public-2024@2024.1+bidding@2024.1+…
  model_text     TEXT    NOT NULL,  -- the model's files as read, to recompute with exactly them
  as_of          TEXT    NOT NULL,  -- YYYY-MM-DD
  mode           TEXT    NOT NULL,  -- full | incremental
  base_run       INTEGER REFERENCES evaluation_runs (id),  -- incremental: results carried over from
  snapshot_batch INTEGER NOT NULL,  -- the last batch whose data the run read
  subjects       INTEGER NOT NULL,  -- results stored
  evaluated      INTEGER NOT NULL,  -- results computed by this run (the rest carried over)
  summary_json   TEXT    NOT NULL,  -- distribution, migration matrix, PSI as reported
  created_at     INTEGER NOT NULL
);

-- subject_id is not declared a foreign key: checking it would cost a look-up per result, and
-- subjects are never deleted.
CREATE TABLE evaluation_results (
  run_id     INTEGER NOT NULL REFERENCES evaluation_runs (id),
  subject_id INTEGER NOT NULL,
  score      INTEGER NOT NULL,  -- 0–1000
  grade      TEXT    NOT NULL,
  industries TEXT    NOT NULL,  -- industry results in brief: code:score:grade;…
  PRIMARY KEY (run_id, subject_id)
) WITHOUT ROWID;

CREATE TABLE evaluation_details (
  run_id      INTEGER NOT NULL REFERENCES evaluation_runs (id),
  subject_id  INTEGER NOT NULL,
  detail_json TEXT    NOT NULL,  -- dimensions, reasons (indicator, points, record ids), industries
  PRIMARY KEY (run_id, subject_id)
) WITHOUT ROWID;

CREATE INDEX records_subject ON records (subject_id);
CREATE INDEX record_versions_subject ON record_versions (subject_id);
)sql";

constexpr std::array<Migration, 4> kMigrations = {{
    {1, "subjects, records, batches, quarantine, code issues", kV1},
    {2, "current version on the record row; record_versions keeps replaced versions", kV2},
    {3, "transparency ledger: leaves and signed tree heads", kV3},
    {4, "evaluation runs and results; subject indexes on records", kV4},
}};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

}  // namespace xy::sqlite
