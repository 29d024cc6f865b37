// Slice. Opsets < 10 give starts/ends/axes as attributes, opsets >= 10 as
// (constant) inputs 1..4 with optional axes and steps. Prepare turns both into
// one prepared form: the data input only, and the attributes
//   "axes"   [0, 1, ..., rank-1]
//   "starts", "ends", "steps"   one entry per axis (unsliced axes: 0, dim, 1)
// clamped as the ONNX spec says: negative starts/ends count from the end, then
//   step > 0: start and end in [0, dim]       (iterate start, start+step, ... < end)
//   step < 0: start in [0, dim-1], end in [-1, dim-1]  (iterate ... > end)
// so -1 in "ends" means "through element 0" for a negative step (an empty dim
// gets start = end = 0 either way). Every output dim is
// max(0, ceil((end - start) / step)). The "steps" attribute (which the
// opset < 10 form does not have) marks a prepared node.
#include <algorithm>

#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {
namespace {

// start and end are clamped to [-1, dim] and |step| to [1, max(dim, 1)], so
// nothing here can overflow.
int64_t SliceLength(int64_t start, int64_t end, int64_t step) {
  if (step > 0) return end > start ? (end - start - 1) / step + 1 : 0;
  return start > end ? (start - end - 1) / -step + 1 : 0;
}

}  // namespace

Status PrepareSlice(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* data, RequiredInput(graph, node, 0, "data"));
  const Shape& shape = data->shape;
  const int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<int64_t> starts;
  std::vector<int64_t> ends;
  std::vector<int64_t> axes;
  std::vector<int64_t> steps;
  const bool prepared = node.inputs.size() == 1 && node.HasAttr("steps");
  if (prepared || OptionalInput(graph, node, 1) == nullptr) {
    starts = node.GetInts("starts");
    ends = node.GetInts("ends");
    axes = node.GetInts("axes");
    steps = node.GetInts("steps");
    if (!node.HasAttr("starts") || !node.HasAttr("ends")) {
      return InvalidInput("{}: 'starts' and 'ends' are required", node.Describe());
    }
  } else {
    TML_ASSIGN_OR_RETURN(starts, ConstantInts(graph, node, 1, "starts"));
    TML_ASSIGN_OR_RETURN(ends, ConstantInts(graph, node, 2, "ends"));
    if (OptionalInput(graph, node, 3) != nullptr) {
      TML_ASSIGN_OR_RETURN(axes, ConstantInts(graph, node, 3, "axes"));
    }
    if (OptionalInput(graph, node, 4) != nullptr) {
      TML_ASSIGN_OR_RETURN(steps, ConstantInts(graph, node, 4, "steps"));
    }
  }
  const size_t count = starts.size();
  if (axes.empty()) {
    for (size_t i = 0; i < count; ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (steps.empty()) steps.assign(count, 1);
  if (ends.size() != count || axes.size() != count || steps.size() != count) {
    return InvalidInput(
        "{}: starts, ends, axes and steps must have the same length, got {}, {}, {} and {}",
        node.Describe(), count, ends.size(), axes.size(), steps.size());
  }
  // Full-rank lists, unsliced axes taking everything.
  std::vector<int64_t> all_starts(rank, 0);
  std::vector<int64_t> all_ends(shape.begin(), shape.end());
  std::vector<int64_t> all_steps(rank, 1);
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < count; ++i) {
    int64_t axis = axes[i];
    TML_RETURN_IF_ERROR(NormalizeAxis(node, rank, &axis));
    if (seen[axis]) {
      return InvalidInput("{}: axis {} is sliced twice", node.Describe(), axis);
    }
    seen[axis] = true;
    const int64_t dim = shape[axis];
    const int64_t step = steps[i];
    if (step == 0) return InvalidInput("{}: steps must not be 0", node.Describe());
    int64_t start = starts[i];
    int64_t end = ends[i];
    // Indices count from the end when negative; a prepared node's -1 end for a
    // negative step is already final and must not be shifted again.
    if (start < 0) start += dim;
    if (end < 0 && !(prepared && step < 0 && end == -1)) end += dim;
    if (dim == 0) {
      start = end = 0;  // nothing to take, whatever the direction
    } else if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
    }
    all_starts[axis] = start;
    all_ends[axis] = end;
    // A step longer than the dim takes one element at most, as a step of the
    // dim itself does; clamping it keeps the eval's offsets (step * stride) in range.
    const int64_t longest = std::max<int64_t>(dim, 1);
    all_steps[axis] = std::clamp<int64_t>(step, -longest, longest);
  }
  Shape out(rank);
  std::vector<int64_t> all_axes(rank);
  for (int64_t d = 0; d < rank; ++d) {
    out[d] = SliceLength(all_starts[d], all_ends[d], all_steps[d]);
    all_axes[d] = d;
  }
  node.inputs.resize(1);
  node.attrs["starts"] = all_starts;
  node.attrs["ends"] = all_ends;
  node.attrs["axes"] = all_axes;
  node.attrs["steps"] = all_steps;
  SetOutput(graph, node, 0, data->dtype, std::move(out));
  return Status::Ok();
}

}  // namespace tml
