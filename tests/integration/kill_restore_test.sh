#!/usr/bin/env bash
# word_count with exactly-once file output and checkpoints, killed with kill -9 at random moments
# (each time after at least one more checkpoint completed) and started again with
# --restore latest, until it completes: its committed output (the non-dot files) must equal a
# failure-free run's, and the rolling counts computed here by tr/sort/awk.
# With --alternate-backends A,B first, attempts run on --state-backend A, B, A, ... so each
# restore reads a checkpoint of the other backend.
set -euo pipefail
source "$(dirname "$0")/kill_restore_lib.sh"
bin=$1; shift
backends=()
if [ "${1:-}" = --alternate-backends ]; then
  IFS=, read -r -a backends <<< "$2"
  shift 2
fi
extra=("$@") # more flags for every run, e.g. --state-backend rocksdb
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

awk 'BEGIN {
  split("stream flow gate water sluice actor credit batch key group flink", w, " ");
  s = 4242;
  for (i = 0; i < 30000; i++) {
    line = "";
    for (j = 0; j < i % 5 + 1; j++) { s = (s * 1103515245 + 12345) % 2147483648; line = line w[s % 11 + 1] " " }
    print line
  }
}' > "$work/input.txt"

# Every word's rolling counts 1..n.
tr -cs 'a-z' '\n' < "$work/input.txt" | grep -v '^$' | sort | uniq -c |
  awk '{ for (c = 1; c <= $1; c++) print $2 "," c }' | sort > "$work/expected"

committed() { cat "$1"/part-* | sort; }
common=(--input "$work/input.txt" --parallelism 2 --checkpoint-interval-ms 50 "${extra[@]}")

"$bin" "${common[@]}" --output "$work/reference" --checkpoint-dir "$work/chk-reference" \
  --state-dir "$work/state-reference"
committed "$work/reference" > "$work/reference.sorted"
diff -q "$work/expected" "$work/reference.sorted"

launch() { # attempt N alternates the backends, if asked
  local backend=()
  if [ "${#backends[@]}" -gt 0 ]; then
    backend=(--state-backend "${backends[$((($1 - 1) % ${#backends[@]}))]}")
  fi
  "$bin" "${common[@]}" "${backend[@]}" --source-rate 20000 --output "$work/out" \
    --checkpoint-dir "$work/chk" --state-dir "$work/state-$1" "${@:2}" &
  pid=$!
}
kill_until_done "$work/chk" 3 300
committed "$work/out" > "$work/out.sorted"
diff -q "$work/reference.sorted" "$work/out.sorted"
if ls -A "$work/out" | grep -q '^\.'; then
  echo "in-progress or pending files left:"; ls -A "$work/out"; exit 1
fi
echo "ok after $kills kills"
