#!/usr/bin/env bash
# word_count as a job manager and two task managers (separate processes on 127.0.0.1): the same
# output as in local mode and as computed here with tr/sort/awk; every process exits 0.
# Then a four-slot job on two task managers of two slots each.
set -euo pipefail
bin=$1
work=$(mktemp -d)
source "$(dirname "$0")/cluster_lib.sh"

word_count_input "$work/input.txt" 5000
rolling_counts "$work/input.txt" > "$work/expected"

"$bin" --input "$work/input.txt" --parallelism 2 --output "$work/local"
committed "$work/local" > "$work/local.sorted"
diff -q "$work/expected" "$work/local.sorted"

run_cluster() { # PARALLELISM SLOTS: one job manager, two task managers
  local common=(--input "$work/input.txt" --parallelism "$1" --output "$work/cluster-$1")
  start_job_manager jm "$bin" "${common[@]}" --taskmanagers 2
  local jm=$jm_pid
  start_task_manager tm1 "$bin" "${common[@]}" --slots "$2"
  local tm1=$tm_pid
  start_task_manager tm2 "$bin" "${common[@]}" --slots "$2"
  local tm2=$tm_pid
  expect_status jm "$jm" 0
  expect_status tm1 "$tm1" 0
  expect_status tm2 "$tm2" 0
  committed "$work/cluster-$1" > "$work/cluster-$1.sorted"
  diff -q "$work/expected" "$work/cluster-$1.sorted"
}
run_cluster 2 1
run_cluster 4 2
echo ok
