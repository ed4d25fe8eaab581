#!/usr/bin/env bash
# The fraud_detection and sessionization examples, on their built-in inputs and on hand-made
# files (data/examples/), at parallelism 1 and 2, against outputs derived by hand (see
# data/README.md). Outputs are compared as sorted line sets.
set -euo pipefail
fraud=$1
sessions=$2
data=$(dirname "$0")/data/examples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C

same() { # $1: actual, $2: expected, $3: what
  if ! diff <(sort "$1") <(sort "$2") > "$work/diff"; then
    echo "FAIL: $3"; cat "$work/diff"; exit 1
  fi
}

# Built-in inputs, derived in the comments of apps/examples/transaction.hpp and click.hpp.
printf 'alert,3,60000,580.2\n' > "$work/fraud_builtin"
printf '%s\n' alice,0,40000,3 alice,100000,130000,1 alice,200000,245000,2 bob,5000,95000,4 \
  > "$work/sessions_builtin"

for p in 1 2; do
  "$fraud" --parallelism "$p" > "$work/out"
  same "$work/out" "$work/fraud_builtin" "fraud_detection built-in, p=$p"
  "$fraud" --input "$data/transactions.csv" --parallelism "$p" > "$work/out"
  same "$work/out" "$data/transactions.expected" "fraud_detection file, p=$p"

  "$sessions" --parallelism "$p" > "$work/out"
  same "$work/out" "$work/sessions_builtin" "sessionization built-in, p=$p"
  "$sessions" --input "$data/clicks.csv" --gap 10000 --parallelism "$p" > "$work/out"
  same "$work/out" "$data/clicks.expected" "sessionization file, p=$p"
done

# Bad input fails with the offending line.
printf 'A,1.5,0\nA,cheap,10\n' > "$work/bad.csv"
if "$fraud" --input "$work/bad.csv" > /dev/null 2> "$work/err"; then
  echo "FAIL: a bad transaction must fail"; exit 1
fi
grep -q "bad transaction 'A,cheap,10'" "$work/err" || { echo "FAIL: bad transaction error"; exit 1; }
status=0
"$sessions" --gap 0 > /dev/null 2> "$work/err" || status=$?
[ "$status" -eq 2 ] && grep -q 'flag --gap' "$work/err" || { echo "FAIL: --gap 0"; exit 1; }
echo "examples: all checks passed"
