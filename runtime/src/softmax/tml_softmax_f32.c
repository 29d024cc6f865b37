/* SPDX-License-Identifier: MIT */
/* tml_softmax_f32 - see tml_kernels.h for the contract.
 * Subtracting the maximum keeps exp() finite; the exponentials are stored in the output
 * on the first pass so each is computed once, which also makes in-place use safe. */
#include "tml_kernels.h"
#include "tml_math_f32.h"
#include "tml_support.h"

tml_status tml_softmax_f32(const tml_context *ctx, const tml_softmax_params *params,
                           const tml_dims *input_dims, const float *input,
                           const tml_dims *output_dims, float *output) {
  int32_t outer;
  int32_t axis;
  int32_t inner;
  int32_t count;
  int32_t o;
  int32_t i;
  int32_t j;
  (void)ctx;
  TML_CHECK(params != NULL && input != NULL && output != NULL);
  outer = params->outer;
  axis = params->axis_size;
  inner = params->inner;
  count = tml_dims_count(input_dims);
  TML_CHECK(outer >= 0 && axis >= 1 && inner >= 0);
  TML_CHECK(count == outer * axis * inner && tml_dims_count(output_dims) == count);

  for (o = 0; o < outer; ++o) {
    for (i = 0; i < inner; ++i) {
      const size_t base = (size_t)o * (size_t)axis * (size_t)inner + (size_t)i;
      const float *x = input + base;
      float *y = output + base;
      float max = x[0];
      float sum = 0.0f;
      float inv_sum;
      for (j = 1; j < axis; ++j) {
        const float v = x[(size_t)j * (size_t)inner];
        max = v > max ? v : max;
      }
      for (j = 0; j < axis; ++j) {
        const float e = tml_expf(x[(size_t)j * (size_t)inner] - max);
        y[(size_t)j * (size_t)inner] = e;
        sum += e;
      }
      inv_sum = 1.0f / sum;
      for (j = 0; j < axis; ++j) {
        y[(size_t)j * (size_t)inner] *= inv_sum;
      }
    }
  }
  return TML_OK;
}
