#!/usr/bin/env bash
# word_count at parallelism 2 on three task managers of one slot: one of them is a spare (no
# subtask deployed on it). Losing the spare (kill -9) only deregisters it: the job is not
# restarted, and its committed output is every word's rolling counts 1..n exactly once.
set -euo pipefail
bin=$1 cli=$2
work=$(mktemp -d)
source "$(dirname "$0")/cluster_lib.sh"

word_count_input "$work/input.txt" 20000
rolling_counts "$work/input.txt" > "$work/expected"
common=(--input "$work/input.txt" --parallelism 2 --output "$work/out" --source-rate 8000
        --checkpoint-interval-ms 200 --checkpoint-dir "$work/chk" --restart-delay-ms 100)

start_job_manager jm "$bin" "${common[@]}" --taskmanagers 3
jm=$jm_pid
tms=()
for i in 1 2 3; do
  start_task_manager "tm$i" "$bin" "${common[@]}"
  tms+=("$tm_pid")
done
wait_for_checkpoint "$work/chk" 0 "$jm"
kill -0 "$jm" 2>/dev/null || { cat "$work/jm.err"; echo "the job ended before its first checkpoint"; exit 1; }

# The task managers that run subtasks, by their names (host:pid), from the sluice tool.
"$cli" --jobmanager "127.0.0.1:$jm_port" status word_count --json > "$work/status.json"
spare=
for i in 0 1 2; do
  grep -q "\"task_manager\":\"[^\"]*:${tms[$i]}\"" "$work/status.json" || spare=$i
done
[ -n "$spare" ] || { cat "$work/status.json"; echo "every task manager runs a subtask"; exit 1; }
kill -9 "${tms[$spare]}"
wait "${tms[$spare]}" 2>/dev/null || true

expect_status jm "$jm" 0
for i in 0 1 2; do
  [ "$i" = "$spare" ] || expect_status "tm$((i + 1))" "${tms[$i]}" 0
done
grep -q "lost (.*); no subtask of the job ran there: deregistered, the job goes on" "$work/jm.err" ||
  { cat "$work/jm.err"; echo "the job manager did not say it deregistered the spare"; exit 1; }
if grep -q "restarting the job" "$work/jm.err"; then
  cat "$work/jm.err"; echo "losing a spare task manager restarted the job"; exit 1
fi
committed "$work/out" > "$work/committed"
diff -q "$work/expected" "$work/committed" > /dev/null ||
  { echo "committed output differs from the expected rolling counts"; exit 1; }
echo ok
