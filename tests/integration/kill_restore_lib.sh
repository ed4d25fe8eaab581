# Kill-and-restore runs for scripted tests (sourced). The caller defines
#   launch ATTEMPT [--restore latest]: starts attempt ATTEMPT of the job in the background
#                                      (the restore flag from the second attempt on), sets pid;
# and sets `pid=` before, killing "$pid" in its cleanup.
source "$(dirname "${BASH_SOURCE[0]}")/checkpoint_lib.sh"

# kill_until_done CHECKPOINT_DIR MAX_KILLS MAX_DELAY_MS [ATTEMPTS]: runs attempts of the job until
# one exits 0 (at most ATTEMPTS, default 8). Each attempt waits for one more completed checkpoint
# under CHECKPOINT_DIR (or its end), then, while fewer than MAX_KILLS kills were made, kills it
# with -9 after a random delay below MAX_DELAY_MS. Fails when an attempt exits otherwise than 0
# or 137, when no attempt completes, or when none was killed. Sets kills.
kill_until_done() {
  local dir=$1 max_kills=$2 max_delay_ms=$3 attempts=${4:-8} attempt before status=1
  local restore=()
  kills=0
  for ((attempt = 1; attempt <= attempts; attempt++)); do
    before=$(latest_checkpoint "$dir")
    launch "$attempt" "${restore[@]}"
    wait_for_checkpoint "$dir" "$before" "$pid"
    if [ "$kills" -lt "$max_kills" ] && kill -0 "$pid" 2>/dev/null; then
      [ "$max_delay_ms" -eq 0 ] || sleep "$(awk -v ms=$((RANDOM % max_delay_ms)) 'BEGIN { print ms / 1000 }')"
      if kill -9 "$pid" 2>/dev/null; then
        kills=$((kills + 1))
        echo "killed attempt $attempt after checkpoint $(latest_checkpoint "$dir")"
      fi
    fi
    status=0
    wait "$pid" || status=$?
    pid=
    restore=(--restore latest)
    [ "$status" -eq 0 ] && break
    [ "$status" -eq 137 ] || { echo "attempt $attempt failed with status $status"; return 1; }
  done
  [ "$status" -eq 0 ] || { echo "the job did not complete in $attempts attempts"; return 1; }
  [ "$kills" -ge 1 ] || { echo "the job was never killed"; return 1; }
}
