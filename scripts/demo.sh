#!/usr/bin/env bash
# Quick start 1: install, build word_count only (no tests), and run it on the embedded local
# cluster. Arguments go to word_count, e.g. scripts/demo.sh --input README.md --parallelism 2.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$("$root/scripts/build.sh" --target word_count | tail -n 1)
"$build/bin/word_count" "$@"
