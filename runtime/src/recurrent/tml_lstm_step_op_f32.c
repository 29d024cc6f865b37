/* SPDX-License-Identifier: MIT */
/* tml_lstm_step_op_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_lstm_cell_f32.h"
#include "tml_support.h"

int32_t tml_lstm_step_op_f32_get_buffer_size(const tml_rnn_cell_params *params,
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
  return 4 * params->hidden_size * (int32_t)sizeof(float) + (w_need > r_need ? w_need : r_need);
}

/*
 * The gate pre-activations go into the first 4·H floats of the scratch and the operators
 * use the rest, so every product is done before any state is written (h == h_prev and
 * c == c_prev stay safe). The cell update below is the one of tml_lstm_step_f32(); it is
 * repeated rather than shared so that a model that uses only one of the two kernels
 * copies only that file.
 */
tml_status tml_lstm_step_op_f32(const tml_context *ctx, const tml_rnn_cell_params *params,
                                const tml_rnn_op_weights_f32 *weights, const float *x_t,
                                const float *h_prev, const float *c_prev, float *h, float *c) {
  int32_t hs;
  int32_t need;
  float *gates;
  tml_context op_ctx;
  tml_status s;
  TML_CHECK(params != NULL && weights != NULL && x_t != NULL && h != NULL && c != NULL);
  TML_CHECK(weights->w != NULL && weights->r != NULL);
  hs = params->hidden_size;
  TML_CHECK(hs >= 1 && params->input_size >= 1);
  TML_CHECK(weights->w->rows == 4 * hs && weights->w->cols == params->input_size);
  TML_CHECK(weights->r->rows == 4 * hs && weights->r->cols == hs);
  need = tml_lstm_step_op_f32_get_buffer_size(params, weights);
  TML_CHECK(need >= 0);
  if (ctx == NULL || ctx->buf == NULL || ctx->size < need) {
    return TML_ERROR_BUFFER;
  }
  gates = (float *)ctx->buf;
  op_ctx.buf = gates + 4 * hs;
  op_ctx.size = ctx->size - 4 * hs * (int32_t)sizeof(float);

  tml_lstm_gates_init_f32(gates, weights->b, hs);
  s = tml_linear_op_apply_f32(&op_ctx, weights->w, x_t, gates);
  if (s != TML_OK) {
    return s;
  }
  if (h_prev != NULL) {
    s = tml_linear_op_apply_f32(&op_ctx, weights->r, h_prev, gates);
    if (s != TML_OK) {
      return s;
    }
  }

  tml_lstm_cell_update_f32(params, gates, weights->p, c_prev, h, c);
  return TML_OK;
}
