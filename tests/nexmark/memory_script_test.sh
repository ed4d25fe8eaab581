#!/usr/bin/env bash
# scripts/nexmark_memory.sh as CI runs it (small): a line and a JSON entry per query, in the
# order given, with a peak RSS no sample exceeds; an unknown flag and a failing query are errors.
set -euo pipefail
script=$1
build=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

bash "$script" "$build" --events 1000000 --queries q0,q5 --json > "$dir/out"
cat "$dir/out"
[ "$(grep -c -E '^q(0|5) ' "$dir/out")" -eq 2 ] || fail "not one table line per query"
tail -1 "$dir/out" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
assert r["events"] == 1000000 and r["parallelism"] == 2 and r["state_backend"] == "heap", r
assert [q["query"] for q in r["queries"]] == ["q0", "q5"], r
for q in r["queries"]:
    assert q["seconds"] > 0, q
    assert q["peak_rss_mb"] > 1, q
    assert 0 < q["first_half_rss_mb"] <= q["peak_rss_mb"], q
    assert 0 < q["second_half_rss_mb"] <= q["peak_rss_mb"], q
' || fail "the JSON line is not as documented"

status=0
bash "$script" "$build" --paralelism 2 2> "$dir/err" || status=$?
[ "$status" -eq 2 ] && grep -q -- "unknown flag --paralelism" "$dir/err" || fail "an unknown flag: status $status"
status=0
bash "$script" "$build" --events 1000 --queries q99 > /dev/null 2> "$dir/err" || status=$?
[ "$status" -eq 1 ] && grep -q "q99 failed" "$dir/err" && grep -q "q99" "$dir/err" \
  || fail "an unknown query: status $status, $(cat "$dir/err")"
echo "nexmark_memory.sh: ok"
