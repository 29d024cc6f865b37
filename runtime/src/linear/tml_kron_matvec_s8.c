/* tml_kron_matvec_s8 - see tml_kernels_s8.h for the contract and the factor layout.
 *
 * Both products of the evaluation (T = X·Bᵀ, then Y = A·T) are small matrix-matrix
 * products "packed factor × several int16 vectors". One 32-bit word of a packed factor
 * holds a row pair × column pair; SXTB16 of it (and SXTB16 ROR #8) gives the two rows as
 * int16 lane pairs. A block meets one row pair with two vectors, so each factor word
 * loaded feeds four SMLADs and each vector word two. The two vectors of a block are
 * stored interleaved (column pair q of vectors u, v is the words [u(q), v(q)]), so one
 * pointer walks both; the kernel writes X and T in that layout into its scratch.
 * (Four vectors per block would need more registers than GCC can give an asm statement
 * at every optimization level.)
 */
#include "tml_kernels_s8.h"
#include "tml_support.h"
#include "tml_support_s8.h"

static int32_t tml_even(int32_t n) { return n + (n & 1); }

int32_t tml_kron_matvec_s8_get_buffer_size(const tml_kron_s8_params *params) {
  int32_t n1e;
  int32_t n2e;
  if (params == NULL || params->m1 < 1 || params->n1 < 1 || params->m2 < 1 || params->n2 < 1) {
    return -1;
  }
  n1e = tml_even(params->n1);
  n2e = tml_even(params->n2);
  /* X widened (n1e·n2e int16), then T (even(m2) vectors of n1e) or Z (even(m1) vectors of
   * n2e), int16. */
  return 2 * (n1e * n2e + (tml_kron_s8_a_first(params) ? tml_even(params->m1) * n2e
                                                        : tml_even(params->m2) * n1e));
}

#if defined(TML_MATH_DSP)
/* Column pair at byte offsets wo (factor) and xo (vector pair): loads first (the M4
 * pipelines back-to-back LDRs), then SXTB16 / SXTB16 ROR #8 and four SMLADs. */
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

#define TML_KRON_ASM_OPERANDS                                                        \
  : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [w] "+r"(w_),        \
    [x] "+r"(x), [n] "+r"(n_), [wv] "=&r"(wv_), [xa] "=&r"(xa_), [xb] "=&r"(xb_),    \
    [lo] "=&r"(lo_)                                                                  \
  :                                                                                  \
  : "cc", "memory"

/* One block over `pairs` column pairs, four per iteration then two then one; advances x
 * past the vector pair. In assembly because GCC otherwise copies the accumulators around
 * the loop; eleven registers, so that it compiles at any optimization level. */
#define TML_KRON_BLOCK(w0, pairs)                                                    \
  do {                                                                               \
    const int8_t *w_ = (w0);                                                         \
    int32_t n_ = (pairs) >> 2;                                                       \
    uint32_t wv_, xa_, xb_, lo_;                                                     \
    if (n_ > 0) {                                                                    \
      __asm__ volatile("1:\n\t" TML_KRON_ASM_PAIR("0", "0") TML_KRON_ASM_PAIR("4", "8") \
                       TML_KRON_ASM_PAIR("8", "16") TML_KRON_ASM_PAIR("12", "24")    \
                       "adds   %[w], %[w], #16\n\t"                                  \
                       "adds   %[x], %[x], #32\n\t"                                  \
                       "subs   %[n], %[n], #1\n\t"                                   \
                       "bne    1b\n\t" TML_KRON_ASM_OPERANDS);                       \
    }                                                                                \
    if ((pairs) & 2) {                                                               \
      __asm__ volatile(TML_KRON_ASM_PAIR("0", "0") TML_KRON_ASM_PAIR("4", "8")       \
                       "adds   %[w], %[w], #8\n\t"                                   \
                       "adds   %[x], %[x], #16\n\t" TML_KRON_ASM_OPERANDS);          \
    }                                                                                \
    if ((pairs) & 1) {                                                               \
      __asm__ volatile(TML_KRON_ASM_PAIR("0", "0")                                   \
                       "adds   %[x], %[x], #8\n\t" TML_KRON_ASM_OPERANDS);           \
    }                                                                                \
  } while (0)
#else
/* The same exact sums (modulo 2^32) one column pair at a time. */
#define TML_KRON_BLOCK(w0, pairs)                                          \
  do {                                                                     \
    const int8_t *w_ = (w0);                                               \
    const int8_t *wend_ = w_ + 4 * (pairs);                                \
    for (; w_ != wend_; w_ += 4, x += 4) {                                 \
      const int32_t a0_ = w_[0];                                           \
      const int32_t b0_ = w_[1];                                           \
      const int32_t a1_ = w_[2];                                           \
      const int32_t b1_ = w_[3];                                           \
      s0 += (uint32_t)(a0_ * x[0]) + (uint32_t)(a1_ * x[1]);               \
      s1 += (uint32_t)(b0_ * x[0]) + (uint32_t)(b1_ * x[1]);               \
      s2 += (uint32_t)(a0_ * x[2]) + (uint32_t)(a1_ * x[3]);               \
      s3 += (uint32_t)(b0_ * x[2]) + (uint32_t)(b1_ * x[3]);               \
    }                                                                      \
  } while (0)
#endif

/* The int16 pair (sat16(lo >> shift), sat16(hi >> shift)) of T (the rounding constant is
 * in the accumulators' initial value). */
static inline uint32_t tml_kron_t16x2(uint32_t lo, uint32_t hi, int32_t shift) {
#if defined(TML_MATH_DSP)
  const int32_t a = __ssat((int32_t)lo >> shift, 16);
  const int32_t b = __ssat((int32_t)hi >> shift, 16);
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
#else
  return ((uint32_t)tml_sat16((int32_t)lo >> shift) & 0xFFFFu) |
         ((uint32_t)tml_sat16((int32_t)hi >> shift) << 16);
#endif
}

/*
 * Stage 1: the intermediate P = round(F·Vᵀ / 2^shift) in int16, as vector pairs of F's
 * rows (column pairs along V's vectors). F is a packed factor (row pairs of `f_pairs`
 * column pairs), V holds `vec_pairs` vector pairs. A block (F rows 2r, 2r+1 × V vectors
 * 2g, 2g+1) gives column pair g of both rows: the next two words of P. T-first order:
 * F = B, V = the rows of X, P = T; A-first: F = A, V = the columns of X, P = Z.
 * Inlined with a constant f_pairs for the common widths (the block's tails fold away).
 */
TML_S8_INLINE void tml_kron_p_body(const int8_t *f, const int16_t *v, uint32_t *out,
                                   int32_t row_pairs, int32_t vec_pairs, int32_t f_pairs,
                                   int32_t shift) {
  const uint32_t round = (uint32_t)((1 << shift) >> 1);
  const int8_t *fp = f;
  const int8_t *f_end = f + (size_t)row_pairs * (size_t)(4 * f_pairs);
  for (; fp != f_end; fp += 4 * f_pairs) {
    const int16_t *x = v;
    uint32_t *o_end = out + 2 * vec_pairs;
    while (out != o_end) {
      uint32_t s0 = round, s1 = round, s2 = round, s3 = round;
      TML_KRON_BLOCK(fp, f_pairs);
      out[0] = tml_kron_t16x2(s0, s2, shift);
      out[1] = tml_kron_t16x2(s1, s3, shift);
      out += 2;
    }
  }
}

TML_S8_HOT static void tml_kron_stage_p(const int8_t *f, int32_t f_rows, int32_t f_pairs,
                                        const int16_t *v, int32_t vec_pairs, int32_t shift,
                                        uint32_t *out) {
  const int32_t row_pairs = tml_even(f_rows) >> 1;
  if (f_pairs == 8) {
    tml_kron_p_body(f, v, out, row_pairs, vec_pairs, 8, shift);
  } else if (f_pairs == 4) {
    tml_kron_p_body(f, v, out, row_pairs, vec_pairs, 4, shift);
  } else {
    tml_kron_p_body(f, v, out, row_pairs, vec_pairs, f_pairs, shift);
  }
}

/*
 * Stage 2: y[r·rs + u·us] += Σ_c F[r, c]·P[u][c] for the factor's rows r and P's vectors
 * u < vecs (P as written by stage 1). T-first: F = A, P = T (rs = m2, us = 1); A-first:
 * F = B, P = Z (rs = 1, us = m2). This body: even f_rows and vecs, constant f_pairs.
 */
TML_S8_INLINE void tml_kron_y_body(const int8_t *f, int32_t f_rows, int32_t f_pairs,
                                   const int16_t *p, int32_t vecs, int32_t rs, int32_t us,
                                   int32_t *acc) {
  const int8_t *fp = f;
  const int8_t *f_end = f + (size_t)(f_rows >> 1) * (size_t)(4 * f_pairs);
  int32_t *row = acc;
  for (; fp != f_end; fp += 4 * f_pairs, row += 2 * rs) {
    const int16_t *x = p;
    int32_t *y = row;
    int32_t *y_end = row + vecs * us;
    for (; y != y_end; y += 2 * us) {
      uint32_t s0 = (uint32_t)y[0];
      uint32_t s1 = (uint32_t)y[rs];
      uint32_t s2 = (uint32_t)y[us];
      uint32_t s3 = (uint32_t)y[rs + us];
      TML_KRON_BLOCK(fp, f_pairs);
      y[0] = (int32_t)s0;
      y[rs] = (int32_t)s1;
      y[us] = (int32_t)s2;
      y[rs + us] = (int32_t)s3;
    }
  }
}

TML_S8_HOT static void tml_kron_stage_y(const int8_t *f, int32_t f_rows, int32_t f_pairs,
                                        const int16_t *p, int32_t vecs, int32_t rs, int32_t us,
                                        int32_t *acc) {
  int32_t r;
  int32_t u;
  if (((f_rows | vecs) & 1) == 0) {
    if (f_pairs == 4) {
      tml_kron_y_body(f, f_rows, 4, p, vecs, rs, us, acc);
    } else if (f_pairs == 8) {
      tml_kron_y_body(f, f_rows, 8, p, vecs, rs, us, acc);
    } else {
      tml_kron_y_body(f, f_rows, f_pairs, p, vecs, rs, us, acc);
    }
    return;
  }
  /* Odd counts: the same blocks, padding outputs dropped. */
  for (r = 0; r < f_rows; r += 2) {
    const int8_t *fp = f + (size_t)r * (size_t)(2 * f_pairs);
    const int16_t *x = p;
    for (u = 0; u < vecs; u += 2) {
      int32_t *y = acc + (size_t)r * (size_t)rs + (size_t)u * (size_t)us;
      const int32_t row2 = r + 1 < f_rows;
      const int32_t vec2 = u + 1 < vecs;
      uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      TML_KRON_BLOCK(fp, f_pairs);
      y[0] = (int32_t)((uint32_t)y[0] + s0);
      if (row2) {
        y[rs] = (int32_t)((uint32_t)y[rs] + s1);
      }
      if (vec2) {
        y[us] = (int32_t)((uint32_t)y[us] + s2);
        if (row2) {
          y[rs + us] = (int32_t)((uint32_t)y[rs + us] + s3);
        }
      }
    }
  }
}

/*
 * The input as int16 vector pairs, zero padded to `count` vectors of `len` values:
 * vector u, element e = input[u·us + e·es] for u < n_u, e < n_e. T-first: the rows of X
 * (us = n2, es = 1); A-first: its columns (us = 1, es = n2).
 */
static void tml_kron_widen(const int8_t *input, int32_t n_u, int32_t n_e, int32_t us,
                           int32_t es, int32_t count, int32_t len, int16_t *xw) {
  int32_t u;
  int32_t e;
#if defined(TML_MATH_DSP)
  if (es == 1 && (n_u & 1) == 0 && (n_e & 3) == 0 && len == n_e) {
    /* Four values of both vectors per step: SXTB16 gives the even and the odd bytes,
     * PKHBT/PKHTB pair them up again. */
    uint32_t *dst = (uint32_t *)(void *)xw;
    for (u = 0; u < n_u; u += 2) {
      const int8_t *ra = input + (size_t)u * (size_t)us;
      const int8_t *rb = ra + us;
      for (e = 0; e < n_e; e += 4) {
        const uint32_t la = tml_read_u32(ra + e);
        const uint32_t lb = tml_read_u32(rb + e);
        uint32_t ea, oa, eb, ob, w0, w1, w2, w3;
        __asm__("sxtb16 %0, %1" : "=r"(ea) : "r"(la));
        __asm__("sxtb16 %0, %1, ror #8" : "=r"(oa) : "r"(la));
        __asm__("sxtb16 %0, %1" : "=r"(eb) : "r"(lb));
        __asm__("sxtb16 %0, %1, ror #8" : "=r"(ob) : "r"(lb));
        __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(w0) : "r"(ea), "r"(oa));
        __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(w1) : "r"(eb), "r"(ob));
        __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(w2) : "r"(oa), "r"(ea));
        __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(w3) : "r"(ob), "r"(eb));
        dst[0] = w0;
        dst[1] = w1;
        dst[2] = w2;
        dst[3] = w3;
        dst += 4;
      }
    }
    for (e = n_u * len; e < count * len; ++e) { /* zero padding vectors */
      xw[e] = 0;
    }
    return;
  }
#endif
  for (u = 0; u < count; ++u) {
    int16_t *dst = xw + (size_t)(u >> 1) * (size_t)(2 * len) + 2 * (u & 1);
    const int8_t *src = input + (size_t)u * (size_t)us;
    for (e = 0; e < len; e += 2) {
      dst[0] = (int16_t)(u < n_u && e < n_e ? src[(size_t)e * (size_t)es] : 0);
      dst[1] = (int16_t)(u < n_u && e + 1 < n_e ? src[(size_t)(e + 1) * (size_t)es] : 0);
      dst += 4;
    }
  }
}

TML_S8_HOT tml_status tml_kron_matvec_s8(const tml_context *ctx, const tml_kron_s8_params *params,
                                         const int8_t *a, const int8_t *b, const int8_t *input,
                                         int32_t *acc) {
  int32_t m1, n1, m2, n2, n1e, n2e, k;
  int32_t a_size;
  int32_t b_size;
  int16_t *xw;
  uint32_t *pp;
  TML_CHECK(params != NULL && a != NULL && b != NULL && input != NULL && acc != NULL);
  m1 = params->m1;
  n1 = params->n1;
  m2 = params->m2;
  n2 = params->n2;
  TML_CHECK(m1 >= 1 && n1 >= 1 && m2 >= 1 && n2 >= 1 && params->rank >= 1);
  TML_CHECK(params->t_shift >= 0 && params->t_shift <= 24);
  if (ctx == NULL || ctx->buf == NULL || ctx->size < tml_kron_matvec_s8_get_buffer_size(params)) {
    return TML_ERROR_BUFFER;
  }
  n1e = tml_even(n1);
  n2e = tml_even(n2);
  a_size = tml_even(m1) * n1e; /* tml_pack_kron_factor_s8_size() */
  b_size = tml_even(m2) * n2e;
  xw = (int16_t *)ctx->buf;
  pp = (uint32_t *)(void *)(xw + n1e * n2e);
  if (tml_kron_s8_a_first(params)) {
    /* Z = round(A·X / 2^t) [m1, n2], then y += Z·Bᵀ. */
    tml_kron_widen(input, n2, n1, 1, n2, n2e, n1e, xw);
    for (k = 0; k < params->rank; ++k) {
      tml_kron_stage_p(a + (size_t)k * (size_t)a_size, m1, n1e >> 1, xw, n2e >> 1,
                       params->t_shift, pp);
      tml_kron_stage_y(b + (size_t)k * (size_t)b_size, m2, n2e >> 1, (const int16_t *)pp, m1,
                       1, m2, acc);
    }
  } else {
    /* T = round(X·Bᵀ / 2^t) [n1, m2], then y += A·T. */
    tml_kron_widen(input, n1, n2, n2, 1, n1e, n2e, xw);
    for (k = 0; k < params->rank; ++k) {
      tml_kron_stage_p(b + (size_t)k * (size_t)b_size, m2, n2e >> 1, xw, n1e >> 1,
                       params->t_shift, pp);
      tml_kron_stage_y(a + (size_t)k * (size_t)a_size, m1, n1e >> 1, (const int16_t *)pp, m2,
                       m2, 1, acc);
    }
  }
  return TML_OK;
}
