/* SPDX-License-Identifier: MIT */
/* tml_softmax_s8 - see tml_kernels_s8.h for the contract.
 * e = table[max - x] <= 65535, so e·256 fits 32 bits and Σe >= 65535 (the maximum's own
 * entry): the division is 32-bit and never by zero. Two passes per row: the maximum, then
 * the sum; the outputs are written on a third so that in-place use is safe. */
#include "tml_kernels_s8.h"
#include "tml_support.h"

tml_status tml_softmax_s8(const tml_softmax_params *params, const tml_dims *dims,
                          const int8_t *input, const uint16_t exp_table[256], int8_t *output) {
  int32_t o;
  int32_t i;
  int32_t j;
  TML_CHECK(params != NULL && input != NULL && exp_table != NULL && output != NULL);
  TML_CHECK(params->outer >= 1 && params->axis_size >= 1 && params->inner >= 1);
  TML_CHECK(params->axis_size <= 65536); /* Σe < 2^32 */
  TML_CHECK(tml_dims_count(dims) == params->outer * params->axis_size * params->inner);
  for (o = 0; o < params->outer; ++o) {
    for (i = 0; i < params->inner; ++i) {
      const int32_t base = o * params->axis_size * params->inner + i;
      int32_t max = -128;
      uint32_t sum = 0;
      for (j = 0; j < params->axis_size; ++j) {
        const int32_t x = input[base + j * params->inner];
        max = x > max ? x : max;
      }
      for (j = 0; j < params->axis_size; ++j) {
        sum += exp_table[max - input[base + j * params->inner]];
      }
      for (j = 0; j < params->axis_size; ++j) {
        const uint32_t e = exp_table[max - input[base + j * params->inner]];
        const int32_t q = (int32_t)(((e << 8) + (sum >> 1)) / sum) - 128;
        output[base + j * params->inner] = (int8_t)(q > 127 ? 127 : q);
      }
    }
  }
  return TML_OK;
}
