#!/usr/bin/env bash
# Installs what Sluice needs from Debian bookworm's packages. As root it runs apt-get for
# whatever is missing; otherwise it prints the exact command to run.
#   scripts/setup.sh          what building needs (the demo)
#   scripts/setup.sh --tests  that, and the servers and tools the tests start (PostgreSQL, kcat,
#                            Prometheus, Chromium for the dashboard's browser tests, jq, and
#                            openssl and curl for the TLS tests, clang-14 and libFuzzer for
#                            the fuzz targets)
set -euo pipefail
packages=(g++ cmake make ccache libcaf-dev librocksdb-dev nlohmann-json3-dev doctest-dev
          libspdlog-dev librdkafka-dev libpq-dev libcpp-httplib-dev libyaml-cpp-dev libssl-dev)
if [ "${1:-}" = "--tests" ]; then
  packages+=(postgresql kcat prometheus chromium jq openssl curl clang-14 libclang-rt-14-dev)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "sluice: missing packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "sluice: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
