#include <Eigen/Core>

#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {
namespace {

template <typename T>
using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <typename T>
void MatMulTyped(const Tensor& a, const Tensor& b, Tensor& y) {
  // 1-D operands as [1, K] / [K, 1] matrices; the batch dims broadcast.
  Shape sa = a.shape;
  Shape sb = b.shape;
  if (sa.size() == 1) sa.insert(sa.begin(), 1);
  if (sb.size() == 1) sb.push_back(1);
  const int64_t m = sa[sa.size() - 2];
  const int64_t k = sa.back();
  const int64_t n = sb.back();
  const Shape batch_a(sa.begin(), sa.end() - 2);
  const Shape batch_b(sb.begin(), sb.end() - 2);
  const Shape batch_y(y.shape.begin(),
                      y.shape.end() - (a.shape.size() > 1 ? 1 : 0) - (b.shape.size() > 1 ? 1 : 0));
  const std::vector<int64_t> off_a = BroadcastOffsets(batch_a, batch_y);
  const std::vector<int64_t> off_b = BroadcastOffsets(batch_b, batch_y);
  const std::vector<T>& da = Data<T>(a);
  const std::vector<T>& db = Data<T>(b);
  std::vector<T>& dy = MutableData<T>(y);
  for (size_t i = 0; i < off_a.size(); ++i) {
    Eigen::Map<const RowMajor<T>> ma(da.data() + off_a[i] * m * k, m, k);
    Eigen::Map<const RowMajor<T>> mb(db.data() + off_b[i] * k * n, k, n);
    Eigen::Map<RowMajor<T>> my(dy.data() + static_cast<int64_t>(i) * m * n, m, n);
    my.noalias() = ma * mb;
  }
}

}  // namespace

Status EvalMatMul(const Node& node, const EvalArgs& args) {
  (void)node;
  Tensor& y = *args.output(0);
  if (y.dtype == DType::kFloat32) {
    MatMulTyped<float>(*args.input(0), *args.input(1), y);
  } else {
    MatMulTyped<int64_t>(*args.input(0), *args.input(1), y);
  }
  return Status::Ok();
}

}  // namespace tml
