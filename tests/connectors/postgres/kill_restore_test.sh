#!/usr/bin/env bash
# postgres_window_aggregate writing exactly-once with checkpoints every 200 ms, killed with
# kill -9 at random moments (each time after one more checkpoint completed) and started again
# with --restore latest until it completes: the table must hold every window's row exactly once
# (as computed by awk from the input) and no prepared transaction may be left.
set -euo pipefail
bin=$1 env_file=$2
. "$(dirname "$0")/pg_lib.sh"
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

latest() { # the highest id of a completed checkpoint, 0 without one
  local ids
  ids=$(ls -d "$work"/chk/*/chk-*/_metadata 2>/dev/null |
    sed -E 's|.*/chk-([0-9]+)/_metadata|\1|' | sort -n | tail -1)
  echo "${ids:-0}"
}

kills=0
restore=()
for attempt in 1 2 3 4 5 6 7 8; do
  before=$(latest)
  "$bin" --input "$work/events" --postgres "$POSTGRES_URL" --table "$table" --size 200 \
    --parallelism 2 --batch-size 100 --source-rate 15000 --checkpoint-interval-ms 200 \
    --checkpoint-dir "$work/chk" --state-dir "$work/state-$attempt" "${restore[@]}" \
    2> "$work/log-$attempt" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null && [ "$(latest)" -le "$before" ]; do sleep 0.02; done
  if [ "$kills" -lt 3 ] && kill -0 "$pid" 2>/dev/null; then
    sleep "0.$((RANDOM % 400))"
    if kill -9 "$pid" 2>/dev/null; then
      kills=$((kills + 1))
      echo "killed attempt $attempt after checkpoint $(latest)"
    fi
  fi
  status=0
  wait "$pid" || status=$?
  pid=
  restore=(--restore latest)
  [ "$status" -eq 0 ] && break
  [ "$status" -eq 137 ] || { echo "attempt $attempt failed ($status):"; cat "$work/log-$attempt"; exit 1; }
done
[ "$status" -eq 0 ] || { echo "the job did not complete"; exit 1; }
[ "$kills" -ge 1 ] || { echo "the job was never killed"; exit 1; }
table_rows "$table" > "$work/rows"
diff "$work/expected" "$work/rows"
# The sink's transactions: sluice/<job>/<operator "Sink: table NAME">/<subtask>/<checkpoint>.
left=$(sql "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE '%/Sink__table_$table/%'")
[ -z "$left" ] || { echo "prepared transactions left: $left"; exit 1; }
echo "ok after $kills kills"
