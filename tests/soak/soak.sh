#!/usr/bin/env bash
# Soak: soak_job (unbounded, keyed one-second tumbling windows) at half its maximum rate on a job
# manager and two task managers, checkpoints every second; a task manager killed (kill -9) and
# replaced every --kill-every-s seconds (the newest one: the first lives the whole run, through
# every restart). Every 5 s it samples each process's resident memory and the size of the
# latest completed checkpoint. After a warm-up (a process's first 40% of the run,
# at most 60 s), a least-squares line through each series must not rise by more than
#   memory:      its in-flight bound + 4 MiB + 32 KiB per minute measured. The in-flight bound
#                is what the batches a task manager may hold at once take: on its one remote
#                input channel, (8 exclusive + 8 floating credits) x 512 KiB (--remote-batch-bytes)
#                = 8 MiB. The heap in use stays flat, but the allocator's resident memory rises
#                in steps towards that bound as in-flight peaks occur (docs/operations.md, Soak).
#   checkpoints: 64 KiB + their mean size. The state holds, per key, the windows between the
#                watermark and the newest record: one or two one-second windows, as the
#                watermark lags by its 100 ms bound plus what is in flight, which varies with
#                the machine's load; so a checkpoint moves between one and two windows' state
#                without growing. A leak passes that within minutes.
# over the measured span. Samples go to $SOAK_SAMPLES (default: a file in the scratch dir).
#   tests/soak/soak.sh --minutes M [--kill-every-s S] [--bin PATH/soak_job]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
minutes=2 kill_every=180 bin=$here/../../build/bin/soak_job
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --kill-every-s) kill_every=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    *) echo "soak.sh: unknown argument '$1' (--minutes M, --kill-every-s S, --bin PATH)" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "soak.sh: no soak_job at '$bin' (--bin PATH)" >&2; exit 2; }
work=$(mktemp -d)
source "$here/../integration/cluster_lib.sh"
# Built with AddressSanitizer (docs/sanitizers.md), each process holds freed memory back in a
# quarantine (256 MiB by default) to catch uses after free: its resident memory then rises until
# the quarantine is full, far past the bounds above. 1 MiB keeps the check for recent frees and
# lets the memory measured be the program's. Without ASan the variable is not read.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
samples=${SOAK_SAMPLES:-$work/samples.csv}

max=$("$bin" --records 3000000 --parallelism 2 | sed -n 's/^records\/s //p')
rate=$((${max%.*} / 2))
echo "soak: $minutes min; the job's maximum rate $max records/s, running at $rate"

# The exponential restart delay starts again after half a kill interval without failure: with
# Flink's default (an hour) it would grow to its 5 min maximum over an hour of kills, and the
# job would spend the soak waiting to restart.
args=(--parallelism 2 --source-rate "$rate" --checkpoint-interval-ms 1000
      --checkpoint-dir "$work/chk" --restart-delay-ms 100
      --restart-reset-after-ms $((kill_every * 500)))
start_job_manager jm "$bin" "${args[@]}" --taskmanagers 2
jm=$jm_pid
tms=0 live=() names=()
start_tm() {
  tms=$((tms + 1))
  start_task_manager "tm$tms" "$bin" "${args[@]}"
  live+=("$tm_pid") names+=("tm$tms")
}
start_tm
start_tm
wait_for_checkpoint "$work/chk" 0 "$jm"

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
echo "seconds,process,kb" > "$samples"
t0=$(date +%s)
next_kill=$kill_every
while :; do
  t=$(($(date +%s) - t0))
  [ "$t" -lt $((minutes * 60)) ] || break
  kill -0 "$jm" 2>/dev/null || { echo "the job manager exited"; exit 1; }
  echo "$t,jm,$(rss_kb "$jm")" >> "$samples"
  for i in "${!live[@]}"; do echo "$t,${names[$i]},$(rss_kb "${live[$i]}")" >> "$samples"; done
  latest=$(latest_checkpoint "$work/chk")
  [ "$latest" -gt 0 ] && echo "$t,checkpoint,$(du -sk "$work"/chk/*/chk-"$latest" | cut -f1)" >> "$samples"
  if [ "$t" -ge "$next_kill" ]; then
    # The newest task manager goes: tm1 lives the whole run, through every restart of the job.
    echo "soak: kill -9 ${names[1]} at ${t} s"
    kill -9 "${live[1]}"
    wait "${live[1]}" 2>/dev/null || true
    live=("${live[0]}") names=("${names[0]}")
    start_tm
    next_kill=$((next_kill + kill_every))
  fi
  sleep 5
done
kill -TERM "$jm"
expect_status jm "$jm" 143
for i in "${!live[@]}"; do expect_status "${names[$i]}" "${live[$i]}" 0; done

# The trend of each series after its warm-up.
warmup=$((minutes * 60 * 2 / 5)); [ "$warmup" -le 60 ] || warmup=60
in_flight_kib=$(((8 + 8) * 512))
awk -F, -v warmup="$warmup" -v in_flight_kib="$in_flight_kib" 'NR > 1 {
    if (!($2 in first)) first[$2] = $1
    if ($1 - first[$2] < warmup) next
    n[$2]++; sx[$2] += $1; sy[$2] += $3; sxx[$2] += $1 * $1; sxy[$2] += $1 * $3
    if (!($2 in lo)) lo[$2] = $1
    hi[$2] = $1
  }
  END {
    bad = 0
    for (p in n) {
      if (n[p] < 5) continue
      d = n[p] * sxx[p] - sx[p] * sx[p]
      slope = d == 0 ? 0 : (n[p] * sxy[p] - sx[p] * sy[p]) / d   # KiB per second
      span = hi[p] - lo[p]; mean = sy[p] / n[p]
      rise = slope * span
      allowed = p == "checkpoint" ? 64 + mean : in_flight_kib + 4096 + 32 * span / 60
      printf "soak: %-10s %3d samples over %4d s: mean %8.0f KiB, trend %+8.1f KiB/min, rise %+7.0f KiB (allowed %6.0f)\n",
             p, n[p], span, mean, slope * 60, rise, allowed
      if (rise > allowed) bad = 1
    }
    exit bad
  }' "$samples" || { echo "soak: a series grew beyond its bound"; exit 1; }
echo "soak: passed"
