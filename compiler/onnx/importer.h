// ONNX importer: reads a .onnx file into the IR.
//
// Steps, in order (each failure is one clear line naming the file, and the
// node/op/opset where there is one):
//   1. parse the protobuf (missing, unreadable, truncated or non-ONNX files),
//   2. run the ONNX checker and ONNX shape inference (libonnx),
//   3. list every unsupported node at once,
//   4. make the graph inputs static (dynamic dims need ImportOptions::input_shapes),
//   5. convert initializers and Constant nodes to constant tensors (warning on NaN/Inf),
//   6. convert each node, run its Prepare (attributes, defaults, opset forms,
//      output shapes) and fold it when all its inputs are constants: this is
//      what removes PyTorch's Shape/Gather/Unsqueeze/Concat/ConstantOfShape/
//      Expand plumbing around recurrent layers. Identity and Dropout (inference)
//      disappear by aliasing their output to their input,
//   7. drop nodes whose outputs nothing uses.
#ifndef TML_COMPILER_ONNX_IMPORTER_H_
#define TML_COMPILER_ONNX_IMPORTER_H_

#include <map>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/status.h"

namespace tml {

struct ImportOptions {
  // Static shapes for graph inputs with dynamic dimensions, by input name.
  std::map<std::string, Shape> input_shapes;
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
// first input, stored under the empty name).
StatusOr<std::pair<std::string, Shape>> ParseInputShape(const std::string& text);

}  // namespace tml

#endif  // TML_COMPILER_ONNX_IMPORTER_H_
