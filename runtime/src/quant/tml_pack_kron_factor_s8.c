/* tml_pack_kron_factor_s8 - see tml_kernels_s8.h for the row-pair-word layout. */
#include "tml_kernels_s8.h"

int32_t tml_pack_kron_factor_s8_size(int32_t m, int32_t n) {
  if (m < 1 || n < 1) {
    return -1;
  }
  return (m + (m & 1)) * (n + (n & 1));
}

tml_status tml_pack_kron_factor_s8(int32_t m, int32_t n, const int8_t *f, int8_t *packed) {
  int32_t r;
  int32_t c;
  int32_t k;
  if (m < 1 || n < 1 || f == NULL || packed == NULL) {
    return TML_ERROR_ARG;
  }
  for (k = 0; k < m * n; ++k) {
    if (f[k] == -128) {
      return TML_ERROR_ARG;
    }
  }
  for (r = 0; r < m; r += 2) {
    for (c = 0; c < n + (n & 1); ++c) {
      /* Bytes [F[r][c], F[r+1][c]] for each column: the word of columns (2q, 2q+1) is then
       * [F[r][2q], F[r+1][2q], F[r][2q+1], F[r+1][2q+1]]. Zero in the padding. */
      *packed++ = (int8_t)(c < n ? f[(size_t)r * (size_t)n + (size_t)c] : 0);
      *packed++ = (int8_t)(c < n && r + 1 < m ? f[(size_t)(r + 1) * (size_t)n + (size_t)c] : 0);
    }
  }
  return TML_OK;
}
