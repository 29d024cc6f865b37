// Tile: repeats the input `repeats[d]` times along every axis d. LSTM
// autoencoders use it to repeat the latent vector over the time steps. The
// repeats must be a compile-time constant; Prepare moves them into the
// "repeats" attribute and drops that input.
#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareTile(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* input, RequiredInput(graph, node, 0, "input"));
  std::vector<int64_t> repeats = node.GetInts("repeats");
  if (node.input(1) != kNoTensor) {
    TML_ASSIGN_OR_RETURN(repeats, ConstantInts(graph, node, 1, "repeats"));
  }
  if (repeats.size() != input->shape.size()) {
    return InvalidInput("{}: 'repeats' has {} values for a rank-{} input", node.Describe(),
                        repeats.size(), input->shape.size());
  }
  Shape out = input->shape;
  for (size_t d = 0; d < out.size(); ++d) {
    if (repeats[d] < 1) {
      return InvalidInput("{}: repeats[{}] = {} must be at least 1", node.Describe(), d, repeats[d]);
    }
    if (!CheckedMul(out[d], repeats[d], &out[d])) {
      return InvalidInput("{}: repeating input '{}' {} by {} overflows the element count",
                          node.Describe(), input->name, ShapeToString(input->shape),
                          ShapeToString(repeats));
    }
  }
  node.attrs["repeats"] = repeats;
  node.inputs.resize(1);
  SetOutput(graph, node, 0, input->dtype, out);
  return Status::Ok();
}

}  // namespace tml
