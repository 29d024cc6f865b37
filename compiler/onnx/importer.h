// ONNX importer: reads a .onnx file into the IR.
//
// A model file may come from anyone, so every step is bounded (ImportLimits)
// and every failure is one clear line naming the file, and the node/op/opset
// where there is one. Steps, in order:
//   1. read at most ImportLimits::max_model_bytes (a regular file, a pipe or a
//      device alike), count the graph's nodes and initializers on the wire
//      (before protobuf builds them) against max_nodes, then parse the protobuf
//      (missing, unreadable, truncated or non-ONNX files),
//   2. check the default-domain opset: 7 to 17 (the README's range). An older
//      model is read only when every one of its nodes means the same in opset 7
//      (ONNX's schema history says so; e.g. HardSigmoid-6), with a warning,
//   3. make every name valid UTF-8 (invalid bytes become U+FFFD), so names
//      reach JSON, HTML, C and the terminal intact,
//   4. run the ONNX checker and ONNX shape inference (libonnx),
//   5. list every unsupported node at once,
//   6. make the graph inputs static (dynamic dims need ImportOptions::input_shapes),
//   7. convert initializers and Constant nodes to constant tensors (warning on
//      NaN/Inf; zero-size weights are rejected),
//   8. convert each node, run its Prepare (attributes, defaults, opset forms,
//      output shapes) and fold it when all its inputs are constants: this is
//      what removes PyTorch's Shape/Gather/Unsqueeze/Concat/ConstantOfShape/
//      Expand plumbing around recurrent layers. Identity and Dropout (inference)
//      disappear by aliasing their output to their input,
//   9. drop nodes whose outputs nothing uses.
//
// Limits (a 303-byte model can ask for a 16 GiB Tile): every tensor shape —
// graph inputs, initializers, each node's outputs as Prepare computes them,
// before anything is allocated or folded — is counted with overflow checks
// and must fit max_tensor_bytes (float32 4 bytes, integers 8 bytes per element
// as the IR holds them); all constants together (initializers, Constant nodes
// and what folding produces) must fit max_weight_bytes; folding one node may
// cost at most kMaxFoldMacs multiply-accumulates. Independent of the limits,
// no dimension and no element count may exceed 2^31 - 1 (the generated C counts
// in int32). The defaults suit a laptop and are far above any model that fits
// a microcontroller (whose flash is a few MB):
//   largest tensor   256 MB      --max-tensor-mb
//   all constants    1024 MB     --max-weights-mb
//   model file       1024 MB     --max-model-mb  (a larger file cannot pass the
//                                                  constants limit anyway)
//   nodes            100,000     --max-nodes     (also bounds initializers)
// (MB = 2^20 bytes.) Exceeding one is an InvalidInput naming the limit and the
// flag that raises it.
#ifndef TML_COMPILER_ONNX_IMPORTER_H_
#define TML_COMPILER_ONNX_IMPORTER_H_

#include <map>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/status.h"

namespace tml {

inline constexpr int64_t kMiB = int64_t{1} << 20;
inline constexpr int64_t kDefaultMaxTensorMb = 256;
inline constexpr int64_t kDefaultMaxWeightsMb = 1024;
inline constexpr int64_t kDefaultMaxModelMb = 1024;
inline constexpr int64_t kDefaultMaxNodes = 100000;
// Work allowed to fold one all-constant node at import (MatMul/Gemm/recurrent
// MACs, elements for the rest): a few seconds at most. Not a flag: models
// whose constants need more than this are not shape plumbing.
inline constexpr int64_t kMaxFoldMacs = int64_t{1} << 32;
// Hard caps, whatever the limits: the generated C holds dims and counts in int32.
inline constexpr int64_t kMaxDim = 2147483647;
inline constexpr int64_t kMaxElements = 2147483647;

struct ImportLimits {
  int64_t max_tensor_bytes = kDefaultMaxTensorMb * kMiB;   // --max-tensor-mb
  int64_t max_weight_bytes = kDefaultMaxWeightsMb * kMiB;  // --max-weights-mb
  int64_t max_model_bytes = kDefaultMaxModelMb * kMiB;     // --max-model-mb
  int64_t max_nodes = kDefaultMaxNodes;                    // --max-nodes
};

struct ImportOptions {
  // Static shapes for graph inputs with dynamic dimensions, by input name.
  std::map<std::string, Shape> input_shapes;
  ImportLimits limits;
};

struct ImportResult {
  Graph graph;
  // Non-fatal findings, one line each (e.g. NaN/Inf in a weight tensor).
  std::vector<std::string> warnings;
};

// Imports the model file at `path`. Errors start with the path.
StatusOr<ImportResult> ImportOnnxFile(const std::string& path, const ImportOptions& options = {});

// Imports from serialized bytes; `label` stands for the file in messages.
StatusOr<ImportResult> ImportOnnxBytes(const std::string& bytes, const std::string& label,
                                       const ImportOptions& options = {});

// Parses "--input-shape" values: "input=1,8,8" or just "1,8,8" (applies to the
// first input, stored under the empty name). Dims are 1 to 2^31 - 1; the name
// must be valid UTF-8.
StatusOr<std::pair<std::string, Shape>> ParseInputShape(const std::string& text);

// `text` with every invalid UTF-8 byte replaced by U+FFFD (valid text is
// returned unchanged). Applied to every name the importer reads.
std::string ToValidUtf8(const std::string& text);
bool IsValidUtf8(const std::string& text);

// "256 MB", "16.0 GB", "300 bytes": sizes in messages (MB = 2^20 bytes).
std::string FormatBytes(int64_t bytes);

}  // namespace tml

#endif  // TML_COMPILER_ONNX_IMPORTER_H_
