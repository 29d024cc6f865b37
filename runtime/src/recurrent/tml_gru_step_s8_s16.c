/* SPDX-License-Identifier: MIT */
/* tml_gru_step_s8_s16 - see tml_kernels_s8.h for the formats and equations. */
#include "tml_kernels_s8.h"
#include "tml_linear_op_s8_requant.h"
#include "tml_support.h"
#include "tml_support_s8.h"

/* Accumulators are padded to whole 4-row blocks (a dense operator writes its padding rows). */
static int32_t ceil4(int32_t n) { return (n + 3) & ~3; }

int32_t tml_gru_step_s8_s16_get_buffer_size(const tml_gru_s8_params *params,
                                            const tml_linear_op_s8 *w,
                                            const tml_linear_op_s8 *r_zr,
                                            const tml_linear_op_s8 *r_h) {
  int32_t s = 0;
  int32_t k;
  const tml_linear_op_s8 *ops[3];
  if (params == NULL || params->hidden_size < 1) {
    return -1;
  }
  ops[0] = w;
  ops[1] = r_zr;
  ops[2] = r_h;
  for (k = 0; k < 3; ++k) {
    const int32_t sk = tml_linear_op_s8_apply_get_buffer_size(ops[k]);
    if (sk < 0) {
      return -1;
    }
    s = sk > s ? sk : s;
  }
  /* acc_w [3H], acc_r [2H] and acc_h [H] (each padded to 4 rows), r⊙h_prev [H] int8. */
  return 4 * (ceil4(3 * params->hidden_size) + ceil4(2 * params->hidden_size) +
              ceil4(params->hidden_size)) +
         ceil4(params->hidden_size) + s;
}

tml_status tml_gru_step_s8_s16(const tml_context *ctx, const tml_gru_s8_params *params,
                               const tml_linear_op_s8 *w, const tml_linear_op_s8 *r_zr,
                               const tml_linear_op_s8 *r_h, const int8_t *x_t,
                               const int8_t *h_prev, int8_t *h) {
  int32_t hs;
  int32_t j;
  int32_t *acc_w;
  int32_t *acc_r;
  int32_t *acc_h;
  int8_t *rh;
  tml_context op_ctx;
  tml_status st;
  TML_CHECK(params != NULL && w != NULL && r_zr != NULL && r_h != NULL && x_t != NULL &&
            h_prev != NULL && h != NULL);
  hs = params->hidden_size;
  TML_CHECK(hs >= 1 && w->rows == 3 * hs && w->cols == params->input_size &&
            r_zr->rows == 2 * hs && r_zr->cols == hs && r_h->rows == hs && r_h->cols == hs);
  if (ctx == NULL || ctx->buf == NULL ||
      ctx->size < tml_gru_step_s8_s16_get_buffer_size(params, w, r_zr, r_h)) {
    return TML_ERROR_BUFFER;
  }
  acc_w = (int32_t *)ctx->buf;
  acc_r = acc_w + ceil4(3 * hs);
  acc_h = acc_r + ceil4(2 * hs);
  rh = (int8_t *)(acc_h + ceil4(hs));
  op_ctx.buf = rh + ceil4(hs);
  op_ctx.size = ctx->size - (int32_t)((int8_t *)op_ctx.buf - (int8_t *)ctx->buf);
  st = tml_linear_op_s8_apply(&op_ctx, w, x_t, acc_w);
  if (st != TML_OK) {
    return st;
  }
  st = tml_linear_op_s8_apply(&op_ctx, r_zr, h_prev, acc_r);
  if (st != TML_OK) {
    return st;
  }
  /* All of W's rows and R_zr's to Q3.12; z and r as Q0.15 gates in place of acc_r. */
  tml_linear_op_s8_requantize_rows(w, 3 * hs, acc_w);
  tml_linear_op_s8_requantize_rows(r_zr, 2 * hs, acc_r);
  for (j = 0; j < 2 * hs; ++j) {
    acc_r[j] = tml_sigmoid_q15(tml_sat16(acc_w[j] + acc_r[j]));
  }
  /* The candidate's recurrent product: R_h·h_prev (linear_before_reset, ONNX/PyTorch
   * default for exports) or R_h·(r ⊙ h_prev), r⊙h_prev in h's own int8 format. */
  if (params->linear_before_reset) {
    st = tml_linear_op_s8_apply(&op_ctx, r_h, h_prev, acc_h);
  } else {
    for (j = 0; j < hs; ++j) {
      rh[j] = (int8_t)((acc_r[hs + j] * h_prev[j] + (1 << 14)) >> 15);
    }
    st = tml_linear_op_s8_apply(&op_ctx, r_h, rh, acc_h);
  }
  if (st != TML_OK) {
    return st;
  }
  tml_linear_op_s8_requantize_rows(r_h, hs, acc_h);
  /* h_prev is read for the last time below, element j before h[j] is written. */
  for (j = 0; j < hs; ++j) {
    const int32_t z = acc_r[j];
    const int32_t xg = acc_w[2 * hs + j];
    int32_t hg = acc_h[j];
    int32_t g;
    int32_t hq15;
    if (params->linear_before_reset) {
      /* r·(R_h·h + Rb_h): r is Q0.15, hg Q3.12 (saturated so the product fits). */
      hg = (acc_r[hs + j] * tml_sat16(hg) + (1 << 14)) >> 15;
    }
    g = tml_tanh_q15(tml_sat16(xg + hg));
    /* h = g + z·(h_prev − g) in Q0.15; |z·(h_prev − g)| < 2^31. */
    hq15 = g + ((z * ((int32_t)h_prev[j] * 256 - g) + (1 << 14)) >> 15);
    h[j] = (int8_t)tml_clamp_s32((hq15 + 128) >> 8, -128, 127);
  }
  return TML_OK;
}
