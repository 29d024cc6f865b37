/* tml_quantize_multiplier_s8 - see tml_kernels_s8.h. Host-side: uses double and frexp. */
#include <math.h>

#include "tml_kernels_s8.h"

void tml_quantize_multiplier_s8(double scale, int32_t *multiplier, int32_t *shift) {
  int exp = 0;
  double mant;
  int64_t q;
  int32_t s;
  if (!(scale > 0.0)) {
    *multiplier = 0;
    *shift = 31;
    return;
  }
  mant = frexp(scale, &exp); /* scale = mant·2^exp, mant in [0.5, 1) */
  q = (int64_t)llround(mant * 2147483648.0);
  if (q == ((int64_t)1 << 31)) { /* rounding carried into the next power of two */
    q /= 2;
    ++exp;
  }
  s = 31 - exp;
  while (s > 62) { /* too small to represent: give up precision, keep the formula valid */
    q /= 2;
    --s;
  }
  while (s < 1) { /* out of the documented range; saturate */
    q = 2147483647;
    s = 1;
  }
  *multiplier = (int32_t)q;
  *shift = s;
}
