/* SPDX-License-Identifier: MIT */
/* tml_slice_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_support.h"

/*
 * Same output-order walk as tml_transpose_f32, with per-axis strides step·in_stride
 * (negative for negative steps) from the offset of the start corner.
 */
tml_status tml_slice_f32(const tml_context *ctx, const tml_slice_params *params,
                         const tml_dims *input_dims, const float *input,
                         const tml_dims *output_dims, float *output) {
  int32_t in_strides[TML_MAX_RANK];
  int32_t walk_strides[TML_MAX_RANK];
  int32_t idx[TML_MAX_RANK] = {0};
  int32_t offset = 0;
  int32_t rank;
  int32_t k;
  const int32_t *strides[1];
  (void)ctx;
  TML_CHECK(params != NULL && input != NULL && output != NULL);
  TML_CHECK(tml_dims_count(input_dims) >= 0 && tml_dims_count(output_dims) >= 0);
  rank = input_dims->rank;
  TML_CHECK(rank >= 1 && output_dims->rank == rank);
  if (tml_dims_count(output_dims) == 0) {
    return TML_OK;
  }
  tml_dims_strides(input_dims, in_strides);
  for (k = 0; k < rank; ++k) {
    const int32_t start = params->start[k];
    const int32_t step = params->step[k];
    const int32_t last = start + (output_dims->dim[k] - 1) * step;
    TML_CHECK(step != 0);
    TML_CHECK(start >= 0 && start < input_dims->dim[k]);
    TML_CHECK(last >= 0 && last < input_dims->dim[k]);
    offset += start * in_strides[k];
    walk_strides[k] = step * in_strides[k];
  }
  strides[0] = walk_strides;
  {
    const int32_t inner = output_dims->dim[rank - 1];
    const int32_t inner_stride = walk_strides[rank - 1];
    float *py = output;
    do {
      const float *px = input + offset;
      int32_t i;
      for (i = 0; i < inner; ++i) {
        *py++ = *px;
        px += inner_stride;
      }
    } while (tml_odometer_next(rank, output_dims->dim, idx, 1, strides, &offset));
  }
  return TML_OK;
}
