#!/usr/bin/env bash
# window_aggregate rejects bad flags with exit status 2 and an error naming the flag.
set -euo pipefail
bin=$1
input=$(dirname "$0")/data/window_aggregate/tumbling.csv

expect_error() { # $1: text the error must contain; the rest: flags
  local want=$1
  shift
  local status=0
  "$bin" --input "$input" "$@" > /dev/null 2> "$err" || status=$?
  if [ "$status" -ne 2 ] || ! grep -qF -- "$want" "$err"; then
    echo "FAIL: '$*' gave status $status and:"; cat "$err"; exit 1
  fi
}
err=$(mktemp)
trap 'rm -f "$err"' EXIT

expect_error 'flag --window is required' --size 10
expect_error "unknown window kind 'hopping'" --window hopping --size 10
expect_error 'flag --size is required for --window tumbling' --window tumbling
expect_error 'flag --slide is required for --window sliding' --window sliding --size 10
expect_error 'flag --gap is required for --window session' --window session
expect_error "flag --size: '1O' is not an int64" --window tumbling --size 1O
expect_error 'flag --size: must be > 0' --window tumbling --size 0
expect_error 'flag --gap does not apply to --window tumbling' --window tumbling --size 10 --gap 5
expect_error 'flag --offset: must satisfy |offset| < --size' --window tumbling --size 10 --offset 10
expect_error 'flag --offset: must satisfy |offset| < --slide' --window sliding --size 10 --slide 4 --offset -4
expect_error 'flag --out-of-orderness: must be >= 0' --window tumbling --size 10 --out-of-orderness -1
expect_error 'flag --allowed-lateness: must be >= 0' --window tumbling --size 10 --allowed-lateness -1
expect_error 'flag --idle-timeout: must be > 0' --window tumbling --size 10 --idle-timeout 0

# A missing input file fails with its name.
if "$bin" --input /nonexistent/events.csv --window tumbling --size 10 2> "$err"; then
  echo "FAIL: a missing input must fail"; exit 1
fi
grep -q "cannot open '/nonexistent/events.csv'" "$err" || { echo "FAIL: missing input error"; cat "$err"; exit 1; }
echo "window_aggregate flags: all checks passed"
