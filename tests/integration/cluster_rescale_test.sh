#!/usr/bin/env bash
# `sluice rescale` against a running cluster: a job manager and three task managers
# of two slots each (separate processes on 127.0.0.1), checkpoints every 200 ms, the
# exactly-once file sink. Modes:
#   steps    the job is rescaled 2 -> 3 -> 1 -> 4 while it runs; each reply names the change
#   kill-tm  kill -9 of task manager 3 once the job manager took a rescale request; a
#            replacement task manager is started; the rescale succeeds or fails, the job goes on
# Either way the committed output must be every word's rolling counts 1..n exactly once
# (computed here), and every process still running exits 0.
#   windows  window_aggregate (the fourth argument; tumbling event-time windows) rescaled
#            2 -> 3 -> 1 -> 4 the same way: its committed firings equal a plain run's, and
#            its source (parallelism 1) is kept in place by each rescale; RocksDB state
# In steps and windows, the new subtasks restore the key groups of the replaced ones from
# their hand-off copies (fetched from the other task managers), none from --checkpoint-dir;
# in windows, the moved key groups come as files the old subtasks prepared before the stop.
set -euo pipefail
bin=$1
sluice=$2
mode=$3
windows_bin=${4:-}
work=$(mktemp -d)
source "$(dirname "$0")/cluster_lib.sh"

fail() { echo "FAILED: $*"; exit 1; }
jm_cli() { "$sluice" --jobmanager "127.0.0.1:$jm_port" "$@"; }
checkpointed() { jm_cli status "$job" --json 2>/dev/null | grep -q '"latest_checkpoint":[0-9]'; }
rescale_taken() { grep -q "rescaling:" "$work/jm.err"; }

common=(--parallelism 2 --output "$work/out" --checkpoint-interval-ms 200
        --checkpoint-dir "$work/chk" --restart-delay-ms 100 --heartbeat-timeout-ms 1000)
job=word_count
if [ "$mode" = windows ]; then
  window_events "$work/in.csv"
  window_flags=(--input "$work/in.csv" --window tumbling --size 1000 --out-of-orderness 30)
  "$windows_bin" "${window_flags[@]}" --parallelism 2 --output "$work/plain.txt"
  sort "$work/plain.txt" > "$work/expected"
  # RocksDB state here (word_count keeps its counts on the heap): the hand-off copies moved
  # between task managers are RocksDB checkpoints.
  common+=("${window_flags[@]}" --source-rate 4000 --state-backend rocksdb)
  bin=$windows_bin
  job=window_aggregate
else
  word_count_input "$work/input.txt" 40000
  rolling_counts "$work/input.txt" > "$work/expected"
  common+=(--input "$work/input.txt" --source-rate 8000)
fi

start_job_manager jm "$bin" "${common[@]}" --taskmanagers 3 --log-level info
jm=$jm_pid
tms=()
for i in 1 2 3; do
  start_task_manager "tm$i" "$bin" "${common[@]}" --slots 2 --log-level info
  tms+=("$tm_pid")
done
wait_until jm "$jm" checkpointed

case "$mode" in
  steps | windows)
    before=2
    for p in 3 1 4; do
      reply=$(jm_cli rescale "$job" --parallelism "$p")
      echo "$reply" | grep -q -- "$before -> $p" || fail "rescale to $p replied: $reply"
      before=$p
    done
    # 1 -> 4 puts new subtasks on at least two task managers (two slots each): some restore
    # the old subtask's copy fetched from another one. No restore reads the checkpoint dir.
    handoff=$(cat "$work"/tm?.err | grep "from the rescale's hand-off copies" || true)
    echo "$handoff" | grep -Eq "copies \([1-9][0-9]* fetched" ||
      fail "no hand-off copy was fetched from another task manager: $handoff"
    ! echo "$handoff" | grep -Eq "[1-9][0-9]* from the checkpoint directory" ||
      fail "a restore read the checkpoint directory: $handoff"
    ! grep -h "hand-off copy .* cannot be used" "$work"/tm?.err || fail "unusable hand-off copies"
    # window_aggregate's source runs at parallelism 1: every rescale keeps it in place.
    # Its RocksDB windows' key groups that a new subtask takes from an old one other than its
    # base were prepared by the old one before the stop and are ingested, fetched copies
    # included: 2 -> 3 one old subtask's, 3 -> 1 two, 1 -> 4 none.
    if [ "$mode" = windows ]; then
      ingested=$(cat "$work"/tm?.err | sed -n 's/.*moved from \([0-9]*\) old subtask.*/\1/p' |
                 awk '{ n += $1 } END { print n + 0 }')
      [ "$ingested" = 3 ] || fail "prepared key groups of $ingested old subtasks ingested, not 3"
      ! grep -h "prepared for the rescale's successors are dropped" "$work"/tm?.err ||
        fail "prepared key groups were dropped"
      [ "$(grep -c "keeping 1 in place" "$work/jm.err")" = 3 ] ||
        fail "the source was not kept in place by each rescale: $(grep deploying "$work/jm.err")"
    fi
    ;;
  kill-tm)
    jm_cli rescale word_count --parallelism 3 > "$work/rescale.out" 2>&1 &
    client=$!
    wait_until jm "$jm" rescale_taken
    kill -9 "${tms[2]}"
    start_task_manager tm4 "$bin" "${common[@]}" --slots 2
    tms[2]=$tm_pid
    wait "$client" || grep -q "no rescale of job 'word count'" "$work/rescale.out" ||
      fail "rescale during a lost task manager: $(cat "$work/rescale.out")"
    ;;
  *) fail "unknown mode $mode" ;;
esac

expect_status jm "$jm" 0
for i in 0 1 2; do expect_status "tm$((i + 1))" "${tms[$i]}" 0; done
committed "$work/out" > "$work/out.sorted"
diff -q "$work/expected" "$work/out.sorted"
echo ok
