// Where: out = condition ? x : y with numpy broadcasting of all three. Only
// seen in PyTorch's shape plumbing (expand with -1), folded at import.
#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareWhere(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* cond, RequiredInput(graph, node, 0, "condition"));
  TML_ASSIGN_OR_RETURN(const Tensor* x, RequiredInput(graph, node, 1, "X"));
  TML_ASSIGN_OR_RETURN(const Tensor* y, RequiredInput(graph, node, 2, "Y"));
  if (x->dtype != y->dtype) {
    return InvalidInput("{}: X and Y must have the same element type", node.Describe());
  }
  Shape xy, out;
  if (!BroadcastShapes(x->shape, y->shape, &xy) || !BroadcastShapes(cond->shape, xy, &out)) {
    return InvalidInput("{}: shapes {}, {} and {} do not broadcast", node.Describe(),
                        ShapeToString(cond->shape), ShapeToString(x->shape),
                        ShapeToString(y->shape));
  }
  SetOutput(graph, node, 0, x->dtype, out);
  return Status::Ok();
}

}  // namespace tml
