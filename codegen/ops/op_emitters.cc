#include "codegen/ops/op_emitters.h"

#include "compiler/ops/recurrent_common.h"
#include "tml_kernels.h"

namespace tml::codegen {

StatusOr<std::string> DimsInit(const Shape& shape) {
  if (shape.size() > TML_MAX_RANK) {
    return InvalidInput("shape {} has rank {}; the runtime kernels handle rank <= {}",
                        ShapeToString(shape), shape.size(), TML_MAX_RANK);
  }
  std::string dims;
  for (int64_t d : shape) {
    if (d > INT32_MAX) return InvalidInput("dimension {} does not fit int32", d);
    dims += (dims.empty() ? "" : ", ") + std::to_string(d);
  }
  if (dims.empty()) dims = "0";
  return "{" + std::to_string(shape.size()) + ", {" + dims + "}}";
}

Status EmitNode(EmitContext& ctx, const Node& node) {
  Status status;
  switch (node.op) {
    case OpKind::kLstm:
    case OpKind::kGru:
    case OpKind::kRnn:
      status = EmitRecurrent(ctx, node);
      break;
    case OpKind::kGemm:
      status = EmitGemm(ctx, node);
      break;
    case OpKind::kMatMul:
      status = EmitMatMul(ctx, node);
      break;
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
      status = EmitBinary(ctx, node);
      break;
    case OpKind::kRelu:
    case OpKind::kLeakyRelu:
    case OpKind::kSigmoid:
    case OpKind::kHardSigmoid:
    case OpKind::kTanh:
      status = EmitActivation(ctx, node);
      break;
    case OpKind::kSoftmax:
    case OpKind::kLogSoftmax:
      status = EmitSoftmax(ctx, node);
      break;
    case OpKind::kReshape:
      status = EmitReshape(ctx, node);
      break;
    case OpKind::kTranspose:
      status = EmitTranspose(ctx, node);
      break;
    case OpKind::kConcat:
      status = EmitConcat(ctx, node);
      break;
    case OpKind::kSlice:
      status = EmitSlice(ctx, node);
      break;
    case OpKind::kGather:
      status = EmitGather(ctx, node);
      break;
    case OpKind::kTile:
    case OpKind::kExpand:
      status = EmitBroadcastCopy(ctx, node);
      break;
    default:
      return InvalidInput("{}: no C emitter for this op (it should have been folded at import)",
                          node.Describe());
  }
  if (!status.ok() && status.message().rfind("node '", 0) != 0) {
    return status.WithPrefix(node.Describe());
  }
  return status;
}

StatusOr<int64_t> ScratchBytes(const Graph& graph, const Node& node) {
  if (UsesFullyConnectedS8(node)) return FullyConnectedS8ScratchBytes(graph, node);
  if (UsesLstmS8(node)) return LstmS8ScratchBytes(graph, node);
  if (UsesGruS8(node)) return GruS8ScratchBytes(graph, node);
  if (UsesRnnS8(node)) return RnnS8ScratchBytes(graph, node);
  if (node.op == OpKind::kSoftmax) return SoftmaxS8ScratchBytes(graph, node);
  if (UsesKronMatvec(graph, node)) return KronMatvecScratchBytes(graph, node);
  if (node.op != OpKind::kLstm && node.op != OpKind::kGru && node.op != OpKind::kRnn) return 0;
  if (UsesRecurrentOperators(graph, node)) return RecurrentOperatorScratchBytes(graph, node);
  const Tensor& r = graph.tensor(node.input(kRecurrentR));
  tml_dims dims{};
  dims.rank = static_cast<int32_t>(r.shape.size());
  for (size_t k = 0; k < r.shape.size() && k < TML_MAX_RANK; ++k) {
    dims.dim[k] = static_cast<int32_t>(r.shape[k]);
  }
  int32_t bytes = node.op == OpKind::kLstm  ? tml_lstm_f32_get_buffer_size(&dims)
                  : node.op == OpKind::kGru ? tml_gru_f32_get_buffer_size(&dims)
                                            : tml_rnn_f32_get_buffer_size(&dims);
  if (bytes < 0) return InvalidInput("{}: malformed R shape", node.Describe());
  return static_cast<int64_t>(bytes);
}

}  // namespace tml::codegen
