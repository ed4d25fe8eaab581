#!/usr/bin/env bash
# The cost of metrics: bench_keyed_sum and bench_windows with metrics on (the default: the job
# manager collects every second, subtasks time their work, the REST API listens) and off
# (--metrics-interval-ms 0 --rest-bind off: no collection, no busy-time clock, no per-operator
# records reported), interleaved R times, the best of each. Each round runs each bench in both
# modes back to back, on first in odd rounds and off first in even ones, so that a drift of the
# machine's load favours neither. Prints per figure records/s, the ratio on/off and the throughput
# lost with metrics on (1 - ratio, in %), then the worst loss; then the lowest CPU per record of
# each job (every thread of the process), the ratio on/off and the extra CPU with metrics on
# (ratio - 1, in %), then the worst. With --json one JSON object as the last line; every run's
# figures go to stderr as they come. The CPU figures vary less from run to run than the
# throughput, which the scheduling of a shared 2-core machine moves by +-10 %.
#
#   scripts/bench_metrics.sh BUILD_DIR [--repeat R] [--records N] [--json]
#
# Defaults: R = 9, N = 20000000 (a run of the engine lasts seconds, not a fraction of one, so
# that a job's start and end and the scheduler's hiccups weigh little).
set -euo pipefail
build=${1:?usage: bench_metrics.sh BUILD_DIR [--repeat R] [--records N] [--json]}
shift
repeat=9 records=20000000 json=
while [ $# -gt 0 ]; do
  case $1 in
    --repeat) repeat=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --json) json=1; shift ;;
    *) echo "bench_metrics.sh: unknown flag $1" >&2; exit 2 ;;
  esac
done
off=(--metrics-interval-ms 0 --rest-bind off)
on=(--rest-bind 127.0.0.1:0)
declare -A best
# run NAME MODE ARGS...: the bench's JSON figures, each kept as best[MODE:key] if better (a
# higher throughput, a lower CPU per record).
run() {
  local name=$1 mode=$2; shift 2
  local line
  line=$("$build/bin/$name" --records "$records" --json "$@" 2>/dev/null | tail -1)
  echo "$name $mode: $line" >&2
  while IFS='=' read -r key value; do
    local k="$mode:$key"
    local better='a > b'
    [ "${key#cpu_}" != "$key" ] && better='a < b'
    if [ -z "${best[$k]:-}" ] || awk -v a="$value" -v b="${best[$k]}" "BEGIN { exit !($better) }"; then
      best[$k]=$value
    fi
  done < <(python3 -c 'import json,sys; [print(f"{k}={v}") for k,v in json.loads(sys.argv[1]).items() if k.startswith(("records_per_s", "cpu_ns_per_record"))]' "$line")
}
# in_mode NAME MODE ARGS...: run with MODE's flags.
in_mode() {
  local name=$1 mode=$2; shift 2
  if [ "$mode" = on ]; then run "$name" on "$@" "${on[@]}"; else run "$name" off "$@" "${off[@]}"; fi
}
for r in $(seq "$repeat"); do
  if [ $((r % 2)) -eq 1 ]; then order=(on off); else order=(off on); fi
  for mode in "${order[@]}"; do in_mode bench_keyed_sum "$mode"; done
  for mode in "${order[@]}"; do in_mode bench_windows "$mode" --kinds tumbling,session; done
done
echo "records: $records, best of $repeat interleaved runs; metrics on vs off"
out="{"
# compare PREFIX SIGN LABEL: per figure whose key starts with PREFIX, on against off and the cost
# of metrics in % (SIGN 1: a rate, cost = 1 - on/off; SIGN -1: a cost, cost = on/off - 1); the
# worst cost goes to the JSON field worst_LABEL_pct.
compare() {
  local prefix=$1 sign=$2 label=$3 worst=-1000 k ratio cost
  for k in $(printf '%s\n' "${!best[@]}" | sed -n "s/^on:\(${prefix}.*\)/\1/p" | sort); do
    ratio=$(awk -v a="${best[on:$k]}" -v b="${best[off:$k]}" 'BEGIN { printf "%.3f", a / b }')
    cost=$(awk -v r="$ratio" -v s="$sign" 'BEGIN { printf "%.1f", s * (1 - r) * 100 }')
    printf '%-36s on %12.1f  off %12.1f  ratio %s  %s %5s %%\n' "$k" "${best[on:$k]}" \
      "${best[off:$k]}" "$ratio" "$label" "$cost"
    out+="\"${k}_on\":${best[on:$k]},\"${k}_off\":${best[off:$k]},\"ratio_${k}\":$ratio,"
    worst=$(awk -v a="$worst" -v b="$cost" 'BEGIN { print (b > a) ? b : a }')
  done
  echo "worst $label with metrics on: ${worst} %"
  label=${label// /_}
  out+="\"worst_${label,,}_pct\":${worst},"
}
compare records_per_s 1 "throughput loss"
compare cpu_ns_per_record -1 "extra CPU"
[ -n "$json" ] && echo "${out%,}}"
exit 0
