// ConstantOfShape: a tensor of the shape given by its (constant) 1-D int64
// input, every element "value" (a one-element tensor attribute, float 0 when
// absent; its type sets the output dtype). Prepare writes the default in.
#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareConstantOfShape(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(std::vector<int64_t> dims, ConstantInts(graph, node, 0, "input"));
  for (int64_t d : dims) {
    if (d < 0) {
      return InvalidInput("{}: shape {} has a negative dimension", node.Describe(),
                          ShapeToString(dims));
    }
  }
  DType dtype = DType::kFloat32;
  if (!node.GetInts("value").empty()) {
    dtype = DType::kInt64;
  } else if (node.GetFloats("value").empty()) {
    node.attrs["value"] = std::vector<float>{0.0f};
  }
  SetOutput(graph, node, 0, dtype, std::move(dims));
  return Status::Ok();
}

}  // namespace tml
