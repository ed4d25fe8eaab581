#!/usr/bin/env bash
# A full disk under a running window_aggregate job (exactly-once part files, checkpoints every
# 200 ms), on a small tmpfs filled by a filler file while the job runs:
#   checkpoint-dir  the checkpoint directory fills: checkpoints fail with an error naming a path
#                   in it and "No space left on device", the job runs on (no restart) within
#                   --tolerable-checkpoint-failures, also once its input ended (the final
#                   checkpoint is retried at the interval), and checkpoints complete again once
#                   the filler is removed; a job started on the full directory is refused,
#                   naming it.
#   state-dir       RocksDB's --state-dir fills: the job fails with an error naming a path in it
#                   and restarts from its latest checkpoint; once the filler is removed it
#                   completes.
# Either way the committed output must equal a run's without a full disk. Needs root (mount).
#   tests/chaos/disks_test.sh checkpoint-dir|state-dir BIN/window_aggregate
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-} bin=${2:-}
case "$mode" in checkpoint-dir | state-dir) ;; *)
  echo "usage: disks_test.sh checkpoint-dir|state-dir BIN/window_aggregate" >&2; exit 2 ;;
esac
[ -x "$bin" ] || { echo "disks_test.sh: no window_aggregate at '$bin'" >&2; exit 2; }
source "$here/../integration/checkpoint_lib.sh"

work=$(mktemp -d)
pid= mounted=()
cleanup() {
  local status=$?
  [ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true
  [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
  for m in "${mounted[@]}"; do umount "$m" || echo "cannot unmount $m"; done
  [ "$status" -eq 0 ] || { [ -s "$work/job.err" ] && { echo "== job.err"; tail -n 30 "$work/job.err"; }; }
  rm -rf "$work"
}
trap cleanup EXIT

# small_tmpfs DIR SIZE: a tmpfs of SIZE at DIR (unmounted on exit); fails saying why if it cannot.
small_tmpfs() {
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2" tmpfs "$1" 2> "$work/mount.err" ||
    { echo "cannot mount a $2 tmpfs at $1 (this test needs root): $(cat "$work/mount.err")"; exit 1; }
  mounted+=("$1")
}
# fill DIR: appends to DIR/filler until the file system is full (again, after the job freed
# space: it removes failed and retired checkpoints).
fill() {
  dd if=/dev/zero of="$1/filler" bs=4k oflag=append conv=notrunc 2> /dev/null || true
}
# keep_full_until COMMAND...: keeps $full full until COMMAND succeeds; fails if the job ended (or,
# for the checkpoint directory, restarted) first.
keep_full_until() {
  until "$@"; do
    kill -0 "$pid" 2>/dev/null || { echo "the job ended while $full was full"; exit 1; }
    [ "$mode" = state-dir ] || ! grep -q "restarting the job" "$work/job.err" ||
      { echo "the job restarted although its failed checkpoints were tolerated"; exit 1; }
    fill "$full"
    sleep 0.05
  done
}
# logged PATTERN [COUNT]: job.err has at least COUNT (default 1) lines matching PATTERN (grep -E).
logged() { [ "$(grep -Ec "$1" "$work/job.err")" -ge "${2:-1}" ]; }

awk 'BEGIN { s = 23; for (i = 0; i < 40000; i++) { s = (s * 1103515245 + 12345) % 2147483648;
  printf "k%d,%d,%d\n", s % 17, i * 2 + s % 40, s % 1000 } }' > "$work/in.csv"
flags=(--input "$work/in.csv" --window tumbling --size 1000 --out-of-orderness 50 --parallelism 2
       --checkpoint-interval-ms 200 --rest-bind off)
reference=(--output "$work/reference" --checkpoint-dir "$work/chk-reference")
[ "$mode" = checkpoint-dir ] ||
  { flags+=(--state-backend rocksdb); reference+=(--state-dir "$work/state-reference"); }

"$bin" "${flags[@]}" "${reference[@]}" 2> "$work/reference.err" ||
  { echo "the run without a full disk failed:"; cat "$work/reference.err"; exit 1; }
cat "$work/reference"/part-* | sort > "$work/expected"
[ -s "$work/expected" ] || { echo "the run without a full disk committed nothing"; exit 1; }

if [ "$mode" = checkpoint-dir ]; then
  full=$work/chk
  small_tmpfs "$full" 1m
  job=(--checkpoint-dir "$full" --tolerable-checkpoint-failures 200)
else
  full=$work/state
  small_tmpfs "$full" 16m
  job=(--checkpoint-dir "$work/chk" --state-dir "$full" --restart-strategy fixed-delay
       --restart-attempts 100000 --restart-delay-ms 100)
fi
"$bin" "${flags[@]}" "${job[@]}" --source-rate 4000 --output "$work/out" 2> "$work/job.err" &
pid=$!
chk=${job[1]}
wait_for_checkpoint "$chk" 0 "$pid"
before=$(latest_checkpoint "$chk")
[ "$before" -gt 0 ] || { echo "the job ended before its first checkpoint"; exit 1; }
fill "$full"
kill -0 "$pid" 2>/dev/null ||
  { echo "the job ended before $full was full: too little input for this machine"; exit 1; }
echo "filled $full after checkpoint $before"

nospace="'$full/[^']*'.*No space left on device|$full/[^ ]*: No space left on device"
if [ "$mode" = checkpoint-dir ]; then
  # Checkpoints fail naming a file under the full directory, until the input ended and three
  # final checkpoints failed too: each is retried at the checkpoint interval, so the 200
  # tolerable failures last, and the job runs on (no restart).
  keep_full_until logged "final checkpoint [0-9]+ failed .*($nospace)" 3
  grep -m1 -E "checkpoint [0-9]+ failed" "$work/job.err"
  echo "$(grep -Ec "checkpoint [0-9]+ failed" "$work/job.err") checkpoints failed"
  failed=$(grep -Eo "checkpoint [0-9]+ failed" "$work/job.err" | grep -Eo "[0-9]+" | sort -n | tail -1)
  rm "$full/filler"
  wait_for_checkpoint "$chk" "$failed" "$pid"
  echo "space returned: checkpoint $(latest_checkpoint "$chk") completed after failed checkpoint $failed"
  [ "$(latest_checkpoint "$chk")" -gt "$failed" ] ||
    { echo "no checkpoint completed after the space returned"; exit 1; }
  ! grep -Eq "restarting the job|restoring checkpoint" "$work/job.err" ||
    { echo "the job restarted although the failures were tolerated"; exit 1; }
else
  # The job fails naming a file under the full state directory, and restarts.
  keep_full_until logged "failed: .*($nospace).*restarting the job"
  grep -m1 -E "failed: .*restarting the job" "$work/job.err"
  rm "$full/filler"
fi

status=0
wait "$pid" || status=$?
pid=
[ "$status" -eq 0 ] || { echo "the job exited with $status after the space returned"; exit 1; }
if [ "$mode" = state-dir ]; then
  restored=$(sed -En 's/.*restoring checkpoint ([0-9]+) .*/\1/p' "$work/job.err" | sed -n 1p)
  [ -n "$restored" ] && [ "$restored" -ge "$before" ] ||
    { echo "the job did not restore its latest checkpoint (>= $before), restored '${restored}'"; exit 1; }
  echo "restored checkpoint $restored (the latest before filling: $before)"
fi
cat "$work/out"/part-* | sort > "$work/got"
diff -q "$work/expected" "$work/got" > /dev/null ||
  { echo "committed output differs from the run without a full disk:"; diff "$work/expected" "$work/got" | head; exit 1; }
echo "disks $mode: $(wc -l < "$work/got") committed lines equal the run without a full disk"
if [ "$mode" = checkpoint-dir ]; then
  # Nothing of the failed checkpoints is left behind.
  left=$(find "$full" -mindepth 2 -maxdepth 2 -name 'chk-*' '!' -exec test -e '{}/_metadata' ';' -print)
  [ -z "$left" ] || { echo "failed checkpoints left behind:"; echo "$left"; exit 1; }
  # A job started on the full directory is refused at start, naming it and why.
  fill "$full"
  status=0
  "$bin" "${flags[@]}" "${job[@]}" --output "$work/refused" 2> "$work/job.err" || status=$?
  want="flag --checkpoint-dir: '$full' is unusable: a file cannot be written in it: No space left on device"
  [ "$status" -ne 0 ] && grep -qF "$want" "$work/job.err" ||
    { echo "a start on the full directory exited with $status, expected an error saying: $want"; exit 1; }
  echo "a start on the full directory is refused: $want"
fi
