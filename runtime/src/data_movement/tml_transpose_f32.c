/* SPDX-License-Identifier: MIT */
/* tml_transpose_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_support.h"

/*
 * Walks the output in order (sequential writes) and gathers from the input through the
 * permuted input strides, so the innermost loop is a single strided copy.
 */
tml_status tml_transpose_f32(const tml_context *ctx, const tml_transpose_params *params,
                             const tml_dims *input_dims, const float *input,
                             const tml_dims *output_dims, float *output) {
  int32_t in_strides[TML_MAX_RANK];
  int32_t gather_strides[TML_MAX_RANK];
  int32_t idx[TML_MAX_RANK] = {0};
  int32_t seen = 0;
  int32_t offset = 0;
  int32_t rank;
  int32_t count;
  int32_t k;
  const int32_t *strides[1];
  (void)ctx;
  TML_CHECK(params != NULL && input != NULL && output != NULL);
  count = tml_dims_count(input_dims);
  TML_CHECK(count >= 0 && tml_dims_count(output_dims) == count);
  rank = input_dims->rank;
  TML_CHECK(output_dims->rank == rank);
  if (rank == 0) {
    output[0] = input[0];
    return TML_OK;
  }
  tml_dims_strides(input_dims, in_strides);
  for (k = 0; k < rank; ++k) {
    const int32_t p = params->perm[k];
    TML_CHECK(p >= 0 && p < rank && (seen & (1 << p)) == 0);
    seen |= 1 << p;
    TML_CHECK(output_dims->dim[k] == input_dims->dim[p]);
    gather_strides[k] = in_strides[p];
  }
  if (count == 0) {
    return TML_OK;
  }
  strides[0] = gather_strides;
  {
    const int32_t inner = output_dims->dim[rank - 1];
    const int32_t inner_stride = gather_strides[rank - 1];
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
