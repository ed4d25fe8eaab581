# Helpers for scripted cluster tests (sourced): start a job manager and task managers of a job
# program as separate processes (on $jm_host, default 127.0.0.1), wait for them, clean up
# whatever is left. The caller sets `work` (a scratch directory) before sourcing; a task manager
# runs with the command prefix in the array tm_prefix (e.g. ip netns exec NS), if set.
source "$(dirname "${BASH_SOURCE[0]}")/checkpoint_lib.sh"
jm_host=${jm_host:-127.0.0.1}
tm_prefix=()

started_pids=()
cluster_cleanup() {
  local status=$?
  for p in "${started_pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [ "$status" -ne 0 ] || [ -n "${SHOW_LOGS:-}" ]; then # show what the processes said
    for f in "$work"/*.err; do [ -s "$f" ] && { echo "== $f"; tail -n 20 "$f"; }; done
  fi
  rm -rf "$work"
}
trap cluster_cleanup EXIT

# start_job_manager NAME BIN ARGS...: starts BIN --jobmanager-bind $jm_host:0 ARGS... with
# stdout/stderr in $work/NAME.{out,err}; sets jm_pid and jm_port once it listens.
start_job_manager() {
  local name=$1 bin=$2; shift 2
  rm -f "$work/$name.err" # not a line of an earlier job manager of that name
  "$bin" --jobmanager-bind "$jm_host:0" "$@" > "$work/$name.out" 2> "$work/$name.err" &
  jm_pid=$!
  started_pids+=("$jm_pid")
  jm_port=
  while [ -z "$jm_port" ]; do
    if ! kill -0 "$jm_pid" 2>/dev/null; then
      echo "job manager $name exited before listening:"; cat "$work/$name.err"; return 1
    fi
    jm_port=$(sed -n "s/.*listening on $jm_host:\([0-9]*\)$/\1/p" "$work/$name.err" 2>/dev/null ||
      true) # the file may not exist yet
    [ -n "$jm_port" ] || sleep 0.02
  done
}

# start_task_manager NAME BIN ARGS...: a task manager of the job manager on $jm_port; sets tm_pid.
start_task_manager() {
  local name=$1 bin=$2; shift 2
  "${tm_prefix[@]}" "$bin" --taskmanager --jobmanager "$jm_host:$jm_port" "$@" > "$work/$name.out" \
    2> "$work/$name.err" &
  tm_pid=$!
  started_pids+=("$tm_pid")
}

# expect_status NAME PID WANTED: fails, showing NAME's stderr, unless PID exits with WANTED.
expect_status() {
  local status=0
  wait "$2" || status=$?
  if [ "$status" -ne "$3" ]; then
    echo "$1 exited with $status, expected $3:"; cat "$work/$1.err"; return 1
  fi
}

# wait_until NAME PID COMMAND...: polls COMMAND until it succeeds; fails if PID ended first.
wait_until() {
  local name=$1 pid=$2; shift 2
  until "$@"; do
    kill -0 "$pid" 2>/dev/null || { echo "$name ended while waiting for: $*"; cat "$work/$name.err"; exit 1; }
    sleep 0.05
  done
}

# word_count_input FILE LINES: a deterministic text of LINES lines over 11 words.
word_count_input() {
  awk -v n="$2" 'BEGIN {
    split("stream flow gate water sluice actor credit batch key group flink", w, " ");
    s = 4242;
    for (i = 0; i < n; i++) {
      line = "";
      for (j = 0; j < i % 5 + 1; j++) { s = (s * 1103515245 + 12345) % 2147483648; line = line w[s % 11 + 1] " " }
      print line
    }
  }' > "$1"
}

# rolling_counts FILE: every word's rolling counts 1..n as "word,c", sorted.
rolling_counts() {
  tr -cs 'a-z' '\n' < "$1" | grep -v '^$' | sort | uniq -c |
    awk '{ for (c = 1; c <= $1; c++) print $2 "," c }' | sort
}

# committed DIR: the committed lines of a file sink's directory (non-dot files), sorted.
committed() { cat "$1"/part-* | sort; }

# window_events FILE: window_aggregate input: keys k0..k12, timestamps rising by 10 ms with up to
# 49 ms of disorder, some records 2 s late.
window_events() {
  awk 'BEGIN { s = 7; for (i = 0; i < 20000; i++) { s = (s * 1103515245 + 12345) % 2147483648;
    ts = i * 10 + s % 50 - (i % 997 == 0 ? 2000 : 0); printf "k%d,%d,%d\n", s % 13, ts, s % 1000 } }' \
    > "$1"
}

# run_cluster BIN TASK_MANAGERS SLOTS ARGS...: the job on a job manager and TASK_MANAGERS task
# managers of SLOTS slots, all given ARGS; every process must exit 0.
clusters=0
run_cluster() { # (logs of the N-th call: jmN, tmN-1, ...)
  local bin=$1 tms=$2 slots=$3; shift 3
  clusters=$((clusters + 1))
  start_job_manager "jm$clusters" "$bin" "$@" --taskmanagers "$tms"
  local jm=$jm_pid pids=()
  for i in $(seq "$tms"); do
    start_task_manager "tm$clusters-$i" "$bin" "$@" --slots "$slots"
    pids+=("$tm_pid")
  done
  expect_status "jm$clusters" "$jm" 0
  for i in $(seq "$tms"); do expect_status "tm$clusters-$i" "${pids[$((i - 1))]}" 0; done
}
