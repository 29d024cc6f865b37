// Backward passes of the ops that fine-tuning differentiates through
// (DESIGN.md §5, "Accuracy recovery"): reverse-mode gradients, written with Eigen,
// for one node at a time on the reference interpreter's tensors.
//
// Contract, for a node whose forward maps inputs x_i to outputs y_j:
//   ForwardForTraining() computes the outputs exactly like EvalNode() (the
//   reference Eval, or an equivalent Eigen forward for recurrent ops) and keeps
//   what the backward needs in `saved` (nullptr when nothing is needed);
//   BackwardNode() takes dL/dy_j for every output (nullptr: no gradient flows
//   into that output, treated as zero) and ADDS dL/dx_i into din[i] for every
//   input whose din[i] is non-null. Callers size din[i] like input i (float32).
//   Gradients are never produced for integer inputs (indices, shapes, lengths).
//
// Covered ops and how:
// - LSTM, GRU, RNN (recurrent_backward.cc): backpropagation through time over
//   every direction, both layouts, sequence_lens (finished rows pass their
//   state gradient through unchanged), clip (zero gradient where a
//   pre-activation was clipped), LSTM peepholes and input_forget, GRU
//   linear_before_reset. Gradients for X, W, R, B, initial_h, initial_c, P.
// - Gemm (alpha, beta, transA, transB, broadcast C) and MatMul (2-D weights
//   with any batch of leading dims, or equal leading dims) (linear_backward.cc).
// - Add, Sub, Mul, Div with numpy broadcasting; Relu, LeakyRelu, Sigmoid,
//   Tanh, HardSigmoid; Softmax and LogSoftmax on either semantics
//   (elementwise_backward.cc).
// - Pure data movement (Reshape and its aliases, Transpose, Concat, Slice,
//   Gather, Tile, Expand): every output element is a copy of one input element,
//   so the gradient is a scatter-add through an index map, found once by
//   evaluating the op's reference Eval on tensors of element indices
//   (movement_backward.cc). This covers any such op the interpreter knows.
// Anything else is an InvalidInput naming the node.
//
// Every backward is checked against central finite differences in
// tests/unit/passes/backward_test.cc.
#ifndef TML_PASSES_BACKWARD_BACKWARD_H_
#define TML_PASSES_BACKWARD_BACKWARD_H_

#include <memory>
#include <vector>

#include "compiler/ops/op_registry.h"

namespace tml {

// What one node's forward keeps for its backward (op-specific).
struct SavedForward {
  virtual ~SavedForward() = default;
};

// True when BackwardNode() handles nodes of this kind.
bool HasBackward(OpKind op);
// True for ops whose outputs are copies of input elements (index-map backward).
bool IsDataMovement(OpKind op);

// Computes the node's outputs into args.out (as EvalNode) and fills `saved`.
Status ForwardForTraining(const Node& node, const EvalArgs& args,
                          std::unique_ptr<SavedForward>* saved);

// Accumulates input gradients (see the contract above). `args` holds the
// forward's inputs and outputs; `saved` what ForwardForTraining() kept.
Status BackwardNode(const Node& node, const EvalArgs& args, const SavedForward* saved,
                    const std::vector<const Tensor*>& dout, const std::vector<Tensor*>& din);

// Per-family entry points (dispatched by BackwardNode()).
Status ForwardRecurrent(const Node& node, const EvalArgs& args,
                        std::unique_ptr<SavedForward>* saved);
Status BackwardRecurrent(const Node& node, const EvalArgs& args, const SavedForward* saved,
                         const std::vector<const Tensor*>& dout, const std::vector<Tensor*>& din);
Status BackwardLinear(const Node& node, const EvalArgs& args,
                      const std::vector<const Tensor*>& dout, const std::vector<Tensor*>& din);
Status BackwardElementwise(const Node& node, const EvalArgs& args,
                           const std::vector<const Tensor*>& dout,
                           const std::vector<Tensor*>& din);
Status BackwardMovement(const Node& node, const EvalArgs& args,
                        const std::vector<const Tensor*>& dout, const std::vector<Tensor*>& din);

}  // namespace tml

#endif  // TML_PASSES_BACKWARD_BACKWARD_H_
