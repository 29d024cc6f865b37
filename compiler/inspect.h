// `tinyml-compile inspect`: what a model holds and costs, per node and in total,
// and which weight matrices the compression passes can work on.
//
// Counting rules (the test in tests/unit/compiler/inspect_test.cc does them by hand):
//   parameters  = elements of a node's float constant inputs (weights, biases,
//                 initial states given as constants); float32 bytes = 4 × that.
//   MACs        = multiply-accumulates of one inference:
//                 Gemm M·N·K; MatMul batch·M·N·K;
//                 LSTM seq·dirs·batch·(4H·(I+H) + 3H if peepholes); GRU ·3H·(I+H);
//                 RNN ·H·(I+H); every other op 0 (elementwise work is not a MAC).
//   candidates  = LSTM/GRU/RNN W and R (per direction, [gates·H, I] and [gates·H, H])
//                 and constant Gemm/MatMul weight matrices, as out×in.
#ifndef TML_COMPILER_INSPECT_H_
#define TML_COMPILER_INSPECT_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/ir/graph.h"

namespace tml {

struct NodeSummary {
  std::string name;
  std::string op;
  std::vector<Shape> input_shapes;   // non-constant inputs
  std::vector<Shape> output_shapes;
  int64_t parameters = 0;
  int64_t macs = 0;
};

struct MatrixCandidate {
  std::string node;
  std::string tensor;  // the constant that holds it
  std::string role;    // "W", "R" (recurrent) or "weight" (Gemm/MatMul)
  int64_t rows = 0;    // outputs
  int64_t cols = 0;    // inputs
  int64_t count = 1;   // how many such matrices (directions)
};

struct ModelSummary {
  std::string name;
  std::string producer;
  int opset = 0;
  std::vector<std::pair<std::string, Shape>> inputs, outputs;
  std::vector<NodeSummary> nodes;
  std::vector<MatrixCandidate> candidates;
  int64_t parameters = 0;
  int64_t float32_bytes = 0;
  int64_t macs = 0;
};

ModelSummary SummarizeGraph(const Graph& graph);
nlohmann::json SummaryToJson(const ModelSummary& summary);
// A readable table for the terminal.
std::string FormatSummary(const ModelSummary& summary);

}  // namespace tml

#endif  // TML_COMPILER_INSPECT_H_
