/* tml_sigmoid_s16 - see tml_kernels_s8.h. */
#include "tml_kernels_s8.h"
#include "tml_support.h"
#include "tml_support_s8.h"

tml_status tml_sigmoid_s16(const tml_dims *dims, const int16_t *input, int16_t *output) {
  int32_t n;
  int32_t k;
  TML_CHECK(input != NULL && output != NULL);
  n = tml_dims_count(dims);
  TML_CHECK(n >= 0);
  for (k = 0; k < n; ++k) {
    output[k] = (int16_t)tml_sigmoid_q15(input[k]);
  }
  return TML_OK;
}
