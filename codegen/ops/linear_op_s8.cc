#include "codegen/ops/linear_op_s8.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "compiler/ops/recurrent_common.h"

namespace tml::codegen {
namespace {

int64_t Align4(int64_t n) { return (n + 3) / 4 * 4; }

template <typename T>
std::vector<int64_t> Ints(const std::vector<T>& v) {
  return {v.begin(), v.end()};
}

}  // namespace

LinearOpS8Data MakeDenseOpS8(const float* w, int32_t rows, int32_t cols, const AffineQuant& in,
                             const float* bias, double out_scale) {
  LinearOpS8Data d;
  d.rows = rows;
  d.cols = cols;
  const QuantizedMatrix m = QuantizeRowsPowerOfTwo(w, rows, cols, &d.row_shift);
  const double top = *std::max_element(m.row_scale.begin(), m.row_scale.end());
  d.rq = MakeRequant({in.scale * top}, out_scale);
  d.packed = m.Packed();
  d.bias = m.FoldBias(bias, in);
  return d;
}

namespace {

// A Kronecker operator (QuantizeKron has accepted it into d->qk).
void FillKron(const AffineQuant& in, const float* bias, LinearOpS8Data* d,
              std::vector<double>* row_unit) {
  d->rows = d->qk.rows();
  d->cols = d->qk.cols();
  d->kron = true;
  d->packed_a = d->qk.PackedA();
  d->packed_b = d->qk.PackedB();
  d->bias = d->qk.FoldBias(bias, in);
  for (int32_t r = 0; r < d->rows; ++r) row_unit->push_back(in.scale * d->qk.RowScale(r));
}

// log2(largest / scale) of power-of-two related scales (QuantizeKron's factor
// row scales), or -1 for one that is not.
std::vector<int> PowerOfTwoShifts(const std::vector<double>& scales) {
  double top = 0.0;
  for (double v : scales) top = std::max(top, v);
  std::vector<int> k;
  for (double v : scales) {
    const int e = v > 0.0 ? static_cast<int>(std::lround(std::log2(top / v))) : -1;
    k.push_back(e >= 0 && std::abs(std::ldexp(v, e) - top) <= 1e-9 * top ? e : -1);
  }
  return k;
}

// The compact requantization of a Kronecker operator from its factors' row scales:
// one multiplier, m1 + m2 shifts (tml_linear_op_s8::row_shift). False (nothing set)
// when the scales are not power-of-two related or a row would shift more than 14.
bool FactorShifts(const QuantizedKron& qk, const std::vector<double>& row_unit,
                  double out_scale, LinearOpS8Data* d) {
  const std::vector<int> ka = PowerOfTwoShifts(qk.a_row_scale);
  const std::vector<int> kb = PowerOfTwoShifts(qk.b_row_scale);
  const int max_a = *std::max_element(ka.begin(), ka.end());
  const int max_b = *std::max_element(kb.begin(), kb.end());
  if (*std::min_element(ka.begin(), ka.end()) < 0 || *std::min_element(kb.begin(), kb.end()) < 0 ||
      max_a + max_b > 14) {
    return false;
  }
  const double top = *std::max_element(row_unit.begin(), row_unit.end());
  d->rq = MakeRequant({top}, out_scale);
  d->row_shift.assign(ka.begin(), ka.end());
  d->row_shift.insert(d->row_shift.end(), kb.begin(), kb.end());
  return true;
}

// The compact requantization (one multiplier, a right shift per row) when every
// row's unit is the largest one times 2^-k, k <= 14 — what QuantizeKron's power-of-two
// factor row scales give. False (nothing set) otherwise.
bool CompactRequant(const std::vector<double>& row_unit, double out_scale, LinearOpS8Data* d) {
  double top = 0.0;
  for (double u : row_unit) top = std::max(top, u);
  if (!(top > 0.0)) return false;
  std::vector<int8_t> shift;
  for (double u : row_unit) {
    const int k = static_cast<int>(std::lround(std::log2(top / u)));
    if (k < 0 || k > 14 || std::abs(std::ldexp(u, k) - top) > 1e-9 * top) return false;
    shift.push_back(static_cast<int8_t>(k));
  }
  d->rq = MakeRequant({top}, out_scale);
  d->row_shift = std::move(shift);
  return true;
}

}  // namespace

LinearOpS8Data MakeRecurrentOpS8(const Graph& graph, const Node& node, size_t input,
                                 const AffineQuant& in, const float* bias) {
  const Tensor& t = graph.tensor(node.input(input));  // [1, rows, cols]
  const int32_t rows = static_cast<int32_t>(t.shape[1]);
  const int32_t cols = static_cast<int32_t>(t.shape[2]);
  const WeightOperatorSet* set = node.WeightOps(input);
  if (set == nullptr || set->per_direction.empty() || set->per_direction[0].is_dense()) {
    return MakeDenseOpS8(t.f32.data(), rows, cols, in, bias, kGateScale);
  }
  return MakeOperatorOpS8(set->per_direction[0], in, bias, kGateScale);
}

LinearOpS8Data MakeOperatorOpS8(const WeightOperator& op, const AffineQuant& in,
                                const float* bias, double out_scale) {
  const int32_t rows = static_cast<int32_t>(op.rows);
  const int32_t cols = static_cast<int32_t>(op.cols);
  LinearOpS8Data d;
  std::vector<double> row_unit;
  if (QuantizeKron(op, &d.qk)) {
    FillKron(in, bias, &d, &row_unit);
    if (FactorShifts(d.qk, row_unit, out_scale, &d)) return d;
  } else if (QuantizableRowBlocks(op)) {
    // Per-gate blocks: one QuantizedKron each; the stack requantizes all rows.
    d.rows = rows;
    d.cols = cols;
    int32_t row = 0;
    for (const WeightOperator& b : op.row_blocks) {
      LinearOpS8Data& block = d.blocks.emplace_back();
      QuantizeKron(b, &block.qk);
      FillKron(in, bias != nullptr ? bias + row : nullptr, &block, &row_unit);
      row += block.rows;
    }
  } else {
    // What the operator computes (never the node's original weights).
    const std::vector<float> dense = op.Materialize();
    return MakeDenseOpS8(dense.data(), rows, cols, in, bias, out_scale);
  }
  if (!CompactRequant(row_unit, out_scale, &d)) d.rq = MakeRequant(row_unit, out_scale);
  return d;
}

tml_linear_op_s8 HostOpS8(LinearOpS8Data& d) {
  tml_linear_op_s8 op{};
  op.rows = d.rows;
  op.cols = d.cols;
  if (!d.blocks.empty()) {
    d.host_blocks.clear();
    for (LinearOpS8Data& b : d.blocks) d.host_blocks.push_back(HostOpS8(b));
    op.blocks = d.host_blocks.data();
    op.num_blocks = static_cast<int32_t>(d.host_blocks.size());
  } else if (d.kron) {
    op.kron = &d.qk.params;
    op.a = d.packed_a.data();
    op.b = d.packed_b.data();
  } else {
    op.packed = d.packed.data();
  }
  op.bias = d.bias.empty() ? nullptr : d.bias.data();
  op.quant.multiplier = d.rq.multiplier.data();
  op.quant.left_shift = d.rq.left_shift;
  op.quant.right_shift = d.rq.right_shift;
  op.row_shift = d.row_shift.empty() ? nullptr : d.row_shift.data();
  return op;
}

namespace {

// The doping in coordinate form (tml_sparse_s8): entries in row order, each with the rows
// to step down from the previous entry's row (filler entries of value 0 for gaps over
// 255 rows).
struct SparseCoordinates {
  std::vector<int64_t> step, col, value;
};

SparseCoordinates ToCoordinates(const QuantizedKron& qk) {
  SparseCoordinates c;
  int32_t prev = 0;
  for (size_t r = 0; r + 1 < qk.row_ptr.size(); ++r) {
    for (uint16_t k = qk.row_ptr[r]; k < qk.row_ptr[r + 1]; ++k) {
      int32_t gap = static_cast<int32_t>(r) - prev;
      for (; gap > 255; gap -= 255) {
        c.step.push_back(255);
        c.col.push_back(0);
        c.value.push_back(0);
      }
      c.step.push_back(gap);
      c.col.push_back(qk.col_idx[k]);
      c.value.push_back(qk.sparse_values[k]);
      prev = static_cast<int32_t>(r);
    }
  }
  return c;
}

// The tml_sparse_s8 initializer of an operator's doping, in the smaller of the two forms
// (index bytes counted): CSR pays a row pointer per row, the coordinate form a row step
// per entry. Column indices uint8_t while cols <= 256, CSR row pointers while nnz <= 255.
std::string SparseInit(EmitContext& ctx, const LinearOpS8Data& d) {
  const int nnz = d.qk.row_ptr.back();
  const int ci_bytes = d.cols <= 256 ? 1 : 2;
  const int rp_bytes = nnz <= 255 ? 1 : 2;
  const SparseCoordinates coo = ToCoordinates(d.qk);
  const size_t csr_bytes = size_t(d.rows + 1) * rp_bytes + size_t(nnz) * (ci_bytes + 1);
  const size_t coo_bytes = coo.step.size() * (ci_bytes + 2);
  const std::string ci_type = ci_bytes == 1 ? "uint8_t" : "uint16_t";
  auto array = [&](const std::string& type, const std::vector<int64_t>& v, int bytes) {
    return ctx.IntWeightArray(type, v.empty() ? std::vector<int64_t>{0} : v, bytes);
  };
  if (coo_bytes < csr_bytes) {
    const std::string steps = array("uint8_t", coo.step, 1);
    const std::string cols = array(ci_type, coo.col, ci_bytes);
    const std::string vals = array("int8_t", coo.value, 1);
    return ctx.Param("tml_sparse_s8",
                     fmt::format("{{{}, {}, NULL, {}, {}, 0, {}, {}, {}, {}}}", d.rows, d.cols,
                                 cols, vals, ci_bytes, d.qk.sparse_shift, steps, coo.step.size()));
  }
  const std::string rp = array(rp_bytes == 1 ? "uint8_t" : "uint16_t", Ints(d.qk.row_ptr), rp_bytes);
  const std::string ci = array(ci_type, Ints(d.qk.col_idx), ci_bytes);
  const std::string vals = array("int8_t", Ints(d.qk.sparse_values), 1);
  return ctx.Param("tml_sparse_s8", fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, NULL, 0}}",
                                                d.rows, d.cols, rp, ci, vals, rp_bytes, ci_bytes,
                                                d.qk.sparse_shift));
}

// The C initializer of a tml_linear_op_s8 (its arrays emitted as weights).
std::string OpInit(EmitContext& ctx, const LinearOpS8Data& d) {
  std::string packed = "NULL", kron = "NULL", a = "NULL", b = "NULL", sparse = "NULL";
  if (d.kron) {
    const tml_kron_s8_params& p = d.qk.params;
    kron = ctx.Param("tml_kron_s8_params", fmt::format("{{{}, {}, {}, {}, {}, {}}}", p.m1, p.n1,
                                                       p.m2, p.n2, p.rank, p.t_shift));
    a = ctx.IntWeightArray("int8_t", Ints(d.packed_a), 1);
    b = ctx.IntWeightArray("int8_t", Ints(d.packed_b), 1);
    // The kernels a form needs are linked with the operators that have it; a model
    // without one links neither (runtime/include/tml_config.h).
    ctx.UseKernel("tml_kron_matvec_s8");
    if (!d.qk.row_ptr.empty()) {
      sparse = SparseInit(ctx, d);
      ctx.UseKernel("tml_sparse_matvec_s8");
    }
  } else if (d.blocks.empty()) {
    packed = ctx.IntWeightArray("int8_t", Ints(d.packed), 1);
    if (d.cols > kS8ColumnsWithoutFolding) ctx.UseRuntimeOption("TML_S8_LONG_ROWS");
  }
  // An all-zero bias (R of a recurrent layer: h has zero point 0 and the biases
  // sit in W) is NULL rather than rows·4 bytes of zeros in flash.
  const bool zero_bias =
      std::all_of(d.bias.begin(), d.bias.end(), [](int32_t v) { return v == 0; });
  const std::string bias = zero_bias ? "NULL" : ctx.IntWeightArray("int32_t", Ints(d.bias), 4);
  if (d.kron) {
    // Only the specialized bodies of tml_kron_matvec_s8 this operator runs are linked
    // (TML_S8_KRON_CASES of tml_config.h, composed by the model emitter).
    const int32_t cases = tml_kron_s8_cases(&d.qk.params, zero_bias ? 0 : 1);
    for (int bit = 0; bit < 16; ++bit) {
      if (cases & (1 << bit)) ctx.UseRuntimeOption(fmt::format("TML_S8_KRON_CASE_{}", bit));
    }
  }
  // A block's requantization is its stack's.
  const std::string mult = d.rq.multiplier.empty()
                               ? "NULL"
                               : ctx.IntWeightArray("int32_t", Ints(d.rq.multiplier), 4);
  std::string blocks = "NULL";
  if (!d.blocks.empty()) {
    std::string init;
    for (const LinearOpS8Data& b : d.blocks) init += (init.empty() ? "" : ", ") + OpInit(ctx, b);
    blocks = ctx.Array("tml_linear_op_s8", d.blocks.size(), "{" + init + "}");
  }
  const std::string shift =
      d.row_shift.empty() ? "NULL" : ctx.IntWeightArray("int8_t", Ints(d.row_shift), 1);
  return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {{{}, {}, {}}}, {}, {}, {}}}", d.rows, d.cols,
                     packed, kron, a, b, sparse, bias, mult, d.rq.left_shift, d.rq.right_shift,
                     shift, blocks, d.blocks.size());
}

}  // namespace

std::string EmitOpS8(EmitContext& ctx, const LinearOpS8Data& d) {
  return ctx.Param("tml_linear_op_s8", OpInit(ctx, d));
}

AffineQuant RecurrentInputQuant(const Node& node) {
  const std::optional<Int8Plan> plan = ReadInt8Plan(node);
  return plan.has_value() ? plan->input : AffineQuant{};
}

int64_t RecurrentS8FrameBytes(int32_t T, int32_t I, int32_t H, int32_t step_bytes) {
  return Align4(int64_t{T} * I) + Align4(H) + step_bytes;
}

Status EmitRecurrentS8Frame(EmitContext& ctx, const Node& node, int32_t T, int32_t I, int32_t H,
                            const AffineQuant& in, int32_t step_bytes, const std::string& kernel,
                            const std::string& step_call) {
  if (step_bytes < 0) return InvalidInput("malformed int8 recurrent operators");
  if (ctx.Scratch() == "NULL") return InvalidInput("int8 recurrent layer without scratch");
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(node.input(kRecurrentX)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(kRecurrentX)));
  TML_ASSIGN_OR_RETURN(std::string h_dims, ctx.DimsOf(Shape{H}));
  auto out = [&](size_t k) -> StatusOr<std::string> {
    const TensorId id = node.output(k);
    if (id == kNoTensor || !ctx.HasBuffer(id)) return std::string();
    return ctx.Ptr(id);
  };
  TML_ASSIGN_OR_RETURN(std::string y, out(kRecurrentY));
  TML_ASSIGN_OR_RETURN(std::string y_h, out(kRecurrentYh));
  const int64_t xq = Align4(int64_t{T} * I), hb = Align4(H);
  ctx.UseKernel("tml_quantize_s8");
  ctx.UseKernel(kernel);
  if (!y.empty() || !y_h.empty()) ctx.UseKernel("tml_dequantize_s8");
  CWriter& body = ctx.body();
  body.Open("");
  body.Line(fmt::format("int8_t *xq_ = (int8_t *)({})->buf;", ctx.Scratch()));
  body.Line(fmt::format("int8_t *h_ = xq_ + {};", xq));
  body.Line(fmt::format("const tml_context step_ctx_ = {{xq_ + {}, {}}};", xq + hb, step_bytes));
  body.Line("int32_t t_;");
  ctx.Call(fmt::format("tml_quantize_s8({}, {}, {}, {}, xq_)", x_dims, x,
                       FloatLiteral(static_cast<float>(1.0 / in.scale)), in.zero_point));
  body.Line(fmt::format("for (t_ = 0; t_ < {}; ++t_) h_[t_] = 0;", H));
  body.Open(fmt::format("for (t_ = 0; t_ < {}; ++t_)", T));
  ctx.Call(fmt::format(fmt::runtime(step_call), fmt::arg("ctx", "&step_ctx_"),
                       fmt::arg("x", fmt::format("xq_ + t_ * {}", I)), fmt::arg("h", "h_")));
  if (!y.empty()) {
    ctx.Call(fmt::format("tml_dequantize_s8({}, h_, 0.0078125f, 0, {} + t_ * {})", h_dims, y, H));
  }
  body.Close();
  if (!y_h.empty()) ctx.Call(fmt::format("tml_dequantize_s8({}, h_, 0.0078125f, 0, {})", h_dims, y_h));
  body.Close();
  return Status::Ok();
}

}  // namespace tml::codegen
