#!/usr/bin/env bash
# Kafka -> kafka_word_count -> PostgreSQL (exactly-once, checkpoints every 200 ms), MODE local
# (one process) or cluster (a job manager and two task managers): killed with kill -9 at random
# moments three times (each after one more completed checkpoint; in cluster mode every process of
# the job) and started again with --restore latest until the bounded job completes. The table
# must then hold each word's rolling counts 1..n once each (computed here with tr/sort/uniq/awk
# from the produced lines), and no prepared transaction may be left.
# With OUTPUT "topic" (no database: ENV_FILE is ignored) the counts go to a Kafka topic
# at-least-once instead: every count 1..n must be there, duplicates allowed, nothing else.
set -euo pipefail
bin=$1 env_file=$2 mode=$3 output=${4:-table}
here=$(dirname "$0")
. "$here/../kafka/kafka_lib.sh"
. "$here/../../integration/cluster_lib.sh" # its cleanup replaces kafka_lib's
table=kpwc_${mode}_$$
if [ "$output" = table ]; then
  . "$here/../postgres/pg_lib.sh"
  load_services "$env_file"
  trap 'status=$?; sql "DROP TABLE IF EXISTS $table" >/dev/null 2>&1 || true; (exit $status); cluster_cleanup' EXIT
  sink=(--postgres "$POSTGRES_URL" --table "$table" --delivery exactly-once)
else
  sink=(--output-topic counts --delivery at-least-once)
fi

start_mock --brokers 1 --topic lines:4
started_pids+=("$mock_pid")
make_input "$work/input.txt" 20000
kcat -P -b "$bootstrap" -t lines -l "$work/input.txt"
expected_counts "$work/input.txt" > "$work/expected"

common=(--bootstrap-servers "$bootstrap" --input-topic lines --bounded --parallelism 2
        "${sink[@]}" --source-rate 4000
        --checkpoint-interval-ms 200 --checkpoint-dir "$work/chk")
pids=() # the processes of the current attempt; the first is the one that completes the job
start_attempt() { # N ARGS...
  local n=$1; shift
  if [ "$mode" = local ]; then
    "$bin/kafka_word_count" "${common[@]}" "$@" > "$work/local$n.out" 2> "$work/local$n.err" &
    pids=($!)
    started_pids+=("${pids[0]}")
  else
    start_job_manager "jm$n" "$bin/kafka_word_count" "${common[@]}" "$@" --taskmanagers 2
    pids=("$jm_pid")
    for t in 1 2; do
      start_task_manager "tm$n-$t" "$bin/kafka_word_count" "${common[@]}" "$@"
      pids+=("$tm_pid")
    done
  fi
}

kills=0
restore=()
for attempt in 1 2 3 4 5 6 7 8; do
  before=$(latest_checkpoint "$work/chk")
  start_attempt "$attempt" "${restore[@]}"
  wait_for_checkpoint "$work/chk" "$before" "${pids[0]}"
  if [ "$kills" -lt 3 ] && kill -0 "${pids[0]}" 2>/dev/null; then
    sleep "0.$((RANDOM % 400))"
    if kill -9 "${pids[@]}" 2>/dev/null; then
      kills=$((kills + 1))
      echo "killed attempt $attempt after checkpoint $(latest_checkpoint "$work/chk")"
    fi
  fi
  status=0
  wait "${pids[0]}" || status=$?
  for p in "${pids[@]:1}"; do wait "$p" || true; done
  restore=(--restore latest)
  [ "$status" -eq 0 ] && break
  if [ "$status" -ne 137 ]; then
    name=local$attempt; [ "$mode" = local ] || name=jm$attempt
    fail "attempt $attempt failed ($status): $(tail -n 20 "$work/$name.err")"
  fi
done
[ "$status" -eq 0 ] || fail "the job did not complete"
[ "$kills" -ge 1 ] || fail "the job was never killed"
if [ "$output" = topic ]; then
  read_topic counts | cut -d' ' -f2 | sort -u > "$work/distinct"
  diff -q "$work/expected" "$work/distinct" ||
    fail "after $kills kills, the distinct counts on the topic differ from the expected ones"
  echo "ok ($mode, topic at-least-once) after $kills kills"
  exit 0
fi
sql "SELECT word || ',' || count FROM $table" | sort > "$work/rows"
diff -q "$work/expected" "$work/rows" || fail "table $table differs from the expected counts"
left=$(sql "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'sluice/kafka_word_count/%${table}/%'")
[ -z "$left" ] || fail "prepared transactions left: $left"
echo "ok ($mode) after $kills kills"
