// MatMul: tml_matmul_f32 (numpy semantics, batch broadcasting in the kernel).
#include "codegen/ops/op_emitters.h"

namespace tml::codegen {

Status EmitMatMul(EmitContext& ctx, const Node& node) {
  if (UsesFullyConnectedS8(node)) return EmitFullyConnectedS8(ctx, node);
  if (UsesKronMatvec(ctx.graph(), node)) return EmitKronMatvec(ctx, node);
  TML_ASSIGN_OR_RETURN(std::string a_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string a, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string b_dims, ctx.Dims(node.input(1)));
  TML_ASSIGN_OR_RETURN(std::string b, ctx.Ptr(node.input(1)));
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  ctx.UseKernel("tml_matmul_f32");
  ctx.Call(fmt::format("tml_matmul_f32(NULL, {}, {}, {}, {}, {}, {})", a_dims, a, b_dims, b,
                       y_dims, y));
  return Status::Ok();
}

}  // namespace tml::codegen
