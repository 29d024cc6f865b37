// int8 RNN (compile --quantize int8): a forward batch-1 tanh RNN carrying the
// int8 plan of compiler/quant/int8_plan.h runs as tml_quantize_s8 of the input
// sequence, then per time step tml_rnn_step_s8_s16 (h int8 at 2^-7,
// pre-activation int16 Q3.12), dequantizing h into Y and finally Y_h
// (linear_op_s8.h prints that frame). W [H, I] carries Wb + Rb; W and R are
// dense per-row int8 or the Kronecker / doped operators of compressed weights.
#include "codegen/ops/linear_op_s8.h"
#include "codegen/ops/op_emitters.h"
#include "compiler/ops/recurrent_common.h"

namespace tml::codegen {
namespace {

struct RnnS8 {
  AffineQuant in;
  int32_t T = 0, I = 0, H = 0;
  LinearOpS8Data w, r;
  int32_t step_bytes = 0;
};

RnnS8 Prepare(const Graph& graph, const Node& node) {
  RnnS8 n;
  n.in = RecurrentInputQuant(node);
  const Shape& x = graph.tensor(node.input(kRecurrentX)).shape;
  n.T = static_cast<int32_t>(x[0]);
  n.I = static_cast<int32_t>(x[2]);
  n.H = static_cast<int32_t>(node.GetInt("hidden_size", 0));
  std::vector<float> bias;
  if (node.input(kRecurrentB) != kNoTensor) {
    const std::vector<float>& b = graph.tensor(node.input(kRecurrentB)).f32;  // [1, 2H]
    bias.resize(static_cast<size_t>(n.H));
    for (size_t k = 0; k < bias.size(); ++k) bias[k] = b[k] + b[k + bias.size()];
  }
  n.w = MakeRecurrentOpS8(graph, node, kRecurrentW, n.in, bias.empty() ? nullptr : bias.data());
  n.r = MakeRecurrentOpS8(graph, node, kRecurrentR, AffineQuant{1.0 / 128.0, 0}, nullptr);
  const tml_rnn_s8_params p{n.I, n.H};
  const tml_linear_op_s8 w = HostOpS8(n.w), r = HostOpS8(n.r);
  n.step_bytes = tml_rnn_step_s8_s16_get_buffer_size(&p, &w, &r);
  return n;
}

}  // namespace

bool UsesRnnS8(const Node& node) { return node.op == OpKind::kRnn && node.HasAttr(kInt8Attr); }

int64_t RnnS8ScratchBytes(const Graph& graph, const Node& node) {
  const RnnS8 n = Prepare(graph, node);
  return RecurrentS8FrameBytes(n.T, n.I, n.H, n.step_bytes);
}

Status EmitRnnS8(EmitContext& ctx, const Node& node) {
  const RnnS8 n = Prepare(ctx.graph(), node);
  if (n.step_bytes < 0) return InvalidInput("malformed int8 RNN operators");
  const std::string w = EmitOpS8(ctx, n.w);
  const std::string r = EmitOpS8(ctx, n.r);
  const std::string params =
      ctx.Param("tml_rnn_s8_params", fmt::format("{{{}, {}}}", n.I, n.H));
  return EmitRecurrentS8Frame(
      ctx, node, n.T, n.I, n.H, n.in, n.step_bytes, "tml_rnn_step_s8_s16",
      fmt::format("tml_rnn_step_s8_s16({{ctx}}, {}, {}, {}, {{x}}, {{h}}, {{h}})", params, w, r));
}

RecurrentStepS8 RnnStepS8(EmitContext& ctx, const Node& node) {
  const RnnS8 n = Prepare(ctx.graph(), node);
  RecurrentStepS8 s;
  s.kernel = "tml_rnn_step_s8_s16";
  const std::string w = EmitOpS8(ctx, n.w);
  const std::string r = EmitOpS8(ctx, n.r);
  const std::string params = ctx.Param("tml_rnn_s8_params", fmt::format("{{{}, {}}}", n.I, n.H));
  s.call = fmt::format("tml_rnn_step_s8_s16({{ctx}}, {}, {}, {}, {{x}}, {{h}}, {{h}})", params, w, r);
  s.in = n.in;
  s.I = n.I;
  s.H = n.H;
  s.step_bytes = n.step_bytes;
  return s;
}

}  // namespace tml::codegen
