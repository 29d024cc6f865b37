/* SPDX-License-Identifier: MIT */
/* tml_rnn_step_s8_s16 - see tml_kernels_s8.h for the formats and equations. */
#include "tml_kernels_s8.h"
#include "tml_linear_op_s8_requant.h"
#include "tml_support.h"
#include "tml_support_s8.h"

/* Accumulators are padded to whole 4-row blocks (a dense operator writes its padding rows). */
static int32_t ceil4(int32_t n) { return (n + 3) & ~3; }

int32_t tml_rnn_step_s8_s16_get_buffer_size(const tml_rnn_s8_params *params,
                                            const tml_linear_op_s8 *w,
                                            const tml_linear_op_s8 *r) {
  int32_t sw;
  int32_t sr;
  if (params == NULL || params->hidden_size < 1) {
    return -1;
  }
  sw = tml_linear_op_s8_apply_get_buffer_size(w);
  sr = tml_linear_op_s8_apply_get_buffer_size(r);
  if (sw < 0 || sr < 0) {
    return -1;
  }
  return 2 * 4 * ceil4(params->hidden_size) + (sw > sr ? sw : sr);
}

tml_status tml_rnn_step_s8_s16(const tml_context *ctx, const tml_rnn_s8_params *params,
                               const tml_linear_op_s8 *w, const tml_linear_op_s8 *r,
                               const int8_t *x_t, const int8_t *h_prev, int8_t *h) {
  int32_t hs;
  int32_t j;
  int32_t *acc_w;
  int32_t *acc_r;
  tml_context op_ctx;
  tml_status st;
  TML_CHECK(params != NULL && w != NULL && r != NULL && x_t != NULL && h_prev != NULL &&
            h != NULL);
  hs = params->hidden_size;
  TML_CHECK(hs >= 1 && w->rows == hs && r->rows == hs && r->cols == hs &&
            w->cols == params->input_size);
  if (ctx == NULL || ctx->buf == NULL ||
      ctx->size < tml_rnn_step_s8_s16_get_buffer_size(params, w, r)) {
    return TML_ERROR_BUFFER;
  }
  acc_w = (int32_t *)ctx->buf;
  acc_r = acc_w + ceil4(hs);
  op_ctx.buf = acc_r + ceil4(hs);
  op_ctx.size = ctx->size - 2 * 4 * ceil4(hs);
  st = tml_linear_op_s8_apply(&op_ctx, w, x_t, acc_w);
  if (st != TML_OK) {
    return st;
  }
  /* h_prev is read completely here, so h may alias it. */
  st = tml_linear_op_s8_apply(&op_ctx, r, h_prev, acc_r);
  if (st != TML_OK) {
    return st;
  }
  tml_linear_op_s8_requantize_rows(w, hs, acc_w);
  tml_linear_op_s8_requantize_rows(r, hs, acc_r);
  for (j = 0; j < hs; ++j) {
    const int32_t pre = tml_sat16(acc_w[j] + acc_r[j]);
    /* tanh Q0.15 -> h at 2^-7. */
    h[j] = (int8_t)tml_clamp_s32((tml_tanh_q15(pre) + 128) >> 8, -128, 127);
  }
  return TML_OK;
}
