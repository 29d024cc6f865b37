#!/bin/sh
# The sanitizer job: builds the tool and the tests with
# -fsanitize=address,undefined into ${SANITIZE_BUILD_DIR:-build-asan} and runs
# the unit, CLI, hostile-input and end-to-end tests (the ONNX conformance cases
# run in the normal build); the host builds of generated C in the e2e tests get
# the same sanitizers (TML_HOST_CFLAGS). Any report fails the test that hit it.
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${SANITIZE_BUILD_DIR:-$ROOT/build-asan}"
"$ROOT/scripts/install-deps.sh" >/dev/null
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTML_SANITIZE=ON -DTML_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
# Leaks are not checked: libprotobuf keeps its descriptors for the process lifetime.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TML_HOST_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
ctest --test-dir "$BUILD_DIR" -j "$(nproc)" --output-on-failure --timeout 900 -E '^conformance'
