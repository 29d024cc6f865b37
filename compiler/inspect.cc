#include "compiler/inspect.h"

#include <limits>

#include <fmt/format.h>

namespace tml {
namespace {

int64_t RecurrentMacs(const Graph& graph, const Node& node, int64_t gates) {
  const Tensor& x = graph.tensor(node.input(0));
  const Tensor& w = graph.tensor(node.input(1));
  const bool batch_first = node.GetInt("layout", 0) == 1;
  const int64_t seq = batch_first ? x.shape[1] : x.shape[0];
  const int64_t batch = batch_first ? x.shape[0] : x.shape[1];
  const int64_t dirs = w.shape[0];
  const int64_t hidden = w.shape[1] / gates;
  const int64_t in = w.shape[2];
  // Saturating: the counts are figures for people, and a model at the limits
  // must not overflow them.
  int64_t per_step = SaturatingMul(gates * hidden, in + hidden);
  // Peephole terms are one multiply-accumulate per gate element (i, o, f).
  if (node.op == OpKind::kLstm && node.input(7) != kNoTensor &&
      !CheckedAdd(per_step, 3 * hidden, &per_step)) {
    per_step = std::numeric_limits<int64_t>::max();
  }
  return SaturatingMul(SaturatingMul(seq, dirs), SaturatingMul(batch, per_step));
}

int64_t NodeMacs(const Graph& graph, const Node& node) {
  switch (node.op) {
    case OpKind::kLstm:
      return RecurrentMacs(graph, node, 4);
    case OpKind::kGru:
      return RecurrentMacs(graph, node, 3);
    case OpKind::kRnn:
      return RecurrentMacs(graph, node, 1);
    case OpKind::kGemm: {
      const Tensor& a = graph.tensor(node.input(0));
      const int64_t k = node.GetInt("transA", 0) ? a.shape[0] : a.shape[1];
      return SaturatingMul(graph.tensor(node.output(0)).num_elements(), k);
    }
    case OpKind::kMatMul: {
      const Tensor& a = graph.tensor(node.input(0));
      return SaturatingMul(graph.tensor(node.output(0)).num_elements(), a.shape.back());
    }
    default:
      return 0;
  }
}

void AddCandidates(const Graph& graph, const Node& node, std::vector<MatrixCandidate>* out) {
  auto add = [&](size_t input, const char* role, int64_t rows, int64_t cols, int64_t count) {
    const Tensor& t = graph.tensor(node.input(input));
    if (!t.is_constant()) return;
    out->push_back({node.name, t.name, role, rows, cols, count});
  };
  switch (node.op) {
    case OpKind::kLstm:
    case OpKind::kGru:
    case OpKind::kRnn: {
      const Shape& w = graph.tensor(node.input(1)).shape;
      const Shape& r = graph.tensor(node.input(2)).shape;
      add(1, "W", w[1], w[2], w[0]);
      add(2, "R", r[1], r[2], r[0]);
      return;
    }
    case OpKind::kGemm: {
      const Shape& b = graph.tensor(node.input(1)).shape;
      // y = x·op(B): op(B) is in×out, so the linear map is out×in.
      const bool trans_b = node.GetInt("transB", 0) != 0;
      add(1, "weight", trans_b ? b[0] : b[1], trans_b ? b[1] : b[0], 1);
      return;
    }
    case OpKind::kMatMul: {
      const Shape& b = graph.tensor(node.input(1)).shape;
      if (b.size() == 2) add(1, "weight", b[1], b[0], 1);
      return;
    }
    default:
      return;
  }
}

std::string ShapesText(const std::vector<Shape>& shapes) {
  std::vector<std::string> parts;
  for (const Shape& s : shapes) parts.push_back(ShapeToString(s));
  return fmt::format("{}", fmt::join(parts, " "));
}

// 1234567 -> "1,234,567": parameter and MAC counts are read by people.
std::string Grouped(int64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

ModelSummary SummarizeGraph(const Graph& graph) {
  ModelSummary s;
  s.name = graph.name;
  s.producer = graph.producer;
  s.opset = graph.opset;
  for (TensorId id : graph.inputs()) s.inputs.emplace_back(graph.tensor(id).name, graph.tensor(id).shape);
  for (TensorId id : graph.outputs()) s.outputs.emplace_back(graph.tensor(id).name, graph.tensor(id).shape);
  for (const Node& node : graph.nodes()) {
    NodeSummary n;
    n.name = node.name;
    n.op = node.onnx_op_type.empty() ? OpKindName(node.op) : node.onnx_op_type;
    for (TensorId id : node.inputs) {
      if (id == kNoTensor) continue;
      const Tensor& t = graph.tensor(id);
      if (t.is_constant()) {
        if (t.dtype == DType::kFloat32) n.parameters += t.num_elements();
      } else {
        n.input_shapes.push_back(t.shape);
      }
    }
    for (TensorId id : node.outputs) {
      if (id != kNoTensor) n.output_shapes.push_back(graph.tensor(id).shape);
    }
    n.macs = NodeMacs(graph, node);
    AddCandidates(graph, node, &s.candidates);
    s.parameters += n.parameters;
    if (!CheckedAdd(s.macs, n.macs, &s.macs)) s.macs = std::numeric_limits<int64_t>::max();
    s.nodes.push_back(std::move(n));
  }
  s.float32_bytes = 4 * s.parameters;
  return s;
}

nlohmann::json SummaryToJson(const ModelSummary& s) {
  nlohmann::json j;
  j["name"] = s.name;
  j["producer"] = s.producer;
  j["opset"] = s.opset;
  for (const auto& [name, shape] : s.inputs) j["inputs"].push_back({{"name", name}, {"shape", shape}});
  for (const auto& [name, shape] : s.outputs) j["outputs"].push_back({{"name", name}, {"shape", shape}});
  j["nodes"] = nlohmann::json::array();
  for (const NodeSummary& n : s.nodes) {
    j["nodes"].push_back({{"name", n.name},
                          {"op", n.op},
                          {"input_shapes", n.input_shapes},
                          {"output_shapes", n.output_shapes},
                          {"parameters", n.parameters},
                          {"macs", n.macs}});
  }
  j["candidates"] = nlohmann::json::array();
  for (const MatrixCandidate& c : s.candidates) {
    j["candidates"].push_back({{"node", c.node},
                               {"tensor", c.tensor},
                               {"role", c.role},
                               {"rows", c.rows},
                               {"cols", c.cols},
                               {"count", c.count}});
  }
  j["totals"] = {{"parameters", s.parameters}, {"float32_bytes", s.float32_bytes}, {"macs", s.macs}};
  return j;
}

std::string FormatSummary(const ModelSummary& s) {
  std::string out = fmt::format("model '{}' (producer: {}, opset {})\n", s.name,
                                s.producer.empty() ? "unknown" : s.producer, s.opset);
  for (const auto& [name, shape] : s.inputs) out += fmt::format("  input  {} {}\n", name, ShapeToString(shape));
  for (const auto& [name, shape] : s.outputs) out += fmt::format("  output {} {}\n", name, ShapeToString(shape));
  out += fmt::format("\n{:<24} {:<10} {:<22} {:<18} {:>12} {:>14}\n", "node", "op", "inputs",
                     "outputs", "parameters", "MACs");
  for (const NodeSummary& n : s.nodes) {
    out += fmt::format("{:<24} {:<10} {:<22} {:<18} {:>12} {:>14}\n", n.name, n.op,
                       ShapesText(n.input_shapes), ShapesText(n.output_shapes),
                       Grouped(n.parameters), Grouped(n.macs));
  }
  out += fmt::format("\ntotal: {} parameters ({} bytes as float32), {} MACs per inference\n",
                     Grouped(s.parameters), Grouped(s.float32_bytes), Grouped(s.macs));
  if (!s.candidates.empty()) {
    out += "\ncompression candidates (out x in):\n";
    for (const MatrixCandidate& c : s.candidates) {
      out += fmt::format("  {:<24} {:<7} {:>5} x {:<5}{}  ({})\n", c.node, c.role, c.rows, c.cols,
                         c.count > 1 ? fmt::format(" x{}", c.count) : "", c.tensor);
    }
  }
  return out;
}

}  // namespace tml
