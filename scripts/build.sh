#!/usr/bin/env bash
# Configures and builds Sluice into build/ (Release). With --sanitize: build-sanitize/, ASan+UBSan.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"; extra=()
if [ "${1:-}" = "--sanitize" ]; then
  build="$root/build-sanitize"; extra=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_SANITIZE=ON)
fi
"$root/scripts/setup.sh"
cmake -S "$root" -B "$build" "${extra[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)"
echo "$build"
