#!/usr/bin/env bash
# kafka_window_aggregate: key,timestamp_ms,value lines produced to a topic of 4 partitions, per-key
# tumbling windows of 1000 ms written to PostgreSQL at parallelism 2, at-least-once without
# checkpoints and exactly-once with checkpoints every 200 ms; the rows must equal the windows
# computed by awk from the produced lines. A malformed line and a bad flag: clear errors.
set -euo pipefail
bin=$1 env_file=$2
here=$(dirname "$0")
. "$here/../kafka/kafka_lib.sh"
. "$here/../postgres/pg_lib.sh"
load_services "$env_file"
table=kpwa_$$
trap 'sql "DROP TABLE IF EXISTS ${table}_a, ${table}_b" >/dev/null 2>&1 || true; cleanup' EXIT

start_mock --brokers 1 --topic events:4 --topic bad:1
make_events "$work/events" 20000
kcat -P -b "$bootstrap" -t events -l "$work/events"
expected_windows "$work/events" 1000 > "$work/expected"

# kcat spreads the lines over the partitions in batches: a partition whose first batch is polled
# after a later batch of another must still not find its records late (each assigned partition
# holds the watermark back from its assignment), so every window must be exact.
run() { # ARGS...: the job on topic events, bounded, at parallelism 2
  timeout 120 "$bin/kafka_window_aggregate" --bootstrap-servers "$bootstrap" --bounded \
    --parallelism 2 --size 1000 --postgres "$POSTGRES_URL" "$@" 2> "$work/err" ||
    fail "kafka_window_aggregate $*: $(tail -n 20 "$work/err")"
}
run --input-topic events --table "${table}_a" --delivery at-least-once --batch-size 50
table_rows "${table}_a" > "$work/a"
diff -q "$work/expected" "$work/a" || fail "table ${table}_a differs from the expected windows"

run --input-topic events --table "${table}_b" --checkpoint-interval-ms 200 \
  --checkpoint-dir "$work/chk"
table_rows "${table}_b" > "$work/b"
diff -q "$work/expected" "$work/b" || fail "table ${table}_b differs from the expected windows"
left=$(sql "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'sluice/kafka_window_aggregate/%${table}_b/%'")
[ -z "$left" ] || fail "prepared transactions left: $left"

expect_error() { # TEXT ARGS...: the job fails and its stderr contains TEXT
  local text=$1 status=0; shift
  timeout 60 "$bin/kafka_window_aggregate" --bootstrap-servers "$bootstrap" --bounded \
    --size 1000 --postgres "$POSTGRES_URL" "$@" 2> "$work/err" || status=$?
  [ "$status" -ne 0 ] && [ "$status" -ne 124 ] || fail "expected a failure, got status $status"
  grep -qF -- "$text" "$work/err" || fail "stderr lacks '$text': $(cat "$work/err")"
}
printf 'k1,5,7\nk2,x,3\n' | kcat -P -b "$bootstrap" -t bad
expect_error "topic 'bad' partition 0 offset 1" --input-topic bad --table "${table}_a"
expect_error "flag --delivery: 'none'" --input-topic events --table "${table}_a" --delivery none
echo ok
