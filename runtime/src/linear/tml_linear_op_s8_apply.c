/* SPDX-License-Identifier: MIT */
/* tml_linear_op_s8_apply - see tml_kernels_s8.h. */
#include "tml_config.h"
#include "tml_kernels_s8.h"
#include "tml_support.h"
#include "tml_support_s8.h"

int32_t tml_linear_op_s8_apply_get_buffer_size(const tml_linear_op_s8 *op) {
  if (op == NULL || op->cols < 1) {
    return -1;
  }
  if (op->blocks != NULL) {
    int32_t k;
    int32_t most = 0;
    for (k = 0; k < op->num_blocks; ++k) {
      const int32_t s = tml_linear_op_s8_apply_get_buffer_size(&op->blocks[k]);
      if (s < 0 || op->blocks[k].blocks != NULL) {
        return -1;
      }
      most = s > most ? s : most;
    }
    return most;
  }
  if (op->packed != NULL) {
    return 2 * ((op->cols + 3) & ~3);
  }
#if TML_LINK_KRON_MATVEC_S8
  return tml_kron_matvec_s8_get_buffer_size(op->kron);
#else
  return -1;
#endif
}

TML_S8_HOT tml_status tml_linear_op_s8_apply(const tml_context *ctx, const tml_linear_op_s8 *op,
                                  const int8_t *input, int32_t *acc) {
  int32_t r;
  tml_status st;
  TML_CHECK(op != NULL && input != NULL && acc != NULL && op->rows >= 1 && op->cols >= 1);
  if (op->blocks != NULL) {
    /* Row blocks, one after the other into their rows of acc (a dense block writes its
     * padding rows, so only the last block may be dense with rows not a multiple of 4). */
    int32_t k;
    int32_t row = 0;
    for (k = 0; k < op->num_blocks; ++k) {
      const tml_linear_op_s8 *b = &op->blocks[k];
      TML_CHECK(b->blocks == NULL && b->cols == op->cols &&
                (b->packed == NULL || (b->rows & 3) == 0 || k + 1 == op->num_blocks));
      st = tml_linear_op_s8_apply(ctx, b, input, acc + row);
      if (st != TML_OK) {
        return st;
      }
      row += b->rows;
    }
    TML_CHECK(row == op->rows);
    return TML_OK;
  }
  if (op->packed != NULL) {
    const int32_t cols4 = (op->cols + 3) & ~3;
    int16_t *xw;
    TML_CHECK(TML_S8_ROWS_OK(op->cols));
    if (ctx == NULL || ctx->buf == NULL || ctx->size < 2 * cols4) {
      return TML_ERROR_BUFFER;
    }
    xw = (int16_t *)ctx->buf;
    tml_s8_widen(input, op->cols, 0, xw, cols4);
    tml_s8_matvec(op->packed, xw, cols4 >> 2, op->rows, acc);
    if (op->bias != NULL) {
      for (r = 0; r < op->rows; ++r) {
        acc[r] += op->bias[r];
      }
    }
  } else {
#if TML_LINK_KRON_MATVEC_S8
    TML_CHECK(op->kron != NULL && op->kron->m1 * op->kron->m2 == op->rows &&
              op->kron->n1 * op->kron->n2 == op->cols);
    st = tml_kron_matvec_s8(ctx, op->kron, op->a, op->b, input, op->bias, acc);
    if (st != TML_OK) {
      return st;
    }
#else
    return TML_ERROR_ARG; /* built without Kronecker operators (tml_config.h) */
#endif
  }
  if (op->sparse != NULL) {
#if TML_LINK_SPARSE_MATVEC_S8
    TML_CHECK(op->sparse->rows == op->rows && op->sparse->cols == op->cols);
    return tml_sparse_matvec_s8(NULL, op->sparse, input, acc);
#else
    return TML_ERROR_ARG; /* built without sparse operators (tml_config.h) */
#endif
  }
  return TML_OK;
}
