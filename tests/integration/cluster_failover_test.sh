#!/usr/bin/env bash
# word_count on a job manager and two task managers with checkpoints every 200 ms and the
# exactly-once file sink, failed mid-run (each time after at least one more completed checkpoint,
# at a random moment) in one of these ways:
#   kill-tm  kill -9 of a task manager, twice; a replacement task manager is started each time
#   stop-tm  SIGSTOP of a task manager: lost after --heartbeat-timeout-ms; a replacement is
#            started; resumed afterwards, the stopped one finds its job manager gone and exits 1
#   kill-jm  kill -9 of the job manager: the task managers exit 1; a new job manager with
#            --restore latest and new task managers continue the job
#   partition-tm  task manager 2 runs in its own network namespace, linked by a veth pair; the
#            link goes down: it is lost after --heartbeat-timeout-ms, a replacement is started,
#            and the partitioned one finds its job manager gone and exits 1. Skipped (exit 77)
#            where network namespaces cannot be made (needs root and iproute2).
#   local-recovery  with --local-recovery true and task managers of 2 slots (the job's 2 go
#            one to each), kill -9 of task manager 2 after the first completed checkpoint: task
#            manager 1 takes both slots; the subtask it ran restores its keyed state from its
#            local copy, the one task manager 2 ran from the checkpoint directory
# The committed output must be every word's rolling counts 1..n exactly once (computed here).
set -euo pipefail
bin=$1 mode=$2
work=$(mktemp -d)
source "$(dirname "$0")/cluster_lib.sh"

word_count_input "$work/input.txt" 30000
rolling_counts "$work/input.txt" > "$work/expected"
common=(--input "$work/input.txt" --parallelism 2 --output "$work/out" --source-rate 10000
        --checkpoint-interval-ms 200 --checkpoint-dir "$work/chk" --restart-delay-ms 100
        --heartbeat-timeout-ms 1000)

tm_flags=()  # of both task managers
tm2_flags=() # partition-tm: where task manager 2 listens for its peers
start_cluster() { # ARGS...: a job manager and task managers tm1, tm2 (pids in jm, tm1, tm2)
  start_job_manager jm "$bin" "${common[@]}" --taskmanagers 2 "$@"
  jm=$jm_pid
  start_task_manager tm1 "$bin" "${common[@]}" "${tm_flags[@]}" --taskmanager-bind "$jm_host"
  tm1=$tm_pid
  tm_prefix=("${tm2_prefix[@]}")
  start_task_manager tm2 "$bin" "${common[@]}" "${tm_flags[@]}" "${tm2_flags[@]}"
  tm2=$tm_pid
  tm_prefix=()
}

# partition-tm: a namespace for task manager 2 behind a veth pair (host side $veth).
tm2_prefix=()
if [ "$mode" = partition-tm ]; then
  ns=sluice-$$ veth=slh$$ subnet=10.213.$(($$ % 250))
  if ! command -v ip > /dev/null || ! ip netns add "$ns" 2> /dev/null; then
    echo "SKIPPED: network namespaces are not available here (needs root and iproute2's ip)"
    exit 77
  fi
  trap 'cluster_cleanup; ip link del "$veth" 2>/dev/null || true; ip netns del "$ns"' EXIT
  ip link add "$veth" type veth peer name "sln$$"
  ip link set "sln$$" netns "$ns"
  ip addr add "$subnet.1/24" dev "$veth"
  ip link set "$veth" up
  ip netns exec "$ns" ip addr add "$subnet.2/24" dev "sln$$"
  ip netns exec "$ns" ip link set "sln$$" up
  jm_host=$subnet.1
  tm2_prefix=(ip netns exec "$ns")
  tm2_flags=(--taskmanager-bind "$subnet.2")
  common+=(--insecure) # the processes listen on the veth pair's addresses, without TLS
fi

# Waits for one more completed checkpoint, then a random moment (up to 0.3 s).
next_failure_point() {
  wait_for_checkpoint "$work/chk" "$(latest_checkpoint "$work/chk")" "$jm"
  kill -0 "$jm" 2>/dev/null || { echo "the job ended before it could be failed"; exit 1; }
  sleep "0.$((RANDOM % 300))"
}

if [ "$mode" = local-recovery ]; then
  common+=(--local-recovery true --state-dir "$work/state")
  tm_flags=(--slots 2)
fi
start_cluster
case "$mode" in
  kill-tm)
    next_failure_point
    kill -9 "$tm2"
    start_task_manager tm3 "$bin" "${common[@]}"
    tm3=$tm_pid
    next_failure_point
    kill -9 "$tm1"
    start_task_manager tm4 "$bin" "${common[@]}"
    tm4=$tm_pid
    expect_status jm "$jm" 0
    expect_status tm3 "$tm3" 0
    expect_status tm4 "$tm4" 0
    grep -q "task manager .* lost" "$work/jm.err" || { echo "no loss logged"; exit 1; }
    ;;
  stop-tm | partition-tm)
    next_failure_point
    if [ "$mode" = stop-tm ]; then kill -STOP "$tm2"; else ip link set "$veth" down; fi
    start_task_manager tm3 "$bin" "${common[@]}" --taskmanager-bind "$jm_host"
    tm3=$tm_pid
    expect_status jm "$jm" 0
    expect_status tm1 "$tm1" 0
    expect_status tm3 "$tm3" 0
    grep -q "task manager .* lost" "$work/jm.err" || { echo "no loss logged"; exit 1; }
    [ "$mode" = stop-tm ] && kill -CONT "$tm2"
    expect_status tm2 "$tm2" 1
    grep -q "job manager at .* went away" "$work/tm2.err" || { cat "$work/tm2.err"; exit 1; }
    ;;
  kill-jm)
    next_failure_point
    kill -9 "$jm"
    expect_status tm1 "$tm1" 1
    expect_status tm2 "$tm2" 1
    grep -q "job manager at .* went away" "$work/tm1.err" || { cat "$work/tm1.err"; exit 1; }
    start_cluster --restore latest
    expect_status jm "$jm" 0
    expect_status tm1 "$tm1" 0
    expect_status tm2 "$tm2" 0
    ;;
  local-recovery)
    wait_for_checkpoint "$work/chk" 0 "$jm"
    kill -9 "$tm2"
    expect_status jm "$jm" 0
    expect_status tm1 "$tm1" 0
    restored="restoring the keyed state of checkpoint [0-9]* from"
    grep -q "$restored the local copy" "$work/tm1.err" ||
      { echo "no subtask restored from its local copy"; exit 1; }
    grep -q "$restored the checkpoint directory: no local copy" "$work/tm1.err" ||
      { echo "no subtask restored from the checkpoint directory"; exit 1; }
    ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
committed "$work/out" > "$work/out.sorted"
diff -q "$work/expected" "$work/out.sorted"
echo "ok ($mode)"
