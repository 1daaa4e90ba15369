#!/usr/bin/env bash
# `xinyong` against PostgreSQL, end to end through the binary: init, ingest, a second ingest of the same
# file, the quarantine export and the code audit, with --db postgresql://… and with the PG* variables
# alone (--db postgresql://). The same files go into a SQLite store beside it: receipts and stored rows
# must be the same bytes on both back ends (ids included).
#
#   scripts/with-postgres tests/postgres_cli_test.sh path/to/xinyong     (ctest runs it so)
set -uo pipefail
bin=$(realpath "${1:?usage: postgres_cli_test.sh XINYONG_BINARY}")
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${XY_TEST_POSTGRES_URL:-}" ]; then
  echo "FAIL: XY_TEST_POSTGRES_URL is not set: run under scripts/with-postgres"
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"  # the key file (keys.file = data/xinyong.keys) is relative to the working directory
fail=0
pass=0

check() {  # check DESCRIPTION COMMAND...: the command must succeed
  local what=$1
  shift
  if "$@"; then
    echo "ok: $what"
    pass=$((pass + 1))
  else
    echo "FAIL: $what"
    fail=$((fail + 1))
  fi
}

xy() { "$bin" --config "$root/config/xinyong.toml" "$@"; }
to() {  # to FILE COMMAND...: the command's stdout into FILE
  local file=$1
  shift
  "$@" >"$file"
}
# A receipt differs between two runs only in its reception time.
receipt() {  # receipt FILE STORE_URL CSV
  xy --db "$2" ingest --item admin_penalty --dept 113404000030000145 "$3" >"$1.raw" &&
    grep -v '"received_at"' "$1.raw" >"$1" && grep -q '"batch_id"' "$1"
}
field() { grep -o "\"$2\": *[0-9]*" "$1" | grep -o '[0-9]*$'; }

check "init with --db URL" to init.json xy --db "$XY_TEST_POSTGRES_URL" init
check "init reports the store" grep -q '"db": "postgresql://' init.json
check "init again (migrations are idempotent) from the PG* variables" xy --db postgresql:// init >/dev/null
check "init the SQLite store beside it" xy --db sqlite:data/x.db init >/dev/null
check "gen file 1" xy gen --item admin_penalty --rows 3000 --seed 11 --error-rate 0.05 --out p1.csv >/dev/null
check "gen file 2" xy gen --item admin_penalty --rows 2000 --seed 12 --error-rate 0.05 --out p2.csv >/dev/null

n=0
for f in p1.csv p2.csv p1.csv; do
  n=$((n + 1))
  check "ingest $f into PostgreSQL (run $n)" receipt pg$n.json postgresql:// $f
  check "ingest $f into SQLite (run $n)" receipt sq$n.json sqlite:data/x.db $f
  check "receipt $n is the same on both back ends" cmp -s pg$n.json sq$n.json
done
check "file 1 accepted rows" test "$(field pg1.json accepted)" -gt 2500
check "file 1 again: every accepted row unchanged" test "$(field pg3.json unchanged)" = "$(field pg1.json accepted)"
check "file 1 again: nothing new" test "$(field pg3.json accepted)" = 0

check "quarantine export from PostgreSQL" xy --db "$XY_TEST_POSTGRES_URL" quarantine --batch 1 --out q_pg.csv
check "quarantine export from SQLite" xy --db sqlite:data/x.db quarantine --batch 1 --out q_sq.csv
check "the exports are the same" cmp -s q_pg.csv q_sq.csv
check "the export has the rejected rows" test "$(($(wc -l <q_pg.csv) - 1))" = "$(field pg1.json rejected)"
check "codes audit on PostgreSQL" to audit_pg.json xy --db postgresql:// codes audit
check "codes audit on SQLite" to audit_sq.json xy --db sqlite:data/x.db codes audit
check "the audits are the same" cmp -s audit_pg.json audit_sq.json

# The stored rows, table by table (time columns aside).
queries=(
  "SELECT id, item, natural_key, subject_id, current_version, status, content_digest, fields_json, fields_digest, decided_on, severity, publicity_from, publicity_until, dept, batch_id, row_no, raw_sm3 FROM records ORDER BY id"
  "SELECT record_id, version, subject_id, fields_digest FROM record_versions ORDER BY 1, 2"
  "SELECT id, kind, uscc, person_index, name, region_code FROM subjects ORDER BY id"
  "SELECT id, subject_id, name, first_seen_batch FROM subject_names ORDER BY id"
  "SELECT batch_id, row_no, reasons_json, messages_json, raw_sm3 FROM quarantine ORDER BY 1, 2"
  "SELECT id, kind, code, detail, status FROM code_issues ORDER BY id"
  "SELECT id, item, dept, file_name, file_sm3, catalog_version FROM batches ORDER BY id"
)
for q in "${queries[@]}"; do
  table=$(sed 's/.* FROM \([a-z_]*\).*/\1/' <<<"$q")
  psql -X -q -At -F'|' -c "$q" >pg_$table.txt 2>&1
  sqlite3 -separator '|' data/x.db "$q" >sq_$table.txt 2>&1
  check "table $table is the same on both back ends ($(wc -l <pg_$table.txt) rows)" cmp -s pg_$table.txt sq_$table.txt
done

unreachable() {
  ! xy --db 'postgresql://127.0.0.1:1/x?connect_timeout=5' init 2>err.txt && grep -q '无法连接' err.txt
}
check "an unreachable server fails with the Chinese message" unreachable

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
