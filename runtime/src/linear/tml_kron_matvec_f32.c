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

/*
 * y_row[i] (=|+=) sum_k m[i·ld + k]·v[k] for i in [0, rows): rows of m against one vector
 * v [n], four rows per pass over v (tml_dot4_acc_f32) with the sums in registers. Each sum
 * starts from 0 and is added to y_row afterwards, so `first` or not, the product is rounded
 * the same way.
 */
static void kron_rows_dot(const float *m, int32_t ld, const float *v, int32_t n, int32_t rows,
                          float *y_row, int first) {
  int32_t i = 0;
  float acc[4];
  if (n <= 2) {
    /* Factors one or two columns wide (B [128, 2] is what --kronecker auto picks for an
     * LSTM's R): v stays in registers and each row is one or two products, where the
     * four-row pass would spend more on its set-up than on them. */
    const float v0 = v[0];
    const float v1 = n == 2 ? v[1] : 0.0f;
    for (; i < rows; ++i) {
      const float *r = m + (size_t)i * (size_t)ld;
      const float s = n == 2 ? r[0] * v0 + r[1] * v1 : r[0] * v0;
      y_row[i] = first ? s : y_row[i] + s;
    }
    return;
  }
  for (; i + 4 <= rows; i += 4) {
    const float *r0 = m + (size_t)i * (size_t)ld;
    acc[0] = acc[1] = acc[2] = acc[3] = 0.0f;
    tml_dot4_acc_f32(r0, r0 + ld, r0 + 2 * ld, r0 + 3 * ld, v, n, acc);
    if (first) {
      y_row[i] = acc[0];
      y_row[i + 1] = acc[1];
      y_row[i + 2] = acc[2];
      y_row[i + 3] = acc[3];
    } else {
      y_row[i] += acc[0];
      y_row[i + 1] += acc[1];
      y_row[i + 2] += acc[2];
      y_row[i + 3] += acc[3];
    }
  }
  for (; i < rows; ++i) {
    const float v_i = tml_dot_f32(m + (size_t)i * (size_t)ld, v, n);
    y_row[i] = first ? v_i : y_row[i] + v_i;
  }
}

/* Both orders are two small products with their sums in registers, each input element
 * read once per group of four (or eight) outputs. XBT_FIRST: T = X·Bᵀ is stored transposed
 * (t[i2·n1 + j1]) so that four rows of X meet one row of B, and A·T is four rows of T
 * against one row of A. AX_FIRST: T = A·X is a row times a matrix, eight columns per pass
 * (tml_row_times_matrix_f32), and T·Bᵀ is four rows of B against one row of T. */
static void kron_term_xbt_first(const tml_kron_params *p, const float *x, const float *a,
                                const float *b, float *t, float *y, int first) {
  int32_t i1;
  int32_t i2;
  for (i2 = 0; i2 < p->m2; ++i2) {
    kron_rows_dot(x, p->n2, b + (size_t)i2 * (size_t)p->n2, p->n2, p->n1,
                  t + (size_t)i2 * (size_t)p->n1, 1);
  }
  for (i1 = 0; i1 < p->m1; ++i1) {
    kron_rows_dot(t, p->n1, a + (size_t)i1 * (size_t)p->n1, p->n1, p->m2,
                  y + (size_t)i1 * (size_t)p->m2, first);
  }
}

static void kron_term_ax_first(const tml_kron_params *p, const float *x, const float *a,
                               const float *b, float *t, float *y, int first) {
  int32_t i1;
  for (i1 = 0; i1 < p->m1; ++i1) {
    tml_row_times_matrix_f32(a + (size_t)i1 * (size_t)p->n1, x, p->n2, p->n1, p->n2,
                             t + (size_t)i1 * (size_t)p->n2);
  }
  for (i1 = 0; i1 < p->m1; ++i1) {
    kron_rows_dot(b, p->n2, t + (size_t)i1 * (size_t)p->n2, p->n2, p->m2,
                  y + (size_t)i1 * (size_t)p->m2, first);
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
