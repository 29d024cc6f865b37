/* SPDX-License-Identifier: MIT */
/* tml_lut_s8 - see tml_kernels_s8.h. */
#include "tml_kernels_s8.h"
#include "tml_support.h"

tml_status tml_lut_s8(const tml_dims *dims, const int8_t *input, const int8_t table[256],
                      int8_t *output) {
  int32_t count;
  int32_t k;
  if (dims == NULL || input == NULL || table == NULL || output == NULL) return TML_ERROR_ARG;
  count = tml_dims_count(dims);
  if (count < 0) return TML_ERROR_ARG;
  for (k = 0; k < count; ++k) {
    output[k] = table[input[k] + 128];
  }
  return TML_OK;
}
