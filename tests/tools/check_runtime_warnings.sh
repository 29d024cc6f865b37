#!/bin/sh
# The runtime builds clean with -Wconversion -Wsign-conversion (and -Werror) on
# every compiler firmware teams use: host gcc and clang (pure-C paths) and
# arm-none-eabi-gcc and clang for the Cortex-M4 (DSP paths; the int8 kernels also
# without the DSP extension, as S8DspBitExactTest builds them).
# Usage: check_runtime_warnings.sh RUNTIME_DIR
set -u
RT="$1"
FLAGS="-std=c99 -Wall -Wextra -Werror -pedantic -Wconversion -Wsign-conversion -O2 -I$RT/include"
M4="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
failed=0
count=0
for f in $(find "$RT/src" -name '*.c' | sort); do
  count=$((count + 1))
  gcc $FLAGS -c "$f" -o /dev/null || failed=1
  clang $FLAGS -c "$f" -o /dev/null || failed=1
  arm-none-eabi-gcc $FLAGS $M4 -c "$f" -o /dev/null || failed=1
  # The int8 kernels' pure-C paths on the M4 (S8DspBitExactTest builds only the files it runs).
  case $f in
    *_s8*.c | *_s16.c) arm-none-eabi-gcc $FLAGS $M4 -U__ARM_FEATURE_DSP -c "$f" -o /dev/null || failed=1 ;;
  esac
  clang --target=thumbv7em-none-eabihf $M4 $FLAGS -isystem /usr/lib/arm-none-eabi/include -c "$f" -o /dev/null || failed=1
done
# The switches the compiler writes into a model's tml_config.h change what the int8 LSTM
# step compiles (its fused and general paths): every combination builds clean as well.
LSTM="$RT/src/recurrent/tml_lstm_step_s8_s16.c"
for general in 0 1; do
  for fused in 0 1; do
    SW="-DTML_S8_LSTM_GENERAL=$general -DTML_S8_LSTM_FUSED=$fused"
    gcc $FLAGS $SW -c "$LSTM" -o /dev/null || failed=1
    clang $FLAGS $SW -c "$LSTM" -o /dev/null || failed=1
    arm-none-eabi-gcc $FLAGS $M4 $SW -c "$LSTM" -o /dev/null || failed=1
    clang --target=thumbv7em-none-eabihf $M4 $FLAGS $SW -isystem /usr/lib/arm-none-eabi/include -c "$LSTM" -o /dev/null || failed=1
  done
done
[ $failed -eq 0 ] && echo "$count runtime sources clean on gcc, clang, arm-none-eabi-gcc, clang (thumbv7em)"
exit $failed
