#!/usr/bin/env bash
# The `sluice` tool against word_count clusters (a job manager and task managers as separate
# processes on 127.0.0.1): list, status and taskmanagers as tables and JSON; a savepoint; stop
# with a savepoint, then a restore at parallelism 3 whose committed output together with the
# first run's is every word's rolling counts exactly once; cancel; the exit codes 1, 2 and 3.
set -euo pipefail
bin=$1
sluice=$2
work=$(mktemp -d)
source "$(dirname "$0")/cluster_lib.sh"

fail() { echo "FAILED: $*"; exit 1; }

# jm_cli ARGS...: sluice against the current job manager.
jm_cli() { "$sluice" --jobmanager "127.0.0.1:$jm_port" "$@"; }

# start_cluster N SLOTS ARGS...: job manager jmN and task managers tmN.1 and tmN.2 of SLOTS slots
# each, all with ARGS; sets cluster=(their pids).
start_cluster() {
  local n=$1 slots=$2; shift 2
  start_job_manager "jm$n" "$bin" "$@" --taskmanagers 2
  cluster=("$jm_pid")
  start_task_manager "tm$n.1" "$bin" "$@" --slots "$slots"
  cluster+=("$tm_pid")
  start_task_manager "tm$n.2" "$bin" "$@" --slots "$slots"
  cluster+=("$tm_pid")
}

# expect_cluster_exit N: cluster N's processes all exit 0.
expect_cluster_exit() {
  expect_status "jm$1" "${cluster[0]}" 0
  expect_status "tm$1.1" "${cluster[1]}" 0
  expect_status "tm$1.2" "${cluster[2]}" 0
}

job_running() { jm_cli list 2>/dev/null | grep -q '^word_count  *RUNNING '; }
checkpointed() { jm_cli status word_count --json 2>/dev/null | grep -q '"latest_checkpoint":[0-9]'; }

# expect_exit CODE STDERR_PATTERN COMMAND...: runs COMMAND, checks its exit code and stderr.
expect_exit() {
  local code=$1 pattern=$2 status=0; shift 2
  "$@" > "$work/cli.out" 2> "$work/cli.err" || status=$?
  [ "$status" -eq "$code" ] || { cat "$work/cli.err"; fail "'$*' exited with $status, expected $code"; }
  grep -q "$pattern" "$work/cli.err" || { cat "$work/cli.err"; fail "'$*': stderr lacks '$pattern'"; }
}

word_count_input "$work/input.txt" 20000
rolling_counts "$work/input.txt" > "$work/expected"

# A throttled job at parallelism 2 on two task managers of one slot each: it runs until stopped
first=(--input "$work/input.txt" --parallelism 2 --source-rate 500 --checkpoint-interval-ms 200
       --checkpoint-dir "$work/checkpoints" --output "$work/out1")
start_cluster 1 1 "${first[@]}"
wait_until jm1 "${cluster[0]}" job_running

jm_cli list > "$work/list.txt"
grep -q '^ID  *STATE  *UPTIME  *NAME$' "$work/list.txt" || fail "list header: $(cat "$work/list.txt")"
jm_cli list --json > "$work/list.json"
grep -q '"id":"word_count"' "$work/list.json" || fail "list --json: $(cat "$work/list.json")"
grep -q '"name":"word count"' "$work/list.json" || fail "list --json: $(cat "$work/list.json")"
grep -q '"state":"RUNNING"' "$work/list.json" || fail "list --json: $(cat "$work/list.json")"

# taskmanagers: two, one slot each, both in use and ready
jm_cli taskmanagers > "$work/tms.txt"
[ "$(awk 'NR > 1' "$work/tms.txt" | wc -l)" -eq 2 ] || fail "taskmanagers: $(cat "$work/tms.txt")"
awk 'NR > 1 && !($3 == 1 && $4 == 1 && $5 == "yes") { bad = 1 } END { exit bad }' "$work/tms.txt" ||
  fail "taskmanagers: $(cat "$work/tms.txt")"
awk 'NR > 1 { print $1 }' "$work/tms.txt" | sort > "$work/tm_names"
jm_cli taskmanagers --json | grep -q '"slots":1,"slots_used":1' || fail "taskmanagers --json"

# status: every subtask on one of the two task managers, with its record counts; by id or name
wait_until jm1 "${cluster[0]}" checkpointed
jm_cli status word_count > "$work/status.txt"
grep -q '^job word_count (word count): RUNNING, up .*, latest checkpoint [0-9][0-9]*$' \
  "$work/status.txt" || fail "status: $(cat "$work/status.txt")"
awk 'NR > 2' "$work/status.txt" > "$work/subtasks.txt"
subtasks=$(jm_cli status 'word count' --json | grep -o '"vertex_id"' | wc -l)
[ "$subtasks" -ge 2 ] && [ "$(wc -l < "$work/subtasks.txt")" -eq "$subtasks" ] ||
  fail "status lists $(wc -l < "$work/subtasks.txt") of $subtasks subtasks: $(cat "$work/status.txt")"
awk 'NR == FNR { tm[$1] = 1; next }
     !($2 in tm) || $4 !~ /^[0-9]+$/ || $5 !~ /^[0-9]+$/ { bad = 1 } END { exit bad }' \
  "$work/tm_names" "$work/subtasks.txt" || fail "status subtasks: $(cat "$work/status.txt")"
[ "$(awk '{ print $2 }' "$work/subtasks.txt" | sort -u)" = "$(cat "$work/tm_names")" ] ||
  fail "status does not use both task managers: $(cat "$work/status.txt")"

# exit codes: unknown job and a failed savepoint (no directory) 1, usage errors 2
expect_exit 1 "unknown job 'nosuchjob'" jm_cli status nosuchjob
expect_exit 1 "unknown job 'nosuchjob'" jm_cli savepoint nosuchjob "$work/sp0"
expect_exit 1 "no savepoint directory" jm_cli savepoint word_count
expect_exit 2 "unknown command 'frobnicate'" jm_cli frobnicate
expect_exit 2 "unknown flag --frob" jm_cli list --frob
expect_exit 2 "missing argument for 'cancel'" jm_cli cancel
expect_exit 2 "missing flag --jobmanager" "$sluice" list
expect_exit 2 "missing flag --parallelism N for 'rescale'" jm_cli rescale word_count
expect_exit 2 "flag --vertex applies to 'rescale' only" jm_cli list --vertex sum
expect_exit 2 "'zero' is not a positive number" jm_cli rescale word_count --parallelism zero
expect_exit 1 "no rescale of job 'word count': it needs 5 slots" \
  jm_cli rescale word_count --parallelism 5
expect_exit 1 "no operator of uid 'nope'" jm_cli rescale word_count --parallelism 1 --vertex nope

# savepoint JOB DIR, then stop with a savepoint: every process exits 0
sp1=$(jm_cli savepoint word_count "$work/sp1")
case "$sp1" in "$work"/sp1/savepoint-*) ;; *) fail "savepoint printed '$sp1'" ;; esac
[ -f "$sp1/_metadata" ] || fail "no $sp1/_metadata"
sp2=$(jm_cli stop word_count --savepoint "$work/sp2" --json | sed -n 's/^{"savepoint":"\(.*\)"}$/\1/p')
[ -f "$sp2/_metadata" ] || fail "stop printed no savepoint with _metadata: '$sp2'"
expect_cluster_exit 1
expect_exit 3 "cannot reach the job manager" jm_cli list

# restore the stop's savepoint at parallelism 3: both runs' committed output, every count once.
# The sink's uid names its directory: the first sink's state (all committed at the stop) is
# left behind.
second=(--input "$work/input.txt" --parallelism 3 --checkpoint-interval-ms 200
        --checkpoint-dir "$work/checkpoints" --output "$work/out2" --restore "$sp2"
        --allow-non-restored-state)
start_cluster 2 2 "${second[@]}"
expect_cluster_exit 2
[ -n "$(committed "$work/out1")" ] && [ -n "$(committed "$work/out2")" ] ||
  fail "a run committed nothing"
cat "$work"/out1/part-* "$work"/out2/part-* | sort > "$work/union"
diff -q "$work/expected" "$work/union" || fail "the union of both runs' output differs"

# cancel: the job manager exits non-zero saying so
third=(--input "$work/input.txt" --parallelism 1 --source-rate 500 --output "$work/out3")
start_cluster 3 1 "${third[@]}"
wait_until jm3 "${cluster[0]}" job_running
[ "$(jm_cli cancel word_count)" = "cancelled job word_count" ] || fail "cancel"
status=0
wait "${cluster[0]}" || status=$?
[ "$status" -ne 0 ] || fail "the cancelled job manager exited 0"
grep -q "cancelled" "$work/jm3.err" || fail "jm3's stderr: $(cat "$work/jm3.err")"
wait "${cluster[1]}" "${cluster[2]}" || true
echo ok
