// Tile and Expand as a broadcast copy: y = x · 1.0f through tml_mul_f32, whose
// broadcast strides can describe any repetition (stride 0 along a repeated
// axis). Multiplying by one is exact for every float, NaN and -0 included.
//
// Expand: x right-aligned to y; stride 0 where x has extent 1.
// Tile:   y viewed as [r0, d0, r1, d1, ...] (repeat axis r_k with stride 0,
//         then the data axis d_k with x's stride), size-1 axes dropped and
//         contiguous neighbours merged so the view fits TML_MAX_RANK.
// A view of more than TML_MAX_RANK axes (a rank-4 Tile repeating every axis)
// is split: the innermost TML_MAX_RANK axes go to the kernel, the outer ones
// become a loop over a static table of input offsets (one call per block).
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

// The view split into an outer loop (offset table) and an inner kernel call.
Status EmitBlocked(EmitContext& ctx, const Node& node, const std::vector<Axis>& view) {
  const size_t outer_rank = view.size() - TML_MAX_RANK;
  const std::vector<Axis> inner(view.begin() + static_cast<std::ptrdiff_t>(outer_rank), view.end());
  int64_t blocks = 1, inner_count = 1, span = 1;
  for (size_t k = 0; k < outer_rank; ++k) blocks *= view[k].extent;
  Shape inner_shape;
  int32_t a_strides[TML_MAX_RANK] = {0}, b_strides[TML_MAX_RANK] = {0};
  bool broadcast = false;
  for (size_t k = 0; k < inner.size(); ++k) {
    inner_shape.push_back(inner[k].extent);
    a_strides[k] = static_cast<int32_t>(inner[k].stride);
    inner_count *= inner[k].extent;
    span += (inner[k].extent - 1) * inner[k].stride;
    broadcast |= inner[k].stride == 0;
  }
  // The kernel copies flat when the input count equals the output count;
  // with repeated axes in the block that would be wrong, so the declared
  // extent is kept different (it is only used for the bounds check).
  if (broadcast && span == inner_count) ++span;
  std::vector<int64_t> offsets;
  std::vector<int64_t> idx(outer_rank, 0);
  for (int64_t b = 0; b < blocks; ++b) {
    int64_t off = 0;
    for (size_t k = 0; k < outer_rank; ++k) off += idx[k] * view[k].stride;
    offsets.push_back(off);
    for (size_t k = outer_rank; k-- > 0;) {
      if (++idx[k] < view[k].extent) break;
      idx[k] = 0;
    }
  }
  const std::string params = ctx.Param(
      "tml_broadcast_params", BroadcastParamsInit(a_strides, b_strides, TML_MAX_RANK));
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.DimsOf(Shape{span}));
  TML_ASSIGN_OR_RETURN(std::string x_ptr, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string one_dims, ctx.DimsOf(Shape{}));
  const std::string one = ctx.FloatArray({1.0f});
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.DimsOf(inner_shape));
  TML_ASSIGN_OR_RETURN(std::string y_ptr, ctx.Ptr(node.output(0)));
  const std::string table = ctx.IndexArray(offsets);
  ctx.UseKernel("tml_mul_f32");
  CWriter& w = ctx.body();
  w.Open("");
  w.Line("int32_t k;");
  w.Open(fmt::format("for (k = 0; k < {}; ++k)", blocks));
  ctx.Call(fmt::format("tml_mul_f32(NULL, {}, {}, {} + {}[k], {}, {}, {}, {} + k * {})", params,
                       x_dims, x_ptr, table, one_dims, one, y_dims, y_ptr, inner_count));
  w.Close();
  w.Close();
  return Status::Ok();
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
  if (view.size() > TML_MAX_RANK) return EmitBlocked(ctx, node, view);
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
