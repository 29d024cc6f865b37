/* SPDX-License-Identifier: MIT */
/*
 * tml_math_f32.h - the scalar float32 math every kernel goes through.
 *
 * Each transcendental function used by the runtime has exactly one inline helper here, so
 * firmware can swap the libm call for a faster approximation in one place without touching
 * any kernel. exp, sigmoid and tanh come in two builds (tml_config.h): the default, short
 * polynomials with a stated and tested largest error (below), and TML_FLOAT_MATH_EXACT=1,
 * newlib's expf/tanhf (slower: ~150 cycles a call on the M4 against ~30-50, and larger).
 * The reference tests bound the error of the kernels at ~1e-5 relative; both builds stay
 * well within it.
 *
 * Also holds the small inline loops shared by several kernels (dot products, clipping), so
 * that a kernel file plus the headers is all the codegen has to copy.
 */
#ifndef TML_MATH_F32_H
#define TML_MATH_F32_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "tml_config.h"

#if TML_FLOAT_MATH_EXACT
/** e^x. */
static inline float tml_expf(float x) { return expf(x); }
#else
/**
 * e^x without libm: x = n·ln2 + r with |r| <= ln2/2 (ln2 split in two so that n·ln2_hi is
 * exact), e^r = 1 + r + r²·q(r) with q a degree-4 least-squares fit on Chebyshev nodes,
 * and 2^n put into the exponent bits. Largest relative error 8.1e-8 (about 1.4 ulp) over
 * every float in [-87.3, 87.3] (tests/unit/runtime: tml_fast_math_test); below -87.34 the
 * result is 0 (no denormals), above 88.72 +inf, NaN stays NaN.
 */
static inline float tml_expf(float x) {
  union {
    uint32_t u;
    float f;
  } scale;
  float t;
  float r;
  float q;
  int32_t n;
  if (!(x < 88.7228393f)) {
    return x == x ? HUGE_VALF : x; /* +inf, or the NaN */
  }
  if (x < -87.3365479f) {
    return 0.0f;
  }
  t = x * 1.44269504f;
  n = (int32_t)(t < 0.0f ? t - 0.5f : t + 0.5f);
  r = x - (float)n * 0.693359375f;
  r = r - (float)n * -2.12194440e-4f;
  q = 0.49999988f + r * (0.166665182f + r * (0.0416695327f +
                                               r * (0.00836891588f + r * 0.00137514074f)));
  r = 1.0f + (r + r * r * q);
  if (n > 127) { /* 2^128 is no float: x in [88.03, 88.72) */
    r *= 2.0f;
    n -= 1;
  }
  scale.u = (uint32_t)(n + 127) << 23;
  return r * scale.f;
}
#endif

/** Natural logarithm. */
static inline float tml_logf(float x) { return logf(x); }

/** Logistic sigmoid 1 / (1 + e^-x); saturates cleanly to 0 and 1 (no NaN for large |x|).
 * With the fast tml_expf: largest absolute error 9.0e-8 over every float. */
static inline float tml_sigmoidf(float x) { return 1.0f / (1.0f + tml_expf(-x)); }

#if TML_FLOAT_MATH_EXACT
/** Hyperbolic tangent. */
static inline float tml_tanhf(float x) { return tanhf(x); }
#else
/**
 * Hyperbolic tangent without libm: below |x| = 0.625 the odd polynomial
 * x + x³·p(x²) (p of degree 4, least-squares fit), where 1 - 2/(e^2|x| + 1) would lose
 * digits to cancellation; above it that formula with the fast tml_expf; ±1 past |x| = 9.1
 * (where tanh rounds to ±1 in float). Largest absolute error 7.9e-8 over every float
 * (tests/unit/runtime: tml_fast_math_test).
 */
static inline float tml_tanhf(float x) {
  const float a = x < 0.0f ? -x : x;
  float y;
  if (a < 0.625f) {
    const float x2 = x * x;
    return x + x * x2 *
                   (-0.333332449f +
                    x2 * (0.133306712f +
                          x2 * (-0.0536872707f + x2 * (0.0204929560f + x2 * -0.00556136668f))));
  }
  if (!(a <= 9.1f)) {
    y = (a == a) ? 1.0f : a; /* NaN stays NaN */
  } else {
    y = 1.0f - 2.0f / (tml_expf(2.0f * a) + 1.0f);
  }
  return x < 0.0f ? -y : y;
}
#endif

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

/*
 * TML_MATH_VFP: the target is Thumb-2 with a single-precision VFP (Cortex-M4F/M7/M33)
 * and a GCC-compatible compiler, so the float dot products below use their VLDM loop.
 * The pure-C loop gives bit-identical results (same products, same order of additions).
 */
#if defined(__GNUC__) && defined(__thumb2__) && defined(__ARM_FP) && (__ARM_FP & 4) && \
    !defined(__SOFTFP__)
#define TML_MATH_VFP
#endif

/**
 * Four dot products that share one vector, accumulated into acc[0..4):
 * acc[r] += sum_k row_r[k]·x[k] in k order (unfused multiply then add, as -std=c99 builds
 * do; VMLA/VFMA take 3 cycles on the M4 against 1 + 1 for VMUL + VADD).
 *
 * Why it is fast on the M4: x is loaded once for four rows, and every load is a VLDM of
 * four floats (5 cycles, where four VLDRs take 8; the M4 does not pipeline VLDRs). The
 * products of two rows are interleaved so that no instruction consumes the result of the
 * one before it (that costs a stall cycle). A step of four columns is 60 cycles for 16
 * MACs, 3.75 cycles/MAC; the columns past the last multiple of four go through C.
 */
static inline void tml_dot4_acc_f32(const float *r0, const float *r1, const float *r2,
                                    const float *r3, const float *x, int32_t n, float *acc) {
  float a0 = acc[0];
  float a1 = acc[1];
  float a2 = acc[2];
  float a3 = acc[3];
  int32_t k = 0;
#if defined(TML_MATH_VFP)
  int32_t steps = n >> 2;
  if (steps > 0) {
    const float *xp = x;
    const float *p0 = r0;
    const float *p1 = r1;
    const float *p2 = r2;
    const float *p3 = r3;
#define TML_DOT4_PAIR(pa, pb, aa, ab)                                                \
  "vldmia %[" pa "]!, {s4-s7}\n\t"                                                   \
  "vldmia %[" pb "]!, {s8-s11}\n\t"                                                  \
  "vmul.f32 s4, s4, s0\n\t"                                                          \
  "vmul.f32 s8, s8, s0\n\t"                                                          \
  "vmul.f32 s5, s5, s1\n\t"                                                          \
  "vmul.f32 s9, s9, s1\n\t"                                                          \
  "vmul.f32 s6, s6, s2\n\t"                                                          \
  "vmul.f32 s10, s10, s2\n\t"                                                        \
  "vmul.f32 s7, s7, s3\n\t"                                                          \
  "vmul.f32 s11, s11, s3\n\t"                                                        \
  "vadd.f32 %[" aa "], %[" aa "], s4\n\t"                                            \
  "vadd.f32 %[" ab "], %[" ab "], s8\n\t"                                            \
  "vadd.f32 %[" aa "], %[" aa "], s5\n\t"                                            \
  "vadd.f32 %[" ab "], %[" ab "], s9\n\t"                                            \
  "vadd.f32 %[" aa "], %[" aa "], s6\n\t"                                            \
  "vadd.f32 %[" ab "], %[" ab "], s10\n\t"                                           \
  "vadd.f32 %[" aa "], %[" aa "], s7\n\t"                                            \
  "vadd.f32 %[" ab "], %[" ab "], s11\n\t"
    __asm__ volatile(".p2align 2\n\t"
                     "1:\n\t"
                     "vldmia %[x]!, {s0-s3}\n\t" TML_DOT4_PAIR("p0", "p1", "a0", "a1")
                         TML_DOT4_PAIR("p2", "p3", "a2", "a3") "subs %[n], %[n], #1\n\t"
                     "bne 1b\n\t"
                     : [a0] "+t"(a0), [a1] "+t"(a1), [a2] "+t"(a2), [a3] "+t"(a3),
                       [x] "+r"(xp), [p0] "+r"(p0), [p1] "+r"(p1), [p2] "+r"(p2),
                       [p3] "+r"(p3), [n] "+r"(steps)
                     :
                     : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10",
                       "s11", "cc", "memory");
#undef TML_DOT4_PAIR
    k = n & ~3;
  }
#endif
  for (; k < n; ++k) {
    const float xk = x[k];
    a0 += r0[k] * xk;
    a1 += r1[k] * xk;
    a2 += r2[k] * xk;
    a3 += r3[k] * xk;
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

/**
 * y[j] += sum_k m[j·cols + k]·x[k] for j in [0, rows): accumulate a row-major
 * matrix-vector product into y, four rows per pass over x (tml_dot4_acc_f32), the rows
 * past the last multiple of four one at a time.
 */
static inline void tml_matvec_acc_f32(const float *m, const float *x, int32_t rows, int32_t cols,
                                      float *y) {
  int32_t j = 0;
  for (; j + 4 <= rows; j += 4) {
    const float *r0 = m + (size_t)j * (size_t)cols;
    tml_dot4_acc_f32(r0, r0 + cols, r0 + 2 * cols, r0 + 3 * cols, x, cols, y + j);
  }
  for (; j < rows; ++j) {
    y[j] += tml_dot_f32(m + (size_t)j * (size_t)cols, x, cols);
  }
}

/**
 * Eight columns of a row-times-matrix product accumulated into acc[0..8):
 * acc[c] += sum_k x[k]·b[k·ldb + c] for k in [0, n), in k order (unfused multiply then add,
 * like tml_dot4_acc_f32, so the pure-C loop gives the same floats).
 *
 * Why it is fast on the M4: a row of b holds the eight columns side by side, so one VLDM
 * of eight floats (9 cycles) reads them, and x[k] is loaded once per eight outputs, four
 * at a time with one VLDM. The eight products of a k are all issued before their sums, so
 * no instruction waits on the one before it: 26 cycles per k for 8 MACs plus 5 + 3 per
 * four k, 3.5 cycles/MAC; the k past the last multiple of four go through C.
 */
static inline void tml_row8_acc_f32(const float *x, const float *b, int32_t ldb, int32_t n,
                                    float *acc) {
  float a0 = acc[0];
  float a1 = acc[1];
  float a2 = acc[2];
  float a3 = acc[3];
  float a4 = acc[4];
  float a5 = acc[5];
  float a6 = acc[6];
  float a7 = acc[7];
  int32_t k = 0;
#if defined(TML_MATH_VFP)
  int32_t steps = n >> 2;
  if (steps > 0) {
    const float *xp = x;
    const float *bp = b;
    const int32_t ldb_bytes = ldb * (int32_t)sizeof(float);
#define TML_ROW8_STEP(xs)                                                              \
  "vldmia %[b], {s4-s11}\n\t"                                                          \
  "add %[b], %[b], %[ldb]\n\t"                                                         \
  "vmul.f32 s4, s4, " xs "\n\t"                                                        \
  "vmul.f32 s5, s5, " xs "\n\t"                                                        \
  "vmul.f32 s6, s6, " xs "\n\t"                                                        \
  "vmul.f32 s7, s7, " xs "\n\t"                                                        \
  "vmul.f32 s8, s8, " xs "\n\t"                                                        \
  "vmul.f32 s9, s9, " xs "\n\t"                                                        \
  "vmul.f32 s10, s10, " xs "\n\t"                                                      \
  "vmul.f32 s11, s11, " xs "\n\t"                                                      \
  "vadd.f32 %[a0], %[a0], s4\n\t"                                                      \
  "vadd.f32 %[a1], %[a1], s5\n\t"                                                      \
  "vadd.f32 %[a2], %[a2], s6\n\t"                                                      \
  "vadd.f32 %[a3], %[a3], s7\n\t"                                                      \
  "vadd.f32 %[a4], %[a4], s8\n\t"                                                      \
  "vadd.f32 %[a5], %[a5], s9\n\t"                                                      \
  "vadd.f32 %[a6], %[a6], s10\n\t"                                                     \
  "vadd.f32 %[a7], %[a7], s11\n\t"
    __asm__ volatile(".p2align 2\n\t"
                     "1:\n\t"
                     "vldmia %[x]!, {s0-s3}\n\t" TML_ROW8_STEP("s0") TML_ROW8_STEP("s1")
                         TML_ROW8_STEP("s2") TML_ROW8_STEP("s3") "subs %[n], %[n], #1\n\t"
                     "bne 1b\n\t"
                     : [a0] "+t"(a0), [a1] "+t"(a1), [a2] "+t"(a2), [a3] "+t"(a3),
                       [a4] "+t"(a4), [a5] "+t"(a5), [a6] "+t"(a6), [a7] "+t"(a7),
                       [x] "+r"(xp), [b] "+r"(bp), [n] "+r"(steps)
                     : [ldb] "r"(ldb_bytes)
                     : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10",
                       "s11", "cc", "memory");
#undef TML_ROW8_STEP
    k = n & ~3;
  }
#endif
  for (; k < n; ++k) {
    const float xk = x[k];
    const float *br = b + (size_t)k * (size_t)ldb;
    a0 += br[0] * xk;
    a1 += br[1] * xk;
    a2 += br[2] * xk;
    a3 += br[3] * xk;
    a4 += br[4] * xk;
    a5 += br[5] * xk;
    a6 += br[6] * xk;
    a7 += br[7] * xk;
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
  acc[4] = a4;
  acc[5] = a5;
  acc[6] = a6;
  acc[7] = a7;
}

/**
 * y[c] = sum_k x[k]·b[k·ldb + c] for c in [0, cols): a row x [n] times a row-major matrix
 * b [n, >= cols] (row stride ldb), each sum in k order. Eight columns per pass
 * (tml_row8_acc_f32), then four, two, one at a time, each with its sums in registers, so
 * x is read once per group of columns and b once per call.
 */
static inline void tml_row_times_matrix_f32(const float *x, const float *b, int32_t ldb,
                                            int32_t n, int32_t cols, float *y) {
  int32_t c = 0;
  int32_t k;
  for (; c + 8 <= cols; c += 8) {
    y[c] = y[c + 1] = y[c + 2] = y[c + 3] = 0.0f;
    y[c + 4] = y[c + 5] = y[c + 6] = y[c + 7] = 0.0f;
    tml_row8_acc_f32(x, b + c, ldb, n, y + c);
  }
  for (; c + 4 <= cols; c += 4) {
    float a0 = 0.0f;
    float a1 = 0.0f;
    float a2 = 0.0f;
    float a3 = 0.0f;
    const float *br = b + c;
    for (k = 0; k < n; ++k) {
      const float xk = x[k];
      a0 += br[0] * xk;
      a1 += br[1] * xk;
      a2 += br[2] * xk;
      a3 += br[3] * xk;
      br += ldb;
    }
    y[c] = a0;
    y[c + 1] = a1;
    y[c + 2] = a2;
    y[c + 3] = a3;
  }
  for (; c + 2 <= cols; c += 2) {
    float a0 = 0.0f;
    float a1 = 0.0f;
    const float *br = b + c;
    for (k = 0; k < n; ++k) {
      const float xk = x[k];
      a0 += br[0] * xk;
      a1 += br[1] * xk;
      br += ldb;
    }
    y[c] = a0;
    y[c + 1] = a1;
  }
  for (; c < cols; ++c) {
    float a0 = 0.0f;
    const float *br = b + c;
    for (k = 0; k < n; ++k) {
      a0 += *br * x[k];
      br += ldb;
    }
    y[c] = a0;
  }
}

#endif /* TML_MATH_F32_H */
