/* SPDX-License-Identifier: MIT */
/* tml_lstm_f32 - see tml_kernels.h for the contract; the sequence loop is in
 * tml_recurrent_f32.h and each time step is tml_lstm_step_f32. */
#include "tml_kernels.h"
#include "tml_recurrent_f32.h"

int32_t tml_lstm_f32_get_buffer_size(const tml_dims *r_dims) {
  tml_rnn_cell_params cell;
  if (r_dims == NULL || r_dims->rank != 3 || r_dims->dim[2] < 0) {
    return -1;
  }
  cell.input_size = 0;
  cell.hidden_size = r_dims->dim[2];
  cell.clip = 0.0f;
  cell.input_forget = 0;
  cell.linear_before_reset = 0;
  return tml_rnn_state_bytes(cell.hidden_size, 1) + tml_lstm_step_f32_get_buffer_size(&cell);
}

static tml_status tml_lstm_step_adapter(const tml_context *ctx, const tml_rnn_cell_params *cell,
                                        const tml_rnn_weights_f32 *weights, const float *x_t,
                                        float *h, float *c) {
  return tml_lstm_step_f32(ctx, cell, weights, x_t, h, c, h, c);
}

tml_status tml_lstm_f32(const tml_context *ctx, const tml_rnn_params *params,
                        const tml_dims *x_dims, const float *x, const tml_dims *w_dims,
                        const float *w, const tml_dims *r_dims, const float *r,
                        const tml_dims *b_dims, const float *b, const tml_dims *sequence_lens_dims,
                        const int32_t *sequence_lens, const tml_dims *initial_h_dims,
                        const float *initial_h, const tml_dims *initial_c_dims,
                        const float *initial_c, const tml_dims *p_dims, const float *p,
                        const tml_dims *y_dims, float *y, const tml_dims *y_h_dims, float *y_h,
                        const tml_dims *y_c_dims, float *y_c) {
  tml_rnn_shape s;
  const tml_status st =
      tml_rnn_shape_init(params, 4, x_dims, x, w_dims, w, r_dims, r, b_dims, b, sequence_lens_dims,
                         sequence_lens, initial_h_dims, initial_h, y_dims, y, y_h_dims, y_h, &s);
  if (st != TML_OK) {
    return st;
  }
  TML_CHECK(initial_c == NULL || tml_rnn_state_dims_ok(&s, initial_c_dims));
  TML_CHECK(y_c == NULL || tml_rnn_state_dims_ok(&s, y_c_dims));
  TML_CHECK(p == NULL || tml_rnn_dims_are(p_dims, 2, s.num_directions, 3 * s.hidden_size, 0, 0));
  return tml_rnn_sequence_f32(ctx, params, &s, 1, tml_lstm_step_adapter, x, w, r, b, p,
                              sequence_lens, initial_h, initial_c, y, y_h, y_c);
}
