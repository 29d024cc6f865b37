// Gemm and MatMul. Both are sums of matrix products, so each input gradient is
// the output gradient multiplied by the other operand (transposed as the
// forward used it); broadcast operands (MatMul batch dims, Gemm's C)
// accumulate over the positions they were broadcast to.
#include <Eigen/Dense>

#include "compiler/reference/eval_common.h"
#include "passes/backward/backward.h"

namespace tml {
namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMajor>;
using Map = Eigen::Map<RowMajor>;

Status BackwardGemm(const Node& node, const EvalArgs& args, const Tensor& dy,
                    const std::vector<Tensor*>& din) {
  const Tensor& a = *args.input(0);
  const Tensor& b = *args.input(1);
  const bool trans_a = node.GetInt("transA", 0) != 0;
  const bool trans_b = node.GetInt("transB", 0) != 0;
  const float alpha = node.GetFloat("alpha", 1.0f);
  const float beta = node.GetFloat("beta", 1.0f);
  const ConstMap ma(a.f32.data(), a.shape[0], a.shape[1]);
  const ConstMap mb(b.f32.data(), b.shape[0], b.shape[1]);
  const ConstMap g(dy.f32.data(), dy.shape[0], dy.shape[1]);
  const RowMajor op_a = trans_a ? RowMajor(ma.transpose()) : RowMajor(ma);  // M×K
  const RowMajor op_b = trans_b ? RowMajor(mb.transpose()) : RowMajor(mb);  // K×N
  if (din.size() > 0 && din[0] != nullptr) {
    const RowMajor d = alpha * g * op_b.transpose();  // M×K
    Map out(din[0]->f32.data(), a.shape[0], a.shape[1]);
    if (trans_a) out += d.transpose(); else out += d;
  }
  if (din.size() > 1 && din[1] != nullptr) {
    const RowMajor d = alpha * op_a.transpose() * g;  // K×N
    Map out(din[1]->f32.data(), b.shape[0], b.shape[1]);
    if (trans_b) out += d.transpose(); else out += d;
  }
  if (din.size() > 2 && din[2] != nullptr && args.input(2) != nullptr) {
    const std::vector<int64_t> offsets = BroadcastOffsets(args.input(2)->shape, dy.shape);
    for (size_t i = 0; i < offsets.size(); ++i) din[2]->f32[offsets[i]] += beta * dy.f32[i];
  }
  return Status::Ok();
}

Status BackwardMatMul(const Node& node, const EvalArgs& args, const Tensor& dy,
                      const std::vector<Tensor*>& din) {
  const Tensor& a = *args.input(0);
  const Tensor& b = *args.input(1);
  if (a.shape.size() < 2 || b.shape.size() < 2) {
    return InvalidInput("finetune: {}: MatMul backward needs operands of rank >= 2",
                        node.Describe());
  }
  const int64_t m = a.shape[a.shape.size() - 2], k = a.shape.back(), n = b.shape.back();
  const Shape batch_a(a.shape.begin(), a.shape.end() - 2);
  const Shape batch_b(b.shape.begin(), b.shape.end() - 2);
  const Shape batch_y(dy.shape.begin(), dy.shape.end() - 2);
  const std::vector<int64_t> off_a = BroadcastOffsets(batch_a, batch_y);
  const std::vector<int64_t> off_b = BroadcastOffsets(batch_b, batch_y);
  Tensor* ga = din.size() > 0 ? din[0] : nullptr;
  Tensor* gb = din.size() > 1 ? din[1] : nullptr;
  for (size_t i = 0; i < off_a.size(); ++i) {
    const ConstMap g(dy.f32.data() + static_cast<int64_t>(i) * m * n, m, n);
    if (ga != nullptr) {
      Map(ga->f32.data() + off_a[i] * m * k, m, k) +=
          g * ConstMap(b.f32.data() + off_b[i] * k * n, k, n).transpose();
    }
    if (gb != nullptr) {
      Map(gb->f32.data() + off_b[i] * k * n, k, n) +=
          ConstMap(a.f32.data() + off_a[i] * m * k, m, k).transpose() * g;
    }
  }
  return Status::Ok();
}

}  // namespace

Status BackwardLinear(const Node& node, const EvalArgs& args,
                      const std::vector<const Tensor*>& dout, const std::vector<Tensor*>& din) {
  if (dout.empty() || dout[0] == nullptr) return Status::Ok();
  if (node.op == OpKind::kGemm) return BackwardGemm(node, args, *dout[0], din);
  return BackwardMatMul(node, args, *dout[0], din);
}

}  // namespace tml
