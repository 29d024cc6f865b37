#!/bin/sh
# The sanitizer job: the tool and the tests built with
# -fsanitize=address,undefined (scripts/build_check.sh, ${CHECK_BUILD_DIR:-build-check},
# shared with the fuzzers) running the unit, CLI, hostile-input and
# end-to-end tests; the ONNX conformance cases and the firmware-project build
# run in the normal build. The host builds of generated C in the e2e tests get
# the same sanitizers (TML_HOST_CFLAGS). Any report fails the test that hit it.
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${CHECK_BUILD_DIR:-$ROOT/build-check}"
"$ROOT/scripts/build_check.sh"
# Leaks are not checked: libprotobuf keeps its descriptors for the process lifetime.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TML_HOST_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
ctest --test-dir "$BUILD_DIR" -j "$(nproc)" --output-on-failure --timeout 900 \
  -E "${SANITIZE_EXCLUDE:-^firmware_project\.}"
