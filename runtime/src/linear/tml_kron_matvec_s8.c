/* tml_kron_matvec_s8 - see tml_kernels_s8.h. */
#include "tml_kernels_s8.h"
#include "tml_support.h"
#include "tml_support_s8.h"

int32_t tml_kron_matvec_s8_get_buffer_size(const tml_kron_s8_params *params) {
  if (params == NULL || params->m1 < 1 || params->n1 < 1 || params->m2 < 1 || params->n2 < 1) {
    return -1;
  }
  return 2 * (params->n1 * params->n2 + params->m2 * params->n1);
}

tml_status tml_kron_matvec_s8(const tml_context *ctx, const tml_kron_s8_params *params,
                              const int16_t *a, const int16_t *b, const int8_t *input,
                              int32_t *acc) {
  int32_t m1, n1, m2, n2, k, i1, i2, j1;
  int32_t round;
  int16_t *xw;
  int16_t *tt;
  TML_CHECK(params != NULL && a != NULL && b != NULL && input != NULL && acc != NULL);
  m1 = params->m1;
  n1 = params->n1;
  m2 = params->m2;
  n2 = params->n2;
  TML_CHECK(m1 >= 1 && n1 >= 1 && m2 >= 1 && n2 >= 1 && params->rank >= 1);
  TML_CHECK(params->t_shift >= 0 && params->t_shift <= 24);
  if (ctx == NULL || ctx->buf == NULL || ctx->size < tml_kron_matvec_s8_get_buffer_size(params)) {
    return TML_ERROR_BUFFER;
  }
  xw = (int16_t *)ctx->buf;
  tt = xw + n1 * n2;
  tml_s8_widen(input, n1 * n2, 0, xw, n1 * n2);
  round = (1 << params->t_shift) >> 1;
  for (k = 0; k < params->rank; ++k) {
    const int16_t *ak = a + (size_t)k * (size_t)(m1 * n1);
    const int16_t *bk = b + (size_t)k * (size_t)(m2 * n2);
    /* Tt[i2][j1] = round(Σ_j2 X[j1, j2]·B[i2, j2] / 2^t_shift), transposed so that the
     * second product reads both operands contiguously. */
    for (i2 = 0; i2 < m2; ++i2) {
      for (j1 = 0; j1 < n1; ++j1) {
        const int32_t t = tml_dot_s16(xw + j1 * n2, bk + i2 * n2, n2, 0);
        tt[i2 * n1 + j1] = (int16_t)tml_sat16((t + round) >> params->t_shift);
      }
    }
    for (i1 = 0; i1 < m1; ++i1) {
      int32_t *y = acc + i1 * m2;
      for (i2 = 0; i2 < m2; ++i2) {
        y[i2] = tml_dot_s16(ak + i1 * n1, tt + i2 * n1, n1, y[i2]);
      }
    }
  }
  return TML_OK;
}
