// PrepareLstm: ONNX LSTM (opsets 7-17) — shared checks in recurrent_common,
// plus what only LSTM has: input_forget, initial_c, the peepholes P and Y_c.
#include "compiler/ops/op_registry.h"
#include "compiler/ops/recurrent_common.h"

namespace tml {

Status PrepareLstm(Graph& graph, Node& node) {
  static const RecurrentSpec kSpec = {4, {"Sigmoid", "Tanh", "Tanh"}, 8, 3};
  TML_ASSIGN_OR_RETURN(RecurrentDims dims, PrepareRecurrentCommon(graph, node, kSpec));
  TML_RETURN_IF_ERROR(NormalizeRecurrentFlag(node, "input_forget"));
  const Shape state_shape = RecurrentStateShape(dims, node.GetInt("layout", 0));
  TML_RETURN_IF_ERROR(
      CheckRecurrentInput(graph, node, kRecurrentInitialC, "initial_c", state_shape));
  TML_RETURN_IF_ERROR(CheckRecurrentInput(graph, node, kRecurrentP, "P",
                                          {dims.num_directions, 3 * dims.hidden_size}));
  SetOutput(graph, node, kRecurrentYc, DType::kFloat32, state_shape);
  return Status::Ok();
}

}  // namespace tml
