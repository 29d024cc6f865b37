// The two functions every op family implements, and their dispatch by OpKind.
//
//   Prepare<Family>(graph, node): validates the node's attributes and inputs,
//     fills in defaults, normalises opset differences into one form (so later
//     stages never look at the opset), and sets the shape and dtype of every
//     output tensor. Runs at import and again whenever a pass rebuilds a node.
//     Errors name the node: "node 'fc' (Gemm, opset 13): ...".
//   Eval<Family>(node, args): the float reference implementation (Eigen where
//     it pays), on tensors whose shapes Prepare computed.
//
// Families are listed in compiler/ir/op_kinds.def; this header declares their
// functions from that list, so adding an op needs no edit here.
#ifndef TML_COMPILER_OPS_OP_REGISTRY_H_
#define TML_COMPILER_OPS_OP_REGISTRY_H_

#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/status.h"

namespace tml {

// Tensors of one node evaluation. Absent optional inputs/outputs are nullptr.
// Output tensors arrive with name, dtype and shape set; Eval fills the data.
struct EvalArgs {
  std::vector<const Tensor*> in;
  std::vector<Tensor*> out;

  const Tensor* input(size_t i) const { return i < in.size() ? in[i] : nullptr; }
  Tensor* output(size_t i) const { return i < out.size() ? out[i] : nullptr; }
};

#define TML_OP(kind, name, family)              \
  Status Prepare##family(Graph& graph, Node& node); \
  Status Eval##family(const Node& node, const EvalArgs& args);
#include "compiler/ir/op_kinds.def"
#undef TML_OP

// Dispatches to Prepare<Family> for node.op.
Status PrepareNode(Graph& graph, Node& node);
// Dispatches to Eval<Family> for node.op.
Status EvalNode(const Node& node, const EvalArgs& args);

// Helpers for Prepare functions.
// The input tensor at position i, or nullptr when absent.
const Tensor* OptionalInput(const Graph& graph, const Node& node, size_t i);
// Sets output i's dtype and shape (no-op when that output is absent).
void SetOutput(Graph& graph, const Node& node, size_t i, DType dtype, Shape shape);
// Normalises an axis in [-rank, rank) to [0, rank); error naming the node otherwise.
Status NormalizeAxis(const Node& node, int64_t rank, int64_t* axis);
// Integer contents of a constant int64 input (shape, axes, indices), or an
// error saying the input must be a compile-time constant.
StatusOr<std::vector<int64_t>> ConstantInts(const Graph& graph, const Node& node, size_t i,
                                            const char* what);

}  // namespace tml

#endif  // TML_COMPILER_OPS_OP_REGISTRY_H_
