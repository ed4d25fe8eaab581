#!/usr/bin/env bash
# Quick start 2: install, build, and run every test. --sanitize runs them under ASan+UBSan.
# Then every fuzz target (tests/fuzz, built with clang-14 in build-fuzz) runs 30 s, one per core.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" --tests
build=$("$root/scripts/build.sh" "$@" | tail -n 1)
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600
"$root/scripts/fuzz.sh" --jobs "$(nproc)" "" 30
