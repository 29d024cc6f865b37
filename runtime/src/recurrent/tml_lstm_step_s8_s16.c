/* SPDX-License-Identifier: MIT */
/* tml_lstm_step_s8_s16 - see tml_kernels_s8.h for the formats and equations. */
#include "tml_config.h"
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

#if TML_S8_LSTM_GENERAL
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
TML_S8_INLINE void tml_lstm_s8_lookup(int16_t *g, int16_t *end, const int16_t *table) {
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
  tml_lstm_s8_lookup(gate, gate + 3 * hs, tml_sigmoid_table_q15);
  tml_lstm_s8_lookup(gate + 3 * hs, gate + 4 * hs, tml_tanh_table_q15);
}
#endif /* TML_S8_LSTM_GENERAL */

#if TML_S8_LSTM_GENERAL || TML_S8_LSTM_FUSED
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
#endif

#if TML_S8_LSTM_FUSED
/*
 * The dense form the compiler emits for dense W and R (both packed, compact
 * requantization, no sparse overlay), in two passes over the rows
 * instead of five: W's products requantized as they come (int32, into the gate buffer's
 * room), then R's products, each 4-row block requantized, added to W's part, saturated
 * and activated while its sums are still in registers. No int32 accumulators written and
 * read back, no separate bias pass. Same values as the general path.
 */

/* (smmulr(acc·2^left, m) + round) >> right: tml_requantize() with the rounding constant
 * precomputed (SMMLAR adds it). */
TML_S8_INLINE int32_t tml_lstm_s8_rq(int32_t acc, int32_t m, int32_t left, int32_t round,
                                     int32_t right) {
  return tml_smmlar((int32_t)((uint32_t)acc << left), m, round) >> right;
}

/* Column groups up to which W goes through tml_lstm_s8_dense_w() (32 inputs). */
#define TML_LSTM_S8_SHORT_GROUPS 8

/* tml_s8_dot4() for few column groups (W of a small input: 2 groups for 8 inputs): one
 * group per iteration, no unrolled paths to enter and leave. */
TML_S8_INLINE const int8_t *tml_lstm_s8_dot4_short(const int8_t *w, const int16_t *xw,
                                                   int32_t groups, int32_t out[4]) {
  uint32_t e01 = 0;
  uint32_t r01 = 0;
  uint32_t e23 = 0;
  uint32_t r23 = 0;
  do {
    TML_S8_GROUP(w, xw);
    w += 16;
    xw += 4;
  } while (--groups > 0);
  out[0] = (int32_t)e01;
  out[1] = (int32_t)(r01 - e01) >> 8;
  out[2] = (int32_t)e23;
  out[3] = (int32_t)(r23 - e23) >> 8;
  return w;
}

/* wq[k] = rq_w(W[k]·x + bias[k]) for the 4H rows of a packed W with `groups` column
 * groups (compact requantization: multiplier m >> shift[k], shifts `left` and `right`). Few
 * groups here (a small input); wider W through tml_linear_op_s8_apply() and a
 * requantization pass (tml_lstm_s8_dense_gates()), so that this loop keeps its invariants
 * in registers. */
TML_S8_HOT TML_S8_OUTLINE void tml_lstm_s8_dense_w(const int8_t *pw, const int16_t *xw,
                                                   int32_t groups, const int32_t *bias,
                                                   const int8_t *shift, int32_t m,
                                                   int32_t left, int32_t right, int32_t rows,
                                                   int32_t *wq) {
  const int32_t round = (1 << right) >> 1;
  int32_t *const end = wq + rows;
  while (wq != end) {
    int32_t s[4];
    pw = tml_lstm_s8_dot4_short(pw, xw, groups, s);
    if (bias != NULL) {
      s[0] += bias[0];
      s[1] += bias[1];
      s[2] += bias[2];
      s[3] += bias[3];
      bias += 4;
    }
    wq[0] = tml_lstm_s8_rq(s[0], m >> shift[0], left, round, right);
    wq[1] = tml_lstm_s8_rq(s[1], m >> shift[1], left, round, right);
    wq[2] = tml_lstm_s8_rq(s[2], m >> shift[2], left, round, right);
    wq[3] = tml_lstm_s8_rq(s[3], m >> shift[3], left, round, right);
    shift += 4;
    wq += 4;
  }
}

/* R's side of the rows [4·b0, 4·(b0 + blocks)): gate[k] = table(sat16(wq[k] +
 * rq_r(R[k]·h + bias[k]))) (table NULL: not activated). gate may alias wq (int16 over
 * int32: row k is written after rows <= k are read). */
typedef struct {
  const int8_t *pr;
  const int16_t *hw;
  const int32_t *bias; /* may be NULL */
  const int8_t *shift;
  int32_t groups, m, left, right;
} tml_lstm_s8_dense_r;

TML_S8_HOT TML_S8_OUTLINE void tml_lstm_s8_dense_rows(const tml_lstm_s8_dense_r *d, int32_t b0,
                                                      int32_t blocks, const int16_t *table,
                                                      const int32_t *wq, int16_t *gate) {
  const int8_t *pr = d->pr + (size_t)b0 * (size_t)(16 * d->groups);
  const int32_t *bias = d->bias != NULL ? d->bias + 4 * b0 : NULL;
  const int8_t *shift = d->shift + 4 * b0;
  const int16_t *const hw = d->hw;
  const int32_t groups = d->groups;
  const int32_t m = d->m;
  const int32_t left = d->left;
  const int32_t right = d->right;
  const int32_t round = (1 << right) >> 1;
  wq += 4 * b0;
  gate += 4 * b0;
  for (; blocks > 0; --blocks) {
    int32_t t[4];
    int32_t g0, g1, g2, g3;
    uint32_t lo, hi;
    pr = tml_s8_dot4(pr, hw, groups, t);
    if (bias != NULL) {
      t[0] += bias[0];
      t[1] += bias[1];
      t[2] += bias[2];
      t[3] += bias[3];
      bias += 4;
    }
    g0 = tml_ssat16(wq[0] + tml_lstm_s8_rq(t[0], m >> shift[0], left, round, right));
    g1 = tml_ssat16(wq[1] + tml_lstm_s8_rq(t[1], m >> shift[1], left, round, right));
    g2 = tml_ssat16(wq[2] + tml_lstm_s8_rq(t[2], m >> shift[2], left, round, right));
    g3 = tml_ssat16(wq[3] + tml_lstm_s8_rq(t[3], m >> shift[3], left, round, right));
    shift += 4;
    wq += 4;
    if (table != NULL) {
      g0 = tml_table_q15(table, g0);
      g1 = tml_table_q15(table, g1);
      g2 = tml_table_q15(table, g2);
      g3 = tml_table_q15(table, g3);
    }
    lo = ((uint32_t)g0 & 0xFFFFu) | ((uint32_t)g1 << 16);
    hi = ((uint32_t)g2 & 0xFFFFu) | ((uint32_t)g3 << 16);
    memcpy(gate, &lo, sizeof lo);
    memcpy(gate + 2, &hi, sizeof hi);
    gate += 4;
  }
}

/* 1 when the fused dense path runs this pair of operators. */
static int tml_lstm_s8_dense_ok(const tml_linear_op_s8 *w, const tml_linear_op_s8 *r) {
  return w->packed != NULL && r->packed != NULL && w->blocks == NULL && r->blocks == NULL &&
         w->sparse == NULL && r->sparse == NULL && w->row_shift != NULL &&
         r->row_shift != NULL && TML_S8_ROWS_OK(w->cols) && TML_S8_ROWS_OK(r->cols);
}

/* Both passes of the dense form: the activated gates into gate (int16 [4H]); wq (int32
 * [4H]) for W's part, then hw and `rest` for the widened inputs (a wide W: the scratch of
 * tml_linear_op_s8_apply(), `rest_size` bytes). */
static tml_status tml_lstm_s8_dense_gates(const tml_linear_op_s8 *w, const tml_linear_op_s8 *r,
                                          int32_t hs, const int8_t *x_t, const int8_t *h_prev,
                                          int32_t *wq, int16_t *hw, void *rest,
                                          int32_t rest_size, int16_t *gate) {
  const int32_t cx = (w->cols + 3) & ~3;
  const int32_t ch = (r->cols + 3) & ~3;
  /* Blocks wholly in the sigmoid gates (i, o, f: rows < 3H), then the one that straddles
   * 3H when H is not a multiple of 4, then the tanh gate's (c). */
  const int32_t sig_blocks = (3 * hs) >> 2;
  const int32_t mixed = (3 * hs) & 3;
  const int32_t tanh_first = sig_blocks + (mixed != 0);
  tml_lstm_s8_dense_r d;
  int32_t k;
  tml_s8_widen(h_prev, r->cols, 0, hw, ch);
  if (cx <= 4 * TML_LSTM_S8_SHORT_GROUPS) {
    int16_t *xw = (int16_t *)rest;
    tml_s8_widen(x_t, w->cols, 0, xw, cx);
    tml_lstm_s8_dense_w(w->packed, xw, cx >> 2, w->bias, w->row_shift,
                        w->quant.multiplier[0], w->quant.left_shift, w->quant.right_shift,
                        4 * hs, wq);
  } else {
    /* A wide input: the linear-operator code every int8 build links (bias included),
     * then W's requantization. */
    tml_context op_ctx;
    tml_status st;
    op_ctx.buf = rest;
    op_ctx.size = rest_size;
    st = tml_linear_op_s8_apply(&op_ctx, w, x_t, wq);
    if (st != TML_OK) {
      return st;
    }
    tml_requantize_run(wq, 4 * hs, w->quant.multiplier[0], w->row_shift, w->quant.left_shift,
                       w->quant.right_shift);
  }
  d.pr = r->packed;
  d.hw = hw;
  d.bias = r->bias;
  d.shift = r->row_shift;
  d.groups = ch >> 2;
  d.m = r->quant.multiplier[0];
  d.left = r->quant.left_shift;
  d.right = r->quant.right_shift;
  tml_lstm_s8_dense_rows(&d, 0, sig_blocks, tml_sigmoid_table_q15, wq, gate);
  if (mixed != 0) {
    int16_t *g = gate + 4 * sig_blocks;
    tml_lstm_s8_dense_rows(&d, sig_blocks, 1, NULL, wq, gate);
    for (k = 0; k < 4; ++k) {
      g[k] = (int16_t)tml_table_q15(k < mixed ? tml_sigmoid_table_q15 : tml_tanh_table_q15,
                                    g[k]);
    }
  }
  tml_lstm_s8_dense_rows(&d, tanh_first, hs - tanh_first, tml_tanh_table_q15, wq, gate);
  return TML_OK;
}
#endif

tml_status tml_lstm_step_s8_s16(const tml_context *ctx, const tml_lstm_s8_params *params,
                                const tml_linear_op_s8 *w, const tml_linear_op_s8 *r,
                                const int8_t *x_t, const int8_t *h_prev, const int16_t *c_prev,
                                int8_t *h, int16_t *c) {
  int32_t hs;
#if TML_S8_LSTM_GENERAL || TML_S8_LSTM_FUSED
  int32_t *acc_w;
  tml_status st;
#endif
#if TML_S8_LSTM_GENERAL
  int32_t *acc_r;
  tml_context op_ctx;
#endif
  TML_CHECK(params != NULL && w != NULL && r != NULL && x_t != NULL && h_prev != NULL &&
            c_prev != NULL && h != NULL && c != NULL);
  hs = params->hidden_size;
  TML_CHECK(hs >= 1 && w->rows == 4 * hs && r->rows == 4 * hs && r->cols == hs &&
            w->cols == params->input_size);
  if (ctx == NULL || ctx->buf == NULL ||
      ctx->size < tml_lstm_step_s8_s16_get_buffer_size(params, w, r)) {
    return TML_ERROR_BUFFER;
  }
#if TML_S8_LSTM_GENERAL || TML_S8_LSTM_FUSED
  acc_w = (int32_t *)ctx->buf;
#endif
#if TML_S8_LSTM_FUSED
  if (tml_lstm_s8_dense_ok(w, r)) {
    /* W's part int32 [4H] (the gates, int16, are written over it), h_prev widened, then
     * x widened or a wide W's scratch: 16H + 2·ceil4(H) + 2·ceil4(I) bytes, within the
     * general path's scratch (32H + the operators' scratch). */
    int16_t *hw = (int16_t *)(acc_w + 4 * hs);
    int16_t *rest = hw + ((hs + 3) & ~3);
    st = tml_lstm_s8_dense_gates(w, r, hs, x_t, h_prev, acc_w, hw, rest,
                                 ctx->size - (int32_t)((int8_t *)rest - (int8_t *)ctx->buf),
                                 (int16_t *)acc_w);
    if (st != TML_OK) {
      return st;
    }
    tml_lstm_s8_cell(hs, (const int16_t *)acc_w, c_prev, h, c);
    return TML_OK;
  }
#endif
#if TML_S8_LSTM_GENERAL
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
#else
  /* Built with the fused path only (the compiler found every LSTM's W and R dense). */
  (void)c_prev;
  return TML_ERROR_ARG;
#endif
}
