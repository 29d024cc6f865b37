/* SPDX-License-Identifier: MIT */
/*
 * tml_recurrent_f32.h - internal: shape checks and the sequence loop shared by
 * tml_lstm_f32, tml_gru_f32 and tml_rnn_f32.
 *
 * The full-sequence kernels differ only in their cell, so each passes its step kernel
 * through a small adapter with one common signature (a function pointer, not a switch:
 * a switch would make every full kernel reference all three step kernels, and the codegen
 * copies only the ones a model uses). One indirect call per time step and batch row is
 * negligible next to the matrix-vector products of the step.
 *
 * Batch rows are processed one after the other, each through its whole sequence: the rows
 * are independent, and this keeps the state scratch at one row (H or 2·H floats) whatever
 * the batch size.
 */
#ifndef TML_RECURRENT_F32_H
#define TML_RECURRENT_F32_H

#include <string.h>

#include "tml_support.h"
#include "tml_types.h"

/** Sizes of a full-sequence call, derived from the tensor dims. */
typedef struct {
  int32_t seq_length;     /* S */
  int32_t batch_size;     /* N */
  int32_t input_size;     /* I */
  int32_t hidden_size;    /* H */
  int32_t num_directions; /* D */
  int32_t gates;          /* G: 4 LSTM, 3 GRU, 1 RNN */
  int32_t layout;         /* 0 or 1 */
} tml_rnn_shape;

/** Step adapter: c is the cell state (LSTM) or NULL. h and c hold the previous state on
 * entry and the new state on return. */
typedef tml_status (*tml_rnn_step_fn)(const tml_context *ctx, const tml_rnn_cell_params *cell,
                                      const tml_rnn_weights_f32 *weights, const float *x_t,
                                      float *h, float *c);

static inline int tml_rnn_dims_are(const tml_dims *d, int32_t rank, int32_t d0, int32_t d1,
                                   int32_t d2, int32_t d3) {
  const int32_t want[4] = {d0, d1, d2, d3};
  int32_t k;
  if (d == NULL || d->rank != rank) {
    return 0;
  }
  for (k = 0; k < rank; ++k) {
    if (d->dim[k] != want[k]) {
      return 0;
    }
  }
  return 1;
}

/** 1 if `dims` is a valid initial_h/initial_c/Y_h/Y_c shape: [D, N, H] or [N, D, H]. */
static inline int tml_rnn_state_dims_ok(const tml_rnn_shape *s, const tml_dims *dims) {
  return s->layout == 0
             ? tml_rnn_dims_are(dims, 3, s->num_directions, s->batch_size, s->hidden_size, 0)
             : tml_rnn_dims_are(dims, 3, s->batch_size, s->num_directions, s->hidden_size, 0);
}

/**
 * Checks the inputs and outputs every recurrent op has (X, W, R, B, sequence_lens,
 * initial_h, Y, Y_h) and fills `s`. Optional tensors are checked only when present.
 */
static inline tml_status tml_rnn_shape_init(
    const tml_rnn_params *params, int32_t gates, const tml_dims *x_dims, const float *x,
    const tml_dims *w_dims, const float *w, const tml_dims *r_dims, const float *r,
    const tml_dims *b_dims, const float *b, const tml_dims *sequence_lens_dims,
    const int32_t *sequence_lens, const tml_dims *initial_h_dims, const float *initial_h,
    const tml_dims *y_dims, const float *y, const tml_dims *y_h_dims, const float *y_h,
    tml_rnn_shape *s) {
  int32_t gh;
  TML_CHECK(params != NULL && x != NULL && w != NULL && r != NULL);
  TML_CHECK(x_dims != NULL && x_dims->rank == 3 && w_dims != NULL && w_dims->rank == 3);
  TML_CHECK(params->layout == 0 || params->layout == 1);
  TML_CHECK(params->direction == TML_RNN_FORWARD || params->direction == TML_RNN_REVERSE ||
            params->direction == TML_RNN_BIDIRECTIONAL);
  s->layout = params->layout;
  s->gates = gates;
  s->seq_length = params->layout == 0 ? x_dims->dim[0] : x_dims->dim[1];
  s->batch_size = params->layout == 0 ? x_dims->dim[1] : x_dims->dim[0];
  s->input_size = x_dims->dim[2];
  s->num_directions = params->direction == TML_RNN_BIDIRECTIONAL ? 2 : 1;
  TML_CHECK(w_dims->dim[1] % gates == 0);
  s->hidden_size = w_dims->dim[1] / gates;
  gh = gates * s->hidden_size;
  TML_CHECK(s->seq_length >= 0 && s->batch_size >= 0 && s->input_size >= 1 && s->hidden_size >= 1);
  TML_CHECK(tml_rnn_dims_are(w_dims, 3, s->num_directions, gh, s->input_size, 0));
  TML_CHECK(tml_rnn_dims_are(r_dims, 3, s->num_directions, gh, s->hidden_size, 0));
  TML_CHECK(b == NULL || tml_rnn_dims_are(b_dims, 2, s->num_directions, 2 * gh, 0, 0));
  TML_CHECK(sequence_lens == NULL ||
            tml_rnn_dims_are(sequence_lens_dims, 1, s->batch_size, 0, 0, 0));
  TML_CHECK(initial_h == NULL || tml_rnn_state_dims_ok(s, initial_h_dims));
  TML_CHECK(y_h == NULL || tml_rnn_state_dims_ok(s, y_h_dims));
  TML_CHECK(y == NULL ||
            (s->layout == 0 ? tml_rnn_dims_are(y_dims, 4, s->seq_length, s->num_directions,
                                               s->batch_size, s->hidden_size)
                            : tml_rnn_dims_are(y_dims, 4, s->batch_size, s->seq_length,
                                               s->num_directions, s->hidden_size)));
  return TML_OK;
}

static inline size_t tml_rnn_x_offset(const tml_rnn_shape *s, int32_t t, int32_t n) {
  const int32_t row = s->layout == 0 ? t * s->batch_size + n : n * s->seq_length + t;
  return (size_t)row * (size_t)s->input_size;
}

static inline size_t tml_rnn_state_offset(const tml_rnn_shape *s, int32_t d, int32_t n) {
  const int32_t row = s->layout == 0 ? d * s->batch_size + n : n * s->num_directions + d;
  return (size_t)row * (size_t)s->hidden_size;
}

static inline size_t tml_rnn_y_offset(const tml_rnn_shape *s, int32_t t, int32_t d, int32_t n) {
  const int32_t row = s->layout == 0 ? (t * s->num_directions + d) * s->batch_size + n
                                     : (n * s->seq_length + t) * s->num_directions + d;
  return (size_t)row * (size_t)s->hidden_size;
}

/** Bytes of state scratch the sequence loop keeps before the step's own scratch. */
static inline int32_t tml_rnn_state_bytes(int32_t hidden_size, int has_cell) {
  return (has_cell ? 2 : 1) * hidden_size * (int32_t)sizeof(float);
}

/**
 * Runs every direction and batch row through the sequence. `p`, `initial_c` and `y_c` are
 * used only when has_cell (LSTM). Scratch layout: h [H], c [H] (LSTM), then the step's.
 */
static inline tml_status tml_rnn_sequence_f32(const tml_context *ctx, const tml_rnn_params *params,
                                              const tml_rnn_shape *s, int has_cell,
                                              tml_rnn_step_fn step, const float *x, const float *w,
                                              const float *r, const float *b, const float *p,
                                              const int32_t *sequence_lens, const float *initial_h,
                                              const float *initial_c, float *y, float *y_h,
                                              float *y_c) {
  const int32_t hs = s->hidden_size;
  const int32_t gh = s->gates * hs;
  const int32_t state_bytes = tml_rnn_state_bytes(hs, has_cell);
  const size_t h_bytes = (size_t)hs * sizeof(float);
  tml_rnn_cell_params cell;
  tml_context step_ctx;
  float *h;
  float *c;
  int32_t d, n, k;

  if (ctx == NULL || ctx->buf == NULL || ctx->size < state_bytes) {
    return TML_ERROR_BUFFER;
  }
  h = (float *)ctx->buf;
  c = has_cell ? h + hs : NULL;
  step_ctx.buf = h + (has_cell ? 2 * hs : hs);
  step_ctx.size = ctx->size - state_bytes;
  cell.input_size = s->input_size;
  cell.hidden_size = hs;
  cell.clip = params->clip;
  cell.input_forget = params->input_forget;
  cell.linear_before_reset = params->linear_before_reset;

  /* sequence_lens is runtime data: range-check it before writing any output. */
  if (sequence_lens != NULL) {
    for (n = 0; n < s->batch_size; ++n) {
      if (sequence_lens[n] < 0 || sequence_lens[n] > s->seq_length) {
        return TML_ERROR_INDEX;
      }
    }
  }

  for (d = 0; d < s->num_directions; ++d) {
    const int reverse = params->direction == TML_RNN_REVERSE || d == 1;
    tml_rnn_weights_f32 weights;
    weights.w = w + (size_t)d * (size_t)gh * (size_t)s->input_size;
    weights.r = r + (size_t)d * (size_t)gh * (size_t)hs;
    weights.b = (b != NULL) ? b + (size_t)d * 2u * (size_t)gh : NULL;
    weights.p = (has_cell && p != NULL) ? p + (size_t)d * 3u * (size_t)hs : NULL;
    for (n = 0; n < s->batch_size; ++n) {
      const int32_t len = (sequence_lens != NULL) ? sequence_lens[n] : s->seq_length;
      const size_t state_off = tml_rnn_state_offset(s, d, n);
      if (initial_h != NULL) {
        memcpy(h, initial_h + state_off, h_bytes);
      } else {
        memset(h, 0, h_bytes);
      }
      if (has_cell) {
        if (initial_c != NULL) {
          memcpy(c, initial_c + state_off, h_bytes);
        } else {
          memset(c, 0, h_bytes);
        }
      }
      for (k = 0; k < len; ++k) {
        const int32_t t = reverse ? len - 1 - k : k;
        const tml_status st = step(&step_ctx, &cell, &weights, x + tml_rnn_x_offset(s, t, n), h, c);
        if (st != TML_OK) {
          return st;
        }
        if (y != NULL) {
          memcpy(y + tml_rnn_y_offset(s, t, d, n), h, h_bytes);
        }
      }
      if (y != NULL) {
        for (k = len; k < s->seq_length; ++k) {
          memset(y + tml_rnn_y_offset(s, k, d, n), 0, h_bytes);
        }
      }
      if (y_h != NULL) {
        memcpy(y_h + state_off, h, h_bytes);
      }
      if (has_cell && y_c != NULL) {
        memcpy(y_c + state_off, c, h_bytes);
      }
    }
  }
  return TML_OK;
}

#endif /* TML_RECURRENT_F32_H */
