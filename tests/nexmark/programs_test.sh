#!/usr/bin/env bash
# nexmark_gen and nexmark as users run them: a generated file, a query over it checked with awk,
# the same query on the in-process generator, --json, and the errors (a malformed line names
# the file and line; unknown queries and bad flags name the flag).
set -euo pipefail
gen=$1
nexmark=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$gen" --events 5000 --seed 4 --first-event-rate 500 --out "$dir/events.json"
[ "$(wc -l < "$dir/events.json")" -eq 5000 ] || fail "nexmark_gen wrote $(wc -l < "$dir/events.json") lines"
"$gen" --events 5000 --seed 4 --first-event-rate 500 --out "$dir/again.json"
cmp -s "$dir/events.json" "$dir/again.json" || fail "the same seed gave another file"
[ "$(grep -c '"type":"person"' "$dir/events.json")" -eq 100 ] || fail "persons are not 1 in 50"
[ "$(grep -c '"type":"auction"' "$dir/events.json")" -eq 300 ] || fail "auctions are not 3 in 50"
[ "$(grep -c '"type":"bid"' "$dir/events.json")" -eq 4600 ] || fail "bids are not 46 in 50"

# q2 by awk: the auction and price of bids whose auction is divisible by 123.
awk -F'[:,]' '/"type":"bid"/ { if ($4 % 123 == 0) print $4 "," $8 }' "$dir/events.json" \
  | sort > "$dir/q2.want"
[ -s "$dir/q2.want" ] || fail "no bid of an auction divisible by 123 in the test file"
for p in 1 2; do
  "$nexmark" --query q2 --input "$dir/events.json" --output "$dir/q2.out" --parallelism $p
  sort "$dir/q2.out" | cmp -s - "$dir/q2.want" || fail "q2 at parallelism $p differs from awk"
done

# The in-process generator gives the same events as the file of the same seed.
"$nexmark" --query q0 --input "$dir/events.json" --output "$dir/q0.file" --parallelism 2
"$nexmark" --query q0 --events 5000 --seed 4 --first-event-rate 500 --output "$dir/q0.gen" \
  --parallelism 2
[ "$(wc -l < "$dir/q0.file")" -eq 4600 ] || fail "q0 wrote $(wc -l < "$dir/q0.file") lines"
diff <(sort "$dir/q0.file") <(sort "$dir/q0.gen") > /dev/null || fail "q0 --events differs from --input"

# --json: the last line is one JSON object with the issue's keys.
"$nexmark" --query q1 --events 20000 --parallelism 1 --repeat 2 --json > "$dir/json.out"
tail -n 1 "$dir/json.out" | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
for k in ["query", "events", "parallelism", "events_per_s", "events_per_s_per_core",
          "baseline_events_per_s", "ratio", "p50_ms", "p99_ms"]:
    assert k in o, k
assert o["query"] == "q1" and o["events"] == 20000 and o["parallelism"] == 1
assert o["events_per_s"] > 0 and o["baseline_events_per_s"] > 0
' || fail "--json's last line: $(tail -n 1 "$dir/json.out")"

# Errors.
cp "$dir/events.json" "$dir/bad.json"
echo '{"type":"bid","auction":12' >> "$dir/bad.json"
if "$nexmark" --query q0 --input "$dir/bad.json" --output "$dir/x" 2> "$dir/err"; then
  fail "a malformed line was accepted"
fi
grep -q "$dir/bad.json:5001: not valid JSON" "$dir/err" || fail "error does not name the line: $(cat "$dir/err")"
status=0
"$nexmark" --query q6 --events 10 --output "$dir/x" 2> "$dir/err" || status=$?
[ $status -eq 2 ] && grep -q "unknown query 'q6'" "$dir/err" || fail "unknown query: $status $(cat "$dir/err")"
status=0
"$gen" --events ten --out "$dir/x" 2> "$dir/err" || status=$?
[ $status -eq 2 ] && grep -q -- "--events" "$dir/err" || fail "bad --events: $status $(cat "$dir/err")"
echo "nexmark programs: ok"
