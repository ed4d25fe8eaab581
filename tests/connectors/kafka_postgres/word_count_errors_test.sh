#!/usr/bin/env bash
# kafka_word_count's PostgreSQL output errors: both outputs given, a missing --table, a bad table
# name, --delivery none, and an unreachable database at start fail with a clear message naming
# the flag or the server, a non-zero exit, within a bounded time.
set -euo pipefail
bin=$1
. "$(dirname "$0")/../kafka/kafka_lib.sh"
start_mock --brokers 1 --topic lines:1
echo "a line" | kcat -P -b "$bootstrap" -t lines

db=postgresql://sluice@127.0.0.1:1/postgres # nothing listens on port 1
expect_error() { # TEXT ARGS...: the job fails and its stderr contains TEXT
  local text=$1 status=0; shift
  timeout 60 "$bin/kafka_word_count" --bootstrap-servers "$bootstrap" --input-topic lines \
    --bounded --parallelism 1 "$@" 2> "$work/err" || status=$?
  [ "$status" -ne 0 ] && [ "$status" -ne 124 ] || fail "expected a failure, got status $status"
  grep -qF -- "$text" "$work/err" || fail "stderr lacks '$text': $(cat "$work/err")"
}
expect_error "flags --output-topic and --postgres/--table exclude each other" \
  --output-topic out --postgres "$db" --table t
expect_error "flag --table is required" --postgres "$db"
expect_error "flag --postgres is required" --table t
expect_error "flag --table: 'x;drop' is not a table name" --postgres "$db" --table 'x;drop'
expect_error "flag --delivery: 'none'" --postgres "$db" --table t --delivery none
expect_error "cannot connect after 2 attempt(s) on PostgreSQL" --postgres "$db" --table t
expect_error "flag --output-topic or flags --postgres and --table are required"
echo ok
