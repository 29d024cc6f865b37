// int8 GRU (compile --quantize int8): a forward batch-1 GRU carrying the int8
// plan of compiler/quant/int8_plan.h runs as tml_quantize_s8 of the input sequence,
// then per time step tml_gru_step_s8_s16 (h int8 at 2^-7, gates int16 Q3.12),
// dequantizing h into Y and finally Y_h (linear_op_s8.h prints that frame).
// Operators (dense per-row int8, or the Kronecker / doped / per-gate operators
// of compressed weights, linear_op_s8.h): W [3H, I] with Wb + Rb for the z and r
// rows and Wb_h for the candidate rows; R split into R_zr [2H, H] and R_h [H, H]
// carrying Rb_h, because ONNX applies the reset gate to R_h's product (and to
// Rb_h when linear_before_reset is 1). A compressed R splits along its structure
// (SliceRows: A's rows, or whole gate blocks) or, where the cut goes through a
// factor, into the dense rows of what it computes.
#include "codegen/ops/linear_op_s8.h"
#include "codegen/ops/op_emitters.h"
#include "compiler/ops/recurrent_common.h"

namespace tml::codegen {
namespace {

struct GruS8 {
  AffineQuant in;
  int32_t T = 0, I = 0, H = 0;
  bool linear_before_reset = false;
  LinearOpS8Data w, r_zr, r_h;
  int32_t step_bytes = 0;
};

// Rows [begin, end) of a compressed R as an int8 operator: structured when SliceRows can
// cut it, else the dense rows of what it computes.
LinearOpS8Data MakeRowsOpS8(const WeightOperator& r, int32_t begin, int32_t end,
                            const AffineQuant& in, const float* bias) {
  if (const std::optional<WeightOperator> part = SliceRows(r, begin, end)) {
    return MakeOperatorOpS8(*part, in, bias);
  }
  const std::vector<float> dense = r.Materialize();
  return MakeDenseOpS8(dense.data() + size_t(begin) * size_t(r.cols), end - begin,
                       static_cast<int32_t>(r.cols), in, bias);
}

GruS8 Prepare(const Graph& graph, const Node& node) {
  GruS8 g;
  g.in = RecurrentInputQuant(node);
  const AffineQuant h{1.0 / 128.0, 0};
  const Shape& x = graph.tensor(node.input(kRecurrentX)).shape;
  g.T = static_cast<int32_t>(x[0]);
  g.I = static_cast<int32_t>(x[2]);
  g.H = static_cast<int32_t>(node.GetInt("hidden_size", 0));
  g.linear_before_reset = node.GetInt("linear_before_reset", 0) != 0;
  const size_t H = static_cast<size_t>(g.H);
  std::vector<float> wb(3 * H, 0.0f), rb_h(H, 0.0f);
  if (node.input(kRecurrentB) != kNoTensor) {
    const std::vector<float>& b = graph.tensor(node.input(kRecurrentB)).f32;  // [1, 6H]
    for (size_t k = 0; k < 3 * H; ++k) wb[k] = b[k] + (k < 2 * H ? b[3 * H + k] : 0.0f);
    for (size_t k = 0; k < H; ++k) rb_h[k] = b[5 * H + k];
  }
  g.w = MakeRecurrentOpS8(graph, node, kRecurrentW, g.in, wb.data());
  const WeightOperatorSet* rset = node.WeightOps(kRecurrentR);
  if (rset != nullptr && !rset->per_direction.empty() && !rset->per_direction[0].is_dense()) {
    const WeightOperator& r = rset->per_direction[0];
    g.r_zr = MakeRowsOpS8(r, 0, 2 * g.H, h, nullptr);
    g.r_h = MakeRowsOpS8(r, 2 * g.H, 3 * g.H, h, rb_h.data());
  } else {
    const std::vector<float>& r = graph.tensor(node.input(kRecurrentR)).f32;  // [1, 3H, H]
    g.r_zr = MakeDenseOpS8(r.data(), 2 * g.H, g.H, h, nullptr);
    g.r_h = MakeDenseOpS8(r.data() + 2 * H * H, g.H, g.H, h, rb_h.data());
  }
  const tml_gru_s8_params p{g.I, g.H, g.linear_before_reset ? 1 : 0};
  const tml_linear_op_s8 wo = HostOpS8(g.w), rzr = HostOpS8(g.r_zr), rh = HostOpS8(g.r_h);
  g.step_bytes = tml_gru_step_s8_s16_get_buffer_size(&p, &wo, &rzr, &rh);
  return g;
}

}  // namespace

bool UsesGruS8(const Node& node) { return node.op == OpKind::kGru && node.HasAttr(kInt8Attr); }

int64_t GruS8ScratchBytes(const Graph& graph, const Node& node) {
  const GruS8 g = Prepare(graph, node);
  return RecurrentS8FrameBytes(g.T, g.I, g.H, g.step_bytes);
}

Status EmitGruS8(EmitContext& ctx, const Node& node) {
  const GruS8 g = Prepare(ctx.graph(), node);
  if (g.step_bytes < 0) return InvalidInput("malformed int8 GRU operators");
  const std::string w = EmitOpS8(ctx, g.w);
  const std::string r_zr = EmitOpS8(ctx, g.r_zr);
  const std::string r_h = EmitOpS8(ctx, g.r_h);
  const std::string params =
      ctx.Param("tml_gru_s8_params",
                fmt::format("{{{}, {}, {}}}", g.I, g.H, g.linear_before_reset ? 1 : 0));
  return EmitRecurrentS8Frame(
      ctx, node, g.T, g.I, g.H, g.in, g.step_bytes, "tml_gru_step_s8_s16",
      fmt::format("tml_gru_step_s8_s16({{ctx}}, {}, {}, {}, {}, {{x}}, {{h}}, {{h}})", params, w,
                  r_zr, r_h));
}

RecurrentStepS8 GruStepS8(EmitContext& ctx, const Node& node) {
  const GruS8 g = Prepare(ctx.graph(), node);
  RecurrentStepS8 s;
  s.kernel = "tml_gru_step_s8_s16";
  const std::string w = EmitOpS8(ctx, g.w);
  const std::string r_zr = EmitOpS8(ctx, g.r_zr);
  const std::string r_h = EmitOpS8(ctx, g.r_h);
  const std::string params =
      ctx.Param("tml_gru_s8_params",
                fmt::format("{{{}, {}, {}}}", g.I, g.H, g.linear_before_reset ? 1 : 0));
  s.call = fmt::format("tml_gru_step_s8_s16({{ctx}}, {}, {}, {}, {}, {{x}}, {{h}}, {{h}})", params,
                       w, r_zr, r_h);
  s.in = g.in;
  s.I = g.I;
  s.H = g.H;
  s.step_bytes = g.step_bytes;
  return s;
}

}  // namespace tml::codegen
