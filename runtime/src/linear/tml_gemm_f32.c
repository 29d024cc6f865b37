/* SPDX-License-Identifier: MIT */
/* tml_gemm_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_math_f32.h"
#include "tml_support.h"

/* alpha·acc + beta·C[at] (C may be NULL): one output from its raw sum. */
static float gemm_finish(const tml_gemm_params *params, float acc, const float *c, int32_t at) {
  acc *= params->alpha;
  if (c != NULL) {
    acc += params->beta * c[at];
  }
  return acc;
}

/*
 * Transposition is expressed as strides. The two layouts exporters write with an A that is
 * not transposed take blocked paths: transB 1 four B rows per pass over the A row
 * (tml_dot4_acc_f32), transB 0 eight B columns per pass (tml_row_times_matrix_f32); both
 * keep the sums in registers and read each A element once per group of outputs. transA 1
 * goes through the plain strided loop.
 */
tml_status tml_gemm_f32(const tml_context *ctx, const tml_gemm_params *params,
                        const tml_dims *a_dims, const float *a, const tml_dims *b_dims,
                        const float *b, const tml_dims *c_dims, const float *c,
                        const tml_dims *y_dims, float *y) {
  int32_t m_size;
  int32_t k_size;
  int32_t n_size;
  int32_t a_m_stride, a_k_stride, b_k_stride, b_n_stride;
  int32_t c_m_stride = 0;
  int32_t c_n_stride = 0;
  int32_t m, n, k;
  (void)ctx;
  TML_CHECK(params != NULL && a != NULL && b != NULL && y != NULL);
  TML_CHECK(a_dims != NULL && b_dims != NULL && y_dims != NULL);
  TML_CHECK(a_dims->rank == 2 && b_dims->rank == 2 && y_dims->rank == 2);
  m_size = params->trans_a ? a_dims->dim[1] : a_dims->dim[0];
  k_size = params->trans_a ? a_dims->dim[0] : a_dims->dim[1];
  n_size = params->trans_b ? b_dims->dim[0] : b_dims->dim[1];
  TML_CHECK((params->trans_b ? b_dims->dim[1] : b_dims->dim[0]) == k_size);
  TML_CHECK(y_dims->dim[0] == m_size && y_dims->dim[1] == n_size);
  a_m_stride = params->trans_a ? 1 : k_size;
  a_k_stride = params->trans_a ? m_size : 1;
  b_k_stride = params->trans_b ? 1 : n_size;
  b_n_stride = params->trans_b ? k_size : 1;

  if (c != NULL) {
    /* Unidirectional broadcast of C to [M, N]: an extent-1 or missing axis gets stride 0. */
    TML_CHECK(c_dims != NULL && c_dims->rank >= 0 && c_dims->rank <= 2);
    if (c_dims->rank >= 1) {
      int32_t cn = c_dims->dim[c_dims->rank - 1];
      TML_CHECK(cn == 1 || cn == n_size);
      c_n_stride = (cn == 1) ? 0 : 1;
    }
    if (c_dims->rank == 2) {
      int32_t cm = c_dims->dim[0];
      TML_CHECK(cm == 1 || cm == m_size);
      c_m_stride = (cm == 1) ? 0 : c_dims->dim[1];
    }
  }

  if (a_k_stride == 1 && b_n_stride == 1) {
    /* transB 0: each A row times B [K, N], eight outputs per pass (tml_row8_acc_f32). */
    for (m = 0; m < m_size; ++m) {
      float *y_row = y + (size_t)m * (size_t)n_size;
      tml_row_times_matrix_f32(a + (size_t)m * (size_t)a_m_stride, b, n_size, k_size, n_size,
                               y_row);
      for (n = 0; n < n_size; ++n) {
        y_row[n] = gemm_finish(params, y_row[n], c, m * c_m_stride + n * c_n_stride);
      }
    }
    return TML_OK;
  }
  for (m = 0; m < m_size; ++m) {
    float *y_row = y + (size_t)m * (size_t)n_size;
    n = 0;
    if (a_k_stride == 1 && b_k_stride == 1) {
      /* A row · four rows of Bᵀ per pass; the sums land in y and are finished below. */
      const float *pa = a + (size_t)m * (size_t)a_m_stride;
      for (; n + 4 <= n_size; n += 4) {
        const float *pb = b + (size_t)n * (size_t)b_n_stride;
        y_row[n] = y_row[n + 1] = y_row[n + 2] = y_row[n + 3] = 0.0f;
        tml_dot4_acc_f32(pb, pb + k_size, pb + 2 * k_size, pb + 3 * k_size, pa, k_size,
                         y_row + n);
      }
    }
    for (k = 0; k < n; ++k) {
      y_row[k] = gemm_finish(params, y_row[k], c, m * c_m_stride + k * c_n_stride);
    }
    for (; n < n_size; ++n) {
      const float *pa = a + (size_t)m * (size_t)a_m_stride;
      const float *pb = b + (size_t)n * (size_t)b_n_stride;
      float acc = 0.0f;
      for (k = 0; k < k_size; ++k) {
        acc += *pa * *pb;
        pa += a_k_stride;
        pb += b_k_stride;
      }
      y_row[n] = gemm_finish(params, acc, c, m * c_m_stride + n * c_n_stride);
    }
  }
  return TML_OK;
}
