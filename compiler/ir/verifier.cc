#include "compiler/ir/verifier.h"

#include <vector>

namespace tml {

Status VerifyGraph(const Graph& graph) {
  std::vector<std::string> problems;
  const auto num_tensors = static_cast<TensorId>(graph.tensors().size());
  std::vector<bool> available(graph.tensors().size(), false);
  std::vector<bool> produced(graph.tensors().size(), false);
  // Tensors a node, a graph input or output refers to. The others are left
  // over from import-time folding (e.g. the empty shape input of a Reshape to
  // a scalar) and may be empty; live ones may not.
  std::vector<bool> live(graph.tensors().size(), false);
  auto mark = [&](TensorId id) {
    if (id >= 0 && id < num_tensors) live[id] = true;
  };
  for (TensorId id : graph.inputs()) mark(id);
  for (TensorId id : graph.outputs()) mark(id);
  for (const Node& node : graph.nodes()) {
    for (TensorId id : node.inputs) mark(id);
    for (TensorId id : node.outputs) mark(id);
  }
  for (TensorId id = 0; id < num_tensors; ++id) {
    const Tensor& t = graph.tensor(id);
    for (int64_t d : t.shape) {
      if (d < 0 || (d == 0 && live[id])) {
        problems.push_back(fmt::format("tensor '{}' has a non-static shape {}", t.name, ShapeToString(t.shape)));
        break;
      }
    }
    if (t.is_constant()) {
      available[id] = true;
      size_t n = t.dtype == DType::kFloat32 ? t.f32.size() : t.i64.size();
      if (static_cast<int64_t>(n) != t.num_elements()) {
        problems.push_back(fmt::format("constant '{}' holds {} values for shape {}", t.name, n,
                                       ShapeToString(t.shape)));
      }
    }
  }
  for (TensorId id : graph.inputs()) {
    if (id < 0 || id >= num_tensors) {
      problems.push_back(fmt::format("graph input id {} is out of range", id));
      continue;
    }
    available[id] = true;
  }
  for (const Node& node : graph.nodes()) {
    for (TensorId id : node.inputs) {
      if (id == kNoTensor) continue;
      if (id < 0 || id >= num_tensors) {
        problems.push_back(fmt::format("{}: input id {} is out of range", node.Describe(), id));
      } else if (!available[id]) {
        problems.push_back(fmt::format("{}: input '{}' is not computed before this node",
                                       node.Describe(), graph.tensor(id).name));
      }
    }
    for (TensorId id : node.outputs) {
      if (id == kNoTensor) continue;
      if (id < 0 || id >= num_tensors) {
        problems.push_back(fmt::format("{}: output id {} is out of range", node.Describe(), id));
        continue;
      }
      if (produced[id] || graph.tensor(id).is_constant()) {
        problems.push_back(fmt::format("{}: output '{}' already has a value", node.Describe(),
                                       graph.tensor(id).name));
      }
      produced[id] = true;
      available[id] = true;
    }
  }
  for (TensorId id : graph.outputs()) {
    if (id < 0 || id >= num_tensors || !produced[id]) {
      problems.push_back(fmt::format("graph output id {} is not produced by any node", id));
    }
  }
  if (problems.empty()) return Status::Ok();
  return Internal("invalid graph: {}", fmt::join(problems, "; "));
}

}  // namespace tml
