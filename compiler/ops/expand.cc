// Expand: broadcasts the input to the (constant) shape input, numpy-style in
// both directions: the output is the broadcast of the two shapes, so a
// target dim of 1 keeps a larger input dim.
#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareExpand(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* data, RequiredInput(graph, node, 0, "input"));
  TML_ASSIGN_OR_RETURN(std::vector<int64_t> dims, ConstantInts(graph, node, 1, "shape"));
  Shape out;
  if (!BroadcastShapes(data->shape, dims, &out)) {
    return InvalidInput("{}: input '{}' of shape {} cannot be expanded to {}", node.Describe(),
                        data->name, ShapeToString(data->shape), ShapeToString(dims));
  }
  SetOutput(graph, node, 0, data->dtype, std::move(out));
  return Status::Ok();
}

}  // namespace tml
