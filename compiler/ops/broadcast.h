// Shape arithmetic shared by the op families' Prepare functions.
//
// Broadcasting follows the ONNX rules (docs/Broadcasting.md of the ONNX spec),
// which are numpy's: shapes are aligned at their last dimension, and two dims
// are compatible when they are equal or one of them is 1.
//   - multidirectional (Add/Sub/Mul/Div, Expand, MatMul batch dims): both
//     operands may stretch; the result takes the larger dim on every axis.
//   - unidirectional (Gemm's C): only `from` may stretch to `to`.
// A dimension of 0 broadcasts like any other size (1 stretches to 0).
#ifndef TML_COMPILER_OPS_BROADCAST_H_
#define TML_COMPILER_OPS_BROADCAST_H_

#include "compiler/ir/graph.h"
#include "compiler/status.h"

namespace tml {

// The multidirectional broadcast of `a` and `b`; false when they are incompatible.
bool BroadcastShapes(const Shape& a, const Shape& b, Shape* out);

// True when `from` broadcasts unidirectionally to `to` (the result is exactly `to`).
bool BroadcastsTo(const Shape& from, const Shape& to);

// The input tensor at position i; an error naming the node and `what`
// ("input 'B' is required") when it is absent.
StatusOr<const Tensor*> RequiredInput(const Graph& graph, const Node& node, size_t i,
                                      const char* what);

// Error unless `t` holds floats: for ops ONNX defines on floating types only
// (Sigmoid, Softmax, ...), since integer tensors here are indices and shapes.
Status RequireFloat(const Node& node, const Tensor& t, const char* what);

}  // namespace tml

#endif  // TML_COMPILER_OPS_BROADCAST_H_
