/* SPDX-License-Identifier: MIT */
/* tml_quantize_s8 - see tml_kernels_s8.h. */
#include "tml_kernels_s8.h"
#include "tml_support.h"

tml_status tml_quantize_s8(const tml_dims *dims, const float *input, float inv_scale,
                           int32_t zero_point, int8_t *output) {
  int32_t n;
  int32_t k;
  if (dims == NULL || input == NULL || output == NULL) return TML_ERROR_ARG;
  n = tml_dims_count(dims);
  if (n < 0) return TML_ERROR_ARG;
  for (k = 0; k < n; ++k) {
    /* Single-precision multiply, identical on the host and the M4 FPU; the floor without
     * libm (floorf costs ~13 cycles a call and its code): clamped first, the value fits an
     * int32 exactly, and truncation toward zero corrected by one below zero is floor. */
    float v = input[k] * inv_scale + 0.5f;
    int32_t q;
    if (!(v > -1000.0f)) v = -1000.0f; /* also maps NaN to the lower clamp */
    if (v > 1000.0f) v = 1000.0f;
    q = (int32_t)v;
    if ((float)q > v) {
      q -= 1;
    }
    q += zero_point;
    output[k] = (int8_t)(q < -128 ? -128 : (q > 127 ? 127 : q));
  }
  return TML_OK;
}
