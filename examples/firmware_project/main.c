/* SPDX-License-Identifier: MIT */
/* Two models in one firmware, sharing one arena in the linker section .model_arena:
 *  - the vibration monitor scores two spectrum frames with the autoencoder that
 *    tinyml_add_model() compiled into detector.c;
 *  - the digit classifier (int8, digits.c) receives a pen trace one time step at a time, as a
 *    sensor driver would deliver it: each step quantized to int8 with DIGITS_INPUT0_SCALE /
 *    DIGITS_INPUT0_ZERO_POINT and fed to digits_step_s8(); the int8 logits of the last step are
 *    dequantized and printed as float bits ("digits output[k] = 0x..."), which tests/firmware
 *    compares with `tinyml-compile verify --save-outputs` on the same sequence.
 * Output through semihosting (a debugger console, or `tinyml-compile emulate firmware.elf`).
 * Exit code (r0 at the final bkpt): the number of samples classified differently from their
 * label, or 100 + the error of a failed model call. */
#include <math.h>
#include <stdint.h>

#include "detector.h"
#include "digits.h"
#include "sample_frames.h"
#include "sample_sequence.h"

#define MODEL_ARENA_BYTES \
  (DETECTOR_ARENA_BYTES > DIGITS_ARENA_BYTES ? DETECTOR_ARENA_BYTES : DIGITS_ARENA_BYTES)
#define MODEL_ARENA_ALIGN \
  (DETECTOR_ARENA_ALIGN > DIGITS_ARENA_ALIGN ? DETECTOR_ARENA_ALIGN : DIGITS_ARENA_ALIGN)

/* One arena for both models: they never run at the same time, and the arena holds nothing
 * between calls (the digits model's streaming state is its own, DIGITS_STATE_BYTES). */
static uint8_t model_arena[MODEL_ARENA_BYTES]
    __attribute__((section(".model_arena"), aligned(MODEL_ARENA_ALIGN)));

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

static void console_write_uint(uint32_t v) {
  char buf[12];
  char *p = buf + sizeof buf;
  *--p = '\0';
  do {
    *--p = (char)('0' + v % 10u);
    v /= 10u;
  } while (v > 0);
  console_write(p);
}

/* "0x" and the 8 hex digits of the bits of v: exact, for comparing with the host. */
static void console_write_bits(float v) {
  union {
    float f;
    uint32_t u;
  } bits;
  char buf[11];
  bits.f = v;
  buf[0] = '0';
  buf[1] = 'x';
  for (int k = 0; k < 8; ++k) buf[2 + k] = "0123456789abcdef"[(bits.u >> (28 - 4 * k)) & 0xFu];
  buf[10] = '\0';
  console_write(buf);
}

static int detect_anomalies(void) {
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

/* The sensor driver's side: one time step to int8 in the model's input format, rounded as the
 * model rounds (digits.h: floor(x * INV_SCALE + 0.5) + ZERO_POINT), so the int8 path computes
 * exactly what digits_invoke() computes on the float sequence. */
static void quantize_step(const float *x, int8_t *q) {
  for (int k = 0; k < DIGITS_STEP_INPUT_SIZE; ++k) {
    const int32_t v = (int32_t)floorf(x[k] * DIGITS_INPUT0_INV_SCALE + 0.5f) + DIGITS_INPUT0_ZERO_POINT;
    q[k] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
  }
}

static int classify_digit(void) {
  int8_t step_in[DIGITS_STEP_INPUT_SIZE];
  int8_t logits[DIGITS_OUTPUT_SIZE];
  int rc = 0;
  digits_reset();
  for (int t = 0; t < DIGITS_SEQ_LEN; ++t) {
    quantize_step(kSampleSequence[t], step_in);
    rc = digits_step_s8(step_in, logits);
    if (rc < 0) {
      console_write("digits_step_s8: ");
      console_write(digits_status_str(rc));
      console_write("\n");
      return 100 - rc;
    }
  }
  if (rc != 1) return 100;  /* the window of DIGITS_SEQ_LEN steps gives the output */
  int best = 0;
  for (int k = 0; k < DIGITS_OUTPUT_SIZE; ++k) {
    const float logit = DIGITS_OUTPUT0_SCALE * (float)(logits[k] - DIGITS_OUTPUT0_ZERO_POINT);
    console_write("digits output[");
    console_write_uint((uint32_t)k);
    console_write("] = ");
    console_write_bits(logit);
    console_write("\n");
    if (logits[k] > logits[best]) best = k;
  }
  console_write("digit: ");
  console_write_uint((uint32_t)best);
  console_write(best == SAMPLE_SEQUENCE_LABEL ? " (as labelled)\n" : " (label differs)\n");
  return best != SAMPLE_SEQUENCE_LABEL;
}

int main(void) {
  int rc = detector_init(model_arena, sizeof model_arena);
  if (rc == 0) rc = digits_init(model_arena, sizeof model_arena);
  if (rc != 0) {
    console_write(digits_status_str(rc));
    console_write("\n");
    return 100 - rc;
  }
  const int detector_mismatches = detect_anomalies();
  if (detector_mismatches >= 100) return detector_mismatches;
  const int digit_mismatches = classify_digit();
  if (digit_mismatches >= 100) return digit_mismatches;
  return detector_mismatches + digit_mismatches;
}
