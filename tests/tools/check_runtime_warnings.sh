#!/bin/sh
# The runtime builds clean with -Wconversion -Wsign-conversion (and -Werror) on
# every compiler firmware teams use: host gcc and clang (pure-C paths) and
# arm-none-eabi-gcc and clang for the Cortex-M4 (DSP paths).
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
  clang --target=thumbv7em-none-eabihf $M4 $FLAGS -isystem /usr/lib/arm-none-eabi/include -c "$f" -o /dev/null || failed=1
done
[ $failed -eq 0 ] && echo "$count runtime sources clean on gcc, clang, arm-none-eabi-gcc, clang (thumbv7em)"
exit $failed
