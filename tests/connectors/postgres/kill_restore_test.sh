#!/usr/bin/env bash
# postgres_window_aggregate writing exactly-once with checkpoints every 200 ms, killed with
# kill -9 at random moments (each time after one more checkpoint completed) and started again
# with --restore latest until it completes: the table must hold every window's row exactly once
# (as computed by awk from the input) and no prepared transaction may be left.
set -euo pipefail
bin=$1 env_file=$2
. "$(dirname "$0")/pg_lib.sh"
. "$(dirname "$0")/../../integration/kill_restore_lib.sh"
load_services "$env_file"
work=$(mktemp -d)
table=kr_$$
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  sql "DROP TABLE IF EXISTS $table" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

make_events "$work/events" 60000
expected_windows "$work/events" 200 > "$work/expected"

launch() {
  "$bin" --input "$work/events" --postgres "$POSTGRES_URL" --table "$table" --size 200 \
    --parallelism 2 --batch-size 100 --source-rate 15000 --checkpoint-interval-ms 200 \
    --checkpoint-dir "$work/chk" --state-dir "$work/state-$1" "${@:2}" 2> "$work/log-$1" &
  pid=$!
}
kill_until_done "$work/chk" 3 400 || { tail -n 20 "$work"/log-*; exit 1; }
table_rows "$table" > "$work/rows"
diff "$work/expected" "$work/rows"
# The sink's transactions: sluice/<job>/<operator "Sink: table NAME">/<subtask>/<checkpoint>.
left=$(sql "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE '%/Sink__table_$table/%'")
[ -z "$left" ] || { echo "prepared transactions left: $left"; exit 1; }
echo "ok after $kills kills"
