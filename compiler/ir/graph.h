// Graph: the whole model in the IR — tensors, nodes in execution order, and
// which tensors are the model's inputs and outputs.
//
// Value semantics: a Graph is copyable (passes that need the original, like
// distillation, keep a copy). Nodes refer to tensors by TensorId, an index into
// tensors(); ids stay valid while tensors are only appended. Node order is the
// schedule and must stay topological (the verifier checks it).
#ifndef TML_COMPILER_IR_GRAPH_H_
#define TML_COMPILER_IR_GRAPH_H_

#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ir/node.h"
#include "compiler/ir/tensor.h"

namespace tml {

class Graph {
 public:
  // Adds a tensor; its name must be unique (an empty name gets "t<id>").
  TensorId AddTensor(Tensor tensor);
  // Appends a node at the end of the schedule.
  void AddNode(Node node);

  Tensor& tensor(TensorId id) { return tensors_.at(static_cast<size_t>(id)); }
  const Tensor& tensor(TensorId id) const { return tensors_.at(static_cast<size_t>(id)); }
  std::vector<Tensor>& tensors() { return tensors_; }
  const std::vector<Tensor>& tensors() const { return tensors_; }
  std::vector<Node>& nodes() { return nodes_; }
  const std::vector<Node>& nodes() const { return nodes_; }

  std::vector<TensorId>& inputs() { return inputs_; }
  const std::vector<TensorId>& inputs() const { return inputs_; }
  std::vector<TensorId>& outputs() { return outputs_; }
  const std::vector<TensorId>& outputs() const { return outputs_; }

  // kNoTensor when no tensor has that name.
  TensorId FindTensor(const std::string& name) const;

  // Model metadata, for messages and provenance.
  std::string name;
  std::string producer;  // e.g. "pytorch 1.13.1"
  int opset = 0;         // default-domain opset the model was exported with

 private:
  std::vector<Tensor> tensors_;
  std::vector<Node> nodes_;
  std::vector<TensorId> inputs_;
  std::vector<TensorId> outputs_;
  std::unordered_map<std::string, TensorId> by_name_;
};

}  // namespace tml

#endif  // TML_COMPILER_IR_GRAPH_H_
