// Concat: the input pointers go into a local array (they may be the caller's
// inputs, so not a static initialiser); the input shapes into a static one.
#include "codegen/ops/op_emitters.h"

namespace tml::codegen {

Status EmitConcat(EmitContext& ctx, const Node& node) {
  const int64_t axis = node.GetInt("axis", 0);
  std::string dims_init, ptrs;
  int count = 0;
  for (TensorId id : node.inputs) {
    if (id == kNoTensor) continue;
    TML_ASSIGN_OR_RETURN(std::string d, DimsInit(ctx.tensor(id).shape));
    TML_ASSIGN_OR_RETURN(std::string p, ctx.Ptr(id));
    dims_init += (count ? ", " : "") + d;
    ptrs += (count ? ", " : "") + p;
    ++count;
  }
  const std::string params =
      ctx.Param("tml_concat_params", fmt::format("{{{}, {}}}", axis, count));
  // Param() gives "&name" of a tml_dims[count] array: drop the '&' to pass the array.
  const std::string in_dims =
      ctx.Param("tml_dims[" + std::to_string(count) + "]", "{" + dims_init + "}").substr(1);
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  ctx.UseKernel("tml_concat_f32");
  ctx.body().Open("");
  ctx.body().Line(fmt::format("const float *const srcs[{}] = {{{}}};", count, ptrs));
  ctx.Call(fmt::format("tml_concat_f32(NULL, {}, {}, srcs, {}, {})", params, in_dims, y_dims, y));
  ctx.body().Close();
  return Status::Ok();
}

}  // namespace tml::codegen
