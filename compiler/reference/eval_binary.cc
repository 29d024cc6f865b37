#include <type_traits>

#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {
namespace {

template <typename T, typename Op>
void Apply(const Tensor& a, const Tensor& b, Tensor& out, Op op) {
  const std::vector<T>& x = Data<T>(a);
  const std::vector<T>& y = Data<T>(b);
  std::vector<T>& z = MutableData<T>(out);
  if (a.shape == out.shape && b.shape == out.shape) {
    for (size_t i = 0; i < z.size(); ++i) z[i] = op(x[i], y[i]);
    return;
  }
  const std::vector<int64_t> ia = BroadcastOffsets(a.shape, out.shape);
  const std::vector<int64_t> ib = BroadcastOffsets(b.shape, out.shape);
  for (size_t i = 0; i < z.size(); ++i) z[i] = op(x[ia[i]], y[ib[i]]);
}

template <typename T>
Status EvalTyped(const Node& node, const Tensor& a, const Tensor& b, Tensor& out) {
  switch (node.op) {
    case OpKind::kAdd:
      Apply<T>(a, b, out, [](T x, T y) { return x + y; });
      return Status::Ok();
    case OpKind::kSub:
      Apply<T>(a, b, out, [](T x, T y) { return x - y; });
      return Status::Ok();
    case OpKind::kMul:
      Apply<T>(a, b, out, [](T x, T y) { return x * y; });
      return Status::Ok();
    case OpKind::kDiv:
      if constexpr (std::is_integral_v<T>) {
        // Integer Div truncates toward zero (C semantics, as ONNX Runtime does).
        for (T v : Data<T>(b)) {
          if (v == 0) return InvalidInput("{}: integer division by zero", node.Describe());
        }
      }
      Apply<T>(a, b, out, [](T x, T y) { return x / y; });
      return Status::Ok();
    default:
      return Internal("{}: not a binary op", node.Describe());
  }
}

}  // namespace

Status EvalBinary(const Node& node, const EvalArgs& args) {
  const Tensor& a = *args.input(0);
  const Tensor& b = *args.input(1);
  Tensor& out = *args.output(0);
  if (out.dtype == DType::kFloat32) return EvalTyped<float>(node, a, b, out);
  return EvalTyped<int64_t>(node, a, b, out);
}

}  // namespace tml
