#include "passes/backward/backward.h"

namespace tml {

bool IsDataMovement(OpKind op) {
  switch (op) {
    case OpKind::kReshape:
    case OpKind::kTranspose:
    case OpKind::kConcat:
    case OpKind::kSlice:
    case OpKind::kGather:
    case OpKind::kTile:
    case OpKind::kExpand:
      return true;
    default:
      return false;
  }
}

bool HasBackward(OpKind op) {
  switch (op) {
    case OpKind::kLstm:
    case OpKind::kGru:
    case OpKind::kRnn:
    case OpKind::kGemm:
    case OpKind::kMatMul:
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
    case OpKind::kRelu:
    case OpKind::kLeakyRelu:
    case OpKind::kSigmoid:
    case OpKind::kHardSigmoid:
    case OpKind::kTanh:
    case OpKind::kSoftmax:
    case OpKind::kLogSoftmax:
      return true;
    default:
      return IsDataMovement(op);
  }
}

Status ForwardForTraining(const Node& node, const EvalArgs& args,
                          std::unique_ptr<SavedForward>* saved) {
  saved->reset();
  if (node.op == OpKind::kLstm || node.op == OpKind::kGru || node.op == OpKind::kRnn) {
    return ForwardRecurrent(node, args, saved);
  }
  return EvalNode(node, args);
}

Status BackwardNode(const Node& node, const EvalArgs& args, const SavedForward* saved,
                    const std::vector<const Tensor*>& dout, const std::vector<Tensor*>& din) {
  switch (node.op) {
    case OpKind::kLstm:
    case OpKind::kGru:
    case OpKind::kRnn:
      return BackwardRecurrent(node, args, saved, dout, din);
    case OpKind::kGemm:
    case OpKind::kMatMul:
      return BackwardLinear(node, args, dout, din);
    default:
      break;
  }
  if (IsDataMovement(node.op)) return BackwardMovement(node, args, dout, din);
  if (HasBackward(node.op)) return BackwardElementwise(node, args, dout, din);
  return InvalidInput("finetune: {}: no backward pass for this op", node.Describe());
}

}  // namespace tml
