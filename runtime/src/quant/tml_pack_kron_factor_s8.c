/* SPDX-License-Identifier: MIT */
/* tml_pack_kron_factor_s8, tml_pack_kron_s8 - see tml_kernels_s8.h for the row-pair-word
 * layout and the order of the terms. */
#include "tml_kernels_s8.h"

int32_t tml_pack_kron_factor_s8_size(int32_t m, int32_t n) {
  if (m < 1 || n < 1) {
    return -1;
  }
  return (m + (m & 1)) * (n + (n & 1));
}

/* The bytes of rows r, r + 1 of the row-major factor f [m, n], columns padded to even:
 * [F[r][c], F[r+1][c]] for each column, so that the word of columns (2q, 2q+1) is
 * [F[r][2q], F[r+1][2q], F[r][2q+1], F[r+1][2q+1]]. Zero in the padding. */
static int8_t *tml_pack_row_pair(int32_t m, int32_t n, const int8_t *f, int32_t r, int8_t *packed) {
  int32_t c;
  for (c = 0; c < n + (n & 1); ++c) {
    *packed++ = (int8_t)(c < n ? f[(size_t)r * (size_t)n + (size_t)c] : 0);
    *packed++ = (int8_t)(c < n && r + 1 < m ? f[(size_t)(r + 1) * (size_t)n + (size_t)c] : 0);
  }
  return packed;
}

static int tml_has_minus_128(const int8_t *f, int32_t count) {
  int32_t k;
  for (k = 0; k < count; ++k) {
    if (f[k] == -128) {
      return 1;
    }
  }
  return 0;
}

tml_status tml_pack_kron_factor_s8(int32_t m, int32_t n, const int8_t *f, int8_t *packed) {
  int32_t r;
  if (m < 1 || n < 1 || f == NULL || packed == NULL || tml_has_minus_128(f, m * n)) {
    return TML_ERROR_ARG;
  }
  for (r = 0; r < m; r += 2) {
    packed = tml_pack_row_pair(m, n, f, r, packed);
  }
  return TML_OK;
}

/* `rank` row-major factors [m, n], one after the other, packed term after term
 * (side_by_side == 0) or with each row pair holding the row pairs of all terms. */
static void tml_pack_terms(int32_t rank, int32_t m, int32_t n, int side_by_side, const int8_t *f,
                           int8_t *packed) {
  const size_t term = (size_t)m * (size_t)n;
  int32_t r;
  int32_t k;
  if (side_by_side) {
    for (r = 0; r < m; r += 2) {
      for (k = 0; k < rank; ++k) {
        packed = tml_pack_row_pair(m, n, f + (size_t)k * term, r, packed);
      }
    }
    return;
  }
  for (k = 0; k < rank; ++k) {
    for (r = 0; r < m; r += 2) {
      packed = tml_pack_row_pair(m, n, f + (size_t)k * term, r, packed);
    }
  }
}

tml_status tml_pack_kron_s8(const tml_kron_s8_params *params, const int8_t *a, const int8_t *b,
                            int8_t *packed_a, int8_t *packed_b) {
  int a_first;
  if (params == NULL || params->m1 < 1 || params->n1 < 1 || params->m2 < 1 || params->n2 < 1 ||
      params->rank < 1 || a == NULL || b == NULL || packed_a == NULL || packed_b == NULL ||
      tml_has_minus_128(a, params->rank * params->m1 * params->n1) ||
      tml_has_minus_128(b, params->rank * params->m2 * params->n2)) {
    return TML_ERROR_ARG;
  }
  /* The factor of the second stage (A for T first, B for A·X first) has its terms side by
   * side: the kernel sums all of them in one pass over the outputs. */
  a_first = tml_kron_s8_a_first(params);
  tml_pack_terms(params->rank, params->m1, params->n1, !a_first, a, packed_a);
  tml_pack_terms(params->rank, params->m2, params->n2, a_first, b, packed_b);
  return TML_OK;
}
