#!/usr/bin/env bash
# Exactly-once into Kafka through a process death between a checkpoint's completion and the
# commit of its transaction. kafka_word_count (parallelism 1, exactly-once, checkpoints every
# 200 ms) runs with the fault-injection point SLUICE_KAFKA_EXIT_BEFORE_COMMIT=1: the process
# exits at once (_exit, as kill -9) right before committing its first transaction holding
# records, after the checkpoint that pre-committed it completed. So that process committed no
# record: on a broker, the committed output is what the restarted job (--restore latest)
# writes. librdkafka's mock keeps the uncommitted records of the dead process visible (it
# filters no transaction), so the output is read from the offsets the topic had when the dead
# process was gone; it must be every word's counts 1..n (tr/sort/uniq/awk), each exactly once:
# the dead process's pending transaction sent again from the checkpoint, nothing replayed twice.
set -euo pipefail
bin=$1
. "$(dirname "$0")/kafka_lib.sh"

start_mock --brokers 1 --topic lines:2 --topic out:2
make_input "$work/input.txt" 2000
kcat -P -b "$bootstrap" -t lines -l "$work/input.txt"
expected_counts "$work/input.txt" > "$work/expected"

job=("$bin/kafka_word_count" --bootstrap-servers "$bootstrap" --input-topic lines
     --output-topic out --bounded --delivery exactly-once --parallelism 1
     --checkpoint-interval-ms 200 --checkpoint-dir "$work/chk" --source-rate 1000)
status=0
SLUICE_KAFKA_EXIT_BEFORE_COMMIT=1 "${job[@]}" 2> "$work/first.err" || status=$?
[ "$status" -eq 86 ] || fail "the first run exited with $status, not 86: $(cat "$work/first.err")"
grep -q 'SLUICE_KAFKA_EXIT_BEFORE_COMMIT=1: exiting before committing transaction' \
  "$work/first.err" || fail "no fault-injection line: $(cat "$work/first.err")"
ls "$work"/chk/*/chk-*/_metadata > /dev/null 2>&1 || fail "no completed checkpoint to restore"

# The offset after the dead process's last record, per partition of the output topic.
kcat -C -b "$bootstrap" -t out -e -q -f '%p %o\n' |
  awk '{ if ($2 + 1 > end[$1]) end[$1] = $2 + 1 } END { for (p in end) print p, end[p] }' \
  > "$work/dead.ends"
[ -s "$work/dead.ends" ] || fail "the dead process wrote nothing to the output topic"

"${job[@]}" --restore latest 2> "$work/second.err" ||
  fail "the restored job failed: $(cat "$work/second.err")"

kcat -C -b "$bootstrap" -t out -e -q -X isolation.level=read_committed -f '%p %o %k %s\n' |
  awk 'NR == FNR { end[$1] = $2; next } $2 >= end[$1] + 0 { print $4 }' "$work/dead.ends" - |
  sort > "$work/restored"
diff -q "$work/expected" "$work/restored" > /dev/null || {
  diff "$work/expected" "$work/restored" | head -20 >&2
  fail "the committed output differs from the expected counts"
}
echo "ok: $(wc -l < "$work/restored") counts exactly once after a death before the commit"
