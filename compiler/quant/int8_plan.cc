#include "compiler/quant/int8_plan.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "compiler/ops/recurrent_common.h"

namespace tml {

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

std::optional<Int8Plan> ReadInt8Plan(const Node& node) {
  const std::vector<float> q = node.GetFloats(kInt8Attr);
  if (q.size() != 4) return std::nullopt;
  Int8Plan plan;
  plan.input.scale = q[0];
  plan.input.zero_point = static_cast<int32_t>(q[1]);
  plan.output.scale = q[2];
  plan.output.zero_point = static_cast<int32_t>(q[3]);
  return plan;
}

void WriteInt8Plan(const Int8Plan& plan, Node* node) {
  node->attrs[kInt8Attr] = std::vector<float>{
      static_cast<float>(plan.input.scale), static_cast<float>(plan.input.zero_point),
      static_cast<float>(plan.output.scale), static_cast<float>(plan.output.zero_point)};
}

bool IsInt8KronSum(const WeightOperator& op) { return !op.terms.empty() && op.row_blocks.empty(); }

bool QuantizableRowBlocks(const WeightOperator& op) {
  if (op.row_blocks.empty()) return false;
  for (const WeightOperator& b : op.row_blocks) {
    if (!b.row_blocks.empty() || b.cols != op.cols || !IsInt8KronSum(b)) return false;
  }
  return true;
}

namespace {

bool IsConstant2D(const Graph& graph, TensorId id) {
  if (id == kNoTensor) return false;
  const Tensor& t = graph.tensor(id);
  return t.is_constant() && t.dtype == DType::kFloat32 && t.shape.size() == 2;
}

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
    if (!IsInt8KronSum(op) && !QuantizableRowBlocks(op)) {
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

}  // namespace tml
