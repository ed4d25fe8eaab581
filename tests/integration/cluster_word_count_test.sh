#!/usr/bin/env bash
# word_count as a job manager and two task managers (separate processes on 127.0.0.1): the same
# output as in local mode and as computed here with tr/sort/awk; every process exits 0.
# Then a four-slot job on two task managers of two slots each, and a job whose batches between
# the processes are as small as they can be (--remote-batch-bytes 64: a record or two each).
set -euo pipefail
bin=$1
work=$(mktemp -d)
source "$(dirname "$0")/cluster_lib.sh"

word_count_input "$work/input.txt" 5000
rolling_counts "$work/input.txt" > "$work/expected"

"$bin" --input "$work/input.txt" --parallelism 2 --output "$work/local"
committed "$work/local" > "$work/local.sorted"
diff -q "$work/expected" "$work/local.sorted"

check_cluster() { # NAME PARALLELISM SLOTS [FLAGS...]: two task managers
  local name=$1 parallelism=$2 slots=$3
  shift 3
  run_cluster "$bin" 2 "$slots" --input "$work/input.txt" --parallelism "$parallelism" \
    --output "$work/$name" "$@"
  committed "$work/$name" > "$work/$name.sorted"
  diff -q "$work/expected" "$work/$name.sorted"
}
check_cluster p2 2 1
check_cluster p4 4 2
check_cluster small-remote-batches 2 1 --remote-batch-bytes 64
echo ok
