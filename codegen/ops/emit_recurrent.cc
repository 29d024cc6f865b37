// LSTM / GRU / RNN over the whole sequence: tml_lstm_f32 / tml_gru_f32 /
// tml_rnn_f32, scratch from the arena. The streaming step code is printed by
// the model emitter (it owns the state storage) with the step kernels.
#include "codegen/ops/op_emitters.h"
#include "compiler/ops/recurrent_common.h"

namespace tml::codegen {

Status EmitRecurrent(EmitContext& ctx, const Node& node) {
  if (UsesLstmS8(node)) return EmitLstmS8(ctx, node);
  if (UsesGruS8(node)) return EmitGruS8(ctx, node);
  if (UsesRnnS8(node)) return EmitRnnS8(ctx, node);
  if (UsesRecurrentOperators(ctx.graph(), node)) return EmitRecurrentOperators(ctx, node);
  const RecurrentAttrs attrs = ReadRecurrentAttrs(node);
  const int direction = attrs.direction == "forward" ? 0 : attrs.direction == "reverse" ? 1 : 2;
  static const char* const kDirections[] = {"TML_RNN_FORWARD", "TML_RNN_REVERSE",
                                            "TML_RNN_BIDIRECTIONAL"};
  const std::string params = ctx.Param(
      "tml_rnn_params", fmt::format("{{{}, {}, {}, {}, {}}}", kDirections[direction], attrs.layout,
                                    FloatLiteral(attrs.clip), attrs.input_forget ? 1 : 0,
                                    attrs.linear_before_reset ? 1 : 0));
  // (dims, data) for an optional tensor: both NULL when absent or unused.
  auto pair = [&](TensorId id) -> StatusOr<std::string> {
    if (id == kNoTensor || !ctx.HasBuffer(id)) return std::string("NULL, NULL");
    TML_ASSIGN_OR_RETURN(std::string dims, ctx.Dims(id));
    TML_ASSIGN_OR_RETURN(std::string ptr, ctx.Ptr(id));
    return dims + ", " + ptr;
  };
  std::vector<std::string> args = {ctx.Scratch(), params};
  const bool lstm = node.op == OpKind::kLstm;
  std::vector<size_t> inputs = {kRecurrentX, kRecurrentW, kRecurrentR, kRecurrentB,
                                kRecurrentSequenceLens, kRecurrentInitialH};
  if (lstm) {
    inputs.push_back(kRecurrentInitialC);
    inputs.push_back(kRecurrentP);
  }
  for (size_t i : inputs) {
    TML_ASSIGN_OR_RETURN(std::string a, pair(node.input(i)));
    args.push_back(a);
  }
  std::vector<size_t> outputs = {kRecurrentY, kRecurrentYh};
  if (lstm) outputs.push_back(kRecurrentYc);
  for (size_t o : outputs) {
    TML_ASSIGN_OR_RETURN(std::string a, pair(node.output(o)));
    args.push_back(a);
  }
  const std::string kernel =
      lstm ? "tml_lstm_f32" : node.op == OpKind::kGru ? "tml_gru_f32" : "tml_rnn_f32";
  ctx.UseKernel(kernel);
  std::string call = kernel + "(";
  for (size_t i = 0; i < args.size(); ++i) call += (i ? ", " : "") + args[i];
  ctx.Call(call + ")");
  return Status::Ok();
}

}  // namespace tml::codegen
