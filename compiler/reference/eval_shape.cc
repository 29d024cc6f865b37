#include "compiler/ops/op_registry.h"

namespace tml {

Status EvalShape(const Node& node, const EvalArgs& args) {
  const Shape& shape = args.input(0)->shape;
  const int64_t start = node.GetInt("start", 0);
  const int64_t end = node.GetInt("end", static_cast<int64_t>(shape.size()));
  Tensor& out = *args.output(0);
  out.f32.clear();
  out.i64.clear();
  for (int64_t d = start; d < end; ++d) out.i64.push_back(shape[d]);
  return Status::Ok();
}

}  // namespace tml
