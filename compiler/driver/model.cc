#include "compiler/driver/model.h"

#include <fmt/format.h>

#include "compiler/ir/printer.h"
#include "compiler/ir/verifier.h"
#include "compiler/npy.h"
#include "compiler/onnx/importer.h"
#include "compiler/reference/run_batch.h"

namespace tml {

StatusOr<Graph> LoadModel(const std::string& path, const CommonOptions& options, Observer& observer) {
  ImportOptions import_options;
  for (const std::string& text : options.input_shapes) {
    TML_ASSIGN_OR_RETURN(auto named, ParseInputShape(text));
    import_options.input_shapes[named.first] = named.second;
  }
  TML_ASSIGN_OR_RETURN(ImportResult imported, ImportOnnxFile(path, import_options));
  for (const std::string& warning : imported.warnings) observer.Warning(warning);
  TML_RETURN_IF_ERROR(VerifyGraph(imported.graph).WithPrefix(path));
  return std::move(imported.graph);
}

StatusOr<Inspection> InspectModel(const std::string& model_path, const CommonOptions& options,
                                  bool print_ir, Observer& observer) {
  TML_ASSIGN_OR_RETURN(Graph graph, LoadModel(model_path, options, observer));
  if (graph.name.empty()) graph.name = model_path;
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
