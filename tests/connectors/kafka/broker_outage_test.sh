#!/usr/bin/env bash
# The broker made unavailable while kafka_word_count (at-least-once, checkpoints every 200 ms)
# runs: sluice_kafka_mock's only broker goes down after the first completed checkpoint and comes
# back a second later. The job rides it out (librdkafka retries), or fails and is restarted with
# --restore latest; either way every count 1..n computed by tr/sort/uniq/awk must be on the
# output topic, and nothing else.
set -euo pipefail
bin=$1
. "$(dirname "$0")/kafka_lib.sh"

mock_commands=1
start_mock --brokers 1 --topic lines:3
make_input "$work/input.txt" 3000
kcat -P -b "$bootstrap" -t lines -l "$work/input.txt"
expected_counts "$work/input.txt" > "$work/expected"

completed() { ls -d "$work"/chk/*/chk-*/_metadata 2>/dev/null | wc -l; }
restore=()
status=1
for attempt in 1 2 3; do
  "$bin/kafka_word_count" --bootstrap-servers "$bootstrap" --input-topic lines --bounded \
    --output-topic counts --parallelism 2 --delivery at-least-once --checkpoint-interval-ms 200 \
    --checkpoint-dir "$work/chk" --source-rate 1500 "${restore[@]}" 2> "$work/job-$attempt.err" &
  job_pid=$!
  if [ "$attempt" = 1 ]; then
    while kill -0 "$job_pid" 2>/dev/null && [ "$(completed)" -eq 0 ]; do sleep 0.02; done
    mock_command "down 1"
    sleep 1 # the outage
    mock_command "up 1"
  fi
  status=0
  wait "$job_pid" || status=$?
  job_pid=
  [ "$status" -eq 0 ] && break
  echo "attempt $attempt failed ($status), restarting: $(tail -1 "$work/job-$attempt.err")"
  restore=(--restore latest)
done
[ "$status" -eq 0 ] || fail "the job did not complete after the outage"
read_topic counts | cut -d' ' -f2 | sort -u > "$work/distinct"
diff -q "$work/expected" "$work/distinct" || fail "counts lost or wrong after the outage"
echo "ok after $attempt attempt(s)"
