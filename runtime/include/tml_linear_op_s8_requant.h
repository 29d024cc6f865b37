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
 * acc[r] = requant_r(acc[r]) for r < rows, in place. One loop per form, with the
 * parameters in locals: acc stores could alias the int8 shifts, so a per-row test of
 * op->row_shift would reload everything each row.
 */
static inline void tml_linear_op_s8_requantize_rows(const tml_linear_op_s8 *op, int32_t rows,
                                                    int32_t *acc) {
  const int32_t *mult = op->quant.multiplier;
  const int8_t *shift = op->row_shift;
  const int32_t left = op->quant.left_shift;
  const int32_t right = op->quant.right_shift;
  int32_t r;
  if (shift != NULL && op->kron != NULL) {
    /* Kronecker operator: row (i1, i2) shifts by row_shift[i1] + row_shift[m1 + i2]. */
    const int32_t m = mult[0];
    const int32_t m1 = op->kron->m1;
    const int32_t m2 = op->kron->m2;
    int32_t i1;
    int32_t i2;
    for (i1 = 0; i1 < m1; ++i1) {
      for (i2 = 0; i2 < m2; ++i2) {
        acc[i1 * m2 + i2] = tml_requantize(acc[i1 * m2 + i2], m >> (shift[i1] + shift[m1 + i2]), left,
                                           right);
      }
    }
  } else if (shift != NULL) {
    const int32_t m = mult[0];
    for (r = 0; r < rows; ++r) {
      acc[r] = tml_requantize(acc[r], m >> shift[r], left, right);
    }
  } else {
    for (r = 0; r < rows; ++r) {
      acc[r] = tml_requantize(acc[r], mult[r], left, right);
    }
  }
}

#endif /* TML_LINEAR_OP_S8_REQUANT_H */
