// Transpose: output dim i is input dim perm[i]; perm defaults to the reversed
// dims and is written into the node.
#include <numeric>

#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareTranspose(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* data, RequiredInput(graph, node, 0, "data"));
  const size_t rank = data->shape.size();
  std::vector<int64_t> perm = node.GetInts("perm");
  if (!node.HasAttr("perm")) {
    perm.resize(rank);
    std::iota(perm.rbegin(), perm.rend(), 0);
  }
  std::vector<bool> used(rank, false);
  bool valid = perm.size() == rank;
  for (size_t i = 0; valid && i < rank; ++i) {
    valid = perm[i] >= 0 && perm[i] < static_cast<int64_t>(rank) && !used[perm[i]];
    if (valid) used[perm[i]] = true;
  }
  if (!valid) {
    return InvalidInput("{}: perm {} is not a permutation of the {} dims of input '{}' {}",
                        node.Describe(), ShapeToString(perm), rank, data->name,
                        ShapeToString(data->shape));
  }
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) out[i] = data->shape[perm[i]];
  node.attrs["perm"] = perm;
  SetOutput(graph, node, 0, data->dtype, std::move(out));
  return Status::Ok();
}

}  // namespace tml
