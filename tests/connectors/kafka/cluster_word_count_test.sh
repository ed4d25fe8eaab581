#!/usr/bin/env bash
# kafka_word_count as a job manager and two task managers (separate processes), reading from and
# writing to sluice_kafka_mock: at-least-once, and exactly-once with checkpoints every 200 ms; the
# output topic must hold exactly the counts computed here by tr/sort/uniq/awk, and every
# process exits 0.
set -euo pipefail
bin=$1
. "$(dirname "$0")/kafka_lib.sh"
. "$(dirname "$0")/../../integration/cluster_lib.sh" # its cleanup replaces kafka_lib's
start_mock --brokers 2 --topic lines:4
started_pids+=("$mock_pid")
make_input "$work/input.txt" 3000
kcat -P -b "$bootstrap" -t lines -l "$work/input.txt"
expected_counts "$work/input.txt" > "$work/expected"

check_topic() {
  read_topic "$1" | cut -d' ' -f2 | sort > "$work/$1.sorted"
  diff -q "$work/expected" "$work/$1.sorted" || fail "topic $1 differs from the expected counts"
}
common=(--bootstrap-servers "$bootstrap" --input-topic lines --bounded --parallelism 2)
run_cluster "$bin/kafka_word_count" 2 1 "${common[@]}" --output-topic cluster-alo
check_topic cluster-alo
run_cluster "$bin/kafka_word_count" 2 1 "${common[@]}" --output-topic cluster-eo \
  --delivery exactly-once --checkpoint-interval-ms 200 --checkpoint-dir "$work/chk"
check_topic cluster-eo
echo ok
