#!/usr/bin/env bash
# kafka_word_count against sluice_kafka_mock in its own process: lines written with kcat, the job
# run bounded at each delivery guarantee, and the counts on the output topic (values word,count
# keyed by word) compared with counts computed here by tr/sort/uniq/awk. Then at-least-once with
# checkpoints every 200 ms, killed with kill -9 after checkpoints and restarted with
# --restore latest at parallelism 2, 3, 2, ... until it completes: every count 1..n must be
# present, and nothing else.
set -euo pipefail
bin=$1
. "$(dirname "$0")/kafka_lib.sh"

start_mock --brokers 2 --topic lines:3
make_input "$work/input.txt" 3000
kcat -P -b "$bootstrap" -t lines -l "$work/input.txt"
expected_counts "$work/input.txt" > "$work/expected"

check_output() { # TOPIC: keys are the words, values exactly the expected counts
  read_topic "$1" > "$work/$1.raw"
  awk '{ split($2, f, ","); if (f[1] != $1) { print "key " $1 " for " $2; exit 1 } }' "$work/$1.raw"
  cut -d' ' -f2 "$work/$1.raw" | sort > "$work/$1.sorted"
  diff -q "$work/expected" "$work/$1.sorted" || fail "topic $1 differs from the expected counts"
}

job=("$bin/kafka_word_count" --bootstrap-servers "$bootstrap" --input-topic lines --bounded)
run() { "${job[@]}" --parallelism 2 "$@"; }
run --output-topic out-none --delivery none
check_output out-none
run --output-topic out-alo --delivery at-least-once
check_output out-alo
run --output-topic out-eo --delivery exactly-once --checkpoint-interval-ms 200 \
  --checkpoint-dir "$work/chk-eo"
check_output out-eo

latest() { # the highest id of a completed checkpoint, 0 without one
  local ids
  ids=$(ls -d "$work"/chk/*/chk-*/_metadata 2>/dev/null |
    sed -E 's|.*/chk-([0-9]+)/_metadata|\1|' | sort -n | tail -1)
  echo "${ids:-0}"
}
kills=0
restore=()
status=1
for attempt in 1 2 3 4 5 6 7 8; do
  before=$(latest)
  # Parallelism 2, 3, 2, ...: each restore redistributes the partitions and the keyed state.
  "${job[@]}" --parallelism $((2 + (attempt + 1) % 2)) --output-topic out-killed \
    --delivery at-least-once --checkpoint-interval-ms 200 --checkpoint-dir "$work/chk" \
    --source-rate 1500 "${restore[@]}" 2> "$work/job-$attempt.err" &
  job_pid=$!
  # Wait for one more completed checkpoint (or the end of the job).
  while kill -0 "$job_pid" 2>/dev/null && [ "$(latest)" -le "$before" ]; do sleep 0.02; done
  if [ "$kills" -lt 3 ] && kill -0 "$job_pid" 2>/dev/null; then
    sleep "0.$((RANDOM % 300))"
    if kill -9 "$job_pid" 2>/dev/null; then
      kills=$((kills + 1))
      echo "killed attempt $attempt after checkpoint $(latest)"
    fi
  fi
  status=0
  wait "$job_pid" || status=$?
  job_pid=
  restore=(--restore latest)
  [ "$status" -eq 0 ] && break
  [ "$status" -eq 137 ] || fail "attempt $attempt exited with $status: $(cat "$work/job-$attempt.err")"
done
[ "$status" -eq 0 ] || fail "the job did not complete"
[ "$kills" -ge 1 ] || fail "the job was never killed"
read_topic out-killed | cut -d' ' -f2 | sort -u > "$work/killed.distinct"
diff -q "$work/expected" "$work/killed.distinct" ||
  fail "after $kills kills, the distinct counts differ from the expected ones"
echo "ok: none, at-least-once and exactly-once outputs exact; at-least-once complete after $kills kills"
