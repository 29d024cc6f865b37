#include <algorithm>
#include <cmath>

#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {

Status EvalSoftmax(const Node& node, const EvalArgs& args) {
  const Tensor& in = *args.input(0);
  Tensor& out = *args.output(0);
  const size_t axis = static_cast<size_t>(node.GetInt("axis", 0));
  const bool coerce = node.GetInt("coerce_2d", 0) != 0;
  const bool log = node.op == OpKind::kLogSoftmax;
  // Reduce over n elements spaced `inner` apart, for each (outer, inner) pair.
  const int64_t outer = DimProduct(in.shape, 0, axis);
  const int64_t n = coerce ? DimProduct(in.shape, axis, in.shape.size()) : in.shape[axis];
  const int64_t inner = coerce ? 1 : DimProduct(in.shape, axis + 1, in.shape.size());
  const std::vector<float>& x = in.f32;
  std::vector<float>& y = MutableData<float>(out);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * n * inner + i;
      float max = -INFINITY;
      for (int64_t k = 0; k < n; ++k) max = std::max(max, x[base + k * inner]);
      double sum = 0.0;
      for (int64_t k = 0; k < n; ++k) sum += std::exp(x[base + k * inner] - max);
      const float log_sum = static_cast<float>(std::log(sum));
      for (int64_t k = 0; k < n; ++k) {
        const float shifted = x[base + k * inner] - max;
        y[base + k * inner] = log ? shifted - log_sum : static_cast<float>(std::exp(shifted) / sum);
      }
    }
  }
  return Status::Ok();
}

}  // namespace tml
