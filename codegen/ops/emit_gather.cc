// Gather: constant indices (PyTorch's x[:, -1] and friends) become a static
// int32 array; the model's token-id input (an embedding lookup) is read in
// place as int32_t, its range checked by the kernel (TML_ERROR_INDEX).
#include "codegen/ops/op_emitters.h"

namespace tml::codegen {

Status EmitGather(EmitContext& ctx, const Node& node) {
  const Tensor& indices = ctx.tensor(node.input(1));
  const bool tokens = indices.role == TensorRole::kInput && indices.dtype == DType::kInt64;
  if (!tokens && (!indices.is_constant() || indices.dtype != DType::kInt64)) {
    return InvalidInput("{}: the indices '{}' must be a constant integer tensor or the model's "
                        "token-id input for the firmware",
                        node.Describe(), indices.name);
  }
  const std::string params = ctx.Param(
      "tml_gather_params", fmt::format("{{{}, TML_INDEX_S32}}", node.GetInt("axis", 0)));
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string i_dims, ctx.Dims(node.input(1)));
  std::string idx = indices.i64.empty() ? std::string("NULL") : ctx.IndexArray(indices.i64);
  if (tokens) {
    TML_ASSIGN_OR_RETURN(idx, ctx.Ptr(node.input(1)));
  }
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  ctx.UseKernel("tml_gather_f32");
  ctx.Call(fmt::format("tml_gather_f32(NULL, {}, {}, {}, {}, {}, {}, {})", params, x_dims, x,
                       i_dims, idx, y_dims, y));
  return Status::Ok();
}

}  // namespace tml::codegen
