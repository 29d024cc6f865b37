// The int8 weight operators (tml_linear_op_s8) of the int8 recurrent emitters
// (emit_lstm_s8.cc, emit_gru_s8.cc, emit_rnn_s8.cc): the host-side quantized
// data of one operator, its host view (for _get_buffer_size), its C emission,
// and the whole-sequence frame the GRU and RNN steps share.
#ifndef TML_CODEGEN_OPS_LINEAR_OP_S8_H_
#define TML_CODEGEN_OPS_LINEAR_OP_S8_H_

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/ops/emit_context.h"
#include "codegen/int8_weights.h"
#include "tml_kernels_s8.h"

namespace tml::codegen {

// Host data of one int8 operator and what its C description needs.
struct LinearOpS8Data {
  int32_t rows = 0, cols = 0;
  bool kron = false;
  std::vector<int8_t> packed;
  QuantizedKron qk;
  std::vector<int8_t> packed_a, packed_b;  // qk's factors in the kernel layout
  std::vector<int32_t> bias;
  Requant rq;              // compact form: one multiplier
  std::vector<int8_t> row_shift;  // compact form: extra right shift per row, else empty
  // Row blocks (per-gate Kronecker operators): each block's own factors and
  // bias; rq above covers all rows. Empty for a single operator.
  std::vector<LinearOpS8Data> blocks;
  std::vector<tml_linear_op_s8> host_blocks;  // filled by HostOpS8
};

// The widest int8 dense row the runtime takes without TML_S8_LONG_ROWS (4·TML_S8_FOLD_GROUPS
// of runtime/include/tml_support_s8.h): wider weights turn that tml_config.h switch on.
constexpr int32_t kS8ColumnsWithoutFolding = 512;

// The recurrent steps' gate pre-activations are Q3.12: the operators' default output scale.
constexpr double kGateScale = 1.0 / 4096.0;

// The operator of weight input `input` of a recurrent node ([1, rows, cols]):
// a Kronecker sum when the node carries one that QuantizeKron takes (stacked
// gates), a stack of row blocks (per-gate operators: one QuantizedKron per
// block, or per-row int8 for a dense block), else the dense tensor per row.
// `in` is the input format, `bias` (may be null) the float bias [rows]; the
// requantization maps to `out_scale` (Q3.12 gates by default; an int8 fully connected
// layer's output scale).
LinearOpS8Data MakeRecurrentOpS8(const Graph& graph, const Node& node, size_t input,
                                 const AffineQuant& in, const float* bias);
// The same for one weight operator [rows, cols] (e.g. a slice of one, SliceRows): a
// Kronecker sum, a stack of row blocks, or per row its dense matrix (Materialize()).
LinearOpS8Data MakeOperatorOpS8(const WeightOperator& op, const AffineQuant& in,
                                const float* bias, double out_scale = kGateScale);
// A dense row-major [rows, cols] matrix, quantized per row, mapping to Q3.12,
// in the compact requantization form (tml_linear_op_s8::row_shift): row r's
// scale is S·2^-k_r (S the largest row scale, k_r <= 14 the largest shift that
// still covers the row, so each row keeps 64..127 of the int8 range, at most one
// bit less than its own scale), one multiplier for the layer, shifted right by
// k_r per row: 1 byte of requantization data per row instead of 4.
LinearOpS8Data MakeDenseOpS8(const float* w, int32_t rows, int32_t cols, const AffineQuant& in,
                             const float* bias, double out_scale = kGateScale);

// A host-side tml_linear_op_s8 pointing into `d` (valid while `d` lives and is
// not moved).
tml_linear_op_s8 HostOpS8(LinearOpS8Data& d);

// "&<static const tml_linear_op_s8>" of the operator (its arrays as weights).
std::string EmitOpS8(EmitContext& ctx, const LinearOpS8Data& d);

// The int8 input format recorded on a recurrent node by CalibrateInt8.
AffineQuant RecurrentInputQuant(const Node& node);

// Arena scratch of the GRU/RNN sequence frame below: int8 x [T·I], h [H], step.
int64_t RecurrentS8FrameBytes(int32_t T, int32_t I, int32_t H, int32_t step_bytes);

// Prints the sequence loop of a forward batch-1 int8 GRU/RNN: quantize X, zero
// h, then per step `step_call` (a format string taking the step context, x_t
// and h pointers as {ctx}, {x}, {h}), dequantizing h into Y and finally Y_h.
Status EmitRecurrentS8Frame(EmitContext& ctx, const Node& node, int32_t T, int32_t I, int32_t H,
                            const AffineQuant& in, int32_t step_bytes, const std::string& kernel,
                            const std::string& step_call);

}  // namespace tml::codegen

#endif  // TML_CODEGEN_OPS_LINEAR_OP_S8_H_
