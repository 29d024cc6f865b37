// Add, Sub, Mul, Div: elementwise with multidirectional (numpy) broadcasting,
// on floats and on integers (the latter mostly in folded shape arithmetic).
#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareBinary(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* a, RequiredInput(graph, node, 0, "A"));
  TML_ASSIGN_OR_RETURN(const Tensor* b, RequiredInput(graph, node, 1, "B"));
  if (a->dtype != b->dtype) {
    return InvalidInput("{}: inputs '{}' ({}) and '{}' ({}) must have the same element type",
                        node.Describe(), a->name, DTypeName(a->dtype), b->name,
                        DTypeName(b->dtype));
  }
  // Opsets < 7 had "broadcast"/"axis" attributes; 7+ broadcast like numpy.
  Shape out;
  if (!BroadcastShapes(a->shape, b->shape, &out)) {
    return InvalidInput("{}: shapes {} ('{}') and {} ('{}') cannot be broadcast together",
                        node.Describe(), ShapeToString(a->shape), a->name, ShapeToString(b->shape),
                        b->name);
  }
  SetOutput(graph, node, 0, a->dtype, std::move(out));
  return Status::Ok();
}

}  // namespace tml
