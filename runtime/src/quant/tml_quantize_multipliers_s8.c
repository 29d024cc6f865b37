/* SPDX-License-Identifier: MIT */
/* tml_quantize_multipliers_s8 - see tml_kernels_s8.h. Host-side: uses double and frexp. */
#include <math.h>

#include "tml_kernels_s8.h"

void tml_quantize_multipliers_s8(int32_t rows, const double *scales, int32_t *multiplier,
                                 int32_t *left_shift, int32_t *right_shift) {
  double max_scale = 0.0;
  double unit;
  int exp = 0;
  int32_t left;
  int32_t right;
  int32_t r;
  for (r = 0; r < rows; ++r) {
    if (scales[r] > max_scale) {
      max_scale = scales[r];
    }
  }
  if (max_scale > 0.0) {
    (void)frexp(max_scale, &exp); /* max_scale = mant·2^exp, mant in [0.5, 1) */
  }
  /* multiplier = scale·2^(32 + right - left) = mant·2^31 puts the largest in [2^30, 2^31). */
  left = exp >= 0 ? exp + 1 : 0;
  right = exp >= 0 ? 0 : -1 - exp;
  if (right > 31) {
    right = 31;
  }
  unit = ldexp(1.0, 32 + right - left);
  for (r = 0; r < rows; ++r) {
    double m = scales[r] > 0.0 ? floor(scales[r] * unit + 0.5) : 0.0;
    if (m > 2147483647.0) {
      m = 2147483647.0; /* the largest factor rounded up to 2^31 */
    }
    multiplier[r] = (int32_t)m;
  }
  *left_shift = left;
  *right_shift = right;
}
