#!/usr/bin/env bash
# window_aggregate as a job manager and two task managers (separate processes on 127.0.0.1):
# the window firings and late records equal the local run's, for tumbling and session windows.
set -euo pipefail
bin=$1
work=$(mktemp -d)
source "$(dirname "$0")/cluster_lib.sh"

window_events "$work/in.csv"
for window in "--window tumbling --size 1000" "--window session --gap 40"; do
  # shellcheck disable=SC2206
  flags=(--input "$work/in.csv" $window --out-of-orderness 30 --parallelism 2)
  "$bin" "${flags[@]}" --output "$work/local.txt" --late-output "$work/local-late.txt"
  run_cluster "$bin" 2 1 "${flags[@]}" --output "$work/cluster.txt" \
    --late-output "$work/cluster-late.txt"
  [ -s "$work/local.txt" ] && [ -s "$work/local-late.txt" ] || { echo "no output"; exit 1; }
  diff <(sort "$work/local.txt") <(sort "$work/cluster.txt")
  diff <(sort "$work/local-late.txt") <(sort "$work/cluster-late.txt")
done
echo ok
