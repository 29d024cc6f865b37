/* SPDX-License-Identifier: MIT */
/* tml_rnn_step_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_math_f32.h"
#include "tml_support.h"

int32_t tml_rnn_step_f32_get_buffer_size(const tml_rnn_cell_params *params) {
  if (params == NULL || params->hidden_size < 0) {
    return 0;
  }
  return params->hidden_size * (int32_t)sizeof(float);
}

/* The pre-activations go to scratch first so that h may equal h_prev. */
tml_status tml_rnn_step_f32(const tml_context *ctx, const tml_rnn_cell_params *params,
                            const tml_rnn_weights_f32 *weights, const float *x_t,
                            const float *h_prev, float *h) {
  int32_t hs;
  int32_t is;
  int32_t j;
  float *pre;
  const float *b;
  TML_CHECK(params != NULL && weights != NULL && x_t != NULL && h != NULL);
  TML_CHECK(weights->w != NULL && weights->r != NULL);
  hs = params->hidden_size;
  is = params->input_size;
  TML_CHECK(hs >= 1 && is >= 1);
  if (ctx == NULL || ctx->buf == NULL || ctx->size < tml_rnn_step_f32_get_buffer_size(params)) {
    return TML_ERROR_BUFFER;
  }
  pre = (float *)ctx->buf;
  b = weights->b;
  for (j = 0; j < hs; ++j) {
    pre[j] = (b != NULL) ? b[j] + b[hs + j] : 0.0f;
  }
  tml_matvec_acc_f32(weights->w, x_t, hs, is, pre);
  if (h_prev != NULL) {
    tml_matvec_acc_f32(weights->r, h_prev, hs, hs, pre);
  }
  for (j = 0; j < hs; ++j) {
    h[j] = tml_tanhf(tml_clipf(pre[j], params->clip));
  }
  return TML_OK;
}
