#!/usr/bin/env bash
# Installs the browser tests' npm packages (package-lock.json: playwright-core only) into DEST,
# unless DEST already holds exactly this lock's installation. Needs npm and the registry the
# first time; the tests then run with no network.
#   npm_ci.sh SOURCE_DIR DEST_DIR
set -euo pipefail
src=$1
dest=$2
if ! command -v npm >/dev/null; then
  echo "npm_ci.sh: npm is not installed (apt-get install npm)" >&2
  exit 1
fi
mkdir -p "$dest"
if cmp -s "$src/package-lock.json" "$dest/installed-package-lock.json" && [ -d "$dest/node_modules" ]; then
  echo "npm_ci.sh: $dest is up to date"
  exit 0
fi
cp "$src/package.json" "$src/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts)
cp "$src/package-lock.json" "$dest/installed-package-lock.json"
