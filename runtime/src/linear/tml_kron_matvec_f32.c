/* SPDX-License-Identifier: MIT */
/* tml_kron_matvec_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_math_f32.h"
#include "tml_support.h"

int32_t tml_kron_matvec_f32_get_buffer_size(const tml_kron_params *params) {
  if (params == NULL || params->m1 < 1 || params->n1 < 1 || params->m2 < 1 || params->n2 < 1) {
    return -1;
  }
  if (params->order == TML_KRON_AX_FIRST) {
    return (int32_t)sizeof(float) * params->m1 * params->n2;
  }
  return (int32_t)sizeof(float) * params->n1 * params->m2;
}

/* Both orders end in row-by-row dot products over contiguous memory: the M4 keeps the
 * accumulator in a register and streams two pointers. For XBT_FIRST, T is stored
 * transposed (t[i2·n1 + j1]) so that A·T is also a dot of two contiguous rows. */
static void kron_term_xbt_first(const tml_kron_params *p, const float *x, const float *a,
                                const float *b, float *t, float *y, int first) {
  int32_t i1;
  int32_t i2;
  int32_t j1;
  for (i2 = 0; i2 < p->m2; ++i2) {
    const float *b_row = b + (size_t)i2 * (size_t)p->n2;
    for (j1 = 0; j1 < p->n1; ++j1) {
      t[(size_t)i2 * (size_t)p->n1 + (size_t)j1] =
          tml_dot_f32(x + (size_t)j1 * (size_t)p->n2, b_row, p->n2);
    }
  }
  for (i1 = 0; i1 < p->m1; ++i1) {
    const float *a_row = a + (size_t)i1 * (size_t)p->n1;
    float *y_row = y + (size_t)i1 * (size_t)p->m2;
    for (i2 = 0; i2 < p->m2; ++i2) {
      const float v = tml_dot_f32(a_row, t + (size_t)i2 * (size_t)p->n1, p->n1);
      y_row[i2] = first ? v : y_row[i2] + v;
    }
  }
}

static void kron_term_ax_first(const tml_kron_params *p, const float *x, const float *a,
                               const float *b, float *t, float *y, int first) {
  int32_t i1;
  int32_t i2;
  int32_t j1;
  int32_t j2;
  for (i1 = 0; i1 < p->m1; ++i1) {
    const float *a_row = a + (size_t)i1 * (size_t)p->n1;
    float *t_row = t + (size_t)i1 * (size_t)p->n2;
    for (j2 = 0; j2 < p->n2; ++j2) {
      t_row[j2] = 0.0f;
    }
    for (j1 = 0; j1 < p->n1; ++j1) {
      const float aij = a_row[j1];
      const float *x_row = x + (size_t)j1 * (size_t)p->n2;
      for (j2 = 0; j2 < p->n2; ++j2) {
        t_row[j2] += aij * x_row[j2];
      }
    }
  }
  for (i1 = 0; i1 < p->m1; ++i1) {
    const float *t_row = t + (size_t)i1 * (size_t)p->n2;
    float *y_row = y + (size_t)i1 * (size_t)p->m2;
    for (i2 = 0; i2 < p->m2; ++i2) {
      const float v = tml_dot_f32(t_row, b + (size_t)i2 * (size_t)p->n2, p->n2);
      y_row[i2] = first ? v : y_row[i2] + v;
    }
  }
}

tml_status tml_kron_matvec_f32(const tml_context *ctx, const tml_kron_params *params,
                               const tml_dims *input_dims, const float *input,
                               const tml_dims *a_dims, const float *a, const tml_dims *b_dims,
                               const float *b, const tml_dims *bias_dims, const float *bias,
                               const tml_dims *output_dims, float *output) {
  int32_t in_features;
  int32_t out_features;
  int32_t batch;
  int32_t n;
  int32_t k;
  int32_t j;
  int32_t need;
  size_t a_size;
  size_t b_size;
  TML_CHECK(params != NULL && input != NULL && a != NULL && b != NULL && output != NULL);
  TML_CHECK(params->rank >= 1);
  TML_CHECK(params->order == TML_KRON_XBT_FIRST || params->order == TML_KRON_AX_FIRST);
  TML_CHECK(tml_dims_count(input_dims) >= 0 && tml_dims_count(output_dims) >= 0);
  TML_CHECK(input_dims->rank >= 1 && output_dims->rank >= 1);
  need = tml_kron_matvec_f32_get_buffer_size(params);
  TML_CHECK(need > 0);
  in_features = params->n1 * params->n2;
  out_features = params->m1 * params->m2;
  TML_CHECK(tml_dims_count(a_dims) == params->rank * params->m1 * params->n1);
  TML_CHECK(tml_dims_count(b_dims) == params->rank * params->m2 * params->n2);
  TML_CHECK(input_dims->dim[input_dims->rank - 1] == in_features);
  TML_CHECK(output_dims->dim[output_dims->rank - 1] == out_features);
  batch = tml_dims_product(input_dims, 0, input_dims->rank - 1);
  TML_CHECK(tml_dims_product(output_dims, 0, output_dims->rank - 1) == batch);
  TML_CHECK(bias == NULL || tml_dims_count(bias_dims) == out_features);
  if (ctx == NULL || ctx->buf == NULL || ctx->size < need) {
    return TML_ERROR_BUFFER;
  }

  a_size = (size_t)params->m1 * (size_t)params->n1;
  b_size = (size_t)params->m2 * (size_t)params->n2;
  for (n = 0; n < batch; ++n) {
    const float *x = input + (size_t)n * (size_t)in_features;
    float *y = output + (size_t)n * (size_t)out_features;
    for (k = 0; k < params->rank; ++k) {
      const int first = (k == 0 && !params->accumulate);
      if (params->order == TML_KRON_AX_FIRST) {
        kron_term_ax_first(params, x, a + (size_t)k * a_size, b + (size_t)k * b_size,
                           (float *)ctx->buf, y, first);
      } else {
        kron_term_xbt_first(params, x, a + (size_t)k * a_size, b + (size_t)k * b_size,
                            (float *)ctx->buf, y, first);
      }
    }
    if (bias != NULL) {
      for (j = 0; j < out_features; ++j) {
        y[j] += bias[j];
      }
    }
  }
  return TML_OK;
}
