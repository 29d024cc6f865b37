#!/bin/sh
# Builds the libFuzzer harnesses (fuzz/) with clang, AddressSanitizer and UBSan
# into ${FUZZ_BUILD_DIR:-build-fuzz}, then runs each for SECONDS (default 60)
# from a seed corpus made of the repository's own models, data files and a tiny
# firmware ELF. Prints executions and crashes per fuzzer; exit 1 on any crash
# (the crashing input is left in the work directory, named crash-*).
#   scripts/fuzz.sh            # 60 s each (what CI runs)
#   scripts/fuzz.sh 3600       # an hour each
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_EACH="${1:-60}"
BUILD_DIR="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
WORK="$BUILD_DIR/fuzz-work"
"$ROOT/scripts/install-deps.sh" >/dev/null
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DTML_BUILD_FUZZERS=ON -DTML_BUILD_TESTS=OFF -DTML_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target onnx_import_fuzzer npy_fuzzer elf_fuzzer >/dev/null

# Seed corpora: every model and small data file in the tree, and a tiny ELF.
mkdir -p "$WORK/seed_onnx" "$WORK/seed_npy" "$WORK/seed_elf"
find "$ROOT/examples" "$ROOT/tests" -name '*.onnx' -size -2M -exec cp {} "$WORK/seed_onnx/" \; 2>/dev/null || true
i=0
for f in $(find "$ROOT/examples" "$ROOT/tests" -name '*.npy' -size -256k); do
  i=$((i + 1)); cp "$f" "$WORK/seed_npy/$i.npy"
done
printf 'int main(void) { volatile int x = 3; return x * 2; }\nvoid _start(void) { main(); for (;;) {} }\n' > "$WORK/tiny.c"
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -O1 -nostdlib -Wl,-e,_start -Wl,-Ttext=0x08000000 \
  -Wl,-Tdata=0x20000000 "$WORK/tiny.c" -o "$WORK/seed_elf/tiny.elf"

status=0
for fuzzer in onnx_import npy elf; do
  # Small inputs keep the rate up; the formats put everything that matters up front.
  case $fuzzer in
    onnx_import) seed=seed_onnx; max_len=65536 ;;
    npy) seed=seed_npy; max_len=4096 ;;
    elf) seed=seed_elf; max_len=8192 ;;
  esac
  mkdir -p "$WORK/corpus_$fuzzer"
  log="$WORK/$fuzzer.log"
  if (cd "$WORK" && "$BUILD_DIR/fuzz/${fuzzer}_fuzzer" -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 \
        -timeout=20 -max_len="$max_len" -print_final_stats=1 "$WORK/corpus_$fuzzer" "$WORK/$seed" >"$log" 2>&1); then
    result="no crash"
  else
    result="CRASH (see $log and $WORK/crash-*)"
    status=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "fuzz $fuzzer: ${execs:-?} executions in ${SECONDS_EACH} s, $result"
done
exit $status
