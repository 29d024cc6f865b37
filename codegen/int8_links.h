// Int8 activations between int8 fully connected layers (compile --quantize int8).
//
// Each int8 Gemm/MatMul (emit_fc_s8.cc) on its own quantizes its float input
// and dequantizes its output. Between two of them that round trip is waste: a
// tensor whose producer is an int8 fully connected layer and whose consumers
// all are int8 fully connected layers stays int8 in the arena (a "link"), and
// the producer requantizes straight into the consumers' input format.
//
// A Relu between them folds into the producer: FC → Relu → FC writes the Relu's
// output, the producer's requantization clamped at the zero point of the
// consumers' input format (real 0), which is what ReLU does; the FC's own
// (pre-activation) output then has no buffer and the Relu node emits nothing.
// The consumers' format comes from the calibrated range of the Relu output, so
// the int8 codes cover [0, max] instead of wasting half of them on negatives.
//
// Any other element-wise activation between them (Tanh, Sigmoid, LeakyRelu,
// HardSigmoid) runs as a 256-entry table (tml_lut_s8) from the producer's
// output format to the consumers' input format: FC → Tanh → FC is int8 end to
// end, each table entry the correctly rounded result of the float activation.
//
// A Softmax reading an int8 layer's output (nothing else reading it) runs int8
// too (tml_softmax_s8, probabilities at 1/256) and dequantizes its output.
#ifndef TML_CODEGEN_INT8_LINKS_H_
#define TML_CODEGEN_INT8_LINKS_H_

#include <map>
#include <set>
#include <utility>

#include "compiler/ir/graph.h"

namespace tml::codegen {

struct Int8Links {
  // Tensors stored as int8 (one byte per element) in the arena.
  std::set<TensorId> int8_tensors;
  // Relu nodes (by index) folded into the fully connected layer before them.
  std::set<int> folded_relus;
  // FC output → the Relu output it writes instead (the FC output gets no buffer).
  std::map<TensorId, TensorId> write_instead;
  // Softmax nodes (by output tensor) reading an int8 layer's output: int8
  // softmax (tml_softmax_s8), then dequantized into their float output.
  std::set<TensorId> int8_softmax;
  // Activations (by output tensor) that run as an int8 table.
  std::set<TensorId> table_activations;
  // The int8 format {scale, zero point} of each int8 tensor (calibrated range).
  std::map<TensorId, std::pair<double, int32_t>> format;

  bool IsInt8(TensorId id) const { return int8_tensors.count(id) != 0; }
  bool IsFoldedRelu(int node_index) const { return folded_relus.count(node_index) != 0; }
  bool IsTableActivation(TensorId output) const { return table_activations.count(output) != 0; }
};

// The links of a graph whose int8 nodes carry the plan of compiler/quant/int8_plan.h.
Int8Links FindInt8Links(const Graph& graph);

}  // namespace tml::codegen

#endif  // TML_CODEGEN_INT8_LINKS_H_
