/* SPDX-License-Identifier: MIT */
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
 * The compact form as runs of rows that share one base multiplier, row k of a run
 * shifting it right by its own shift: a dense operator is one run of all its rows (base
 * m, shifts row_shift); a Kronecker one is m1 runs of m2 rows, run i1 with base
 * m >> row_shift[i1] and the shifts row_shift[m1 ...]. The requantization below and the
 * LSTM step's fused gate pass (two operators at once) both walk them.
 */
typedef struct {
  const int8_t *run_shift; /* the current run's shift of the base (Kronecker), or NULL */
  const int8_t *first;     /* the shift of every run's first row */
  const int8_t *shift;     /* the shift of the next row */
  int32_t m;               /* the operator's multiplier */
  int32_t run_rows;        /* rows per run */
  int32_t left;            /* rows left in the current run */
  int32_t base;            /* the current run's multiplier */
} tml_requant_runs;

static inline void tml_requant_runs_init(const tml_linear_op_s8 *op, int32_t rows,
                                         tml_requant_runs *q) {
  const int kron = op->kron != NULL;
  q->m = op->quant.multiplier[0];
  q->run_shift = kron ? op->row_shift : NULL;
  q->first = kron ? op->row_shift + op->kron->m1 : op->row_shift;
  q->shift = q->first;
  q->run_rows = kron ? op->kron->m2 : rows;
  q->left = q->run_rows;
  q->base = kron ? q->m >> *q->run_shift : q->m;
}

/* Past the next n <= left rows; into the next run when the current one is used up (after
 * the last Kronecker run run_shift points at row_shift[m1], still inside the array). */
static inline void tml_requant_runs_skip(tml_requant_runs *q, int32_t n) {
  q->left -= n;
  q->shift += n;
  if (q->left == 0) {
    q->left = q->run_rows;
    q->shift = q->first;
    if (q->run_shift != NULL) {
      q->base = q->m >> *++q->run_shift;
    }
  }
}

/*
 * acc[k] = requant(acc[k]) with the multiplier m >> shift[k] for k < n, in place.
 * Everything in locals and pointer loops: an acc store could alias the int8 shifts, so
 * anything read through the operator would be reloaded per row.
 */
static inline void tml_requantize_run(int32_t *acc, int32_t n, int32_t m, const int8_t *shift,
                                      int32_t left, int32_t right) {
  int32_t *const end = acc + n;
  if (left == 0) { /* the usual case: no left shift in the loop */
    const int32_t round = (1 << right) >> 1;
    for (; acc != end; ++acc, ++shift) {
      *acc = (tml_smmulr(*acc, m >> *shift) + round) >> right;
    }
    return;
  }
  for (; acc != end; ++acc, ++shift) {
    *acc = tml_requantize(*acc, m >> *shift, left, right);
  }
}

/* acc[r] = requant_r(acc[r]) for r < rows, in place: per-row multipliers, or the compact
 * form run by run. */
static inline void tml_linear_op_s8_requantize_rows(const tml_linear_op_s8 *op, int32_t rows,
                                                    int32_t *acc) {
  const int32_t left = op->quant.left_shift;
  const int32_t right = op->quant.right_shift;
  int32_t r;
  if (op->row_shift != NULL) {
    tml_requant_runs q;
    int32_t n;
    tml_requant_runs_init(op, rows, &q);
    for (r = 0; r < rows; r += n) {
      n = q.left;
      tml_requantize_run(acc + r, n, q.base, q.shift, left, right);
      tml_requant_runs_skip(&q, n);
    }
  } else {
    const int32_t *mult = op->quant.multiplier;
    for (r = 0; r < rows; ++r) {
      acc[r] = tml_requantize(acc[r], mult[r], left, right);
    }
  }
}

#endif /* TML_LINEAR_OP_S8_REQUANT_H */
