// Node: one operation of the graph.
//
// A node refers to tensors by id (Graph owns them). Optional ONNX inputs that
// are absent are kNoTensor, so positions always match the ONNX operator spec.
// Attributes are typed values keyed by their ONNX name; the importer fills in
// defaults and normalises opset differences (e.g. Squeeze axes given as an
// input become the "axes" attribute), so later stages read one form only.
#ifndef TML_COMPILER_IR_NODE_H_
#define TML_COMPILER_IR_NODE_H_

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "compiler/ir/tensor.h"
#include "compiler/ir/weight_operator.h"

namespace tml {

enum class OpKind {
#define TML_OP(kind, name, family) kind,
#include "compiler/ir/op_kinds.def"
#undef TML_OP
};

// "LSTM", "Gemm", ... for an op kind.
const char* OpKindName(OpKind kind);
// Looks up an op by its ONNX op_type; false if the IR does not know it.
bool OpKindFromName(const std::string& name, OpKind* kind);

using Attribute = std::variant<int64_t, float, std::string, std::vector<int64_t>,
                               std::vector<float>, std::vector<std::string>>;

struct Node {
  OpKind op = OpKind::kRelu;
  std::string name;          // ONNX node name (or a generated one when empty)
  std::string onnx_op_type;  // as written in the model, for messages
  int opset = 0;             // opset of the default domain the node came from
  std::vector<TensorId> inputs;
  std::vector<TensorId> outputs;
  std::map<std::string, Attribute> attrs;
  // Compressed representations of weight inputs, set by passes (see
  // weight_operator.h). Empty: every weight is its dense input tensor.
  std::vector<WeightOperatorSet> weight_ops;

  // The operator set replacing input `i`, or nullptr.
  const WeightOperatorSet* WeightOps(size_t i) const {
    for (const WeightOperatorSet& set : weight_ops) {
      if (set.input == i) return &set;
    }
    return nullptr;
  }

  bool HasAttr(const std::string& key) const { return attrs.count(key) != 0; }
  int64_t GetInt(const std::string& key, int64_t fallback) const;
  float GetFloat(const std::string& key, float fallback) const;
  std::string GetString(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> GetInts(const std::string& key) const;  // empty when absent
  std::vector<float> GetFloats(const std::string& key) const;  // empty when absent

  TensorId input(size_t i) const { return i < inputs.size() ? inputs[i] : kNoTensor; }
  TensorId output(size_t i) const { return i < outputs.size() ? outputs[i] : kNoTensor; }
  // "node 'lstm_1' (LSTM, opset 14)": the prefix of every message about a node.
  std::string Describe() const;
};

}  // namespace tml

#endif  // TML_COMPILER_IR_NODE_H_
