#!/usr/bin/env bash
# Stateful queries on the in-process generator with checkpoints, killed with kill -9 after a
# checkpoint completed and started again with --restore latest until they complete: the
# distinct lines (q5, q11; q4: the last line of each category) equal a failure-free run's.
# The output file is at-least-once: lines after the restored checkpoint are written again.
set -euo pipefail
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

latest() { # the highest id of a completed checkpoint of query $1, 0 without one
  local ids
  ids=$(ls -d "$work/chk-$1"/nexmark_"$1"/chk-*/_metadata 2>/dev/null |
    sed -E 's|.*/chk-([0-9]+)/_metadata|\1|' | sort -n | tail -1)
  echo "${ids:-0}"
}

for q in q4 q5 q11; do
  common=(--query "$q" --events 60000 --first-event-rate 1000 --parallelism 2 "${extra[@]}")
  "$nexmark" "${common[@]}" --output "$work/$q.reference"
  result "$q" "$work/$q.reference" > "$work/$q.want"
  [ -s "$work/$q.want" ] || { echo "$q: no reference output"; exit 1; }
  kills=0
  restore=()
  for attempt in 1 2 3 4 5 6; do
    before=$(latest "$q")
    "$nexmark" "${common[@]}" --source-rate 20000 --checkpoint-interval-ms 100 \
      --checkpoint-dir "$work/chk-$q" --output "$work/$q.out" "${restore[@]}" &
    pid=$!
    # Wait for one more completed checkpoint (or the end of the job), then kill it.
    while kill -0 "$pid" 2>/dev/null && [ "$(latest "$q")" -le "$before" ]; do sleep 0.02; done
    if [ "$kills" -lt 2 ] && kill -9 "$pid" 2>/dev/null; then
      kills=$((kills + 1))
      echo "$q: killed attempt $attempt after checkpoint $(latest "$q")"
    fi
    status=0
    wait "$pid" || status=$?
    pid=
    restore=(--restore latest)
    [ "$status" -eq 0 ] && break
    [ "$status" -eq 137 ] || { echo "$q: attempt $attempt failed with status $status"; exit 1; }
  done
  [ "$status" -eq 0 ] || { echo "$q: the job did not complete"; exit 1; }
  [ "$kills" -ge 1 ] || { echo "$q: the job was never killed"; exit 1; }
  result "$q" "$work/$q.out" | diff -q "$work/$q.want" - > /dev/null ||
    { echo "$q: the restored runs' result differs from the failure-free run's"; exit 1; }
  echo "$q: same result after $kills kills"
done
