// The driver's model-level calls: import a model (with --input-shape), and the
// `inspect` and `run` commands as library functions. Nothing here prints:
// warnings go to the observer, results come back to the caller (the CLI,
// compiler/cli/, prints them).
#ifndef TML_COMPILER_DRIVER_MODEL_H_
#define TML_COMPILER_DRIVER_MODEL_H_

#include <string>
#include <vector>

#include "compiler/inspect.h"
#include "compiler/ir/graph.h"
#include "compiler/onnx/importer.h"
#include "compiler/observer.h"
#include "compiler/status.h"

namespace tml {

struct CommonOptions {
  std::vector<std::string> input_shapes;  // "--input-shape" values
  // Resource limits of the import (compiler/onnx/importer.h, README "Limits"),
  // in MB = 2^20 bytes; each must be at least 1.
  int64_t max_tensor_mb = kDefaultMaxTensorMb;    // --max-tensor-mb
  int64_t max_weights_mb = kDefaultMaxWeightsMb;  // --max-weights-mb
  int64_t max_model_mb = kDefaultMaxModelMb;      // --max-model-mb
  int64_t max_nodes = kDefaultMaxNodes;           // --max-nodes
};

// The importer's options for these flags (parsed --input-shape, limits in bytes).
StatusOr<ImportOptions> MakeImportOptions(const CommonOptions& options);

// Imports and verifies a model; import warnings go to `observer`. Besides the
// importer's checks, every tensor a node reads or writes must hold at least one
// element (the firmware has no empty tensors).
StatusOr<Graph> LoadModel(const std::string& path, const CommonOptions& options, Observer& observer);

// `inspect`: the per-node summary, and the IR text when `print_ir`.
struct Inspection {
  ModelSummary summary;
  std::string ir;  // "" unless asked for
};
StatusOr<Inspection> InspectModel(const std::string& model_path, const CommonOptions& options,
                                  bool print_ir, Observer& observer);

// `run`: the reference interpreter over one .npy per model input (samples on
// axis 0); one tensor per model output, [N, ...].
StatusOr<std::vector<Tensor>> RunReference(const std::string& model_path, const CommonOptions& options,
                                           const std::vector<std::string>& inputs, Observer& observer);

// Writes output 0 to `path` and output k > 0 next to it as <stem>.<k>.npy
// (each atomically); returns the paths written.
StatusOr<std::vector<std::string>> WriteReferenceOutputs(const std::vector<Tensor>& outputs,
                                                         const std::string& path);

}  // namespace tml

#endif  // TML_COMPILER_DRIVER_MODEL_H_
