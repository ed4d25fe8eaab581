#!/usr/bin/env bash
# tls_test.sh MODE WORD_COUNT SLUICE MAKE_CERTS: word_count on a job manager and two task
# managers whose connections are mutual TLS (certificates of scripts/make-certs.sh); in MODE:
#   cluster                  sluice list/status with the certificates; the output is right
#   rogue_taskmanager        a task manager with a self-signed certificate (its own CA), and a
#                            client trusting the CA but showing a self-signed certificate, are
#                            refused, logged with their address; the job is unaffected
#   cli_without_certificate  sluice without TLS flags, a TLS client without a certificate and
#                            sluice with a foreign certificate are refused and logged
#   plain_tcp_client         plain TCP clients (bytes, or none) are refused and logged; no crash
#   bind_rules               binds beyond loopback need TLS or --insecure; bad TLS files named;
#                            a job manager on 0.0.0.0 with TLS keys in its --config file runs
#                            the job
#   rest_https               REST and a task manager's /metrics serve HTTPS to clients with a
#                            certificate of the CA; plain HTTP and clients without one fail
# Every job's committed output is every word's rolling counts (computed here with tr/sort/awk).
set -euo pipefail
mode=$1 bin=$2 sluice=$3 make_certs=$4
work=$(mktemp -d)
source "$(dirname "$0")/../integration/cluster_lib.sh"

fail() { echo "FAILED: $*"; exit 1; }
# has PATTERN: stdin has a line matching PATTERN. It reads all of stdin (grep -q would stop at
# the first match, and the writer's SIGPIPE would fail the pipeline under pipefail).
has() { grep -c -- "$1" > /dev/null; }

bash "$make_certs" "$work/certs" > /dev/null
ca=$work/certs/ca.crt
tls=(--tls-cert "$work/certs/node.crt" --tls-key "$work/certs/node.key" --tls-ca "$ca")
# A self-signed certificate: its own CA, not the cluster's.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=rogue" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/rogue.key" -out "$work/rogue.crt" 2> /dev/null
rogue=(--tls-cert "$work/rogue.crt" --tls-key "$work/rogue.key" --tls-ca "$work/rogue.crt")

word_count_input "$work/input.txt" 20000
rolling_counts "$work/input.txt" > "$work/expected"
# Throttled (about 5 s) so that peers can be tried while it runs.
job=(--input "$work/input.txt" --parallelism 2 --output "$work/out" --source-rate 4000)

# start_cluster ARGS...: job manager jm and task managers tm1, tm2, all with TLS and ARGS.
start_cluster() {
  start_job_manager jm "$bin" "${job[@]}" "${tls[@]}" --taskmanagers 2 "$@"
  jm=$jm_pid
  start_task_manager tm1 "$bin" "${job[@]}" "${tls[@]}" "$@"
  tm1=$tm_pid
  start_task_manager tm2 "$bin" "${job[@]}" "${tls[@]}" "$@"
  tm2=$tm_pid
}

# finish_cluster: every process exits 0 and the output is right.
finish_cluster() {
  expect_status jm "$jm" 0
  expect_status tm1 "$tm1" 0
  expect_status tm2 "$tm2" 0
  committed "$work/out" > "$work/out.sorted"
  diff -q "$work/expected" "$work/out.sorted" > /dev/null || fail "the job's output differs"
}

cli() { "$sluice" --jobmanager "127.0.0.1:$jm_port" --timeout-ms 20000 "$@"; }
# Deployed and not ended (FINISHING: a subtask, e.g. the idle second source, is done).
job_running() {
  cli "${tls[@]}" list 2> /dev/null | has '^word_count  *\(RUNNING\|FINISHING\) '
}

# wait_until COMMAND...: polls COMMAND until it succeeds; fails if the job manager ended first.
wait_until() {
  until "$@"; do
    kill -0 "$jm" 2> /dev/null || fail "the job manager ended while waiting for: $*"
    sleep 0.05
  done
}

# listening_sockets PID: the TCP sockets PID listens on (from /proc: no tools needed).
listening_sockets() {
  local inodes
  inodes=$(ls -l "/proc/$1/fd" 2> /dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
  awk -v inodes="$inodes" 'BEGIN { n = split(inodes, a, " "); for (i = 1; i <= n; i++) mine[a[i]] = 1 }
    $4 == "0A" && ($10 in mine) { count++ } END { print count + 0 }' /proc/net/tcp /proc/net/tcp6
}

# The job manager's log lines of refused handshakes (with the peer's numeric address).
refused_pattern='TLS handshake with 127\.0\.0\.1:[0-9][0-9]* refused: '
refusals() { grep -c "$refused_pattern" "$work/jm.err" || true; }
# more_refusals_than N: the job manager has logged more than N refusals (counted anew per call).
more_refusals_than() { test "$(refusals)" -gt "$1"; }

# expect_refusal BEFORE REASON: waits until the job manager logged a refusal beyond the BEFORE
# first ones, and checks the newest says REASON (a grep pattern).
expect_refusal() {
  wait_until more_refusals_than "$1"
  grep "$refused_pattern" "$work/jm.err" | tail -n 1 | grep -q "$2" ||
    fail "the refusal does not say '$2': $(grep "$refused_pattern" "$work/jm.err" | tail -n 1)"
}

# expect_exit CODE STDERR_PATTERN COMMAND...: COMMAND exits with CODE (any non-zero for -1) and
# its stderr matches the pattern.
expect_exit() {
  local code=$1 pattern=$2 status=0; shift 2
  "$@" > "$work/cmd.out" 2> "$work/cmd.err" || status=$?
  if [ "$code" -eq -1 ] && [ "$status" -ne 0 ] || [ "$status" -eq "$code" ]; then
    grep -q -- "$pattern" "$work/cmd.err" ||
      { cat "$work/cmd.err"; fail "'$*': stderr lacks '$pattern'"; }
  else
    cat "$work/cmd.err"; fail "'$*' exited with $status, expected $code"
  fi
}

case "$mode" in
  cluster)
    start_cluster --rest-bind off
    wait_until job_running
    cli "${tls[@]}" status word_count > "$work/status.txt"
    grep -q '^job word_count (word count): \(RUNNING\|FINISHING\)' "$work/status.txt" ||
      fail "status: $(cat "$work/status.txt")"
    [ "$(awk 'NR > 2' "$work/status.txt" | wc -l)" -ge 2 ] || fail "status lists no subtasks"
    cli "${tls[@]}" taskmanagers | awk 'NR > 1' | wc -l | grep -qx 2 || fail "not 2 task managers"
    [ "$(refusals)" -eq 0 ] || fail "a handshake of the cluster itself was refused"
    # With TLS a task manager listens on its TLS peer port only: no plaintext data connections.
    for tm in "$tm1" "$tm2"; do
      [ "$(listening_sockets "$tm")" -eq 1 ] ||
        fail "task manager $tm listens on $(listening_sockets "$tm") sockets, not 1"
    done
    finish_cluster
    # the task managers connected to each other directly, over TLS too
    ! grep -q 'cannot connect to the task manager\|TLS' "$work/tm1.err" "$work/tm2.err" ||
      fail "task managers: $(cat "$work/tm1.err" "$work/tm2.err")"
    ;;
  rogue_taskmanager)
    start_cluster --rest-bind off
    wait_until job_running
    before=$(refusals)
    expect_exit -1 "TLS handshake with the job manager at 127.0.0.1:$jm_port failed" \
      "$bin" "${job[@]}" "${rogue[@]}" --taskmanager --jobmanager "127.0.0.1:$jm_port"
    grep -q "certificate verify failed" "$work/cmd.err" || fail "no reason: $(cat "$work/cmd.err")"
    expect_refusal "$before" "alert unknown ca"
    # A client that trusts the cluster's CA but shows a self-signed certificate: the job
    # manager's own verification refuses it.
    before=$(refusals)
    openssl s_client -connect "127.0.0.1:$jm_port" -CAfile "$ca" -cert "$work/rogue.crt" \
      -key "$work/rogue.key" < /dev/null > /dev/null 2>&1 || true
    expect_refusal "$before" "certificate verify failed (self-signed certificate)"
    cli "${tls[@]}" taskmanagers | awk 'NR > 1' | wc -l | grep -qx 2 ||
      fail "the rogue task manager registered"
    finish_cluster
    ;;
  cli_without_certificate)
    start_cluster --rest-bind off
    wait_until job_running
    before=$(refusals)
    expect_exit 3 "if the job manager runs with TLS, give --tls-cert" cli list
    expect_refusal "$before" "wrong version number\|packet length too long\|record layer failure"
    before=$(refusals)
    openssl s_client -connect "127.0.0.1:$jm_port" -CAfile "$ca" < /dev/null > /dev/null 2>&1 ||
      true
    expect_refusal "$before" "peer did not return a certificate"
    before=$(refusals)
    expect_exit 3 "TLS: certificate verify failed" cli "${rogue[@]}" list
    expect_refusal "$before" "alert unknown ca"
    expect_exit 2 "flags --tls-cert, --tls-key and --tls-ca go together" \
      cli --tls-cert "$work/certs/node.crt" list
    finish_cluster
    ;;
  plain_tcp_client)
    start_cluster --rest-bind off
    wait_until job_running
    before=$(refusals)
    exec 3<> "/dev/tcp/127.0.0.1/$jm_port"
    printf 'GET / HTTP/1.0\r\n\r\n' >&3
    cat <&3 > /dev/null || true # until the job manager closes the connection
    exec 3>&-
    expect_refusal "$before" "http request"
    before=$(refusals)
    exec 3<> "/dev/tcp/127.0.0.1/$jm_port"
    head -c 4096 /dev/urandom >&3
    cat <&3 > /dev/null || true
    exec 3>&-
    expect_refusal "$before" "."
    before=$(refusals)
    exec 3<> "/dev/tcp/127.0.0.1/$jm_port" # connects and closes without a byte
    exec 3>&-
    expect_refusal "$before" "."
    finish_cluster
    ;;
  bind_rules)
    expect_exit -1 "flag --jobmanager-bind: 0.0.0.0 is not a loopback address and TLS is off" \
      "$bin" "${job[@]}" --jobmanager-bind 0.0.0.0:0
    expect_exit -1 "flag --taskmanager-bind: 0.0.0.0 is not a loopback address and TLS is off" \
      "$bin" "${job[@]}" --taskmanager --jobmanager 127.0.0.1:1 --taskmanager-bind 0.0.0.0
    expect_exit -1 "flag --rest-bind: 0.0.0.0 is not a loopback address and TLS is off" \
      "$bin" "${job[@]}" --jobmanager-bind 127.0.0.1:0 --rest-bind 0.0.0.0:0
    expect_exit -1 "flag --metrics-bind: 0.0.0.0 is not a loopback address and TLS is off" \
      "$bin" "${job[@]}" --taskmanager --jobmanager 127.0.0.1:1 --metrics-bind 0.0.0.0:0
    grep -q -- "--insecure to listen unprotected anyway" "$work/cmd.err" || fail "no --insecure hint"
    expect_exit -1 "flags --tls-cert, --tls-key and --tls-ca go together" \
      "$bin" "${job[@]}" --jobmanager-bind 127.0.0.1:0 --tls-cert "$work/certs/node.crt"
    expect_exit -1 "flag --tls-cert: cannot load the certificate '$work/nothing.crt'" \
      "$bin" "${job[@]}" --jobmanager-bind 127.0.0.1:0 "${tls[@]}" --tls-cert "$work/nothing.crt"
    expect_exit -1 "flag --tls-key: cannot load the private key '$work/rogue.key'" \
      "$bin" "${job[@]}" --jobmanager-bind 127.0.0.1:0 "${tls[@]}" --tls-key "$work/rogue.key"
    expect_exit -1 "flag --tls-cert: the certificate '$work/rogue.crt' is not signed by the CA" \
      "$bin" "${job[@]}" --jobmanager-bind 127.0.0.1:0 "${tls[@]}" --tls-cert "$work/rogue.crt" \
      --tls-key "$work/rogue.key"
    # --insecure: it listens on every address
    jm_host=0.0.0.0
    start_job_manager insecure "$bin" "${job[@]}" --rest-bind off --insecure
    kill -9 "$jm_pid"
    # TLS: a job manager on every address runs the job (the task managers reach it on
    # loopback); its TLS files come from the configuration file's keys
    printf 'tls-cert: %s\ntls-key: %s\ntls-ca: %s\n' "$work/certs/node.crt" \
      "$work/certs/node.key" "$ca" > "$work/tls.yaml"
    start_job_manager jm "$bin" "${job[@]}" --config "$work/tls.yaml" --taskmanagers 2 \
      --rest-bind off
    jm=$jm_pid jm_host=127.0.0.1
    start_task_manager tm1 "$bin" "${job[@]}" "${tls[@]}"
    tm1=$tm_pid
    start_task_manager tm2 "$bin" "${job[@]}" "${tls[@]}"
    tm2=$tm_pid
    finish_cluster
    ;;
  rest_https)
    job+=(--metrics-interval-ms 100)
    start_job_manager jm "$bin" "${job[@]}" "${tls[@]}" --taskmanagers 2 --rest-bind 127.0.0.1:0
    jm=$jm_pid
    start_task_manager tm1 "$bin" "${job[@]}" "${tls[@]}" --metrics-bind 127.0.0.1:0
    tm1=$tm_pid
    start_task_manager tm2 "$bin" "${job[@]}" "${tls[@]}"
    tm2=$tm_pid
    rest_url() { sed -n "s|^$1 listening on \(https://127.0.0.1:[0-9]*\)$|\1|p" "$work/$2.err"; }
    wait_until grep -q '^REST API listening on https://' "$work/jm.err"
    rest=$(rest_url "REST API" jm)
    client=(--cacert "$ca" --cert "$work/certs/node.crt" --key "$work/certs/node.key")
    running() {
      curl -sf "${client[@]}" "$rest/jobs" | has '"status":"\(RUNNING\|FINISHING\)"'
    }
    wait_until running
    # a task manager's /metrics over HTTPS, once it has its first sample
    wait_until grep -q '^metrics listening on https://' "$work/tm1.err"
    metrics=$(rest_url metrics tm1)
    tm_metrics() { curl -sf "${client[@]}" "$metrics/metrics" | has '^sluice_'; }
    wait_until tm_metrics
    curl -sf "${client[@]}" "$rest/jobs/overview" | has '"name":"word count"' ||
      fail "GET /jobs/overview over HTTPS"
    before=$(refusals)
    ! curl -s "http://127.0.0.1:${rest##*:}/jobs" > "$work/http.out" 2>&1 ||
      fail "plain HTTP was answered: $(cat "$work/http.out")"
    expect_refusal "$before" "http request"
    before=$(refusals)
    ! curl -s --cacert "$ca" "$rest/jobs" > /dev/null 2>&1 || fail "a client without certificate was served"
    expect_refusal "$before" "peer did not return a certificate"
    ! curl -s --cacert "$ca" --cert "$work/rogue.crt" --key "$work/rogue.key" "$rest/jobs" \
      > /dev/null 2>&1 || fail "a client with a self-signed certificate was served"
    ! curl -s "${client[@]}" --cacert "$work/rogue.crt" "$rest/jobs" > /dev/null 2>&1 ||
      fail "curl trusted the job manager without its CA"
    finish_cluster
    ;;
  *) fail "unknown mode '$mode'" ;;
esac
echo ok
