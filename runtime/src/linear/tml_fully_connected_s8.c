/* tml_fully_connected_s8 - see tml_kernels_s8.h for the contract and the weight layout. */
#include "tml_kernels_s8.h"
#include "tml_support.h"
#include "tml_support_s8.h"

int32_t tml_fully_connected_s8_get_buffer_size(const tml_dims *weight_dims) {
  if (weight_dims == NULL || weight_dims->rank != 2 || weight_dims->dim[1] < 1) {
    return -1;
  }
  /* The widened input, then one int32 accumulator per (padded) row. */
  return 2 * ((weight_dims->dim[1] + 3) & ~3) + 4 * ((weight_dims->dim[0] + 3) & ~3);
}

TML_S8_HOT tml_status tml_fully_connected_s8(const tml_context *ctx, const tml_fc_s8_params *params,
                                  const tml_quant_params *quant, const tml_dims *input_dims,
                                  const int8_t *input, const tml_dims *weight_dims,
                                  const int8_t *weights, const int32_t *bias,
                                  const tml_dims *output_dims, int8_t *output) {
  int32_t rows;
  int32_t cols;
  int32_t cols4;
  int32_t batch;
  int32_t n;
  int16_t *xw;
  int32_t *acc;
  TML_CHECK(params != NULL && quant != NULL && input != NULL && weights != NULL &&
            output != NULL);
  TML_CHECK(quant->left_shift >= 0 && quant->left_shift <= 31 && quant->right_shift >= 0 &&
            quant->right_shift <= 31);
  TML_CHECK(weight_dims != NULL && weight_dims->rank == 2);
  TML_CHECK(tml_dims_count(input_dims) >= 0 && tml_dims_count(output_dims) >= 0);
  TML_CHECK(input_dims->rank >= 1 && output_dims->rank >= 1);
  rows = weight_dims->dim[0];
  cols = weight_dims->dim[1];
  TML_CHECK(rows >= 1 && cols >= 1);
  TML_CHECK(input_dims->dim[input_dims->rank - 1] == cols);
  TML_CHECK(output_dims->dim[output_dims->rank - 1] == rows);
  batch = tml_dims_product(input_dims, 0, input_dims->rank - 1);
  TML_CHECK(tml_dims_product(output_dims, 0, output_dims->rank - 1) == batch);
  cols4 = (cols + 3) & ~3;
  if (ctx == NULL || ctx->buf == NULL ||
      ctx->size < tml_fully_connected_s8_get_buffer_size(weight_dims)) {
    return TML_ERROR_BUFFER;
  }
  acc = (int32_t *)ctx->buf;
  xw = (int16_t *)(acc + ((rows + 3) & ~3));

  for (n = 0; n < batch; ++n) {
    /* Two simple loops rather than one: the MAC loop and the requantization each keep
     * their operands in registers (fused, the M4's 13 registers spill). */
    int8_t *y = output + (size_t)n * (size_t)rows;
    tml_s8_widen(input + (size_t)n * (size_t)cols, cols, 0, xw, cols4);
    tml_s8_matvec(weights, xw, cols4 >> 2, rows, acc);
    tml_s8_requantize_rows(acc, bias, quant, params->output_offset, params->act_min,
                           params->act_max, rows, y);
  }
  return TML_OK;
}
