// int8 quantization (DESIGN.md §5): the numerical core of the `quantize` pass.
//
// What is here, each a pure function of float data, so the pass, the code
// generator and the tests share one definition:
//  - Calibration: the range of an activation over calibration samples, by
//    min/max or by a symmetric percentile of |x| (clips rare outliers), and the
//    asymmetric int8 (scale, zero point) of a range (widened to contain 0, so
//    that 0 is exact: padding and ReLU stay exact).
//  - Weights: symmetric int8 per output row in [-127, 127] for dense matrices
//    (QuantizeRows), the packed row-pair-lane layout the kernels read, and the
//    int32 bias with the input zero point folded in;
//    Kronecker sums Σ A_k⊗B_k with one scale per row of A and per row of B
//    shared by all terms (row (i1, i2) has scale sA[i1]·sB[i2]·2^t_shift),
//    factors as int8 (row-pair words for SMLAD), t_shift the smallest that
//    keeps the intermediate T = X·Bᵀ in int16 for every int8 input, and the
//    doping overlay S as int8 at the same per-row scale times 2^shift (one shift per
//    operator, the smallest that fits its largest value).
//  - Requantization to a consumer: per-row real factors → Q31 multipliers and
//    per-layer shifts (tml_quantize_multipliers_s8).
//
// CalibrateInt8 (the `compile --quantize int8` step, run after the passes and
// before codegen): runs the reference interpreter over the calibration data,
// takes the range (min/max, or a percentile of |x|: --calib-method) of the
// input and output of every fully connected node and of the input of every
// recurrent node, and records the int8 plan on the node (attribute kInt8Attr, see
// below); codegen/ops/emit_fc_s8.cc reads it. What runs int8 so far: Gemm
// (transA 0, alpha 1, constant 2-D B, constant or no C with beta 1) and
// MatMul with a constant 2-D B, each as tml_quantize_s8 → tml_fully_connected_s8
// → tml_dequantize_s8; between two int8 layers the activation stays int8 and
// a Relu between them folds into the first one's requantization
// (codegen/int8_links.h); other ops between layers (Add, Tanh...) run in float
// on the dequantized values. Forward batch-1 LSTMs (dense W/R or stacked-gate
// Kronecker operators, with or without doping; no initial states, peepholes or
// sequence_lens) run tml_lstm_step_s8_s16 per time step on the int8 input
// (codegen/ops/emit_lstm_s8.cc); forward batch-1 GRUs (both
// linear_before_reset) and tanh RNNs from zero states likewise run
// tml_gru_step_s8_s16 / tml_rnn_step_s8_s16 (emit_gru_s8.cc, emit_rnn_s8.cc;
// dense per-row weights). LSTM per-gate Kronecker blocks run as a stack of
// operators (QuantizableRowBlocks). Any other node carrying weights (Kronecker
// Gemm, other Gemm or recurrent forms) is an InvalidInput naming the node.
#ifndef TML_PASSES_QUANTIZE_H_
#define TML_PASSES_QUANTIZE_H_

#include <cstdint>
#include <vector>

#include <string>

#include "compiler/ir/graph.h"
#include "compiler/ir/weight_operator.h"
#include "compiler/status.h"
#include "tml_kernels_s8.h"

namespace tml {

enum class RangeMethod { kMinMax, kPercentile };

struct Range {
  float min = 0.0f;
  float max = 0.0f;
};

// The range of `values`: min/max, or ±(percentile of |x|) clipped to the
// observed min/max (percentile in (0, 100]). Empty input gives [0, 0].
Range CalibrationRange(const std::vector<float>& values, RangeMethod method,
                       double percentile = 99.99);

// How CalibrateInt8 takes activation ranges (compile --calib-method).
struct CalibMethod {
  RangeMethod method = RangeMethod::kMinMax;
  double percentile = 99.99;
};
// "minmax", "percentile" (99.99) or "percentile:P" with P in (0, 100].
StatusOr<CalibMethod> ParseCalibMethod(const std::string& text);

// Asymmetric int8: real = scale·(q − zero_point), q in [-128, 127].
struct AffineQuant {
  double scale = 1.0;
  int32_t zero_point = 0;
  int8_t Quantize(float v) const;
  float Dequantize(int8_t q) const { return static_cast<float>(scale * (q - zero_point)); }
};

// The affine int8 parameters of a range, widened to contain 0 (an empty range
// gets scale 1/128 around 0).
AffineQuant ChooseAffineInt8(Range range);

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

// Whether a row-block (per-gate) operator runs int8 as a stack of blocks
// (tml_linear_op_s8::blocks): every block a Kronecker sum QuantizeKron takes.
bool QuantizableRowBlocks(const WeightOperator& op);

// Q31 multipliers and shifts mapping int32 accumulators of rows with real
// unit `row_unit[r]` (input scale × row scale) to an output of scale `out_scale`.
struct Requant {
  std::vector<int32_t> multiplier;
  int32_t left_shift = 0;
  int32_t right_shift = 0;
};
Requant MakeRequant(const std::vector<double>& row_unit, double out_scale);

// Node attribute of the int8 plan: floats {in_scale, in_zero_point,
// out_scale, out_zero_point} (LSTM: out_* unused, 1 and 0).
inline constexpr const char* kInt8Attr = "tml_q8";

// Whether `node` runs int8 under --quantize int8: "" when it does or stays float
// (no weights), otherwise why it cannot.
std::string Int8Unsupported(const Graph& graph, const Node& node);

// The --quantize int8 step (see the top of this file). `data[i]` holds the
// calibration samples of model input i. On success `*summary` is one line per
// quantized node (ranges).
Status CalibrateInt8(Graph* graph, const std::vector<Tensor>& data,
                     const std::vector<std::string>& labels, std::string* summary,
                     const CalibMethod& method = CalibMethod{});

}  // namespace tml

#endif  // TML_PASSES_QUANTIZE_H_
