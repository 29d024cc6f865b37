/* SPDX-License-Identifier: MIT */
/* tml_concat_f32 - see tml_kernels.h for the contract. */
#include <string.h>

#include "tml_kernels.h"
#include "tml_support.h"

/*
 * For a fixed index over the axes before `axis`, each input contributes one contiguous
 * block of dim[axis]·inner elements, and the blocks of all inputs are adjacent in the
 * output: the whole op is outer × num_inputs memcpy calls.
 */
tml_status tml_concat_f32(const tml_context *ctx, const tml_concat_params *params,
                          const tml_dims *input_dims, const float *const *inputs,
                          const tml_dims *output_dims, float *output) {
  int32_t axis;
  int32_t outer;
  int32_t inner;
  int32_t axis_total = 0;
  int32_t o;
  int32_t n;
  int32_t k;
  (void)ctx;
  TML_CHECK(params != NULL && input_dims != NULL && inputs != NULL && output != NULL);
  TML_CHECK(params->num_inputs >= 1);
  TML_CHECK(tml_dims_count(output_dims) >= 0);
  axis = params->axis;
  TML_CHECK(axis >= 0 && axis < output_dims->rank);
  for (n = 0; n < params->num_inputs; ++n) {
    const tml_dims *d = &input_dims[n];
    TML_CHECK(tml_dims_count(d) >= 0 && d->rank == output_dims->rank);
    for (k = 0; k < d->rank; ++k) {
      TML_CHECK(k == axis || d->dim[k] == output_dims->dim[k]);
    }
    TML_CHECK(inputs[n] != NULL || d->dim[axis] == 0);
    axis_total += d->dim[axis];
  }
  TML_CHECK(axis_total == output_dims->dim[axis]);
  outer = tml_dims_product(output_dims, 0, axis);
  inner = tml_dims_product(output_dims, axis + 1, output_dims->rank);

  for (o = 0; o < outer; ++o) {
    for (n = 0; n < params->num_inputs; ++n) {
      const size_t block = (size_t)input_dims[n].dim[axis] * (size_t)inner;
      if (block > 0) {
        memcpy(output, inputs[n] + (size_t)o * block, block * sizeof(float));
        output += block;
      }
    }
  }
  return TML_OK;
}
