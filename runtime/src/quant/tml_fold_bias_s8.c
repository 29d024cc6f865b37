/* SPDX-License-Identifier: MIT */
/* tml_fold_bias_s8 - see tml_kernels_s8.h. */
#include "tml_kernels_s8.h"

void tml_fold_bias_s8(int32_t rows, int32_t cols, const int8_t *w, const int32_t *bias,
                         int32_t input_offset, int32_t *bias_eff) {
  int32_t r;
  int32_t c;
  for (r = 0; r < rows; ++r) {
    int32_t s = 0;
    for (c = 0; c < cols; ++c) {
      s += w[(size_t)r * (size_t)cols + (size_t)c];
    }
    bias_eff[r] = (bias != NULL ? bias[r] : 0) - input_offset * s;
  }
}
