// Concat: joins its inputs along "axis" (required; negative since opset 11,
// stored normalised). All inputs share the rank, dtype and every other dim.
#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareConcat(Graph& graph, Node& node) {
  if (node.inputs.empty()) return InvalidInput("{}: needs at least one input", node.Describe());
  TML_ASSIGN_OR_RETURN(const Tensor* first, RequiredInput(graph, node, 0, "inputs"));
  if (!node.HasAttr("axis")) {
    return InvalidInput("{}: attribute 'axis' is required", node.Describe());
  }
  const int64_t rank = static_cast<int64_t>(first->shape.size());
  int64_t axis = node.GetInt("axis", 0);
  TML_RETURN_IF_ERROR(NormalizeAxis(node, rank, &axis));
  Shape out = first->shape;
  out[axis] = 0;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    TML_ASSIGN_OR_RETURN(const Tensor* t, RequiredInput(graph, node, i, "inputs"));
    bool matches = t->shape.size() == first->shape.size();
    for (int64_t d = 0; matches && d < rank; ++d) {
      matches = d == axis || t->shape[d] == first->shape[d];
    }
    if (!matches) {
      return InvalidInput(
          "{}: input '{}' has shape {}, which does not match {} of '{}' outside axis {}",
          node.Describe(), t->name, ShapeToString(t->shape), ShapeToString(first->shape),
          first->name, axis);
    }
    if (t->dtype != first->dtype) {
      return InvalidInput("{}: inputs '{}' ({}) and '{}' ({}) must have the same element type",
                          node.Describe(), first->name, DTypeName(first->dtype), t->name,
                          DTypeName(t->dtype));
    }
    if (!CheckedAdd(out[axis], t->shape[axis], &out[axis])) {
      return InvalidInput("{}: the concatenated axis {} overflows", node.Describe(), axis);
    }
  }
  node.attrs["axis"] = axis;
  SetOutput(graph, node, 0, first->dtype, std::move(out));
  return Status::Ok();
}

}  // namespace tml
