/* tml_lstm_step_s8_s16 - see tml_kernels_s8.h for the formats and equations. */
#include "tml_kernels_s8.h"
#include "tml_linear_op_s8_requant.h"
#include "tml_support.h"
#include "tml_support_s8.h"

int32_t tml_lstm_step_s8_s16_get_buffer_size(const tml_lstm_s8_params *params,
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
  return 2 * 4 * 4 * params->hidden_size + (sw > sr ? sw : sr);
}

tml_status tml_lstm_step_s8_s16(const tml_context *ctx, const tml_lstm_s8_params *params,
                                const tml_linear_op_s8 *w, const tml_linear_op_s8 *r,
                                const int8_t *x_t, const int8_t *h_prev, const int16_t *c_prev,
                                int8_t *h, int16_t *c) {
  int32_t hs;
  int32_t j;
  int32_t *acc_w;
  int32_t *acc_r;
  tml_context op_ctx;
  tml_status st;
  TML_CHECK(params != NULL && w != NULL && r != NULL && x_t != NULL && h_prev != NULL &&
            c_prev != NULL && h != NULL && c != NULL);
  hs = params->hidden_size;
  TML_CHECK(hs >= 1 && w->rows == 4 * hs && r->rows == 4 * hs && r->cols == hs &&
            w->cols == params->input_size);
  if (ctx == NULL || ctx->buf == NULL ||
      ctx->size < tml_lstm_step_s8_s16_get_buffer_size(params, w, r)) {
    return TML_ERROR_BUFFER;
  }
  acc_w = (int32_t *)ctx->buf;
  acc_r = acc_w + 4 * hs;
  op_ctx.buf = acc_r + 4 * hs;
  op_ctx.size = ctx->size - 2 * 4 * 4 * hs;
  st = tml_linear_op_s8_apply(&op_ctx, w, x_t, acc_w);
  if (st != TML_OK) {
    return st;
  }
  /* h_prev is read completely here, so h may alias it. */
  st = tml_linear_op_s8_apply(&op_ctx, r, h_prev, acc_r);
  if (st != TML_OK) {
    return st;
  }
  /* Pass 1: Q3.12 gate pre-activations, in place of acc_w. */
  tml_linear_op_s8_requantize_rows(w, 4 * hs, acc_w);
  tml_linear_op_s8_requantize_rows(r, 4 * hs, acc_r);
  for (j = 0; j < 4 * hs; ++j) {
    acc_w[j] = tml_sat16(acc_w[j] + acc_r[j]);
  }
  /* Pass 2: the cell. */
  for (j = 0; j < hs; ++j) {
    const int32_t i_g = tml_sigmoid_q15(acc_w[j]);
    const int32_t o_g = tml_sigmoid_q15(acc_w[hs + j]);
    const int32_t f_g = tml_sigmoid_q15(acc_w[2 * hs + j]);
    const int32_t c_g = tml_tanh_q15(acc_w[3 * hs + j]);
    const int32_t cv =
        tml_sat16(((f_g * c_prev[j] + (1 << 14)) >> 15) + ((i_g * c_g + (1 << 18)) >> 19));
    const int32_t tc = tml_tanh_q15(tml_sat16(2 * cv));
    c[j] = (int16_t)cv;
    h[j] = (int8_t)tml_clamp_s32((o_g * tc + (1 << 22)) >> 23, -128, 127);
  }
  return TML_OK;
}
