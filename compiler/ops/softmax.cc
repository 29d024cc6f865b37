// Softmax, LogSoftmax. The two ONNX semantics become one attribute form:
//   opset < 13: the input is coerced to 2-D, [prod(dims[:axis]), prod(dims[axis:])],
//               and normalised over each row (default axis 1);
//   opset >= 13: normalised along the single dimension `axis` (default -1).
// Prepare stores "axis" in [0, rank) and "coerce_2d" (0/1); the eval reduces
// over prod(dims[axis:]) when coerce_2d is 1 and over dims[axis] otherwise.
// A coerced softmax on the last axis is the same as the single-axis one and
// is stored as coerce_2d = 0. The presence of "coerce_2d" marks a node that
// was already prepared (Prepare is idempotent).
#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareSoftmax(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* x, RequiredInput(graph, node, 0, "input"));
  TML_RETURN_IF_ERROR(RequireFloat(node, *x, "input"));
  const int64_t rank = static_cast<int64_t>(x->shape.size());
  if (rank == 0) return InvalidInput("{}: the input must have rank >= 1", node.Describe());
  const bool prepared = node.HasAttr("coerce_2d");
  bool coerce = prepared ? node.GetInt("coerce_2d", 0) != 0 : node.opset < 13;
  int64_t axis = node.GetInt("axis", coerce ? 1 : -1);
  TML_RETURN_IF_ERROR(NormalizeAxis(node, rank, &axis));
  if (axis == rank - 1) coerce = false;
  node.attrs["axis"] = axis;
  node.attrs["coerce_2d"] = static_cast<int64_t>(coerce ? 1 : 0);
  SetOutput(graph, node, 0, x->dtype, x->shape);
  return Status::Ok();
}

}  // namespace tml
