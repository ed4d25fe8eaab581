#!/usr/bin/env bash
# install.out_of_tree: installs the build into a scratch prefix, builds tests/install/job out of
# tree against it (find_package(Sluice), Sluice::sluice), runs it with a --config file and a
# flag, and checks its output against totals computed with awk.
#   out_of_tree_test.sh CMAKE SOURCE_DIR BUILD_DIR CXX_COMPILER [COMPILER_LAUNCHER]
set -euo pipefail
cmake=$1 src=$2 build=$3 cxx=$4 launcher=${5:-}
# Under the build tree, at a fixed place, so that ccache finds the job's object again.
work="$build/install-test"
rm -rf "$work"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$cmake" --install "$build" --prefix "$work/prefix" >/dev/null
config="$work/prefix/lib/cmake/Sluice/SluiceConfig.cmake"
[ -f "$config" ] || config=$(find "$work/prefix" -name SluiceConfig.cmake | head -n 1)
[ -n "$config" ] || fail "no SluiceConfig.cmake installed"
[ -f "$work/prefix/include/sluice/sluice.hpp" ] || fail "sluice/sluice.hpp not installed"
# A relocatable package: no installed CMake file names the source, build or install directory.
if grep -rlF "$src" "$(dirname "$config")"; then fail "installed CMake files name $src"; fi

"$cmake" -S "$src/tests/install/job" -B "$work/job" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_COMPILER="$cxx" \
  ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher"} >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log" >&2; fail "configuring the job against the installed package"; }
grep -q "Sluice_DIR" "$work/job/CMakeCache.txt" || fail "find_package(Sluice) was not used"
grep -q "^Sluice_DIR:PATH=$work/prefix/" "$work/job/CMakeCache.txt" ||
  fail "Sluice found elsewhere than in the scratch prefix: $(grep ^Sluice_DIR "$work/job/CMakeCache.txt")"
"$cmake" --build "$work/job" >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; fail "building the job"; }

count=5000
printf 'parallelism: 3\ncount: 100\n' >"$work/job.yaml"
# The file sets the parallelism; --count on the command line overrides the file's.
"$work/job/sum_of_squares" --config "$work/job.yaml" --count "$count" >"$work/out.txt"

# Every line is `N> key,sum` (three subtasks print), one per number.
[ "$(wc -l <"$work/out.txt")" -eq "$count" ] || fail "$(wc -l <"$work/out.txt") lines, want $count"
grep -qvE '^[123]> [0-6],[0-9]+$' "$work/out.txt" && fail "malformed line: $(grep -vE '^[123]> [0-6],[0-9]+$' "$work/out.txt" | head -n 1)"
# Each key's sums grow, so its largest is its total.
sed 's/^[0-9]*> //' "$work/out.txt" |
  awk -F, '$2 + 0 > max[$1] + 0 { max[$1] = $2 + 0; text[$1] = $2 }
                END { for (k in text) print k "," text[k] }' | sort >"$work/got.txt"
awk -v n="$count" 'BEGIN { for (i = 1; i <= n; i++) s[i % 7] += i * i; for (k = 0; k < 7; k++) printf "%d,%.0f\n", k, s[k] }' |
  sort >"$work/want.txt"
diff "$work/want.txt" "$work/got.txt" >&2 || fail "totals per key differ from awk's"
echo "PASS: out-of-tree job against the installed package, totals of $count numbers"
