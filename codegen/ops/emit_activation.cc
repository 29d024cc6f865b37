// Relu / LeakyRelu / Sigmoid / HardSigmoid / Tanh: one elementwise kernel each
// (between two int8 layers: an int8 table, emit_lut_s8.cc).
#include "codegen/ops/op_emitters.h"

namespace tml::codegen {

Status EmitActivation(EmitContext& ctx, const Node& node) {
  if (ctx.int8_links().IsTableActivation(node.output(0))) return EmitTableActivationS8(ctx, node);
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  std::string kernel, params;
  switch (node.op) {
    case OpKind::kRelu:
      kernel = "tml_relu_f32";
      break;
    case OpKind::kSigmoid:
      kernel = "tml_sigmoid_f32";
      break;
    case OpKind::kTanh:
      kernel = "tml_tanh_f32";
      break;
    case OpKind::kLeakyRelu:
      kernel = "tml_leaky_relu_f32";
      params = ctx.Param("tml_leaky_relu_params",
                         "{" + FloatLiteral(node.GetFloat("alpha", 0.01f)) + "}") + ", ";
      break;
    default:
      kernel = "tml_hard_sigmoid_f32";
      params = ctx.Param("tml_hard_sigmoid_params",
                         "{" + FloatLiteral(node.GetFloat("alpha", 0.2f)) + ", " +
                             FloatLiteral(node.GetFloat("beta", 0.5f)) + "}") + ", ";
      break;
  }
  ctx.UseKernel(kernel);
  ctx.Call(fmt::format("{}(NULL, {}{}, {}, {}, {})", kernel, params, x_dims, x, y_dims, y));
  return Status::Ok();
}

}  // namespace tml::codegen
