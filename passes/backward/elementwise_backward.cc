// Binary arithmetic with numpy broadcasting, activations, Softmax/LogSoftmax.
// Derivatives are taken from the forward's inputs and outputs (args), so no
// state is saved. At the kinks of Relu/LeakyRelu/HardSigmoid the derivative of
// the side the forward took is used.
#include <cmath>

#include "compiler/reference/eval_common.h"
#include "passes/backward/backward.h"

namespace tml {
namespace {

Status BackwardBinary(const Node& node, const EvalArgs& args, const Tensor& dy,
                      const std::vector<Tensor*>& din) {
  const Tensor& a = *args.input(0);
  const Tensor& b = *args.input(1);
  const std::vector<int64_t> oa = BroadcastOffsets(a.shape, dy.shape);
  const std::vector<int64_t> ob = BroadcastOffsets(b.shape, dy.shape);
  Tensor* ga = din.size() > 0 ? din[0] : nullptr;
  Tensor* gb = din.size() > 1 ? din[1] : nullptr;
  if (a.dtype != DType::kFloat32) ga = nullptr;
  if (b.dtype != DType::kFloat32) gb = nullptr;
  for (size_t i = 0; i < dy.f32.size(); ++i) {
    const float g = dy.f32[i];
    const float x = a.f32.empty() ? 0.0f : a.f32[oa[i]];
    const float y = b.f32.empty() ? 0.0f : b.f32[ob[i]];
    float da = 0.0f, db = 0.0f;
    switch (node.op) {
      case OpKind::kAdd: da = g; db = g; break;
      case OpKind::kSub: da = g; db = -g; break;
      case OpKind::kMul: da = g * y; db = g * x; break;
      case OpKind::kDiv: da = g / y; db = -g * x / (y * y); break;
      default: return Internal("{}: not a binary op", node.Describe());
    }
    if (ga != nullptr) ga->f32[oa[i]] += da;
    if (gb != nullptr) gb->f32[ob[i]] += db;
  }
  return Status::Ok();
}

Status BackwardSoftmax(const Node& node, const EvalArgs& args, const Tensor& dy, Tensor* dx) {
  const Tensor& in = *args.input(0);
  const Tensor& out = *args.output(0);
  const size_t axis = static_cast<size_t>(node.GetInt("axis", 0));
  const bool coerce = node.GetInt("coerce_2d", 0) != 0;
  const bool log = node.op == OpKind::kLogSoftmax;
  const int64_t outer = DimProduct(in.shape, 0, axis);
  const int64_t n = coerce ? DimProduct(in.shape, axis, in.shape.size()) : in.shape[axis];
  const int64_t inner = coerce ? 1 : DimProduct(in.shape, axis + 1, in.shape.size());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * n * inner + i;
      double s = 0.0;
      for (int64_t k = 0; k < n; ++k) {
        const int64_t at = base + k * inner;
        s += log ? dy.f32[at] : static_cast<double>(dy.f32[at]) * out.f32[at];
      }
      for (int64_t k = 0; k < n; ++k) {
        const int64_t at = base + k * inner;
        const float y = out.f32[at];
        dx->f32[at] += log ? static_cast<float>(dy.f32[at] - std::exp(y) * s)
                           : static_cast<float>(y * (dy.f32[at] - s));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status BackwardElementwise(const Node& node, const EvalArgs& args,
                           const std::vector<const Tensor*>& dout,
                           const std::vector<Tensor*>& din) {
  if (dout.empty() || dout[0] == nullptr) return Status::Ok();
  const Tensor& dy = *dout[0];
  switch (node.op) {
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
      return BackwardBinary(node, args, dy, din);
    default:
      break;
  }
  Tensor* dx = din.empty() ? nullptr : din[0];
  if (dx == nullptr) return Status::Ok();
  if (node.op == OpKind::kSoftmax || node.op == OpKind::kLogSoftmax) {
    return BackwardSoftmax(node, args, dy, dx);
  }
  const std::vector<float>& x = args.input(0)->f32;
  const std::vector<float>& y = args.output(0)->f32;
  const float alpha = node.GetFloat("alpha", node.op == OpKind::kLeakyRelu ? 0.01f : 0.2f);
  const float beta = node.GetFloat("beta", 0.5f);
  for (size_t i = 0; i < dy.f32.size(); ++i) {
    float d = 0.0f;
    switch (node.op) {
      case OpKind::kRelu: d = x[i] > 0.0f ? 1.0f : 0.0f; break;
      case OpKind::kLeakyRelu: d = x[i] >= 0.0f ? 1.0f : alpha; break;
      case OpKind::kSigmoid: d = y[i] * (1.0f - y[i]); break;
      case OpKind::kTanh: d = 1.0f - y[i] * y[i]; break;
      case OpKind::kHardSigmoid: {
        const float v = alpha * x[i] + beta;
        d = v > 0.0f && v < 1.0f ? alpha : 0.0f;
        break;
      }
      default:
        return InvalidInput("finetune: {}: no backward pass for this op", node.Describe());
    }
    dx->f32[i] += dy.f32[i] * d;
  }
  return Status::Ok();
}

}  // namespace tml
