#!/usr/bin/env bash
# window_aggregate with checkpointing writes its firings and late records as exactly-once part
# files: the committed files (non-dot names) hold exactly the lines a run without checkpointing
# writes to plain files, and no in-progress or pending file is left.
set -euo pipefail
bin=$1; shift
work=$(mktemp -d)
source "$(dirname "$0")/cluster_lib.sh"

window_events "$work/in.csv"
flags=(--input "$work/in.csv" --window tumbling --size 1000 --out-of-orderness 30 --parallelism 2 "$@")

"$bin" "${flags[@]}" --output "$work/plain.txt" --late-output "$work/plain-late.txt"
"$bin" "${flags[@]}" --output "$work/out" --late-output "$work/late" \
  --checkpoint-interval-ms 20 --checkpoint-dir "$work/chk" --source-rate 40000

[ -s "$work/plain-late.txt" ] || { echo "the input has no late records"; exit 1; }
diff <(sort "$work/plain.txt") <(cat "$work"/out/part-* | sort)
diff <(sort "$work/plain-late.txt") <(cat "$work"/late/part-* | sort)
if ls -A "$work/out" "$work/late" | grep -q '^\.'; then
  echo "in-progress or pending files left"; exit 1
fi
ls -d "$work"/chk/*/chk-*/_metadata > /dev/null # at least one checkpoint completed
echo ok
