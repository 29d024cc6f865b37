#include "compiler/ops/broadcast.h"

#include <algorithm>

#include "compiler/ops/op_registry.h"

namespace tml {

bool BroadcastShapes(const Shape& a, const Shape& b, Shape* out) {
  const size_t rank = std::max(a.size(), b.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // i counts from the last dimension; missing leading dims act as 1.
    const int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1) return false;
    result[rank - 1 - i] = da == 1 ? db : da;
  }
  *out = std::move(result);
  return true;
}

bool BroadcastsTo(const Shape& from, const Shape& to) {
  Shape result;
  return BroadcastShapes(from, to, &result) && result == to;
}

StatusOr<const Tensor*> RequiredInput(const Graph& graph, const Node& node, size_t i,
                                      const char* what) {
  const Tensor* t = OptionalInput(graph, node, i);
  if (t == nullptr) return InvalidInput("{}: input '{}' is required", node.Describe(), what);
  return t;
}

Status RequireFloat(const Node& node, const Tensor& t, const char* what) {
  if (t.dtype == DType::kFloat32) return Status::Ok();
  return InvalidInput("{}: input '{}' ('{}') is {}; this op takes float tensors only",
                      node.Describe(), what, t.name, DTypeName(t.dtype));
}

}  // namespace tml
