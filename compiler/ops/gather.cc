// Gather: picks entries of `data` along "axis" (default 0, stored normalised)
// at `indices` (negative ones count from the end). Output shape:
// data.shape[:axis] + indices.shape + data.shape[axis+1:]. Constant indices
// are range-checked here; others when evaluated.
#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareGather(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* data, RequiredInput(graph, node, 0, "data"));
  TML_ASSIGN_OR_RETURN(const Tensor* indices, RequiredInput(graph, node, 1, "indices"));
  const int64_t rank = static_cast<int64_t>(data->shape.size());
  if (rank == 0) return InvalidInput("{}: 'data' must have rank >= 1", node.Describe());
  int64_t axis = node.GetInt("axis", 0);
  TML_RETURN_IF_ERROR(NormalizeAxis(node, rank, &axis));
  const int64_t dim = data->shape[axis];
  if (indices->is_constant()) {
    TML_ASSIGN_OR_RETURN(std::vector<int64_t> values, ConstantInts(graph, node, 1, "indices"));
    for (int64_t v : values) {
      if (v < -dim || v >= dim) {
        return InvalidInput("{}: index {} is out of range for axis {} of size {}", node.Describe(),
                            v, axis, dim);
      }
    }
  }
  Shape out(data->shape.begin(), data->shape.begin() + axis);
  out.insert(out.end(), indices->shape.begin(), indices->shape.end());
  out.insert(out.end(), data->shape.begin() + axis + 1, data->shape.end());
  node.attrs["axis"] = axis;
  SetOutput(graph, node, 0, data->dtype, std::move(out));
  return Status::Ok();
}

}  // namespace tml
