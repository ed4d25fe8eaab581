#!/usr/bin/env bash
# postgres_window_aggregate exactly-once on a job manager and two task managers with
# checkpoints every 200 ms; a task manager is killed with kill -9 at a random moment (after one
# more completed checkpoint), twice, and a replacement started each time: the job restarts from
# its latest checkpoint, and the table must hold every window's row exactly once (awk's windows)
# with no prepared transaction of the sink left.
set -euo pipefail
bin=$1 env_file=$2
here=$(dirname "$0")
. "$here/pg_lib.sh"
load_services "$env_file"
work=$(mktemp -d)
source "$here/../../integration/cluster_lib.sh"
table=cf_$$
trap 'status=$?; sql "DROP TABLE IF EXISTS $table" >/dev/null 2>&1 || true; (exit $status); cluster_cleanup' EXIT

make_events "$work/events" 40000
expected_windows "$work/events" 200 > "$work/expected"
common=(--input "$work/events" --postgres "$POSTGRES_URL" --table "$table" --size 200
        --parallelism 2 --batch-size 100 --source-rate 10000 --checkpoint-interval-ms 200
        --checkpoint-dir "$work/chk" --restart-delay-ms 100 --heartbeat-timeout-ms 1000)

start_job_manager jm "$bin" "${common[@]}" --taskmanagers 2
jm=$jm_pid
start_task_manager tm1 "$bin" "${common[@]}"
tm1=$tm_pid
start_task_manager tm2 "$bin" "${common[@]}"
tm2=$tm_pid

next_failure_point() {
  wait_for_checkpoint "$work/chk" "$(latest_checkpoint "$work/chk")" "$jm"
  kill -0 "$jm" 2>/dev/null || { echo "the job ended before it could be failed"; exit 1; }
  sleep "0.$((RANDOM % 300))"
}

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

table_rows "$table" > "$work/rows"
diff "$work/expected" "$work/rows"
left=$(sql "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE '%/Sink__table_$table/%'")
[ -z "$left" ] || { echo "prepared transactions left: $left"; exit 1; }
echo "ok"
