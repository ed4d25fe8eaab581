#!/usr/bin/env bash
# Damaged checkpoints at runtime level: word_count with checkpoints and exactly-once file output
# is killed with kill -9 (at a random moment after at least two completed checkpoints); each case
# then starts from a copy of its output and checkpoints:
#  0. intact: --restore latest restores the newest checkpoint; the committed output is every
#     word's rolling counts exactly once (computed here with tr/sort/awk);
#  1. the newest chk-N/_metadata truncated, or one of its state files truncated or deleted:
#     --restore latest falls back to the previous checkpoint, with a warning naming the file,
#     and completes;
#  2. --restore of a missing checkpoint, of a _metadata with flipped bytes, of a checkpoint with
#     a truncated or a missing state file: an error naming it and a non-zero exit;
#  3. bytes of a state file flipped in place (its size unchanged), --restore of the checkpoint or
#     latest: a subtask's checksum check fails the job naming the file, without a restart.
# After a fallback the replay commits again what the killed run committed after the checkpoint
# it fell back to (the sink never removes committed files): the committed lines must be the
# rolling counts, with repeats only of lines the killed run had committed.
set -euo pipefail
bin=$1; shift
work=$(mktemp -d)
source "$(dirname "$0")/cluster_lib.sh"

fail() { echo "FAIL: $*"; exit 1; }

word_count_input "$work/input.txt" 30000
rolling_counts "$work/input.txt" > "$work/expected"
common=(--input "$work/input.txt" --parallelism 2 --checkpoint-interval-ms 50
        --retained-checkpoints 10 "$@")
job=word_count

# completed DIR: the ids of the completed checkpoints under DIR/$job, ascending.
completed() {
  ls -d "$1/$job"/chk-*/_metadata 2>/dev/null | sed -E 's|.*/chk-([0-9]+)/_metadata|\1|' | sort -n
}

# The run that is killed.
"$bin" "${common[@]}" --source-rate 20000 --output "$work/out" --checkpoint-dir "$work/chk" \
  --state-dir "$work/state-killed" > "$work/killed.out" 2> "$work/killed.err" &
pid=$!
started_pids+=("$pid")
kill_after_checkpoint "$work/chk" 1 "$pid"
mapfile -t ids < <(completed "$work/chk")
[ "${#ids[@]}" -ge 2 ] || fail "fewer than two completed checkpoints: ${ids[*]:-none}"
newest=${ids[-1]} previous=${ids[-2]}
echo "killed after checkpoints ${ids[*]}"
cp -a "$work/chk" "$work/killed-chk"
cp -a "$work/out" "$work/killed-out"
committed "$work/out" > "$work/committed-by-killed" 2>/dev/null || : > "$work/committed-by-killed"
chk_dir="$work/chk/$job/chk-$newest"

# reset: the killed run's output and checkpoints back in place (the sink's uid names --output,
# so every restore writes to $work/out).
reset() {
  rm -rf "$work/out" "$work/chk"
  cp -a "$work/killed-out" "$work/out"
  cp -a "$work/killed-chk" "$work/chk"
}

# restore NAME ARGS...: word_count restoring into $work/out; stderr in $work/NAME.err.
restore() {
  local name=$1; shift
  "$bin" "${common[@]}" --output "$work/out" --checkpoint-dir "$work/chk" \
    --state-dir "$work/state-$name" "$@" > "$work/$name.out" 2> "$work/$name.err"
}

# expect_error NAME TEXT ARGS...: restore NAME ARGS... exits non-zero with TEXT on stderr.
expect_error() {
  local name=$1 text=$2 status=0; shift 2
  restore "$name" "$@" || status=$?
  [ "$status" -ne 0 ] || fail "$name: exited 0"
  grep -qF -- "$text" "$work/$name.err" || { cat "$work/$name.err"; fail "$name: no '$text'"; }
}

# expect_fallback NAME FILE: --restore latest completes, warning that chk-$newest is unusable
# (naming FILE) and falling back to chk-$previous; the committed lines of $work/out are the
# rolling counts exactly once, plus repeats of lines the killed run had committed.
expect_fallback() {
  local name=$1 file=$2
  restore "$name" --restore latest || { cat "$work/$name.err"; fail "$name: the restore failed"; }
  grep -qF "checkpoint chk-$newest is unusable, falling back to chk-$previous" "$work/$name.err" ||
    { cat "$work/$name.err"; fail "$name: no fallback to chk-$previous"; }
  grep -qF "'$file'" "$work/$name.err" || fail "$name: the fallback warning does not name $file"
  committed "$work/out" > "$work/got"
  sort -u "$work/got" | diff -q "$work/expected" - > /dev/null || fail "$name: not the rolling counts"
  uniq -d "$work/got" | comm -23 - "$work/committed-by-killed" > "$work/bad-repeats"
  [ ! -s "$work/bad-repeats" ] || fail "$name: repeats lines the killed run had not committed"
  no_uncommitted_files "$name"
  echo "$name: fell back to chk-$previous; $(uniq -d "$work/got" | wc -l) lines committed again"
}

no_uncommitted_files() { # NAME
  if ls -A "$work/out" | grep -q '^\.'; then ls -A "$work/out"; fail "$1: files left uncommitted"; fi
}

cut_in_half() { truncate -s "$(($(stat -c %s "$1") / 2))" "$1"; }
# flip_bytes FILE: 4 bytes in the middle of FILE overwritten (its size unchanged).
flip_bytes() {
  printf 'XXXX' | dd of="$1" bs=1 seek=$(($(stat -c %s "$1") / 2)) conv=notrunc status=none
}

# state_file: one state file of the newest checkpoint (any file but _metadata).
state_file() { find "$chk_dir" -type f ! -name _metadata | sort | head -1; }

# 0. Intact checkpoints: --restore latest restores chk-$newest; exactly-once output.
reset
restore intact --restore latest || { cat "$work/intact.err"; fail "intact: the restore failed"; }
! grep -q "unusable" "$work/intact.err" || { cat "$work/intact.err"; fail "intact: a fallback"; }
committed "$work/out" | diff -q "$work/expected" - > /dev/null || fail "intact: not the rolling counts"
no_uncommitted_files intact

# 1. A truncated newest _metadata.
reset
cut_in_half "$chk_dir/_metadata"
expect_fallback truncated-metadata "$chk_dir/_metadata"

# 2. Explicit restores of what cannot be restored.
reset
expect_error missing "'$work/chk/$job/chk-999'" --restore "$work/chk/$job/chk-999"
flip_bytes "$chk_dir/_metadata"
expect_error flipped-metadata "'$chk_dir/_metadata'" --restore "$chk_dir/_metadata"

reset
state=$(state_file)
[ -n "$state" ] || fail "chk-$newest holds no state file"
cut_in_half "$state"
expect_error truncated-state "'$state'" --restore "$chk_dir"
# 3. ... and with --restore latest, a fallback.
expect_fallback truncated-state-latest "$state"

reset
rm "$state"
expect_error missing-state "'$state'" --restore "$chk_dir"
expect_fallback missing-state-latest "$state"

# 3. Bytes of a state file changed in place: only its checksum, read by a subtask, tells; the job
# fails naming it, not restarted (a restart would restore the same checkpoint), explicit or latest.
reset
flip_bytes "$state"
expect_error flipped-state "'$state' is corrupt" --restore "$chk_dir"
expect_error flipped-state-latest "'$state' is corrupt" --restore latest
grep -qF "not restarted" "$work/flipped-state-latest.err" || fail "flipped-state-latest: restarted"
echo "corrupt checkpoints: all checks passed"
