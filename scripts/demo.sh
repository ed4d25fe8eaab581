#!/usr/bin/env bash
# Quick start 1: install, build, and run the word count demo on the embedded local cluster.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$("$root/scripts/build.sh" | tail -n 1)
"$build/bin/word_count" "$@"
