/* SPDX-License-Identifier: MIT */
/* tml_lstm_step_s8_s16 - see tml_kernels_s8.h for the formats and equations. */
#include "tml_kernels_s8.h"
#include "tml_linear_op_s8_requant.h"
#include "tml_support.h"
#include "tml_support_s8.h"

int32_t tml_lstm_step_s8_s16_get_buffer_size(const tml_lstm_s8_params *params,
                                             const tml_linear_op_s8 *w,
                                             const tml_linear_op_s8 *r) {
  int32_t sw;
  int32_t sr;
  if (params == NULL || params->hidden_size < 1) {
    return -1;
  }
  sw = tml_linear_op_s8_apply_get_buffer_size(w);
  sr = tml_linear_op_s8_apply_get_buffer_size(r);
  if (sw < 0 || sr < 0) {
    return -1;
  }
  return 2 * 4 * 4 * params->hidden_size + (sw > sr ? sw : sr);
}

/*
 * Rows [k, k + n) of both operators, inside one run of each: the two requantizations
 * (tml_requantize() with the row's multiplier), their sum and the int16 gate in one pass.
 * Inlined with lw = lr = 0 (the usual case) and with the left shifts as given.
 */
TML_S8_INLINE void tml_lstm_s8_gate_chunk(const int32_t *aw, const int32_t *ar, int16_t *gate,
                                          int32_t n, int32_t base_w, const int8_t *sw,
                                          int32_t lw, int32_t rw, int32_t base_r,
                                          const int8_t *sr, int32_t lr, int32_t rr) {
  const int32_t round_w = (1 << rw) >> 1;
  const int32_t round_r = (1 << rr) >> 1;
  int16_t *const end = gate + n;
  while (gate != end) {
    const int32_t vw =
        (tml_smmulr((int32_t)((uint32_t)*aw++ << lw), base_w >> *sw++) + round_w) >> rw;
    const int32_t vr =
        (tml_smmulr((int32_t)((uint32_t)*ar++ << lr), base_r >> *sr++) + round_r) >> rr;
    *gate++ = (int16_t)tml_ssat16(vw + vr);
  }
}

/* Pass 1 for two compact operators, chunk by chunk of rows that stay within one run of
 * each (tml_requant_runs). */
TML_S8_HOT static void tml_lstm_s8_gates_compact(const tml_linear_op_s8 *w,
                                                 const tml_linear_op_s8 *r, int32_t rows,
                                                 const int32_t *acc_w, const int32_t *acc_r,
                                                 int16_t *gate) {
  const int32_t lw = w->quant.left_shift;
  const int32_t rw = w->quant.right_shift;
  const int32_t lr = r->quant.left_shift;
  const int32_t rr = r->quant.right_shift;
  tml_requant_runs qw;
  tml_requant_runs qr;
  int32_t k;
  int32_t n;
  tml_requant_runs_init(w, rows, &qw);
  tml_requant_runs_init(r, rows, &qr);
  for (k = 0; k < rows; k += n) {
    n = qw.left < qr.left ? qw.left : qr.left;
    if (lw == 0 && lr == 0) {
      tml_lstm_s8_gate_chunk(acc_w + k, acc_r + k, gate + k, n, qw.base, qw.shift, 0, rw,
                             qr.base, qr.shift, 0, rr);
    } else {
      tml_lstm_s8_gate_chunk(acc_w + k, acc_r + k, gate + k, n, qw.base, qw.shift, lw, rw,
                             qr.base, qr.shift, lr, rr);
    }
    tml_requant_runs_skip(&qw, n);
    tml_requant_runs_skip(&qr, n);
  }
}

/*
 * Pass 1: the Q3.12 gate pre-activations of all 4H rows as int16, written over acc_w
 * (row k at ((int16_t *)acc_w)[k], read before it is overwritten).
 */
TML_S8_HOT static void tml_lstm_s8_gates(const tml_linear_op_s8 *w, const tml_linear_op_s8 *r,
                                         int32_t hs, int32_t *acc_w, int32_t *acc_r) {
  const int32_t *mw = w->quant.multiplier;
  const int32_t *mr = r->quant.multiplier;
  const int32_t lw = w->quant.left_shift;
  const int32_t rw = w->quant.right_shift;
  const int32_t lr = r->quant.left_shift;
  const int32_t rr = r->quant.right_shift;
  const int32_t round_w = (1 << rw) >> 1;
  const int32_t round_r = (1 << rr) >> 1;
  int16_t *gate = (int16_t *)acc_w;
  const int32_t *aw = acc_w;
  const int32_t *end = acc_w + 4 * hs;
  if (w->row_shift != NULL && r->row_shift != NULL) {
    /* The compiler's usual form: both compact (tml_linear_op_s8_requant.h). */
    tml_lstm_s8_gates_compact(w, r, 4 * hs, acc_w, acc_r, gate);
    return;
  }
  if (w->row_shift != NULL || r->row_shift != NULL) {
    /* One compact operator, one per-row: each requantized in place, then summed. */
    int32_t k;
    tml_linear_op_s8_requantize_rows(w, 4 * hs, acc_w);
    tml_linear_op_s8_requantize_rows(r, 4 * hs, acc_r);
    for (k = 0; k < 4 * hs; ++k) {
      gate[k] = (int16_t)tml_ssat16(acc_w[k] + acc_r[k]); /* acc_w[k] read before overwritten */
    }
    return;
  }
  if (lw == 0 && lr == 0) { /* the usual case: no left shifts in the loop */
    while (aw != end) {
      const int32_t vw = (tml_smmulr(*aw++, *mw++) + round_w) >> rw;
      const int32_t vr = (tml_smmulr(*acc_r++, *mr++) + round_r) >> rr;
      *gate++ = (int16_t)tml_ssat16(vw + vr);
    }
    return;
  }
  while (aw != end) {
    const int32_t vw = tml_requantize(*aw++, *mw++, lw, rw);
    const int32_t vr = tml_requantize(*acc_r++, *mr++, lr, rr);
    *gate++ = (int16_t)tml_ssat16(vw + vr);
  }
}

/* g[k] = table(g[k]) for g in [g, end), Q3.12 -> Q0.15 (tml_table_q15()), in place; two
 * per iteration, so that the loop branch and the dependent load chains overlap. */
TML_S8_INLINE void tml_lstm_s8_lookup(int16_t *g, int16_t *end, const uint32_t *table) {
  for (; end - g >= 2; g += 2) {
    const int32_t a = g[0];
    const int32_t b = g[1];
    g[0] = (int16_t)tml_table_q15(table, a);
    g[1] = (int16_t)tml_table_q15(table, b);
  }
  if (g != end) {
    *g = (int16_t)tml_table_q15(table, *g);
  }
}

/* Pass 2: the gate activations in place, Q3.12 -> Q0.15: sigmoid for i, o, f (the first
 * 3·hs), tanh for c. A loop of its own: one table lookup per value keeps everything in
 * registers (the cell loop with all five lookups spilled). */
TML_S8_HOT static void tml_lstm_s8_activate(int32_t hs, int16_t *gate) {
  tml_lstm_s8_lookup(gate, gate + 3 * hs, tml_sigmoid_table_q15x2);
  tml_lstm_s8_lookup(gate + 3 * hs, gate + 4 * hs, tml_tanh_table_q15x2);
}

/* Pass 3: the cell, from the activated gates (i, o, f, c blocks of hs, Q0.15). */
TML_S8_HOT static void tml_lstm_s8_cell(int32_t hs, const int16_t *gate, const int16_t *c_prev,
                                        int8_t *h, int16_t *c) {
  int32_t j;
  for (j = 0; j < hs; ++j) {
    const int32_t i_g = gate[j];
    const int32_t o_g = gate[hs + j];
    const int32_t f_g = gate[2 * hs + j];
    const int32_t c_g = gate[3 * hs + j];
    const int32_t cv =
        tml_ssat16(((f_g * c_prev[j] + (1 << 14)) >> 15) + ((i_g * c_g + (1 << 18)) >> 19));
    const int32_t tc = tml_tanh_q15(tml_ssat16(2 * cv));
    const int32_t hv = (o_g * tc + (1 << 22)) >> 23;
    c[j] = (int16_t)cv;
#if defined(TML_MATH_DSP)
    h[j] = (int8_t)TML_SSAT(hv, 8);
#else
    h[j] = (int8_t)tml_clamp_s32(hv, -128, 127);
#endif
  }
}

tml_status tml_lstm_step_s8_s16(const tml_context *ctx, const tml_lstm_s8_params *params,
                                const tml_linear_op_s8 *w, const tml_linear_op_s8 *r,
                                const int8_t *x_t, const int8_t *h_prev, const int16_t *c_prev,
                                int8_t *h, int16_t *c) {
  int32_t hs;
  int32_t *acc_w;
  int32_t *acc_r;
  tml_context op_ctx;
  tml_status st;
  TML_CHECK(params != NULL && w != NULL && r != NULL && x_t != NULL && h_prev != NULL &&
            c_prev != NULL && h != NULL && c != NULL);
  hs = params->hidden_size;
  TML_CHECK(hs >= 1 && w->rows == 4 * hs && r->rows == 4 * hs && r->cols == hs &&
            w->cols == params->input_size);
  if (ctx == NULL || ctx->buf == NULL ||
      ctx->size < tml_lstm_step_s8_s16_get_buffer_size(params, w, r)) {
    return TML_ERROR_BUFFER;
  }
  acc_w = (int32_t *)ctx->buf;
  acc_r = acc_w + 4 * hs;
  op_ctx.buf = acc_r + 4 * hs;
  op_ctx.size = ctx->size - 2 * 4 * 4 * hs;
  st = tml_linear_op_s8_apply(&op_ctx, w, x_t, acc_w);
  if (st != TML_OK) {
    return st;
  }
  /* h_prev is read completely here, so h may alias it. */
  st = tml_linear_op_s8_apply(&op_ctx, r, h_prev, acc_r);
  if (st != TML_OK) {
    return st;
  }
  tml_lstm_s8_gates(w, r, hs, acc_w, acc_r);
  tml_lstm_s8_activate(hs, (int16_t *)acc_w);
  tml_lstm_s8_cell(hs, (const int16_t *)acc_w, c_prev, h, c);
  return TML_OK;
}
