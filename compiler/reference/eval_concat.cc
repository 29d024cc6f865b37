#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {
namespace {

template <typename T>
void ConcatTyped(size_t axis, const EvalArgs& args, Tensor& out) {
  std::vector<T>& y = MutableData<T>(out);
  // Each input contributes a block of dims[axis] * inner values per outer index.
  const int64_t outer = DimProduct(out.shape, 0, axis);
  const int64_t inner = DimProduct(out.shape, axis + 1, out.shape.size());
  size_t pos = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor* in : args.in) {
      const int64_t block = in->shape[axis] * inner;
      const T* src = Data<T>(*in).data() + o * block;
      for (int64_t i = 0; i < block; ++i) y[pos++] = src[i];
    }
  }
}

}  // namespace

Status EvalConcat(const Node& node, const EvalArgs& args) {
  const size_t axis = static_cast<size_t>(node.GetInt("axis", 0));
  Tensor& out = *args.output(0);
  if (out.dtype == DType::kFloat32) {
    ConcatTyped<float>(axis, args, out);
  } else {
    ConcatTyped<int64_t>(axis, args, out);
  }
  return Status::Ok();
}

}  // namespace tml
