/* SPDX-License-Identifier: MIT */
/* tml_gru_step_op_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_math_f32.h"
#include "tml_support.h"

int32_t tml_gru_step_op_f32_get_buffer_size(const tml_rnn_cell_params *params,
                                            const tml_rnn_op_weights_f32 *weights) {
  int32_t w_need;
  int32_t r_need;
  if (params == NULL || weights == NULL || params->hidden_size < 0) {
    return -1;
  }
  w_need = tml_linear_op_apply_f32_get_buffer_size(weights->w);
  r_need = tml_linear_op_apply_f32_get_buffer_size(weights->r);
  if (w_need < 0 || r_need < 0) {
    return -1;
  }
  return 6 * params->hidden_size * (int32_t)sizeof(float) + (w_need > r_need ? w_need : r_need);
}

/*
 * xg [3H] = Wb + W·x and hg [3H] = Rb + R·h_prev first (every product before any state is
 * written, so h may equal h_prev), then the gates. Only linear_before_reset = 1 (what
 * PyTorch exports): the whole of R then multiplies h_prev, and one operator call serves
 * all three gates. With linear_before_reset = 0 the h-gate rows of R multiply r ⊙ h_prev,
 * which a stacked Kronecker operator cannot apply to a subset of its rows.
 */
tml_status tml_gru_step_op_f32(const tml_context *ctx, const tml_rnn_cell_params *params,
                               const tml_rnn_op_weights_f32 *weights, const float *x_t,
                               const float *h_prev, float *h) {
  int32_t hs;
  int32_t j;
  int32_t need;
  float *xg;
  float *hg;
  tml_context op_ctx;
  tml_status s;
  TML_CHECK(params != NULL && weights != NULL && x_t != NULL && h != NULL);
  TML_CHECK(weights->w != NULL && weights->r != NULL && params->linear_before_reset != 0);
  hs = params->hidden_size;
  TML_CHECK(hs >= 1 && params->input_size >= 1);
  TML_CHECK(weights->w->rows == 3 * hs && weights->w->cols == params->input_size);
  TML_CHECK(weights->r->rows == 3 * hs && weights->r->cols == hs);
  need = tml_gru_step_op_f32_get_buffer_size(params, weights);
  TML_CHECK(need >= 0);
  if (ctx == NULL || ctx->buf == NULL || ctx->size < need) {
    return TML_ERROR_BUFFER;
  }
  xg = (float *)ctx->buf;
  hg = xg + 3 * hs;
  op_ctx.buf = hg + 3 * hs;
  op_ctx.size = ctx->size - 6 * hs * (int32_t)sizeof(float);
  for (j = 0; j < 3 * hs; ++j) {
    xg[j] = weights->b != NULL ? weights->b[j] : 0.0f;
    hg[j] = weights->b != NULL ? weights->b[3 * hs + j] : 0.0f;
  }
  s = tml_linear_op_apply_f32(&op_ctx, weights->w, x_t, xg);
  if (s != TML_OK) {
    return s;
  }
  if (h_prev != NULL) {
    s = tml_linear_op_apply_f32(&op_ctx, weights->r, h_prev, hg);
    if (s != TML_OK) {
      return s;
    }
  }
  for (j = 0; j < hs; ++j) {
    const float z = tml_sigmoidf(tml_clipf(xg[j] + hg[j], params->clip));
    const float r = tml_sigmoidf(tml_clipf(xg[hs + j] + hg[hs + j], params->clip));
    const float g = tml_tanhf(tml_clipf(xg[2 * hs + j] + r * hg[2 * hs + j], params->clip));
    const float hp = h_prev != NULL ? h_prev[j] : 0.0f;
    h[j] = (1.0f - z) * g + z * hp;
  }
  return TML_OK;
}
