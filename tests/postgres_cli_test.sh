#!/usr/bin/env bash
# `xinyong` against PostgreSQL, end to end through the binary: init, ingest, a second ingest of the same
# file, a correction, the quarantine export, the code audit and the transparency ledger (verify, proof,
# and records changed or deleted behind the store's back), with --db postgresql://… and with the PG*
# variables alone (--db postgresql://). The same files go into a SQLite store beside it: receipts,
# stored rows and ledger leaves must be the same bytes on both back ends (ids and leaf indexes
# included). jq is not installed: JSON is read with python3.
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
# A correction, as in the SQLite ledger test: the first data row of a clean file changed.
check "gen file 3 (no errors)" xy gen --item admin_penalty --rows 200 --seed 13 --error-rate 0 --out p3.csv >/dev/null
correct_first_row() {  # appends 更正 to the first data row's last cell
  python3 - p3.csv p3fix.csv <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
first = data.index(b"\n") + 1
eol = data.index(b"\n", first)
if data[eol - 1:eol] == b"\r":
    eol -= 1
open(sys.argv[2], "wb").write(data[:eol] + "更正".encode() + data[eol:])
EOF
}
check "correct file 3's first row" correct_first_row
for f in p3.csv p3fix.csv; do
  n=$((n + 1))
  check "ingest $f into PostgreSQL (run $n)" receipt pg$n.json postgresql:// $f
  check "ingest $f into SQLite (run $n)" receipt sq$n.json sqlite:data/x.db $f
  check "receipt $n is the same on both back ends" cmp -s pg$n.json sq$n.json
done
check "the corrected file updated one record" test "$(field pg5.json updated)" = 1

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
  "SELECT id, item, natural_key, subject_id, current_version, status, content_digest, fields_json, fields_digest, decided_on, severity, publicity_from, publicity_until, dept, batch_id, row_no, raw_sm3, leaf_idx FROM records ORDER BY id"
  "SELECT record_id, version, subject_id, fields_digest, leaf_idx FROM record_versions ORDER BY 1, 2"
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
every_version_has_a_leaf() { test -s pg_record_versions.txt && ! grep -q '|$' pg_record_versions.txt; }
check "every archived version kept its leaf" every_version_has_a_leaf

# The ledger's own tables: the same entry bytes, hashes and indexes, the same signed roots and frontiers
# (a head's time and SM2 signature differ between any two runs). bytea / BLOB as lower-case hex.
pg_ledger=(
  "SELECT idx, kind, ref_id, ref_version, encode(entry, 'hex'), encode(leaf_hash, 'hex') FROM ledger_leaves ORDER BY idx"
  "SELECT tree_size, encode(root, 'hex'), encode(frontier, 'hex') FROM ledger_heads ORDER BY tree_size"
)
sq_ledger=(
  "SELECT idx, kind, ref_id, ref_version, lower(hex(entry)), lower(hex(leaf_hash)) FROM ledger_leaves ORDER BY idx"
  "SELECT tree_size, lower(hex(root)), lower(hex(frontier)) FROM ledger_heads ORDER BY tree_size"
)
for i in 0 1; do
  table=$(sed 's/.* FROM \([a-z_]*\).*/\1/' <<<"${pg_ledger[$i]}")
  psql -X -q -At -F'|' -c "${pg_ledger[$i]}" >pg_$table.txt 2>&1
  sqlite3 -separator '|' data/x.db "${sq_ledger[$i]}" >sq_$table.txt 2>&1
  check "table $table is the same on both back ends ($(wc -l <pg_$table.txt) rows)" cmp -s pg_$table.txt sq_$table.txt
done
stored=0  # versions stored: every accepted or updated row of the five runs
for i in 1 2 3 4 5; do stored=$((stored + $(field pg$i.json accepted) + $(field pg$i.json updated))); done
check "one leaf per stored version ($stored)" test "$(wc -l <pg_ledger_leaves.txt)" = "$stored"
check "one head per batch that stored a version (run 3 stored none)" test "$(wc -l <pg_ledger_heads.txt)" = 4

# ledger verify and proof on PostgreSQL, as the SQLite ledger test runs them (tests/ingest_cli_test.cc).
verify() {  # verify OUT EXPECTED_EXIT: `ledger verify` on PostgreSQL, its JSON into OUT
  xy --db postgresql:// ledger verify >"$1"
  test $? -eq "$2"
}
json_is() {  # json_is FILE PYTHON_EXPRESSION: the expression over `j` (the parsed file) is true
  python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
check "ledger verify exits 0" verify verify.json 0
check "ledger verify: ok, every leaf a record version, 4 heads" \
  json_is verify.json "j['ok'] is True and j['problems'] == [] and j['leaves'] == $stored and j['record_versions'] == $stored and j['tree_heads'] == 4"

# An inclusion bundle checked from outside with SM3 and the public key alone, as src/ledger/README.md
# shows: the path climbs to the signed root, and OpenSSL checks the SM2 signature over the head.
proof_checks_out() {  # proof_checks_out BUNDLE
  python3 - "$1" <<'EOF' || return 1
import hashlib, json, sys

def sm3(data):
    return hashlib.new("sm3", data).digest()

b = json.load(open(sys.argv[1]))
head = b["tree_head"]
index, size = b["leaf_index"], head["tree_size"]
if not 0 <= index < size:
    sys.exit("index out of range")
r = sm3(b"\x00" + bytes.fromhex(b["entry"]))
fn, sn = index, size - 1
for p in (bytes.fromhex(x) for x in b["inclusion_path"]):
    if sn == 0:
        sys.exit("proof too long")
    if fn & 1 or fn == sn:
        r = sm3(b"\x01" + p + r)
        while fn and not fn & 1:
            fn, sn = fn >> 1, sn >> 1
    else:
        r = sm3(b"\x01" + r + p)
    fn, sn = fn >> 1, sn >> 1
if sn != 0 or r.hex() != head["root"]:
    sys.exit("the path does not reach the signed root")
open("sth.bin", "wb").write(b"xinyong-sth-v1" + size.to_bytes(8, "big") + bytes.fromhex(head["root"])
                            + head["timestamp"].to_bytes(8, "big", signed=True))
open("sth.sig", "wb").write(bytes.fromhex(head["signature"]))
open("ledger.pub.pem", "w").write(b["public_key"])
EOF
  openssl pkeyutl -verify -pubin -inkey ledger.pub.pem -rawin -digest sm3 \
    -pkeyopt distid:1234567812345678 -in sth.bin -sigfile sth.sig >/dev/null
}
corrected=$(psql -X -q -At -c "SELECT id FROM records WHERE batch_id = 5 AND current_version = 2")
check "ledger proof --record 1 prints a bundle" to proof1.json xy --db postgresql:// ledger proof --record 1
check "the bundle names leaf 0" json_is proof1.json "j['format'] == 'xinyong-ledger-inclusion-v1' and j['leaf_index'] == 0"
check "the bundle checks out with SM3 and OpenSSL alone" proof_checks_out proof1.json
check "the same proof from SQLite" to proof1_sq.json xy --db sqlite:data/x.db ledger proof --record 1
check "both back ends prove the same entry, path and root" \
  python3 -c 'import json, sys; a, b = (json.load(open(f)) for f in sys.argv[1:]); k = lambda j: (j["entry"], j["leaf_index"], j["inclusion_path"], j["tree_head"]["tree_size"], j["tree_head"]["root"]); sys.exit(0 if k(a) == k(b) else 1)' proof1.json proof1_sq.json
check "ledger proof of the corrected record's first version" to proof_old.json xy --db postgresql:// ledger proof --record "$corrected" --version 1
check "the old version's bundle checks out" proof_checks_out proof_old.json
check "the old and the current version are different leaves" \
  test "$(xy --db postgresql:// ledger proof --record "$corrected" | python3 -c 'import json, sys; print(json.load(sys.stdin)["leaf_index"])')" != \
  "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["leaf_index"])' proof_old.json)"

# A record changed and another deleted directly in the database: verify exits 1 and names both.
check "change record 5 behind the store's back" psql -X -q -c "UPDATE records SET fields_json = replace(fields_json, '\"CF_', '\"cf_') WHERE id = 5"
check "delete record 9 behind the store's back" psql -X -q -c "DELETE FROM records WHERE id = 9"
check "ledger verify exits 1" verify tampered.json 1
problems() {  # the problems as "kind record" pairs, one each, sorted
  python3 -c 'import json, sys; print(sorted({"%s %s" % (p["kind"], p.get("record", 0)) for p in json.load(open(sys.argv[1]))["problems"]}))' "$1"
}
check "verify names record 5 changed and record 9 missing, nothing else" \
  test "$(problems tampered.json)" = "['record.changed 5', 'record.missing 9']"
check "the change is reported in Chinese" json_is tampered.json "j['ok'] is False and '被篡改' in j['problems'][0]['message_zh']"
# And the ledger's own tables: a leaf's hash and a head's signature.
check "zero leaf 3's hash" psql -X -q -c "UPDATE ledger_leaves SET leaf_hash = decode(repeat('00', 32), 'hex') WHERE idx = 3"
check "garble the first head's signature" psql -X -q -c "UPDATE ledger_heads SET signature = '\\x3006020101020101' WHERE tree_size = (SELECT min(tree_size) FROM ledger_heads)"
check "ledger verify exits 1 again" verify tampered2.json 1
check "verify finds the leaf hash, the signature and every root over leaf 3" \
  test "$(problems tampered2.json)" = "['head.root 0', 'head.signature 0', 'leaf.hash 0', 'record.changed 5', 'record.missing 9']"

unreachable() {
  ! xy --db 'postgresql://127.0.0.1:1/x?connect_timeout=5' init 2>err.txt && grep -q '无法连接' err.txt
}
check "an unreachable server fails with the Chinese message" unreachable

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
