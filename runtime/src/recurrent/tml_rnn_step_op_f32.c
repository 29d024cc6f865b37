/* SPDX-License-Identifier: MIT */
/* tml_rnn_step_op_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_math_f32.h"
#include "tml_support.h"

int32_t tml_rnn_step_op_f32_get_buffer_size(const tml_rnn_cell_params *params,
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
  return params->hidden_size * (int32_t)sizeof(float) + (w_need > r_need ? w_need : r_need);
}

/* The pre-activations go to scratch first so that h may equal h_prev. */
tml_status tml_rnn_step_op_f32(const tml_context *ctx, const tml_rnn_cell_params *params,
                               const tml_rnn_op_weights_f32 *weights, const float *x_t,
                               const float *h_prev, float *h) {
  int32_t hs;
  int32_t j;
  int32_t need;
  float *pre;
  tml_context op_ctx;
  tml_status s;
  TML_CHECK(params != NULL && weights != NULL && x_t != NULL && h != NULL);
  TML_CHECK(weights->w != NULL && weights->r != NULL);
  hs = params->hidden_size;
  TML_CHECK(hs >= 1 && params->input_size >= 1);
  TML_CHECK(weights->w->rows == hs && weights->w->cols == params->input_size);
  TML_CHECK(weights->r->rows == hs && weights->r->cols == hs);
  need = tml_rnn_step_op_f32_get_buffer_size(params, weights);
  TML_CHECK(need >= 0);
  if (ctx == NULL || ctx->buf == NULL || ctx->size < need) {
    return TML_ERROR_BUFFER;
  }
  pre = (float *)ctx->buf;
  op_ctx.buf = pre + hs;
  op_ctx.size = ctx->size - hs * (int32_t)sizeof(float);
  for (j = 0; j < hs; ++j) {
    pre[j] = weights->b != NULL ? weights->b[j] + weights->b[hs + j] : 0.0f;
  }
  s = tml_linear_op_apply_f32(&op_ctx, weights->w, x_t, pre);
  if (s != TML_OK) {
    return s;
  }
  if (h_prev != NULL) {
    s = tml_linear_op_apply_f32(&op_ctx, weights->r, h_prev, pre);
    if (s != TML_OK) {
      return s;
    }
  }
  for (j = 0; j < hs; ++j) {
    h[j] = tml_tanhf(tml_clipf(pre[j], params->clip));
  }
  return TML_OK;
}
