// int8 weights as the kernels store them (DESIGN.md §5): pure functions of the
// float weights and weight operators of the IR, used by the emitters of the
// int8 kernels (codegen/ops/emit_*_s8.cc, linear_op_s8.cc) and their tests.
//
//  - Dense matrices: symmetric int8 per output row in [-127, 127]
//    (QuantizeRows), or with power-of-two related row scales so one multiplier
//    and a shift per row requantize them (QuantizeRowsPowerOfTwo); the packed
//    row-pair-lane layout the kernels read, and the int32 bias with the input
//    zero point folded in.
//  - Kronecker sums Σ A_k⊗B_k with one scale per row of A and per row of B
//    shared by all terms (row (i1, i2) has scale sA[i1]·sB[i2]·2^t_shift),
//    factors as int8 (row-pair words for SMLAD), t_shift the smallest that
//    keeps the intermediate T = X·Bᵀ in int16 for every int8 input, and the
//    doping overlay S as int8 at the same per-row scale times 2^shift (one
//    shift per operator, the smallest that fits its largest value).
//  - Requantization to a consumer: per-row real factors → Q31 multipliers and
//    per-layer shifts (tml_quantize_multipliers_s8).
//
// The activation formats (AffineQuant, the node's Int8Plan) come from the
// `quantize` pass through the IR (compiler/quant/int8_plan.h).
#ifndef TML_CODEGEN_INT8_WEIGHTS_H_
#define TML_CODEGEN_INT8_WEIGHTS_H_

#include <cstdint>
#include <vector>

#include "compiler/ir/weight_operator.h"
#include "compiler/quant/int8_plan.h"
#include "tml_kernels_s8.h"

namespace tml {

// Symmetric per-row int8 weights of a dense [rows, cols] matrix.
struct QuantizedMatrix {
  int32_t rows = 0;
  int32_t cols = 0;
  std::vector<int8_t> values;    // row-major, [-127, 127]
  std::vector<double> row_scale;  // real = row_scale[r]·q

  // The tml_pack_weights_s8 layout.
  std::vector<int8_t> Packed() const;
  // bias_eff[r] = round(bias[r] / (in.scale·row_scale[r])) − in.zero_point·Σ_c q[r, c]
  // (bias may be null).
  std::vector<int32_t> FoldBias(const float* bias, const AffineQuant& in) const;
};

QuantizedMatrix QuantizeRows(const float* w, int32_t rows, int32_t cols);
// As QuantizeRows, with power-of-two related row scales: row_scale[r] = S·2^-shift[r], S the
// largest row scale and shift[r] <= 14 the largest that still covers the row (each row keeps
// 64..127 of the int8 range, at most one bit less than its own scale), so one multiplier
// shifted per row requantizes every row (the compact form of the int8 kernels).
QuantizedMatrix QuantizeRowsPowerOfTwo(const float* w, int32_t rows, int32_t cols,
                                       std::vector<int8_t>* shift);

// A Kronecker sum (+ doping) for tml_kron_matvec_s8 / tml_sparse_matvec_s8.
struct QuantizedKron {
  tml_kron_s8_params params{};
  std::vector<int8_t> a, b;  // [rank, m1, n1], [rank, m2, n2], row-major, [-127, 127]
  std::vector<double> a_row_scale, b_row_scale;
  // Doping S at the per-row scale (empty row_ptr: none): int8 values, each worth
  // 2^sparse_shift accumulator units.
  std::vector<uint16_t> row_ptr, col_idx;
  std::vector<int8_t> sparse_values;
  int32_t sparse_shift = 0;

  // The factors in the kernel's row-pair-word layout (tml_pack_kron_factor_s8), term
  // after term: what the firmware stores (1 byte per value plus even padding).
  std::vector<int8_t> PackedA() const;
  std::vector<int8_t> PackedB() const;

  int32_t rows() const { return params.m1 * params.m2; }
  int32_t cols() const { return params.n1 * params.n2; }
  // Real weight per accumulator unit of output row r (times the input scale).
  double RowScale(int32_t r) const;
  // As QuantizedMatrix::FoldBias; the zero-point term goes through the same
  // 2^t_shift rounding as the kernel's T, so it is exact only up to that rounding.
  std::vector<int32_t> FoldBias(const float* bias, const AffineQuant& in) const;
};

// Quantizes a Kronecker-form operator (terms, optional sparse overlay; not
// row blocks). Returns false for a dense operator or one with row blocks.
bool QuantizeKron(const WeightOperator& op, QuantizedKron* out);

// Q31 multipliers and shifts mapping int32 accumulators of rows with real
// unit `row_unit[r]` (input scale × row scale) to an output of scale `out_scale`.
struct Requant {
  std::vector<int32_t> multiplier;
  int32_t left_shift = 0;
  int32_t right_shift = 0;
};
Requant MakeRequant(const std::vector<double>& row_unit, double out_scale);

}  // namespace tml

#endif  // TML_CODEGEN_INT8_WEIGHTS_H_
