#!/usr/bin/env bash
# A task manager stopped (SIGSTOP) past --heartbeat-timeout-ms is dropped by the job manager,
# which goes on with a replacement. Resumed while the job manager still runs, the dropped task
# manager exits 1 saying that the job manager dropped it (not that it went away). The job is
# throttled far below its input (30000 lines at 100 lines/s) so it is still running then; the
# test cancels it with the sluice tool at the end.
set -euo pipefail
bin=$1 cli=$2
work=$(mktemp -d)
source "$(dirname "$0")/cluster_lib.sh"

word_count_input "$work/input.txt" 30000
common=(--input "$work/input.txt" --parallelism 2 --output "$work/out" --source-rate 100
        --checkpoint-interval-ms 200 --checkpoint-dir "$work/chk" --restart-delay-ms 100
        --heartbeat-timeout-ms 1000)
start_job_manager jm "$bin" "${common[@]}" --taskmanagers 2
jm=$jm_pid
start_task_manager tm1 "$bin" "${common[@]}"
tm1=$tm_pid
start_task_manager tm2 "$bin" "${common[@]}"
tm2=$tm_pid
wait_for_checkpoint "$work/chk" 0 "$jm"

kill -STOP "$tm2"
start_task_manager tm3 "$bin" "${common[@]}"
tm3=$tm_pid
until grep -q "task manager .*:$tm2 lost" "$work/jm.err"; do
  kill -0 "$jm" 2>/dev/null || { cat "$work/jm.err"; echo "the job manager ended"; exit 1; }
  sleep 0.02
done
kill -CONT "$tm2"
expect_status tm2 "$tm2" 1
grep -q "the job manager at 127.0.0.1:$jm_port dropped this task manager (.*silent for longer than --heartbeat-timeout-ms 1000" \
  "$work/tm2.err" || { cat "$work/tm2.err"; echo "tm2 does not say it was dropped"; exit 1; }
kill -0 "$jm" || { echo "the job manager ended before the check"; exit 1; }

"$cli" --jobmanager "127.0.0.1:$jm_port" cancel word_count > /dev/null
expect_status jm "$jm" 1
expect_status tm1 "$tm1" 0
expect_status tm3 "$tm3" 0
echo ok
