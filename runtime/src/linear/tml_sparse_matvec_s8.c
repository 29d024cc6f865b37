/* tml_sparse_matvec_s8 - see tml_kernels_s8.h. */
#include "tml_kernels_s8.h"
#include "tml_support.h"

tml_status tml_sparse_matvec_s8(const tml_context *ctx, const tml_sparse_s8 *sparse,
                                const int8_t *input, int32_t *acc) {
  int32_t r;
  (void)ctx;
  TML_CHECK(sparse != NULL && input != NULL && acc != NULL && sparse->row_ptr != NULL);
  TML_CHECK(sparse->rows >= 1 && sparse->cols >= 1);
  /* Row pointers and column indices are compile-time constants that the compiler
   * validated, so they are not checked here (STYLE.md: kernels check data hazards only). */
  for (r = 0; r < sparse->rows; ++r) {
    const int32_t end = sparse->row_ptr[r + 1];
    int32_t s = 0;
    int32_t k;
    for (k = sparse->row_ptr[r]; k < end; ++k) {
      s += (int32_t)sparse->values[k] * input[sparse->col_idx[k]];
    }
    acc[r] += s;
  }
  return TML_OK;
}
