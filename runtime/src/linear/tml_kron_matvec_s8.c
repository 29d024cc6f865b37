/* SPDX-License-Identifier: MIT */
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
#include "tml_config.h"
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
  if (params->rank < 1) {
    return -1;
  }
  /* X widened (n1e·n2e int16), then every term's T (even(m2) vectors of n1e) or Z
   * (even(m1) vectors of n2e), int16. */
  return 2 * (n1e * n2e + params->rank * (tml_kron_s8_a_first(params) ? tml_even(params->m1) * n2e
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

/* Row halves of a packed factor word (SXTB16, SXTB16 ROR #8) and SMLAD, or their exact
 * pure-C equivalents (sums modulo 2^32). */
#if defined(TML_MATH_DSP)
/* SXTB16 ROR #8 in one instruction (GCC emits the rotation separately). */
static inline uint32_t tml_kron_hi(uint32_t w) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));
  return r;
}
#define TML_KRON_LO(w) ((uint32_t)__sxtb16((int32_t)(w)))
#define TML_KRON_HI(w) tml_kron_hi(w)
#define TML_KRON_MAC(acc, a, b) ((uint32_t)__smlad((int32_t)(a), (int32_t)(b), (int32_t)(acc)))
#else
#define TML_KRON_LO(w) tml_sxtb16_c(w)
#define TML_KRON_HI(w) tml_sxtb16_c((w) >> 8)
#define TML_KRON_MAC(acc, a, b) tml_smlad_c((a), (b), (acc))
#endif

/* The int16 pair (sat16(lo >> shift), sat16(hi >> shift)) of T (the rounding constant is
 * in the accumulators' initial value). */
static inline uint32_t tml_kron_t16x2(uint32_t lo, uint32_t hi, int32_t shift) {
#if defined(TML_MATH_DSP)
  const int32_t a = TML_SSAT((int32_t)lo >> shift, 16);
  const int32_t b = TML_SSAT((int32_t)hi >> shift, 16);
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
 * The terms of a rank-r sum write their P side by side (term k's columns of vector pair
 * r at word 2·vec_pairs·(rank·r + k)), so stage 2 sums all terms in one pass over y:
 * `skip` is the words of the other terms after each row pair.
 * Inlined with a constant f_pairs for the common widths (the block's tails fold away).
 */
TML_S8_INLINE void tml_kron_p_body(const int8_t *f, const int16_t *v, uint32_t *out,
                                   int32_t row_pairs, int32_t vec_pairs, int32_t f_pairs,
                                   int32_t skip, int32_t shift) {
  const uint32_t round = (uint32_t)((1 << shift) >> 1);
  const int8_t *fp = f;
  const int8_t *f_end = f + (size_t)row_pairs * (size_t)(4 * f_pairs);
  for (; fp != f_end; fp += 4 * f_pairs, out += skip) {
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
                                        const int16_t *v, int32_t vec_pairs, int32_t skip,
                                        int32_t shift, uint32_t *out) {
  const int32_t row_pairs = tml_even(f_rows) >> 1;
  if ((TML_S8_KRON_CASES & TML_KRON_S8_P8) && f_pairs == 8) {
    tml_kron_p_body(f, v, out, row_pairs, vec_pairs, 8, skip, shift);
  } else if ((TML_S8_KRON_CASES & TML_KRON_S8_P4) && f_pairs == 4) {
    tml_kron_p_body(f, v, out, row_pairs, vec_pairs, 4, skip, shift);
  } else {
    tml_kron_p_body(f, v, out, row_pairs, vec_pairs, f_pairs, skip, shift);
  }
}

/*
 * Stage 2: y[r·rs + u·us] = bias + Σ_c F[r, c]·P[u][c] for the factor's rows r and P's
 * vectors u < vecs, where F holds the terms side by side (tml_pack_kron_s8()) and P the
 * terms' intermediates side by side (stage 1): one pass sums every term, each output is
 * written once and not read first. T-first: F = A, P = T (rs = m2, us = 1); A-first:
 * F = B, P = Z (rs = 1, us = m2). f_pairs counts the column pairs of all terms.
 * This body: even f_rows and vecs; inlined with constant f_pairs and has_bias (the
 * block's asm needs eleven registers, so the loop around it must stay lean).
 */
TML_S8_INLINE void tml_kron_y_body(const int8_t *f, int32_t f_rows, int32_t f_pairs,
                                   const int16_t *p, int32_t vecs, int32_t rs, int32_t us,
                                   int32_t has_bias, const int32_t *bias, int32_t *acc) {
  const int8_t *fp = f;
  const int8_t *f_end = f + (size_t)(f_rows >> 1) * (size_t)(4 * f_pairs);
  int32_t *row = acc;
  const int32_t *bias_row = bias;
  /* bias_row moves only with a bias: no offset is ever applied to a null pointer. */
  for (; fp != f_end; fp += 4 * f_pairs, row += 2 * rs) {
    const int16_t *x = p;
    int32_t *y = row;
    int32_t *y_end = row + vecs * us;
    for (; y != y_end; y += 2 * us) {
      uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      if (has_bias) {
        const int32_t *yb = bias_row + (y - row);
        s0 = (uint32_t)yb[0];
        s1 = (uint32_t)yb[rs];
        s2 = (uint32_t)yb[us];
        s3 = (uint32_t)yb[rs + us];
      }
      TML_KRON_BLOCK(fp, f_pairs);
      y[0] = (int32_t)s0;
      y[rs] = (int32_t)s1;
      y[us] = (int32_t)s2;
      y[rs + us] = (int32_t)s3;
    }
    if (has_bias) bias_row += 2 * rs;
  }
}

/*
 * Stage 2 for narrow terms (f_pairs 1 or 2, e.g. B [m2, 2] of the A·X-first order): the
 * block loop above would spend most of its time entering and leaving blocks of one or two
 * column pairs. Here a vector pair of P (two or four words) stays in registers while
 * the factor's row pairs stream past, four outputs per row pair. Even f_rows and vecs.
 */
TML_S8_INLINE void tml_kron_y_narrow(const int8_t *f, int32_t f_rows, int32_t f_pairs,
                                     const uint32_t *p, int32_t vecs, int32_t rs, int32_t us,
                                     int32_t has_bias, const int32_t *bias, int32_t *acc) {
  int32_t u;
  for (u = 0; u < vecs; u += 2, p += 2 * f_pairs) {
    const uint32_t xa0 = p[0], xb0 = p[1];
    const uint32_t xa1 = f_pairs == 2 ? p[2] : 0u, xb1 = f_pairs == 2 ? p[3] : 0u;
    const uint32_t *w = (const uint32_t *)(const void *)f;
    int32_t *y = acc + (size_t)u * (size_t)us;
    const int32_t *b = has_bias ? bias + (size_t)u * (size_t)us : NULL;
    int32_t n = f_rows >> 1;
    for (; n != 0; --n, w += f_pairs, y += 2 * rs) {
      const uint32_t w0 = w[0];
      uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      if (has_bias) {
        s0 = (uint32_t)b[0];
        s1 = (uint32_t)b[rs];
        s2 = (uint32_t)b[us];
        s3 = (uint32_t)b[rs + us];
        b += 2 * rs;
      }
      s0 = TML_KRON_MAC(s0, TML_KRON_LO(w0), xa0);
      s1 = TML_KRON_MAC(s1, TML_KRON_HI(w0), xa0);
      s2 = TML_KRON_MAC(s2, TML_KRON_LO(w0), xb0);
      s3 = TML_KRON_MAC(s3, TML_KRON_HI(w0), xb0);
      if (f_pairs == 2) {
        const uint32_t w1 = w[1];
        s0 = TML_KRON_MAC(s0, TML_KRON_LO(w1), xa1);
        s1 = TML_KRON_MAC(s1, TML_KRON_HI(w1), xa1);
        s2 = TML_KRON_MAC(s2, TML_KRON_LO(w1), xb1);
        s3 = TML_KRON_MAC(s3, TML_KRON_HI(w1), xb1);
      }
      y[0] = (int32_t)s0;
      y[rs] = (int32_t)s1;
      y[us] = (int32_t)s2;
      y[rs + us] = (int32_t)s3;
    }
  }
}

/* The case `bit` of TML_S8_KRON_CASES: linked when the build asks for it. */
#define TML_KRON_CASE(bit) ((TML_S8_KRON_CASES & (bit)) != 0)

TML_S8_HOT static void tml_kron_stage_y(const int8_t *f, int32_t f_rows, int32_t f_pairs,
                                        const int16_t *p, int32_t vecs, int32_t rs, int32_t us,
                                        const int32_t *bias, int32_t *acc) {
  int32_t r;
  int32_t u;
  /* The specialized bodies (tml_kron_s8_cases() says which one a shape takes); even row
   * and vector counts. Constant strides for the two orders in the narrow ones (A·X first:
   * rs = 1; T first: us = 1), so the four outputs are two base pointers with immediate
   * offsets. */
  if (((f_rows | vecs) & 1) == 0) {
    const uint32_t *pw = (const uint32_t *)(const void *)p;
    if (f_pairs <= 2) {
      if (bias == NULL) {
        if (TML_KRON_CASE(TML_KRON_S8_NARROW_NB)) {
          tml_kron_y_narrow(f, f_rows, f_pairs, pw, vecs, rs, us, 0, NULL, acc);
          return;
        }
      } else if (rs == 1 && f_pairs == 1) {
        if (TML_KRON_CASE(TML_KRON_S8_NARROW_A1)) {
          tml_kron_y_narrow(f, f_rows, 1, pw, vecs, 1, us, 1, bias, acc);
          return;
        }
      } else if (rs == 1) {
        if (TML_KRON_CASE(TML_KRON_S8_NARROW_A2)) {
          tml_kron_y_narrow(f, f_rows, 2, pw, vecs, 1, us, 1, bias, acc);
          return;
        }
      } else if (us == 1 && f_pairs == 1) {
        if (TML_KRON_CASE(TML_KRON_S8_NARROW_T1)) {
          tml_kron_y_narrow(f, f_rows, 1, pw, vecs, rs, 1, 1, bias, acc);
          return;
        }
      } else if (us == 1) {
        if (TML_KRON_CASE(TML_KRON_S8_NARROW_T2)) {
          tml_kron_y_narrow(f, f_rows, 2, pw, vecs, rs, 1, 1, bias, acc);
          return;
        }
      }
    } else if (bias != NULL) {
      if (f_pairs == 4 && TML_KRON_CASE(TML_KRON_S8_Y4)) {
        tml_kron_y_body(f, f_rows, 4, p, vecs, rs, us, 1, bias, acc);
        return;
      }
      if (f_pairs == 8 && TML_KRON_CASE(TML_KRON_S8_Y8)) {
        tml_kron_y_body(f, f_rows, 8, p, vecs, rs, us, 1, bias, acc);
        return;
      }
      if (f_pairs != 4 && f_pairs != 8 && TML_KRON_CASE(TML_KRON_S8_YN)) {
        tml_kron_y_body(f, f_rows, f_pairs, p, vecs, rs, us, 1, bias, acc);
        return;
      }
    } else {
      if (f_pairs == 4 && TML_KRON_CASE(TML_KRON_S8_Y4_NB)) {
        tml_kron_y_body(f, f_rows, 4, p, vecs, rs, us, 0, NULL, acc);
        return;
      }
      if (f_pairs == 8 && TML_KRON_CASE(TML_KRON_S8_Y8_NB)) {
        tml_kron_y_body(f, f_rows, 8, p, vecs, rs, us, 0, NULL, acc);
        return;
      }
      if (f_pairs != 4 && f_pairs != 8 && TML_KRON_CASE(TML_KRON_S8_YN_NB)) {
        tml_kron_y_body(f, f_rows, f_pairs, p, vecs, rs, us, 0, NULL, acc);
        return;
      }
    }
  }
  /* The general body: any counts (odd ones drop the padding outputs), any width. */
  for (r = 0; r < f_rows; r += 2) {
    const int8_t *fp = f + (size_t)r * (size_t)(2 * f_pairs);
    const int16_t *x = p;
    for (u = 0; u < vecs; u += 2) {
      const int32_t o = r * rs + u * us;
      const int32_t row2 = r + 1 < f_rows;
      const int32_t vec2 = u + 1 < vecs;
      uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      TML_KRON_BLOCK(fp, f_pairs);
      if (bias != NULL) {
        s0 += (uint32_t)bias[o];
        s1 += row2 ? (uint32_t)bias[o + rs] : 0u;
        s2 += vec2 ? (uint32_t)bias[o + us] : 0u;
        s3 += row2 && vec2 ? (uint32_t)bias[o + rs + us] : 0u;
      }
      acc[o] = (int32_t)s0;
      if (row2) {
        acc[o + rs] = (int32_t)s1;
      }
      if (vec2) {
        acc[o + us] = (int32_t)s2;
        if (row2) {
          acc[o + rs + us] = (int32_t)s3;
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
  if (n_u == 2 && us == 1 && es == 2 && count == 2 && (n_e & 1) == 0 && len == n_e) {
    /* The two columns of X [n_e, 2] (A·X first with n2 = 2): the bytes of a word are
     * column 0, column 1, column 0, column 1, so SXTB16 and SXTB16 ROR #8 of it are the
     * next column pair of each. */
    uint32_t *dst = (uint32_t *)(void *)xw;
    for (e = 0; e < n_e; e += 2) {
      const uint32_t w = tml_read_u32(input + 2 * e);
      dst[0] = (uint32_t)__sxtb16((int32_t)w);
      dst[1] = tml_kron_hi(w);
      dst += 2;
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
                                         const int32_t *bias, int32_t *acc) {
  int32_t m1, n1, m2, n2, n1e, n2e, k, rank;
  int32_t a_size;
  int32_t b_size;
  int16_t *xw;
  uint32_t *pp;
  TML_CHECK(params != NULL && a != NULL && b != NULL && input != NULL && acc != NULL);
  m1 = params->m1;
  n1 = params->n1;
  m2 = params->m2;
  n2 = params->n2;
  rank = params->rank;
  TML_CHECK(m1 >= 1 && n1 >= 1 && m2 >= 1 && n2 >= 1 && rank >= 1);
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
    /* Z_k = round(A_k·X / 2^t) [m1, n2], then y = bias + Σ_k Z_k·B_kᵀ. */
    tml_kron_widen(input, n2, n1, 1, n2, n2e, n1e, xw);
    for (k = 0; k < rank; ++k) {
      tml_kron_stage_p(a + (size_t)k * (size_t)a_size, m1, n1e >> 1, xw, n2e >> 1,
                       (rank - 1) * n2e, params->t_shift, pp + (size_t)k * (size_t)n2e);
    }
    tml_kron_stage_y(b, m2, rank * (n2e >> 1), (const int16_t *)pp, m1, 1, m2, bias, acc);
  } else {
    /* T_k = round(X·B_kᵀ / 2^t) [n1, m2], then y = bias + Σ_k A_k·T_k. */
    tml_kron_widen(input, n1, n2, n2, 1, n1e, n2e, xw);
    for (k = 0; k < rank; ++k) {
      tml_kron_stage_p(b + (size_t)k * (size_t)b_size, m2, n2e >> 1, xw, n1e >> 1,
                       (rank - 1) * n1e, params->t_shift, pp + (size_t)k * (size_t)n1e);
    }
    tml_kron_stage_y(a, m1, rank * (n1e >> 1), (const int16_t *)pp, m2, m2, 1, bias, acc);
  }
  return TML_OK;
}
