// Runs one ONNX node conformance case through the importer and the float
// reference interpreter and compares with the expected outputs:
//   tml_conformance_runner CASE_DIR [--rtol R] [--atol A]
// or prints the list of skipped cases with their reasons:
//   tml_conformance_runner --list-skipped SKIPPED_CASES.txt NODE_DIR
//
// Case inputs that are not float (Reshape's shape, Slice's starts, Gather's
// indices, ...) are bound into the model as initializers before import, the
// way a real model carries them: tinyml-compile needs them at compile time.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <onnx/onnx_pb.h>

#include "compiler/onnx/importer.h"
#include "compiler/onnx/tensor_proto.h"
#include "compiler/reference/interpreter.h"

namespace fs = std::filesystem;

namespace {

bool ReadFile(const fs::path& path, std::string* bytes) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  std::stringstream buffer;
  buffer << file.rdbuf();
  *bytes = buffer.str();
  return true;
}

int ListSkipped(const fs::path& list, const fs::path& node_dir) {
  std::ifstream file(list);
  std::string line;
  int missing = 0, count = 0;
  std::cout << "ONNX conformance cases left out, with the reason:\n";
  while (std::getline(file, line)) {
    if (line.rfind("test_", 0) != 0) continue;
    const std::string name = line.substr(0, line.find(':'));
    std::cout << "  " << line << "\n";
    ++count;
    if (!fs::exists(node_dir / name)) {
      std::cout << "    ^ no such generated case: remove it from the list\n";
      ++missing;
    }
  }
  std::cout << count << " case(s) left out\n";
  return missing == 0 ? 0 : 1;
}

int RunCase(const fs::path& dir, double rtol, double atol) {
  std::string bytes;
  if (!ReadFile(dir / "model.onnx", &bytes)) {
    std::cerr << dir << ": no model.onnx\n";
    return 1;
  }
  onnx::ModelProto model;
  model.ParseFromString(bytes);
  const fs::path data = dir / "test_data_set_0";

  // Split the case's inputs: float ones are fed at run time, others bound.
  std::vector<tml::Tensor> feeds;
  onnx::GraphProto* graph = model.mutable_graph();
  std::vector<onnx::ValueInfoProto> kept;
  int index = 0;
  for (const onnx::ValueInfoProto& input : graph->input()) {
    onnx::TensorProto proto;
    std::string pb;
    if (!ReadFile(data / ("input_" + std::to_string(index++) + ".pb"), &pb) ||
        !proto.ParseFromString(pb)) {
      std::cerr << "missing or bad input_" << index - 1 << ".pb\n";
      return 1;
    }
    if (proto.data_type() == onnx::TensorProto::FLOAT ||
        proto.data_type() == onnx::TensorProto::DOUBLE) {
      auto t = tml::TensorFromProto(proto, input.name());
      if (!t.ok()) {
        std::cerr << t.status().message() << "\n";
        return 1;
      }
      t->role = tml::TensorRole::kInput;
      feeds.push_back(std::move(t).value());
      kept.push_back(input);
    } else {
      proto.set_name(input.name());
      *graph->add_initializer() = proto;
    }
  }
  graph->clear_input();
  for (const auto& input : kept) *graph->add_input() = input;

  auto imported = tml::ImportOnnxBytes(model.SerializeAsString(), (dir / "model.onnx").string());
  if (!imported.ok()) {
    std::cerr << "import failed: " << imported.status().message() << "\n";
    return 1;
  }
  tml::Interpreter interpreter(imported->graph);
  auto outputs = interpreter.Run(feeds);
  if (!outputs.ok()) {
    std::cerr << "run failed: " << outputs.status().message() << "\n";
    return 1;
  }
  int failures = 0;
  for (size_t o = 0; o < outputs->size(); ++o) {
    auto expected = tml::ReadTensorProtoFile((data / ("output_" + std::to_string(o) + ".pb")).string());
    if (!expected.ok()) {
      std::cerr << expected.status().message() << "\n";
      return 1;
    }
    const tml::Tensor& got = (*outputs)[o];
    if (got.shape != expected->shape) {
      std::cerr << "output " << o << " '" << got.name << "': shape " << tml::ShapeToString(got.shape)
                << ", expected " << tml::ShapeToString(expected->shape) << "\n";
      ++failures;
      continue;
    }
    double max_err = 0;
    int64_t bad = 0, first_bad = -1;
    for (int64_t i = 0; i < got.num_elements(); ++i) {
      double g = got.dtype == tml::DType::kFloat32 ? got.f32[i] : static_cast<double>(got.i64[i]);
      double e = expected->dtype == tml::DType::kFloat32 ? expected->f32[i]
                                                        : static_cast<double>(expected->i64[i]);
      double err = std::fabs(g - e);
      max_err = std::max(max_err, err);
      if (!(err <= atol + rtol * std::fabs(e))) {
        if (first_bad < 0) first_bad = i;
        ++bad;
      }
    }
    std::cout << "output " << o << " '" << got.name << "' " << tml::ShapeToString(got.shape)
              << ": max abs error " << max_err << "\n";
    if (bad > 0) {
      std::cerr << "  " << bad << " element(s) outside rtol " << rtol << " / atol " << atol
                << ", first at flat index " << first_bad << "\n";
      ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::string(argv[1]) == "--list-skipped") return ListSkipped(argv[2], argv[3]);
  if (argc < 2) {
    std::cerr << "usage: tml_conformance_runner CASE_DIR [--rtol R] [--atol A]\n";
    return 2;
  }
  double rtol = 1e-4, atol = 1e-5;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--rtol") rtol = std::stod(argv[i + 1]);
    if (std::string(argv[i]) == "--atol") atol = std::stod(argv[i + 1]);
  }
  return RunCase(argv[1], rtol, atol);
}
