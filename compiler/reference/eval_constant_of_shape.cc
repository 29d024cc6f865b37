#include <algorithm>

#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {

Status EvalConstantOfShape(const Node& node, const EvalArgs& args) {
  Tensor& out = *args.output(0);
  if (out.dtype == DType::kInt64) {
    const std::vector<int64_t> value = node.GetInts("value");
    std::vector<int64_t>& y = MutableData<int64_t>(out);
    std::fill(y.begin(), y.end(), value.empty() ? 0 : value[0]);
  } else {
    const std::vector<float> value = node.GetFloats("value");
    std::vector<float>& y = MutableData<float>(out);
    std::fill(y.begin(), y.end(), value.empty() ? 0.0f : value[0]);
  }
  return Status::Ok();
}

}  // namespace tml
