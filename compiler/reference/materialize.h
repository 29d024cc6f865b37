// Turns a node's WeightOperatorSet back into a dense tensor laid out like the
// weight input it replaces, so the Eval functions run compressed graphs
// unchanged. Operators are always out×in; Gemm (transB = 0) and MatMul keep
// their weight as in×out, so those are transposed back.
#ifndef TML_COMPILER_REFERENCE_MATERIALIZE_H_
#define TML_COMPILER_REFERENCE_MATERIALIZE_H_

#include "compiler/ir/graph.h"
#include "compiler/status.h"

namespace tml {

StatusOr<Tensor> MaterializeWeight(const Graph& graph, const Node& node,
                                   const WeightOperatorSet& set);

}  // namespace tml

#endif  // TML_COMPILER_REFERENCE_MATERIALIZE_H_
