#include "compiler/ir/printer.h"

#include <vector>

#include <fmt/format.h>

namespace tml {
namespace {

std::string TensorRef(const Graph& graph, TensorId id) {
  if (id == kNoTensor) return "_";
  const Tensor& t = graph.tensor(id);
  std::string dims = fmt::format("{}", fmt::join(t.shape, ","));
  const char* dtype = t.dtype == DType::kFloat32 ? "" : ":i64";
  return fmt::format("{}{}[{}]{}", t.is_constant() ? "@" : "%", t.name, dims, dtype);
}

std::string AttributeText(const Attribute& attr) {
  struct Visitor {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(float v) const { return fmt::format("{}", v); }
    std::string operator()(const std::string& v) const { return fmt::format("\"{}\"", v); }
    std::string operator()(const std::vector<int64_t>& v) const {
      return fmt::format("[{}]", fmt::join(v, ","));
    }
    std::string operator()(const std::vector<float>& v) const {
      return fmt::format("[{}]", fmt::join(v, ","));
    }
    std::string operator()(const std::vector<std::string>& v) const {
      return fmt::format("[\"{}\"]", fmt::join(v, "\",\""));
    }
  };
  return std::visit(Visitor{}, attr);
}

}  // namespace

std::string PrintGraph(const Graph& graph) {
  std::string out = fmt::format("graph '{}' opset {}\n", graph.name, graph.opset);
  std::vector<std::string> refs;
  for (TensorId id : graph.inputs()) refs.push_back(TensorRef(graph, id));
  out += fmt::format("  inputs: {}\n", fmt::join(refs, ", "));
  for (const Node& node : graph.nodes()) {
    std::vector<std::string> outputs, inputs, attrs;
    for (TensorId id : node.outputs) outputs.push_back(TensorRef(graph, id));
    for (TensorId id : node.inputs) inputs.push_back(TensorRef(graph, id));
    for (const auto& [key, value] : node.attrs) {  // std::map: sorted
      attrs.push_back(fmt::format("{}={}", key, AttributeText(value)));
    }
    out += fmt::format("  {} = {} '{}' ({})", fmt::join(outputs, " "), OpKindName(node.op),
                       node.name, fmt::join(inputs, ", "));
    if (!attrs.empty()) out += fmt::format(" {{{}}}", fmt::join(attrs, ", "));
    out += "\n";
  }
  refs.clear();
  for (TensorId id : graph.outputs()) refs.push_back(TensorRef(graph, id));
  out += fmt::format("  outputs: {}\n", fmt::join(refs, ", "));
  return out;
}

}  // namespace tml
