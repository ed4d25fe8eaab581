#!/usr/bin/env bash
# Incremental RocksDB checkpoints of word_count (exactly-once file output), killed with kill -9
# at a random moment after at least three completed checkpoints (perhaps between a checkpoint's
# files and its _metadata); each case then starts from a copy of its output and checkpoints:
#  0. the checkpoints reference files in shared/, the newest some the previous one wrote; with
#     --incremental-checkpoints=false a run writes no shared file;
#  1. `sluice checkpoints gc` removes a file no checkpoint references and a chk-N without
#     _metadata and keeps every file a completed checkpoint references; --restore latest then
#     restores the newest checkpoint: exactly-once output;
#  2. a shared file only the newest checkpoint references, deleted or truncated: --restore
#     latest falls back to the previous checkpoint, with a warning naming the file;
#  3. gc errors: a missing directory, one holding no checkpoints, an unreadable _metadata (exit
#     1, naming it, nothing removed), a missing argument (exit 2).
set -euo pipefail
bin=$1 cli=$2
work=$(mktemp -d)
source "$(dirname "$0")/cluster_lib.sh"

fail() { echo "FAIL: $*"; exit 1; }

word_count_input "$work/input.txt" 30000
rolling_counts "$work/input.txt" > "$work/expected"
common=(--input "$work/input.txt" --parallelism 2 --checkpoint-interval-ms 50
        --retained-checkpoints 3 --state-backend rocksdb)
job=word_count
jobdir=$work/chk/$job

"$bin" "${common[@]}" --source-rate 10000 --output "$work/out" --checkpoint-dir "$work/chk" \
  --state-dir "$work/state-killed" > "$work/killed.out" 2> "$work/killed.err" &
pid=$!
started_pids+=("$pid")
kill_after_checkpoint "$work/chk" 2 "$pid"
mapfile -t ids < <(ls -d "$jobdir"/chk-*/_metadata | sed -E 's|.*/chk-([0-9]+)/_metadata|\1|' |
                   sort -n)
[ "${#ids[@]}" -ge 2 ] || fail "fewer than two completed checkpoints: ${ids[*]:-none}"
newest=${ids[-1]} previous=${ids[-2]}
echo "killed after checkpoints ${ids[*]}"
cp -a "$work/chk" "$work/killed-chk"
cp -a "$work/out" "$work/killed-out"

reset() {
  rm -rf "$work/out" "$work/chk"
  cp -a "$work/killed-out" "$work/out"
  cp -a "$work/killed-chk" "$work/chk"
}
# shared_of ID: the shared files chk-ID's _metadata references, absolute, sorted.
shared_of() {
  grep -o '"\.\./shared/[^"]*"' "$jobdir/chk-$1/_metadata" | tr -d '"' |
    sed "s|^\.\./|$jobdir/|" | sort -u
}
referenced() { for id in "${ids[@]}"; do shared_of "$id"; done | sort -u; }
restore() { # NAME ARGS...: word_count restoring into $work/out; stderr in $work/NAME.err
  local name=$1; shift
  "$bin" "${common[@]}" --output "$work/out" --checkpoint-dir "$work/chk" \
    --state-dir "$work/state-$name" "$@" > "$work/$name.out" 2> "$work/$name.err"
}
expect_gc_error() { # NAME STATUS TEXT ARGS...: sluice checkpoints gc ARGS... fails so
  local name=$1 want=$2 text=$3 status=0; shift 3
  "$cli" checkpoints gc "$@" > "$work/$name.out" 2> "$work/$name.err" || status=$?
  [ "$status" -eq "$want" ] || { cat "$work/$name.err"; fail "$name: exit $status, not $want"; }
  grep -qF -- "$text" "$work/$name.err" || { cat "$work/$name.err"; fail "$name: no '$text'"; }
}

# 0. Shared files, and files of the previous checkpoint referenced again.
shared_of "$newest" > "$work/newest"
shared_of "$previous" > "$work/previous"
[ -s "$work/newest" ] || fail "chk-$newest references no shared file"
[ -n "$(comm -12 "$work/newest" "$work/previous")" ] ||
  fail "chk-$newest references no file chk-$previous did"
"$bin" "${common[@]}" --incremental-checkpoints=false --output "$work/out-full" \
  --checkpoint-dir "$work/chk-full" --state-dir "$work/state-full" > /dev/null 2> "$work/full.err"
[ -z "$(ls -A "$work/chk-full/$job/shared")" ] || fail "--incremental-checkpoints=false: shared files"
! grep -q rocksdb_incremental "$work/chk-full/$job"/chk-*/_metadata ||
  fail "--incremental-checkpoints=false: an incremental part"

# 1. gc keeps what the completed checkpoints reference and removes the rest.
reset
echo partial > "$jobdir/shared/stray.sst"
mkdir -p "$jobdir/chk-999/n1" && echo x > "$jobdir/chk-999/n1/file"
"$cli" checkpoints gc "$work/chk" --json > "$work/gc.out" 2> "$work/gc.err" ||
  { cat "$work/gc.err"; fail "gc failed"; }
grep -qF "\"$jobdir/shared/stray.sst\"" "$work/gc.out" || { cat "$work/gc.out"; fail "gc: stray kept"; }
[ ! -e "$jobdir/shared/stray.sst" ] && [ ! -e "$jobdir/chk-999" ] || fail "gc: leftovers remain"
find "$jobdir/shared" -type f | sort > "$work/after-gc"
referenced > "$work/referenced"
diff "$work/referenced" "$work/after-gc" || fail "gc: shared/ is not what the checkpoints reference"
"$cli" checkpoints gc "$jobdir" > "$work/gc2.out" || fail "gc of the job's directory failed"
grep -qF "$jobdir: removed 0 incomplete checkpoints and 0 unreferenced shared files" \
  "$work/gc2.out" || { cat "$work/gc2.out"; fail "gc again: not nothing"; }
restore intact --restore latest || { cat "$work/intact.err"; fail "intact: the restore failed"; }
! grep -q "unusable" "$work/intact.err" || { cat "$work/intact.err"; fail "intact: a fallback"; }
committed "$work/out" | diff -q "$work/expected" - > /dev/null || fail "intact: not the rolling counts"

# 2. A shared file only the newest checkpoint references, missing or truncated.
only_newest=$(comm -23 "$work/newest" "$work/previous" | head -1)
[ -n "$only_newest" ] || fail "every file of chk-$newest is chk-$previous's too"
for damage in missing truncated; do
  reset
  if [ "$damage" = missing ]; then rm "$only_newest"; else truncate -s 1 "$only_newest"; fi
  restore "$damage" --restore latest || { cat "$work/$damage.err"; fail "$damage: restore failed"; }
  grep -qF "checkpoint chk-$newest is unusable, falling back to chk-$previous" "$work/$damage.err" ||
    { cat "$work/$damage.err"; fail "$damage: no fallback to chk-$previous"; }
  grep -qF "'$only_newest'" "$work/$damage.err" || fail "$damage: the warning does not name the file"
  committed "$work/out" | sort -u | diff -q "$work/expected" - > /dev/null ||
    fail "$damage: not the rolling counts"
done

# 3. gc errors.
mkdir -p "$work/empty"
expect_gc_error missing-dir 1 "'$work/nope' is not a directory" "$work/nope"
expect_gc_error no-job 1 "'$work/empty' holds no job's checkpoints" "$work/empty"
expect_gc_error no-arg 2 "missing argument for 'checkpoints gc'"
reset
echo partial > "$jobdir/shared/stray.sst"
truncate -s 10 "$jobdir/chk-$previous/_metadata"
expect_gc_error bad-metadata 1 "'$jobdir/chk-$previous/_metadata'" "$work/chk"
[ -e "$jobdir/shared/stray.sst" ] || fail "gc with an unreadable _metadata removed a file"
echo "incremental checkpoints: all checks passed"
