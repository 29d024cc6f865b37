/*
 * tml_linear_op_s8_requant.h - the requantization of the accumulator rows of a
 * tml_linear_op_s8 (tml_kernels_s8.h): per-row multipliers, or the compact form
 * (one multiplier, a per-row extra right shift). Shared by the int8 recurrent steps.
 */
#ifndef TML_LINEAR_OP_S8_REQUANT_H
#define TML_LINEAR_OP_S8_REQUANT_H

#include "tml_kernels_s8.h"
#include "tml_support_s8.h"

/*
 * One run of n rows of the compact form, the row multipliers m >> shift[k]:
 * with sum == NULL, acc[k] = requant(acc[k]) in place; otherwise
 * out[k] = sat16(sum[k] + requant(acc[k])) (out may alias sum as int16: row k is written
 * after sum[k] is read). Everything in locals and pointer loops: a store could alias the
 * int8 shifts, so anything read through the operator would be reloaded per row.
 */
TML_S8_INLINE void tml_requantize_run(int32_t *acc, int32_t n, int32_t m, const int8_t *shift,
                                      int32_t left, int32_t right, const int32_t *sum,
                                      int16_t *out) {
  int32_t *const end = acc + n;
  if (left == 0) { /* the usual case: no left shift in the loop */
    const int32_t round = (1 << right) >> 1;
    if (sum == NULL) {
      for (; acc != end; ++acc, ++shift) {
        *acc = (tml_smmulr(*acc, m >> *shift) + round) >> right;
      }
    } else {
      for (; acc != end; ++acc, ++shift) {
        const int32_t v = (tml_smmulr(*acc, m >> *shift) + round) >> right;
        *out++ = (int16_t)tml_ssat16(*sum++ + v);
      }
    }
    return;
  }
  for (; acc != end; ++acc, ++shift) {
    const int32_t v = tml_requantize(*acc, m >> *shift, left, right);
    if (sum == NULL) {
      *acc = v;
    } else {
      *out++ = (int16_t)tml_ssat16(*sum++ + v);
    }
  }
}

/* The rows of an operator (see tml_linear_op_s8_requantize_rows() and _add_rows());
 * inlined into both with sum either NULL or not, so the row loops test nothing. */
TML_S8_INLINE void tml_linear_op_s8_requant(const tml_linear_op_s8 *op, int32_t rows,
                                            int32_t *acc, const int32_t *sum, int16_t *out) {
  const int32_t *mult = op->quant.multiplier;
  const int8_t *shift = op->row_shift;
  const int32_t left = op->quant.left_shift;
  const int32_t right = op->quant.right_shift;
  int32_t r;
  if (shift != NULL && op->kron != NULL) {
    /* Kronecker: row (i1, i2) shifts by row_shift[i1] + row_shift[m1 + i2], a run of m2
     * rows per i1. */
    const int32_t m = mult[0];
    const int32_t m1 = op->kron->m1;
    const int32_t m2 = op->kron->m2;
    int32_t i1;
    for (i1 = 0; i1 < m1; ++i1) {
      const size_t off = (size_t)i1 * (size_t)m2;
      tml_requantize_run(acc + off, m2, m >> shift[i1], shift + m1, left, right,
                         sum != NULL ? sum + off : NULL, out != NULL ? out + off : NULL);
    }
  } else if (shift != NULL) {
    tml_requantize_run(acc, rows, mult[0], shift, left, right, sum, out);
  } else {
    for (r = 0; r < rows; ++r) {
      const int32_t v = tml_requantize(acc[r], mult[r], left, right);
      if (sum == NULL) {
        acc[r] = v;
      } else {
        out[r] = (int16_t)tml_ssat16(sum[r] + v);
      }
    }
  }
}

/* acc[r] = requant_r(acc[r]) for r < rows, in place: per-row multipliers, or the compact
 * form (one multiplier shifted per row). */
TML_S8_HOT TML_S8_OUTLINE void tml_linear_op_s8_requantize_rows(const tml_linear_op_s8 *op,
                                                                int32_t rows, int32_t *acc) {
  tml_linear_op_s8_requant(op, rows, acc, NULL, NULL);
}

/* out[r] = sat16(sum[r] + requant_r(acc[r])) for r < rows (out may alias sum as int16). */
TML_S8_HOT TML_S8_OUTLINE void tml_linear_op_s8_requantize_add_rows(const tml_linear_op_s8 *op,
                                                                    int32_t rows, int32_t *acc,
                                                                    const int32_t *sum,
                                                                    int16_t *out) {
  tml_linear_op_s8_requant(op, rows, acc, sum, out);
}

#endif /* TML_LINEAR_OP_S8_REQUANT_H */
