// The float reference interpreter: executes a Graph node by node with the
// Eval<Family> functions (compiler/reference/eval_*.cc).
//
// It is the ground truth of the project: `run` uses it, every pass is checked
// by running it on the graph before and after, and `--verify` compares the
// firmware's outputs with it on the original model.
#ifndef TML_COMPILER_REFERENCE_INTERPRETER_H_
#define TML_COMPILER_REFERENCE_INTERPRETER_H_

#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/status.h"

namespace tml {

class Interpreter {
 public:
  // The graph must outlive the interpreter and not change while it is used.
  explicit Interpreter(const Graph& graph) : graph_(graph) {}

  // Runs one inference. `inputs` are in graph.inputs() order and must have
  // exactly those shapes and dtypes (float32, or int64 token ids). Returns the outputs in graph.outputs() order.
  StatusOr<std::vector<Tensor>> Run(const std::vector<Tensor>& inputs) const;

 private:
  const Graph& graph_;
};

}  // namespace tml

#endif  // TML_COMPILER_REFERENCE_INTERPRETER_H_
