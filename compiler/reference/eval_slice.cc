#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {
namespace {

template <typename T>
void SliceTyped(const Node& node, const Tensor& in, Tensor& out) {
  const std::vector<int64_t> starts = node.GetInts("starts");
  const std::vector<int64_t> steps = node.GetInts("steps");
  const size_t rank = out.shape.size();
  const std::vector<int64_t> in_strides = Strides(in.shape);
  // Offset of the first element, and the input stride per output step.
  int64_t offset = 0;
  std::vector<int64_t> strides(rank);
  for (size_t d = 0; d < rank; ++d) {
    offset += starts[d] * in_strides[d];
    strides[d] = steps[d] * in_strides[d];
  }
  const std::vector<T>& x = Data<T>(in);
  std::vector<T>& y = MutableData<T>(out);
  std::vector<int64_t> index(rank, 0);
  for (size_t n = 0; n < y.size(); ++n) {
    y[n] = x[offset];
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < out.shape[d]) {
        offset += strides[d];
        break;
      }
      offset -= strides[d] * (out.shape[d] - 1);
      index[d] = 0;
    }
  }
}

}  // namespace

Status EvalSlice(const Node& node, const EvalArgs& args) {
  Tensor& out = *args.output(0);
  if (out.dtype == DType::kFloat32) {
    SliceTyped<float>(node, *args.input(0), out);
  } else {
    SliceTyped<int64_t>(node, *args.input(0), out);
  }
  return Status::Ok();
}

}  // namespace tml
