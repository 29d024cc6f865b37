// Softmax / LogSoftmax: the tensor viewed as [outer, axis_size, inner]; the
// opset < 13 coerce-to-2-D form reduces over prod(dims[axis:]).
#include "codegen/ops/op_emitters.h"

namespace tml::codegen {

Status EmitSoftmax(EmitContext& ctx, const Node& node) {
  const Shape& shape = ctx.tensor(node.input(0)).shape;
  const int64_t axis = node.GetInt("axis", static_cast<int64_t>(shape.size()) - 1);
  const bool coerce = node.GetInt("coerce_2d", 0) != 0;
  int64_t outer = 1, size = 1, inner = 1;
  for (int64_t k = 0; k < static_cast<int64_t>(shape.size()); ++k) {
    if (k < axis) {
      outer *= shape[k];
    } else if (k == axis || coerce) {
      size *= shape[k];
    } else {
      inner *= shape[k];
    }
  }
  const std::string params =
      ctx.Param("tml_softmax_params", fmt::format("{{{}, {}, {}}}", outer, size, inner));
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  const std::string kernel =
      node.op == OpKind::kSoftmax ? "tml_softmax_f32" : "tml_log_softmax_f32";
  ctx.UseKernel(kernel);
  ctx.Call(fmt::format("{}(NULL, {}, {}, {}, {}, {})", kernel, params, x_dims, x, y_dims, y));
  return Status::Ok();
}

}  // namespace tml::codegen
