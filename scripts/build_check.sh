#!/bin/sh
# The checking build shared by scripts/sanitize.sh and scripts/fuzz.sh: clang,
# -fsanitize=address,undefined on everything plus libFuzzer coverage
# instrumentation of the fuzzed libraries (TML_BUILD_FUZZERS), -O1 with line tables only (fast to
# build, readable sanitizer reports), no benchmarks and no ONNX conformance
# cases (the normal build runs those). Configures ${CHECK_BUILD_DIR:-build-check}
# and builds the given targets (all of it when none are given).
#   scripts/build_check.sh                      # tool, tests, fuzzers
#   scripts/build_check.sh npy_fuzzer           # one target
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${CHECK_BUILD_DIR:-$ROOT/build-check}"
"$ROOT/scripts/install-deps.sh" >/dev/null
# Ninja for a new build directory, as in scripts/build.sh.
generator=""
[ -f "$BUILD_DIR/CMakeCache.txt" ] || ! command -v ninja >/dev/null 2>&1 || generator="-GNinja"
# shellcheck disable=SC2086
cmake -S "$ROOT" -B "$BUILD_DIR" $generator -DCMAKE_BUILD_TYPE=Sanitize \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_C_FLAGS_SANITIZE="-O1 -gline-tables-only -DNDEBUG" \
  -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -gline-tables-only -DNDEBUG" \
  -DTML_BUILD_FUZZERS=ON -DTML_BUILD_CONFORMANCE=OFF -DTML_BUILD_BENCH=OFF >/dev/null
if [ $# -eq 0 ]; then
  cmake --build "$BUILD_DIR" -j "$(nproc)"
else
  # One target at a time: the Makefile generator builds several --target goals in
  # parallel sub-makes, which race on the libraries they share.
  for target in "$@"; do cmake --build "$BUILD_DIR" -j "$(nproc)" --target "$target"; done
fi
