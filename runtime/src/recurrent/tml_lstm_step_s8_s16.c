/* SPDX-License-Identifier: MIT */
/* tml_lstm_step_s8_s16 - see tml_kernels_s8.h for the formats and equations. */
#include <stddef.h>

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
#if defined(TML_MATH_DSP) && defined(__GNUC__)
/*
 * Units [0, 2·(hs/2)) of the cell (hs >= 2) two at a time, in assembly (GCC kept its
 * pointers on the stack): from 32-bit words of int16 pairs, SMLABB/SMLATT/SMLATB multiply
 * the halves where they are, with the rounding constants as accumulators; tanh from the
 * table's middle entry ((x + 32768) >> 8 is x >> 8 there). The same products, roundings
 * and saturations as the loop below. r0 i gate, r1 c_prev, r2 h, r3 c, r4 H·2 bytes (o at
 * +r4, f at +2·r4, c gate at r5 = +3·r4), r6 the end, r7 the table.
 */
__attribute__((naked, noinline)) static void tml_lstm_s8_cell_m4(
    const int16_t *gate __attribute__((unused)), const int16_t *c_prev __attribute__((unused)),
    int8_t *h __attribute__((unused)), int16_t *c __attribute__((unused)),
    int32_t hs __attribute__((unused))) {
  __asm__ volatile(
      "push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n\t"
      "ldr r4, [sp, #36]\n\t"
      "movw r7, #:lower16:tml_tanh_table_q15+256\n\t"
      "movt r7, #:upper16:tml_tanh_table_q15+256\n\t"
      "asr r6, r4, #1\n\tadd r6, r0, r6, lsl #2\n\t"
      "lsl r4, r4, #1\n\tadd r5, r4, r4, lsl #1\n"
      "1:\n\t"
      "ldr r8, [r0, r4, lsl #1]\n\tldr r9, [r1], #4\n\tldr r10, [r0, r5]\n\tldr r12, [r0]\n\t"
      /* c = ssat16(((f·c_prev + 2^14) >> 15) + ((i·c_gate + 2^18) >> 19)), stored */
      "mov lr, #16384\n\tsmlabb r11, r8, r9, lr\n\tsmlatt r8, r8, r9, lr\n\t"
      "mov lr, #262144\n\tsmlabb r9, r12, r10, lr\n\tsmlatt r10, r12, r10, lr\n\t"
      "asr r9, r9, #19\n\tadd r11, r9, r11, asr #15\n\tssat r11, #16, r11\n\t"
      "asr r10, r10, #19\n\tadd r8, r10, r8, asr #15\n\tssat r8, #16, r8\n\t"
      "pkhbt r9, r11, r8, lsl #16\n\tstr r9, [r3], #4\n\t"
      /* tanh(ssat16(2·c)) */
      "ssat r11, #16, r11, lsl #1\n\tssat r8, #16, r8, lsl #1\n\t"
      "asr r9, r11, #8\n\tasr r10, r8, #8\n\t"
      "add r9, r7, r9, lsl #1\n\tadd r10, r7, r10, lsl #1\n\t"
      "ldrsh r12, [r9]\n\tldrsh r9, [r9, #2]\n\tldrsh lr, [r10]\n\tldrsh r10, [r10, #2]\n\t"
      "sub r9, r9, r12\n\tsub r10, r10, lr\n\tuxtb r11, r11\n\tuxtb r8, r8\n\t"
      "mul r11, r9, r11\n\tmul r8, r10, r8\n\tadd r11, r11, #128\n\tadd r8, r8, #128\n\t"
      "add r11, r12, r11, asr #8\n\tadd r8, lr, r8, asr #8\n\t"
      /* h = ssat8((o·tanh + 2^22) >> 23) */
      "ldr r9, [r0, r4]\n\tmov r10, #4194304\n\t"
      "smlabb r11, r9, r11, r10\n\tsmlatb r8, r9, r8, r10\n\t"
      "ssat r11, #8, r11, asr #23\n\tssat r8, #8, r8, asr #23\n\t"
      "strb r11, [r2], #1\n\tstrb r8, [r2], #1\n\t"
      "adds r0, r0, #4\n\tcmp r0, r6\n\tbne 1b\n\t"
      "pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n");
}
#endif

/* Pass 3: the cell, from the activated gates (i, o, f, c blocks of hs, Q0.15). */
TML_S8_HOT static void tml_lstm_s8_cell(int32_t hs, const int16_t *gate, const int16_t *c_prev,
                                        int8_t *h, int16_t *c) {
  int32_t j = 0;
#if defined(TML_MATH_DSP) && defined(__GNUC__)
  if (hs >= 2) {
    tml_lstm_s8_cell_m4(gate, c_prev, h, c, hs);
    j = hs & ~1;
  }
#endif
  for (; j < hs; ++j) {
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
 * requantization, no sparse overlay), in one pass over the row blocks instead of five: per
 * block of 4 rows W's products (a small input; a wide one is done before) and R's, each
 * requantized, summed, saturated and activated while the sums are still in registers. No
 * int32 accumulators written and read back, no separate bias pass. Same values as the
 * general path.
 */

/* Column groups up to which W's products are computed in the row loop (32 inputs); a wider
 * W goes through tml_linear_op_s8_apply() and a requantization pass first. */
#define TML_LSTM_S8_SHORT_GROUPS 8

/*
 * The row loop's state: both operators, the widened inputs, W's requantized part (wq,
 * int32 [4H]: computed before the loop for a wide W; the C form also passes a small W's part
 * through it, and so does the assembly; a 2-group W is computed for all rows before the loop
 * by tml_lstm_s8_w2_m4) and the gates (int16, written over wq: row
 * k after rows <= k are read). The
 * assembly body below reads and advances it at these fixed offsets (checked by
 * tml_lstm_s8_rows_layout), so its fields are all 32-bit and in this order.
 */
typedef struct {
  /* R: packed blocks, widened h, column groups, bias (may be NULL), compact requantization
   * (row shifts, multiplier, left shift, rounding constant, right shift). */
  const int8_t *pr;          /* 0 */
  const int16_t *hw;         /* 4 */
  int32_t r_groups;          /* 8 */
  const int32_t *r_bias;     /* 12 */
  const int8_t *r_shift;     /* 16 */
  int32_t r_m, r_left, r_round, r_right; /* 20 24 28 32 */
  /* W the same (pw NULL: W's part is already in wq). */
  const int8_t *pw;          /* 36 */
  const int16_t *xw;         /* 40 */
  int32_t w_groups;          /* 44 */
  const int32_t *w_bias;     /* 48 */
  const int8_t *w_shift;     /* 52 */
  int32_t w_m, w_left, w_round, w_right; /* 56 60 64 68 */
  int32_t *wq;               /* 72 */
  const int16_t *table;      /* 76: the activation table's middle entry (index 128), or NULL */
  int16_t *gate;             /* 80 */
  int32_t blocks;            /* 84: >= 1 */
} tml_lstm_s8_rows;

#if !(defined(TML_MATH_DSP) && defined(__GNUC__)) || TML_S8_LONG_ROWS
/* (smmulr(acc·2^left, m) + round) >> right: tml_requantize() with the rounding constant
 * precomputed (SMMLAR adds it). */
TML_S8_INLINE int32_t tml_lstm_s8_rq(int32_t acc, int32_t m, int32_t left, int32_t round,
                                     int32_t right) {
  return tml_smmlar((int32_t)((uint32_t)acc << left), m, round) >> right;
}

/* q[k] = rq(s[k] + bias[k]) for the 4 rows of one block with the compact requantization
 * (multiplier m >> shift[k]); advances the bias and shift pointers. */
TML_S8_INLINE void tml_lstm_s8_rq4(int32_t s[4], const int32_t **bias, const int8_t **shift,
                                   int32_t m, int32_t left, int32_t round, int32_t right) {
  const int8_t *sh = *shift;
  int32_t k;
  if (*bias != NULL) {
    for (k = 0; k < 4; ++k) {
      s[k] += (*bias)[k];
    }
    *bias += 4;
  }
  for (k = 0; k < 4; ++k) {
    s[k] = tml_lstm_s8_rq(s[k], m >> sh[k], left, round, right);
  }
  *shift = sh + 4;
}

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

/*
 * The row loop in C: per 4-row block, W's part (when pw is set) into wq, then R's,
 * gate[k] = table(sat16(wq[k] + rq_r(R[k]·h + bias[k]))). The assembly body below computes
 * the same values; this one runs where it does not (no DSP extension, rows of more than
 * 512 columns).
 */
TML_S8_HOT TML_S8_OUTLINE void tml_lstm_s8_rows_c(tml_lstm_s8_rows *f) {
  for (; f->blocks > 0; --f->blocks) {
    int32_t s[4];
    int32_t g[4];
    int32_t k;
    uint32_t lo, hi;
    if (f->pw != NULL) {
      f->pw = tml_lstm_s8_dot4_short(f->pw, f->xw, f->w_groups, s);
      tml_lstm_s8_rq4(s, &f->w_bias, &f->w_shift, f->w_m, f->w_left, f->w_round, f->w_right);
      memcpy(f->wq, s, sizeof s);
    }
    f->pr = tml_s8_dot4(f->pr, f->hw, f->r_groups, s);
    tml_lstm_s8_rq4(s, &f->r_bias, &f->r_shift, f->r_m, f->r_left, f->r_round, f->r_right);
    for (k = 0; k < 4; ++k) {
      g[k] = tml_ssat16(f->wq[k] + s[k]);
      if (f->table != NULL) {
        /* tml_table_q15() from the table's middle entry: (x + 32768) >> 8 is x >> 8 there */
        const int16_t *e = f->table + (g[k] >> 8);
        g[k] = e[0] + (((e[1] - e[0]) * (int32_t)((uint32_t)g[k] & 255u) + 128) >> 8);
      }
    }
    f->wq += 4;
    lo = ((uint32_t)g[0] & 0xFFFFu) | ((uint32_t)g[1] << 16);
    hi = ((uint32_t)g[2] & 0xFFFFu) | ((uint32_t)g[3] << 16);
    memcpy(f->gate, &lo, sizeof lo);
    memcpy(f->gate + 2, &hi, sizeof hi);
    f->gate += 4;
  }
}
#endif

#if defined(TML_MATH_DSP) && defined(__GNUC__)
/*
 * The row loop for the Cortex-M4, in assembly: GCC keeps the 13-register dot product but
 * spills every loop invariant around it (~330 cycles per block for ~200 cycles of work).
 * Here lr holds the state (tml_lstm_s8_rows) all along and everything else is reloaded
 * from it when needed. Registers in a dot product: r0/r1 two input pairs, r2-r5 the
 * block's 4 words of a column group, r6 the weights, r7 the input, r8-r11 the row-pair
 * lane sums e01, r01, e23, r23 (tml_s8_dot4_chunk()), r12 the end. The same instructions
 * and order of operations as the C body, modulo 2^32 where it wraps: the same values.
 */
/* Compile-time check of the offsets the assembly uses (C99: a negative array size). */
typedef char tml_lstm_s8_rows_layout[(offsetof(tml_lstm_s8_rows, r_shift) == 16 &&
                                      offsetof(tml_lstm_s8_rows, pw) == 36 &&
                                      offsetof(tml_lstm_s8_rows, w_shift) == 52 &&
                                      offsetof(tml_lstm_s8_rows, wq) == 72 &&
                                      offsetof(tml_lstm_s8_rows, blocks) == 84)
                                         ? 1
                                         : -1];

/* One column group at byte offset 8·g of the input and 16·g of the weights. */
#define TML_LSTM_S8_GROUP(xo, xo2, wo, wo1, wo2, wo3)                                 \
  "ldr r0, [r7, #" #xo "]\n\tldr r1, [r7, #" #xo2 "]\n\t"                            \
  "ldr r2, [r6, #" #wo "]\n\tldr r3, [r6, #" #wo1 "]\n\t"                             \
  "ldr r4, [r6, #" #wo2 "]\n\tldr r5, [r6, #" #wo3 "]\n\t"                            \
  "smlad r9, r2, r0, r9\n\tsxtb16 r2, r2\n\tsmlad r8, r2, r0, r8\n\t"                  \
  "smlad r11, r3, r0, r11\n\tsxtb16 r3, r3\n\tsmlad r10, r3, r0, r10\n\t"              \
  "smlad r9, r4, r1, r9\n\tsxtb16 r4, r4\n\tsmlad r8, r4, r1, r8\n\t"                  \
  "smlad r11, r5, r1, r11\n\tsxtb16 r5, r5\n\tsmlad r10, r5, r1, r10\n\t"
/* The same as the first group of a dot product: SMUAD starts the sums (no zeroing). */
#define TML_LSTM_S8_GROUP_FIRST                                                        \
  "ldr r0, [r7]\n\tldr r1, [r7, #4]\n\tldr r2, [r6]\n\tldr r3, [r6, #4]\n\t"         \
  "ldr r4, [r6, #8]\n\tldr r5, [r6, #12]\n\t"                                          \
  "smuad r9, r2, r0\n\tsxtb16 r2, r2\n\tsmuad r8, r2, r0\n\t"                           \
  "smuad r11, r3, r0\n\tsxtb16 r3, r3\n\tsmuad r10, r3, r0\n\t"                         \
  "smlad r9, r4, r1, r9\n\tsxtb16 r4, r4\n\tsmlad r8, r4, r1, r8\n\t"                  \
  "smlad r11, r5, r1, r11\n\tsxtb16 r5, r5\n\tsmlad r10, r5, r1, r10\n\t"
/* The four lane sums to the four row sums plus bias (at [lr, #b], may be NULL), then the
 * compact requantization with the row shifts at [lr, #p] and m, left, round, right after
 * them: r8-r11 = rows 0-3. */
#define TML_LSTM_S8_REQUANT(b, p, label)                                               \
  "sub r9, r9, r8\n\tsub r11, r11, r10\n\tasr r9, r9, #8\n\tasr r11, r11, #8\n\t"     \
  "ldr r0, [lr, #" #b "]\n\tcbz r0, .Ltml_lstm_s8_rq_" label "\n\t"                   \
  "ldm r0!, {r1, r2, r3, r4}\n\tstr r0, [lr, #" #b "]\n\t"                             \
  "add r8, r8, r1\n\tadd r9, r9, r2\n\tadd r10, r10, r3\n\tadd r11, r11, r4\n"         \
  ".Ltml_lstm_s8_rq_" label ":\n\t"                                                    \
  "ldr r0, [lr, #" #p "]\n\tldr r1, [lr, #" #p "+4]\n\tldr r2, [lr, #" #p "+8]\n\t"    \
  "ldr r3, [lr, #" #p "+12]\n\tldr r4, [lr, #" #p "+16]\n\t"                           \
  "ldrsb r5, [r0]\n\tldrsb r6, [r0, #1]\n\tldrsb r7, [r0, #2]\n\tldrsb r12, [r0, #3]\n\t" \
  "adds r0, r0, #4\n\tstr r0, [lr, #" #p "]\n\t"                                      \
  "asr r5, r1, r5\n\tasr r6, r1, r6\n\tasr r7, r1, r7\n\tasr r12, r1, r12\n\t"         \
  "cbz r2, .Ltml_lstm_s8_nolsl_" label "\n\t"                                          \
  "lsl r8, r8, r2\n\tlsl r9, r9, r2\n\tlsl r10, r10, r2\n\tlsl r11, r11, r2\n"          \
  ".Ltml_lstm_s8_nolsl_" label ":\n\t"                                                 \
  "smmlar r8, r8, r5, r3\n\tsmmlar r9, r9, r6, r3\n\t"                                 \
  "smmlar r10, r10, r7, r3\n\tsmmlar r11, r11, r12, r3\n\t"                            \
  "asr r8, r8, r4\n\tasr r9, r9, r4\n\tasr r10, r10, r4\n\tasr r11, r11, r4\n\t"
/* Two gates (a, b -> the same) through the table: y0 at r0 (middle entry), y1 at r12 =
 * r0 + 2, both indexed by x >> 8 (register-offset loads, no address arithmetic); r5 = 128. */
#define TML_LSTM_S8_LOOKUP2(a, b)                                                      \
  "asr r6, " a ", #8\n\tasr r7, " b ", #8\n\t"                                        \
  "ldrsh r8, [r0, r6, lsl #1]\n\tldrsh r9, [r12, r6, lsl #1]\n\t"                    \
  "ldrsh r10, [r0, r7, lsl #1]\n\tldrsh r11, [r12, r7, lsl #1]\n\t"                  \
  "sub r9, r9, r8\n\tsub r11, r11, r10\n\tuxtb " a ", " a "\n\tuxtb " b ", " b "\n\t"   \
  "mla " a ", r9, " a ", r5\n\tmla " b ", r11, " b ", r5\n\t"                          \
  "add " a ", r8, " a ", asr #8\n\tadd " b ", r10, " b ", asr #8\n\t"

/* Several asm statements: ISO C99 compilers need to take string literals of 4095 characters
 * only (clang -pedantic warns past that). Never cloned (its labels are defined once). */
#if defined(__clang__)
#define TML_LSTM_S8_NAKED __attribute__((naked, noinline))
#else
#define TML_LSTM_S8_NAKED __attribute__((naked, noinline, noclone))
#endif
TML_LSTM_S8_NAKED static void tml_lstm_s8_rows_m4(
    tml_lstm_s8_rows *f __attribute__((unused))) { /* f in r0 */
  __asm__ volatile(
      "push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n\t"
      "mov lr, r0\n"
      "0:\n\t"
      /* W's part of the block when pw is set (out of line, at 19, into wq); else it is in
       * wq already. Read from wq after R's part, for R's part needs every register. */
      "ldr r6, [lr, #36]\n\tcmp r6, #0\n\tbne 19f\n"
      "16:\n\t"
      /* R's part: 16 groups per iteration, then one. */
      "ldr r6, [lr, #0]\n\tldr r7, [lr, #4]\n\tldr r12, [lr, #8]\n\t"
      "mov r8, #0\n\tmov r9, #0\n\tumull r10, r11, r8, r8\n\t"
      "lsrs r12, r12, #4\n\tbeq 6f\n\t"
      "add r12, r6, r12, lsl #8\n"
      "5:\n\t");
  __asm__ volatile(
      TML_LSTM_S8_GROUP(0, 4, 0, 4, 8, 12)
      TML_LSTM_S8_GROUP(8, 12, 16, 20, 24, 28)
      TML_LSTM_S8_GROUP(16, 20, 32, 36, 40, 44)
      TML_LSTM_S8_GROUP(24, 28, 48, 52, 56, 60));
  __asm__ volatile(
      TML_LSTM_S8_GROUP(32, 36, 64, 68, 72, 76)
      TML_LSTM_S8_GROUP(40, 44, 80, 84, 88, 92)
      TML_LSTM_S8_GROUP(48, 52, 96, 100, 104, 108)
      TML_LSTM_S8_GROUP(56, 60, 112, 116, 120, 124));
  __asm__ volatile(
      TML_LSTM_S8_GROUP(64, 68, 128, 132, 136, 140)
      TML_LSTM_S8_GROUP(72, 76, 144, 148, 152, 156)
      TML_LSTM_S8_GROUP(80, 84, 160, 164, 168, 172)
      TML_LSTM_S8_GROUP(88, 92, 176, 180, 184, 188));
  __asm__ volatile(
      TML_LSTM_S8_GROUP(96, 100, 192, 196, 200, 204)
      TML_LSTM_S8_GROUP(104, 108, 208, 212, 216, 220)
      TML_LSTM_S8_GROUP(112, 116, 224, 228, 232, 236)
      TML_LSTM_S8_GROUP(120, 124, 240, 244, 248, 252));
  __asm__ volatile(
      "add r6, r6, #256\n\tadds r7, r7, #128\n\tcmp r6, r12\n\tbne 5b\n"
      "6:\n\t"
      "ldr r12, [lr, #8]\n\tands r12, r12, #15\n\tbeq 8f\n\t"
      "add r12, r6, r12, lsl #4\n"
      "7:\n\t" TML_LSTM_S8_GROUP(0, 4, 0, 4, 8, 12)
      "adds r6, r6, #16\n\tadds r7, r7, #8\n\tcmp r6, r12\n\tbne 7b\n"
      "8:\n\t"
      "str r6, [lr, #0]\n\t");
  __asm__ volatile(
      TML_LSTM_S8_REQUANT(12, 16, "r"));
  __asm__ volatile(
      /* + W's part, saturated, activated, stored as int16. */
      "ldr r0, [lr, #72]\n\tldm r0!, {r1, r2, r3, r4}\n\tstr r0, [lr, #72]\n\t"
      "add r1, r1, r8\n\tadd r2, r2, r9\n\tadd r3, r3, r10\n\tadd r4, r4, r11\n\t"
      "ssat r1, #16, r1\n\tssat r2, #16, r2\n\tssat r3, #16, r3\n\tssat r4, #16, r4\n\t"
      "ldr r0, [lr, #76]\n\tcbz r0, 9f\n\t"
      "mov r5, #128\n\tadd r12, r0, #2\n\t"
      TML_LSTM_S8_LOOKUP2("r1", "r2")
      TML_LSTM_S8_LOOKUP2("r3", "r4")
      "\n9:\n\t"
      "pkhbt r1, r1, r2, lsl #16\n\tpkhbt r3, r3, r4, lsl #16\n\t"
      "ldr r0, [lr, #80]\n\tstrd r1, r3, [r0], #8\n\tstr r0, [lr, #80]\n\t"
      "ldr r0, [lr, #84]\n\tsubs r0, r0, #1\n\tstr r0, [lr, #84]\n\tbne 0b\n\t"
      "pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
      /* W's part in the loop: one group per iteration after the first. */
      "19:\n\t"
      "ldr r7, [lr, #40]\n\tldr r12, [lr, #44]\n\t"
      "add r12, r6, r12, lsl #4\n\t"
      TML_LSTM_S8_GROUP_FIRST
      "adds r6, r6, #16\n\tadds r7, r7, #8\n\tcmp r6, r12\n\tbeq 11f\n"
      "4:\n\t" TML_LSTM_S8_GROUP(0, 4, 0, 4, 8, 12)
      "adds r6, r6, #16\n\tadds r7, r7, #8\n\tcmp r6, r12\n\tbne 4b\n"
      "11:\n\t"
      "str r6, [lr, #36]\n\t"
      TML_LSTM_S8_REQUANT(48, 52, "w")
      "\n\tldr r0, [lr, #72]\n\tstm r0, {r8, r9, r10, r11}\n\tb 16b\n");
}

/*
 * W's part of all `blocks` 4-row blocks for a W of two column groups (5 to 8 inputs),
 * before the row loop, into f->wq: the widened x stays in r0-r3 across the blocks, the
 * requantization constants on the stack (sp: wq end, bias, row shifts, m, left, round,
 * right). The same products, bias, requantization and order as the row loop's W part.
 */
__attribute__((naked, noinline)) static void tml_lstm_s8_w2_m4(
    const tml_lstm_s8_rows *f __attribute__((unused)),
    int32_t blocks __attribute__((unused))) {
  __asm__ volatile(
      "push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n\t"
      "sub sp, sp, #28\n\t"
      "ldr r2, [r0, #72]\n\tadd r3, r2, r1, lsl #4\n\tstr r3, [sp]\n\t"
      "ldr r3, [r0, #48]\n\tstr r3, [sp, #4]\n\tldr r3, [r0, #52]\n\tstr r3, [sp, #8]\n\t"
      "add r3, r0, #56\n\tldm r3, {r4, r5, r6, r7}\n\tadd r3, sp, #12\n\t"
      "stm r3, {r4, r5, r6, r7}\n\t"
      "ldr r12, [r0, #36]\n\tmov lr, r2\n\tldr r4, [r0, #40]\n\tldm r4, {r0, r1, r2, r3}\n"
      "1:\n\t"
      "ldm r12!, {r4, r5, r6, r7}\n\t"
      "smuad r9, r4, r0\n\tsxtb16 r4, r4\n\tsmuad r8, r4, r0\n\t"
      "smuad r11, r5, r0\n\tsxtb16 r5, r5\n\tsmuad r10, r5, r0\n\t"
      "smlad r9, r6, r1, r9\n\tsxtb16 r6, r6\n\tsmlad r8, r6, r1, r8\n\t"
      "smlad r11, r7, r1, r11\n\tsxtb16 r7, r7\n\tsmlad r10, r7, r1, r10\n\t"
      "ldm r12!, {r4, r5, r6, r7}\n\t"
      "smlad r9, r4, r2, r9\n\tsxtb16 r4, r4\n\tsmlad r8, r4, r2, r8\n\t"
      "smlad r11, r5, r2, r11\n\tsxtb16 r5, r5\n\tsmlad r10, r5, r2, r10\n\t"
      "smlad r9, r6, r3, r9\n\tsxtb16 r6, r6\n\tsmlad r8, r6, r3, r8\n\t"
      "smlad r11, r7, r3, r11\n\tsxtb16 r7, r7\n\tsmlad r10, r7, r3, r10\n\t"
      "sub r9, r9, r8\n\tsub r11, r11, r10\n\t"
      "ldr r4, [sp, #4]\n\tcmp r4, #0\n\tbeq 2f\n\t"
      "ldrd r5, r6, [r4], #8\n\tadd r8, r8, r5\n\tadd r9, r6, r9, asr #8\n\t"
      "ldrd r5, r6, [r4], #8\n\tadd r10, r10, r5\n\tadd r11, r6, r11, asr #8\n\t"
      "str r4, [sp, #4]\n"
      "3:\n\t"
      "ldrd r4, r5, [sp, #8]\n\tldrd r6, r7, [sp, #16]\n\tcbz r6, 4f\n\t"
      "lsl r8, r8, r6\n\tlsl r9, r9, r6\n\tlsl r10, r10, r6\n\tlsl r11, r11, r6\n"
      "4:\n\t"
      "ldrsb r6, [r4]\n\tasr r6, r5, r6\n\tsmmlar r8, r8, r6, r7\n\t"
      "ldrsb r6, [r4, #1]\n\tasr r6, r5, r6\n\tsmmlar r9, r9, r6, r7\n\t"
      "ldrsb r6, [r4, #2]\n\tasr r6, r5, r6\n\tsmmlar r10, r10, r6, r7\n\t"
      "ldrsb r6, [r4, #3]\n\tasr r6, r5, r6\n\tsmmlar r11, r11, r6, r7\n\t"
      "adds r4, r4, #4\n\tstr r4, [sp, #8]\n\tldr r6, [sp, #24]\n\t"
      "asr r8, r8, r6\n\tasr r9, r9, r6\n\tasr r10, r10, r6\n\tasr r11, r11, r6\n\t"
      "stm lr!, {r8, r9, r10, r11}\n\t"
      "ldr r4, [sp]\n\tcmp lr, r4\n\tbne 1b\n\t"
      "add sp, sp, #28\n\t"
      "pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
      "2:\n\tasr r9, r9, #8\n\tasr r11, r11, #8\n\tb 3b\n");
}
#undef TML_LSTM_S8_GROUP
#undef TML_LSTM_S8_GROUP_FIRST
#undef TML_LSTM_S8_REQUANT
#undef TML_LSTM_S8_LOOKUP2
#undef TML_LSTM_S8_NAKED
#endif

/* Runs the row loop on `f` (blocks >= 1). */
static void tml_lstm_s8_rows_run(tml_lstm_s8_rows *f) {
#if defined(TML_MATH_DSP) && defined(__GNUC__)
  if (!TML_S8_LONG_ROWS || f->r_groups <= TML_S8_FOLD_GROUPS) {
    tml_lstm_s8_rows_m4(f);
    return;
  }
#endif
#if !(defined(TML_MATH_DSP) && defined(__GNUC__)) || TML_S8_LONG_ROWS
  tml_lstm_s8_rows_c(f);
#endif
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
  tml_lstm_s8_rows f;
  int32_t k;
  tml_s8_widen(h_prev, r->cols, 0, hw, ch);
  f.pr = r->packed;
  f.hw = hw;
  f.r_groups = ch >> 2;
  f.r_bias = r->bias;
  f.r_shift = r->row_shift;
  f.r_m = r->quant.multiplier[0];
  f.r_left = r->quant.left_shift;
  f.r_round = (1 << r->quant.right_shift) >> 1;
  f.r_right = r->quant.right_shift;
  f.pw = NULL;
  f.xw = NULL;
  f.w_groups = cx >> 2;
  f.w_bias = w->bias;
  f.w_shift = w->row_shift;
  f.w_m = w->quant.multiplier[0];
  f.w_left = w->quant.left_shift;
  f.w_round = (1 << w->quant.right_shift) >> 1;
  f.w_right = w->quant.right_shift;
#if defined(TML_MATH_DSP) && defined(__GNUC__)
  if (cx == 8) {
    /* 5 to 8 inputs: W's part of every row before the row loop, x kept in registers
     * (bias and requantization as in the row loop). */
    int16_t *xw = (int16_t *)rest;
    tml_s8_widen(x_t, w->cols, 0, xw, cx);
    f.pw = w->packed;
    f.xw = xw;
    f.wq = wq;
    tml_lstm_s8_w2_m4(&f, hs);
    f.pw = NULL;
  } else
#endif
  if (cx >= 4 && cx <= 4 * TML_LSTM_S8_SHORT_GROUPS) {
    /* W's products in the row loop. */
    int16_t *xw = (int16_t *)rest;
    tml_s8_widen(x_t, w->cols, 0, xw, cx);
    f.pw = w->packed;
    f.xw = xw;
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
  f.wq = wq;
  f.gate = gate;
  f.table = tml_sigmoid_table_q15 + 128;
  f.blocks = sig_blocks;
  if (sig_blocks > 0) {
    tml_lstm_s8_rows_run(&f);
  }
  if (mixed != 0) {
    int16_t *g = gate + 4 * sig_blocks;
    f.table = NULL;
    f.blocks = 1;
    tml_lstm_s8_rows_run(&f);
    for (k = 0; k < 4; ++k) {
      g[k] = (int16_t)tml_table_q15(k < mixed ? tml_sigmoid_table_q15 : tml_tanh_table_q15,
                                    g[k]);
    }
  }
  f.table = tml_tanh_table_q15 + 128;
  f.blocks = hs - tanh_first;
  if (f.blocks > 0) {
    tml_lstm_s8_rows_run(&f);
  }
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
