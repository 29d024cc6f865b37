#include "passes/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "compiler/driver.h"
#include "compiler/ops/recurrent_common.h"

namespace tml {

StatusOr<CalibMethod> ParseCalibMethod(const std::string& text) {
  CalibMethod m;
  if (text == "minmax") return m;
  if (text.rfind("percentile", 0) == 0) {
    m.method = RangeMethod::kPercentile;
    const std::string rest = text.substr(10);
    if (rest.empty()) return m;
    if (rest[0] == ':' && rest.size() > 1) {
      char* end = nullptr;
      const double p = std::strtod(rest.c_str() + 1, &end);
      if (end != nullptr && *end == '\0' && p > 0.0 && p <= 100.0) {
        m.percentile = p;
        return m;
      }
    }
  }
  return InvalidInput("--calib-method {}: expected minmax, percentile or percentile:P with P in (0, 100]",
                      text);
}

Range CalibrationRange(const std::vector<float>& values, RangeMethod method, double percentile) {
  Range r;
  if (values.empty()) return r;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  r.min = *lo;
  r.max = *hi;
  if (method == RangeMethod::kPercentile) {
    std::vector<float> mag(values.size());
    for (size_t k = 0; k < values.size(); ++k) mag[k] = std::abs(values[k]);
    const double p = std::clamp(percentile, 0.0, 100.0) / 100.0;
    const size_t idx = std::min(mag.size() - 1, static_cast<size_t>(p * (mag.size() - 1) + 0.5));
    std::nth_element(mag.begin(), mag.begin() + static_cast<std::ptrdiff_t>(idx), mag.end());
    const float bound = mag[idx];
    r.min = std::max(r.min, -bound);
    r.max = std::min(r.max, bound);
  }
  return r;
}

int8_t AffineQuant::Quantize(float v) const {
  const long q = std::lround(v / scale) + zero_point;
  return static_cast<int8_t>(std::clamp<long>(q, -128, 127));
}

AffineQuant ChooseAffineInt8(Range range) {
  const double lo = std::min(0.0, static_cast<double>(range.min));
  const double hi = std::max(0.0, static_cast<double>(range.max));
  AffineQuant q;
  if (hi - lo <= 0.0) {
    q.scale = 1.0 / 128.0;
    q.zero_point = 0;
    return q;
  }
  q.scale = (hi - lo) / 255.0;
  // lo maps to -128: zero_point = -128 - lo/scale, rounded so that 0 is exact.
  q.zero_point = static_cast<int32_t>(std::clamp<long>(std::lround(-128.0 - lo / q.scale), -128, 127));
  return q;
}

QuantizedMatrix QuantizeRows(const float* w, int32_t rows, int32_t cols) {
  QuantizedMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.values.resize(static_cast<size_t>(rows) * cols);
  m.row_scale.resize(rows);
  for (int32_t r = 0; r < rows; ++r) {
    double mx = 0.0;
    for (int32_t c = 0; c < cols; ++c) mx = std::max(mx, std::abs(double(w[size_t(r) * cols + c])));
    const double s = mx > 0.0 ? mx / 127.0 : 1.0;
    m.row_scale[r] = s;
    for (int32_t c = 0; c < cols; ++c) {
      const long q = std::lround(w[size_t(r) * cols + c] / s);
      m.values[size_t(r) * cols + c] = static_cast<int8_t>(std::clamp<long>(q, -127, 127));
    }
  }
  return m;
}

QuantizedMatrix QuantizeRowsPowerOfTwo(const float* w, int32_t rows, int32_t cols,
                                       std::vector<int8_t>* shift) {
  std::vector<double> need(static_cast<size_t>(rows), 0.0);
  double top = 0.0;
  for (int32_t r = 0; r < rows; ++r) {
    for (int32_t c = 0; c < cols; ++c) {
      need[r] = std::max(need[r], std::abs(static_cast<double>(w[size_t(r) * cols + c])) / 127.0);
    }
    top = std::max(top, need[r]);
  }
  if (top <= 0.0) top = 1.0;
  // multiplier >> 14 keeps >= 16 significant bits; rows needing more (nearly zero rows)
  // keep a larger scale than they need.
  const int32_t max_shift = 14;
  QuantizedMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.values.resize(size_t(rows) * cols);
  m.row_scale.resize(rows);
  shift->assign(static_cast<size_t>(rows), 0);
  for (int32_t r = 0; r < rows; ++r) {
    int32_t k = 0;
    while (need[r] > 0.0 && k < max_shift && std::ldexp(top, -(k + 1)) >= need[r]) ++k;
    (*shift)[r] = static_cast<int8_t>(k);
    m.row_scale[r] = std::ldexp(top, -k);
    for (int32_t c = 0; c < cols; ++c) {
      const long q = std::lround(w[size_t(r) * cols + c] / m.row_scale[r]);
      m.values[size_t(r) * cols + c] = static_cast<int8_t>(std::clamp<long>(q, -127, 127));
    }
  }
  return m;
}

std::vector<int8_t> QuantizedMatrix::Packed() const {
  std::vector<int8_t> out(tml_pack_weights_s8_size(rows, cols));
  tml_pack_weights_s8(rows, cols, values.data(), out.data());
  return out;
}

std::vector<int32_t> QuantizedMatrix::FoldBias(const float* bias, const AffineQuant& in) const {
  std::vector<int32_t> q(rows, 0), out(rows);
  if (bias != nullptr)
    for (int32_t r = 0; r < rows; ++r)
      q[r] = static_cast<int32_t>(std::lround(bias[r] / (in.scale * row_scale[r])));
  tml_fold_bias_s8(rows, cols, values.data(), q.data(), in.zero_point, out.data());
  return out;
}

namespace {

// Both factors in the kernel's layout (tml_pack_kron_s8: the second stage's terms side
// by side).
void PackBoth(const QuantizedKron& k, std::vector<int8_t>& a, std::vector<int8_t>& b) {
  const tml_kron_s8_params& p = k.params;
  a.assign(size_t(p.rank) * tml_pack_kron_factor_s8_size(p.m1, p.n1), 0);
  b.assign(size_t(p.rank) * tml_pack_kron_factor_s8_size(p.m2, p.n2), 0);
  tml_pack_kron_s8(&p, k.a.data(), k.b.data(), a.data(), b.data());
}

}  // namespace

std::vector<int8_t> QuantizedKron::PackedA() const {
  std::vector<int8_t> a, b;
  PackBoth(*this, a, b);
  return a;
}

std::vector<int8_t> QuantizedKron::PackedB() const {
  std::vector<int8_t> a, b;
  PackBoth(*this, a, b);
  return b;
}

double QuantizedKron::RowScale(int32_t r) const {
  return a_row_scale[r / params.m2] * b_row_scale[r % params.m2] * std::ldexp(1.0, params.t_shift);
}

std::vector<int32_t> QuantizedKron::FoldBias(const float* bias, const AffineQuant& in) const {
  const int32_t m1 = params.m1, n1 = params.n1, m2 = params.m2, n2 = params.n2;
  std::vector<int32_t> out(rows(), 0);
  for (int32_t r = 0; r < rows(); ++r) {
    const int32_t i1 = r / m2, i2 = r % m2;
    double zp_term = 0.0;  // Σ_k rowsum(A_k[i1])·rowsum(B_k[i2]) / 2^t
    for (int32_t k = 0; k < params.rank; ++k) {
      double sa = 0.0, sb = 0.0;
      for (int32_t j = 0; j < n1; ++j) sa += a[(size_t(k) * m1 + i1) * n1 + j];
      for (int32_t j = 0; j < n2; ++j) sb += b[(size_t(k) * m2 + i2) * n2 + j];
      zp_term += sa * sb;
    }
    zp_term = std::ldexp(zp_term, -params.t_shift);
    if (!row_ptr.empty())
      for (int32_t e = row_ptr[r]; e < row_ptr[r + 1]; ++e)
        zp_term += std::ldexp(double(sparse_values[e]), sparse_shift);
    const double b = bias != nullptr ? bias[r] / (in.scale * RowScale(r)) : 0.0;
    out[r] = static_cast<int32_t>(std::lround(b - in.zero_point * zp_term));
  }
  return out;
}

bool QuantizeKron(const WeightOperator& op, QuantizedKron* out) {
  if (op.terms.empty() || !op.row_blocks.empty()) return false;
  const KronTerm& t0 = op.terms[0];
  QuantizedKron& q = *out;
  q = QuantizedKron{};
  q.params.m1 = static_cast<int32_t>(t0.a_rows);
  q.params.n1 = static_cast<int32_t>(t0.a_cols);
  q.params.m2 = static_cast<int32_t>(t0.b_rows);
  q.params.n2 = static_cast<int32_t>(t0.b_cols);
  q.params.rank = static_cast<int32_t>(op.terms.size());
  const int32_t m1 = q.params.m1, n1 = q.params.n1, m2 = q.params.m2, n2 = q.params.n2;
  // Shared per-row scales: the largest |value| of that row over all terms.
  q.a_row_scale.assign(m1, 0.0);
  q.b_row_scale.assign(m2, 0.0);
  for (const KronTerm& t : op.terms) {
    for (int32_t i = 0; i < m1; ++i)
      for (int32_t j = 0; j < n1; ++j)
        q.a_row_scale[i] = std::max(q.a_row_scale[i], std::abs(double(t.a[size_t(i) * n1 + j])));
    for (int32_t i = 0; i < m2; ++i)
      for (int32_t j = 0; j < n2; ++j)
        q.b_row_scale[i] = std::max(q.b_row_scale[i], std::abs(double(t.b[size_t(i) * n2 + j])));
  }
  // Power-of-two related row scales: s_i = S·2^-k_i, S the factor's largest row scale and
  // k_i <= 7 the largest shift that still covers row i (it keeps 64..127 of the int8
  // range, at most one bit less than its own scale). Row (i1, i2) of the product then has
  // scale S_A·S_B·2^t·2^-(kA + kB): one multiplier and a shift per row requantize it (the
  // compact form of tml_linear_op_s8::row_shift), 1 byte per row instead of 4.
  auto power_of_two_scales = [](std::vector<double>& scales) {
    double top = 0.0;
    for (double v : scales) top = std::max(top, v / 127.0);
    if (top <= 0.0) top = 1.0;
    for (double& v : scales) {
      const double need = v / 127.0;
      int k = 0;
      while (k < 7 && std::ldexp(top, -(k + 1)) >= need) ++k;
      v = std::ldexp(top, -k);
    }
  };
  power_of_two_scales(q.a_row_scale);
  power_of_two_scales(q.b_row_scale);
  auto quant = [](double v, double s) {
    return static_cast<int8_t>(std::clamp<long>(std::lround(v / s), -127, 127));
  };
  int64_t max_b_row = 0;  // max_i2 Σ_j2 |B_k[i2, j2]| over terms
  int64_t max_a_row = 0;  // max_i1 Σ_j1 |A_k[i1, j1]| over terms
  for (const KronTerm& t : op.terms) {
    for (int32_t i = 0; i < m1; ++i) {
      int64_t s = 0;
      for (int32_t j = 0; j < n1; ++j) {
        q.a.push_back(quant(t.a[size_t(i) * n1 + j], q.a_row_scale[i]));
        s += std::abs(q.a.back());
      }
      max_a_row = std::max(max_a_row, s);
    }
    for (int32_t i = 0; i < m2; ++i) {
      int64_t s = 0;
      for (int32_t j = 0; j < n2; ++j) {
        q.b.push_back(quant(t.b[size_t(i) * n2 + j], q.b_row_scale[i]));
        s += std::abs(q.b.back());
      }
      max_b_row = std::max(max_b_row, s);
    }
  }
  // The kernel's intermediate (T = X·Bᵀ, or Z = A·X when that order is cheaper) is at
  // most 128·(largest row sum of the factor it multiplies) before the shift; keep it
  // within int16.
  const int64_t bound = 128 * (tml_kron_s8_a_first(&q.params) ? max_a_row : max_b_row);
  int32_t t_shift = 0;
  while ((bound >> t_shift) > 32767 && t_shift < 24) ++t_shift;
  q.params.t_shift = t_shift;
  if (op.sparse.has_value()) {
    const SparseOverlay& s = *op.sparse;
    for (int32_t v : s.row_ptr) q.row_ptr.push_back(static_cast<uint16_t>(v));
    for (int32_t v : s.col_idx) q.col_idx.push_back(static_cast<uint16_t>(v));
    // int8 values times 2^shift: on the lstm_classifier recipe (905 doping entries) the
    // same 97.78 % as int16 values (which also clipped W's largest ones at 2^15).
    std::vector<double> acc_units;
    double largest = 0.0;
    for (int32_t r = 0; r < q.rows(); ++r)
      for (int32_t e = s.row_ptr[r]; e < s.row_ptr[r + 1]; ++e) {
        acc_units.push_back(s.values[e] / q.RowScale(r));
        largest = std::max(largest, std::abs(acc_units.back()));
      }
    int32_t shift = 0;
    while (largest / std::ldexp(1.0, shift) > 127.0 && shift < 24) ++shift;
    q.sparse_shift = shift;
    for (double v : acc_units) {
      const long qv = std::lround(std::ldexp(v, -shift));
      q.sparse_values.push_back(static_cast<int8_t>(std::clamp<long>(qv, -127, 127)));
    }
  }
  return true;
}

Requant MakeRequant(const std::vector<double>& row_unit, double out_scale) {
  Requant q;
  std::vector<double> factor(row_unit.size());
  for (size_t r = 0; r < row_unit.size(); ++r) factor[r] = row_unit[r] / out_scale;
  q.multiplier.resize(row_unit.size());
  tml_quantize_multipliers_s8(static_cast<int32_t>(row_unit.size()), factor.data(),
                              q.multiplier.data(), &q.left_shift, &q.right_shift);
  return q;
}

}  // namespace tml

// ---------------------------------------------------------------------------
// The --quantize int8 step.
// ---------------------------------------------------------------------------

namespace tml {
namespace {

bool IsConstant2D(const Graph& graph, TensorId id) {
  if (id == kNoTensor) return false;
  const Tensor& t = graph.tensor(id);
  return t.is_constant() && t.dtype == DType::kFloat32 && t.shape.size() == 2;
}

}  // namespace

bool QuantizableRowBlocks(const WeightOperator& op) {
  if (op.row_blocks.empty()) return false;
  for (const WeightOperator& b : op.row_blocks) {
    QuantizedKron q;
    if (!b.row_blocks.empty() || b.cols != op.cols || !QuantizeKron(b, &q)) {
      return false;
    }
  }
  return true;
}

namespace {

// The int8 recurrent steps (tml_{lstm,gru,rnn}_step_s8_s16) run one forward
// batch-1 sequence from zero states with the default activations.
std::string RecurrentInt8Unsupported(const Graph& graph, const Node& node) {
  const RecurrentAttrs attrs = ReadRecurrentAttrs(node);
  if (attrs.direction != "forward") return "only forward recurrent layers are int8 so far";
  if (attrs.layout != 0 || attrs.clip != 0.0f || attrs.input_forget) {
    return "layout, clip and input_forget must be the defaults in int8";
  }
  if (node.HasAttr("activations")) return "only the default activations are int8";
  for (size_t k = kRecurrentSequenceLens; k <= kRecurrentP; ++k) {
    const TensorId id = node.input(k);
    if (id == kNoTensor) continue;
    // Constant all-zero initial states are what PyTorch exports by default.
    const Tensor& t = graph.tensor(id);
    const bool zero_state =
        (k == kRecurrentInitialH || k == kRecurrentInitialC) && t.is_constant() &&
        std::all_of(t.f32.begin(), t.f32.end(), [](float v) { return v == 0.0f; });
    if (!zero_state) {
      return "sequence_lens, non-zero initial_h/initial_c and peepholes are not int8 yet";
    }
  }
  const Shape& x = graph.tensor(node.input(kRecurrentX)).shape;
  if (x.size() != 3 || x[1] != 1) return "int8 recurrent layers need batch 1";
  for (size_t k : {kRecurrentW, kRecurrentR}) {
    const WeightOperatorSet* set = node.WeightOps(k);
    if (set == nullptr || set->per_direction.empty() || set->per_direction[0].is_dense()) {
      if (!graph.tensor(node.input(k)).is_constant()) return "W/R are not constant";
      continue;
    }
    // GRU/RNN operators that are not a Kronecker sum or gate blocks (or whose R does not
    // cut along the gates) run as the dense rows of what they compute (emit_gru_s8.cc).
    if (node.op != OpKind::kLstm) continue;
    // Per-gate blocks run as a stack of operators (tml_linear_op_s8::blocks).
    const WeightOperator& op = set->per_direction[0];
    QuantizedKron q;
    if (!QuantizeKron(op, &q) && !QuantizableRowBlocks(op)) {
      return "this Kronecker weight operator form is not int8 yet";
    }
  }
  return "";
}

}  // namespace

std::string Int8Unsupported(const Graph& graph, const Node& node) {
  switch (node.op) {
    case OpKind::kGemm: {
      if (!IsConstant2D(graph, node.input(1))) return "B is not a constant 2-D weight";
      if (node.GetInt("transA", 0) != 0) return "transA = 1 is not supported in int8";
      if (node.GetFloat("alpha", 1.0f) != 1.0f) return "alpha != 1 is not supported in int8";
      if (graph.tensor(node.input(0)).shape.size() != 2) return "A is not 2-D";
      const TensorId c = node.input(2);
      if (c != kNoTensor) {
        const Tensor& ct = graph.tensor(c);
        const int64_t n = graph.tensor(node.output(0)).shape.back();
        const bool row = (ct.shape.size() == 1 && ct.shape[0] == n) ||
                         (ct.shape.size() == 2 && ct.shape[0] == 1 && ct.shape[1] == n);
        if (!ct.is_constant() || !row || node.GetFloat("beta", 1.0f) != 1.0f) {
          return "C must be a constant bias [N] with beta = 1 in int8";
        }
      }
      return "";
    }
    case OpKind::kMatMul:
      if (!IsConstant2D(graph, node.input(1))) return "B is not a constant 2-D weight";
      return "";
    case OpKind::kLstm:
    case OpKind::kGru:
    case OpKind::kRnn:
      return RecurrentInt8Unsupported(graph, node);
    default:
      return "";
  }
}

namespace {

bool IsRecurrent(const Node& node) {
  return node.op == OpKind::kLstm || node.op == OpKind::kGru || node.op == OpKind::kRnn;
}

}  // namespace

Status CalibrateInt8(Graph* graph, const std::vector<Tensor>& data,
                     const std::vector<std::string>& labels, std::string* summary,
                     const CalibMethod& method) {
  std::vector<size_t> fc;
  for (size_t i = 0; i < graph->nodes().size(); ++i) {
    const Node& node = graph->nodes()[i];
    const std::string why = Int8Unsupported(*graph, node);
    if (!why.empty()) {
      return InvalidInput("{}: cannot run under --quantize int8: {}", node.Describe(), why);
    }
    if (node.op == OpKind::kGemm || node.op == OpKind::kMatMul || IsRecurrent(node)) {
      fc.push_back(i);
    }
  }
  if (fc.empty()) {
    return InvalidInput("--quantize int8: the model has no fully connected or recurrent layer");
  }
  // Run the reference with every FC input and output as a graph output.
  Graph probe = *graph;
  probe.outputs().clear();
  for (size_t i : fc) {
    probe.outputs().push_back(graph->nodes()[i].input(0));
    const Node& node = graph->nodes()[i];
    probe.outputs().push_back(IsRecurrent(node) ? node.input(0) : node.output(0));
  }
  TML_ASSIGN_OR_RETURN(std::vector<Tensor> values, RunBatch(probe, data, labels));
  summary->clear();
  for (size_t k = 0; k < fc.size(); ++k) {
    Node& node = graph->nodes()[fc[k]];
    const Range in = CalibrationRange(values[2 * k].f32, method.method, method.percentile);
    const Range out = CalibrationRange(values[2 * k + 1].f32, method.method, method.percentile);
    const AffineQuant qi = ChooseAffineInt8(in);
    // LSTM/GRU/RNN: only X is calibrated (h is int8 at 2^-7, c int16 Q4.11).
    const AffineQuant qo = IsRecurrent(node) ? AffineQuant{} : ChooseAffineInt8(out);
    node.attrs[kInt8Attr] = std::vector<float>{
        static_cast<float>(qi.scale), static_cast<float>(qi.zero_point),
        static_cast<float>(qo.scale), static_cast<float>(qo.zero_point)};
    if (IsRecurrent(node)) {
      *summary += fmt::format("  {}: input [{:.4g}, {:.4g}] scale {:.4g} zp {}; h int8 2^-7, {}gates "
                              "Q3.12\n",
                              node.Describe(), in.min, in.max, qi.scale, qi.zero_point,
                              node.op == OpKind::kLstm ? "c int16 Q4.11, " : "");
      continue;
    }
    *summary += fmt::format("  {}: input [{:.4g}, {:.4g}] scale {:.4g} zp {}, output [{:.4g}, {:.4g}] "
                            "scale {:.4g} zp {}\n",
                            node.Describe(), in.min, in.max, qi.scale, qi.zero_point, out.min,
                            out.max, qo.scale, qo.zero_point);
  }
  return Status::Ok();
}

}  // namespace tml
