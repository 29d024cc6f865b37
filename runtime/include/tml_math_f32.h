/* SPDX-License-Identifier: MIT */
/*
 * tml_math_f32.h - the scalar float32 math every kernel goes through.
 *
 * Each transcendental function used by the runtime has exactly one inline helper here, so
 * firmware can swap the libm call for a faster approximation (table, polynomial, CMSIS-DSP)
 * in one place without touching any kernel. The reference tests bound the error of the
 * kernels at ~1e-5 relative; a replacement must stay within that or the tests must say
 * why not.
 *
 * Also holds the small inline loops shared by several kernels (dot products, clipping), so
 * that a kernel file plus the headers is all the codegen has to copy.
 */
#ifndef TML_MATH_F32_H
#define TML_MATH_F32_H

#include <math.h>
#include <stdint.h>

/** e^x. */
static inline float tml_expf(float x) { return expf(x); }

/** Natural logarithm. */
static inline float tml_logf(float x) { return logf(x); }

/** Logistic sigmoid 1 / (1 + e^-x); saturates cleanly to 0 and 1 (no NaN for large |x|). */
static inline float tml_sigmoidf(float x) { return 1.0f / (1.0f + tml_expf(-x)); }

/** Hyperbolic tangent. */
static inline float tml_tanhf(float x) { return tanhf(x); }

/** x clamped to [lo, hi]. */
static inline float tml_clampf(float x, float lo, float hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

/** Clip a gate pre-activation to [-clip, clip] when clip > 0 (ONNX RNN `clip`). */
static inline float tml_clipf(float x, float clip) {
  return clip > 0.0f ? tml_clampf(x, -clip, clip) : x;
}

/** sum_k a[k]·b[k] for k in [0, n). */
static inline float tml_dot_f32(const float *a, const float *b, int32_t n) {
  float acc = 0.0f;
  int32_t k;
  for (k = 0; k < n; ++k) {
    acc += a[k] * b[k];
  }
  return acc;
}

/**
 * y[j] += sum_k m[j·cols + k]·x[k] for j in [0, rows): accumulate a row-major
 * matrix-vector product into y.
 */
static inline void tml_matvec_acc_f32(const float *m, const float *x, int32_t rows, int32_t cols,
                                      float *y) {
  int32_t j;
  for (j = 0; j < rows; ++j) {
    y[j] += tml_dot_f32(m + (size_t)j * (size_t)cols, x, cols);
  }
}

#endif /* TML_MATH_F32_H */
