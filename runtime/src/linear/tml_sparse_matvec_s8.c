/* SPDX-License-Identifier: MIT */
/* tml_sparse_matvec_s8 - see tml_kernels_s8.h. */
#include "tml_kernels_s8.h"
#include "tml_support.h"

/* One loop per index width pair: the widths are per operator, so the branch is outside
 * the loop. Each row keeps the previous row's end as its start (one row pointer load per
 * row) and skips empty rows without touching acc (doping is very sparse). */
#define TML_SPARSE_S8_LOOP(RT, CT)                                        \
  do {                                                                    \
    const RT *rp = (const RT *)sparse->row_ptr;                           \
    const CT *ci = (const CT *)sparse->col_idx;                           \
    int32_t k = rp[0];                                                    \
    for (r = 0; r < rows; ++r) {                                          \
      const int32_t end = rp[r + 1];                                      \
      if (k != end) {                                                     \
        int32_t s = 0;                                                    \
        for (; k < end; ++k) {                                            \
          s += (int32_t)values[k] * input[ci[k]];                         \
        }                                                                 \
        acc[r] = (int32_t)((uint32_t)acc[r] + ((uint32_t)s << shift));   \
      }                                                                   \
    }                                                                     \
  } while (0)

/* The coordinate form: one multiply-add per entry, the row advanced by its step. */
#define TML_SPARSE_S8_COO_LOOP(CT)                                                  \
  do {                                                                              \
    const CT *ci = (const CT *)sparse->col_idx;                                     \
    const uint8_t *step = sparse->row_step;                                         \
    int32_t *row = acc;                                                             \
    int32_t k;                                                                      \
    for (k = 0; k < sparse->nnz; ++k) {                                             \
      row += step[k];                                                               \
      *row = (int32_t)((uint32_t)*row + ((uint32_t)((int32_t)values[k] * input[ci[k]]) << shift)); \
    }                                                                               \
  } while (0)

tml_status tml_sparse_matvec_s8(const tml_context *ctx, const tml_sparse_s8 *sparse,
                                const int8_t *input, int32_t *acc) {
  int32_t r;
  int32_t rows;
  const int8_t *values;
  int32_t shift;
  (void)ctx;
  TML_CHECK(sparse != NULL && input != NULL && acc != NULL);
  TML_CHECK(sparse->rows >= 1 && sparse->cols >= 1);
  TML_CHECK(sparse->col_idx_bytes == 1 || sparse->col_idx_bytes == 2);
  TML_CHECK(sparse->value_shift >= 0 && sparse->value_shift <= 24);
  /* Row pointers and column indices are compile-time constants that the compiler
   * validated, so they are not checked here (STYLE.md: kernels check data hazards only). */
  rows = sparse->rows;
  values = sparse->values;
  shift = sparse->value_shift;
  if (sparse->row_ptr == NULL) {
    TML_CHECK(sparse->row_step != NULL && sparse->nnz >= 0);
    if (sparse->col_idx_bytes == 1) {
      TML_SPARSE_S8_COO_LOOP(uint8_t);
    } else {
      TML_SPARSE_S8_COO_LOOP(uint16_t);
    }
    return TML_OK;
  }
  TML_CHECK(sparse->row_ptr_bytes == 1 || sparse->row_ptr_bytes == 2);
  if (sparse->row_ptr_bytes == 1) {
    if (sparse->col_idx_bytes == 1) {
      TML_SPARSE_S8_LOOP(uint8_t, uint8_t);
    } else {
      TML_SPARSE_S8_LOOP(uint8_t, uint16_t);
    }
  } else if (sparse->col_idx_bytes == 1) {
    TML_SPARSE_S8_LOOP(uint16_t, uint8_t);
  } else {
    TML_SPARSE_S8_LOOP(uint16_t, uint16_t);
  }
  return TML_OK;
}
