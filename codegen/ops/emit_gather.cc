// Gather: the indices must be constants (they are in every supported model:
// PyTorch's x[:, -1] and friends); they become a static int32 array.
#include "codegen/ops/op_emitters.h"

namespace tml::codegen {

Status EmitGather(EmitContext& ctx, const Node& node) {
  const Tensor& indices = ctx.tensor(node.input(1));
  if (!indices.is_constant() || indices.dtype != DType::kInt64) {
    return InvalidInput("{}: the indices '{}' must be a constant integer tensor for the firmware",
                        node.Describe(), indices.name);
  }
  const std::string params = ctx.Param(
      "tml_gather_params", fmt::format("{{{}, TML_INDEX_S32}}", node.GetInt("axis", 0)));
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string i_dims, ctx.Dims(node.input(1)));
  const std::string idx =
      indices.i64.empty() ? std::string("NULL") : ctx.IndexArray(indices.i64);
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  ctx.UseKernel("tml_gather_f32");
  ctx.Call(fmt::format("tml_gather_f32(NULL, {}, {}, {}, {}, {}, {}, {})", params, x_dims, x,
                       i_dims, idx, y_dims, y));
  return Status::Ok();
}

}  // namespace tml::codegen
