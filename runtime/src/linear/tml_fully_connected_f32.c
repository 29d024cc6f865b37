/* SPDX-License-Identifier: MIT */
/* tml_fully_connected_f32 - see tml_kernels.h for the contract. */
#include "tml_kernels.h"
#include "tml_math_f32.h"
#include "tml_support.h"

tml_status tml_fully_connected_f32(const tml_context *ctx, const tml_fc_params *params,
                                   const tml_dims *input_dims, const float *input,
                                   const tml_dims *weight_dims, const float *weights,
                                   const tml_dims *bias_dims, const float *bias,
                                   const tml_dims *output_dims, float *output) {
  int32_t in_features;
  int32_t out_features;
  int32_t batch;
  int32_t n;
  int32_t j;
  (void)ctx;
  TML_CHECK(params != NULL && input != NULL && weights != NULL && output != NULL);
  TML_CHECK(tml_dims_count(input_dims) >= 0 && tml_dims_count(output_dims) >= 0);
  TML_CHECK(input_dims->rank >= 1 && output_dims->rank >= 1);
  TML_CHECK(weight_dims != NULL && weight_dims->rank == 2);
  out_features = weight_dims->dim[0];
  in_features = weight_dims->dim[1];
  TML_CHECK(input_dims->dim[input_dims->rank - 1] == in_features);
  TML_CHECK(output_dims->dim[output_dims->rank - 1] == out_features);
  batch = tml_dims_product(input_dims, 0, input_dims->rank - 1);
  TML_CHECK(tml_dims_product(output_dims, 0, output_dims->rank - 1) == batch);
  TML_CHECK(bias == NULL || tml_dims_count(bias_dims) == out_features);

  for (n = 0; n < batch; ++n) {
    const float *x = input + (size_t)n * (size_t)in_features;
    float *y = output + (size_t)n * (size_t)out_features;
    /* Four output features per pass over x; each sum starts at 0 and takes the bias last,
     * as tml_gemm_f32 does, so the two kernels stay bit-identical. */
    for (j = 0; j + 4 <= out_features; j += 4) {
      const float *w0 = weights + (size_t)j * (size_t)in_features;
      float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      int32_t r;
      tml_dot4_acc_f32(w0, w0 + in_features, w0 + 2 * in_features, w0 + 3 * in_features, x,
                       in_features, acc);
      for (r = 0; r < 4; ++r) {
        y[j + r] = tml_clampf(bias != NULL ? acc[r] + bias[j + r] : acc[r], params->act_min,
                              params->act_max);
      }
    }
    for (; j < out_features; ++j) {
      float acc = tml_dot_f32(weights + (size_t)j * (size_t)in_features, x, in_features);
      if (bias != NULL) {
        acc += bias[j];
      }
      y[j] = tml_clampf(acc, params->act_min, params->act_max);
    }
  }
  return TML_OK;
}
