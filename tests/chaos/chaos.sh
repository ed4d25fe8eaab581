#!/usr/bin/env bash
# Chaos rounds against a job manager and three task managers running window_aggregate (keyed
# tumbling windows, exactly-once part files, checkpoints every 500 ms). Each round, after one
# more completed checkpoint and a random moment, one of:
#   kill-tm  kill -9 of a random task manager; a replacement joins
#   kill-jm  kill -9 of the job manager; its task managers exit 1; a new job manager
#            (--restore latest) and three new task managers continue the job
#   stop-tm  SIGSTOP of a random task manager past --heartbeat-timeout-ms; a replacement joins;
#            once the job manager dropped it, it is resumed and must exit 1
# A task manager that exits on its own (dropped for a late heartbeat on a loaded machine) is
# replaced as a supervisor would, and named on the round's line.
# At the end the committed output must equal a failure-free run's. Prints each round's recovery
# time (failure to the next completed checkpoint).
#   tests/chaos/chaos.sh [--rounds N] [--seed S] [--bin PATH/window_aggregate]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=5 seed=$RANDOM bin=$here/../../build/bin/window_aggregate
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    *) echo "chaos.sh: unknown argument '$1' (--rounds N, --seed S, --bin PATH)" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "chaos.sh: no window_aggregate at '$bin' (--bin PATH)" >&2; exit 2; }
RANDOM=$seed
echo "chaos: $rounds rounds, seed $seed"
work=$(mktemp -d)
source "$here/../integration/cluster_lib.sh"

# About 4 s of input per round at the throttled rate, so the job outlives the rounds.
rate=2000
lines=$((rounds * rate * 4 + 5 * rate))
awk -v n="$lines" 'BEGIN { s = 11; for (i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648;
  printf "k%d,%d,%d\n", s % 17, i * 2 + s % 40, s % 1000 } }' > "$work/in.csv"
flags=(--input "$work/in.csv" --window tumbling --size 1000 --out-of-orderness 50 --parallelism 3)
# The exponential restart delay doubles with every failure of one job manager's run (reset after
# an hour without failure): capped at 1 s, a recovery time measures the recovery, not the
# backoff (uncapped, 100 ms x 2^n: rounds took tens of seconds once one job manager had seen
# eight or nine failures).
ckpt=(--checkpoint-interval-ms 500 --checkpoint-dir "$work/chk" --restart-delay-ms 100
      --restart-max-delay-ms 1000
      --heartbeat-timeout-ms 1000)

"$bin" "${flags[@]}" --output "$work/reference" --checkpoint-interval-ms 500 \
  --checkpoint-dir "$work/chk-reference" 2> "$work/reference.err"
committed "$work/reference" > "$work/expected"
[ -s "$work/expected" ] || { echo "the failure-free run committed nothing"; exit 1; }

args=("${flags[@]}" "${ckpt[@]}" --source-rate "$rate" --output "$work/out")
jms=0 tms=0
live=()     # pids of the task managers of the current job manager
names=()    # their log names
dropped=()  # "pid name" of stopped task managers to resume once dropped
start_tm() {
  tms=$((tms + 1))
  start_task_manager "tm$tms" "$bin" "${args[@]}"
  live+=("$tm_pid")
  names+=("tm$tms")
}
start_jm() { # ARGS...: a job manager and three task managers
  jms=$((jms + 1))
  start_job_manager "jm$jms" "$bin" "${args[@]}" --taskmanagers 3 "$@"
  jm=$jm_pid
  live=() names=()
  for _ in 1 2 3; do start_tm; done
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# forget INDEX: removes task manager INDEX from live and names.
forget() {
  live=("${live[@]:0:$1}" "${live[@]:$(($1 + 1))}")
  names=("${names[@]:0:$1}" "${names[@]:$(($1 + 1))}")
}
# replace_exited: a task manager of the current job manager that exited on its own is replaced,
# as a supervisor would: one the job manager dropped for a late heartbeat (a loaded machine
# starves a process past --heartbeat-timeout-ms; status 1, said on the round's line) or one done
# with the job (status 0, not replaced). Any other status fails the run.
replace_exited() {
  local i status
  for ((i = ${#live[@]} - 1; i >= 0; i--)); do
    kill -0 "${live[$i]}" 2>/dev/null && continue
    status=0
    wait "${live[$i]}" || status=$?
    case $status in
      0) forget "$i" ;;
      1) replaced+=("${names[$i]}"); forget "$i"; start_tm ;;
      *) echo "task manager ${names[$i]} exited with $status:"; cat "$work/${names[$i]}.err"; exit 1 ;;
    esac
  done
}
# supervise_until_checkpoint ABOVE: waits for a completed checkpoint above ABOVE (or the job
# manager's end), replacing task managers that exit meanwhile.
supervise_until_checkpoint() {
  while kill -0 "$jm" 2>/dev/null && [ "$(latest_checkpoint "$work/chk")" -le "$1" ]; do
    replace_exited
    sleep 0.02
  done
}
# resume_dropped: resumes the stopped task managers the job manager has dropped; each exits 1.
resume_dropped() {
  local rest=() entry pid name
  for entry in "${dropped[@]}"; do
    read -r pid name <<< "$entry"
    if grep -q "task manager [^ ]*:$pid lost" "$work/jm$jms.err" 2>/dev/null || ! kill -0 "$jm" 2>/dev/null; then
      kill -CONT "$pid" 2>/dev/null || true # it may have exited before the SIGSTOP (not yet reaped)
      expect_status "$name" "$pid" 1
    else
      rest+=("$entry")
    fi
  done
  dropped=("${rest[@]}")
}

start_jm
recoveries=()
for round in $(seq "$rounds"); do
  replaced=()
  supervise_until_checkpoint "$(latest_checkpoint "$work/chk")"
  kill -0 "$jm" 2>/dev/null || { echo "the job ended after $((round - 1)) rounds: too little input"; exit 1; }
  sleep "0.$((RANDOM % 500))"
  at=$(latest_checkpoint "$work/chk")
  start=$(now_ms)
  case $((RANDOM % 4)) in
    0 | 1)
      action=kill-tm
      victim=$((RANDOM % ${#live[@]}))
      kill -9 "${live[$victim]}" 2>/dev/null || true # or it exited just now, dropped
      wait "${live[$victim]}" 2>/dev/null || true
      forget "$victim"
      start_tm ;;
    2)
      action=kill-jm
      kill -9 "$jm"
      wait "$jm" 2>/dev/null || true
      for pid in "${live[@]}"; do wait "$pid" 2>/dev/null || true; done
      resume_dropped
      start_jm --restore latest ;;
    3)
      action=stop-tm
      victim=$((RANDOM % ${#live[@]}))
      if kill -STOP "${live[$victim]}" 2>/dev/null; then
        dropped+=("${live[$victim]} ${names[$victim]}")
        forget "$victim"
        start_tm
      else # it exited just now, dropped by the job manager: replaced below
        action="stop-tm (${names[$victim]} had exited)"
      fi ;;
  esac
  supervise_until_checkpoint "$at"
  recovery=$(($(now_ms) - start))
  recoveries+=("$recovery")
  resume_dropped
  echo "round $round: $action after checkpoint $at, next checkpoint $(latest_checkpoint "$work/chk") after ${recovery} ms${replaced[*]:+; dropped by the job manager and replaced: ${replaced[*]}}"
done

replaced=()
while kill -0 "$jm" 2>/dev/null; do replace_exited; sleep 0.05; done
[ ${#replaced[@]} -eq 0 ] || echo "after the rounds: dropped by the job manager and replaced: ${replaced[*]}"
expect_status "jm$jms" "$jm" 0
for pid in "${live[@]}"; do wait "$pid" || { echo "a task manager exited with $?"; exit 1; }; done
resume_dropped
committed "$work/out" > "$work/got"
diff -q "$work/expected" "$work/got" > /dev/null ||
  { echo "committed output differs from the failure-free run"; diff "$work/expected" "$work/got" | head; exit 1; }
sorted=$(printf '%s\n' "${recoveries[@]}" | sort -n)
echo "chaos: $rounds rounds passed (seed $seed); recovery ms min $(head -1 <<< "$sorted")," \
  "median $(sed -n "$(((rounds + 1) / 2))p" <<< "$sorted"), max $(tail -1 <<< "$sorted")"
