// Slice: PrepareSlice already clamped starts/ends per axis (full rank), so the
// kernel gets the first index read and the step of every axis.
#include "codegen/ops/op_emitters.h"

namespace tml::codegen {

Status EmitSlice(EmitContext& ctx, const Node& node) {
  const std::vector<int64_t> starts = node.GetInts("starts");
  const std::vector<int64_t> steps = node.GetInts("steps");
  std::string s, t;
  for (size_t k = 0; k < starts.size(); ++k) {
    s += (k ? ", " : "") + std::to_string(starts[k]);
    t += (k ? ", " : "") + std::to_string(k < steps.size() ? steps[k] : 1);
  }
  if (s.empty()) s = t = "0";
  const std::string params = ctx.Param("tml_slice_params", "{{" + s + "}, {" + t + "}}");
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  ctx.UseKernel("tml_slice_f32");
  ctx.Call(fmt::format("tml_slice_f32(NULL, {}, {}, {}, {}, {})", params, x_dims, x, y_dims, y));
  return Status::Ok();
}

}  // namespace tml::codegen
