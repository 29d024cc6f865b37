// Shape: the input's dims as a 1-D int64 tensor, optionally only dims
// [start, end) (opset 15; negative values count from the end, both clamped to
// [0, rank]); Prepare stores the clamped "start" and "end". Only the input's
// static shape is read, so the importer always folds it.
#include <algorithm>

#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareShape(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* data, RequiredInput(graph, node, 0, "data"));
  const int64_t rank = static_cast<int64_t>(data->shape.size());
  int64_t start = node.GetInt("start", 0);
  int64_t end = node.GetInt("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  node.attrs["start"] = start;
  node.attrs["end"] = end;
  SetOutput(graph, node, 0, DType::kInt64, {std::max<int64_t>(end - start, 0)});
  return Status::Ok();
}

}  // namespace tml
