/* SPDX-License-Identifier: MIT */
/*
 * tml_broadcast_f32.h - internal: the broadcasting loop shared by tml_add/sub/mul/div_f32.
 *
 * Each public kernel file calls tml_binary_broadcast_f32() with a constant operator; after
 * inlining the compiler folds the switch out of the inner loop, so the four kernels get
 * one tight loop each without four copies of the index arithmetic in the sources.
 */
#ifndef TML_BROADCAST_F32_H
#define TML_BROADCAST_F32_H

#include "tml_support.h"
#include "tml_types.h"

enum { TML_BINARY_ADD = 0, TML_BINARY_SUB = 1, TML_BINARY_MUL = 2, TML_BINARY_DIV = 3 };

static inline float tml_binary_apply_f32(int op, float a, float b) {
  switch (op) {
    case TML_BINARY_ADD:
      return a + b;
    case TML_BINARY_SUB:
      return a - b;
    case TML_BINARY_MUL:
      return a * b;
    default:
      return a / b;
  }
}

/* Largest element offset reached by `strides` over `dims`, used to reject strides that
 * would read outside an input of `count` elements. */
static inline int32_t tml_broadcast_max_offset(const tml_dims *dims, const int32_t *strides) {
  int32_t off = 0;
  int32_t k;
  for (k = 0; k < dims->rank; ++k) {
    if (strides[k] < 0) {
      return -1;
    }
    off += (dims->dim[k] - 1) * strides[k];
  }
  return off;
}

static inline tml_status tml_binary_broadcast_f32(int op, const tml_broadcast_params *params,
                                                  const tml_dims *a_dims, const float *a,
                                                  const tml_dims *b_dims, const float *b,
                                                  const tml_dims *y_dims, float *y) {
  int32_t count;
  int32_t a_count;
  int32_t b_count;
  int32_t i;
  TML_CHECK(a != NULL && b != NULL && y != NULL);
  count = tml_dims_count(y_dims);
  a_count = tml_dims_count(a_dims);
  b_count = tml_dims_count(b_dims);
  TML_CHECK(count >= 0 && a_count >= 0 && b_count >= 0);
  if (count == 0) {
    return TML_OK;
  }
  if ((a_count == count || a_count == 1) && (b_count == count || b_count == 1)) {
    /* Same shape or scalar operands: one flat loop, no index arithmetic. */
    const int32_t a_step = (a_count == 1) ? 0 : 1;
    const int32_t b_step = (b_count == 1) ? 0 : 1;
    for (i = 0; i < count; ++i) {
      y[i] = tml_binary_apply_f32(op, a[i * a_step], b[i * b_step]);
    }
    return TML_OK;
  }
  TML_CHECK(params != NULL);
  TML_CHECK(tml_broadcast_max_offset(y_dims, params->a_strides) >= 0 &&
            tml_broadcast_max_offset(y_dims, params->a_strides) < a_count);
  TML_CHECK(tml_broadcast_max_offset(y_dims, params->b_strides) >= 0 &&
            tml_broadcast_max_offset(y_dims, params->b_strides) < b_count);
  {
    const int32_t rank = y_dims->rank;
    const int32_t inner = y_dims->dim[rank - 1];
    const int32_t as = params->a_strides[rank - 1];
    const int32_t bs = params->b_strides[rank - 1];
    const int32_t *strides[2];
    int32_t idx[TML_MAX_RANK] = {0};
    int32_t offsets[2] = {0, 0};
    float *py = y;
    strides[0] = params->a_strides;
    strides[1] = params->b_strides;
    do {
      const float *pa = a + offsets[0];
      const float *pb = b + offsets[1];
      for (i = 0; i < inner; ++i) {
        *py++ = tml_binary_apply_f32(op, *pa, *pb);
        pa += as;
        pb += bs;
      }
    } while (tml_odometer_next(rank, y_dims->dim, idx, 2, strides, offsets));
  }
  return TML_OK;
}

#endif /* TML_BROADCAST_F32_H */
