#!/usr/bin/env bash
# kafka_word_count's errors: an unreachable broker at start, a missing input topic, bad flags and
# a broker refusing the output (Produce requests failing with TOPIC_AUTHORIZATION_FAILED,
# injected through sluice_kafka_mock's stdin) fail the job with a clear message naming the
# broker, topic or flag and a non-zero exit, within a bounded time.
set -euo pipefail
bin=$1
. "$(dirname "$0")/kafka_lib.sh"

expect_error() { # TEXT ARGS...: the job fails and its stderr contains TEXT
  local text=$1; shift
  local status=0
  timeout 60 "$bin/kafka_word_count" --output-topic out --parallelism 1 "$@" 2> "$work/err" ||
    status=$?
  [ "$status" -ne 0 ] && [ "$status" -ne 124 ] || fail "expected a failure, got status $status"
  grep -qF -- "$text" "$work/err" || fail "stderr lacks '$text': $(cat "$work/err")"
}
expect_error "bootstrap.servers '127.0.0.1:1'" --bootstrap-servers 127.0.0.1:1 --input-topic lines
mock_commands=1
start_mock --brokers 1 --topic lines:1
expect_error "topic 'missing' does not exist" --bootstrap-servers "$bootstrap" --input-topic missing
expect_error "--delivery" --bootstrap-servers "$bootstrap" --input-topic lines --delivery twice
expect_error "transaction.timeout.ms (60000) must be greater than --checkpoint-interval-ms (60000)" \
  --bootstrap-servers "$bootstrap" --input-topic lines --delivery exactly-once \
  --checkpoint-interval-ms 60000 --checkpoint-dir "$work/chk"
echo "a line" | kcat -P -b "$bootstrap" -t lines
mock_command "error 0 29 1000" # Produce: TOPIC_AUTHORIZATION_FAILED, for the next 1000 requests
# The words "a" and "line" go to the partitions of their keys: either may fail first.
expect_error "Broker: Topic authorization failed" \
  --bootstrap-servers "$bootstrap" --input-topic lines --bounded
grep -qE "delivery to topic 'out' partition [0-9]+: Broker: Topic authorization failed" "$work/err" ||
  fail "the error does not name the topic and partition: $(cat "$work/err")"
echo ok
