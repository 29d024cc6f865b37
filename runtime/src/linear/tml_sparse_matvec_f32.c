/* SPDX-License-Identifier: MIT */
/* tml_sparse_matvec_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_support.h"

static int32_t sparse_index_at(const void *base, tml_sparse_index_type type, int32_t i) {
  switch (type) {
    case TML_SPARSE_INDEX_U8:
      return (int32_t)((const uint8_t *)base)[i];
    case TML_SPARSE_INDEX_U16:
      return (int32_t)((const uint16_t *)base)[i];
    default:
      return ((const int32_t *)base)[i];
  }
}

static int sparse_index_type_valid(tml_sparse_index_type type) {
  return type == TML_SPARSE_INDEX_U8 || type == TML_SPARSE_INDEX_U16 ||
         type == TML_SPARSE_INDEX_S32;
}

tml_status tml_sparse_matvec_f32(const tml_context *ctx, const tml_sparse_params *params,
                                 const void *row_ptr, const void *col_idx, const float *values,
                                 const tml_dims *input_dims, const float *input,
                                 const tml_dims *output_dims, float *output) {
  int32_t batch;
  int32_t n;
  int32_t i;
  (void)ctx;
  TML_CHECK(params != NULL && row_ptr != NULL && input_dims != NULL && input != NULL &&
            output_dims != NULL && output != NULL);
  TML_CHECK(params->rows >= 1 && params->cols >= 1);
  TML_CHECK(sparse_index_type_valid(params->row_ptr_type) &&
            sparse_index_type_valid(params->col_index_type));
  TML_CHECK(input_dims->rank >= 1 && output_dims->rank >= 1);
  TML_CHECK(input_dims->dim[input_dims->rank - 1] == params->cols);
  TML_CHECK(output_dims->dim[output_dims->rank - 1] == params->rows);
  batch = tml_dims_product(input_dims, 0, input_dims->rank - 1);
  TML_CHECK(batch == tml_dims_product(output_dims, 0, output_dims->rank - 1));
  if (sparse_index_at(row_ptr, params->row_ptr_type, 0) != 0) {
    return TML_ERROR_INDEX;
  }
  if (sparse_index_at(row_ptr, params->row_ptr_type, params->rows) > 0 &&
      (col_idx == NULL || values == NULL)) {
    return TML_ERROR_ARG;
  }
  for (n = 0; n < batch; ++n) {
    const float *x = input + (size_t)n * (size_t)params->cols;
    float *y = output + (size_t)n * (size_t)params->rows;
    int32_t begin = 0;
    for (i = 0; i < params->rows; ++i) {
      const int32_t end = sparse_index_at(row_ptr, params->row_ptr_type, i + 1);
      float acc = 0.0f;
      int32_t k;
      if (end < begin) {
        return TML_ERROR_INDEX;
      }
      for (k = begin; k < end; ++k) {
        const int32_t j = sparse_index_at(col_idx, params->col_index_type, k);
        if (j < 0 || j >= params->cols) {
          return TML_ERROR_INDEX;
        }
        acc += values[k] * x[j];
      }
      y[i] += acc;
      begin = end;
    }
  }
  return TML_OK;
}
