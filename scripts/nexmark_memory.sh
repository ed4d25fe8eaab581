#!/usr/bin/env bash
# Memory of the Nexmark queries over a long run: each query runs on the in-process generator
# (`nexmark --query qN --events N --output /dev/null`, the lines formatted and written, nothing
# kept), while this script samples the process's resident memory (VmRSS, and VmHWM, its peak)
# every 0.1 s. Per query it prints the run's seconds, the peak RSS, the highest RSS of the first
# and of the second half of the samples, and the growth from one to the other: a query whose
# state expires (windows fire, join state is cleaned by its time bounds) stays flat, one that
# keeps state for ever grows with the events. With --json, one JSON object as the last line.
#
#   scripts/nexmark_memory.sh BUILD_DIR [--events N] [--queries q0,q3,...|all]
#                             [--parallelism P] [--state-backend heap|rocksdb]
#                             [--alignment-ms MS] [--json]
#
# Defaults: N = 100000000 (about 1-5 minutes per query on 2 cores), every query, P = 2, heap,
# watermark alignment at 10000 ms (--watermark-alignment-ms; 0: off, and the state between two
# source subtasks' watermarks grows with their drift).
# CI runs it small (tests/nexmark/memory_script_test.sh). On the heap backend at 100 M events the
# queries whose state has no bound (q3, q15-q20) take gigabytes: q16 about 21 GB, q18 7 GB.
set -euo pipefail
build=${1:?usage: nexmark_memory.sh BUILD_DIR [--events N] [--queries LIST] [--parallelism P] [--state-backend B] [--alignment-ms MS] [--json]}
shift
events=100000000 queries=all parallelism=2 backend=heap alignment=10000 json=
while [ $# -gt 0 ]; do
  case $1 in
    --events) events=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    --parallelism) parallelism=$2; shift 2 ;;
    --state-backend) backend=$2; shift 2 ;;
    --alignment-ms) alignment=$2; shift 2 ;;
    --json) json=1; shift ;;
    *) echo "nexmark_memory.sh: unknown flag $1" >&2; exit 2 ;;
  esac
done
if [ "$queries" = all ]; then
  queries=q0,q1,q2,q3,q4,q5,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17,q18,q19,q20,q21,q22
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# memory_kb PID: "VmRSS VmHWM" of /proc/PID/status in KiB (one read of the file, so the two
# belong together); empty once the process is gone, and before it runs nexmark (the forked
# shell's few hundred KiB are not the query's).
memory_kb() {
  awk '$1 == "Name:" { name = $2 } $1 == "VmRSS:" { rss = $2 } $1 == "VmHWM:" { hwm = $2 }
       END { if (name == "nexmark" && rss != "" && hwm != "") print rss, hwm }' \
    "/proc/$1/status" 2>/dev/null || true
}

# measure QUERY: runs it, prints "seconds peak_kb first_half_kb second_half_kb".
measure() {
  local query=$1 samples=() peak=0 rss hwm sample start end
  local args=(--query "$query" --events "$events" --parallelism "$parallelism"
              --state-backend "$backend" --watermark-alignment-ms "$alignment"
              --output /dev/null --rest-bind off)
  [ "$backend" = rocksdb ] && args+=(--state-dir "$scratch/state")
  start=$(date +%s.%N)
  "$build/bin/nexmark" "${args[@]}" >"$scratch/out" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sample=$(memory_kb "$pid")
    if [ -n "$sample" ]; then
      read -r rss hwm <<< "$sample"
      samples+=("$rss")
      [ "$hwm" -gt "$peak" ] && peak=$hwm
    fi
    sleep 0.1
  done
  if ! wait "$pid"; then
    echo "nexmark_memory.sh: $query failed:" >&2
    cat "$scratch/out" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  local n=${#samples[@]} half first=0 second=0 i
  half=$(((n + 1) / 2))
  for ((i = 0; i < n; ++i)); do
    if [ "$i" -lt "$half" ]; then
      [ "${samples[$i]}" -gt "$first" ] && first=${samples[$i]}
    else
      [ "${samples[$i]}" -gt "$second" ] && second=${samples[$i]}
    fi
  done
  [ "$second" -eq 0 ] && second=$first
  echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') $peak $first $second"
}

printf '%-6s %9s %14s %16s %17s %8s\n' query seconds "peak RSS MiB" "1st half MiB" "2nd half MiB" growth
out="{\"events\":$events,\"parallelism\":$parallelism,\"state_backend\":\"$backend\",\"queries\":["
for q in ${queries//,/ }; do
  read -r secs peak first second < <(measure "$q")
  growth=$(awk -v a="$first" -v b="$second" 'BEGIN { printf "%.1f", (a > 0 ? (b - a) * 100 / a : 0) }')
  mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
  printf '%-6s %9s %14s %16s %17s %7s%%\n' "$q" "$secs" "$(mib "$peak")" "$(mib "$first")" \
    "$(mib "$second")" "$growth"
  out+="{\"query\":\"$q\",\"seconds\":$secs,\"peak_rss_mb\":$(mib "$peak"),\"first_half_rss_mb\":$(mib "$first"),\"second_half_rss_mb\":$(mib "$second"),\"growth_pct\":$growth},"
done
[ -n "$json" ] && echo "${out%,}]}"
exit 0
