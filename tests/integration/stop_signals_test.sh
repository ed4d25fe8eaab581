#!/usr/bin/env bash
# SIGTERM / SIGINT to a running job process:
#  1. local job, SIGINT: cancelled, exit 130; the committed output holds each word's rolling
#     counts 1..k without gap or duplicate (exactly-once sink left consistent)
#  2. local job with --savepoint-on-stop DIR, SIGTERM: stopped with a savepoint, exit 0;
#     restored from it, the job completes and its committed output is exactly the expected
#  3. job manager with --savepoint-on-stop DIR and two task managers, SIGTERM to the job
#     manager: every process exits 0 and the savepoint exists
# Expected counts are computed here with tr/sort/awk.
set -euo pipefail
bin=$1
work=$(mktemp -d)
source "$(dirname "$0")/cluster_lib.sh"

word_count_input "$work/input.txt" 30000
rolling_counts "$work/input.txt" > "$work/expected"
common=(--input "$work/input.txt" --parallelism 2 --source-rate 10000 --checkpoint-interval-ms 100)

# run_until_checkpoint NAME ARGS...: starts the job in the background (pid in $pid) and waits
# for its first completed checkpoint under $work/NAME-chk.
run_until_checkpoint() {
  local name=$1; shift
  "$bin" "${common[@]}" --checkpoint-dir "$work/$name-chk" --output "$work/$name-out" "$@" \
    2> "$work/$name.err" &
  pid=$!
  started_pids+=("$pid")
  wait_for_checkpoint "$work/$name-chk" 0 "$pid"
}

# gapless FILE: every word's counts in FILE are 1..k, each once.
gapless() {
  sort -t, -k1,1 -k2,2n "$1" | awk -F, '$1 != w { w = $1; n = 0 } { if ($2 != ++n) exit 1 }'
}

# 1. SIGINT cancels. The sink commits a checkpoint's files when it learns that the checkpoint
# completed, a moment after its _metadata: the SIGINT waits for the first committed file.
run_until_checkpoint cancel
while kill -0 "$pid" 2>/dev/null && ! compgen -G "$work/cancel-out/part-*" > /dev/null; do
  sleep 0.02
done
kill -INT "$pid"
expect_status cancel "$pid" 130
grep -q "received SIGINT: stopping the job" "$work/cancel.err" || { cat "$work/cancel.err"; exit 1; }
committed "$work/cancel-out" > "$work/cancel.committed"
gapless "$work/cancel.committed" || { echo "1: committed counts have gaps or duplicates"; exit 1; }
[ "$(wc -l < "$work/cancel.committed")" -lt "$(wc -l < "$work/expected")" ] ||
  { echo "1: the job was not stopped before its end"; exit 1; }

# 2. SIGTERM with --savepoint-on-stop: a savepoint, exit 0, and a restore completes the job.
run_until_checkpoint sp --savepoint-on-stop "$work/savepoints"
kill -TERM "$pid"
expect_status sp "$pid" 0
savepoint=$(ls -d "$work"/savepoints/savepoint-word_count-*)
[ -f "$savepoint/_metadata" ] || { cat "$work/sp.err"; echo "2: no savepoint"; exit 1; }
grep -q "stopped with a savepoint: $savepoint" "$work/sp.err" || { cat "$work/sp.err"; exit 1; }
"$bin" --input "$work/input.txt" --parallelism 2 --checkpoint-interval-ms 100 \
  --checkpoint-dir "$work/sp-chk" --output "$work/sp-out" --restore "$savepoint" 2> "$work/sp2.err" ||
  { cat "$work/sp2.err"; echo "2: the restore failed"; exit 1; }
committed "$work/sp-out" > "$work/sp.committed"
diff -q "$work/expected" "$work/sp.committed" > /dev/null ||
  { echo "2: committed output differs from the expected rolling counts"; exit 1; }

# 3. SIGTERM to a job manager with --savepoint-on-stop.
cluster_args=("${common[@]}" --checkpoint-dir "$work/cl-chk" --output "$work/cl-out"
              --savepoint-on-stop "$work/cl-savepoints")
start_job_manager jm "$bin" "${cluster_args[@]}" --taskmanagers 2
jm=$jm_pid
start_task_manager tm1 "$bin" "${cluster_args[@]}"
tm1=$tm_pid
start_task_manager tm2 "$bin" "${cluster_args[@]}"
tm2=$tm_pid
wait_for_checkpoint "$work/cl-chk" 0 "$jm"
kill -TERM "$jm"
expect_status jm "$jm" 0
expect_status tm1 "$tm1" 0
expect_status tm2 "$tm2" 0
ls "$work"/cl-savepoints/savepoint-word_count-*/_metadata > /dev/null ||
  { cat "$work/jm.err"; echo "3: no savepoint"; exit 1; }
echo ok
