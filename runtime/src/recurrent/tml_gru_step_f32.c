/* SPDX-License-Identifier: MIT */
/* tml_gru_step_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_math_f32.h"
#include "tml_support.h"

int32_t tml_gru_step_f32_get_buffer_size(const tml_rnn_cell_params *params) {
  if (params == NULL || params->hidden_size < 0) {
    return 0;
  }
  return 7 * params->hidden_size * (int32_t)sizeof(float);
}

/*
 * Scratch: xg [3H] input projections (+ Wb), hg [3H] recurrent projections (+ Rb), and
 * rh [H] = r ⊙ h_prev, needed only when linear_before_reset is 0: then the reset gate
 * must be known before the h-gate recurrent product, which is why that product is
 * computed separately from the z and r rows.
 */
tml_status tml_gru_step_f32(const tml_context *ctx, const tml_rnn_cell_params *params,
                            const tml_rnn_weights_f32 *weights, const float *x_t,
                            const float *h_prev, float *h) {
  int32_t hs;
  int32_t is;
  int32_t j;
  float *xg;
  float *hg;
  float *rh;
  const float *b;
  const float *r_h;
  TML_CHECK(params != NULL && weights != NULL && x_t != NULL && h != NULL);
  TML_CHECK(weights->w != NULL && weights->r != NULL);
  hs = params->hidden_size;
  is = params->input_size;
  TML_CHECK(hs >= 1 && is >= 1);
  if (ctx == NULL || ctx->buf == NULL || ctx->size < tml_gru_step_f32_get_buffer_size(params)) {
    return TML_ERROR_BUFFER;
  }
  xg = (float *)ctx->buf;
  hg = xg + 3 * hs;
  rh = hg + 3 * hs;
  b = weights->b;
  r_h = weights->r + (size_t)2 * (size_t)hs * (size_t)hs;

  for (j = 0; j < 3 * hs; ++j) {
    xg[j] = (b != NULL) ? b[j] : 0.0f;
    hg[j] = (b != NULL) ? b[3 * hs + j] : 0.0f;
  }
  tml_matvec_acc_f32(weights->w, x_t, 3 * hs, is, xg);
  if (h_prev != NULL) {
    tml_matvec_acc_f32(weights->r, h_prev, 2 * hs, hs, hg);
  }
  for (j = 0; j < hs; ++j) {
    hg[j] = tml_sigmoidf(tml_clipf(xg[j] + hg[j], params->clip));                /* z */
    hg[hs + j] = tml_sigmoidf(tml_clipf(xg[hs + j] + hg[hs + j], params->clip)); /* r */
  }
  if (h_prev != NULL) {
    if (params->linear_before_reset) {
      tml_matvec_acc_f32(r_h, h_prev, hs, hs, hg + 2 * hs);
    } else {
      for (j = 0; j < hs; ++j) {
        rh[j] = hg[hs + j] * h_prev[j];
      }
      tml_matvec_acc_f32(r_h, rh, hs, hs, hg + 2 * hs);
    }
  }
  for (j = 0; j < hs; ++j) {
    const float z = hg[j];
    const float r = hg[hs + j];
    const float hp = (h_prev != NULL) ? h_prev[j] : 0.0f;
    const float pre = params->linear_before_reset ? xg[2 * hs + j] + r * hg[2 * hs + j]
                                                  : xg[2 * hs + j] + hg[2 * hs + j];
    const float g = tml_tanhf(tml_clipf(pre, params->clip));
    h[j] = (1.0f - z) * g + z * hp;
  }
  return TML_OK;
}
