#include <algorithm>
#include <cmath>

#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {
namespace {

template <typename T, typename Fn>
void Map(const Tensor& in, Tensor& out, Fn fn) {
  const std::vector<T>& x = Data<T>(in);
  std::vector<T>& y = MutableData<T>(out);
  for (size_t i = 0; i < y.size(); ++i) y[i] = fn(x[i]);
}

// exp of a non-positive argument only, so large |x| neither overflows nor loses the result.
float StableSigmoid(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.0f + e);
}

}  // namespace

Status EvalActivation(const Node& node, const EvalArgs& args) {
  const Tensor& in = *args.input(0);
  Tensor& out = *args.output(0);
  switch (node.op) {
    case OpKind::kRelu:
      if (in.dtype == DType::kInt64) {
        Map<int64_t>(in, out, [](int64_t v) { return std::max<int64_t>(v, 0); });
      } else {
        Map<float>(in, out, [](float v) { return std::max(v, 0.0f); });
      }
      return Status::Ok();
    case OpKind::kLeakyRelu: {
      const float alpha = node.GetFloat("alpha", 0.01f);
      Map<float>(in, out, [alpha](float v) { return v < 0.0f ? alpha * v : v; });
      return Status::Ok();
    }
    case OpKind::kSigmoid:
      Map<float>(in, out, StableSigmoid);
      return Status::Ok();
    case OpKind::kHardSigmoid: {
      const float alpha = node.GetFloat("alpha", 0.2f);
      const float beta = node.GetFloat("beta", 0.5f);
      Map<float>(in, out, [alpha, beta](float v) {
        return std::min(1.0f, std::max(0.0f, alpha * v + beta));
      });
      return Status::Ok();
    }
    case OpKind::kTanh:
      Map<float>(in, out, [](float v) { return std::tanh(v); });
      return Status::Ok();
    default:
      return Internal("{}: not an activation", node.Describe());
  }
}

}  // namespace tml
