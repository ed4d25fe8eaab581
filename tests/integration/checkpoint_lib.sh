# Completed checkpoints of a job seen from a test script (sourced).

# latest_checkpoint DIR: the highest id of a completed checkpoint under DIR/*/chk-N, 0 without.
latest_checkpoint() {
  local ids
  ids=$(ls -d "$1"/*/chk-*/_metadata 2>/dev/null | sed -E 's|.*/chk-([0-9]+)/_metadata|\1|' |
    sort -n | tail -1 || true) # no checkpoint yet: ls fails
  echo "${ids:-0}"
}

# wait_for_checkpoint DIR ABOVE PID: waits until a checkpoint above ABOVE completed under DIR
# (or PID ended).
wait_for_checkpoint() {
  while kill -0 "$3" 2>/dev/null && [ "$(latest_checkpoint "$1")" -le "$2" ]; do sleep 0.02; done
}

# kill_after_checkpoint DIR ABOVE PID: kill -9 of PID (a child of this shell) at a random moment
# within a second after a checkpoint above ABOVE completed under DIR; exits with FAIL unless PID
# died of it.
kill_after_checkpoint() {
  wait_for_checkpoint "$1" "$2" "$3"
  sleep "0.$((RANDOM % 200))"
  kill -9 "$3" 2>/dev/null || true
  local status=0
  wait "$3" || status=$?
  [ "$status" -eq 137 ] || { echo "FAIL: the first run ended with $status before it was killed"; exit 1; }
}
