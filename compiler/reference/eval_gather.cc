#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {
namespace {

template <typename T>
void GatherTyped(size_t axis, const Tensor& data, const std::vector<int64_t>& indices,
                 Tensor& out) {
  const int64_t outer = DimProduct(data.shape, 0, axis);
  const int64_t dim = data.shape[axis];
  const int64_t inner = DimProduct(data.shape, axis + 1, data.shape.size());
  const std::vector<T>& x = Data<T>(data);
  std::vector<T>& y = MutableData<T>(out);
  size_t pos = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t index : indices) {
      const T* src = x.data() + (o * dim + index) * inner;
      for (int64_t i = 0; i < inner; ++i) y[pos++] = src[i];
    }
  }
}

}  // namespace

Status EvalGather(const Node& node, const EvalArgs& args) {
  const Tensor& data = *args.input(0);
  const Tensor& idx = *args.input(1);
  const size_t axis = static_cast<size_t>(node.GetInt("axis", 0));
  const int64_t dim = data.shape[axis];
  // Indices that are not constants are only known now.
  std::vector<int64_t> indices;
  if (idx.dtype == DType::kInt64) {
    indices = idx.i64;
  } else {
    for (float v : idx.f32) indices.push_back(static_cast<int64_t>(v));
  }
  for (int64_t& v : indices) {
    if (v < -dim || v >= dim) {
      return InvalidInput("{}: index {} is out of range for axis {} of size {}", node.Describe(), v,
                          axis, dim);
    }
    if (v < 0) v += dim;
  }
  Tensor& out = *args.output(0);
  if (out.dtype == DType::kFloat32) {
    GatherTyped<float>(axis, data, indices, out);
  } else {
    GatherTyped<int64_t>(axis, data, indices, out);
  }
  return Status::Ok();
}

}  // namespace tml
