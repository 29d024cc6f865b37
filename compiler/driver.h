// The driver: what each CLI command does, as functions that return Status.
// main.cc only parses the command line (CLI11) and maps Status to exit codes.
#ifndef TML_COMPILER_DRIVER_H_
#define TML_COMPILER_DRIVER_H_

#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/onnx/importer.h"
#include "compiler/status.h"

namespace tml {

struct CommonOptions {
  std::vector<std::string> input_shapes;  // "--input-shape" values
};

// Imports a model, printing import warnings to stderr.
StatusOr<Graph> LoadModel(const std::string& path, const CommonOptions& options);

struct InspectOptions {
  CommonOptions common;
  bool json = false;
  bool print_ir = false;
};
Status RunInspect(const std::string& model_path, const InspectOptions& options);

struct RunOptions {
  CommonOptions common;
  std::vector<std::string> inputs;  // one .npy per model input, samples on axis 0
  std::string output;               // .npy for the first output ("" = print)
};
Status RunReference(const std::string& model_path, const RunOptions& options);

// Runs the reference interpreter over a batch: `data[i]` holds the samples for
// model input i (first axis = samples; the rest must match the input's shape
// up to leading 1s). Returns one tensor per model output, [N, *output shape].
StatusOr<std::vector<Tensor>> RunBatch(const Graph& graph, const std::vector<Tensor>& data,
                                       const std::vector<std::string>& data_labels);

}  // namespace tml

#endif  // TML_COMPILER_DRIVER_H_
