// int8 LSTM (compile --quantize int8): a forward batch-1 LSTM carrying the
// int8 plan of compiler/quant/int8_plan.h runs as
//   tml_quantize_s8 of the whole input sequence (calibrated scale/zero point),
//   then per time step tml_lstm_step_s8_s16 (h int8 at 2^-7, c int16 Q4.11,
//   gates int16 Q3.12), dequantizing h into Y for that step,
//   and finally Y_h (h/128) and Y_c (c/2048) in float.
// W and R are tml_linear_op_s8 operators (linear_op_s8.h): dense (per-row
// int8, packed) or a stacked-gate Kronecker sum (int8 factors with shared row
// scales, optional doping overlay). Both biases (Wb + Rb) go into W's int32 bias with the input
// zero point folded in. Scratch: int8 input sequence, h, c, step scratch.
#include <cmath>

#include "codegen/ops/linear_op_s8.h"
#include "codegen/ops/op_emitters.h"
#include "compiler/ops/recurrent_common.h"
#include "compiler/quant/int8_plan.h"
#include "tml_kernels_s8.h"

namespace tml::codegen {
namespace {

int64_t Align4(int64_t n) { return (n + 3) / 4 * 4; }

struct LstmS8 {
  AffineQuant in;
  AffineQuant h;  // 2^-7, zero point 0
  int32_t T = 0, I = 0, H = 0;
  LinearOpS8Data w, r;
  int32_t step_bytes = 0;
};

LstmS8 Prepare(const Graph& graph, const Node& node) {
  LstmS8 l;
  l.in = RecurrentInputQuant(node);
  l.h.scale = 1.0 / 128.0;
  l.h.zero_point = 0;
  const Shape& x = graph.tensor(node.input(kRecurrentX)).shape;
  l.T = static_cast<int32_t>(x[0]);
  l.I = static_cast<int32_t>(x[2]);
  l.H = static_cast<int32_t>(node.GetInt("hidden_size", 0));
  std::vector<float> bias;
  if (node.input(kRecurrentB) != kNoTensor) {
    const std::vector<float>& b = graph.tensor(node.input(kRecurrentB)).f32;  // [1, 8H]
    bias.resize(4 * static_cast<size_t>(l.H));
    for (size_t k = 0; k < bias.size(); ++k) bias[k] = b[k] + b[k + bias.size()];
  }
  l.w = MakeRecurrentOpS8(graph, node, kRecurrentW, l.in, bias.empty() ? nullptr : bias.data());
  l.r = MakeRecurrentOpS8(graph, node, kRecurrentR, l.h, nullptr);
  tml_lstm_s8_params p{l.I, l.H};
  const tml_linear_op_s8 w = HostOpS8(l.w), r = HostOpS8(l.r);
  l.step_bytes = tml_lstm_step_s8_s16_get_buffer_size(&p, &w, &r);
  return l;
}

// The step's fused dense path (runtime/include/tml_config.h TML_S8_LSTM_FUSED) is linked
// when some int8 LSTM has dense W and R in the compact requantization (the runtime's
// tml_lstm_s8_dense_ok; wider rows turn TML_S8_LONG_ROWS on), the general path
// (TML_S8_LSTM_GENERAL) when some other does not.
void UseFusedPathIfDense(EmitContext& ctx, const LstmS8& l) {
  const auto dense = [](const LinearOpS8Data& d) {
    return !d.kron && d.blocks.empty() && !d.packed.empty() && !d.row_shift.empty();
  };
  ctx.UseRuntimeOption(dense(l.w) && dense(l.r) ? "TML_S8_LSTM_FUSED" : "TML_S8_LSTM_GENERAL");
}

}  // namespace

bool UsesLstmS8(const Node& node) { return node.op == OpKind::kLstm && node.HasAttr(kInt8Attr); }

int64_t LstmS8ScratchBytes(const Graph& graph, const Node& node) {
  const LstmS8 l = Prepare(graph, node);
  return Align4(int64_t{l.T} * l.I) + Align4(l.H) + Align4(2 * int64_t{l.H}) + l.step_bytes;
}

Status EmitLstmS8(EmitContext& ctx, const Node& node) {
  const LstmS8 l = Prepare(ctx.graph(), node);
  if (l.step_bytes < 0) return InvalidInput("malformed int8 LSTM operators");
  if (ctx.Scratch() == "NULL") return InvalidInput("int8 LSTM without scratch");
  const std::string w = EmitOpS8(ctx, l.w);
  const std::string r = EmitOpS8(ctx, l.r);
  const std::string params = ctx.Param("tml_lstm_s8_params", fmt::format("{{{}, {}}}", l.I, l.H));
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(node.input(kRecurrentX)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(kRecurrentX)));
  TML_ASSIGN_OR_RETURN(std::string h_dims, ctx.DimsOf(Shape{l.H}));
  auto out = [&](size_t k) -> StatusOr<std::string> {
    const TensorId id = node.output(k);
    if (id == kNoTensor || !ctx.HasBuffer(id)) return std::string();
    return ctx.Ptr(id);
  };
  TML_ASSIGN_OR_RETURN(std::string y, out(kRecurrentY));
  TML_ASSIGN_OR_RETURN(std::string y_h, out(kRecurrentYh));
  TML_ASSIGN_OR_RETURN(std::string y_c, out(kRecurrentYc));
  const int64_t xq = Align4(int64_t{l.T} * l.I), hb = Align4(l.H), cb = Align4(2 * int64_t{l.H});
  ctx.UseKernel("tml_quantize_s8");
  ctx.UseKernel("tml_lstm_step_s8_s16");
  UseFusedPathIfDense(ctx, l);
  if (!y.empty() || !y_h.empty()) ctx.UseKernel("tml_dequantize_s8");
  CWriter& body = ctx.body();
  body.Open("");
  body.Line(fmt::format("int8_t *xq_ = (int8_t *)({})->buf;", ctx.Scratch()));
  body.Line(fmt::format("int8_t *h_ = xq_ + {};", xq));
  body.Line(fmt::format("int16_t *c_ = (int16_t *)(void *)(xq_ + {});", xq + hb));
  body.Line(fmt::format("const tml_context step_ctx_ = {{xq_ + {}, {}}};", xq + hb + cb,
                        l.step_bytes));
  body.Line("int32_t t_;");
  ctx.Call(fmt::format("tml_quantize_s8({}, {}, {}, {}, xq_)", x_dims, x,
                       FloatLiteral(static_cast<float>(1.0 / l.in.scale)), l.in.zero_point));
  body.Open(fmt::format("for (t_ = 0; t_ < {}; ++t_)", l.H));
  body.Line("h_[t_] = 0;");
  body.Line("c_[t_] = 0;");
  body.Close();
  body.Open(fmt::format("for (t_ = 0; t_ < {}; ++t_)", l.T));
  ctx.Call(fmt::format("tml_lstm_step_s8_s16(&step_ctx_, {}, {}, {}, xq_ + t_ * {}, h_, c_, h_, c_)",
                       params, w, r, l.I));
  if (!y.empty()) {
    ctx.Call(fmt::format("tml_dequantize_s8({}, h_, 0.0078125f, 0, {} + t_ * {})", h_dims, y, l.H));
  }
  body.Close();
  if (!y_h.empty()) ctx.Call(fmt::format("tml_dequantize_s8({}, h_, 0.0078125f, 0, {})", h_dims, y_h));
  if (!y_c.empty()) {
    body.Line(fmt::format("for (t_ = 0; t_ < {}; ++t_) ({})[t_] = (float)c_[t_] * 0.00048828125f;",
                          l.H, y_c));
  }
  body.Close();
  return Status::Ok();
}

RecurrentStepS8 LstmStepS8(EmitContext& ctx, const Node& node) {
  const LstmS8 l = Prepare(ctx.graph(), node);
  RecurrentStepS8 s;
  s.kernel = "tml_lstm_step_s8_s16";
  UseFusedPathIfDense(ctx, l);
  const std::string w = EmitOpS8(ctx, l.w);
  const std::string r = EmitOpS8(ctx, l.r);
  const std::string params = ctx.Param("tml_lstm_s8_params", fmt::format("{{{}, {}}}", l.I, l.H));
  s.call = fmt::format("tml_lstm_step_s8_s16({{ctx}}, {}, {}, {}, {{x}}, {{h}}, {{c}}, {{h}}, {{c}})",
                       params, w, r);
  s.in = l.in;
  s.I = l.I;
  s.H = l.H;
  s.step_bytes = l.step_bytes;
  s.has_cell = true;
  return s;
}

}  // namespace tml::codegen
