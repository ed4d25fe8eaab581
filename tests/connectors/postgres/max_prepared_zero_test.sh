#!/usr/bin/env bash
# A second server with max_prepared_transactions = 0: exactly-once is refused at start with an
# error naming the setting; at-least-once writes every window's row to the same server.
set -euo pipefail
bin=$1 services=$2
. "$(dirname "$0")/pg_lib.sh"
work=$(mktemp -d)
trap '"$services" stop --state "$work/state" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$services" start --state "$work/state" --env-file "$work/env" --max-prepared-transactions 0 \
  --no-kafka >/dev/null
load_services "$work/env"
make_events "$work/events" 3000
expected_windows "$work/events" 500 > "$work/expected"

status=0
"$bin" --input "$work/events" --postgres "$POSTGRES_URL" --table t --size 500 \
  --checkpoint-interval-ms 100 --checkpoint-dir "$work/chk" --restart-strategy none \
  2> "$work/err" || status=$?
[ "$status" -ne 0 ] || { echo "exactly-once ran on a server without prepared transactions"; exit 1; }
grep -q "max_prepared_transactions = 0" "$work/err" || { cat "$work/err"; exit 1; }
[ "$(sql "SELECT count(*) FROM t")" -eq 0 ]

"$bin" --input "$work/events" --postgres "$POSTGRES_URL" --table t --size 500 \
  --delivery at-least-once
table_rows t > "$work/rows"
diff "$work/expected" "$work/rows"
echo ok
