#!/usr/bin/env bash
# scripts/check-layers must pass on the real tree and fail, naming the file, on a tree that breaks
# each of its rules.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
check="$root/scripts/check-layers"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

expect() {  # expect ok|fail DESCRIPTION SRC_DIR [PATTERN]
  local want=$1 what=$2 dir=$3 pattern=${4:-}
  local out status
  out=$("$check" "$dir" 2>&1)
  status=$?
  if [ "$want" = ok ] && [ $status -ne 0 ]; then
    echo "FAIL: $what: expected success, got: $out"; fail=1
  elif [ "$want" = fail ] && [ $status -eq 0 ]; then
    echo "FAIL: $what: expected a failure"; fail=1
  elif [ -n "$pattern" ] && ! grep -q -- "$pattern" <<<"$out"; then
    echo "FAIL: $what: output lacks '$pattern': $out"; fail=1
  else
    echo "ok: $what"
  fi
}

expect ok "the real tree" "$root/src"

mk() { mkdir -p "$(dirname "$1")"; printf '%s\n' "$2" >"$1"; }

mk "$tmp/up/base/a.cc" '#include "domain/uscc.h"'
expect fail "base includes domain" "$tmp/up" "base/a.cc:1: layer 'base' includes \"domain/uscc.h\" from higher layer 'domain'"

mk "$tmp/io/domain/b.cc" '#include <fstream>'
expect fail "domain does file I/O" "$tmp/io" "pure layer 'domain' includes I/O header <fstream>"

mk "$tmp/testio/domain/b_test.cc" '#include <fstream>'
expect ok "a domain test may read test data" "$tmp/testio"

mk "$tmp/unknown/widgets/c.cc" '#include "base/result.h"'
expect fail "an unknown layer folder" "$tmp/unknown" "folder 'widgets' is not a known layer"

mk "$tmp/down/cli/d.cc" '#include "services/ingest_service.h"'
mk "$tmp/down/store/e.cc" '#include "domain/catalog.h"'
expect ok "downward includes" "$tmp/down"

[ $fail -eq 0 ] && echo "check-layers: all cases passed"
exit $fail
