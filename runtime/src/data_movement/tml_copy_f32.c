/* SPDX-License-Identifier: MIT */
/* tml_copy_f32 - see tml_kernels.h for the contract.
 * memmove, not memcpy: the memory planner may place a reshaped tensor over its source. */
#include <string.h>

#include "tml_kernels.h"
#include "tml_support.h"

tml_status tml_copy_f32(const tml_context *ctx, const tml_dims *input_dims, const float *input,
                        const tml_dims *output_dims, float *output) {
  int32_t count;
  (void)ctx;
  TML_CHECK(input != NULL && output != NULL);
  count = tml_dims_count(input_dims);
  TML_CHECK(count >= 0 && tml_dims_count(output_dims) == count);
  if (output != input && count > 0) {
    memmove(output, input, (size_t)count * sizeof(float));
  }
  return TML_OK;
}
