// int8 fully connected (compile --quantize int8): Gemm / MatMul nodes carrying
// the int8 plan of compiler/quant/int8_plan.h (set by the quantize pass) run as
//   tml_quantize_s8 (float input → int8, the calibrated input scale/zero point)
//   tml_fully_connected_s8 (packed per-row int8 weights at power-of-two related
//                           row scales, int32 bias with the input zero point folded
//                           in, one Q31 multiplier shifted per row)
//   tml_dequantize_s8 (int8 → float output)
// with the int8 input, int8 output and the kernel's scratch in the node's
// scratch, in that order. Between two int8 layers the activation stays int8
// (no quantize/dequantize) and a Relu in between folds into the requantization
// (codegen/int8_links.h). The weights are quantized here (QuantizeRows), so
// the graph keeps its float weights for the reference interpreter. A compressed
// weight (Kronecker sum, doping, row blocks) runs as tml_linear_op_fc_s8 on its
// int8 operator (linear_op_s8.h) in place of tml_fully_connected_s8. So does a
// dense weight in a model with an int8 recurrent layer: that model links the
// linear-operator code anyway, and tml_fully_connected_s8 (~6 KB of unrolled
// loops) would be a second copy of it for a layer that is ~1 % of the cycles;
// the int8 weights and the requantization (MakeDenseOpS8: the same
// QuantizeRowsPowerOfTwo and one multiplier shifted per row) are the same.
#include <algorithm>
#include <cmath>

#include "codegen/ops/linear_op_s8.h"
#include "codegen/ops/op_emitters.h"
#include "codegen/int8_weights.h"
#include "tml_kernels_s8.h"

namespace tml::codegen {
namespace {

int64_t Align4(int64_t n) { return (n + 3) / 4 * 4; }

// W as [rows = N, cols = K] row-major.
std::vector<float> WeightRows(const Graph& graph, const Node& node, int32_t* rows, int32_t* cols) {
  const Tensor& b = graph.tensor(node.input(1));
  const int64_t d0 = b.shape[0], d1 = b.shape[1];
  if (node.op == OpKind::kGemm && node.GetInt("transB", 0) != 0) {
    *rows = static_cast<int32_t>(d0);
    *cols = static_cast<int32_t>(d1);
    return b.f32;
  }
  *rows = static_cast<int32_t>(d1);
  *cols = static_cast<int32_t>(d0);
  std::vector<float> w(b.f32.size());
  for (int64_t k = 0; k < d0; ++k) {
    for (int64_t n = 0; n < d1; ++n) w[n * d0 + k] = b.f32[k * d1 + n];
  }
  return w;
}

int32_t FcBufferBytes(int32_t rows, int32_t cols) {
  tml_dims wd{};
  wd.rank = 2;
  wd.dim[0] = rows;
  wd.dim[1] = cols;
  return tml_fully_connected_s8_get_buffer_size(&wd);
}

// The node's compressed weight operator (out × in), or null for a dense weight.
const WeightOperator* CompressedWeight(const Node& node) {
  const WeightOperatorSet* set = node.WeightOps(1);
  if (set == nullptr || set->per_direction.empty() || set->per_direction[0].is_dense()) {
    return nullptr;
  }
  return &set->per_direction[0];
}

// True when the graph has an int8 recurrent layer (which links tml_linear_op_s8_apply).
bool LinksLinearOpS8(const Graph& graph) {
  return std::any_of(graph.nodes().begin(), graph.nodes().end(), [](const Node& n) {
    return UsesLstmS8(n) || UsesGruS8(n) || UsesRnnS8(n);
  });
}

// Scratch of tml_linear_op_fc_s8 for a dense [rows, cols] weight.
int32_t DenseOpFcBufferBytes(int32_t rows, int32_t cols) {
  const std::vector<float> w(static_cast<size_t>(rows) * static_cast<size_t>(cols), 1.0f);
  LinearOpS8Data d = MakeDenseOpS8(w.data(), rows, cols, AffineQuant{1.0, 0}, nullptr, 1.0);
  const tml_linear_op_s8 op = HostOpS8(d);
  return tml_linear_op_fc_s8_get_buffer_size(&op);
}

// Scratch of tml_linear_op_fc_s8 for the operator (independent of the scales).
int32_t OpFcBufferBytes(const WeightOperator& w) {
  LinearOpS8Data d = MakeOperatorOpS8(w, AffineQuant{1.0, 0}, nullptr, 1.0);
  const tml_linear_op_s8 op = HostOpS8(d);
  return tml_linear_op_fc_s8_get_buffer_size(&op);
}

}  // namespace

bool UsesFullyConnectedS8(const Node& node) {
  return node.HasAttr(kInt8Attr) && (node.op == OpKind::kGemm || node.op == OpKind::kMatMul);
}

int64_t FullyConnectedS8ScratchBytes(const Graph& graph, const Node& node) {
  const Tensor& b = graph.tensor(node.input(1));
  const bool trans = node.op == OpKind::kGemm && node.GetInt("transB", 0) != 0;
  const int32_t rows = static_cast<int32_t>(trans ? b.shape[0] : b.shape[1]);
  const int32_t cols = static_cast<int32_t>(trans ? b.shape[1] : b.shape[0]);
  const WeightOperator* compressed = CompressedWeight(node);
  return Align4(graph.tensor(node.input(0)).num_elements()) +
         Align4(graph.tensor(node.output(0)).num_elements()) +
         (compressed != nullptr    ? OpFcBufferBytes(*compressed)
          : LinksLinearOpS8(graph) ? DenseOpFcBufferBytes(rows, cols)
                                   : FcBufferBytes(rows, cols));
}

Status EmitFullyConnectedS8(EmitContext& ctx, const Node& node) {
  const std::optional<Int8Plan> plan = ReadInt8Plan(node);
  if (!plan.has_value()) return InvalidInput("malformed int8 plan");
  const AffineQuant in = plan->input;
  AffineQuant out = plan->output;
  const float* bias = nullptr;
  if (node.op == OpKind::kGemm && node.input(2) != kNoTensor) {
    bias = ctx.tensor(node.input(2)).f32.data();
  }
  // Int8 neighbours (codegen/int8_links.h): read the int8 input as it is, write
  // int8 in the consumers' format (through a folded Relu: clamped at real 0).
  const Int8Links& links = ctx.int8_links();
  const TensorId x_id = node.input(0);
  TensorId y_id = node.output(0);
  const auto folded = links.write_instead.find(y_id);
  const bool relu = folded != links.write_instead.end();
  if (relu) y_id = folded->second;
  const bool x_int8 = links.IsInt8(x_id), y_int8 = links.IsInt8(y_id);
  if (y_int8) {
    out.scale = links.format.at(y_id).first;
    out.zero_point = links.format.at(y_id).second;
  }
  const int32_t act_min = relu ? out.zero_point : -128;

  // The kernel call on xq_ / yq_ (dims filled in below) and its scratch bytes.
  std::string kernel, call;
  int32_t kernel_bytes = 0;
  const WeightOperator* compressed = CompressedWeight(node);
  if (compressed != nullptr || LinksLinearOpS8(ctx.graph())) {
    LinearOpS8Data d;
    if (compressed != nullptr) {
      d = MakeOperatorOpS8(*compressed, in, bias, out.scale);
    } else {
      int32_t rows = 0, cols = 0;
      const std::vector<float> w = WeightRows(ctx.graph(), node, &rows, &cols);
      d = MakeDenseOpS8(w.data(), rows, cols, in, bias, out.scale);
    }
    const tml_linear_op_s8 host = HostOpS8(d);
    kernel = "tml_linear_op_fc_s8";
    kernel_bytes = tml_linear_op_fc_s8_get_buffer_size(&host);
    const std::string op = EmitOpS8(ctx, d);
    const std::string fc_params = ctx.Param(
        "tml_fc_s8_params", fmt::format("{{{}, {}, 127, NULL}}", out.zero_point, act_min));
    call = fmt::format("tml_linear_op_fc_s8(&fc_ctx_, {}, {}, {{x_dims}}, xq_, {{y_dims}}, yq_)",
                       fc_params, op);
  } else {
    int32_t rows = 0, cols = 0;
    const std::vector<float> w = WeightRows(ctx.graph(), node, &rows, &cols);
    // Power-of-two related row scales: one multiplier and a byte of shift per row
    // (tml_fc_s8_params::row_shift) instead of a 4-byte multiplier per row.
    std::vector<int8_t> row_shift;
    const QuantizedMatrix m = QuantizeRowsPowerOfTwo(w.data(), rows, cols, &row_shift);
    const std::vector<int32_t> bias_eff = m.FoldBias(bias, in);
    const double top = *std::max_element(m.row_scale.begin(), m.row_scale.end());
    const Requant rq = MakeRequant({in.scale * top}, out.scale);
    const std::vector<int8_t> packed = m.Packed();
    const std::string w_name =
        ctx.IntWeightArray("int8_t", std::vector<int64_t>(packed.begin(), packed.end()), 1);
    const std::string b_name =
        ctx.IntWeightArray("int32_t", std::vector<int64_t>(bias_eff.begin(), bias_eff.end()), 4);
    const std::string m_name = ctx.IntWeightArray(
        "int32_t", std::vector<int64_t>(rq.multiplier.begin(), rq.multiplier.end()), 4);
    const std::string shift_name =
        ctx.IntWeightArray("int8_t", std::vector<int64_t>(row_shift.begin(), row_shift.end()), 1);
    const std::string fc_params =
        ctx.Param("tml_fc_s8_params",
                  fmt::format("{{{}, {}, 127, {}}}", out.zero_point, act_min, shift_name));
    const std::string quant = ctx.Param(
        "tml_quant_params", fmt::format("{{{}, {}, {}}}", m_name, rq.left_shift, rq.right_shift));
    TML_ASSIGN_OR_RETURN(std::string w_dims, ctx.DimsOf(Shape{rows, cols}));
    kernel = "tml_fully_connected_s8";
    if (cols > kS8ColumnsWithoutFolding) ctx.UseRuntimeOption("TML_S8_LONG_ROWS");
    kernel_bytes = FcBufferBytes(rows, cols);
    call = fmt::format(
        "tml_fully_connected_s8(&fc_ctx_, {}, {}, {{x_dims}}, xq_, {}, {}, {}, {{y_dims}}, yq_)",
        fc_params, quant, w_dims, w_name, b_name);
  }
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(x_id));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(x_id));
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(y_id));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(y_id));
  if (ctx.Scratch() == "NULL") return InvalidInput("int8 fully connected without scratch");
  const int64_t xq_bytes = Align4(ctx.tensor(x_id).num_elements());
  const int64_t yq_bytes = Align4(ctx.tensor(y_id).num_elements());
  ctx.UseKernel(kernel);
  CWriter& body = ctx.body();
  body.Open("");
  body.Line(fmt::format("int8_t *scratch_ = (int8_t *)({})->buf;", ctx.Scratch()));
  body.Line(x_int8 ? fmt::format("const int8_t *xq_ = (const int8_t *){};", x)
                   : "int8_t *xq_ = scratch_;");
  body.Line(y_int8 ? fmt::format("int8_t *yq_ = (int8_t *){};", y)
                   : fmt::format("int8_t *yq_ = scratch_ + {};", xq_bytes));
  body.Line(fmt::format("const tml_context fc_ctx_ = {{scratch_ + {}, {}}};", xq_bytes + yq_bytes,
                        kernel_bytes));
  if (!x_int8) {
    ctx.UseKernel("tml_quantize_s8");
    ctx.Call(fmt::format("tml_quantize_s8({}, {}, {}, {}, scratch_)", x_dims, x,
                         FloatLiteral(static_cast<float>(1.0 / in.scale)), in.zero_point));
  }
  ctx.Call(fmt::format(fmt::runtime(call), fmt::arg("x_dims", x_dims), fmt::arg("y_dims", y_dims)));
  if (!y_int8) {
    ctx.UseKernel("tml_dequantize_s8");
    ctx.Call(fmt::format("tml_dequantize_s8({}, yq_, {}, {}, {})", y_dims,
                         FloatLiteral(static_cast<float>(out.scale)), out.zero_point, y));
  }
  body.Close();
  return Status::Ok();
}

}  // namespace tml::codegen
