// MatMul with numpy.matmul semantics: a 1-D A is a row vector [1, K] and a
// 1-D B a column vector [K, 1], the added dim being removed from the result;
// operands of rank > 2 are stacks of matrices whose leading (batch) dims
// broadcast multidirectionally.
#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareMatMul(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* a, RequiredInput(graph, node, 0, "A"));
  TML_ASSIGN_OR_RETURN(const Tensor* b, RequiredInput(graph, node, 1, "B"));
  if (a->shape.empty() || b->shape.empty()) {
    return InvalidInput("{}: MatMul operands must have rank >= 1, got {} and {}", node.Describe(),
                        ShapeToString(a->shape), ShapeToString(b->shape));
  }
  if (a->dtype != b->dtype) {
    return InvalidInput("{}: inputs A and B must have the same element type", node.Describe());
  }
  Shape sa = a->shape;
  Shape sb = b->shape;
  if (sa.size() == 1) sa.insert(sa.begin(), 1);
  if (sb.size() == 1) sb.push_back(1);
  const int64_t m = sa[sa.size() - 2];
  const int64_t k = sa.back();
  const int64_t kb = sb[sb.size() - 2];
  const int64_t n = sb.back();
  if (k != kb) {
    return InvalidInput("{}: inner dimensions do not match: A '{}' {} has K={}, B '{}' {} has K={}",
                        node.Describe(), a->name, ShapeToString(a->shape), k, b->name,
                        ShapeToString(b->shape), kb);
  }
  Shape batch;
  if (!BroadcastShapes(Shape(sa.begin(), sa.end() - 2), Shape(sb.begin(), sb.end() - 2), &batch)) {
    return InvalidInput("{}: batch dimensions of {} and {} cannot be broadcast together",
                        node.Describe(), ShapeToString(a->shape), ShapeToString(b->shape));
  }
  Shape out = batch;
  if (a->shape.size() > 1) out.push_back(m);
  if (b->shape.size() > 1) out.push_back(n);
  SetOutput(graph, node, 0, a->dtype, std::move(out));
  return Status::Ok();
}

}  // namespace tml
