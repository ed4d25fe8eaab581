#!/usr/bin/env bash
# Configures and builds Sluice into build/ (Release) and prints the build directory last.
#   --sanitize      build-sanitize/ instead, with ASan+UBSan
#   --target NAME   build only NAME and what it links (scripts/demo.sh: word_count); a build
#                   directory configured for the first time then leaves the tests out, so none of
#                   them is configured or compiled. Without it everything is built, tests too.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"; extra=(); target=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) build="$root/build-sanitize"; extra+=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_SANITIZE=ON) ;;
    --target) [ $# -ge 2 ] || { echo "build.sh: --target needs a target name" >&2; exit 2; }
              target=(--target "$2"); shift ;;
    *) echo "build.sh: unknown argument '$1' (--sanitize, --target NAME)" >&2; exit 2 ;;
  esac
  shift
done
if [ ${#target[@]} -eq 0 ]; then
  extra+=(-DSLUICE_BUILD_TESTS=ON)
elif [ ! -f "$build/CMakeCache.txt" ]; then
  extra+=(-DSLUICE_BUILD_TESTS=OFF)
fi
"$root/scripts/setup.sh"
cmake -S "$root" -B "$build" "${extra[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)" "${target[@]}"
echo "$build"
