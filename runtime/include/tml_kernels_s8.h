/*
 * tml_kernels_s8.h - int8 / int16 kernels of the tinyml-compile runtime (DESIGN.md §5, §6).
 *
 * Quantization scheme (the compiler's quantize pass produces exactly this):
 *  - Weights: symmetric int8 in [-127, 127] with one scale per output row (no zero point).
 *    -128 is never used; the packed layouts below rely on it.
 *  - Activations: asymmetric int8 per tensor, real = scale·(q - zero_point).
 *  - Biases: int32 at scale s_in·s_w[row]. The input zero point is folded into the bias
 *    ahead of time: bias_eff[r] = bias[r] - zp_in·Σ_c W[r, c] (tml_fold_bias_s8()), so
 *    the kernels multiply raw int8 inputs.
 *  - Requantization of an int32 accumulator acc of output row r, gemmlowp style (a Q31
 *    rounding high multiply, then a rounding shift):
 *        hi  = (acc·2^left · multiplier[r] + 2^31) >> 32          (SMMULR)
 *        out = (hi + (2^right >> 1)) >> right                     (round half up)
 *    The real factor of row r is multiplier[r]·2^(left - right - 32). The shifts are per
 *    layer (the row with the largest factor gets a multiplier in [2^30, 2^31), the others
 *    proportionally smaller ones), which keeps the per-row epilogue short.
 *    tml_quantize_multipliers_s8() computes them; acc·2^left must fit in int32.
 *
 * Packed weight layout for int8 matrix-vector products ("row-pair lanes"):
 *  The matrix W [rows, cols] is padded with zeros to rows4 = ceil(rows/4)·4 and
 *  cols4 = ceil(cols/4)·4 and stored in blocks of 4 rows × 4 columns, row blocks outer,
 *  column groups inner, 16 bytes per block. Within a block (rows r0..r3, cols c0..c3) the
 *  four 32-bit words are
 *      { r0,r1 × c0,c1 },  { r2,r3 × c0,c1 },  { r0,r1 × c2,c3 },  { r2,r3 × c2,c3 }
 *  and a word for rows (ra, rb) and columns (ca, cb) holds the bytes
 *      [ W[ra][ca], W[rb][ca] - (W[ra][ca] < 0), W[ra][cb], W[rb][cb] - (W[ra][cb] < 0) ].
 *  Read as two little-endian int16 lanes the word is exactly
 *      ( W[ra][ca] + 256·W[rb][ca],  W[ra][cb] + 256·W[rb][cb] ),
 *  while SXTB16 of it is ( W[ra][ca], W[ra][cb] ). So with the input widened once into
 *  int16 pairs (x[ca], x[cb]), one load, one SXTB16 and two SMLADs give four MACs:
 *      acc_e += W[ra]·x,   acc_r += (W[ra] + 256·W[rb])·x,   W[rb]·x = (acc_r - acc_e) / 256.
 *  The division is exact while |W[rb]·x| < 2^23, which holds for 512 columns of int8
 *  (512·127·128 < 2^23); the kernels fold the lane accumulators every 512 columns, so the
 *  result equals the plain int32 dot product for any size. The pure-C path evaluates the
 *  same lane arithmetic (mod 2^32), so the two paths are bit-identical.
 *  tml_pack_weights_s8() produces the layout from a row-major int8 matrix.
 */
#ifndef TML_KERNELS_S8_H
#define TML_KERNELS_S8_H

#include "tml_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Per-row requantization (see the formula above). */
typedef struct {
  const int32_t *multiplier; /**< [rows], each in [0, 2^31). */
  int32_t left_shift;        /**< [0, 31]; non-zero only for factors >= 0.5. */
  int32_t right_shift;       /**< [0, 31]. */
} tml_quant_params;

/** int8 fully connected output stage. */
typedef struct {
  int32_t output_offset; /**< Output zero point, [-128, 127]. */
  int32_t act_min;       /**< Clamp after adding the offset, >= -128 (a fused Relu: the zero point). */
  int32_t act_max;       /**< <= 127, >= act_min. */
} tml_fc_s8_params;

/* =======================================================================================
 * Host-side preparation helpers (the compiler calls them; firmware never does).
 * ===================================================================================== */

/**
 * @brief Requantization parameters for per-row real factors (see the formula above).
 * @param[in]  rows         >= 1.
 * @param[in]  scales       [rows] real factors, each >= 0 and < 2^30; 0 gives multiplier 0.
 * @param[out] multiplier   [rows] Q31 multipliers.
 * @param[out] left_shift   Per-layer left shift.
 * @param[out] right_shift  Per-layer right shift (clamped to 31: factors below 2^-32
 *                          lose precision).
 */
void tml_quantize_multipliers_s8(int32_t rows, const double *scales, int32_t *multiplier,
                                 int32_t *left_shift, int32_t *right_shift);

/** @brief Bytes of the packed layout of a [rows, cols] matrix: ceil4(rows)·ceil4(cols). */
int32_t tml_pack_weights_s8_size(int32_t rows, int32_t cols);

/**
 * @brief Packs a row-major int8 matrix into the row-pair-lane layout (see above).
 * @param[in]  rows, cols  >= 1.
 * @param[in]  w           [rows, cols], every value in [-127, 127].
 * @param[out] packed      tml_pack_weights_s8_size(rows, cols) bytes.
 * @return TML_OK, or TML_ERROR_ARG for bad sizes or a -128 weight.
 */
tml_status tml_pack_weights_s8(int32_t rows, int32_t cols, const int8_t *w, int8_t *packed);

/**
 * @brief bias_eff[r] = (bias ? bias[r] : 0) - input_offset·Σ_c w[r, c]  (row-major w).
 * @param[in]  input_offset  The input zero point.
 */
void tml_fold_bias_s8(int32_t rows, int32_t cols, const int8_t *w, const int32_t *bias,
                         int32_t input_offset, int32_t *bias_eff);

/* =======================================================================================
 * Kernels
 * ===================================================================================== */

/**
 * @brief Scratch bytes of tml_fully_connected_s8(): the input widened to int16,
 * 2·ceil4(in_features).
 * @param[in] weight_dims  [out_features, in_features] (logical, unpadded).
 * @return Bytes, or -1 for malformed dims.
 */
int32_t tml_fully_connected_s8_get_buffer_size(const tml_dims *weight_dims);

/**
 * @brief int8 fully connected layer over a batch:
 *   y[n][r] = clamp(requant_r(Σ_c W[r,c]·x[n][c] + bias_eff[r]) + output_offset).
 *
 * Cost on a Cortex-M4 with the DSP extension: about 1.2 cycles per MAC in the inner loop
 * (see bench/int8_cycles.cc), four rows at a time sharing one widened input.
 *
 * @param[in]  ctx          Scratch of tml_fully_connected_s8_get_buffer_size() bytes.
 * @param[in]  params       Output offset and clamp.
 * @param[in]  quant        Per-row multiplier and shift (out_features entries each).
 * @param[in]  input_dims   Rank >= 1, last dim = in_features; leading dims form the batch.
 * @param[in]  input        int8 [batch, in_features].
 * @param[in]  weight_dims  [out_features, in_features] (logical shape).
 * @param[in]  weights      Packed by tml_pack_weights_s8() (4-byte aligned).
 * @param[in]  bias         int32 [out_features] with the input offset folded in, or NULL.
 * @param[in]  output_dims  Rank >= 1, last dim = out_features, same batch count.
 * @param[out] output       int8 [batch, out_features]; must not overlap input.
 * @return TML_OK, TML_ERROR_ARG or TML_ERROR_BUFFER.
 */
tml_status tml_fully_connected_s8(const tml_context *ctx, const tml_fc_s8_params *params,
                                  const tml_quant_params *quant, const tml_dims *input_dims,
                                  const int8_t *input, const tml_dims *weight_dims,
                                  const int8_t *weights, const int32_t *bias,
                                  const tml_dims *output_dims, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TML_KERNELS_S8_H */
