#!/usr/bin/env bash
# word_count at parallelism 1, 2 and 4, to stdout and to files: each word's rolling counts must
# be exactly 1..n, with n the word's count computed here by tr/sort/uniq.
set -euo pipefail
bin=$1; shift
extra=("$@") # more flags for every run, e.g. --state-backend rocksdb
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A deterministic input of 5000 lines.
awk 'BEGIN {
  split("Stream flow GATE water sluice actor credit batch key group Flink", w, " ");
  s = 12345;
  for (i = 0; i < 5000; i++) {
    line = "";
    n = i % 9;
    for (j = 0; j < n; j++) { s = (s * 1103515245 + 12345) % 2147483648; line = line w[s % 11 + 1] (j % 3 ? ", " : " -- ") }
    print line
  }
}' > "$work/input.txt"

tr -cs 'A-Za-z' '\n' < "$work/input.txt" | tr 'A-Z' 'a-z' | grep -v '^$' | sort | uniq -c |
  awk '{print $2 "," $1}' | sort > "$work/expected"

check() { # $1: file of "word,count" lines (rolling)
  # Every word's counts sorted must be 1..n, and n must match the expected count.
  sort -t, -k1,1 -k2,2n "$1" | awk -F, '
    $1 != w { if (w != "") print w "," n; w = $1; n = 0 }
    { n++; if ($2 != n) { print "word " $1 ": count " $2 " where " n " was due" > "/dev/stderr"; bad = 1 } }
    END { if (w != "") print w "," n; exit bad }' | sort > "$work/final"
  diff "$work/expected" "$work/final"
}

for p in 1 2 4; do
  "$bin" "${extra[@]}" --input "$work/input.txt" --parallelism "$p" > "$work/stdout.txt"
  sed -E 's/^[0-9]+> //' "$work/stdout.txt" > "$work/stdout.clean"
  check "$work/stdout.clean"
  rm -rf "$work/out"
  "$bin" "${extra[@]}" --input "$work/input.txt" --parallelism "$p" --output "$work/out"
  [ "$(ls "$work/out" | wc -l)" -eq "$p" ] || { echo "expected $p part files"; exit 1; }
  cat "$work/out"/part-* > "$work/files.txt"
  check "$work/files.txt"
done

# The built-in text: exit 0 and consistent rolling counts ("to" occurs 13 times in it).
"$bin" "${extra[@]}" --parallelism 2 | sed -E 's/^[0-9]+> //' > "$work/builtin.txt"
grep -qx 'to,13' "$work/builtin.txt"
! grep -qx 'to,14' "$work/builtin.txt"
echo "word_count: all checks passed"
