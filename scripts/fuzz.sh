#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang-14 (ASan + UBSan) in build-fuzz, replays
# each target's regression inputs, then fuzzes it from its seed corpus.
#   scripts/fuzz.sh [--runs N] [--jobs J] [--seeds] [TARGET] [SECONDS]
# TARGET empty or absent: every target. SECONDS (default 60): how long each target runs.
# --runs N: stop each target after N executions instead (SECONDS then only bounds it).
# --jobs J: run J targets at a time (default 1; each uses one core).
# --seeds: rewrite tests/fuzz/corpus with fuzz_make_seeds first.
# Exits non-zero if a regression input or the fuzzer finds a crash, leak, timeout or sanitizer
# report; the input is kept in build-fuzz/findings/TARGET/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
runs=""
jobs=1
seeds=false
while [[ $# -gt 0 && $1 == --* ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --seeds) seeds=true; shift ;;
    *) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
target="${1:-}"
seconds="${2:-60}"
if ! [[ $jobs =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz.sh: --jobs must be a positive number, got '$jobs'" >&2
  exit 2
fi
if ! [[ $seconds =~ ^[0-9]+$ ]] || [[ $seconds -eq 0 ]]; then
  echo "fuzz.sh: SECONDS must be a positive number, got '$seconds'" >&2
  exit 2
fi
for tool in clang-14 clang++-14; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool not found (apt-get install clang-14)" >&2; exit 2; }
done

all_targets=$(sed -n 's/^sluice_fuzz_target(\([a-z_]*\).*/\1/p' "$root/tests/fuzz/CMakeLists.txt")
if [[ -n $target ]] && ! grep -qx "$target" <<<"$all_targets"; then
  echo "fuzz.sh: no fuzz target '$target'; the targets are:" $all_targets >&2
  exit 2
fi
targets=${target:-$all_targets}

if [[ ! -f $build/CMakeCache.txt ]]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -DSLUICE_FUZZ=ON \
    -DSLUICE_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Fuzz -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" >/dev/null
fi
build_targets=()
for t in $targets; do build_targets+=("fuzz_$t"); done
$seeds && build_targets+=(fuzz_make_seeds)
mkdir -p "$build/logs"
if ! cmake --build "$build" -j "$(nproc)" --target "${build_targets[@]}" >"$build/logs/build.log" 2>&1; then
  tail -n 30 "$build/logs/build.log" >&2
  echo "fuzz.sh: building the fuzz targets failed (see $build/logs/build.log)" >&2
  exit 2
fi

if $seeds; then
  "$build/fuzz/fuzz_make_seeds" "$root/tests/fuzz/corpus"
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# Replays TARGET's regression inputs, then fuzzes it; writes its summary line to
# build-fuzz/logs/TARGET.result ("... ok" or a finding). Always returns 0.
run_target() {
  local t=$1 bin="$build/fuzz/fuzz_$1" log="$build/logs/$1.log" findings="$build/findings/$1"
  local work="$build/corpus/$1" result regressions limit corpora execs rate
  mkdir -p "$findings" "$work"
  shopt -s nullglob
  regressions=("$root/tests/fuzz/regressions/$t"/*)
  shopt -u nullglob
  if [[ ${#regressions[@]} -gt 0 ]] &&
      ! "$bin" -timeout=10 "${regressions[@]}" >"$log.regressions" 2>&1; then
    echo "fuzz $t: FINDING: a regression input fails again (see $log.regressions)" >"$build/logs/$t.result"
    return 0
  fi
  limit=(-max_total_time="$seconds")
  [[ -n $runs ]] && limit+=(-runs="$runs")
  corpora=("$work")
  [[ -d $root/tests/fuzz/corpus/$t ]] && corpora+=("$root/tests/fuzz/corpus/$t")
  if "$bin" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$findings/" "${corpora[@]}" >"$log" 2>&1; then
    result=ok
  else
    result="FINDING (see $log and $findings/)"
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: //p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  echo "fuzz $t: ${execs:-?} executions, ${rate:-?} exec/s," \
    "${#regressions[@]} regression input(s) replayed: $result" >"$build/logs/$t.result"
}

running=0
for t in $targets; do
  rm -f "$build/logs/$t.result"
  run_target "$t" &
  running=$((running + 1))
  if [[ $running -ge $jobs ]]; then
    wait -n
    running=$((running - 1))
  fi
done
wait
failed=()
for t in $targets; do
  if [[ -f $build/logs/$t.result ]]; then
    cat "$build/logs/$t.result"
    grep -q ': ok$' "$build/logs/$t.result" || failed+=("$t")
  else
    echo "fuzz $t: FINDING: the run did not finish"
    failed+=("$t")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz.sh: findings in: ${failed[*]}" >&2
  exit 1
fi
