// Reshape, Flatten, Squeeze, Unsqueeze: all four only reinterpret the shape,
// so Prepare computes the static output shape, stores it as the "shape"
// attribute, drops every input but the data and makes the node a kReshape
// (onnx_op_type still says which op it came from, for messages). That node is
// the prepared form: one input plus a "shape" attribute holding final dims
// (no 0 or -1 placeholders); running Prepare on it again re-checks it.
//
// Opset forms read here (the op is recognised by onnx_op_type):
//   Reshape   shape input: 0 copies the input dim (unless allowzero=1), one -1 is inferred
//   Flatten   axis attribute in [-r, r], default 1 -> [prod(:axis), prod(axis:)]
//   Squeeze   axes attribute (< 13) or optional constant input (>= 13); none = all 1-dims
//   Unsqueeze axes attribute (< 13) or constant input (>= 13), relative to the output rank
#include <algorithm>
#include <set>

#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {
namespace {

// Axes from the constant input at position 1 when present, else the "axes"
// attribute; `present` (when given) says whether either was there.
StatusOr<std::vector<int64_t>> ReadAxes(const Graph& graph, const Node& node,
                                        bool* present = nullptr) {
  const bool has_input = OptionalInput(graph, node, 1) != nullptr;
  if (present != nullptr) *present = has_input || node.HasAttr("axes");
  if (has_input) return ConstantInts(graph, node, 1, "axes");
  return node.GetInts("axes");
}

// Normalises `axes` against `rank`, rejecting out-of-range and repeated axes.
StatusOr<std::vector<int64_t>> NormalizeAxes(const Node& node, std::vector<int64_t> axes,
                                             int64_t rank) {
  std::set<int64_t> seen;
  for (int64_t& axis : axes) {
    TML_RETURN_IF_ERROR(NormalizeAxis(node, rank, &axis));
    if (!seen.insert(axis).second) {
      return InvalidInput("{}: axis {} is listed twice in 'axes'", node.Describe(), axis);
    }
  }
  return axes;
}

StatusOr<Shape> ReshapeTarget(const Graph& graph, const Node& node, const Shape& in) {
  TML_ASSIGN_OR_RETURN(std::vector<int64_t> dims, ConstantInts(graph, node, 1, "shape"));
  const int64_t allow_zero_attr = node.GetInt("allowzero", 0);
  if (allow_zero_attr != 0 && allow_zero_attr != 1) {
    return InvalidInput("{}: attribute 'allowzero' must be 0 or 1, got {}", node.Describe(),
                        allow_zero_attr);
  }
  const bool allow_zero = allow_zero_attr != 0;
  Shape out = dims;
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (infer >= 0) {
        return InvalidInput("{}: shape {} has more than one -1", node.Describe(),
                            ShapeToString(dims));
      }
      infer = static_cast<int>(i);
      continue;
    }
    if (dims[i] < -1) {
      return InvalidInput("{}: shape {} has a negative dimension", node.Describe(),
                          ShapeToString(dims));
    }
    if (dims[i] == 0 && !allow_zero) {
      if (i >= in.size()) {
        return InvalidInput("{}: shape {} copies dimension {} (0) but the input {} has rank {}",
                            node.Describe(), ShapeToString(dims), i, ShapeToString(in), in.size());
      }
      out[i] = in[i];
    }
    if (!CheckedMul(known, out[i], &known)) {
      return InvalidInput("{}: shape {} has more elements than can be counted", node.Describe(),
                          ShapeToString(dims));
    }
  }
  const int64_t total = NumElements(in);
  if (infer >= 0) {
    if (known == 0 || total % known != 0) {
      return InvalidInput("{}: cannot reshape {} ({} elements) to {}: -1 cannot be inferred",
                          node.Describe(), ShapeToString(in), total, ShapeToString(dims));
    }
    out[infer] = total / known;
  }
  return out;
}

StatusOr<Shape> SqueezeTarget(const Graph& graph, const Node& node, const Shape& in) {
  TML_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ReadAxes(graph, node));
  const int64_t rank = static_cast<int64_t>(in.size());
  TML_ASSIGN_OR_RETURN(axes, NormalizeAxes(node, std::move(axes), rank));
  Shape out;
  for (int64_t i = 0; i < rank; ++i) {
    const bool listed = std::find(axes.begin(), axes.end(), i) != axes.end();
    if (listed && in[i] != 1) {
      return InvalidInput("{}: cannot squeeze axis {} of size {} (input shape {})", node.Describe(),
                          i, in[i], ShapeToString(in));
    }
    // An absent or empty axes list squeezes every 1-dim (as ONNX Runtime does).
    if (listed || (axes.empty() && in[i] == 1)) continue;
    out.push_back(in[i]);
  }
  return out;
}

StatusOr<Shape> UnsqueezeTarget(const Graph& graph, const Node& node, const Shape& in) {
  bool present = false;
  TML_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ReadAxes(graph, node, &present));
  if (!present) return InvalidInput("{}: 'axes' is required", node.Describe());
  const int64_t rank = static_cast<int64_t>(in.size() + axes.size());
  TML_ASSIGN_OR_RETURN(axes, NormalizeAxes(node, std::move(axes), rank));
  Shape out;
  size_t next = 0;
  for (int64_t i = 0; i < rank; ++i) {
    const bool listed = std::find(axes.begin(), axes.end(), i) != axes.end();
    out.push_back(listed ? 1 : in[next++]);
  }
  return out;
}

StatusOr<Shape> FlattenTarget(const Node& node, const Shape& in) {
  const int64_t rank = static_cast<int64_t>(in.size());
  int64_t axis = node.GetInt("axis", 1);
  // Flatten allows axis == rank (everything in the outer dim).
  if (axis < -rank || axis > rank) {
    return InvalidInput("{}: axis {} is out of range for a rank-{} tensor", node.Describe(), axis,
                        rank);
  }
  if (axis < 0) axis += rank;
  const Shape outer(in.begin(), in.begin() + axis);
  const Shape inner(in.begin() + axis, in.end());
  return Shape{NumElements(outer), NumElements(inner)};
}

}  // namespace

Status PrepareReshape(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* data, RequiredInput(graph, node, 0, "data"));
  const Shape& in = data->shape;
  Shape out;
  const bool prepared =
      node.op == OpKind::kReshape && node.inputs.size() == 1 && node.HasAttr("shape");
  const std::string& type = node.onnx_op_type;
  if (prepared) {
    out = node.GetInts("shape");
  } else if (type == "Flatten") {
    TML_ASSIGN_OR_RETURN(out, FlattenTarget(node, in));
  } else if (type == "Squeeze") {
    TML_ASSIGN_OR_RETURN(out, SqueezeTarget(graph, node, in));
  } else if (type == "Unsqueeze") {
    TML_ASSIGN_OR_RETURN(out, UnsqueezeTarget(graph, node, in));
  } else {
    TML_ASSIGN_OR_RETURN(out, ReshapeTarget(graph, node, in));
  }
  int64_t out_count = 0;
  if (!CheckedNumElements(out, &out_count)) {
    return InvalidInput("{}: target shape {} is negative or has more elements than can be counted",
                        node.Describe(), ShapeToString(out));
  }
  if (out_count != NumElements(in)) {
    return InvalidInput("{}: cannot reshape {} ({} elements) to {} ({} elements)", node.Describe(),
                        ShapeToString(in), NumElements(in), ShapeToString(out), out_count);
  }
  node.op = OpKind::kReshape;
  node.inputs.resize(1);
  node.attrs.clear();
  node.attrs["shape"] = out;
  SetOutput(graph, node, 0, data->dtype, std::move(out));
  return Status::Ok();
}

}  // namespace tml
