/* SPDX-License-Identifier: MIT */
/* tml_gather_f32 - see tml_kernels.h for the contract. */
#include <string.h>

#include "tml_kernels.h"
#include "tml_support.h"

/*
 * Indices may come from a runtime tensor, so their range is checked even when
 * TML_SKIP_ARG_CHECKS removes the shape checks: an out-of-range index is a data hazard.
 */
tml_status tml_gather_f32(const tml_context *ctx, const tml_gather_params *params,
                          const tml_dims *data_dims, const float *data,
                          const tml_dims *indices_dims, const void *indices,
                          const tml_dims *output_dims, float *output) {
  int32_t axis;
  int32_t outer;
  int32_t inner;
  int32_t axis_size;
  int32_t num_indices;
  int32_t o;
  int32_t j;
  int32_t k;
  (void)ctx;
  TML_CHECK(params != NULL && data != NULL && indices != NULL && output != NULL);
  TML_CHECK(params->index_type == TML_INDEX_S32 || params->index_type == TML_INDEX_S64);
  TML_CHECK(tml_dims_count(data_dims) >= 0 && tml_dims_count(output_dims) >= 0);
  num_indices = tml_dims_count(indices_dims);
  TML_CHECK(num_indices >= 0);
  axis = params->axis;
  TML_CHECK(axis >= 0 && axis < data_dims->rank);
  TML_CHECK(output_dims->rank == data_dims->rank + indices_dims->rank - 1);
  for (k = 0; k < output_dims->rank; ++k) {
    int32_t expected;
    if (k < axis) {
      expected = data_dims->dim[k];
    } else if (k < axis + indices_dims->rank) {
      expected = indices_dims->dim[k - axis];
    } else {
      expected = data_dims->dim[k - indices_dims->rank + 1];
    }
    TML_CHECK(output_dims->dim[k] == expected);
  }
  outer = tml_dims_product(data_dims, 0, axis);
  inner = tml_dims_product(data_dims, axis + 1, data_dims->rank);
  axis_size = data_dims->dim[axis];

  for (j = 0; j < num_indices; ++j) {
    int64_t index = (params->index_type == TML_INDEX_S64) ? ((const int64_t *)indices)[j]
                                                          : ((const int32_t *)indices)[j];
    if (index < -(int64_t)axis_size || index >= (int64_t)axis_size) {
      return TML_ERROR_INDEX;
    }
  }
  for (o = 0; o < outer; ++o) {
    const float *src = data + (size_t)o * (size_t)axis_size * (size_t)inner;
    for (j = 0; j < num_indices; ++j) {
      int64_t index = (params->index_type == TML_INDEX_S64) ? ((const int64_t *)indices)[j]
                                                            : ((const int32_t *)indices)[j];
      if (index < 0) {
        index += axis_size;
      }
      memcpy(output, src + (size_t)index * (size_t)inner, (size_t)inner * sizeof(float));
      output += inner;
    }
  }
  return TML_OK;
}
