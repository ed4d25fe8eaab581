#!/usr/bin/env bash
# The services the connector tests need, on free loopback ports:
#   scripts/services.sh start [--state FILE] [--env-file FILE] [--max-prepared-transactions N]
#                             [--no-kafka]
#   scripts/services.sh stop [--state FILE]
# start: a PostgreSQL cluster in a temporary directory (initdb + pg_ctl from
# $PG_BIN or /usr/lib/postgresql/15/bin, max_prepared_transactions set; run as the user
# `postgres` when started as root, since initdb refuses root) and, when the binary exists
# ($SLUICE_BIN or build/bin), sluice_kafka_mock. Prints lines a shell can eval:
#   POSTGRES_URL=postgresql://...   KAFKA_BOOTSTRAP=host:port,...   SLUICE_SERVICES_STATE=FILE
# (also written to --env-file). stop: stops what the state file (default
# ${TMPDIR:-/tmp}/sluice-services.state) names and removes the temporary directory (without
# a state file there is nothing to stop: a note, exit 0).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
sluice_bin=${SLUICE_BIN:-$root/build/bin}
state=${TMPDIR:-/tmp}/sluice-services.state
env_file=
max_prepared=64
with_kafka=1
die() { echo "services.sh: error: $*" >&2; exit 1; }

command=${1:-}
[ -n "$command" ] && shift
while [ $# -gt 0 ]; do
  case $1 in
    --state) [ $# -ge 2 ] || die "flag --state needs a FILE"; state=$2; shift 2 ;;
    --env-file) [ $# -ge 2 ] || die "flag --env-file needs a FILE"; env_file=$2; shift 2 ;;
    --max-prepared-transactions)
      [ $# -ge 2 ] && [ "$2" -ge 0 ] 2>/dev/null || die "flag --max-prepared-transactions needs a number"
      max_prepared=$2; shift 2 ;;
    --no-kafka) with_kafka=0; shift ;;
    *) die "unknown argument '$1' (see the usage at the top of $0)" ;;
  esac
done

as_owner() { # runs "$@" as the owner of the cluster
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if port_free "$p"; then echo "$p"; return; fi
  done
  die "no free loopback port found"
}

start_postgres() { # $1 = directory; sets pg_port
  [ -x "$pg_bin/initdb" ] || die "$pg_bin/initdb not found (install postgresql or set PG_BIN)"
  local data=$1/pgdata
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$1"; fi
  as_owner "$pg_bin/initdb" -D "$data" -U sluice --auth=trust --no-sync -E UTF8 \
    >"$1/initdb.log" 2>&1 || die "initdb failed: $(tail -5 "$1/initdb.log")"
  cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$1'
max_prepared_transactions = $max_prepared
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  for _ in 1 2 3 4 5; do
    pg_port=$(free_port)
    if as_owner "$pg_bin/pg_ctl" -D "$data" -l "$1/postgres.log" -o "-p $pg_port" -w -t 60 \
      start >/dev/null 2>&1; then
      return
    fi
  done
  die "pg_ctl start failed: $(tail -5 "$1/postgres.log")"
}

start_kafka_mock() { # $1 = directory; sets kafka_bootstrap and kafka_pid when the mock exists
  local mock=$sluice_bin/sluice_kafka_mock out=$1/kafka_mock.out
  kafka_bootstrap= kafka_pid=
  [ "$with_kafka" -eq 1 ] && [ -x "$mock" ] || return 0
  setsid "$mock" </dev/null >"$out" 2>"$1/kafka_mock.err" &
  kafka_pid=$!
  for _ in $(seq 200); do
    if [ "$(wc -l <"$out")" -ge 1 ]; then
      line=$(head -n 1 "$out")
      kafka_bootstrap=${line#bootstrap.servers=}
      [ "$kafka_bootstrap" != "$line" ] || die "$mock printed '$line', not bootstrap.servers=..."
      return
    fi
    kill -0 "$kafka_pid" 2>/dev/null || die "$mock exited: $(cat "$1/kafka_mock.err")"
    sleep 0.05
  done
  die "$mock printed no bootstrap.servers line within 10 s"
}

start() {
  [ ! -e "$state" ] || die "state file $state exists: services already started (stop them first)"
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/sluice-services.XXXXXX")
  chmod 755 "$dir"
  kafka_pid=
  trap 'stop_dir "$dir" "$kafka_pid"' EXIT # a failed start leaves nothing running
  start_postgres "$dir"
  start_kafka_mock "$dir"
  trap - EXIT
  printf 'dir=%s\nkafka_pid=%s\n' "$dir" "$kafka_pid" >"$state"
  local lines
  lines="POSTGRES_URL=postgresql://sluice@127.0.0.1:$pg_port/postgres
KAFKA_BOOTSTRAP=$kafka_bootstrap
SLUICE_SERVICES_STATE=$state"
  echo "$lines"
  if [ -n "$env_file" ]; then echo "$lines" >"$env_file"; fi
}

stop_dir() { # $1 = directory, $2 = the mock's pid
  if [ -n "$2" ] && kill -0 "$2" 2>/dev/null; then
    kill -TERM "$2" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$2" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$2" 2>/dev/null || true
  fi
  if [ -f "$1/pgdata/postmaster.pid" ]; then
    as_owner "$pg_bin/pg_ctl" -D "$1/pgdata" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$1"
}

stop() {
  if [ ! -f "$state" ]; then
    echo "services.sh: no state file $state: nothing to stop" >&2
    return 0
  fi
  local dir kafka_pid
  dir=$(sed -n 's/^dir=//p' "$state")
  kafka_pid=$(sed -n 's/^kafka_pid=//p' "$state")
  [ -n "$dir" ] && [ -d "$dir" ] || die "state file $state names no directory"
  stop_dir "$dir" "$kafka_pid"
  rm -f "$state"
}

case $command in
  start) start ;;
  stop) stop ;;
  *) die "usage: services.sh start|stop [--state FILE] [--env-file FILE]" ;;
esac
