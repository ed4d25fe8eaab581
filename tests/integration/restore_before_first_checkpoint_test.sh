#!/usr/bin/env bash
# A job killed (kill -9) before its first checkpoint completed, started again with
# --restore latest (as a supervisor that always restarts that way does): it starts from scratch
# with a warning, and its committed output is every word's rolling counts 1..n exactly once
# (computed here by tr/sort/awk). An explicit --restore PATH that does not exist stays an error.
set -euo pipefail
bin=$1
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

awk 'BEGIN { split("alpha beta gamma delta", w, " ");
  for (i = 0; i < 20000; i++) print w[i % 4 + 1] " " w[(i * 7) % 4 + 1] }' > "$work/input.txt"
tr -cs 'a-z' '\n' < "$work/input.txt" | grep -v '^$' | sort | uniq -c |
  awk '{ for (c = 1; c <= $1; c++) print $2 "," c }' | sort > "$work/expected"

common=(--input "$work/input.txt" --parallelism 2 --output "$work/out"
        --checkpoint-dir "$work/chk" --state-dir "$work/state")

# First attempt: a checkpoint interval far beyond the test, throttled so that it is still running
# when its sink has opened its first in-progress file; then killed.
"$bin" "${common[@]}" --checkpoint-interval-ms 3600000 --source-rate 1000 2> "$work/first.err" &
pid=$!
until [ -n "$(ls -A "$work/out" 2>/dev/null)" ]; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/first.err"; echo "the first attempt ended"; exit 1; }
  sleep 0.02
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=
if ls "$work"/chk/word_count/chk-*/_metadata >/dev/null 2>&1; then
  echo "a checkpoint completed in the first attempt: the test's premise does not hold"; exit 1
fi

# Second attempt: --restore latest finds no completed checkpoint and starts over.
"$bin" "${common[@]}" --checkpoint-interval-ms 100 --restore latest 2> "$work/second.err" ||
  { cat "$work/second.err"; echo "the restart with --restore latest failed"; exit 1; }
grep -q "no completed checkpoint of job 'word_count' in '$work/chk/word_count' yet: starting from scratch (--restore latest)" \
  "$work/second.err" || { cat "$work/second.err"; echo "no warning about starting from scratch"; exit 1; }
cat "$work"/out/part-* | sort > "$work/committed"
diff "$work/expected" "$work/committed" > /dev/null ||
  { echo "committed output differs from the expected rolling counts"; exit 1; }

# An explicit path stays strict.
status=0
"$bin" "${common[@]}" --checkpoint-interval-ms 100 --restore "$work/chk/word_count/chk-999999" \
  2> "$work/explicit.err" || status=$?
[ "$status" -ne 0 ] || { echo "an explicit missing --restore path was accepted"; exit 1; }
grep -q "restore path '$work/chk/word_count/chk-999999' does not exist" "$work/explicit.err" ||
  { cat "$work/explicit.err"; echo "the error does not name the path"; exit 1; }
echo "ok"
