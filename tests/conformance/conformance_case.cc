#include "tests/conformance/conformance_case.h"

#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include <onnx/onnx_pb.h>

#include "compiler/onnx/importer.h"
#include "compiler/onnx/tensor_proto.h"

namespace tml::testing {
namespace {

bool ReadFile(const std::filesystem::path& path, std::string* bytes) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  std::stringstream buffer;
  buffer << file.rdbuf();
  *bytes = buffer.str();
  return true;
}

}  // namespace

StatusOr<ConformanceCase> LoadConformanceCase(const std::filesystem::path& dir) {
  std::string bytes;
  if (!ReadFile(dir / "model.onnx", &bytes)) return InvalidInput("{}: no model.onnx", dir.string());
  onnx::ModelProto model;
  model.ParseFromString(bytes);
  const std::filesystem::path data = dir / "test_data_set_0";
  ConformanceCase c;
  onnx::GraphProto* graph = model.mutable_graph();
  std::vector<onnx::ValueInfoProto> kept;
  int index = 0;
  for (const onnx::ValueInfoProto& input : graph->input()) {
    onnx::TensorProto proto;
    std::string pb;
    if (!ReadFile(data / ("input_" + std::to_string(index++) + ".pb"), &pb) ||
        !proto.ParseFromString(pb)) {
      return InvalidInput("missing or bad input_{}.pb", index - 1);
    }
    if (proto.data_type() == onnx::TensorProto::FLOAT ||
        proto.data_type() == onnx::TensorProto::DOUBLE) {
      TML_ASSIGN_OR_RETURN(Tensor t, TensorFromProto(proto, input.name()));
      t.role = TensorRole::kInput;
      c.feeds.push_back(std::move(t));
      kept.push_back(input);
    } else {
      proto.set_name(input.name());
      *graph->add_initializer() = proto;
    }
  }
  graph->clear_input();
  for (const auto& input : kept) *graph->add_input() = input;
  TML_ASSIGN_OR_RETURN(ImportResult imported,
                       ImportOnnxBytes(model.SerializeAsString(), (dir / "model.onnx").string()));
  c.graph = std::move(imported.graph);
  for (size_t o = 0; o < c.graph.outputs().size(); ++o) {
    TML_ASSIGN_OR_RETURN(
        Tensor t, ReadTensorProtoFile((data / ("output_" + std::to_string(o) + ".pb")).string()));
    c.expected.push_back(std::move(t));
  }
  return c;
}

bool CompareOutput(size_t index, const Tensor& got, const Tensor& expected, double rtol,
                   double atol) {
  if (got.shape != expected.shape) {
    std::cerr << "output " << index << " '" << got.name << "': shape " << ShapeToString(got.shape)
              << ", expected " << ShapeToString(expected.shape) << "\n";
    return false;
  }
  double max_err = 0;
  int64_t bad = 0, first_bad = -1;
  for (int64_t i = 0; i < got.num_elements(); ++i) {
    double g = got.dtype == DType::kFloat32 ? got.f32[i] : static_cast<double>(got.i64[i]);
    double e = expected.dtype == DType::kFloat32 ? expected.f32[i]
                                                 : static_cast<double>(expected.i64[i]);
    double err = std::fabs(g - e);
    if (std::isnan(g) && std::isnan(e)) err = 0;
    max_err = std::max(max_err, err);
    if (!(err <= atol + rtol * std::fabs(e))) {
      if (first_bad < 0) first_bad = i;
      ++bad;
    }
  }
  std::cout << "output " << index << " '" << got.name << "' " << ShapeToString(got.shape)
            << ": max abs error " << max_err << "\n";
  if (bad > 0) {
    std::cerr << "  " << bad << " element(s) outside rtol " << rtol << " / atol " << atol
              << ", first at flat index " << first_bad << "\n";
    return false;
  }
  return true;
}

}  // namespace tml::testing
