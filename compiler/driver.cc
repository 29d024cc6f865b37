#include "compiler/driver.h"

#include <cstdio>
#include <iostream>

#include "compiler/inspect.h"
#include "compiler/ir/printer.h"
#include "compiler/ir/verifier.h"
#include "compiler/npy.h"
#include "compiler/reference/interpreter.h"

namespace tml {

StatusOr<Graph> LoadModel(const std::string& path, const CommonOptions& options) {
  ImportOptions import_options;
  for (const std::string& text : options.input_shapes) {
    TML_ASSIGN_OR_RETURN(auto named, ParseInputShape(text));
    import_options.input_shapes[named.first] = named.second;
  }
  TML_ASSIGN_OR_RETURN(ImportResult imported, ImportOnnxFile(path, import_options));
  for (const std::string& warning : imported.warnings) std::cerr << "warning: " << warning << "\n";
  TML_RETURN_IF_ERROR(VerifyGraph(imported.graph).WithPrefix(path));
  return std::move(imported.graph);
}

Status RunInspect(const std::string& model_path, const InspectOptions& options) {
  TML_ASSIGN_OR_RETURN(Graph graph, LoadModel(model_path, options.common));
  if (graph.name.empty()) graph.name = model_path;
  ModelSummary summary = SummarizeGraph(graph);
  if (options.json) {
    std::cout << SummaryToJson(summary).dump(2) << "\n";
  } else {
    std::cout << FormatSummary(summary);
  }
  if (options.print_ir) std::cout << "\n" << PrintGraph(graph);
  return Status::Ok();
}

StatusOr<std::vector<Tensor>> RunBatch(const Graph& graph, const std::vector<Tensor>& data,
                                       const std::vector<std::string>& data_labels) {
  if (data.size() != graph.inputs().size()) {
    return InvalidInput("the model has {} input(s) and {} data file(s) were given",
                        graph.inputs().size(), data.size());
  }
  int64_t samples = -1;
  for (size_t i = 0; i < data.size(); ++i) {
    const Tensor& input = graph.tensor(graph.inputs()[i]);
    const Tensor& d = data[i];
    const std::string& label = data_labels[i];
    if (d.dtype != DType::kFloat32) {
      return InvalidInput("{}: holds integers; input '{}' needs float32 or float64 data", label,
                          input.name);
    }
    const Shape sample(d.shape.empty() ? d.shape.begin() : d.shape.begin() + 1, d.shape.end());
    if (d.shape.empty() || StripLeadingOnes(sample) != StripLeadingOnes(input.shape)) {
      return InvalidInput(
          "{}: shape {} does not fit input '{}' {}; expected [N, ...] with one sample per row "
          "shaped like the input (leading 1s may be left out)",
          label, ShapeToString(d.shape), input.name, ShapeToString(input.shape));
    }
    if (samples >= 0 && d.shape[0] != samples) {
      return InvalidInput("{}: {} samples, but the other data file has {}", label, d.shape[0],
                          samples);
    }
    samples = d.shape[0];
  }
  Interpreter interpreter(graph);
  std::vector<Tensor> results;
  for (TensorId id : graph.outputs()) {
    Tensor out;
    out.name = graph.tensor(id).name;
    out.dtype = DType::kFloat32;
    // Samples on the first axis, like the inputs: a model output of [1, 10]
    // gives [N, 10] (leading 1s dropped), [1, 8, 1] gives [N, 8, 1].
    out.shape = StripLeadingOnes(graph.tensor(id).shape);
    out.shape.insert(out.shape.begin(), samples);
    results.push_back(std::move(out));
  }
  for (int64_t s = 0; s < samples; ++s) {
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < data.size(); ++i) {
      Tensor in;
      in.name = graph.tensor(graph.inputs()[i]).name;
      in.shape = graph.tensor(graph.inputs()[i]).shape;
      const int64_t n = in.num_elements();
      in.f32.assign(data[i].f32.begin() + s * n, data[i].f32.begin() + (s + 1) * n);
      inputs.push_back(std::move(in));
    }
    StatusOr<std::vector<Tensor>> outputs = interpreter.Run(inputs);
    if (!outputs.ok()) return outputs.status().WithPrefix(fmt::format("sample {}", s));
    for (size_t o = 0; o < results.size(); ++o) {
      const Tensor& out = (*outputs)[o];
      if (out.dtype == DType::kFloat32) {
        results[o].f32.insert(results[o].f32.end(), out.f32.begin(), out.f32.end());
      } else {
        for (int64_t v : out.i64) results[o].f32.push_back(static_cast<float>(v));
      }
    }
  }
  return results;
}

Status RunReference(const std::string& model_path, const RunOptions& options) {
  TML_ASSIGN_OR_RETURN(Graph graph, LoadModel(model_path, options.common));
  std::vector<Tensor> data;
  for (const std::string& path : options.inputs) {
    TML_ASSIGN_OR_RETURN(Tensor t, ReadNpy(path));
    data.push_back(std::move(t));
  }
  TML_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, RunBatch(graph, data, options.inputs));
  if (options.output.empty()) {
    for (const Tensor& out : outputs) {
      const int64_t samples = out.shape[0];
      const int64_t per = samples ? out.num_elements() / samples : 0;
      std::cout << fmt::format("output '{}' {}\n", out.name, ShapeToString(out.shape));
      for (int64_t s = 0; s < samples && s < 10; ++s) {
        std::vector<std::string> row;
        for (int64_t k = 0; k < per && k < 16; ++k) row.push_back(fmt::format("{:.6g}", out.f32[s * per + k]));
        std::cout << fmt::format("  [{}]: {}{}\n", s, fmt::join(row, " "), per > 16 ? " ..." : "");
      }
      if (samples > 10) std::cout << fmt::format("  ... {} more samples\n", samples - 10);
    }
    return Status::Ok();
  }
  // First output at --output; further outputs next to it as <stem>.<k>.npy.
  for (size_t o = 0; o < outputs.size(); ++o) {
    std::string path = options.output;
    if (o > 0) {
      std::string stem = path.size() > 4 && path.substr(path.size() - 4) == ".npy"
                             ? path.substr(0, path.size() - 4)
                             : path;
      path = fmt::format("{}.{}.npy", stem, o);
    }
    TML_RETURN_IF_ERROR(WriteNpy(path, outputs[o]));
    std::cerr << fmt::format("wrote output '{}' {} to {}\n", outputs[o].name,
                             ShapeToString(outputs[o].shape), path);
  }
  return Status::Ok();
}

}  // namespace tml
