/* SPDX-License-Identifier: MIT */
/*
 * tml_support_s8.h - internal helpers of the int8 kernels (not part of the kernel API):
 * the row-pair-lane dot product over the packed layout of tml_kernels_s8.h, input
 * widening and requantization. Each helper has one pure-C and one TML_MATH_DSP body that
 * give bit-identical results.
 */
#ifndef TML_SUPPORT_S8_H
#define TML_SUPPORT_S8_H

#include <stdint.h>
#include <string.h>

#include "tml_config.h"
#include "tml_kernels_s8.h"
#include "tml_types.h"

#if defined(TML_MATH_DSP)
#include <arm_acle.h>
/* SSAT as ACLE's __ssat(), without the implicit unsigned-to-signed conversion
 * inside GCC's macro (its builtin returns unsigned), so -Wsign-conversion builds
 * of the runtime and the generated code stay clean. Same instruction, same value. */
#define TML_SSAT(v, n) ((int32_t)__builtin_arm_ssat((int32_t)(v), (n)))
/* UXTB16 on a 32-bit word: GCC's ACLE takes it unsigned, clang's signed. */
#if defined(__clang__)
#define TML_UXTB16(v) ((uint32_t)__uxtb16((int8x4_t)(v)))
#else
#define TML_UXTB16(v) ((uint32_t)__uxtb16(v))
#endif
#endif

/*
 * TML_S8_HOT: for the functions that hold the int8 inner loops. GCC's instruction
 * scheduler interleaves the loads of a column group with the MACs, which costs the M4
 * its load pipelining (back-to-back LDRs take one cycle each, isolated ones two); the
 * loops are written in the order the M4 wants, so the second scheduling pass is off.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define TML_S8_HOT __attribute__((optimize("no-schedule-insns", "no-schedule-insns2")))
#else
#define TML_S8_HOT
#endif

/* Out of line, so that a loop gets all the registers (inlined into a kernel with many
 * live values it spills on every row). */
#if defined(__GNUC__)
#define TML_S8_OUTLINE __attribute__((noinline, unused)) static
#define TML_S8_INLINE __attribute__((always_inline)) static inline
#else
#define TML_S8_OUTLINE static inline
#define TML_S8_INLINE static inline
#endif

/** Column groups of 4 after which the lane accumulators are folded (512 columns). */
#define TML_S8_FOLD_GROUPS 128

static inline uint32_t tml_read_u32(const void *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

#if !defined(TML_MATH_DSP)
/* Signed value of the int16 lane of `v` starting at bit `bit` (0 or 16). */
static inline int32_t tml_lane16(uint32_t v, int bit) {
  int32_t u = (int32_t)((v >> bit) & 0xFFFFu);
  return u - ((u & 0x8000) << 1);
}
/* Signed value of byte `k` of `v`. */
static inline int32_t tml_lane8(uint32_t v, int k) {
  int32_t u = (int32_t)((v >> (8 * k)) & 0xFFu);
  return u - ((u & 0x80) << 1);
}
/* SMLAD: acc + lo(a)·lo(b) + hi(a)·hi(b), modulo 2^32. */
static inline uint32_t tml_smlad_c(uint32_t a, uint32_t b, uint32_t acc) {
  return acc + (uint32_t)(tml_lane16(a, 0) * tml_lane16(b, 0)) +
         (uint32_t)(tml_lane16(a, 16) * tml_lane16(b, 16));
}
/* SXTB16: bytes 0 and 2 sign-extended into the two int16 lanes. */
static inline uint32_t tml_sxtb16_c(uint32_t a) {
  return ((uint32_t)tml_lane8(a, 0) & 0xFFFFu) | ((uint32_t)tml_lane8(a, 2) << 16);
}
#endif

/**
 * Widens n int8 values to int16 (x[c] + offset) and pads with zeros up to n4 (a multiple
 * of 4). The result is read as int16 pairs by tml_s8_dot4().
 */
static inline void tml_s8_widen(const int8_t *x, int32_t n, int32_t offset, int16_t *xw,
                                int32_t n4) {
  int32_t c = 0;
#if defined(TML_MATH_DSP)
  if (offset == 0) {
    /* Four at a time: SXTB16 gives (x0, x2) and (x1, x3); PKHBT/PKHTB reorder them. */
    for (; c + 4 <= n; c += 4) {
      const uint32_t v = tml_read_u32(x + c);
      const uint32_t even = (uint32_t)__sxtb16((int32_t)v);
      const uint32_t odd = (uint32_t)__sxtb16((int32_t)((v >> 8) | (v << 24)));
      const uint32_t lo = (even & 0xFFFFu) | (odd << 16);
      const uint32_t hi = (odd & 0xFFFF0000u) | (even >> 16);
      memcpy(xw + c, &lo, sizeof lo);
      memcpy(xw + c + 2, &hi, sizeof hi);
    }
  }
#endif
  for (; c < n; ++c) {
    xw[c] = (int16_t)(x[c] + offset);
  }
  for (; c < n4; ++c) {
    xw[c] = 0;
  }
}

#if defined(TML_MATH_DSP) && defined(__GNUC__)
/* acc += SMLAD(a, b) in place. The same instruction as __smlad(), but the accumulator is
 * tied to its register: with the intrinsic GCC lets the accumulators rotate through the
 * registers of the loop body and pays a MOV per accumulator and iteration to undo it. */
#define TML_S8_SMLAD_ACC(acc, a, b) __asm__("smlad %0, %1, %2, %0" : "+r"(acc) : "r"(a), "r"(b))
#define TML_S8_MAC2(acc_r, acc_e, w, x)                           \
  do {                                                            \
    const uint32_t we_ = (uint32_t)__sxtb16((int32_t)(w));        \
    TML_S8_SMLAD_ACC(acc_r, w, x);                                \
    TML_S8_SMLAD_ACC(acc_e, we_, x);                              \
  } while (0)
#elif defined(TML_MATH_DSP)
#define TML_S8_MAC2(acc_r, acc_e, w, x)                                \
  do {                                                                 \
    (acc_r) = (uint32_t)__smlad((int32_t)(w), (int32_t)(x), (int32_t)(acc_r)); \
    (acc_e) = (uint32_t)__smlad(__sxtb16((int32_t)(w)), (int32_t)(x), (int32_t)(acc_e)); \
  } while (0)
#else
#define TML_S8_MAC2(acc_r, acc_e, w, x)                    \
  do {                                                     \
    (acc_r) = tml_smlad_c((w), (x), (acc_r));              \
    (acc_e) = tml_smlad_c(tml_sxtb16_c(w), (x), (acc_e));  \
  } while (0)
#endif

/* One column group of 4 (16 packed bytes at wp, 4 int16 inputs at xp). Loads first so
 * that they issue back to back (the M4 pipelines consecutive LDRs). */
#define TML_S8_GROUP(wp, xp)                          \
  do {                                                \
    const uint32_t x01_ = tml_read_u32(xp);           \
    const uint32_t x23_ = tml_read_u32((xp) + 2);     \
    const uint32_t w0_ = tml_read_u32(wp);            \
    const uint32_t w1_ = tml_read_u32((wp) + 4);      \
    const uint32_t w2_ = tml_read_u32((wp) + 8);      \
    const uint32_t w3_ = tml_read_u32((wp) + 12);     \
    TML_S8_MAC2(r01, e01, w0_, x01_);                 \
    TML_S8_MAC2(r23, e23, w1_, x01_);                 \
    TML_S8_MAC2(r01, e01, w2_, x23_);                 \
    TML_S8_MAC2(r23, e23, w3_, x23_);                 \
  } while (0)

/**
 * Dot products of the 4 rows of one packed row block with the widened input:
 * sum[k] = Σ_c W[r0+k][c]·xw[c] over `groups` (>= 1) column groups of 4. `w` points at
 * the block's first byte; returns the pointer just past the block.
 */
TML_S8_INLINE void tml_s8_dot4_chunk(const int8_t **pw, const int16_t **px, int32_t chunk,
                                     int32_t out[4]) {
  const int8_t *w = *pw;
  const int16_t *xw = *px;
  const int8_t *oct_end = w + 128 * (chunk >> 3);
  int32_t rest = chunk & 3;
  uint32_t e01 = 0;
  uint32_t r01 = 0;
  uint32_t e23 = 0;
  uint32_t r23 = 0;
  /* Eight groups (128 MACs) per iteration amortize the loop overhead (4 cycles). */
  while (w != oct_end) {
    TML_S8_GROUP(w, xw);
    TML_S8_GROUP(w + 16, xw + 4);
    TML_S8_GROUP(w + 32, xw + 8);
    TML_S8_GROUP(w + 48, xw + 12);
    TML_S8_GROUP(w + 64, xw + 16);
    TML_S8_GROUP(w + 80, xw + 20);
    TML_S8_GROUP(w + 96, xw + 24);
    TML_S8_GROUP(w + 112, xw + 28);
    w += 128;
    xw += 32;
  }
  if ((chunk & 4) != 0) {
    TML_S8_GROUP(w, xw);
    TML_S8_GROUP(w + 16, xw + 4);
    TML_S8_GROUP(w + 32, xw + 8);
    TML_S8_GROUP(w + 48, xw + 12);
    w += 64;
    xw += 16;
  }
  while (rest-- > 0) {
    TML_S8_GROUP(w, xw);
    w += 16;
    xw += 4;
  }
  /* (r - e) is 256·(odd row sum) modulo 2^32 and |odd row sum| < 2^23, so the
   * (arithmetic) shift is an exact division. */
  out[0] = (int32_t)e01;
  out[1] = (int32_t)(r01 - e01) >> 8;
  out[2] = (int32_t)e23;
  out[3] = (int32_t)(r23 - e23) >> 8;
  *pw = w;
  *px = xw;
}

/* tml_s8_dot4() for rows longer than 512 columns: the lane accumulators are folded
 * every TML_S8_FOLD_GROUPS groups. Out of line, so the common case stays lean. */
#if TML_S8_LONG_ROWS
TML_S8_HOT TML_S8_OUTLINE const int8_t *tml_s8_dot4_folded(const int8_t *w, const int16_t *xw,
                                                            int32_t groups, int32_t sum[4]) {
  sum[0] = 0;
  sum[1] = 0;
  sum[2] = 0;
  sum[3] = 0;
  while (groups > 0) {
    const int32_t chunk = groups < TML_S8_FOLD_GROUPS ? groups : TML_S8_FOLD_GROUPS;
    int32_t part[4];
    tml_s8_dot4_chunk(&w, &xw, chunk, part);
    sum[0] += part[0];
    sum[1] += part[1];
    sum[2] += part[2];
    sum[3] += part[3];
    groups -= chunk;
  }
  return w;
}
#endif

/* Callers check groups <= TML_S8_FOLD_GROUPS when !TML_S8_LONG_ROWS (TML_S8_ROWS_OK). */
TML_S8_INLINE const int8_t *tml_s8_dot4(const int8_t *w, const int16_t *xw, int32_t groups,
                                        int32_t sum[4]) {
#if TML_S8_LONG_ROWS
  if (groups > TML_S8_FOLD_GROUPS) {
    return tml_s8_dot4_folded(w, xw, groups, sum);
  }
#endif
  /* up to 512 columns: one pass, no folding */
  tml_s8_dot4_chunk(&w, &xw, groups, sum);
  return w;
}

/* 1 when the int8 dense kernels of this build take rows of `cols` columns. */
#define TML_S8_ROWS_OK(cols) (TML_S8_LONG_ROWS || (cols) <= 4 * TML_S8_FOLD_GROUPS)

/**
 * acc[r] = Σ_c W[r][c]·xw[c] for every row of a packed matrix with `rows` rows (acc holds
 * ceil4(rows) entries; the padding rows get 0) and `groups` column groups of 4.
 */
TML_S8_HOT TML_S8_OUTLINE void tml_s8_matvec(const int8_t *w, const int16_t *xw,
                                                            int32_t groups, int32_t rows,
                                                            int32_t *acc) {
  int32_t r;
  for (r = 0; r < rows; r += 4) {
    w = tml_s8_dot4(w, xw, groups, acc + r);
  }
}

/**
 * Requantization (tml_kernels_s8.h): round_half_up(smmulr(acc·2^left, multiplier) / 2^right)
 * with smmulr(a, b) = (a·b + 2^31) >> 32, the rounded high word (SMLAL on the M4).
 * Right shifts of negative values are arithmetic on every compiler this runtime targets.
 */
static inline int32_t tml_smmulr(int32_t a, int32_t b) {
#if defined(TML_MATH_DSP) && defined(__GNUC__)
  /* arm_acle.h has no SMMULR intrinsic; GCC would otherwise build the 64-bit product. */
  int32_t v;
  __asm__("smmulr %0, %1, %2" : "=r"(v) : "r"(a), "r"(b));
  return v;
#else
  return (int32_t)(((int64_t)a * b + 0x80000000LL) >> 32);
#endif
}

/** smmulr(a, b) + c (modulo 2^32): SMMLAR on the M4, adding c·2^32 before the rounding. */
static inline int32_t tml_smmlar(int32_t a, int32_t b, int32_t c) {
#if defined(TML_MATH_DSP) && defined(__GNUC__)
  int32_t v;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(v) : "r"(a), "r"(b), "r"(c));
  return v;
#else
  return (int32_t)((uint32_t)tml_smmulr(a, b) + (uint32_t)c);
#endif
}

static inline int32_t tml_requantize(int32_t acc, int32_t multiplier, int32_t left,
                                     int32_t right) {
  const int32_t v = tml_smmulr((int32_t)((uint32_t)acc << left), multiplier);
  return (v + ((1 << right) >> 1)) >> right;
}

/** Clamps v to [lo, hi]. */
static inline int32_t tml_clamp_s32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/** int16 dot product Σ a[k]·b[k] (both int16, SMLAD on pairs), added to acc. */
static inline int32_t tml_dot_s16(const int16_t *a, const int16_t *b, int32_t n, int32_t acc) {
  int32_t k = 0;
#if defined(TML_MATH_DSP)
  for (; k + 2 <= n; k += 2) {
    acc = __smlad((int32_t)tml_read_u32(a + k), (int32_t)tml_read_u32(b + k), acc);
  }
#endif
  for (; k < n; ++k) {
    acc += (int32_t)a[k] * b[k];
  }
  return acc;
}

/**
 * Four int16 dot products sharing the x loads: s[q] += Σ_k w[q·stride + k]·x[k], q = 0..3
 * (SMLAD on pairs; the pure-C path is the same exact int32 sums).
 */
TML_S8_INLINE void tml_dot4_s16(const int16_t *w, int32_t stride, const int16_t *x, int32_t n,
                                int32_t s[4]) {
  int32_t s0 = s[0];
  int32_t s1 = s[1];
  int32_t s2 = s[2];
  int32_t s3 = s[3];
  const int16_t *w1 = w + stride;
  const int16_t *w2 = w1 + stride;
  const int16_t *w3 = w2 + stride;
  int32_t k = 0;
#if defined(TML_MATH_DSP)
  for (; k + 2 <= n; k += 2) {
    /* Loads first: the M4 pipelines back-to-back LDRs. */
    const int32_t xv = (int32_t)tml_read_u32(x + k);
    const int32_t a0 = (int32_t)tml_read_u32(w + k);
    const int32_t a1 = (int32_t)tml_read_u32(w1 + k);
    const int32_t a2 = (int32_t)tml_read_u32(w2 + k);
    const int32_t a3 = (int32_t)tml_read_u32(w3 + k);
    s0 = __smlad(a0, xv, s0);
    s1 = __smlad(a1, xv, s1);
    s2 = __smlad(a2, xv, s2);
    s3 = __smlad(a3, xv, s3);
  }
#endif
  for (; k < n; ++k) {
    const int32_t xv = x[k];
    s0 += w[k] * xv;
    s1 += w1[k] * xv;
    s2 += w2[k] * xv;
    s3 += w3[k] * xv;
  }
  s[0] = s0;
  s[1] = s1;
  s[2] = s2;
  s[3] = s3;
}

/** Saturates to int16. */
static inline int32_t tml_sat16(int32_t v) {
  return v < -32768 ? -32768 : (v > 32767 ? 32767 : v);
}

/** Saturates to int16 with SSAT on the DSP path (the same value as tml_sat16()). */
static inline int32_t tml_ssat16(int32_t v) {
#if defined(TML_MATH_DSP)
  return TML_SSAT(v, 16);
#else
  return tml_sat16(v);
#endif
}

/** The tanh table of tml_tanh_s16(): y_k = tanh(-8 + k/16) in Q0.15, k <= 256 (int16:
 * 514 bytes; the (value, step) words it replaced took 1 KB for the same interpolation). */
extern const int16_t tml_tanh_table_q15[257];

/** The sigmoid table of tml_sigmoid_s16(), as tml_tanh_table_q15 for sigmoid. */
extern const int16_t tml_sigmoid_table_q15[257];

/** Q3.12 in, Q0.15 out: linear interpolation between y_i and y_{i+1} of a 257-entry
 * table over [-8, 8] in steps of 1/16: y_i + round_half_up((y_{i+1} - y_i)·frac / 256). */
static inline int32_t tml_table_q15(const int16_t *table, int32_t x) {
  const int32_t u = x + 32768; /* [0, 65535] */
  const int16_t *e = table + (u >> 8);
  const int32_t y0 = e[0];
  return y0 + (((e[1] - y0) * (u & 255) + 128) >> 8);
}

/** tanh: Q3.12 in, Q0.15 out. */
static inline int32_t tml_tanh_q15(int32_t x) { return tml_table_q15(tml_tanh_table_q15, x); }

/** sigmoid: Q3.12 in, Q0.15 out (its own table: no halving of the input and output as
 * (1 + tanh(x/2))/2 would need, and twice the resolution). */
static inline int32_t tml_sigmoid_q15(int32_t x) {
  return tml_table_q15(tml_sigmoid_table_q15, x);
}

#endif /* TML_SUPPORT_S8_H */
