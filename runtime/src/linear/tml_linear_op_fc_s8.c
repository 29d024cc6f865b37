/* SPDX-License-Identifier: MIT */
/* tml_linear_op_fc_s8 - see tml_kernels_s8.h. */
#include "tml_kernels_s8.h"
#include "tml_linear_op_s8_requant.h"
#include "tml_support.h"
#include "tml_support_s8.h"

int32_t tml_linear_op_fc_s8_get_buffer_size(const tml_linear_op_s8 *op) {
  int32_t apply;
  if (op == NULL || op->rows < 1) {
    return -1;
  }
  apply = tml_linear_op_s8_apply_get_buffer_size(op);
  if (apply < 0) {
    return -1;
  }
  return 4 * ((op->rows + 3) & ~3) + apply;
}

tml_status tml_linear_op_fc_s8(const tml_context *ctx, const tml_fc_s8_params *params,
                               const tml_linear_op_s8 *op, const tml_dims *input_dims,
                               const int8_t *input, const tml_dims *output_dims, int8_t *output) {
  int32_t rows, cols, batch, n, r, acc_bytes;
  int32_t *acc;
  tml_context apply_ctx;
  TML_CHECK(params != NULL && op != NULL && input != NULL && output != NULL);
  rows = op->rows;
  cols = op->cols;
  TML_CHECK(rows >= 1 && cols >= 1 && params->act_min <= params->act_max);
  n = tml_dims_count(input_dims);
  TML_CHECK(n >= 0 && n % cols == 0);
  batch = n / cols;
  TML_CHECK(tml_dims_count(output_dims) == batch * rows);
  if (ctx == NULL || ctx->buf == NULL || ctx->size < tml_linear_op_fc_s8_get_buffer_size(op)) {
    return TML_ERROR_BUFFER;
  }
  acc = (int32_t *)ctx->buf;
  acc_bytes = 4 * ((rows + 3) & ~3);
  apply_ctx.buf = (int8_t *)ctx->buf + acc_bytes;
  apply_ctx.size = ctx->size - acc_bytes;
  for (; batch > 0; --batch, input += cols, output += rows) {
    const tml_status st = tml_linear_op_s8_apply(&apply_ctx, op, input, acc);
    if (st != TML_OK) {
      return st;
    }
    tml_linear_op_s8_requantize_rows(op, rows, acc);
    for (r = 0; r < rows; ++r) {
      output[r] = (int8_t)tml_clamp_s32(acc[r] + params->output_offset, params->act_min,
                                        params->act_max);
    }
  }
  return TML_OK;
}
