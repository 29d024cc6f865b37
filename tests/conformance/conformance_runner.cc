// Runs one ONNX node conformance case through the importer and the float
// reference interpreter and compares with the expected outputs:
//   tml_conformance_runner CASE_DIR [--rtol R] [--atol A]
// or prints the list of skipped cases with their reasons:
//   tml_conformance_runner --list-skipped SKIPPED_CASES.txt NODE_DIR
//
// Case inputs that are not float (Reshape's shape, Slice's starts, Gather's
// indices, ...) are bound into the model as initializers before import, the
// way a real model carries them: tinyml-compile needs them at compile time.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "compiler/reference/interpreter.h"
#include "tests/conformance/conformance_case.h"

namespace fs = std::filesystem;

namespace {

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
  auto loaded = tml::testing::LoadConformanceCase(dir);
  if (!loaded.ok()) {
    std::cerr << "import failed: " << loaded.status().message() << "\n";
    return 1;
  }
  tml::Interpreter interpreter(loaded->graph);
  auto outputs = interpreter.Run(loaded->feeds);
  if (!outputs.ok()) {
    std::cerr << "run failed: " << outputs.status().message() << "\n";
    return 1;
  }
  int failures = 0;
  for (size_t o = 0; o < outputs->size(); ++o) {
    if (!tml::testing::CompareOutput(o, (*outputs)[o], loaded->expected[o], rtol, atol)) ++failures;
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
