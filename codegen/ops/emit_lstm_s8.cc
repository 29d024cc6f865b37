// int8 LSTM (compile --quantize int8): a forward batch-1 LSTM carrying the
// int8 plan of passes/quantize.h runs as
//   tml_quantize_s8 of the whole input sequence (calibrated scale/zero point),
//   then per time step tml_lstm_step_s8_s16 (h int8 at 2^-7, c int16 Q4.11,
//   gates int16 Q3.12), dequantizing h into Y for that step,
//   and finally Y_h (h/128) and Y_c (c/2048) in float.
// W and R are tml_linear_op_s8 operators: dense (per-row int8, packed) or a
// stacked-gate Kronecker sum (int8 factors with shared row scales, optional
// doping overlay). Both biases (Wb + Rb) go into W's int32 bias with the input
// zero point folded in. Scratch: int8 input sequence, h, c, step scratch.
#include <algorithm>
#include <cmath>

#include "codegen/ops/op_emitters.h"
#include "compiler/ops/recurrent_common.h"
#include "passes/quantize.h"
#include "tml_kernels_s8.h"

namespace tml::codegen {
namespace {

int64_t Align4(int64_t n) { return (n + 3) / 4 * 4; }

// Host data of one int8 operator (W or R) and its C-side description.
struct OpData {
  int32_t rows = 0, cols = 0;
  bool kron = false;
  std::vector<int8_t> packed;
  QuantizedKron qk;
  std::vector<int8_t> packed_a, packed_b;  // qk's factors in the kernel layout
  std::vector<int32_t> bias;
  Requant rq;
};

// `in` is the input format of the operator; `to_q312` the real scale of one
// Q3.12 unit (1/4096); `bias` (may be null) the float bias [rows].
OpData MakeOp(const Graph& graph, const Node& node, size_t input, const AffineQuant& in,
              const float* bias) {
  OpData d;
  const Tensor& t = graph.tensor(node.input(input));  // [1, rows, cols]
  d.rows = static_cast<int32_t>(t.shape[1]);
  d.cols = static_cast<int32_t>(t.shape[2]);
  std::vector<double> row_unit(d.rows);
  const WeightOperatorSet* set = node.WeightOps(input);
  if (set != nullptr && !set->per_direction.empty() && !set->per_direction[0].is_dense() &&
      QuantizeKron(set->per_direction[0], &d.qk)) {
    d.kron = true;
    d.packed_a = d.qk.PackedA();
    d.packed_b = d.qk.PackedB();
    d.bias = d.qk.FoldBias(bias, in);
    for (int32_t r = 0; r < d.rows; ++r) row_unit[r] = in.scale * d.qk.RowScale(r);
  } else {
    const QuantizedMatrix m = QuantizeRows(t.f32.data(), d.rows, d.cols);
    d.packed = m.Packed();
    d.bias = m.FoldBias(bias, in);
    for (int32_t r = 0; r < d.rows; ++r) row_unit[r] = in.scale * m.row_scale[r];
  }
  d.rq = MakeRequant(row_unit, 1.0 / 4096.0);  // to Q3.12 gate pre-activations
  return d;
}

// A host-side tml_linear_op_s8 pointing at `d` (for the buffer size).
tml_linear_op_s8 HostOp(const OpData& d) {
  tml_linear_op_s8 op{};
  op.rows = d.rows;
  op.cols = d.cols;
  if (d.kron) {
    op.kron = &d.qk.params;
    op.a = d.packed_a.data();
    op.b = d.packed_b.data();
  } else {
    op.packed = d.packed.data();
  }
  op.bias = d.bias.data();
  op.quant.multiplier = d.rq.multiplier.data();
  op.quant.left_shift = d.rq.left_shift;
  op.quant.right_shift = d.rq.right_shift;
  return op;
}

struct LstmS8 {
  AffineQuant in;
  AffineQuant h;  // 2^-7, zero point 0
  int32_t T = 0, I = 0, H = 0;
  OpData w, r;
  int32_t step_bytes = 0;
};

LstmS8 Prepare(const Graph& graph, const Node& node) {
  LstmS8 l;
  const std::vector<float> q = node.GetFloats(kInt8Attr);
  l.in.scale = q.size() == 4 ? q[0] : 1.0;
  l.in.zero_point = q.size() == 4 ? static_cast<int32_t>(q[1]) : 0;
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
  l.w = MakeOp(graph, node, kRecurrentW, l.in, bias.empty() ? nullptr : bias.data());
  l.r = MakeOp(graph, node, kRecurrentR, l.h, nullptr);
  tml_lstm_s8_params p{l.I, l.H};
  const tml_linear_op_s8 w = HostOp(l.w), r = HostOp(l.r);
  l.step_bytes = tml_lstm_step_s8_s16_get_buffer_size(&p, &w, &r);
  return l;
}

std::vector<int64_t> Ints(const std::vector<int32_t>& v) { return {v.begin(), v.end()}; }
std::vector<int64_t> Ints(const std::vector<uint16_t>& v) { return {v.begin(), v.end()}; }
std::vector<int64_t> Ints(const std::vector<int8_t>& v) { return {v.begin(), v.end()}; }

// "&<static const tml_linear_op_s8>" of an operator.
std::string EmitOp(EmitContext& ctx, const OpData& d) {
  std::string packed = "NULL", kron = "NULL", a = "NULL", b = "NULL", sparse = "NULL";
  if (d.kron) {
    const tml_kron_s8_params& p = d.qk.params;
    kron = ctx.Param("tml_kron_s8_params", fmt::format("{{{}, {}, {}, {}, {}, {}}}", p.m1, p.n1,
                                                       p.m2, p.n2, p.rank, p.t_shift));
    a = ctx.IntWeightArray("int8_t", Ints(d.packed_a), 1);
    b = ctx.IntWeightArray("int8_t", Ints(d.packed_b), 1);
    if (!d.qk.row_ptr.empty()) {
      // Narrowest index types (counted in the weight bytes): uint8_t row pointers while
      // nnz <= 255, uint8_t column indices while cols <= 256.
      const int rp_bytes = d.qk.row_ptr.back() <= 255 ? 1 : 2;
      const int ci_bytes = d.cols <= 256 ? 1 : 2;
      auto index_array = [&](const std::vector<uint16_t>& v, int bytes) {
        return ctx.IntWeightArray(bytes == 1 ? "uint8_t" : "uint16_t",
                                  v.empty() ? std::vector<int64_t>{0} : Ints(v), bytes);
      };
      const std::string rp = index_array(d.qk.row_ptr, rp_bytes);
      const std::string ci = index_array(d.qk.col_idx, ci_bytes);
      const std::string vals = ctx.IntWeightArray(
          "int8_t",
          d.qk.sparse_values.empty() ? std::vector<int64_t>{0} : Ints(d.qk.sparse_values), 1);
      sparse = ctx.Param("tml_sparse_s8",
                         fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}}}", d.rows, d.cols, rp, ci,
                                     vals, rp_bytes, ci_bytes, d.qk.sparse_shift));
    }
  } else {
    packed = ctx.IntWeightArray("int8_t", Ints(d.packed), 1);
  }
  // R's bias is all zero (both ONNX biases sit in W's, h has zero point 0): not stored.
  const bool zero_bias = std::all_of(d.bias.begin(), d.bias.end(), [](int32_t v) { return v == 0; });
  const std::string bias = zero_bias ? "NULL" : ctx.IntWeightArray("int32_t", Ints(d.bias), 4);
  const std::string mult = ctx.IntWeightArray("int32_t", Ints(d.rq.multiplier), 4);
  return ctx.Param("tml_linear_op_s8",
                   fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {{{}, {}, {}}}}}", d.rows,
                               d.cols, packed, kron, a, b, sparse, bias, mult, d.rq.left_shift,
                               d.rq.right_shift));
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
  const std::string w = EmitOp(ctx, l.w);
  const std::string r = EmitOp(ctx, l.r);
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

}  // namespace tml::codegen
