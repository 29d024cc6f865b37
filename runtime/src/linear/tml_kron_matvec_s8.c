/* tml_kron_matvec_s8 - see tml_kernels_s8.h for the contract and the factor layout.
 *
 * Both products of the evaluation (T = X·Bᵀ, then Y = A·T) are small matrix-matrix
 * products "packed factor × several int16 vectors": one 32-bit word of a packed factor
 * holds a row pair × column pair, SXTB16 of it (and of it rotated by 8) gives the two
 * rows as int16 lane pairs, and each pair of rows meets two vectors per pass, so every
 * factor word and every vector word loaded feeds two SMLADs. */
#include "tml_kernels_s8.h"
#include "tml_support.h"
#include "tml_support_s8.h"

/* Even-padded size. */
static int32_t tml_even(int32_t n) { return n + (n & 1); }

int32_t tml_kron_matvec_s8_get_buffer_size(const tml_kron_s8_params *params) {
  int32_t n1e;
  if (params == NULL || params->m1 < 1 || params->n1 < 1 || params->m2 < 1 || params->n2 < 1) {
    return -1;
  }
  n1e = tml_even(params->n1);
  /* X widened (n1e·n2e int16) and T (m2e·n1e int16), both as interleaved vector pairs. */
  return 2 * (n1e * tml_even(params->n2) + tml_even(params->m2) * n1e);
}

/*
 * Vector pairs are stored interleaved: for vectors u, v (int16, even length) the words
 * are [u(0,1), v(0,1), u(2,3), v(2,3), ...], so one pointer walks both.
 *
 * One block: s[0] += F[2p]·u, s[1] += F[2p+1]·u, s[2] += F[2p]·v, s[3] += F[2p+1]·v over
 * `pairs` column pairs, w at row pair p of a packed factor, x at the interleaved pair.
 * Exact integer sums, modulo 2^32 in both paths. Advances *px past the pair.
 */
#if defined(TML_MATH_DSP)
/* One column pair: loads first (the M4 pipelines back-to-back LDRs), SXTB16 and
 * SXTB16 ROR #8 widen the two factor rows. In assembly because GCC otherwise copies the
 * four accumulators around the loop. */
#define TML_KRON_ASM_PAIR(wo, xo)                      \
  "ldr    %[wv], [%[w], #" wo "]\n\t"                  \
  "ldr    %[xa], [%[x], #" xo "]\n\t"                  \
  "ldr    %[xb], [%[x], #" xo "+4]\n\t"                \
  "sxtb16 %[lo], %[wv]\n\t"                            \
  "sxtb16 %[wv], %[wv], ror #8\n\t"                    \
  "smlad  %[s0], %[lo], %[xa], %[s0]\n\t"              \
  "smlad  %[s1], %[wv], %[xa], %[s1]\n\t"              \
  "smlad  %[s2], %[lo], %[xb], %[s2]\n\t"              \
  "smlad  %[s3], %[wv], %[xb], %[s3]\n\t"

/* The block's loop: two column pairs per iteration (factors are 8-16 wide), then one. */
#define TML_KRON_BLOCK(w0, pairs)                                              \
  do {                                                                         \
    const int8_t *w = (w0);                                                    \
    int32_t n_ = (pairs) >> 1;                                                 \
    uint32_t wv_, xa_, xb_, lo_;                                               \
    if (n_ > 0) {                                                              \
      __asm__ volatile("1:\n\t" TML_KRON_ASM_PAIR("0", "0")                    \
                       TML_KRON_ASM_PAIR("4", "8")                             \
                       "adds   %[w], %[w], #8\n\t"                             \
                       "adds   %[x], %[x], #16\n\t"                            \
                       "subs   %[n], %[n], #1\n\t"                             \
                       "bne    1b\n\t"                                         \
                       : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2),          \
                         [s3] "+r"(s3), [w] "+r"(w), [x] "+r"(x), [n] "+r"(n_),\
                         [wv] "=&r"(wv_), [xa] "=&r"(xa_), [xb] "=&r"(xb_),    \
                         [lo] "=&r"(lo_)                                       \
                       :                                                       \
                       : "cc", "memory");                                      \
    }                                                                          \
    if ((pairs) & 1) {                                                         \
      __asm__ volatile(TML_KRON_ASM_PAIR("0", "0")                             \
                       "adds   %[x], %[x], #8\n\t"                             \
                       : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2),          \
                         [s3] "+r"(s3), [x] "+r"(x), [wv] "=&r"(wv_),          \
                         [xa] "=&r"(xa_), [xb] "=&r"(xb_), [lo] "=&r"(lo_)     \
                       : [w] "r"(w)                                            \
                       : "cc", "memory");                                      \
    }                                                                          \
  } while (0)
#else
/* One column pair, the exact sums of the DSP path (modulo 2^32). */
#define TML_KRON_STEP(o)                                                  \
  do {                                                                    \
    const int32_t a0_ = w[4 * (o)];                                       \
    const int32_t b0_ = w[4 * (o) + 1];                                   \
    const int32_t a1_ = w[4 * (o) + 2];                                   \
    const int32_t b1_ = w[4 * (o) + 3];                                   \
    const int16_t *xo_ = x + 4 * (o);                                     \
    s0 += (uint32_t)(a0_ * xo_[0]) + (uint32_t)(a1_ * xo_[1]);            \
    s1 += (uint32_t)(b0_ * xo_[0]) + (uint32_t)(b1_ * xo_[1]);            \
    s2 += (uint32_t)(a0_ * xo_[2]) + (uint32_t)(a1_ * xo_[3]);            \
    s3 += (uint32_t)(b0_ * xo_[2]) + (uint32_t)(b1_ * xo_[3]);            \
  } while (0)

#define TML_KRON_BLOCK(w0, pairs)                                         \
  do {                                                                    \
    const int8_t *w = (w0);                                               \
    const int8_t *wend_ = w + 4 * (pairs);                                \
    while (w != wend_) {                                                  \
      TML_KRON_STEP(0);                                                   \
      w += 4;                                                             \
      x += 4;                                                             \
    }                                                                     \
  } while (0)
#endif

/* round(v / 2^shift) saturated to int16 (the kernel's T format). */
static inline uint32_t tml_kron_t16(uint32_t v, int32_t round, int32_t shift) {
  const int32_t t = ((int32_t)v + round) >> shift;
#if defined(TML_MATH_DSP)
  return (uint32_t)__ssat(t, 16) & 0xFFFFu;
#else
  return (uint32_t)tml_sat16(t) & 0xFFFFu;
#endif
}

/* T (interleaved pairs of B's rows i2, pairs along j1) = round(X·Bᵀ / 2^t_shift). */
TML_S8_HOT static void tml_kron_stage_t(const tml_kron_s8_params *p, const int8_t *bk,
                                        const int16_t *xw, uint32_t *tt) {
  const int32_t n2h = tml_even(p->n2) >> 1;
  const int32_t row_pairs = tml_even(p->m2) >> 1;
  const int32_t vec_pairs = tml_even(p->n1) >> 1;
  const int32_t shift = p->t_shift;
  const int32_t round = (1 << shift) >> 1;
  int32_t r;
  for (r = 0; r < row_pairs; ++r) {
    const int8_t *bp = bk + (size_t)r * (size_t)(4 * n2h);
    const int16_t *x = xw;
    uint32_t *t_end = tt + 2 * vec_pairs;
    while (tt != t_end) {
      uint32_t s0 = 0;
      uint32_t s1 = 0;
      uint32_t s2 = 0;
      uint32_t s3 = 0;
      TML_KRON_BLOCK(bp, n2h);
      /* Words of T vectors i2 = 2r (rows) and 2r + 1, at pair (j1, j1 + 1). */
      tt[0] = tml_kron_t16(s0, round, shift) | (tml_kron_t16(s2, round, shift) << 16);
      tt[1] = tml_kron_t16(s1, round, shift) | (tml_kron_t16(s3, round, shift) << 16);
      tt += 2;
    }
  }
}

/* acc[i1·m2 + i2] += Σ_j1 A[i1, j1]·T[j1, i2]. */
TML_S8_HOT static void tml_kron_stage_y(const tml_kron_s8_params *p, const int8_t *ak,
                                        const int16_t *tt, int32_t *acc) {
  const int32_t m1 = p->m1;
  const int32_t m2 = p->m2;
  const int32_t n1h = tml_even(p->n1) >> 1;
  const int32_t full = m2 >> 1; /* T vector pairs without padding */
  int32_t i1;
  for (i1 = 0; i1 < m1; i1 += 2) {
    const int8_t *ap = ak + (size_t)i1 * (size_t)(2 * n1h);
    int32_t *y0 = acc + (size_t)i1 * (size_t)m2;
    /* An odd m1's padding row accumulates into a dummy. */
    int32_t dummy[2];
    int32_t *y1 = i1 + 1 < m1 ? y0 + m2 : dummy;
    const int16_t *x = tt;
    int32_t *y0_end = y0 + 2 * full;
    while (y0 != y0_end) {
      uint32_t s0 = (uint32_t)y0[0];
      uint32_t s1 = (uint32_t)y1[0];
      uint32_t s2 = (uint32_t)y0[1];
      uint32_t s3 = (uint32_t)y1[1];
      TML_KRON_BLOCK(ap, n1h);
      y0[0] = (int32_t)s0;
      y1[0] = (int32_t)s1;
      y0[1] = (int32_t)s2;
      y1[1] = (int32_t)s3;
      y0 += 2;
      y1 = y1 == dummy ? dummy : y1 + 2;
    }
    if (m2 & 1) { /* the last T vector pairs with padding */
      uint32_t s0 = (uint32_t)y0[0];
      uint32_t s1 = (uint32_t)y1[0];
      uint32_t s2 = 0;
      uint32_t s3 = 0;
      TML_KRON_BLOCK(ap, n1h);
      y0[0] = (int32_t)s0;
      y1[0] = (int32_t)s1;
      (void)s2;
      (void)s3;
    }
  }
}

/* X [n1][n2] int8 → interleaved int16 vector pairs (rows 2g, 2g+1), zero padded. */
static void tml_kron_widen_x(const int8_t *input, int32_t n1, int32_t n2, int16_t *xw) {
  const int32_t n2e = tml_even(n2);
  int32_t j1;
  int32_t j2;
  for (j1 = 0; j1 < tml_even(n1); ++j1) {
    int16_t *dst = xw + (size_t)(j1 >> 1) * (size_t)(2 * n2e) + 2 * (j1 & 1);
    const int8_t *src = input + (size_t)j1 * (size_t)n2;
    for (j2 = 0; j2 < n2e; j2 += 2) {
      dst[0] = (int16_t)(j1 < n1 && j2 < n2 ? src[j2] : 0);
      dst[1] = (int16_t)(j1 < n1 && j2 + 1 < n2 ? src[j2 + 1] : 0);
      dst += 4;
    }
  }
}

TML_S8_HOT tml_status tml_kron_matvec_s8(const tml_context *ctx, const tml_kron_s8_params *params,
                                         const int8_t *a, const int8_t *b, const int8_t *input,
                                         int32_t *acc) {
  int32_t n1e, n2e, k;
  int32_t a_size;
  int32_t b_size;
  int16_t *xw;
  int16_t *tt;
  TML_CHECK(params != NULL && a != NULL && b != NULL && input != NULL && acc != NULL);
  TML_CHECK(params->m1 >= 1 && params->n1 >= 1 && params->m2 >= 1 && params->n2 >= 1 &&
            params->rank >= 1);
  TML_CHECK(params->t_shift >= 0 && params->t_shift <= 24);
  if (ctx == NULL || ctx->buf == NULL || ctx->size < tml_kron_matvec_s8_get_buffer_size(params)) {
    return TML_ERROR_BUFFER;
  }
  n1e = tml_even(params->n1);
  n2e = tml_even(params->n2);
  a_size = tml_even(params->m1) * n1e;
  b_size = tml_even(params->m2) * n2e;
  xw = (int16_t *)ctx->buf;
  tt = xw + n1e * n2e;
  tml_kron_widen_x(input, params->n1, params->n2, xw);
  for (k = 0; k < params->rank; ++k) {
    tml_kron_stage_t(params, b + (size_t)k * (size_t)b_size, xw, (uint32_t *)(void *)tt);
    tml_kron_stage_y(params, a + (size_t)k * (size_t)a_size, tt, acc);
  }
  return TML_OK;
}
