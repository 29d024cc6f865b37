#include "compiler/reference/materialize.h"

namespace tml {

StatusOr<Tensor> MaterializeWeight(const Graph& graph, const Node& node,
                                   const WeightOperatorSet& set) {
  const Tensor& original = graph.tensor(node.input(set.input));
  Tensor t;
  t.name = original.name;
  t.dtype = DType::kFloat32;
  t.shape = original.shape;
  t.role = TensorRole::kConstant;
  t.f32.reserve(static_cast<size_t>(original.num_elements()));
  const bool in_by_out = (node.op == OpKind::kGemm && node.GetInt("transB", 0) == 0) ||
                         node.op == OpKind::kMatMul;
  for (const WeightOperator& op : set.per_direction) {
    std::vector<float> dense = op.Materialize();
    if (in_by_out) {
      for (int64_t j = 0; j < op.cols; ++j) {
        for (int64_t i = 0; i < op.rows; ++i) t.f32.push_back(dense[static_cast<size_t>(i * op.cols + j)]);
      }
    } else {
      t.f32.insert(t.f32.end(), dense.begin(), dense.end());
    }
  }
  if (static_cast<int64_t>(t.f32.size()) != original.num_elements()) {
    return Internal("{}: weight operators of input '{}' cover {} values, the tensor has {}",
                    node.Describe(), original.name, t.f32.size(), original.num_elements());
  }
  return t;
}

}  // namespace tml
