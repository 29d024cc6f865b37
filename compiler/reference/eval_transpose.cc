#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {
namespace {

template <typename T>
void TransposeTyped(const std::vector<int64_t>& perm, const Tensor& in, Tensor& out) {
  const size_t rank = perm.size();
  const std::vector<int64_t> in_strides = Strides(in.shape);
  // Input stride to follow along each output dim.
  std::vector<int64_t> strides(rank);
  for (size_t i = 0; i < rank; ++i) strides[i] = in_strides[perm[i]];
  const std::vector<T>& x = Data<T>(in);
  std::vector<T>& y = MutableData<T>(out);
  std::vector<int64_t> index(rank, 0);
  int64_t offset = 0;
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

Status EvalTranspose(const Node& node, const EvalArgs& args) {
  const std::vector<int64_t> perm = node.GetInts("perm");
  Tensor& out = *args.output(0);
  if (out.dtype == DType::kFloat32) {
    TransposeTyped<float>(perm, *args.input(0), out);
  } else {
    TransposeTyped<int64_t>(perm, *args.input(0), out);
  }
  return Status::Ok();
}

}  // namespace tml
