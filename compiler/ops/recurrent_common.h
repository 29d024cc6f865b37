// What LSTM, GRU and RNN share: input/output positions, attribute parsing and
// normalisation, and shape validation (ONNX LSTM/GRU/RNN, opsets 7-17).
//
// After Prepare<Lstm|Gru|Rnn> a recurrent node carries exactly these
// attributes, whatever the ONNX file said (later stages read only these, via
// ReadRecurrentAttrs):
//   hidden_size          int64   H (> 0), checked against the shapes of W and R
//   direction            string  "forward", "reverse" or "bidirectional"
//   layout               int64   0: X [seq, batch, I], 1: X [batch, seq, I]
//   clip                 float   gate pre-activations clipped to [-clip, clip]; 0 = none
//   input_forget         int64   LSTM only: 1 couples the forget gate, f = 1 - i
//   linear_before_reset  int64   GRU only: 1 applies the reset gate after R_h
// activations / activation_alpha / activation_beta are removed: only the
// default lists are accepted (LSTM Sigmoid,Tanh,Tanh; GRU Sigmoid,Tanh; RNN
// Tanh, per direction), anything else is an InvalidInput naming the node.
//
// Weight layouts (ONNX), with G gates (LSTM 4, GRU 3, RNN 1) and D directions
// (2 for bidirectional, else 1):
//   W [D, G*H, I], R [D, G*H, H], B [D, 2*G*H] (W biases then R biases),
//   sequence_lens [batch] (int), initial_h / initial_c [D, batch, H] (layout 0)
//   or [batch, D, H] (layout 1), P [D, 3*H] (LSTM peepholes, order i, o, f).
// Gate order inside G*H: LSTM i, o, f, c; GRU z, r, h; RNN the single gate.
// Outputs: Y [seq, D, batch, H] (layout 0) or [batch, seq, D, H] (layout 1);
// Y_h / Y_c [D, batch, H] (layout 0) or [batch, D, H] (layout 1). Every input
// after R and every output is optional.
//
// W and R need not be constants for the reference interpreter (the ONNX
// conformance cases feed them as graph inputs); codegen requires them to be
// constants (they become weight operators) and checks that itself.
#ifndef TML_COMPILER_OPS_RECURRENT_COMMON_H_
#define TML_COMPILER_OPS_RECURRENT_COMMON_H_

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/status.h"

namespace tml {

// Input positions of LSTM/GRU/RNN (GRU and RNN stop after kInitialH).
inline constexpr size_t kRecurrentX = 0;
inline constexpr size_t kRecurrentW = 1;
inline constexpr size_t kRecurrentR = 2;
inline constexpr size_t kRecurrentB = 3;
inline constexpr size_t kRecurrentSequenceLens = 4;
inline constexpr size_t kRecurrentInitialH = 5;
inline constexpr size_t kRecurrentInitialC = 6;  // LSTM only
inline constexpr size_t kRecurrentP = 7;         // LSTM only
// Output positions (Y_c is LSTM only).
inline constexpr size_t kRecurrentY = 0;
inline constexpr size_t kRecurrentYh = 1;
inline constexpr size_t kRecurrentYc = 2;

// What distinguishes the three ops for the shared code.
struct RecurrentSpec {
  int64_t num_gates;                             // G: LSTM 4, GRU 3, RNN 1
  std::vector<std::string> default_activations;  // per direction, ONNX spelling
  size_t max_inputs;                             // LSTM 8, GRU/RNN 6
  size_t max_outputs;                            // LSTM 3, GRU/RNN 2
};

// The normalised attributes (see the top of this file).
struct RecurrentAttrs {
  int64_t hidden_size = 0;
  std::string direction = "forward";
  int64_t num_directions = 1;
  int64_t layout = 0;
  float clip = 0.0f;  // 0 = no clipping
  bool input_forget = false;
  bool linear_before_reset = false;
};

// Sizes of one recurrent node, from its input shapes.
struct RecurrentDims {
  int64_t seq_length = 0;
  int64_t batch_size = 0;
  int64_t input_size = 0;
  int64_t hidden_size = 0;
  int64_t num_directions = 1;
};

// Validates and normalises the attributes shared by the three ops
// (hidden_size, direction, layout, clip, activations), validates X, W, R, B,
// sequence_lens and initial_h, and sets the shapes of Y and Y_h. The op's own
// Prepare handles the rest (input_forget, initial_c, P, Y_c;
// linear_before_reset). Idempotent: running it on a normalised node is a no-op.
StatusOr<RecurrentDims> PrepareRecurrentCommon(Graph& graph, Node& node, const RecurrentSpec& spec);

// Checks that optional input `index` ("initial_c", "P", ...) is absent or a
// float32 tensor of shape `expected`; the error names the node and the input.
Status CheckRecurrentInput(const Graph& graph, const Node& node, size_t index, const char* what,
                           const Shape& expected);

// Reads a 0/1 flag attribute (input_forget, linear_before_reset), storing the
// normalised value; error naming the node for any other value.
Status NormalizeRecurrentFlag(Node& node, const char* attr);

// Shape of the states (initial_h, initial_c, Y_h, Y_c) for these dims and layout.
Shape RecurrentStateShape(const RecurrentDims& dims, int64_t layout);

// The normalised attributes of a node that went through Prepare.
RecurrentAttrs ReadRecurrentAttrs(const Node& node);

}  // namespace tml

#endif  // TML_COMPILER_OPS_RECURRENT_COMMON_H_
