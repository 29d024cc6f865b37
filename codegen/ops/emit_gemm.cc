// Gemm: tml_gemm_f32 (alpha, beta, transA, transB as normalised by PrepareGemm).
#include "codegen/ops/op_emitters.h"

namespace tml::codegen {

Status EmitGemm(EmitContext& ctx, const Node& node) {
  if (UsesKronMatvec(ctx.graph(), node)) return EmitKronMatvec(ctx, node);
  const std::string params =
      ctx.Param("tml_gemm_params",
                fmt::format("{{{}, {}, {}, {}}}", FloatLiteral(node.GetFloat("alpha", 1.0f)),
                            FloatLiteral(node.GetFloat("beta", 1.0f)),
                            node.GetInt("transA", 0), node.GetInt("transB", 0)));
  TML_ASSIGN_OR_RETURN(std::string a_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string a, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string b_dims, ctx.Dims(node.input(1)));
  TML_ASSIGN_OR_RETURN(std::string b, ctx.Ptr(node.input(1)));
  TML_ASSIGN_OR_RETURN(std::string c_dims, ctx.Dims(node.input(2)));
  TML_ASSIGN_OR_RETURN(std::string c, ctx.Ptr(node.input(2)));
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  ctx.UseKernel("tml_gemm_f32");
  ctx.Call(fmt::format("tml_gemm_f32(NULL, {}, {}, {}, {}, {}, {}, {}, {}, {})", params, a_dims, a,
                       b_dims, b, c_dims, c, y_dims, y));
  return Status::Ok();
}

}  // namespace tml::codegen
