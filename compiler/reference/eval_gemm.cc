#include <Eigen/Core>

#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {
namespace {

template <typename T>
using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <typename T>
void GemmTyped(const Node& node, const Tensor& a, const Tensor& b, const Tensor* c, Tensor& y) {
  const bool trans_a = node.GetInt("transA", 0) != 0;
  const bool trans_b = node.GetInt("transB", 0) != 0;
  const float alpha = node.GetFloat("alpha", 1.0f);
  const float beta = node.GetFloat("beta", 1.0f);
  Eigen::Map<const RowMajor<T>> ma(Data<T>(a).data(), a.shape[0], a.shape[1]);
  Eigen::Map<const RowMajor<T>> mb(Data<T>(b).data(), b.shape[0], b.shape[1]);
  std::vector<T>& out = MutableData<T>(y);
  Eigen::Map<RowMajor<T>> my(out.data(), y.shape[0], y.shape[1]);
  if (trans_a && trans_b) {
    my.noalias() = ma.transpose() * mb.transpose();
  } else if (trans_a) {
    my.noalias() = ma.transpose() * mb;
  } else if (trans_b) {
    my.noalias() = ma * mb.transpose();
  } else {
    my.noalias() = ma * mb;
  }
  if (alpha != 1.0f) {
    for (T& v : out) v = static_cast<T>(alpha * v);
  }
  if (c == nullptr || beta == 0.0f) return;
  const std::vector<T>& bias = Data<T>(*c);
  const std::vector<int64_t> offsets = BroadcastOffsets(c->shape, y.shape);
  for (size_t i = 0; i < out.size(); ++i) out[i] += static_cast<T>(beta * bias[offsets[i]]);
}

}  // namespace

Status EvalGemm(const Node& node, const EvalArgs& args) {
  Tensor& y = *args.output(0);
  if (y.dtype == DType::kFloat32) {
    GemmTyped<float>(node, *args.input(0), *args.input(1), args.input(2), y);
  } else {
    GemmTyped<int64_t>(node, *args.input(0), *args.input(1), args.input(2), y);
  }
  return Status::Ok();
}

}  // namespace tml
