#!/bin/sh
# Runs the libFuzzer harnesses (fuzz/), each for SECONDS (default 60) on one
# core, as many at a time as there are cores (FUZZ_JOBS), from a seed corpus of
# the repository's own inputs: the example and test models, the CLI-test and
# hostile-input models the build generates, .npy files, a tiny firmware ELF
# and the crafted hostile ELFs. Builds them first in the checking build
# (scripts/build_check.sh: clang, ASan, UBSan). Prints executions, rate and
# crashes per fuzzer; exit 1 on any crash (the crashing input is left in the
# work directory, named crash-*).
#   scripts/fuzz.sh            # 60 s each (what scripts/test.sh runs)
#   scripts/fuzz.sh 3600       # an hour each
#   FUZZ_RUNS=1000000 scripts/fuzz.sh 3600   # each until 1,000,000 executions (or an hour)
#   FUZZERS=elf scripts/fuzz.sh                # one of them
#   FUZZ_JOBS=1 scripts/fuzz.sh                # one after the other
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_EACH="${1:-60}"
BUILD_DIR="${CHECK_BUILD_DIR:-$ROOT/build-check}"
WORK="$BUILD_DIR/fuzz-work"
# FUZZ_NO_BUILD=1: run the fuzzers as they are (e.g. while the build directory is busy).
[ "${FUZZ_NO_BUILD:-0}" = 1 ] ||
  "$ROOT/scripts/build_check.sh" onnx_import_fuzzer npy_fuzzer elf_fuzzer >/dev/null

# Largest input each fuzzer makes. The formats put everything that matters up
# front (protobuf fields, the .npy header, ELF headers and tables), and small
# inputs keep the rate up; seeds larger than this are left out, not truncated.
ONNX_MAX=32768
NPY_MAX=4096
ELF_MAX=8192

# Seed corpora, each file under its own name (many are called model.onnx).
rm -rf "$WORK/seed_onnx" "$WORK/seed_npy" "$WORK/seed_elf"
mkdir -p "$WORK/seed_onnx" "$WORK/seed_npy" "$WORK/seed_elf"
seed() {  # seed DIR EXT MAX_BYTES FILES...
  dir=$1 ext=$2 max=$3
  shift 3
  for f in "$@"; do
    [ "$(wc -c <"$f")" -le "$max" ] || continue
    i=$(($(ls "$dir" | wc -l) + 1))
    cp "$f" "$dir/$i.$ext"
  done
}
# shellcheck disable=SC2046
seed "$WORK/seed_onnx" onnx $ONNX_MAX $(find "$ROOT/examples" "$ROOT/tests" "$BUILD_DIR/tests" \
  -name '*.onnx' -type f | sort)
# shellcheck disable=SC2046
seed "$WORK/seed_npy" npy $NPY_MAX $(find "$ROOT/examples" "$ROOT/tests" "$BUILD_DIR/tests" \
  -name '*.npy' -type f | sort)
printf 'int main(void) { volatile int x = 3; return x * 2; }\nvoid _start(void) { main(); for (;;) {} }\n' > "$WORK/tiny.c"
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -O1 -nostdlib -Wl,-e,_start -Wl,-Ttext=0x08000000 \
  -Wl,-Tdata=0x20000000 "$WORK/tiny.c" -o "$WORK/seed_elf/tiny.elf"
python3 "$ROOT/tests/hostile/make_emulator_cases.py" "$WORK/emulator_cases" >/dev/null
# shellcheck disable=SC2046
seed "$WORK/seed_elf" elf $ELF_MAX $(find "$WORK/emulator_cases" -type f | sort)

run_fuzzer() {  # run_fuzzer NAME: one libFuzzer run; its summary line goes to $WORK/NAME.result
  fuzzer=$1
  case $fuzzer in
    onnx_import) seeds=seed_onnx; max_len=$ONNX_MAX ;;
    npy) seeds=seed_npy; max_len=$NPY_MAX ;;
    elf) seeds=seed_elf; max_len=$ELF_MAX ;;
  esac
  # ASan keeps 256 MB of freed memory poisoned by default; with many small
  # allocations per input (libelf, capstone) cycling through it made the ELF
  # fuzzer fault in fresh pages all the time (3x the CPU time). 16 MB still
  # covers every allocation of the last dozens of inputs.
  quarantine=""
  [ $fuzzer = elf ] && quarantine="quarantine_size_mb=16"
  mkdir -p "$WORK/corpus_$fuzzer"
  log="$WORK/$fuzzer.log"
  start=$(date +%s)
  # The importer's own limits (256 MB per tensor, 1 GiB of constants, 2^32
  # MACs to fold one node) are what a crafted model may cost; more is a bug.
  # Folding a 64 M-element Tile within them takes a fraction of a second in
  # the release build but ~20 s under ASan on a busy machine, hence the
  # generous -timeout (a real hang still ends the run as a crash).
  if (cd "$WORK" && ASAN_OPTIONS="${ASAN_OPTIONS:-}:$quarantine" \
        "$BUILD_DIR/fuzz/${fuzzer}_fuzzer" -max_total_time="$SECONDS_EACH" \
        -runs="${FUZZ_RUNS:--1}" \
        -rss_limit_mb=4096 -timeout=120 -max_len="$max_len" -print_final_stats=1 \
        "$WORK/corpus_$fuzzer" "$WORK/$seeds" >"$log" 2>&1); then
    result="0 crashes"
  else
    result="CRASH (see $log and $WORK/crash-*)"
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  echo "fuzz $fuzzer: ${execs:-?} executions in $(($(date +%s) - start)) s (${rate:-?}/s), $result" \
    >"$WORK/$fuzzer.result"
}

# Each fuzzer is one process on one core: FUZZ_JOBS (default: the number of
# cores) of them run side by side, so on 2 cores the three 60 s runs take
# 2 minutes, not 3, and each still has a core to itself.
jobs="${FUZZ_JOBS:-$(nproc)}"
fuzzers="${FUZZERS:-onnx_import npy elf}"
running=0
for fuzzer in $fuzzers; do
  rm -f "$WORK/$fuzzer.result"
  run_fuzzer "$fuzzer" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait
    running=0
  fi
done
wait
status=0
for fuzzer in $fuzzers; do
  if [ -f "$WORK/$fuzzer.result" ]; then
    cat "$WORK/$fuzzer.result"
    grep -q ', 0 crashes$' "$WORK/$fuzzer.result" || status=1
  else
    echo "fuzz $fuzzer: no result (the run did not finish)"
    status=1
  fi
done
exit $status
