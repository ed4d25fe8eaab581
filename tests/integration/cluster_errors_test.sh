#!/usr/bin/env bash
# Cluster misconfigurations end with a clear error and a non-zero exit, never a hang: a task
# manager of another job graph (refused on both sides), an unreachable job manager, a port in use,
# contradictory flags, too few task managers within the registration timeout (at the start, and
# after the only task manager was killed).
set -euo pipefail
bin=$1
work=$(mktemp -d)
source "$(dirname "$0")/cluster_lib.sh"
printf 'a b a\n' > "$work/in.txt"

expect_error() { # NAME PATTERN: NAME's stderr must contain PATTERN
  grep -q -- "$2" "$work/$1.err" || { echo "$1: no '$2' in:"; cat "$work/$1.err"; exit 1; }
}

# A task manager built with another parallelism has another job graph.
start_job_manager jm "$bin" --input "$work/in.txt" --parallelism 2 --registration-timeout-ms 3000
jm=$jm_pid
start_task_manager tm "$bin" --input "$work/in.txt" --parallelism 3
expect_status tm "$tm_pid" 1
expect_error tm "refused this task manager: .*different job graph"
# The port is taken while the first job manager waits.
"$bin" --input "$work/in.txt" --jobmanager-bind "127.0.0.1:$jm_port" 2> "$work/busy.err" &&
  { echo "a second job manager bound a port in use"; exit 1; }
expect_error busy "flag --jobmanager-bind: cannot listen on 127.0.0.1:$jm_port"
# No acceptable task manager came: the job manager gives up.
expect_status jm "$jm" 1
expect_error jm "refused task manager .*different job graph"
expect_error jm "waited 3000 ms (--registration-timeout-ms) for task managers"

# Nobody listens on the job manager's address (its port was just released).
start_task_manager lonely "$bin" --input "$work/in.txt" --registration-timeout-ms 300
expect_status lonely "$tm_pid" 1
expect_error lonely "cannot reach the job manager at 127.0.0.1:$jm_port within 300 ms"

# The only task manager is killed after a checkpoint and none comes back: the job manager waits
# --registration-timeout-ms for slots, then fails saying so. The input lasts 30 s, so that the
# task manager is still running its part when killed however slowly a loaded machine reaches
# the first checkpoint (the job ends at the kill).
word_count_input "$work/long.txt" 300000
job=(--input "$work/long.txt" --parallelism 1 --source-rate 10000 --checkpoint-interval-ms 100
     --checkpoint-dir "$work/chk" --output "$work/out" --restart-delay-ms 1
     --registration-timeout-ms 1000)
start_job_manager lost "$bin" "${job[@]}"
jm=$jm_pid
start_task_manager lost-tm "$bin" "${job[@]}"
wait_for_checkpoint "$work/chk" 0 "$jm"
kill -9 "$tm_pid"
expect_status lost "$jm" 1
expect_error lost "task manager .* lost"
expect_error lost "waited 1000 ms (--registration-timeout-ms) for task managers: the job needs 1 slots"

check_flags() { # PATTERN FLAGS...: the flags are refused with PATTERN
  local pattern=$1; shift
  if "$bin" "$@" 2> "$work/flags.err"; then echo "accepted: $*"; exit 1; fi
  expect_error flags "$pattern"
}
check_flags "flag --taskmanager needs --jobmanager" --taskmanager
check_flags "flag --jobmanager is for task managers" --jobmanager 127.0.0.1:1
check_flags "exclude each other" --jobmanager-bind 127.0.0.1:0 --taskmanager --jobmanager 127.0.0.1:1
check_flags "flag --taskmanagers is for the job manager" --taskmanagers 2
check_flags "flag --jobmanager-bind: '127.0.0.1' is not HOST:PORT" --jobmanager-bind 127.0.0.1
check_flags "flag --jobmanager: the port of '127.0.0.1:0'" --taskmanager --jobmanager 127.0.0.1:0
echo ok
