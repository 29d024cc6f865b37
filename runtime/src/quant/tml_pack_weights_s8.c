/* SPDX-License-Identifier: MIT */
/* tml_pack_weights_s8 - see tml_kernels_s8.h for the layout. */
#include "tml_kernels_s8.h"

int32_t tml_pack_weights_s8_size(int32_t rows, int32_t cols) {
  if (rows < 1 || cols < 1) {
    return -1;
  }
  return ((rows + 3) & ~3) * ((cols + 3) & ~3);
}

/* W[r][c], zero in the padding. */
static int32_t at(int32_t rows, int32_t cols, const int8_t *w, int32_t r, int32_t c) {
  return (r < rows && c < cols) ? w[(size_t)r * (size_t)cols + (size_t)c] : 0;
}

tml_status tml_pack_weights_s8(int32_t rows, int32_t cols, const int8_t *w, int8_t *packed) {
  int32_t rows4;
  int32_t cols4;
  int32_t rb;
  int32_t c;
  int32_t k;
  if (rows < 1 || cols < 1 || w == NULL || packed == NULL) {
    return TML_ERROR_ARG;
  }
  for (k = 0; k < rows * cols; ++k) {
    if (w[k] == -128) {
      return TML_ERROR_ARG;
    }
  }
  rows4 = (rows + 3) & ~3;
  cols4 = (cols + 3) & ~3;
  for (rb = 0; rb < rows4; rb += 4) {
    for (c = 0; c < cols4; c += 4) {
      /* Words: (r0,r1 × c0,c1), (r2,r3 × c0,c1), (r0,r1 × c2,c3), (r2,r3 × c2,c3). */
      int32_t word;
      for (word = 0; word < 4; ++word) {
        const int32_t ra = rb + 2 * (word & 1);
        const int32_t ca = c + 2 * (word >> 1);
        int32_t lane;
        for (lane = 0; lane < 2; ++lane) {
          const int32_t lo = at(rows, cols, w, ra, ca + lane);
          const int32_t hi = at(rows, cols, w, ra + 1, ca + lane) - (lo < 0 ? 1 : 0);
          *packed++ = (int8_t)lo;
          *packed++ = (int8_t)hi;
        }
      }
    }
  }
  return TML_OK;
}
