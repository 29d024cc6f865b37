// Equal: elementwise a == b with numpy broadcasting; the result (bool in ONNX)
// is an int64 tensor of 0/1. Only seen in PyTorch's shape plumbing, where it is
// folded at import.
#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareEqual(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* a, RequiredInput(graph, node, 0, "A"));
  TML_ASSIGN_OR_RETURN(const Tensor* b, RequiredInput(graph, node, 1, "B"));
  Shape out;
  if (!BroadcastShapes(a->shape, b->shape, &out)) {
    return InvalidInput("{}: shapes {} and {} do not broadcast", node.Describe(),
                        ShapeToString(a->shape), ShapeToString(b->shape));
  }
  SetOutput(graph, node, 0, DType::kInt64, out);
  return Status::Ok();
}

}  // namespace tml
