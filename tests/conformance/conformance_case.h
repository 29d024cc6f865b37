// One ONNX node conformance case loaded the way tinyml-compile sees a model:
// float inputs stay graph inputs (fed at run time), every other input
// (Reshape's shape, Slice's starts, Gather's indices, sequence_lens, ...) is
// bound into the model as an initializer before import, as a real model
// carries them. Shared by the reference runner and the codegen runner.
#ifndef TML_TESTS_CONFORMANCE_CONFORMANCE_CASE_H_
#define TML_TESTS_CONFORMANCE_CONFORMANCE_CASE_H_

#include <filesystem>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/status.h"

namespace tml::testing {

struct ConformanceCase {
  Graph graph;
  std::vector<Tensor> feeds;     // graph.inputs() order
  std::vector<Tensor> expected;  // output_<k>.pb, graph.outputs() order
};

StatusOr<ConformanceCase> LoadConformanceCase(const std::filesystem::path& dir);

// Compares one output; prints "output k 'name' [shape]: max abs error e" and
// returns false (with the first mismatch on stderr) outside atol + rtol·|e|.
bool CompareOutput(size_t index, const Tensor& got, const Tensor& expected, double rtol,
                   double atol);

}  // namespace tml::testing

#endif  // TML_TESTS_CONFORMANCE_CONFORMANCE_CASE_H_
