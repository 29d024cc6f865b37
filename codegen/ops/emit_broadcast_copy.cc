// Tile and Expand as a broadcast copy: y = x · 1.0f through tml_mul_f32, whose
// broadcast strides can describe any repetition (stride 0 along a repeated
// axis). Multiplying by one is exact for every float, NaN and -0 included.
//
// Expand: x right-aligned to y; stride 0 where x has extent 1.
// Tile:   y viewed as [r0, d0, r1, d1, ...] (repeat axis r_k with stride 0,
//         then the data axis d_k with x's stride), size-1 axes dropped and
//         contiguous neighbours merged so the view fits TML_MAX_RANK.
// A dedicated runtime copy kernel would save the multiply; the runtime does
// not have one yet.
#include "codegen/ops/op_emitters.h"
#include "tml_types.h"

namespace tml::codegen {

std::string BroadcastParamsInit(const int32_t* a_strides, const int32_t* b_strides, int rank);

namespace {

struct Axis {
  int64_t extent;
  int64_t stride;
};

// Drops extent-1 axes and merges an axis into its inner neighbour when the
// strides line up (outer stride == inner stride · inner extent).
std::vector<Axis> Simplify(const std::vector<Axis>& axes) {
  std::vector<Axis> out;
  for (const Axis& a : axes) {
    if (a.extent != 1) out.push_back(a);
  }
  for (size_t k = out.size(); k-- > 1;) {
    Axis& outer = out[k - 1];
    const Axis& inner = out[k];
    if (outer.stride == inner.stride * inner.extent) {
      outer = Axis{outer.extent * inner.extent, inner.stride};
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(k));
    }
  }
  if (out.empty()) out.push_back(Axis{1, 0});
  return out;
}

}  // namespace

Status EmitBroadcastCopy(EmitContext& ctx, const Node& node) {
  const Shape& x = ctx.tensor(node.input(0)).shape;
  const Shape& y = ctx.tensor(node.output(0)).shape;
  std::vector<int64_t> x_strides(x.size(), 1);
  for (size_t k = x.size(); k-- > 1;) x_strides[k - 1] = x_strides[k] * x[k];
  std::vector<Axis> view;
  if (node.op == OpKind::kTile) {
    const std::vector<int64_t> repeats = node.GetInts("repeats");
    for (size_t k = 0; k < x.size(); ++k) {
      view.push_back(Axis{k < repeats.size() ? repeats[k] : 1, 0});
      view.push_back(Axis{x[k], x_strides[k]});
    }
  } else {
    const size_t shift = y.size() - x.size();
    for (size_t k = 0; k < y.size(); ++k) {
      const bool present = k >= shift;
      const int64_t extent = present ? x[k - shift] : 1;
      view.push_back(Axis{y[k], present && extent != 1 ? x_strides[k - shift] : 0});
    }
  }
  view = Simplify(view);
  if (view.size() > TML_MAX_RANK) {
    return InvalidInput("{}: the repetition needs a rank-{} view; the runtime handles {}",
                        node.Describe(), view.size(), TML_MAX_RANK);
  }
  Shape view_shape;
  int32_t a_strides[TML_MAX_RANK] = {0}, b_strides[TML_MAX_RANK] = {0};
  for (size_t k = 0; k < view.size(); ++k) {
    view_shape.push_back(view[k].extent);
    a_strides[k] = static_cast<int32_t>(view[k].stride);
  }
  const std::string params = ctx.Param(
      "tml_broadcast_params",
      BroadcastParamsInit(a_strides, b_strides, static_cast<int>(view.size())));
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string x_ptr, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string one_dims, ctx.DimsOf(Shape{}));
  const std::string one = ctx.FloatArray({1.0f});
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.DimsOf(view_shape));
  TML_ASSIGN_OR_RETURN(std::string y_ptr, ctx.Ptr(node.output(0)));
  ctx.UseKernel("tml_mul_f32");
  ctx.Call(fmt::format("tml_mul_f32(NULL, {}, {}, {}, {}, {}, {}, {})", params, x_dims, x_ptr,
                       one_dims, one, y_dims, y_ptr));
  return Status::Ok();
}

}  // namespace tml::codegen
