#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {
namespace {

template <typename T>
void Select(const Tensor& cond, const Tensor& x, const Tensor& y, Tensor& out) {
  std::vector<T>& z = MutableData<T>(out);
  const std::vector<int64_t> ic = BroadcastOffsets(cond.shape, out.shape);
  const std::vector<int64_t> ix = BroadcastOffsets(x.shape, out.shape);
  const std::vector<int64_t> iy = BroadcastOffsets(y.shape, out.shape);
  for (size_t i = 0; i < z.size(); ++i) {
    const bool take_x = cond.dtype == DType::kInt64 ? cond.i64[ic[i]] != 0 : cond.f32[ic[i]] != 0;
    z[i] = take_x ? Data<T>(x)[ix[i]] : Data<T>(y)[iy[i]];
  }
}

}  // namespace

Status EvalWhere(const Node& node, const EvalArgs& args) {
  (void)node;
  const Tensor& x = *args.input(1);
  if (x.dtype == DType::kFloat32) {
    Select<float>(*args.input(0), x, *args.input(2), *args.output(0));
  } else {
    Select<int64_t>(*args.input(0), x, *args.input(2), *args.output(0));
  }
  return Status::Ok();
}

}  // namespace tml
