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

check_cluster() { # PARALLELISM SLOTS: two task managers
  run_cluster "$bin" 2 "$2" --input "$work/input.txt" --parallelism "$1" \
    --output "$work/cluster-$1"
  committed "$work/cluster-$1" > "$work/cluster-$1.sorted"
  diff -q "$work/expected" "$work/cluster-$1.sorted"
}
check_cluster 2 1
check_cluster 4 2
echo ok
