/* SPDX-License-Identifier: MIT */
/* tml_leaky_relu_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_math_f32.h"
#include "tml_support.h"

tml_status tml_leaky_relu_f32(const tml_context *ctx, const tml_leaky_relu_params *params,
                              const tml_dims *input_dims, const float *input,
                              const tml_dims *output_dims, float *output) {
  int32_t count;
  int32_t i;
  (void)ctx;
  TML_CHECK(params != NULL && input != NULL && output != NULL);
  count = tml_dims_count(input_dims);
  TML_CHECK(count >= 0 && tml_dims_count(output_dims) == count);
  for (i = 0; i < count; ++i) {
    const float x = input[i];
    output[i] = x >= 0.0f ? x : params->alpha * x;
  }
  return TML_OK;
}
