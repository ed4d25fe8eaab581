#!/usr/bin/env bash
# The cost of metrics: bench_keyed_sum and bench_windows with metrics on (the default: the job
# manager collects every second, subtasks time their work, the REST API listens) and off
# (--metrics-interval-ms 0 --rest-bind off: no collection, no busy-time clock, no per-operator
# records reported), interleaved R times, the best of each. Each round runs each bench in both
# modes back to back, on first in odd rounds and off first in even ones, so that a drift of the
# machine's load favours neither. Prints records/s, the ratio on/off and the throughput lost with metrics
# on (1 - ratio, in %) per figure, then the worst loss, and with --json one JSON object as the
# last line; every run's figures go to stderr as they come.
#
#   scripts/bench_metrics.sh BUILD_DIR [--repeat R] [--records N] [--json]
#
# Defaults: R = 5, N = 10000000 (a run of the engine lasts seconds, not a fraction of one, so
# that a job's start and end and the scheduler's hiccups weigh little).
set -euo pipefail
build=${1:?usage: bench_metrics.sh BUILD_DIR [--repeat R] [--records N] [--json]}
shift
repeat=5 records=10000000 json=
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
# run NAME MODE ARGS...: the bench's JSON figures, each kept as best[MODE:key] if higher.
run() {
  local name=$1 mode=$2; shift 2
  local line
  line=$("$build/bin/$name" --records "$records" --json "$@" 2>/dev/null | tail -1)
  echo "$name $mode: $line" >&2
  while IFS='=' read -r key value; do
    local k="$mode:$key"
    if [ -z "${best[$k]:-}" ] || awk -v a="$value" -v b="${best[$k]}" 'BEGIN { exit !(a > b) }'; then
      best[$k]=$value
    fi
  done < <(python3 -c 'import json,sys; [print(f"{k}={v}") for k,v in json.loads(sys.argv[1]).items() if k.startswith("records_per_s")]' "$line")
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
for k in $(printf '%s\n' "${!best[@]}" | sed -n 's/^on://p' | sort); do
  ratio=$(awk -v a="${best[on:$k]}" -v b="${best[off:$k]}" 'BEGIN { printf "%.3f", a / b }')
  loss=$(awk -v r="$ratio" 'BEGIN { printf "%.1f", (1 - r) * 100 }')
  printf '%-36s on %12.0f  off %12.0f  ratio %s  loss %5s %%\n' "$k" "${best[on:$k]}" \
    "${best[off:$k]}" "$ratio" "$loss"
  out+="\"${k}_on\":${best[on:$k]},\"${k}_off\":${best[off:$k]},\"ratio_${k#records_per_s_}\":$ratio,"
  worst=$(awk -v a="${worst:--1000}" -v b="$loss" 'BEGIN { print (b > a) ? b : a }')
done
echo "worst throughput loss with metrics on: ${worst} %"
out+="\"worst_loss_pct\":${worst},"
[ -n "$json" ] && echo "${out%,}}"
exit 0
