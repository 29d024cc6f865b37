/* SPDX-License-Identifier: MIT */
/* tml_matmul_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_math_f32.h"
#include "tml_support.h"

/* Element strides of one operand's batch dims aligned with the output batch dims (0 where
 * the operand broadcasts). Returns 0 if the operand does not broadcast to the output. */
static int tml_matmul_batch_strides(const tml_dims *x_dims, int32_t x_batch_rank,
                                    int32_t matrix_size, const tml_dims *y_dims,
                                    int32_t y_batch_rank, int32_t *strides) {
  int32_t stride = matrix_size;
  int32_t k;
  for (k = y_batch_rank - 1; k >= 0; --k) {
    int32_t ax = k - (y_batch_rank - x_batch_rank);
    if (ax < 0 || x_dims->dim[ax] == 1) {
      strides[k] = 0;
    } else {
      if (x_dims->dim[ax] != y_dims->dim[k]) {
        return 0;
      }
      strides[k] = stride;
    }
    if (ax >= 0) {
      stride *= x_dims->dim[ax];
    }
  }
  return 1;
}

tml_status tml_matmul_f32(const tml_context *ctx, const tml_dims *a_dims, const float *a,
                          const tml_dims *b_dims, const float *b, const tml_dims *y_dims,
                          float *y) {
  int32_t ra, rb, a_batch_rank, b_batch_rank, y_batch_rank;
  int32_t m_size, k_size, n_size;
  int32_t a_strides[TML_MAX_RANK];
  int32_t b_strides[TML_MAX_RANK];
  int32_t batch_count;
  int32_t batch, m;
  (void)ctx;
  TML_CHECK(a != NULL && b != NULL && y != NULL);
  TML_CHECK(tml_dims_count(a_dims) >= 0 && tml_dims_count(b_dims) >= 0 &&
            tml_dims_count(y_dims) >= 0);
  ra = a_dims->rank;
  rb = b_dims->rank;
  TML_CHECK(ra >= 1 && rb >= 1);
  /* numpy promotion: 1-D A is a row [1, K], 1-D B a column [K, 1]. */
  m_size = (ra == 1) ? 1 : a_dims->dim[ra - 2];
  k_size = a_dims->dim[ra - 1];
  n_size = (rb == 1) ? 1 : b_dims->dim[rb - 1];
  TML_CHECK(((rb == 1) ? b_dims->dim[0] : b_dims->dim[rb - 2]) == k_size);
  a_batch_rank = ra > 2 ? ra - 2 : 0;
  b_batch_rank = rb > 2 ? rb - 2 : 0;
  y_batch_rank = y_dims->rank - (ra > 1 ? 1 : 0) - (rb > 1 ? 1 : 0);
  TML_CHECK(y_batch_rank == (a_batch_rank > b_batch_rank ? a_batch_rank : b_batch_rank));
  TML_CHECK(ra == 1 || y_dims->dim[y_batch_rank] == m_size);
  TML_CHECK(rb == 1 || y_dims->dim[y_dims->rank - 1] == n_size);
  TML_CHECK(tml_matmul_batch_strides(a_dims, a_batch_rank, m_size * k_size, y_dims, y_batch_rank,
                                     a_strides));
  TML_CHECK(tml_matmul_batch_strides(b_dims, b_batch_rank, k_size * n_size, y_dims, y_batch_rank,
                                     b_strides));
  batch_count = tml_dims_product(y_dims, 0, y_batch_rank);

  for (batch = 0; batch < batch_count; ++batch) {
    /* Decompose the batch index once per matrix; the cost is negligible next to M·N·K. */
    const float *pa_batch = a;
    const float *pb_batch = b;
    float *py = y + (size_t)batch * (size_t)m_size * (size_t)n_size;
    int32_t rest = batch;
    int32_t ax;
    for (ax = y_batch_rank - 1; ax >= 0; --ax) {
      int32_t idx = rest % y_dims->dim[ax];
      rest /= y_dims->dim[ax];
      pa_batch += (size_t)idx * (size_t)a_strides[ax];
      pb_batch += (size_t)idx * (size_t)b_strides[ax];
    }
    /* Row by row of A: eight output columns per pass over the A row, their sums in
     * registers, so each A element is read once per eight outputs and B once per row. */
    for (m = 0; m < m_size; ++m) {
      tml_row_times_matrix_f32(pa_batch + (size_t)m * (size_t)k_size, pb_batch, n_size, k_size,
                               n_size, py + (size_t)m * (size_t)n_size);
    }
  }
  return TML_OK;
}
