#include "codegen/int8_links.h"

#include <algorithm>
#include <vector>

#include "codegen/ops/op_emitters.h"
#include "compiler/quant/int8_plan.h"

namespace tml::codegen {
namespace {

// Node indices reading tensor `id`.
std::vector<int> Consumers(const Graph& graph, TensorId id) {
  std::vector<int> out;
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const Node& node = graph.nodes()[i];
    if (std::find(node.inputs.begin(), node.inputs.end(), id) != node.inputs.end()) {
      out.push_back(static_cast<int>(i));
    }
  }
  return out;
}

// The index of the node computing `id`, or -1.
int Producer(const Graph& graph, TensorId id) {
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const Node& node = graph.nodes()[i];
    if (std::find(node.outputs.begin(), node.outputs.end(), id) != node.outputs.end()) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

bool IsGraphOutput(const Graph& graph, TensorId id) {
  return std::find(graph.outputs().begin(), graph.outputs().end(), id) != graph.outputs().end();
}

// Every consumer of `id` is an int8 fully connected layer reading it as its
// data input (0), and all of them share one input format.
bool ReadOnlyByInt8Fc(const Graph& graph, TensorId id, std::pair<double, int32_t>* int8_format) {
  const std::vector<int> readers = Consumers(graph, id);
  if (readers.empty()) return false;
  std::vector<float> format;
  for (int r : readers) {
    const Node& node = graph.nodes()[static_cast<size_t>(r)];
    if (!UsesFullyConnectedS8(node) || node.input(0) != id) return false;
    for (size_t k = 1; k < node.inputs.size(); ++k) {
      if (node.inputs[k] == id) return false;
    }
    const std::vector<float> plan = node.GetFloats(kInt8Attr);
    if (plan.size() != 4) return false;
    const std::vector<float> in(plan.begin(), plan.begin() + 2);
    if (!format.empty() && format != in) return false;
    format = in;
  }
  *int8_format = {format[0], static_cast<int32_t>(format[1])};
  return true;
}

// Element-wise activations an int8 table can run (Relu folds instead).
bool IsTableable(OpKind op) {
  switch (op) {
    case OpKind::kRelu:
    case OpKind::kLeakyRelu:
    case OpKind::kSigmoid:
    case OpKind::kHardSigmoid:
    case OpKind::kTanh:
      return true;
    default:
      return false;
  }
}

bool IsInt8Fc(const Graph& graph, int index) {
  return index >= 0 && UsesFullyConnectedS8(graph.nodes()[static_cast<size_t>(index)]);
}

}  // namespace

Int8Links FindInt8Links(const Graph& graph) {
  Int8Links links;
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const Node& node = graph.nodes()[i];
    const TensorId out = node.output(0);
    if (node.op == OpKind::kSoftmax) {
      const TensorId logits = node.input(0);
      const int fc = Producer(graph, logits);
      if (IsInt8Fc(graph, fc) && !IsGraphOutput(graph, logits) &&
          Consumers(graph, logits).size() == 1) {
        const std::vector<float> plan = graph.nodes()[static_cast<size_t>(fc)].GetFloats(kInt8Attr);
        links.int8_tensors.insert(logits);
        links.format[logits] = {plan[2], static_cast<int32_t>(plan[3])};
        links.int8_softmax.insert(out);
      }
      continue;
    }
    std::pair<double, int32_t> format;
    if (out == kNoTensor || IsGraphOutput(graph, out) || !ReadOnlyByInt8Fc(graph, out, &format)) {
      continue;
    }
    if (UsesFullyConnectedS8(node)) {
      links.int8_tensors.insert(out);
      links.format[out] = format;
      continue;
    }
    if (!IsTableable(node.op)) continue;
    // FC → activation → FC, nothing else reading the FC output.
    const TensorId pre = node.input(0);
    const int fc = Producer(graph, pre);
    if (!IsInt8Fc(graph, fc) || IsGraphOutput(graph, pre) || Consumers(graph, pre).size() != 1) {
      continue;
    }
    links.int8_tensors.insert(out);
    links.format[out] = format;
    if (node.op == OpKind::kRelu) {  // folds into the FC's requantization
      links.folded_relus.insert(static_cast<int>(i));
      links.write_instead[pre] = out;
      continue;
    }
    const std::vector<float> plan = graph.nodes()[static_cast<size_t>(fc)].GetFloats(kInt8Attr);
    links.int8_tensors.insert(pre);
    links.format[pre] = {plan[2], static_cast<int32_t>(plan[3])};  // the FC's output range
    links.table_activations.insert(out);
  }
  return links;
}

}  // namespace tml::codegen
