// The emitter of each op family, and the scratch each node needs. Internal to
// codegen/. Adding an op: write ops/emit_<family>.cc with
//   Status Emit<Family>(EmitContext& ctx, const Node& node);
// (see emit_context.h for what it may use), declare it here and add its
// OpKinds to EmitNode() in op_emitters.cc. An op that needs scratch adds a
// case to ScratchBytes().
#ifndef TML_CODEGEN_OPS_OP_EMITTERS_H_
#define TML_CODEGEN_OPS_OP_EMITTERS_H_

#include <cstdint>

#include "codegen/ops/emit_context.h"
#include "compiler/quant/int8_plan.h"

namespace tml::codegen {

// Prints the kernel call(s) of `node`; InvalidInput naming the node when the
// float runtime cannot run it.
Status EmitNode(EmitContext& ctx, const Node& node);
// Scratch bytes the node's kernel needs (0 for most), from the runtime's
// tml_*_get_buffer_size() run on the host.
StatusOr<int64_t> ScratchBytes(const Graph& graph, const Node& node);

// Helpers shared by the emitters.
// "{rank, {d0, d1, ...}}"; InvalidInput for rank > TML_MAX_RANK.
StatusOr<std::string> DimsInit(const Shape& shape);

Status EmitRecurrent(EmitContext& ctx, const Node& node);
// LSTM / GRU / RNN layers whose W/R carry weight operators (emit_linear_op.cc):
// true when the operator path applies (one direction, batch 1, no
// sequence_lens, every operator a Kronecker sum or per-gate blocks; GRU with
// linear_before_reset = 1); otherwise the dense tensors run.
bool UsesRecurrentOperators(const Graph& graph, const Node& node);
// tml_lstm_step_op_f32, tml_gru_step_op_f32 or tml_rnn_step_op_f32.
const char* StepOpKernel(OpKind op);
// Scratch of the step kernel, and of the whole-sequence loop (h, c + step).
int32_t RecurrentStepOpScratchBytes(const Graph& graph, const Node& node);
int64_t RecurrentOperatorScratchBytes(const Graph& graph, const Node& node);
// "&<tml_rnn_op_weights_f32>" of the node (factors emitted as weight arrays).
StatusOr<std::string> EmitRecurrentOpWeights(EmitContext& ctx, const Node& node);
Status EmitRecurrentOperators(EmitContext& ctx, const Node& node);
// Gemm/MatMul whose weight carries a Kronecker operator (see emit_linear_op.cc).
bool UsesKronMatvec(const Graph& graph, const Node& node);
int64_t KronMatvecScratchBytes(const Graph& graph, const Node& node);
Status EmitKronMatvec(EmitContext& ctx, const Node& node);
// Gemm/MatMul carrying the int8 plan of compile --quantize int8 (emit_fc_s8.cc).
bool UsesFullyConnectedS8(const Node& node);
int64_t FullyConnectedS8ScratchBytes(const Graph& graph, const Node& node);
Status EmitFullyConnectedS8(EmitContext& ctx, const Node& node);
// An activation between two int8 layers as an int8 table (emit_lut_s8.cc).
Status EmitTableActivationS8(EmitContext& ctx, const Node& node);
// LSTM carrying the int8 plan (emit_lstm_s8.cc).
bool UsesLstmS8(const Node& node);
int64_t LstmS8ScratchBytes(const Graph& graph, const Node& node);
Status EmitLstmS8(EmitContext& ctx, const Node& node);
// GRU / RNN carrying the int8 plan (emit_gru_s8.cc, emit_rnn_s8.cc).
bool UsesGruS8(const Node& node);
int64_t GruS8ScratchBytes(const Graph& graph, const Node& node);
Status EmitGruS8(EmitContext& ctx, const Node& node);
bool UsesRnnS8(const Node& node);
int64_t RnnS8ScratchBytes(const Graph& graph, const Node& node);
Status EmitRnnS8(EmitContext& ctx, const Node& node);
// One time step of an int8 LSTM / GRU / RNN (the nodes above), for NAME_step
// (codegen/stream_s8.h): its weights emitted into `ctx`, the step kernel call
// as a format string taking {ctx}, {x}, {h} and, for an LSTM, {c}; the input
// format; the step kernel's scratch bytes. Same kernel, same arguments as the
// whole-sequence loop, so stepping is bit-exact with it.
struct RecurrentStepS8 {
  std::string kernel, call;
  AffineQuant in;
  int32_t I = 0, H = 0, step_bytes = 0;
  bool has_cell = false;  // LSTM: c int16 Q4.11 beside h int8 at 2^-7
};
RecurrentStepS8 LstmStepS8(EmitContext& ctx, const Node& node);
RecurrentStepS8 GruStepS8(EmitContext& ctx, const Node& node);
RecurrentStepS8 RnnStepS8(EmitContext& ctx, const Node& node);
Status EmitGemm(EmitContext& ctx, const Node& node);
Status EmitMatMul(EmitContext& ctx, const Node& node);
Status EmitBinary(EmitContext& ctx, const Node& node);
Status EmitActivation(EmitContext& ctx, const Node& node);
Status EmitSoftmax(EmitContext& ctx, const Node& node);
// Scratch of a Softmax that runs int8 (its int8 probabilities), else 0.
int64_t SoftmaxS8ScratchBytes(const Graph& graph, const Node& node);
Status EmitReshape(EmitContext& ctx, const Node& node);
Status EmitTranspose(EmitContext& ctx, const Node& node);
Status EmitConcat(EmitContext& ctx, const Node& node);
Status EmitSlice(EmitContext& ctx, const Node& node);
Status EmitGather(EmitContext& ctx, const Node& node);
// Tile and Expand: a broadcast copy (see emit_broadcast_copy.cc).
Status EmitBroadcastCopy(EmitContext& ctx, const Node& node);

}  // namespace tml::codegen

#endif  // TML_CODEGEN_OPS_OP_EMITTERS_H_
