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

TML_S8_HOT tml_status tml_kron_matvec_s8(const tml_context *ctx, const tml_kron_s8_params *params,
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
     * second product reads both operands contiguously. Four rows of B (then of A) at a
     * time share the loads of the other operand. */
    for (i2 = 0; i2 + 4 <= m2; i2 += 4) {
      const int16_t *b4 = bk + i2 * n2;
      int16_t *t4 = tt + i2 * n1;
      for (j1 = 0; j1 < n1; ++j1) {
        int32_t s[4] = {round, round, round, round};
        tml_dot4_s16(b4, n2, xw + j1 * n2, n2, s);
        t4[j1] = (int16_t)tml_sat16(s[0] >> params->t_shift);
        t4[n1 + j1] = (int16_t)tml_sat16(s[1] >> params->t_shift);
        t4[2 * n1 + j1] = (int16_t)tml_sat16(s[2] >> params->t_shift);
        t4[3 * n1 + j1] = (int16_t)tml_sat16(s[3] >> params->t_shift);
      }
    }
    for (; i2 < m2; ++i2) {
      for (j1 = 0; j1 < n1; ++j1) {
        const int32_t t = tml_dot_s16(xw + j1 * n2, bk + i2 * n2, n2, round);
        tt[i2 * n1 + j1] = (int16_t)tml_sat16(t >> params->t_shift);
      }
    }
    for (i1 = 0; i1 + 4 <= m1; i1 += 4) {
      const int16_t *a4 = ak + i1 * n1;
      int32_t *y = acc + i1 * m2;
      for (i2 = 0; i2 < m2; ++i2) {
        int32_t s[4];
        s[0] = y[i2];
        s[1] = y[m2 + i2];
        s[2] = y[2 * m2 + i2];
        s[3] = y[3 * m2 + i2];
        tml_dot4_s16(a4, n1, tt + i2 * n1, n1, s);
        y[i2] = s[0];
        y[m2 + i2] = s[1];
        y[2 * m2 + i2] = s[2];
        y[3 * m2 + i2] = s[3];
      }
    }
    for (; i1 < m1; ++i1) {
      int32_t *y = acc + i1 * m2;
      for (i2 = 0; i2 < m2; ++i2) {
        y[i2] = tml_dot_s16(ak + i1 * n1, tt + i2 * n1, n1, y[i2]);
      }
    }
  }
  return TML_OK;
}
