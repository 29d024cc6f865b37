/* SPDX-License-Identifier: MIT */
/* tml_dequantize_s8 - see tml_kernels_s8.h. */
#include "tml_kernels_s8.h"
#include "tml_support.h"

tml_status tml_dequantize_s8(const tml_dims *dims, const int8_t *input, float scale,
                             int32_t zero_point, float *output) {
  int32_t n;
  int32_t k;
  if (dims == NULL || input == NULL || output == NULL) return TML_ERROR_ARG;
  n = tml_dims_count(dims);
  if (n < 0) return TML_ERROR_ARG;
  for (k = 0; k < n; ++k) output[k] = scale * (float)((int32_t)input[k] - zero_point);
  return TML_OK;
}
