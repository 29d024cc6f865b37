// PrepareRnn: ONNX RNN (opsets 7-17); everything it needs is shared with
// LSTM and GRU (recurrent_common).
#include "compiler/ops/op_registry.h"
#include "compiler/ops/recurrent_common.h"

namespace tml {

Status PrepareRnn(Graph& graph, Node& node) {
  static const RecurrentSpec kSpec = {1, {"Tanh"}, 6, 2};
  return PrepareRecurrentCommon(graph, node, kSpec).status();
}

}  // namespace tml
