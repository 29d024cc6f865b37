/* SPDX-License-Identifier: MIT */
/* tml_fully_connected_s8 - see tml_kernels_s8.h for the contract and the weight layout. */
#include "tml_kernels_s8.h"
#include "tml_support.h"
#include "tml_support_s8.h"

int32_t tml_fully_connected_s8_get_buffer_size(const tml_dims *weight_dims) {
  if (weight_dims == NULL || weight_dims->rank != 2 || weight_dims->dim[1] < 1) {
    return -1;
  }
  /* The widened input. */
  return 2 * ((weight_dims->dim[1] + 3) & ~3);
}

/* The layer's output stage, gathered so that the row loop reads it through one pointer. */
typedef struct {
  const int32_t *bias; /* may be NULL */
  const int32_t *mult;
  const int8_t *shift; /* NULL, or the compact form's per-row shifts of mult[0] */
  int32_t left;
  int32_t right;
  int32_t round; /* 2^right >> 1 */
  int32_t offset;
  int32_t lo;
  int32_t hi;
} tml_fc_s8_out;

/* requantize(acc) + offset (tml_kernels_s8.h), before the clamp. */
TML_S8_INLINE int32_t tml_fc_s8_requant(int32_t acc, int32_t mult, int32_t left, int32_t round,
                                        int32_t right, int32_t offset) {
  return (tml_smmlar((int32_t)((uint32_t)acc << left), mult, round) >> right) + offset;
}

/*
 * The output stage of one full row block: y[k] = clamp(requant(s[k] + bias[k])), k < 4.
 * The DSP path clamps the four outputs at once: SSAT to int8, pack the bytes, then a
 * bytewise max/min with lo and hi (SSUB8 sets the GE flags, SEL picks); the result equals
 * the scalar clamp because lo >= -128 and hi <= 127.
 */
TML_S8_INLINE void tml_fc_s8_out4(const int32_t s[4], const int32_t *bias, const int32_t *mult,
                                  const tml_fc_s8_out *o, int8_t *y) {
  const int32_t v0 =
      tml_fc_s8_requant(s[0] + bias[0], mult[0], o->left, o->round, o->right, o->offset);
  const int32_t v1 =
      tml_fc_s8_requant(s[1] + bias[1], mult[1], o->left, o->round, o->right, o->offset);
  const int32_t v2 =
      tml_fc_s8_requant(s[2] + bias[2], mult[2], o->left, o->round, o->right, o->offset);
  const int32_t v3 =
      tml_fc_s8_requant(s[3] + bias[3], mult[3], o->left, o->round, o->right, o->offset);
#if defined(TML_MATH_DSP)
  {
    const uint32_t lo4 = (uint32_t)(o->lo & 0xFF) * 0x01010101u;
    const uint32_t hi4 = (uint32_t)(o->hi & 0xFF) * 0x01010101u;
    /* Halfword pairs (v0, v2) and (v1, v3), then their low bytes interleaved. */
    const uint32_t even = ((uint32_t)TML_SSAT(v0, 8) & 0xFFFFu) | ((uint32_t)TML_SSAT(v2, 8) << 16);
    const uint32_t odd = ((uint32_t)TML_SSAT(v1, 8) & 0xFFFFu) | ((uint32_t)TML_SSAT(v3, 8) << 16);
    uint32_t packed = TML_UXTB16(even) | (TML_UXTB16(odd) << 8);
    (void)__ssub8((int8x4_t)packed, (int8x4_t)lo4);
    packed = __sel(packed, lo4);
    (void)__ssub8((int8x4_t)packed, (int8x4_t)hi4);
    packed = __sel(hi4, packed);
    memcpy(y, &packed, sizeof packed);
  }
#else
  y[0] = (int8_t)tml_clamp_s32(v0, o->lo, o->hi);
  y[1] = (int8_t)tml_clamp_s32(v1, o->lo, o->hi);
  y[2] = (int8_t)tml_clamp_s32(v2, o->lo, o->hi);
  y[3] = (int8_t)tml_clamp_s32(v3, o->lo, o->hi);
#endif
}

/* The bias of a layer without one (read with stride 0). */
static const int32_t tml_fc_s8_no_bias[4] = {0, 0, 0, 0};

/*
 * y = output_stage(W·xw + bias), four rows at a time: each block's dot products are
 * requantized while still in registers (no int32 accumulator round trip through memory,
 * and one pass over the rows instead of two). One loop for both requantization forms and
 * the last, partial block, so that the dot product is inlined once (each copy is ~1 KB of
 * flash, which small int8 models feel): a block's multipliers are the layer's per-row ones
 * or, compact, mult[0] >> shift[k]; a partial block's outputs go through a 4-byte buffer.
 */
TML_S8_HOT TML_S8_OUTLINE void tml_fc_s8_rows(const int8_t *w, const int16_t *xw,
                                              int32_t groups, int32_t rows,
                                              const tml_fc_s8_out *o, int8_t *y) {
  /* Locals, not o->...: the int8 stores through y could alias *o. */
  const tml_fc_s8_out out = *o;
  const int32_t *bias = out.bias != NULL ? out.bias : tml_fc_s8_no_bias;
  const int32_t bias_step = out.bias != NULL ? 4 : 0;
  const int32_t *mult = out.mult;
  const int8_t *shift = out.shift;
  int32_t left = rows;
  while (left > 0) {
    int32_t s[4];
    int32_t m4[4];
    int32_t b4[4];
    int8_t y4[4];
    const int32_t *mb = mult;
    const int32_t *bb = bias;
    int8_t *yb = y;
    int32_t k;
#if TML_S8_LONG_ROWS
    w = tml_s8_dot4(w, xw, groups, s);
#else
    {
      const int16_t *xp = xw;
      tml_s8_dot4_chunk(&w, &xp, groups, s);
    }
#endif
    if (shift != NULL) { /* compact requantization (row_shift holds `rows` entries) */
      const int32_t n = left < 4 ? left : 4;
      m4[0] = m4[1] = m4[2] = m4[3] = 0;
      for (k = 0; k < n; ++k) {
        m4[k] = mult[0] >> shift[k];
      }
      mb = m4;
      shift += 4;
    } else {
      mult += 4;
    }
    if (left < 4) { /* the last, partial block: its padding rows are not stored */
      for (k = 0; k < 4; ++k) {
        b4[k] = k < left ? bias[bias_step != 0 ? k : 0] : 0;
        m4[k] = k < left ? mb[k] : 0;
      }
      mb = m4;
      bb = b4;
      yb = y4;
    }
    tml_fc_s8_out4(s, bb, mb, &out, yb);
    if (left < 4) {
      memcpy(y, y4, (size_t)left);
      break;
    }
    bias += bias_step;
    y += 4;
    left -= 4;
  }
}

TML_S8_HOT tml_status tml_fully_connected_s8(const tml_context *ctx, const tml_fc_s8_params *params,
                                  const tml_quant_params *quant, const tml_dims *input_dims,
                                  const int8_t *input, const tml_dims *weight_dims,
                                  const int8_t *weights, const int32_t *bias,
                                  const tml_dims *output_dims, int8_t *output) {
  int32_t rows;
  int32_t cols;
  int32_t cols4;
  int32_t batch;
  int32_t n;
  int16_t *xw;
  tml_fc_s8_out out;
  TML_CHECK(params != NULL && quant != NULL && input != NULL && weights != NULL &&
            output != NULL);
  TML_CHECK(quant->left_shift >= 0 && quant->left_shift <= 31 && quant->right_shift >= 0 &&
            quant->right_shift <= 31);
  TML_CHECK(weight_dims != NULL && weight_dims->rank == 2);
  TML_CHECK(tml_dims_count(input_dims) >= 0 && tml_dims_count(output_dims) >= 0);
  TML_CHECK(input_dims->rank >= 1 && output_dims->rank >= 1);
  rows = weight_dims->dim[0];
  cols = weight_dims->dim[1];
  TML_CHECK(rows >= 1 && cols >= 1 && TML_S8_ROWS_OK(cols));
  TML_CHECK(input_dims->dim[input_dims->rank - 1] == cols);
  TML_CHECK(output_dims->dim[output_dims->rank - 1] == rows);
  batch = tml_dims_product(input_dims, 0, input_dims->rank - 1);
  TML_CHECK(tml_dims_product(output_dims, 0, output_dims->rank - 1) == batch);
  cols4 = (cols + 3) & ~3;
  if (ctx == NULL || ctx->buf == NULL ||
      ctx->size < tml_fully_connected_s8_get_buffer_size(weight_dims)) {
    return TML_ERROR_BUFFER;
  }
  xw = (int16_t *)ctx->buf;
  out.bias = bias;
  out.mult = quant->multiplier;
  out.shift = params->row_shift;
  out.left = quant->left_shift;
  out.right = quant->right_shift;
  out.round = (1 << quant->right_shift) >> 1;
  out.offset = params->output_offset;
  out.lo = params->act_min;
  out.hi = params->act_max;

  for (n = 0; n < batch; ++n) {
    tml_s8_widen(input + (size_t)n * (size_t)cols, cols, 0, xw, cols4);
    tml_fc_s8_rows(weights, xw, cols4 >> 2, rows, &out, output + (size_t)n * (size_t)rows);
  }
  return TML_OK;
}
