#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {
namespace {

template <typename T>
void Compare(const Tensor& a, const Tensor& b, Tensor& out) {
  std::vector<int64_t>& z = MutableData<int64_t>(out);
  const std::vector<int64_t> ia = BroadcastOffsets(a.shape, out.shape);
  const std::vector<int64_t> ib = BroadcastOffsets(b.shape, out.shape);
  for (size_t i = 0; i < z.size(); ++i) z[i] = Data<T>(a)[ia[i]] == Data<T>(b)[ib[i]] ? 1 : 0;
}

}  // namespace

Status EvalEqual(const Node& node, const EvalArgs& args) {
  const Tensor& a = *args.input(0);
  const Tensor& b = *args.input(1);
  if (a.dtype != b.dtype) {
    return InvalidInput("{}: A and B must have the same element type", node.Describe());
  }
  if (a.dtype == DType::kFloat32) {
    Compare<float>(a, b, *args.output(0));
  } else {
    Compare<int64_t>(a, b, *args.output(0));
  }
  return Status::Ok();
}

}  // namespace tml
