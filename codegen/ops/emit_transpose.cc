// Transpose: tml_transpose_f32 with the normalised perm.
#include "codegen/ops/op_emitters.h"

namespace tml::codegen {

Status EmitTranspose(EmitContext& ctx, const Node& node) {
  std::vector<int64_t> perm = node.GetInts("perm");
  std::string init;
  for (int64_t p : perm) init += (init.empty() ? "" : ", ") + std::to_string(p);
  const std::string params =
      ctx.Param("tml_transpose_params", "{{" + (init.empty() ? std::string("0") : init) + "}}");
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  ctx.UseKernel("tml_transpose_f32");
  ctx.Call(fmt::format("tml_transpose_f32(NULL, {}, {}, {}, {}, {})", params, x_dims, x, y_dims,
                       y));
  return Status::Ok();
}

}  // namespace tml::codegen
