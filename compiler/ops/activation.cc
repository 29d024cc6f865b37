// Relu, LeakyRelu, Sigmoid, HardSigmoid, Tanh: elementwise, same shape out.
// Prepare writes the attribute defaults into the node (LeakyRelu alpha 0.01,
// HardSigmoid alpha 0.2 / beta 0.5) so kernels and emitters read one form.
#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareActivation(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* x, RequiredInput(graph, node, 0, "X"));
  switch (node.op) {
    case OpKind::kRelu:
      break;  // Relu-14 also takes integers.
    case OpKind::kLeakyRelu:
      node.attrs["alpha"] = node.GetFloat("alpha", 0.01f);
      break;
    case OpKind::kHardSigmoid:
      node.attrs["alpha"] = node.GetFloat("alpha", 0.2f);
      node.attrs["beta"] = node.GetFloat("beta", 0.5f);
      break;
    case OpKind::kSigmoid:
    case OpKind::kTanh:
      break;
    default:
      return Internal("{}: not an activation", node.Describe());
  }
  if (node.op != OpKind::kRelu) TML_RETURN_IF_ERROR(RequireFloat(node, *x, "X"));
  SetOutput(graph, node, 0, x->dtype, x->shape);
  return Status::Ok();
}

}  // namespace tml
