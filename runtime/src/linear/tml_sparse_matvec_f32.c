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

/*
 * y[i] += S[i, :]·x for every row, the column index type fixed at compile time (one copy per
 * type: the generic switch per element cost more than the multiply-add). Each row's sum is
 * two sums, even and odd non-zeros, so consecutive additions do not wait on each other; both
 * stay in registers and y[i] is written once. A column index >= cols (or < 0 for int32_t)
 * or a decreasing row pointer stops it before that row is written.
 */
#define TML_SPARSE_ROWS(NAME, TYPE, NEG_CHECK)                                                \
  static tml_status NAME(const tml_sparse_params *p, const void *row_ptr, const TYPE *ci,     \
                         const float *v, const float *x, float *y) {                          \
    const int32_t cols = p->cols;                                                             \
    int32_t begin = 0;                                                                        \
    int32_t i;                                                                                \
    for (i = 0; i < p->rows; ++i) {                                                           \
      const int32_t end = sparse_index_at(row_ptr, p->row_ptr_type, i + 1);                   \
      const TYPE *c = ci + begin;                                                             \
      const float *w = v + begin;                                                             \
      int32_t count = end - begin;                                                            \
      float s0 = 0.0f;                                                                        \
      float s1 = 0.0f;                                                                        \
      if (count < 0) {                                                                        \
        return TML_ERROR_INDEX;                                                               \
      }                                                                                       \
      for (; count >= 2; count -= 2) {                                                        \
        const int32_t j0 = (int32_t)c[0];                                                     \
        const int32_t j1 = (int32_t)c[1];                                                     \
        if (NEG_CHECK(j0) j0 >= cols || NEG_CHECK(j1) j1 >= cols) {                          \
          return TML_ERROR_INDEX;                                                             \
        }                                                                                     \
        s0 += w[0] * x[j0];                                                                   \
        s1 += w[1] * x[j1];                                                                   \
        c += 2;                                                                               \
        w += 2;                                                                               \
      }                                                                                       \
      if (count > 0) {                                                                        \
        const int32_t j0 = (int32_t)c[0];                                                     \
        if (NEG_CHECK(j0) j0 >= cols) {                                                       \
          return TML_ERROR_INDEX;                                                             \
        }                                                                                     \
        s0 += w[0] * x[j0];                                                                   \
      }                                                                                       \
      y[i] += s0 + s1;                                                                        \
      begin = end;                                                                            \
    }                                                                                         \
    return TML_OK;                                                                            \
  }
#define TML_SPARSE_NO_NEG(j)
#define TML_SPARSE_NEG(j) (j) < 0 ||
TML_SPARSE_ROWS(sparse_rows_u8, uint8_t, TML_SPARSE_NO_NEG)
TML_SPARSE_ROWS(sparse_rows_u16, uint16_t, TML_SPARSE_NO_NEG)
TML_SPARSE_ROWS(sparse_rows_s32, int32_t, TML_SPARSE_NEG)
#undef TML_SPARSE_ROWS
#undef TML_SPARSE_NO_NEG
#undef TML_SPARSE_NEG

tml_status tml_sparse_matvec_f32(const tml_context *ctx, const tml_sparse_params *params,
                                 const void *row_ptr, const void *col_idx, const float *values,
                                 const tml_dims *input_dims, const float *input,
                                 const tml_dims *output_dims, float *output) {
  int32_t batch;
  int32_t n;
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
    tml_status s;
    switch (params->col_index_type) {
      case TML_SPARSE_INDEX_U8:
        s = sparse_rows_u8(params, row_ptr, (const uint8_t *)col_idx, values, x, y);
        break;
      case TML_SPARSE_INDEX_U16:
        s = sparse_rows_u16(params, row_ptr, (const uint16_t *)col_idx, values, x, y);
        break;
      default:
        s = sparse_rows_s32(params, row_ptr, (const int32_t *)col_idx, values, x, y);
        break;
    }
    if (s != TML_OK) {
      return s;
    }
  }
  return TML_OK;
}
