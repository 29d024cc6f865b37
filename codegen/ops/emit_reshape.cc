// Reshape (also Flatten / Squeeze / Unsqueeze after Prepare): a copy between
// two arena buffers. Aliasing the output onto the input would save the copy
// and the memory; the planner would then have to merge the two lifetimes.
#include "codegen/ops/op_emitters.h"

namespace tml::codegen {

Status EmitReshape(EmitContext& ctx, const Node& node) {
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  ctx.UseKernel("tml_copy_f32");
  ctx.Call(fmt::format("tml_copy_f32(NULL, {}, {}, {}, {})", x_dims, x, y_dims, y));
  return Status::Ok();
}

}  // namespace tml::codegen
