/* SPDX-License-Identifier: MIT */
/* tml_sigmoid_f32 - see tml_kernels.h for the contract.
 * The math goes through tml_sigmoidf() so firmware can swap in an approximation. */
#include "tml_kernels.h"
#include "tml_math_f32.h"
#include "tml_support.h"

tml_status tml_sigmoid_f32(const tml_context *ctx, const tml_dims *input_dims, const float *input,
                           const tml_dims *output_dims, float *output) {
  int32_t count;
  int32_t i;
  (void)ctx;
  TML_CHECK(input != NULL && output != NULL);
  count = tml_dims_count(input_dims);
  TML_CHECK(count >= 0 && tml_dims_count(output_dims) == count);
  for (i = 0; i < count; ++i) {
    const float x = input[i];
    output[i] = tml_sigmoidf(x);
  }
  return TML_OK;
}
