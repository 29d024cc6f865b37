/* tml_lstm_step_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_math_f32.h"
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
  int32_t j;
  float *gates;
  const float *b;
  const float *p;
  TML_CHECK(params != NULL && weights != NULL && x_t != NULL && h != NULL && c != NULL);
  TML_CHECK(weights->w != NULL && weights->r != NULL);
  hs = params->hidden_size;
  is = params->input_size;
  TML_CHECK(hs >= 1 && is >= 1);
  if (ctx == NULL || ctx->buf == NULL || ctx->size < tml_lstm_step_f32_get_buffer_size(params)) {
    return TML_ERROR_BUFFER;
  }
  gates = (float *)ctx->buf;
  b = weights->b;
  p = weights->p;

  for (j = 0; j < 4 * hs; ++j) {
    gates[j] = (b != NULL) ? b[j] + b[4 * hs + j] : 0.0f;
  }
  tml_matvec_acc_f32(weights->w, x_t, 4 * hs, is, gates);
  if (h_prev != NULL) {
    tml_matvec_acc_f32(weights->r, h_prev, 4 * hs, hs, gates);
  }

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
  return TML_OK;
}
