#!/bin/sh
# The whole test suite, what .ci/run runs, in three stages:
#   1. build (Release) and every ctest case: unit, ONNX conformance, CLI,
#      hostile input, end to end; then the conformance cases left out and why.
#   2. the sanitizer job (scripts/sanitize.sh): the tool and the tests built
#      with clang -fsanitize=address,undefined, running the unit, CLI,
#      hostile-input and end-to-end tests.
#   3. each libFuzzer harness for 60 s (scripts/fuzz.sh 60: one per core, side
#      by side), in the same clang build as stage 2.
# Each stage prints its wall time, CPU time and the load average at its end.
# TML_QUICK=1 runs stage 1 only (a local quick run). Every stage runs even
# when an earlier one failed; the exit status is 1 when any failed.
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
failed=""
TIMES_FILE=$(mktemp)
trap 'rm -f "$TIMES_FILE"' EXIT
cpu_seconds() {  # CPU=user + system seconds of this shell's finished children (times, not in a subshell)
  times >"$TIMES_FILE"
  CPU=$(awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, t, "m"); n += t[1] * 60 + t[2] } printf "%d", n }' "$TIMES_FILE")
}
stage() {  # stage NAME COMMAND...: runs it, prints its wall and CPU time, remembers a failure
  name=$1
  shift
  start=$(date +%s)
  cpu_seconds
  cpu_start=$CPU
  echo "=== test.sh: $name"
  "$@" || failed="$failed $name"
  # CPU time and load next to wall time: on a shared machine the wall time also measures the others' load.
  cpu_seconds
  echo "=== test.sh: $name took $(($(date +%s) - start)) s ($((CPU - cpu_start)) s CPU; load $(cut -d' ' -f1-3 /proc/loadavg))"
}
tests() {
  "$ROOT/scripts/build.sh" || return 1
  status=0
  ctest --test-dir "$BUILD_DIR" -j "$(nproc)" --output-on-failure --timeout 600 || status=$?
  ctest --test-dir "$BUILD_DIR" -R '^conformance\.skipped$' -V 2>/dev/null |
    sed -n 's/^[0-9]*: //p' | sed -n '/^ONNX conformance cases left out/,$p' || true
  return $status
}
stage "build and tests" tests
if [ "${TML_QUICK:-0}" != 1 ]; then
  stage "sanitizer tests" "$ROOT/scripts/sanitize.sh"
  stage "fuzzers" "$ROOT/scripts/fuzz.sh" 60
fi
if [ -n "$failed" ]; then
  echo "test.sh: FAILED:$failed"
  exit 1
fi
echo "test.sh: all stages passed"
