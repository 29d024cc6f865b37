/* tml_sparse_matvec_s8 - see tml_kernels_s8.h. */
#include "tml_kernels_s8.h"
#include "tml_support.h"

tml_status tml_sparse_matvec_s8(const tml_context *ctx, const tml_sparse_s8 *sparse,
                                const int8_t *input, int32_t *acc) {
  int32_t r;
  (void)ctx;
  TML_CHECK(sparse != NULL && input != NULL && acc != NULL && sparse->row_ptr != NULL);
  TML_CHECK(sparse->rows >= 1 && sparse->cols >= 1);
  for (r = 0; r < sparse->rows; ++r) {
    const int32_t begin = sparse->row_ptr[r];
    const int32_t end = sparse->row_ptr[r + 1];
    int32_t s = 0;
    int32_t k;
    if (end < begin) {
      return TML_ERROR_INDEX;
    }
    for (k = begin; k < end; ++k) {
      const int32_t col = sparse->col_idx[k];
      if (col >= sparse->cols) {
        return TML_ERROR_INDEX;
      }
      s += (int32_t)sparse->values[k] * input[col];
    }
    acc[r] += s;
  }
  return TML_OK;
}
