#!/usr/bin/env bash
# Stateful queries on the in-process generator with checkpoints, killed with kill -9 after a
# checkpoint completed and started again with --restore latest until they complete: the
# distinct lines (q5, q11; q4: the last line of each category) equal a failure-free run's.
# The output file is at-least-once: lines after the restored checkpoint are written again.
set -euo pipefail
source "$(dirname "$0")/../integration/kill_restore_lib.sh"
nexmark=$1; shift
extra=("$@") # more flags for every run, e.g. --state-backend rocksdb
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

result() { # the comparable result of an output file
  if [ "$1" = q4 ]; then
    awk -F, '{ last[$1] = $0 } END { for (c in last) print last[c] }' "$2" | sort
  else
    sort -u "$2"
  fi
}

launch() {
  "$nexmark" "${common[@]}" --source-rate 20000 --checkpoint-interval-ms 100 \
    --checkpoint-dir "$work/chk-$q" --output "$work/$q.out" "${@:2}" &
  pid=$!
}

for q in q4 q5 q11; do
  common=(--query "$q" --events 60000 --first-event-rate 1000 --parallelism 2 "${extra[@]}")
  "$nexmark" "${common[@]}" --output "$work/$q.reference"
  result "$q" "$work/$q.reference" > "$work/$q.want"
  [ -s "$work/$q.want" ] || { echo "$q: no reference output"; exit 1; }
  kill_until_done "$work/chk-$q" 2 0 6 || { echo "$q: the kill-and-restore runs failed"; exit 1; }
  result "$q" "$work/$q.out" | diff -q "$work/$q.want" - > /dev/null ||
    { echo "$q: the restored runs' result differs from the failure-free run's"; exit 1; }
  echo "$q: same result after $kills kills"
done
