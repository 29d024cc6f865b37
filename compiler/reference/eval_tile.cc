#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {
namespace {

template <typename T>
void TileTyped(const Tensor& in, Tensor& out) {
  std::vector<T>& z = MutableData<T>(out);
  const std::vector<int64_t> in_strides = Strides(in.shape);
  const size_t rank = out.shape.size();
  std::vector<int64_t> index(rank, 0);
  for (size_t n = 0; n < z.size(); ++n) {
    int64_t offset = 0;
    for (size_t d = 0; d < rank; ++d) offset += (index[d] % in.shape[d]) * in_strides[d];
    z[n] = Data<T>(in)[static_cast<size_t>(offset)];
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < out.shape[d]) break;
      index[d] = 0;
    }
  }
}

}  // namespace

Status EvalTile(const Node& node, const EvalArgs& args) {
  (void)node;
  const Tensor& in = *args.input(0);
  if (in.dtype == DType::kFloat32) {
    TileTyped<float>(in, *args.output(0));
  } else {
    TileTyped<int64_t>(in, *args.output(0));
  }
  return Status::Ok();
}

}  // namespace tml
