/* SPDX-License-Identifier: MIT */
/* tml_lstm_cell_f32.h - internal: the parts of one LSTM time step shared by
 * tml_lstm_step_f32 (dense W, R) and tml_lstm_step_op_f32 (W, R as operators),
 * so the two differ only in how they compute the gate pre-activations. */
#ifndef TML_LSTM_CELL_F32_H
#define TML_LSTM_CELL_F32_H

#include "tml_math_f32.h"
#include "tml_types.h"

/* gates[0 .. 4H) = Wb + Rb (zero without a bias): the start of the pre-activations. */
static inline void tml_lstm_gates_init_f32(float *gates, const float *b, int32_t hs) {
  int32_t j;
  for (j = 0; j < 4 * hs; ++j) {
    gates[j] = (b != NULL) ? b[j] + b[4 * hs + j] : 0.0f;
  }
}

/* From the pre-activations (order i, o, f, c) to the new state h, c, with
 * peepholes p (order i, o, f; may be NULL), clip and input_forget. c_prev may
 * be NULL (zeros); h/c may alias h_prev/c_prev. */
static inline void tml_lstm_cell_update_f32(const tml_rnn_cell_params *params, const float *gates,
                                            const float *p, const float *c_prev, float *h,
                                            float *c) {
  const int32_t hs = params->hidden_size;
  int32_t j;
  for (j = 0; j < hs; ++j) {
    const float cp = (c_prev != NULL) ? c_prev[j] : 0.0f;
    float pre_i = gates[j];
    float pre_o = gates[hs + j];
    float pre_f = gates[2 * hs + j];
    const float pre_c = gates[3 * hs + j];
    float gi, gf, gg, go, cn;
    if (p != NULL) {
      pre_i += p[j] * cp;
      pre_f += p[2 * hs + j] * cp;
    }
    gi = tml_sigmoidf(tml_clipf(pre_i, params->clip));
    /* input_forget couples the gates after activation (f = 1 - i), as onnxruntime does. */
    gf = params->input_forget ? 1.0f - gi : tml_sigmoidf(tml_clipf(pre_f, params->clip));
    gg = tml_tanhf(tml_clipf(pre_c, params->clip));
    cn = gf * cp + gi * gg;
    if (p != NULL) {
      pre_o += p[hs + j] * cn; /* the output peephole looks at the new cell state */
    }
    go = tml_sigmoidf(tml_clipf(pre_o, params->clip));
    c[j] = cn;
    h[j] = go * tml_tanhf(cn);
  }
}

#endif /* TML_LSTM_CELL_F32_H */
