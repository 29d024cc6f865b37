/* SPDX-License-Identifier: MIT */
/* tml_broadcast_params_init - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_support.h"

/* Right-aligns the input shape with the output shape (numpy rule): input axis
 * k - (y rank - x rank) lines up with output axis k. */
static int tml_broadcast_strides(const tml_dims *x_dims, const tml_dims *y_dims, int32_t *strides) {
  const int32_t offset = y_dims->rank - x_dims->rank;
  int32_t stride = 1;
  int32_t k;
  for (k = TML_MAX_RANK - 1; k >= 0; --k) {
    strides[k] = 0;
  }
  for (k = y_dims->rank - 1; k >= 0; --k) {
    const int32_t ax = k - offset;
    if (ax < 0) {
      continue;
    }
    if (x_dims->dim[ax] == 1) {
      strides[k] = 0;
    } else if (x_dims->dim[ax] == y_dims->dim[k]) {
      strides[k] = stride;
    } else {
      return 0;
    }
    stride *= x_dims->dim[ax];
  }
  return 1;
}

tml_status tml_broadcast_params_init(const tml_dims *a_dims, const tml_dims *b_dims,
                                     const tml_dims *y_dims, tml_broadcast_params *params) {
  TML_CHECK(params != NULL);
  TML_CHECK(tml_dims_count(a_dims) >= 0 && tml_dims_count(b_dims) >= 0 &&
            tml_dims_count(y_dims) >= 0);
  TML_CHECK(a_dims->rank <= y_dims->rank && b_dims->rank <= y_dims->rank);
  /* Not TML_CHECK: this is the compile-time validation itself, so it is never skipped. */
  if (!tml_broadcast_strides(a_dims, y_dims, params->a_strides) ||
      !tml_broadcast_strides(b_dims, y_dims, params->b_strides)) {
    return TML_ERROR_ARG;
  }
  return TML_OK;
}
