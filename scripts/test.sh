#!/usr/bin/env bash
# Quick start 2: install, build, and run every test. --sanitize runs them under ASan+UBSan.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" --tests
build=$("$root/scripts/build.sh" "$@" | tail -n 1)
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600
