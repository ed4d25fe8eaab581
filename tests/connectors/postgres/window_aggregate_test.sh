#!/usr/bin/env bash
# postgres_window_aggregate writes every window's row to its table: at-least-once without
# checkpoints and exactly-once with them, at parallelism 2; the rows must equal the windows
# computed by awk from the input. Bad flags and an unreachable database: clear errors.
set -euo pipefail
bin=$1 env_file=$2
. "$(dirname "$0")/pg_lib.sh"
load_services "$env_file"
work=$(mktemp -d)
table=wa_$$
trap 'sql "DROP TABLE IF EXISTS ${table}_a, ${table}_b" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

make_events "$work/events" 20000
expected_windows "$work/events" 1000 > "$work/expected"

"$bin" --input "$work/events" --postgres "$POSTGRES_URL" --table "${table}_a" --size 1000 \
  --delivery at-least-once --parallelism 2 --batch-size 50
table_rows "${table}_a" > "$work/a"
diff "$work/expected" "$work/a"

"$bin" --input "$work/events" --postgres "$POSTGRES_URL" --table "${table}_b" --size 1000 \
  --parallelism 2 --checkpoint-interval-ms 50 --checkpoint-dir "$work/chk"
table_rows "${table}_b" > "$work/b"
diff "$work/expected" "$work/b"
left=$(sql "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE '%/Sink__table_${table}_b/%'")
[ -z "$left" ] || { echo "prepared transactions left: $left"; exit 1; }

expect_error() { # $1 = text the error must contain; the rest: flags
  local want=$1 status=0; shift
  "$bin" --input "$work/events" --size 1000 "$@" 2> "$work/err" >/dev/null || status=$?
  [ "$status" -ne 0 ] || { echo "exit 0 with $*"; exit 1; }
  grep -qF -- "$want" "$work/err" || { echo "no '$want' in:"; cat "$work/err"; exit 1; }
}
expect_error "flag --table: 'x;drop' is not a table name" --postgres "$POSTGRES_URL" --table 'x;drop'
expect_error "flag --delivery: 'twice'" --postgres "$POSTGRES_URL" --table t --delivery twice
expect_error "flag --postgres is required" --table t
# Nothing listens on port 1: connection refused, reported after the attempts.
expect_error "cannot connect after 2 attempt(s) on PostgreSQL" \
  --postgres postgresql://sluice@127.0.0.1:1/postgres --table t
echo ok
