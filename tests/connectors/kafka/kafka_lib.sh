# Shared by the Kafka scripts: a work directory, sluice_kafka_mock in its own process, cleanup.
# Sets $work, $bootstrap; `start_mock ARGS...`, `fail MESSAGE`.
work=$(mktemp -d)
mock_pid=
job_pid=
cleanup() {
  if [ -n "$job_pid" ]; then kill -9 "$job_pid" 2>/dev/null || true; fi
  if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Starts the mock broker and waits for its first line (bootstrap.servers=...). With
# mock_commands=1 its stdin is the fifo $work/mock.in, held open on fd 3: `mock_command CMD`.
start_mock() {
  local input=/dev/null
  if [ "${mock_commands:-0}" = 1 ]; then
    mkfifo "$work/mock.in"
    exec 3<> "$work/mock.in"
    input="$work/mock.in"
  fi
  : > "$work/mock.out" # exists before the loop below reads it (the child opens it later)
  "$bin/sluice_kafka_mock" "$@" > "$work/mock.out" 2> "$work/mock.err" < "$input" &
  mock_pid=$!
  bootstrap=
  while [ -z "$bootstrap" ]; do
    kill -0 "$mock_pid" 2>/dev/null || fail "sluice_kafka_mock exited: $(cat "$work/mock.err")"
    bootstrap=$(sed -n '1s/^bootstrap.servers=//p' "$work/mock.out")
    [ -n "$bootstrap" ] || sleep 0.02
  done
}

# Lines of words (a fixed pseudo-random text), then every word's rolling counts 1..n.
make_input() { # FILE LINES
  awk -v n="$2" 'BEGIN {
    split("stream flow gate water sluice actor credit batch key group kafka", w, " ");
    s = 4242;
    for (i = 0; i < n; i++) {
      line = "";
      for (j = 0; j < i % 5 + 1; j++) { s = (s * 1103515245 + 12345) % 2147483648; line = line w[s % 11 + 1] " " }
      print line
    }
  }' > "$1"
}
expected_counts() { # INPUT -> lines word,count sorted
  tr -cs 'a-z' '\n' < "$1" | grep -v '^$' | sort | uniq -c |
    awk '{ for (c = 1; c <= $1; c++) print $2 "," c }' | sort
}
# Every record of TOPIC as "key value", read to the end.
read_topic() { kcat -C -b "$bootstrap" -t "$1" -e -q -f '%k %s\n'; }
# Sends a fault-injection command to the mock and waits for its "ok" reply.
mock_command() {
  echo "$1" >&3
  until grep -qxF "ok $1" "$work/mock.out"; do
    grep -q '^error' "$work/mock.out" && fail "mock: $(grep '^error' "$work/mock.out")"
    sleep 0.02
  done
}
