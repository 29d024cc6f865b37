// Gemm: tml_gemm_f32 (alpha, beta, transA, transB as normalised by PrepareGemm).
// The common PyTorch Linear form (transA 0, transB 1, alpha = beta = 1, bias
// [N] / [1, N] or none) runs tml_fully_connected_f32 instead: the same sums in
// the same order (bit-identical), with unit-stride inner loops the compiler
// schedules better.
#include "codegen/ops/op_emitters.h"

namespace tml::codegen {
namespace {

bool IsLinear(const EmitContext& ctx, const Node& node) {
  if (node.GetInt("transA", 0) != 0 || node.GetInt("transB", 0) != 1) return false;
  if (node.GetFloat("alpha", 1.0f) != 1.0f) return false;
  const TensorId c = node.input(2);
  if (c == kNoTensor) return true;
  if (node.GetFloat("beta", 1.0f) != 1.0f) return false;
  const Shape& cs = ctx.tensor(c).shape;
  const int64_t n = ctx.tensor(node.output(0)).shape.back();
  return (cs.size() == 1 && cs[0] == n) || (cs.size() == 2 && cs[0] == 1 && cs[1] == n);
}

Status EmitFullyConnected(EmitContext& ctx, const Node& node) {
  const std::string params = ctx.Param("tml_fc_params", "{-INFINITY, INFINITY}");
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string w_dims, ctx.Dims(node.input(1)));
  TML_ASSIGN_OR_RETURN(std::string w, ctx.Ptr(node.input(1)));
  std::string b_dims = "NULL", b = "NULL";
  if (node.input(2) != kNoTensor) {
    TML_ASSIGN_OR_RETURN(b_dims, ctx.DimsOf(Shape{ctx.tensor(node.input(2)).num_elements()}));
    TML_ASSIGN_OR_RETURN(b, ctx.Ptr(node.input(2)));
  }
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  ctx.UseKernel("tml_fully_connected_f32");
  ctx.Call(fmt::format("tml_fully_connected_f32(NULL, {}, {}, {}, {}, {}, {}, {}, {}, {})", params,
                       x_dims, x, w_dims, w, b_dims, b, y_dims, y));
  return Status::Ok();
}

}  // namespace

Status EmitGemm(EmitContext& ctx, const Node& node) {
  if (UsesFullyConnectedS8(node)) return EmitFullyConnectedS8(ctx, node);
  if (UsesKronMatvec(ctx.graph(), node)) return EmitKronMatvec(ctx, node);
  if (IsLinear(ctx, node)) return EmitFullyConnected(ctx, node);
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
