/* SPDX-License-Identifier: MIT */
/*
 * tml_support.h - internal helpers for kernel implementations (not part of the kernel API).
 *
 * Argument checks: kernels validate their arguments with TML_CHECK(), which returns
 * TML_ERROR_ARG from the kernel when the condition fails. The checks are O(rank) per
 * call; a firmware build that trusts its compiler can define TML_SKIP_ARG_CHECKS to
 * remove them. Checks of data-dependent hazards (indices read from tensors, scratch size)
 * are not affected by that switch.
 */
#ifndef TML_SUPPORT_H
#define TML_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "tml_types.h"

#if defined(TML_SKIP_ARG_CHECKS)
#define TML_CHECK(cond) ((void)0)
#else
#define TML_CHECK(cond)     \
  do {                      \
    if (!(cond)) {          \
      return TML_ERROR_ARG; \
    }                       \
  } while (0)
#endif

/** Number of elements of a tensor (1 for rank 0), or -1 if the dims are malformed. */
static inline int32_t tml_dims_count(const tml_dims *dims) {
  int32_t n = 1;
  int32_t k;
  if (dims == NULL || dims->rank < 0 || dims->rank > TML_MAX_RANK) {
    return -1;
  }
  for (k = 0; k < dims->rank; ++k) {
    if (dims->dim[k] < 0) {
      return -1;
    }
    n *= dims->dim[k];
  }
  return n;
}

/** Product of dims->dim[first .. last-1] (1 for an empty range). */
static inline int32_t tml_dims_product(const tml_dims *dims, int32_t first, int32_t last) {
  int32_t n = 1;
  int32_t k;
  for (k = first; k < last; ++k) {
    n *= dims->dim[k];
  }
  return n;
}

/** Dense row-major element strides of `dims` into strides[0 .. rank-1]. */
static inline void tml_dims_strides(const tml_dims *dims, int32_t *strides) {
  int32_t s = 1;
  int32_t k;
  for (k = dims->rank - 1; k >= 0; --k) {
    strides[k] = s;
    s *= dims->dim[k];
  }
}

/** 1 if a and b have the same rank and extents. */
static inline int tml_dims_equal(const tml_dims *a, const tml_dims *b) {
  int32_t k;
  if (a->rank != b->rank) {
    return 0;
  }
  for (k = 0; k < a->rank; ++k) {
    if (a->dim[k] != b->dim[k]) {
      return 0;
    }
  }
  return 1;
}

/**
 * Advances the multi-index idx[0 .. rank-2] (the last axis is handled by the caller's
 * inner loop) like an odometer over `shape`, and moves each offset by its stride. Returns
 * 0 once every index has wrapped (iteration finished).
 */
static inline int tml_odometer_next(int32_t rank, const int32_t *shape, int32_t *idx,
                                    int32_t num_offsets, const int32_t *const *strides,
                                    int32_t *offsets) {
  int32_t k;
  int32_t j;
  for (k = rank - 2; k >= 0; --k) {
    ++idx[k];
    for (j = 0; j < num_offsets; ++j) {
      offsets[j] += strides[j][k];
    }
    if (idx[k] < shape[k]) {
      return 1;
    }
    for (j = 0; j < num_offsets; ++j) {
      offsets[j] -= strides[j][k] * shape[k];
    }
    idx[k] = 0;
  }
  return 0;
}

#endif /* TML_SUPPORT_H */
