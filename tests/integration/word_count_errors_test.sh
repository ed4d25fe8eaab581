#!/usr/bin/env bash
# word_count's errors: each a clear message naming the culprit, and a non-zero exit.
set -uo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

expect_failure() { # $1: text the error must contain; rest: arguments
  local want=$1; shift
  "$bin" "$@" > "$work/out" 2> "$work/err"
  local rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "FAIL: word_count $* exited 0"; failures=$((failures + 1))
  elif ! grep -qF -- "$want" "$work/err"; then
    echo "FAIL: word_count $*: stderr lacks '$want':"; cat "$work/err"; failures=$((failures + 1))
  fi
}

expect_failure "/nonexistent/words.txt" --input /nonexistent/words.txt
expect_failure "--bogus" --bogus
expect_failure "--parallelism" --parallelism two
expect_failure "--input needs a value" --input
expect_failure "/proc/sluice-no-such-dir" --output /proc/sluice-no-such-dir
expect_failure "cannot connect to 127.0.0.1:1" --socket 127.0.0.1:1
expect_failure "--socket" --socket nowhere
# An unusable checkpoint directory is found at start, not when the first checkpoint fails.
touch "$work/a-file"
expect_failure "flag --checkpoint-dir: '$work/a-file/chk' is unusable" \
  --checkpoint-interval-ms 100 --checkpoint-dir "$work/a-file/chk"
expect_failure "flag --checkpoint-dir: '$work/a-file' is unusable: not a directory" \
  --checkpoint-interval-ms 100 --checkpoint-dir "$work/a-file"
expect_failure "flag --checkpoint-dir: '/proc/sluice-chk' is unusable" \
  --checkpoint-interval-ms 100 --checkpoint-dir /proc/sluice-chk
"$bin" --help > "$work/help" || { echo "FAIL: --help exited non-zero"; failures=$((failures + 1)); }
grep -q -- "--input" "$work/help" || { echo "FAIL: --help lacks --input"; failures=$((failures + 1)); }
[ "$failures" -eq 0 ] && echo "word_count errors: all checks passed"
exit "$failures"
