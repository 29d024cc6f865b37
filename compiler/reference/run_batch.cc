#include "compiler/reference/run_batch.h"

#include <fmt/format.h>

#include "compiler/reference/interpreter.h"

namespace tml {

Status CheckDataType(const Tensor& data, const Tensor& input, const std::string& label) {
  if (input.dtype == DType::kInt64 && data.dtype != DType::kInt64) {
    return InvalidInput("{}: holds floats; input '{}' takes integer token ids: give an int32 or "
                        "int64 .npy",
                        label, input.name);
  }
  if (input.dtype == DType::kFloat32 && data.dtype != DType::kFloat32) {
    return InvalidInput("{}: holds integers; input '{}' needs float32 or float64 data", label,
                        input.name);
  }
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
    TML_RETURN_IF_ERROR(CheckDataType(d, input, label));
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
      in.dtype = graph.tensor(graph.inputs()[i]).dtype;
      const int64_t n = in.num_elements();
      if (in.dtype == DType::kInt64) {
        in.i64.assign(data[i].i64.begin() + s * n, data[i].i64.begin() + (s + 1) * n);
      } else {
        in.f32.assign(data[i].f32.begin() + s * n, data[i].f32.begin() + (s + 1) * n);
      }
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

}  // namespace tml
