/* SPDX-License-Identifier: MIT */
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
  /** NULL: quant->multiplier holds one multiplier per row. Otherwise the compact form: the
   * rows' scales are the largest one times 2^-row_shift[r] (row_shift in [0, 14]), so row r
   * requantizes with quant->multiplier[0] >> row_shift[r]: 1 byte per row instead of 4. */
  const int8_t *row_shift;
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
 * Model edges: float <-> int8 activations (generated code keeps float in/out)
 * ===================================================================================== */

/**
 * @brief q = clamp(floor(x·inv_scale + 0.5) + zero_point, -128, 127), element-wise, in
 * single precision (bit-identical on the host and the Cortex-M4 FPU).
 * @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_quantize_s8(const tml_dims *dims, const float *input, float inv_scale,
                           int32_t zero_point, int8_t *output);

/** @brief x = scale·(q - zero_point), element-wise. @return TML_OK or TML_ERROR_ARG. */
tml_status tml_dequantize_s8(const tml_dims *dims, const int8_t *input, float scale,
                             int32_t zero_point, float *output);

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
 * Cost on a Cortex-M4 with the DSP extension: 19 cycles per 16 MACs in the inner loop
 * (four rows at a time sharing one widened input); each 4-row block is requantized while
 * its sums are still in registers. With the call, checks, input widening and
 * requantization: 1.54 cycles/MAC at 128×128, 1.38 at 256×256 (bench/int8_cycles.cc).
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

/* =======================================================================================
 * Kronecker and sparse int8 operators, int16 activations, the int8 LSTM step
 * ===================================================================================== */

/**
 * y = bias + Σ_k (A_k ⊗ B_k)·x with int8 factors (A_k [m1, n1], B_k [m2, n2], values in
 * [-127, 127]). All terms share the per-row scales sA[i1] and sB[i2], so output row
 * (i1·m2 + i2) has scale sx·sA[i1]·sB[i2]·2^t_shift.
 * Evaluation (T = X·Bᵀ first): T[j1, i2] = Σ_j2 X[j1, j2]·B[i2, j2] in int32, kept in int16
 * as round(T / 2^t_shift) saturated (DESIGN.md §5: "T in int16"), then
 * y[i1·m2 + i2] = bias + Σ_k Σ_j1 A_k[i1, j1]·T_k[j1, i2], all terms in one pass over y.
 * MACs per term: m2·n1·(n2 + m1). When A·X first is cheaper the kernel evaluates in that
 * order instead (tml_kron_s8_a_first()).
 *
 * Packed factor layout ("row-pair words", tml_pack_kron_factor_s8()): a factor F [m, n]
 * is padded with zeros to even m and n and stored as 32-bit words, row pairs outer,
 * column pairs inner; the word of rows (2p, 2p+1) and columns (2q, 2q+1) holds the bytes
 *     [ F[2p][2q], F[2p+1][2q], F[2p][2q+1], F[2p+1][2q+1] ],
 * so SXTB16 of it is row 2p's int16 pair and SXTB16 of it rotated by 8 row 2p+1's: one
 * load and two SXTB16 feed SMLADs against any number of widened vectors.
 * Terms (tml_pack_kron_s8()): the factor of the first stage (B when T is first, A when A·X
 * is) holds term after term, term k at byte k·tml_pack_kron_factor_s8_size(); the factor
 * of the second stage has its terms side by side, as if it were one factor
 * [m, rank·even(n)] (row pair p holds row pair p of every term), so the kernel sums all
 * terms with one pass over the outputs. For rank 1 both are tml_pack_kron_factor_s8().
 */
typedef struct {
  int32_t m1, n1; /**< Shape of every A_k, >= 1. */
  int32_t m2, n2; /**< Shape of every B_k, >= 1. */
  int32_t rank;   /**< Number of terms, >= 1. */
  int32_t t_shift; /**< [0, 24]: the compiler picks the smallest that keeps T in int16. */
} tml_kron_s8_params;

/**
 * A sparse overlay S [rows, cols] (the doping of a Kronecker operator). The values are
 * int8, each worth 2^value_shift units of the operator's per-row scale (so
 * (S·x) << value_shift adds straight into the same int32 accumulator as the Kronecker
 * product). Two forms, whichever the compiler found smaller:
 *  - CSR (row_ptr != NULL): rows + 1 row pointers, uint8_t when nnz <= 255;
 *  - coordinates (row_ptr == NULL): nnz entries in row order, each with the number of
 *    rows to step down before it (row_step, uint8_t; the first steps from row 0). A step
 *    over more than 255 rows takes filler entries of value 0. No per-row cost, so a very
 *    sparse doping of a tall matrix (an LSTM's 4H rows) pays 3 bytes per non-zero.
 * Column indices are uint8_t when cols <= 256, uint16_t otherwise.
 */
typedef struct {
  int32_t rows;
  int32_t cols;
  const void *row_ptr;     /**< CSR: rows + 1 non-decreasing offsets (nnz <= 65535); or NULL. */
  const void *col_idx;     /**< nnz column indices in [0, cols). */
  const int8_t *values;    /**< nnz values. */
  int32_t row_ptr_bytes;   /**< 1 (uint8_t) or 2 (uint16_t). */
  int32_t col_idx_bytes;   /**< 1 (uint8_t) or 2 (uint16_t). */
  int32_t value_shift;     /**< [0, 24]: a row's sum is shifted left by this. */
  const uint8_t *row_step; /**< Coordinate form: rows to step before each entry. */
  int32_t nnz;             /**< Coordinate form: entries (fillers included). */
} tml_sparse_s8;

/**
 * A weight operator M [rows, cols] producing int32 accumulators at a per-row scale:
 * dense (packed != NULL, tml_pack_weights_s8 layout) or a Kronecker sum (kron != NULL),
 * plus an optional sparse overlay; or a vertical stack of num_blocks such operators
 * (blocks != NULL, e.g. one Kronecker sum per LSTM gate: each block has the same cols,
 * their rows add up to rows, and each carries its own bias; the stack's quant covers all
 * rows, the blocks' quant is unused). `bias` (int32 [rows], may be NULL) is at the same
 * per-row scale and has the input offset folded in (−zp·rowsum(M)). `quant` maps the
 * accumulator to the consumer's fixed-point format (e.g. a Q3.12 gate).
 *
 * Compact requantization (row_shift != NULL): the row scales are the layer's largest
 * scale times 2^-row_shift[r], so one multiplier serves every row: row r requantizes with
 * the multiplier quant.multiplier[0] >> row_shift[r] (row_shift in [0, 14], so at least
 * 16 significant bits remain) and the layer's shifts. That is 1 byte per row in flash
 * instead of 4 (tml_linear_op_s8_requantize_rows() in tml_linear_op_s8_requant.h). For a
 * Kronecker operator (kron != NULL) the shifts follow the factors' row scales: row_shift
 * holds m1 + m2 entries and row (i1, i2) shifts by row_shift[i1] + row_shift[m1 + i2]
 * (sum <= 14), m1 + m2 bytes for the whole operator.
 */
typedef struct tml_linear_op_s8 {
  int32_t rows;
  int32_t cols;
  const int8_t *packed;
  const tml_kron_s8_params *kron;
  const int8_t *a; /**< Packed factors A_k (tml_pack_kron_s8(), 4-byte aligned). */
  const int8_t *b; /**< Packed factors B_k (tml_pack_kron_s8(), 4-byte aligned). */
  const tml_sparse_s8 *sparse;
  const int32_t *bias;
  tml_quant_params quant;
  const int8_t *row_shift; /**< [rows] (Kronecker: [m1 + m2]) shifts (compact form above), or NULL. */
  const struct tml_linear_op_s8 *blocks; /**< Row blocks (see above), or NULL. */
  int32_t num_blocks;                    /**< Entries of blocks. */
} tml_linear_op_s8;

/**
 * @brief The kernel's evaluation order: 0 for T = X·Bᵀ first (as above), 1 for
 * Z = A·X first: Z[i1, j2] = Σ_j1 A[i1, j1]·X[j1, j2] kept in int16 as
 * round(Z / 2^t_shift) saturated, then y[i1·m2 + i2] += Σ_j2 B[i2, j2]·Z[i1, j2]. The
 * cheaper one in padded MACs (even rows and columns); the compiler picks
 * t_shift for the intermediate of this order (B's row sums bound T, A's bound Z).
 */
static inline int tml_kron_s8_a_first(const tml_kron_s8_params *p) {
  const int32_t m1 = p->m1 + (p->m1 & 1);
  const int32_t m2 = p->m2 + (p->m2 & 1);
  const int32_t n1 = p->n1 + (p->n1 & 1);
  const int32_t n2 = p->n2 + (p->n2 & 1);
  return n2 * (m1 * n1 + m1 * m2) < n1 * (m2 * n2 + m1 * m2);
}

/*
 * The specialized bodies of tml_kron_matvec_s8() (constant widths of its two stages, the
 * bias or none, the two evaluation orders): bit k of the value below is case k. A build
 * links the cases of TML_S8_KRON_CASES (tml_config.h; the compiler writes the ones its
 * operators use); any other shape runs the general bodies, which are always there. Same
 * results either way, only speed and code size differ.
 */
#define TML_KRON_S8_P4 (1 << 0)         /**< stage 1, 4 column pairs */
#define TML_KRON_S8_P8 (1 << 1)         /**< stage 1, 8 column pairs */
#define TML_KRON_S8_Y4 (1 << 2)         /**< stage 2, 4 column pairs, with bias */
#define TML_KRON_S8_Y8 (1 << 3)         /**< stage 2, 8 column pairs, with bias */
#define TML_KRON_S8_YN (1 << 4)         /**< stage 2, other widths >= 3, with bias */
#define TML_KRON_S8_Y4_NB (1 << 5)      /**< as Y4 without bias */
#define TML_KRON_S8_Y8_NB (1 << 6)      /**< as Y8 without bias */
#define TML_KRON_S8_YN_NB (1 << 7)      /**< as YN without bias */
#define TML_KRON_S8_NARROW_NB (1 << 8)  /**< stage 2, 1 or 2 column pairs, no bias */
#define TML_KRON_S8_NARROW_A1 (1 << 9)  /**< ... with bias, A·X first, 1 column pair */
#define TML_KRON_S8_NARROW_A2 (1 << 10) /**< ... with bias, A·X first, 2 column pairs */
#define TML_KRON_S8_NARROW_T1 (1 << 11) /**< ... with bias, T first, 1 column pair */
#define TML_KRON_S8_NARROW_T2 (1 << 12) /**< ... with bias, T first, 2 column pairs */

/** @brief The cases of tml_kron_matvec_s8() (TML_KRON_S8_*) an operator with these
 * parameters runs, with a bias (has_bias != 0) or without. */
static inline int32_t tml_kron_s8_cases(const tml_kron_s8_params *p, int has_bias) {
  const int a_first = tml_kron_s8_a_first(p);
  const int32_t p_pairs = a_first ? (p->n1 + (p->n1 & 1)) >> 1 : (p->n2 + (p->n2 & 1)) >> 1;
  const int32_t f_rows = a_first ? p->m2 : p->m1;
  const int32_t vecs = a_first ? p->m1 : p->m2;
  const int32_t y_pairs =
      p->rank * (a_first ? (p->n2 + (p->n2 & 1)) >> 1 : (p->n1 + (p->n1 & 1)) >> 1);
  int32_t cases = p_pairs == 4 ? TML_KRON_S8_P4 : (p_pairs == 8 ? TML_KRON_S8_P8 : 0);
  if (((f_rows | vecs) & 1) != 0) {
    return cases; /* odd counts: the general stage 2 */
  }
  if (y_pairs <= 2) {
    if (!has_bias) {
      return cases | TML_KRON_S8_NARROW_NB;
    }
    if (a_first || p->m2 == 1) { /* the row stride is 1 (T first: m2) */
      return cases | (y_pairs == 1 ? TML_KRON_S8_NARROW_A1 : TML_KRON_S8_NARROW_A2);
    }
    return cases | (y_pairs == 1 ? TML_KRON_S8_NARROW_T1 : TML_KRON_S8_NARROW_T2);
  }
  if (y_pairs == 4) {
    return cases | (has_bias ? TML_KRON_S8_Y4 : TML_KRON_S8_Y4_NB);
  }
  if (y_pairs == 8) {
    return cases | (has_bias ? TML_KRON_S8_Y8 : TML_KRON_S8_Y8_NB);
  }
  return cases | (has_bias ? TML_KRON_S8_YN : TML_KRON_S8_YN_NB);
}

/** @brief Bytes of one packed Kronecker factor [m, n]: even(m)·even(n), or -1. */
int32_t tml_pack_kron_factor_s8_size(int32_t m, int32_t n);

/**
 * @brief Packs a row-major int8 factor [m, n] into the row-pair-word layout above
 * (host-side preparation).
 * @return TML_OK, or TML_ERROR_ARG for bad sizes or a -128 value.
 */
tml_status tml_pack_kron_factor_s8(int32_t m, int32_t n, const int8_t *f, int8_t *packed);

/**
 * @brief Packs the rank terms of A (row-major [rank, m1, n1]) and B ([rank, m2, n2]) in
 * the kernel's order (above); each output holds rank·tml_pack_kron_factor_s8_size() bytes.
 * @return TML_OK, or TML_ERROR_ARG for bad sizes or a -128 value.
 */
tml_status tml_pack_kron_s8(const tml_kron_s8_params *params, const int8_t *a, const int8_t *b,
                            int8_t *packed_a, int8_t *packed_b);

/**
 * @brief Scratch bytes of tml_kron_matvec_s8(): the widened input (even(n1)·even(n2)
 * int16) and every term's intermediate (T: even(m2)·even(n1), Z: even(m1)·even(n2)
 * int16).
 */
int32_t tml_kron_matvec_s8_get_buffer_size(const tml_kron_s8_params *params);

/**
 * @brief int8 Kronecker matrix-vector product acc = bias + (Σ_k A_k ⊗ B_k)·x.
 * @param[in]     ctx     Scratch of tml_kron_matvec_s8_get_buffer_size() bytes.
 * @param[in]     params  Shapes, rank, t_shift.
 * @param[in]     a, b    Packed factors (tml_pack_kron_s8(), 4-byte aligned).
 * @param[in]     input   int8 x [n1·n2] (raw; the input offset is folded into the bias).
 * @param[in]     bias    int32 [m1·m2], or NULL for none.
 * @param[out]    acc     int32 [m1·m2] (every row written once, not read).
 * @return TML_OK, TML_ERROR_ARG or TML_ERROR_BUFFER.
 */
tml_status tml_kron_matvec_s8(const tml_context *ctx, const tml_kron_s8_params *params,
                              const int8_t *a, const int8_t *b, const int8_t *input,
                              const int32_t *bias, int32_t *acc);

/**
 * @brief Accumulating sparse product acc += (S·x) << value_shift (one MAC per non-zero). Row pointers and
 * column indices are trusted (the compiler validates them; they are constants).
 * @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_sparse_matvec_s8(const tml_context *ctx, const tml_sparse_s8 *sparse,
                                const int8_t *input, int32_t *acc);

/**
 * @brief Scratch bytes of tml_linear_op_s8_apply(): the widened input for a dense
 * operator, tml_kron_matvec_s8_get_buffer_size() for a Kronecker one, the largest of its
 * blocks' for a stack.
 */
int32_t tml_linear_op_s8_apply_get_buffer_size(const tml_linear_op_s8 *op);

/**
 * @brief acc = M·x + bias (not requantized). acc holds ceil4(op->rows) int32 (a dense
 * operator writes its padding rows).
 * @return TML_OK, TML_ERROR_ARG, TML_ERROR_BUFFER or TML_ERROR_INDEX.
 */
tml_status tml_linear_op_s8_apply(const tml_context *ctx, const tml_linear_op_s8 *op,
                                  const int8_t *input, int32_t *acc);

/**
 * @brief Scratch bytes of tml_linear_op_fc_s8(): ceil4(rows) int32 accumulators and
 * tml_linear_op_s8_apply_get_buffer_size(op); -1 for a malformed operator.
 */
int32_t tml_linear_op_fc_s8_get_buffer_size(const tml_linear_op_s8 *op);

/**
 * @brief int8 fully connected layer on a structured operator (Kronecker sum, doping, row
 * blocks, or dense): per batch row, acc = M·x + bias (tml_linear_op_s8_apply()),
 * requantized by op->quant (and op->row_shift, compact form) to the output scale, plus
 * params->output_offset, clamped to [act_min, act_max]. params->row_shift is unused (the
 * operator carries its own).
 * @param[in]  input   int8 [batch, op->cols] (zero point folded into op->bias).
 * @param[out] output  int8 [batch, op->rows]; must not overlap input.
 * @return TML_OK, TML_ERROR_ARG or TML_ERROR_BUFFER.
 */
tml_status tml_linear_op_fc_s8(const tml_context *ctx, const tml_fc_s8_params *params,
                               const tml_linear_op_s8 *op, const tml_dims *input_dims,
                               const int8_t *input, const tml_dims *output_dims, int8_t *output);

/**
 * @brief Any element-wise int8 → int8 function by table: output[k] = table[input[k] + 128].
 * The compiler fills the 256 entries from the activation (tanh, sigmoid, leaky ReLU, ...) and
 * the input and output formats, so each entry is the correctly rounded quantized result.
 * In place allowed. @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_lut_s8(const tml_dims *dims, const int8_t *input, const int8_t table[256],
                      int8_t *output);

/**
 * @brief int8 Softmax along the axis of `params` (the tml_softmax_params of tml_kernels.h).
 *
 * exp_table[d] = round(65535·exp(-input_scale·d)) for d = max - x in [0, 255] (the compiler
 * fills it for the input format); y = round(256·e/Σe) - 128, clamped to [-128, 127], i.e.
 * probabilities at scale 1/256, zero point -128. Integer only (one division per output).
 * In place allowed. @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_softmax_s8(const tml_softmax_params *params, const tml_dims *dims,
                          const int8_t *input, const uint16_t exp_table[256], int8_t *output);

/**
 * @brief tanh in int16: input Q3.12 (real = v/4096, range [-8, 8)), output Q0.15
 * (real = v/32768). A table of 256 (value, step) words over [-8, 8) with linear interpolation
 * (max error ≈ 4e-4). Element-wise over `count` values; in place allowed.
 */
tml_status tml_tanh_s16(const tml_dims *dims, const int16_t *input, int16_t *output);

/** @brief sigmoid in int16 (its own table, max error ≈ 5e-5); formats as tml_tanh_s16(). */
tml_status tml_sigmoid_s16(const tml_dims *dims, const int16_t *input, int16_t *output);

/** int8 LSTM cell (ONNX gate order i, o, f, c; default activations; no peepholes/clip). */
typedef struct {
  int32_t input_size;  /**< I >= 1. */
  int32_t hidden_size; /**< H >= 1. */
} tml_lstm_s8_params;

/**
 * @brief Scratch bytes of tml_lstm_step_s8_s16(): two int32 [4H] accumulators plus the
 * larger scratch of the W and R operators.
 */
int32_t tml_lstm_step_s8_s16_get_buffer_size(const tml_lstm_s8_params *params,
                                             const tml_linear_op_s8 *w,
                                             const tml_linear_op_s8 *r);

/**
 * @brief One int8 LSTM time step with int16 gates and cell state.
 *
 * Formats: x int8 (its offset folded into w->bias); h int8 at scale 2^-7, zero point 0
 * (h is in (-1, 1)); c int16 Q4.11 (range ±16); gate pre-activations int16 Q3.12:
 *   gate[r] = sat16(requant(accW[r], w->quant) + requant(accR[r], r->quant))
 * where w->quant / r->quant map the accumulators to Q3.12 (the bias sits in w->bias).
 *   i = σ(g_i), o = σ(g_o), f = σ(g_f), g = tanh(g_c)      (Q0.15)
 *   c = sat16(round(f·c_prev / 2^15) + round(i·g / 2^19))   (Q4.11)
 *   h = sat8(round(o·tanh(sat16(2·c)) / 2^23))              (scale 2^-7)
 *
 * @param[in]  ctx     Scratch of tml_lstm_step_s8_s16_get_buffer_size() bytes.
 * @param[in]  w, r    W [4H, I] and R [4H, H] operators.
 * @param[in]  x_t     int8 [I].
 * @param[in]  h_prev  int8 [H];  c_prev int16 [H].
 * @param[out] h       int8 [H];  c int16 [H]; may alias h_prev / c_prev.
 * @return TML_OK, TML_ERROR_ARG, TML_ERROR_BUFFER or TML_ERROR_INDEX.
 */
tml_status tml_lstm_step_s8_s16(const tml_context *ctx, const tml_lstm_s8_params *params,
                                const tml_linear_op_s8 *w, const tml_linear_op_s8 *r,
                                const int8_t *x_t, const int8_t *h_prev, const int16_t *c_prev,
                                int8_t *h, int16_t *c);

/** int8 GRU cell (ONNX gate order z, r, h; default activations; no clip). */
typedef struct {
  int32_t input_size;          /**< I >= 1. */
  int32_t hidden_size;         /**< H >= 1. */
  int32_t linear_before_reset; /**< ONNX attribute: 0 or 1 (PyTorch exports 1). */
} tml_gru_s8_params;

/**
 * @brief Scratch bytes of tml_gru_step_s8_s16(): int32 accumulators for W [3H], R_zr [2H]
 * and R_h [H] (each padded to 4 rows), r⊙h_prev (int8 [H], padded to 4), plus the largest
 * scratch of the three operators.
 */
int32_t tml_gru_step_s8_s16_get_buffer_size(const tml_gru_s8_params *params,
                                            const tml_linear_op_s8 *w,
                                            const tml_linear_op_s8 *r_zr,
                                            const tml_linear_op_s8 *r_h);

/**
 * @brief One int8 GRU time step with int16 gates (formats as tml_lstm_step_s8_s16()).
 *
 * The ONNX R [3H, H] is split into R_zr (the z and r rows) and R_h (the candidate rows) so
 * that R_h can multiply r⊙h_prev when linear_before_reset is 0. w->bias holds Wb + Rb for
 * the z and r rows and Wb_h for the candidate rows; r_h->bias holds Rb_h (ONNX applies r
 * to it when linear_before_reset is 1). All three operators map to Q3.12.
 *   z = σ(sat16(rq(accW_z) + rq(accR_z))),  r = σ(sat16(rq(accW_r) + rq(accR_r)))   (Q0.15)
 *   linear_before_reset 1:  n = tanh(sat16(rq(accW_h) + round(r·sat16(rq(R_h·h_prev)) / 2^15)))
 *   linear_before_reset 0:  n = tanh(sat16(rq(accW_h) + rq(R_h·rh))),
 *                           rh = round(r·h_prev / 2^15) (int8 at 2^-7)
 *   h = sat8(round((n + round(z·(256·h_prev − n) / 2^15)) / 2^8))     (scale 2^-7)
 *
 * @param[in]  ctx     Scratch of tml_gru_step_s8_s16_get_buffer_size() bytes.
 * @param[in]  w       W [3H, I];  r_zr R[0:2H] [2H, H];  r_h R[2H:3H] [H, H].
 * @param[in]  x_t     int8 [I] (its offset folded into w->bias).
 * @param[in]  h_prev  int8 [H] at 2^-7, zero point 0.
 * @param[out] h       int8 [H]; may alias h_prev.
 * @return TML_OK, TML_ERROR_ARG, TML_ERROR_BUFFER or TML_ERROR_INDEX.
 */
tml_status tml_gru_step_s8_s16(const tml_context *ctx, const tml_gru_s8_params *params,
                               const tml_linear_op_s8 *w, const tml_linear_op_s8 *r_zr,
                               const tml_linear_op_s8 *r_h, const int8_t *x_t,
                               const int8_t *h_prev, int8_t *h);

/** int8 simple RNN cell (tanh activation, no clip). */
typedef struct {
  int32_t input_size;  /**< I >= 1. */
  int32_t hidden_size; /**< H >= 1. */
} tml_rnn_s8_params;

/**
 * @brief Scratch bytes of tml_rnn_step_s8_s16(): two int32 [ceil4(H)] accumulators plus the
 * larger scratch of the W and R operators.
 */
int32_t tml_rnn_step_s8_s16_get_buffer_size(const tml_rnn_s8_params *params,
                                            const tml_linear_op_s8 *w,
                                            const tml_linear_op_s8 *r);

/**
 * @brief One int8 RNN time step: h = sat8(round(tanh(sat16(rq(accW) + rq(accR))) / 2^8)),
 * gate pre-activation Q3.12, tanh Q0.15, h int8 at 2^-7 (w->bias holds Wb + Rb).
 * @param[in]  ctx     Scratch of tml_rnn_step_s8_s16_get_buffer_size() bytes.
 * @param[in]  w, r    W [H, I] and R [H, H] operators mapping to Q3.12.
 * @param[out] h       int8 [H]; may alias h_prev.
 * @return TML_OK, TML_ERROR_ARG, TML_ERROR_BUFFER or TML_ERROR_INDEX.
 */
tml_status tml_rnn_step_s8_s16(const tml_context *ctx, const tml_rnn_s8_params *params,
                               const tml_linear_op_s8 *w, const tml_linear_op_s8 *r,
                               const int8_t *x_t, const int8_t *h_prev, int8_t *h);

#ifdef __cplusplus
}
#endif

#endif /* TML_KERNELS_S8_H */
