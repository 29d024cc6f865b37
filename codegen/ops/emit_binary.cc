// Add / Sub / Mul / Div: tml_<op>_f32 with broadcast strides computed here by
// the runtime's own tml_broadcast_params_init (the kernel only runs).
#include "codegen/ops/op_emitters.h"
#include "tml_kernels.h"

namespace tml::codegen {
namespace {

tml_dims ToDims(const Shape& shape) {
  tml_dims d{};
  d.rank = static_cast<int32_t>(shape.size());
  for (size_t k = 0; k < shape.size(); ++k) d.dim[k] = static_cast<int32_t>(shape[k]);
  return d;
}

std::string Ints(const int32_t* v, int n) {
  std::string s;
  for (int k = 0; k < n; ++k) s += (k ? ", " : "") + std::to_string(v[k]);
  return "{" + (s.empty() ? std::string("0") : s) + "}";
}

}  // namespace

// Also used by the broadcast copy (Tile/Expand): y = a * 1 with given strides.
std::string BroadcastParamsInit(const int32_t* a_strides, const int32_t* b_strides, int rank) {
  return "{" + Ints(a_strides, rank) + ", " + Ints(b_strides, rank) + "}";
}

Status EmitBinary(EmitContext& ctx, const Node& node) {
  const Shape& a_shape = ctx.tensor(node.input(0)).shape;
  const Shape& b_shape = ctx.tensor(node.input(1)).shape;
  const Shape& y_shape = ctx.tensor(node.output(0)).shape;
  TML_ASSIGN_OR_RETURN(std::string a_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string b_dims, ctx.Dims(node.input(1)));
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  const tml_dims ad = ToDims(a_shape), bd = ToDims(b_shape), yd = ToDims(y_shape);
  tml_broadcast_params bp{};
  if (tml_broadcast_params_init(&ad, &bd, &yd, &bp) != TML_OK) {
    return InvalidInput("{}: {} and {} do not broadcast to {}", node.Describe(),
                        ShapeToString(a_shape), ShapeToString(b_shape), ShapeToString(y_shape));
  }
  const std::string params =
      ctx.Param("tml_broadcast_params",
                BroadcastParamsInit(bp.a_strides, bp.b_strides, static_cast<int>(y_shape.size())));
  TML_ASSIGN_OR_RETURN(std::string a, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string b, ctx.Ptr(node.input(1)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  const char* op = node.op == OpKind::kAdd   ? "add"
                   : node.op == OpKind::kSub ? "sub"
                   : node.op == OpKind::kMul ? "mul"
                                             : "div";
  const std::string kernel = fmt::format("tml_{}_f32", op);
  ctx.UseKernel(kernel);
  ctx.Call(fmt::format("{}(NULL, {}, {}, {}, {}, {}, {}, {})", kernel, params, a_dims, a, b_dims,
                       b, y_dims, y));
  return Status::Ok();
}

}  // namespace tml::codegen
