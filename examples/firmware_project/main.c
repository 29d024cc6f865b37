/* Vibration monitor: scores two spectrum frames with the autoencoder that tinyml_add_model()
 * compiled into detector.c, and reports each through semihosting (a debugger console, or
 * `tinyml-compile emulate firmware.elf`). Exit code (r0 at the final bkpt): the number of
 * frames classified differently from their label, or 100 + the error of a failed inference. */
#include <stdint.h>

#include "detector.h"
#include "sample_frames.h"

/* Semihosting SYS_WRITE0: print a NUL-terminated string on the host console. */
static void console_write(const char *s) {
  register uint32_t op __asm("r0") = 0x04;
  register const char *arg __asm("r1") = s;
  __asm volatile("bkpt #0xab" : "+r"(op) : "r"(arg) : "memory");
}

/* Writes v with 6 decimals (no printf: newlib-nano's needs -u _printf_float and 10 KB). */
static void console_write_fixed6(float v) {
  char buf[24];
  char *p = buf + sizeof buf;
  uint32_t scaled = (uint32_t)(v * 1e6f + 0.5f);
  *--p = '\0';
  for (int digit = 0; digit < 6 || scaled > 0 || digit < 7; ++digit) {
    if (digit == 6) *--p = '.';
    *--p = (char)('0' + scaled % 10u);
    scaled /= 10u;
  }
  console_write(p);
}

int main(void) {
  int mismatches = 0;
  for (int i = 0; i < 2; ++i) {
    float score = 0.0f;
    const int rc = detector_score(kSampleFrames[i], &score);
    if (rc != 0) return 100 - rc;
    const int anomaly = score > DETECTOR_ANOMALY_THRESHOLD;
    console_write(i == 0 ? "frame 0 (normal): score " : "frame 1 (faulty): score ");
    console_write_fixed6(score);
    console_write(anomaly ? " > threshold " : " <= threshold ");
    console_write_fixed6(DETECTOR_ANOMALY_THRESHOLD);
    console_write(anomaly ? " -> ANOMALY\n" : " -> normal\n");
    mismatches += anomaly != kSampleLabels[i];
  }
  return mismatches;
}
