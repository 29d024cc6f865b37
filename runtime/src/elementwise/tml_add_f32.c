/* SPDX-License-Identifier: MIT */
/* tml_add_f32 - see tml_kernels.h for the contract; the loop is in tml_broadcast_f32.h. */
#include "tml_broadcast_f32.h"
#include "tml_kernels.h"

tml_status tml_add_f32(const tml_context *ctx, const tml_broadcast_params *params,
                       const tml_dims *a_dims, const float *a, const tml_dims *b_dims,
                       const float *b, const tml_dims *y_dims, float *y) {
  (void)ctx;
  return tml_binary_broadcast_f32(TML_BINARY_ADD, params, a_dims, a, b_dims, b, y_dims, y);
}
