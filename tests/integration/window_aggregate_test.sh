#!/usr/bin/env bash
# window_aggregate on small hand-made inputs (data/window_aggregate/*.csv) against outputs derived
# by hand (the derivations are in data/README.md), at parallelism 1 and 2. Firing order across
# keys may differ between runs, so outputs are compared as sorted line sets.
set -euo pipefail
bin=$1; shift
extra=("$@") # more flags for every run, e.g. --state-backend rocksdb
data=$(dirname "$0")/data/window_aggregate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C

same() { # $1: actual, $2: expected, $3: what
  if ! diff <(sort "$1") <(sort "$2") > "$work/diff"; then
    echo "FAIL: $3"; cat "$work/diff"; exit 1
  fi
}

for p in 1 2; do
  # Tumbling with out-of-orderness: two records arrive after their window closed.
  "$bin" "${extra[@]}" --input "$data/tumbling.csv" --output "$work/out" --late-output "$work/late" \
    --window tumbling --size 10000 --out-of-orderness 2000 --parallelism "$p"
  same "$work/out" "$data/tumbling.expected" "tumbling, p=$p"
  diff "$work/late" "$data/tumbling.late" || { echo "FAIL: tumbling late output, p=$p"; exit 1; }

  # The same with allowed lateness: a late record re-fires its window; a later one is dropped.
  "$bin" "${extra[@]}" --input "$data/tumbling.csv" --output "$work/out" --late-output "$work/late" \
    --window tumbling --size 10000 --out-of-orderness 2000 --allowed-lateness 5000 \
    --parallelism "$p"
  same "$work/out" "$data/lateness.expected" "allowed lateness, p=$p"
  diff "$work/late" "$data/lateness.late" || { echo "FAIL: lateness late output, p=$p"; exit 1; }

  # An idleness timeout far longer than the run changes nothing.
  "$bin" "${extra[@]}" --input "$data/tumbling.csv" --output "$work/out" --window tumbling --size 10000 \
    --out-of-orderness 2000 --idle-timeout 600000 --parallelism "$p"
  same "$work/out" "$data/tumbling.expected" "idle timeout, p=$p"

  # Sliding windows whose slide does not divide their size, read from stdin, to stdout.
  "$bin" "${extra[@]}" --window sliding --size 10000 --slide 4000 --parallelism "$p" \
    < "$data/sliding.csv" > "$work/out"
  same "$work/out" "$data/sliding.expected" "sliding, p=$p"

  # Session windows: a bridging record merges two sessions.
  "$bin" "${extra[@]}" --input "$data/session.csv" --window session --gap 5000 --out-of-orderness 5000 \
    --parallelism "$p" > "$work/out"
  same "$work/out" "$data/session.expected" "session, p=$p"

  # Negative timestamps with an offset; offsets 3000 and -7000 give the same windows.
  for offset in 3000 -7000; do
    "$bin" "${extra[@]}" --input "$data/negative.csv" --window tumbling --size 10000 --offset "$offset" \
      --parallelism "$p" > "$work/out"
    same "$work/out" "$data/negative.expected" "negative timestamps, offset $offset, p=$p"
  done

  # Malformed lines: skipped and counted on request.
  "$bin" "${extra[@]}" --input "$data/malformed.csv" --window tumbling --size 10000 --skip-malformed \
    --parallelism "$p" > "$work/out" 2> "$work/err"
  same "$work/out" "$data/malformed.expected" "skip malformed, p=$p"
  grep -q 'skipped 2 malformed line(s)' "$work/err" || { echo "FAIL: skip count"; exit 1; }
done

# Without --skip-malformed the first malformed line (line 3) fails the job.
if "$bin" "${extra[@]}" --input "$data/malformed.csv" --window tumbling --size 10000 > /dev/null 2> "$work/err"; then
  echo "FAIL: a malformed line must fail"; exit 1
fi
grep -q "line 3: malformed record 'a,xx,1'" "$work/err" || { echo "FAIL: error names line 3"; exit 1; }

# A binary line: the error names the file and the line, with unprintable bytes escaped (no raw
# control bytes reach the terminal, and nothing after a NUL is lost).
printf 'k,1,1\nab\000\001cd\377,2\n' > "$work/binary.csv"
if "$bin" "${extra[@]}" --input "$work/binary.csv" --window tumbling --size 10000 > /dev/null 2> "$work/err"; then
  echo "FAIL: a binary line must fail"; exit 1
fi
grep -qF "'$work/binary.csv' line 2: malformed record 'ab\x00\x01cd\xff,2': expected 3 comma-separated" "$work/err" ||
  { cat -v "$work/err"; echo "FAIL: error names the file and escapes the line"; exit 1; }
[ "$(tr -d '\n\t\040-\176' < "$work/err" | wc -c)" -eq 0 ] ||
  { cat -v "$work/err"; echo "FAIL: unprintable bytes in the error"; exit 1; }

echo "window_aggregate: all checks passed"
