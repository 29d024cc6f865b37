#include "compiler/driver/model.h"

#include <fmt/format.h>

#include "compiler/ir/printer.h"
#include "compiler/ir/verifier.h"
#include "compiler/npy.h"
#include "compiler/onnx/importer.h"
#include "compiler/reference/run_batch.h"

namespace tml {

namespace {

// The largest value a MB flag takes (2^40 MB = 2^60 bytes, no overflow).
constexpr int64_t kMaxLimitMb = int64_t{1} << 40;

Status MbToBytes(int64_t mb, const char* flag, int64_t* bytes) {
  if (mb < 1 || mb > kMaxLimitMb) {
    return InvalidInput("{} {}: expected a size in MB from 1 to {}", flag, mb, kMaxLimitMb);
  }
  *bytes = mb * kMiB;
  return Status::Ok();
}

// Empty tensors pass the importer (the ONNX conformance cases have a few) but
// not the rest of the compiler: the first one a node touches, named by node.
Status CheckNoEmptyTensors(const Graph& graph) {
  for (const Node& node : graph.nodes()) {
    for (size_t k = 0; k < node.inputs.size() + node.outputs.size(); ++k) {
      const bool is_input = k < node.inputs.size();
      const TensorId id = is_input ? node.inputs[k] : node.outputs[k - node.inputs.size()];
      if (id == kNoTensor || graph.tensor(id).num_elements() != 0) continue;
      const Tensor& t = graph.tensor(id);
      return InvalidInput(
          "{}: {} '{}' has shape {}, with no elements; tinyml-compile needs at least one element "
          "in every tensor (remove the empty {} from the model)",
          node.Describe(), is_input ? "input" : "output", t.name, ShapeToString(t.shape),
          t.is_constant() ? "weight" : "tensor");
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<ImportOptions> MakeImportOptions(const CommonOptions& options) {
  ImportOptions import_options;
  for (const std::string& text : options.input_shapes) {
    TML_ASSIGN_OR_RETURN(auto named, ParseInputShape(text));
    import_options.input_shapes[named.first] = named.second;
  }
  ImportLimits& limits = import_options.limits;
  TML_RETURN_IF_ERROR(MbToBytes(options.max_tensor_mb, "--max-tensor-mb", &limits.max_tensor_bytes));
  TML_RETURN_IF_ERROR(MbToBytes(options.max_weights_mb, "--max-weights-mb", &limits.max_weight_bytes));
  TML_RETURN_IF_ERROR(MbToBytes(options.max_model_mb, "--max-model-mb", &limits.max_model_bytes));
  if (options.max_nodes < 1 || options.max_nodes > kMaxElements) {
    return InvalidInput("--max-nodes {}: expected a count from 1 to {}", options.max_nodes,
                        kMaxElements);
  }
  limits.max_nodes = options.max_nodes;
  return import_options;
}

StatusOr<Graph> LoadModel(const std::string& path, const CommonOptions& options, Observer& observer) {
  TML_ASSIGN_OR_RETURN(ImportOptions import_options, MakeImportOptions(options));
  TML_ASSIGN_OR_RETURN(ImportResult imported, ImportOnnxFile(path, import_options));
  for (const std::string& warning : imported.warnings) observer.Warning(warning);
  TML_RETURN_IF_ERROR(CheckNoEmptyTensors(imported.graph).WithPrefix(path));
  TML_RETURN_IF_ERROR(VerifyGraph(imported.graph).WithPrefix(path));
  return std::move(imported.graph);
}

StatusOr<Inspection> InspectModel(const std::string& model_path, const CommonOptions& options,
                                  bool print_ir, Observer& observer) {
  TML_ASSIGN_OR_RETURN(Graph graph, LoadModel(model_path, options, observer));
  // The summary may be printed as JSON, which holds only valid UTF-8.
  if (graph.name.empty()) graph.name = ToValidUtf8(model_path);
  Inspection inspection;
  inspection.summary = SummarizeGraph(graph);
  if (print_ir) inspection.ir = PrintGraph(graph);
  return inspection;
}

StatusOr<std::vector<Tensor>> RunReference(const std::string& model_path, const CommonOptions& options,
                                           const std::vector<std::string>& inputs, Observer& observer) {
  TML_ASSIGN_OR_RETURN(Graph graph, LoadModel(model_path, options, observer));
  std::vector<Tensor> data;
  for (const std::string& path : inputs) {
    TML_ASSIGN_OR_RETURN(Tensor t, ReadNpy(path));
    data.push_back(std::move(t));
  }
  return RunBatch(graph, data, inputs);
}

StatusOr<std::vector<std::string>> WriteReferenceOutputs(const std::vector<Tensor>& outputs,
                                                         const std::string& path) {
  std::vector<std::string> written;
  for (size_t o = 0; o < outputs.size(); ++o) {
    std::string out_path = path;
    if (o > 0) {
      const std::string stem =
          path.size() > 4 && path.substr(path.size() - 4) == ".npy" ? path.substr(0, path.size() - 4) : path;
      out_path = fmt::format("{}.{}.npy", stem, o);
    }
    TML_RETURN_IF_ERROR(WriteNpy(out_path, outputs[o]));
    written.push_back(out_path);
  }
  return written;
}

}  // namespace tml
