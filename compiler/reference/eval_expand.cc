#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {
namespace {

template <typename T>
void ExpandTyped(const Tensor& in, Tensor& out) {
  const std::vector<int64_t> offsets = BroadcastOffsets(in.shape, out.shape);
  const std::vector<T>& x = Data<T>(in);
  std::vector<T>& y = MutableData<T>(out);
  for (size_t i = 0; i < y.size(); ++i) y[i] = x[offsets[i]];
}

}  // namespace

Status EvalExpand(const Node& node, const EvalArgs& args) {
  (void)node;
  Tensor& out = *args.output(0);
  if (out.dtype == DType::kFloat32) {
    ExpandTyped<float>(*args.input(0), out);
  } else {
    ExpandTyped<int64_t>(*args.input(0), out);
  }
  return Status::Ok();
}

}  // namespace tml
