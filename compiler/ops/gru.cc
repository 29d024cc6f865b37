// PrepareGru: ONNX GRU (opsets 7-17) — shared checks in recurrent_common, plus
// linear_before_reset.
#include "compiler/ops/op_registry.h"
#include "compiler/ops/recurrent_common.h"

namespace tml {

Status PrepareGru(Graph& graph, Node& node) {
  static const RecurrentSpec kSpec = {3, {"Sigmoid", "Tanh"}, 6, 2};
  TML_RETURN_IF_ERROR(PrepareRecurrentCommon(graph, node, kSpec).status());
  return NormalizeRecurrentFlag(node, "linear_before_reset");
}

}  // namespace tml
