/* SPDX-License-Identifier: MIT */
/* tml_lstm_step_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_lstm_cell_f32.h"
#include "tml_support.h"

int32_t tml_lstm_step_f32_get_buffer_size(const tml_rnn_cell_params *params) {
  if (params == NULL || params->hidden_size < 0) {
    return 0;
  }
  return 4 * params->hidden_size * (int32_t)sizeof(float);
}

/*
 * All matrix-vector products are accumulated into the scratch before any state is
 * written, which is what makes h == h_prev and c == c_prev safe for streaming callers.
 */
tml_status tml_lstm_step_f32(const tml_context *ctx, const tml_rnn_cell_params *params,
                             const tml_rnn_weights_f32 *weights, const float *x_t,
                             const float *h_prev, const float *c_prev, float *h, float *c) {
  int32_t hs;
  int32_t is;
  float *gates;
  TML_CHECK(params != NULL && weights != NULL && x_t != NULL && h != NULL && c != NULL);
  TML_CHECK(weights->w != NULL && weights->r != NULL);
  hs = params->hidden_size;
  is = params->input_size;
  TML_CHECK(hs >= 1 && is >= 1);
  if (ctx == NULL || ctx->buf == NULL || ctx->size < tml_lstm_step_f32_get_buffer_size(params)) {
    return TML_ERROR_BUFFER;
  }
  gates = (float *)ctx->buf;

  tml_lstm_gates_init_f32(gates, weights->b, hs);
  tml_matvec_acc_f32(weights->w, x_t, 4 * hs, is, gates);
  if (h_prev != NULL) {
    tml_matvec_acc_f32(weights->r, h_prev, 4 * hs, hs, gates);
  }

  tml_lstm_cell_update_f32(params, gates, weights->p, c_prev, h, c);
  return TML_OK;
}
