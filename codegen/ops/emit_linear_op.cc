// Weight operators in the generated C (compiler/ir/weight_operator.h): the
// tml_linear_op_f32 descriptors of the runtime, Kronecker factors as weight
// arrays, and LSTM layers whose W/R carry operators, run step by step with
// tml_lstm_step_op_f32. The evaluation order of each Kronecker sum is the one
// with fewer MACs (DESIGN.md §5; ties: X·Bᵀ first), as the pass assumed.
#include <fmt/format.h>

#include "codegen/ops/op_emitters.h"
#include "compiler/ops/recurrent_common.h"
#include "tml_kernels.h"

namespace tml::codegen {
namespace {

bool Uniform(const WeightOperator& op) {
  for (const KronTerm& t : op.terms) {
    const KronTerm& f = op.terms[0];
    if (t.a_rows != f.a_rows || t.a_cols != f.a_cols || t.b_rows != f.b_rows || t.b_cols != f.b_cols) return false;
  }
  return true;
}

// The kernel can run it: Kronecker sums with uniform terms, or row blocks of
// those, each with an optional sparse overlay.
bool Supported(const WeightOperator& op) {
  if (!op.row_blocks.empty()) {
    for (const WeightOperator& b : op.row_blocks) {
      if (!b.row_blocks.empty() || b.terms.empty() || !Supported(b)) return false;
    }
    return true;
  }
  return !op.terms.empty() && Uniform(op);
}

tml_kron_params KronParams(const WeightOperator& op) {
  const KronTerm& t = op.terms[0];
  tml_kron_params p{};
  p.m1 = static_cast<int32_t>(t.a_rows);
  p.n1 = static_cast<int32_t>(t.a_cols);
  p.m2 = static_cast<int32_t>(t.b_rows);
  p.n2 = static_cast<int32_t>(t.b_cols);
  p.rank = static_cast<int32_t>(op.terms.size());
  const int64_t xbt = t.b_rows * t.a_cols * (t.b_cols + t.a_rows);
  const int64_t ax = t.a_rows * t.b_cols * (t.a_cols + t.b_rows);
  p.order = ax < xbt ? TML_KRON_AX_FIRST : TML_KRON_XBT_FIRST;
  p.accumulate = 0;
  return p;
}

// Host-side descriptors (data pointers left NULL) for the get_buffer_size functions.
struct HostOp {
  tml_linear_op_f32 op{};
  std::vector<tml_linear_op_f32> blocks;
};

void FillHost(const WeightOperator& w, tml_linear_op_f32* op) {
  op->rows = static_cast<int32_t>(w.rows);
  op->cols = static_cast<int32_t>(w.cols);
  op->kron = KronParams(w);
}

HostOp MakeHostOp(const Graph& graph, const Node& node, size_t input) {
  HostOp h;
  const WeightOperatorSet* set = node.WeightOps(input);
  const Tensor& t = graph.tensor(node.input(input));
  if (set == nullptr) {
    static const float kDummy = 0.f;
    h.op.rows = static_cast<int32_t>(t.shape[1]);
    h.op.cols = static_cast<int32_t>(t.shape[2]);
    h.op.w = &kDummy;
    return h;
  }
  const WeightOperator& w = set->per_direction[0];
  h.op.rows = static_cast<int32_t>(w.rows);
  h.op.cols = static_cast<int32_t>(w.cols);
  if (w.row_blocks.empty()) {
    FillHost(w, &h.op);
    return h;
  }
  for (const WeightOperator& b : w.row_blocks) {
    tml_linear_op_f32 bo{};
    FillHost(b, &bo);
    h.blocks.push_back(bo);
  }
  h.op.num_blocks = static_cast<int32_t>(h.blocks.size());
  h.op.blocks = h.blocks.data();
  return h;
}

std::string KronParamsInit(const tml_kron_params& p) {
  return fmt::format("{{{}, {}, {}, {}, {}, {}, 0}}", p.m1, p.n1, p.m2, p.n2, p.rank,
                     p.order == TML_KRON_AX_FIRST ? "TML_KRON_AX_FIRST" : "TML_KRON_XBT_FIRST");
}

// The narrowest CSR index type for values up to `largest` (and its C type, size).
struct IndexType {
  const char* enumerator;
  const char* c_type;
  int bytes;
};
IndexType NarrowestIndex(int64_t largest) {
  if (largest <= 255) return {"TML_SPARSE_INDEX_U8", "uint8_t", 1};
  if (largest <= 65535) return {"TML_SPARSE_INDEX_U16", "uint16_t", 2};
  return {"TML_SPARSE_INDEX_S32", "int32_t", 4};
}

// "&<tml_sparse_f32>" for a doping overlay, or "NULL"; the index arrays use the
// narrowest type (column indices by cols − 1, row pointers by nnz).
std::string SparseInit(EmitContext& ctx, const WeightOperator& w) {
  if (!w.sparse) return "NULL";
  const SparseOverlay& s = *w.sparse;
  const IndexType rows_t = NarrowestIndex(s.nnz());
  const IndexType cols_t = NarrowestIndex(w.cols - 1);
  const std::string row_ptr = ctx.IntWeightArray(
      rows_t.c_type, std::vector<int64_t>(s.row_ptr.begin(), s.row_ptr.end()), rows_t.bytes);
  const std::string col_idx = ctx.IntWeightArray(
      cols_t.c_type, std::vector<int64_t>(s.col_idx.begin(), s.col_idx.end()), cols_t.bytes);
  const std::string values = ctx.WeightArray(s.values);
  ctx.UseKernel("tml_sparse_matvec_f32");
  return ctx.Param("tml_sparse_f32", fmt::format("{{{{{}, {}, {}, {}}}, {}, {}, {}}}", w.rows, w.cols,
                                                 rows_t.enumerator, cols_t.enumerator, row_ptr,
                                                 col_idx, values));
}

// The weight arrays of all A factors and of all B factors, term after term.
std::pair<std::string, std::string> KronFactorArrays(EmitContext& ctx, const WeightOperator& w) {
  std::vector<float> a, b;
  for (const KronTerm& t : w.terms) {
    a.insert(a.end(), t.a.begin(), t.a.end());
    b.insert(b.end(), t.b.begin(), t.b.end());
  }
  return {ctx.WeightArray(a), ctx.WeightArray(b)};
}

// "{rows, cols, NULL, {kron}, a, b, 0, NULL, sparse}" for a Kronecker sum (factors emitted).
std::string KronOpInit(EmitContext& ctx, const WeightOperator& w) {
  const auto [an, bn] = KronFactorArrays(ctx, w);
  ctx.UseKernel("tml_kron_matvec_f32");
  return fmt::format("{{{}, {}, NULL, {}, {}, {}, 0, NULL, {}}}", w.rows, w.cols,
                     KronParamsInit(KronParams(w)), an, bn, SparseInit(ctx, w));
}

// "&<op>" describing weight input `input` of a recurrent node (direction 0).
StatusOr<std::string> EmitOp(EmitContext& ctx, const Node& node, size_t input) {
  const WeightOperatorSet* set = node.WeightOps(input);
  const Tensor& t = ctx.tensor(node.input(input));
  if (set == nullptr) {
    TML_ASSIGN_OR_RETURN(std::string ptr, ctx.Ptr(node.input(input)));
    return ctx.Param("tml_linear_op_f32",
                     fmt::format("{{{}, {}, {}, {{0, 0, 0, 0, 0, TML_KRON_XBT_FIRST, 0}}, NULL, NULL, 0, NULL, NULL}}",
                                 t.shape[1], t.shape[2], ptr));
  }
  const WeightOperator& w = set->per_direction[0];
  if (w.row_blocks.empty()) return ctx.Param("tml_linear_op_f32", KronOpInit(ctx, w));
  std::string init;
  for (const WeightOperator& b : w.row_blocks) init += (init.empty() ? "" : ", ") + KronOpInit(ctx, b);
  const std::string blocks = ctx.Array("tml_linear_op_f32", w.row_blocks.size(), "{" + init + "}");
  return ctx.Param("tml_linear_op_f32",
                   fmt::format("{{{}, {}, NULL, {{0, 0, 0, 0, 0, TML_KRON_XBT_FIRST, 0}}, NULL, NULL, {}, {}, {}}}",
                               w.rows, w.cols, w.row_blocks.size(), blocks, SparseInit(ctx, w)));
}

int64_t AlignFloats4(int64_t n) { return (n + 3) / 4 * 4; }

}  // namespace

const char* StepOpKernel(OpKind op) {
  switch (op) {
    case OpKind::kLstm: return "tml_lstm_step_op_f32";
    case OpKind::kGru: return "tml_gru_step_op_f32";
    default: return "tml_rnn_step_op_f32";
  }
}

bool UsesRecurrentOperators(const Graph& graph, const Node& node) {
  const bool recurrent = node.op == OpKind::kLstm || node.op == OpKind::kGru || node.op == OpKind::kRnn;
  if (!recurrent || node.weight_ops.empty()) return false;
  const RecurrentAttrs attrs = ReadRecurrentAttrs(node);
  // GRU: tml_gru_step_op_f32 runs linear_before_reset = 1 only (PyTorch's form).
  if (node.op == OpKind::kGru && !attrs.linear_before_reset) return false;
  if (attrs.num_directions != 1 || node.input(kRecurrentSequenceLens) != kNoTensor) return false;
  const Tensor& x = graph.tensor(node.input(kRecurrentX));
  const int64_t batch = attrs.layout == 0 ? x.shape[1] : x.shape[0];
  if (batch != 1) return false;
  for (const WeightOperatorSet& set : node.weight_ops) {
    if (set.input != kRecurrentW && set.input != kRecurrentR) return false;
    if (set.per_direction.size() != 1 || !Supported(set.per_direction[0])) return false;
  }
  return true;
}

int32_t RecurrentStepOpScratchBytes(const Graph& graph, const Node& node) {
  const RecurrentAttrs attrs = ReadRecurrentAttrs(node);
  HostOp w = MakeHostOp(graph, node, kRecurrentW), r = MakeHostOp(graph, node, kRecurrentR);
  tml_rnn_cell_params cell{};
  cell.input_size = w.op.cols;
  cell.hidden_size = static_cast<int32_t>(attrs.hidden_size);
  tml_rnn_op_weights_f32 weights{&w.op, &r.op, nullptr, nullptr};
  switch (node.op) {
    case OpKind::kLstm: return tml_lstm_step_op_f32_get_buffer_size(&cell, &weights);
    case OpKind::kGru: return tml_gru_step_op_f32_get_buffer_size(&cell, &weights);
    default: return tml_rnn_step_op_f32_get_buffer_size(&cell, &weights);
  }
}

int64_t RecurrentOperatorScratchBytes(const Graph& graph, const Node& node) {
  const int64_t h = ReadRecurrentAttrs(node).hidden_size;
  return 2 * AlignFloats4(h) * 4 + RecurrentStepOpScratchBytes(graph, node);
}

StatusOr<std::string> EmitRecurrentOpWeights(EmitContext& ctx, const Node& node) {
  TML_ASSIGN_OR_RETURN(std::string w, EmitOp(ctx, node, kRecurrentW));
  TML_ASSIGN_OR_RETURN(std::string r, EmitOp(ctx, node, kRecurrentR));
  std::string b = "NULL", p = "NULL";
  if (node.input(kRecurrentB) != kNoTensor) {
    TML_ASSIGN_OR_RETURN(b, ctx.Ptr(node.input(kRecurrentB)));
  }
  if (node.input(kRecurrentP) != kNoTensor) {
    TML_ASSIGN_OR_RETURN(p, ctx.Ptr(node.input(kRecurrentP)));
  }
  ctx.UseKernel(StepOpKernel(node.op));
  // tml_kron_matvec_f32 / tml_sparse_matvec_f32 come with the operators that use them
  // (KronOpInit, SparseInit): a model without one links neither (runtime/include/tml_config.h).
  ctx.UseKernel("tml_linear_op_apply_f32");
  return ctx.Param("tml_rnn_op_weights_f32", fmt::format("{{{}, {}, {}, {}}}", w, r, b, p));
}

Status EmitRecurrentOperators(EmitContext& ctx, const Node& node) {
  const RecurrentAttrs attrs = ReadRecurrentAttrs(node);
  const Tensor& x = ctx.tensor(node.input(kRecurrentX));
  const int64_t seq = attrs.layout == 0 ? x.shape[0] : x.shape[1];
  const int64_t in = x.shape[2], h = attrs.hidden_size, ha = AlignFloats4(h);
  const bool reverse = attrs.direction == "reverse";
  TML_ASSIGN_OR_RETURN(std::string weights, EmitRecurrentOpWeights(ctx, node));
  const bool lstm = node.op == OpKind::kLstm;
  const std::string cell = ctx.Param(
      "tml_rnn_cell_params", fmt::format("{{{}, {}, {}, {}, {}}}", in, h, FloatLiteral(attrs.clip),
                                         attrs.input_forget ? 1 : 0,
                                         attrs.linear_before_reset ? 1 : 0));
  TML_ASSIGN_OR_RETURN(std::string xp, ctx.Ptr(node.input(kRecurrentX)));
  auto optional_ptr = [&](TensorId id) -> StatusOr<std::string> {
    if (id == kNoTensor || !ctx.HasBuffer(id)) return std::string();
    return ctx.Ptr(id);
  };
  TML_ASSIGN_OR_RETURN(std::string h0, optional_ptr(node.input(kRecurrentInitialH)));
  TML_ASSIGN_OR_RETURN(std::string c0, optional_ptr(node.input(kRecurrentInitialC)));
  TML_ASSIGN_OR_RETURN(std::string y, optional_ptr(node.output(kRecurrentY)));
  TML_ASSIGN_OR_RETURN(std::string yh, optional_ptr(node.output(kRecurrentYh)));
  std::string yc;
  if (lstm) {
    TML_ASSIGN_OR_RETURN(yc, optional_ptr(node.output(kRecurrentYc)));
  }
  const std::string& scratch = ctx.Scratch();

  CWriter& w = ctx.body();
  w.Comment(fmt::format("Kronecker-factored weights: one {} per time step", StepOpKernel(node.op)));
  w.Line("{");
  w.Indent();
  w.Line(fmt::format("float *tml_h = (float *)({})->buf;", scratch));
  w.Line(fmt::format("float *tml_c = tml_h + {};", ha));
  w.Line("tml_context tml_sc;");
  w.Line("int32_t tml_t;");
  w.Line("int32_t tml_j;");
  w.Line(fmt::format("tml_sc.buf = tml_c + {};", ha));
  w.Line(fmt::format("tml_sc.size = ({})->size - {};", scratch, 2 * ha * 4));
  w.Open(fmt::format("for (tml_j = 0; tml_j < {}; ++tml_j)", h));
  w.Line(fmt::format("tml_h[tml_j] = {};", h0.empty() ? "0.0f" : h0 + "[tml_j]"));
  if (lstm) w.Line(fmt::format("tml_c[tml_j] = {};", c0.empty() ? "0.0f" : c0 + "[tml_j]"));
  w.Close();
  w.Open(fmt::format("for (tml_t = 0; tml_t < {}; ++tml_t)", seq));
  w.Line(fmt::format("const int32_t tml_s = {};", reverse ? fmt::format("{} - tml_t", seq - 1) : "tml_t"));
  ctx.Call(fmt::format("{}(&tml_sc, {}, {}, {} + tml_s * {}, {})", StepOpKernel(node.op), cell,
                       weights, xp, in, lstm ? "tml_h, tml_c, tml_h, tml_c" : "tml_h, tml_h"));
  if (!y.empty()) {
    w.Open(fmt::format("for (tml_j = 0; tml_j < {}; ++tml_j)", h));
    w.Line(fmt::format("{}[tml_s * {} + tml_j] = tml_h[tml_j];", y, h));
    w.Close();
  }
  w.Close();
  if (!yh.empty() || !yc.empty()) {
    w.Open(fmt::format("for (tml_j = 0; tml_j < {}; ++tml_j)", h));
    if (!yh.empty()) w.Line(fmt::format("{}[tml_j] = tml_h[tml_j];", yh));
    if (!yc.empty()) w.Line(fmt::format("{}[tml_j] = tml_c[tml_j];", yc));
    w.Close();
  }
  w.Dedent();
  w.Line("}");
  return Status::Ok();
}

}  // namespace tml::codegen

namespace tml::codegen {

// Gemm (transA = 0, alpha = 1, C absent or a [N] / [1, N] bias with beta = 1)
// and MatMul whose weight (input 1) carries a Kronecker operator: one
// tml_kron_matvec_f32 over the rows of A, the bias fused.
bool UsesKronMatvec(const Graph& graph, const Node& node) {
  if (node.op != OpKind::kGemm && node.op != OpKind::kMatMul) return false;
  const WeightOperatorSet* set = node.WeightOps(1);
  if (set == nullptr || set->per_direction.size() != 1) return false;
  const WeightOperator& w = set->per_direction[0];
  if (!w.row_blocks.empty() || !Supported(w)) return false;
  if (node.op == OpKind::kGemm) {
    if (node.GetInt("transA", 0) != 0 || node.GetFloat("alpha", 1.0f) != 1.0f) return false;
    const TensorId c = node.input(2);
    if (c != kNoTensor) {
      if (node.GetFloat("beta", 1.0f) != 1.0f) return false;
      if (graph.tensor(c).num_elements() != w.rows) return false;
      const Shape& cs = graph.tensor(c).shape;
      if (!cs.empty() && cs.back() != w.rows) return false;
    }
  }
  return true;
}

int64_t KronMatvecScratchBytes(const Graph& graph, const Node& node) {
  (void)graph;
  const tml_kron_params p = KronParams(node.WeightOps(1)->per_direction[0]);
  return tml_kron_matvec_f32_get_buffer_size(&p);
}

Status EmitKronMatvec(EmitContext& ctx, const Node& node) {
  const WeightOperator& w = node.WeightOps(1)->per_direction[0];
  const tml_kron_params p = KronParams(w);
  const auto [an, bn] = KronFactorArrays(ctx, w);
  const std::string params = ctx.Param("tml_kron_params", KronParamsInit(p));
  TML_ASSIGN_OR_RETURN(std::string a_dims, ctx.DimsOf(Shape{p.rank, p.m1, p.n1}));
  TML_ASSIGN_OR_RETURN(std::string b_dims, ctx.DimsOf(Shape{p.rank, p.m2, p.n2}));
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  std::string bias_dims = "NULL", bias = "NULL";
  if (node.op == OpKind::kGemm && node.input(2) != kNoTensor) {
    TML_ASSIGN_OR_RETURN(bias_dims, ctx.DimsOf(Shape{w.rows}));
    TML_ASSIGN_OR_RETURN(bias, ctx.Ptr(node.input(2)));
  }
  ctx.UseKernel("tml_kron_matvec_f32");
  ctx.body().Comment(fmt::format("Kronecker-factored weight: {} term(s) of {}x{} (x) {}x{}", p.rank, p.m1,
                                 p.n1, p.m2, p.n2));
  ctx.Call(fmt::format("tml_kron_matvec_f32({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})", ctx.Scratch(),
                       params, x_dims, x, a_dims, an, b_dims, bn, bias_dims, bias, y_dims, y));
  if (w.sparse) {
    const std::string s = SparseInit(ctx, w);
    ctx.body().Comment(fmt::format("doping overlay: {} non-zeros", w.sparse->nnz()));
    ctx.Call(fmt::format("tml_sparse_matvec_f32(NULL, &({0})->params, ({0})->row_ptr, ({0})->col_idx, "
                         "({0})->values, {1}, {2}, {3}, {4})",
                         s, x_dims, x, y_dims, y));
  }
  return Status::Ok();
}

}  // namespace tml::codegen
