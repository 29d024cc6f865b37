// The emitted C of a small model compared with checked-in files, so every
// change of the generated code shows up as a reviewable diff.
// Regenerate with TML_UPDATE_GOLDENS=1 (see CMakeLists.txt).
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "codegen/model_emitter.h"
#include "verification/manifest.h"

namespace tml::codegen {
namespace {

// x [1,6] -> Gemm 'enc' (transB) -> Tanh 'act' -> Reshape 'view' [1,2,2]
//         -> Softmax 'prob' (axis 2) -> y [1,2,2]
Graph GoldenModel() {
  Graph g;
  g.producer = "golden";
  g.opset = 14;
  const TensorId x = g.AddTensor({"x", DType::kFloat32, {1, 6}, TensorRole::kInput, {}, {}});
  Tensor w{"enc.weight", DType::kFloat32, {4, 6}, TensorRole::kConstant, {}, {}};
  for (int i = 0; i < 24; ++i) w.f32.push_back(0.125f * static_cast<float>(i % 7) - 0.3f);
  const TensorId wi = g.AddTensor(w);
  const TensorId b = g.AddTensor({"enc.bias", DType::kFloat32, {4}, TensorRole::kConstant,
                                  {0.5f, -0.25f, 1e-3f, 3.0f}, {}});
  const TensorId h = g.AddTensor({"h", DType::kFloat32, {1, 4}, TensorRole::kActivation, {}, {}});
  const TensorId t = g.AddTensor({"t", DType::kFloat32, {1, 4}, TensorRole::kActivation, {}, {}});
  const TensorId v = g.AddTensor({"v", DType::kFloat32, {1, 2, 2}, TensorRole::kActivation, {}, {}});
  const TensorId y = g.AddTensor({"y", DType::kFloat32, {1, 2, 2}, TensorRole::kOutput, {}, {}});
  auto add = [&](OpKind op, const char* name, const char* type, std::vector<TensorId> in,
                 TensorId out, std::map<std::string, Attribute> attrs) {
    Node n;
    n.op = op;
    n.name = name;
    n.onnx_op_type = type;
    n.opset = 14;
    n.inputs = std::move(in);
    n.outputs = {out};
    n.attrs = std::move(attrs);
    g.AddNode(n);
  };
  add(OpKind::kGemm, "enc", "Gemm", {x, wi, b}, h,
      {{"transA", int64_t{0}}, {"transB", int64_t{1}}, {"alpha", 1.0f}, {"beta", 1.0f}});
  add(OpKind::kTanh, "act", "Tanh", {h}, t, {});
  add(OpKind::kReshape, "view", "Reshape", {t}, v, {{"shape", std::vector<int64_t>{1, 2, 2}}});
  add(OpKind::kSoftmax, "prob", "Softmax", {v}, y, {{"axis", int64_t{2}}, {"coerce_2d", int64_t{0}}});
  g.inputs() = {x};
  g.outputs() = {y};
  return g;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(GoldenTest, EmittedSourcesMatchTheCheckedInFiles) {
  CodegenOptions o;
  o.name = "golden";
  o.tool_version = "golden";
  o.model_file = "golden.onnx";
  o.model_hash = verification::HashBytes("golden");
  auto m = GenerateModel(GoldenModel(), o);
  ASSERT_TRUE(m.ok()) << m.status().message();
  const bool update = std::getenv("TML_UPDATE_GOLDENS") != nullptr;
  for (const GeneratedFile& f : m->files) {
    if (f.path.rfind("runtime/", 0) == 0) continue;  // copies of runtime/, tested there
    const std::string path = std::string(TML_GOLDEN_DIR) + "/" + f.path;
    if (update) {
      std::ofstream(path, std::ios::binary) << f.content;
      continue;
    }
    EXPECT_EQ(f.content, Read(path)) << path << " differs; if the change is intended, rerun with "
                                     << "TML_UPDATE_GOLDENS=1 and review the diff";
  }
}

}  // namespace
}  // namespace tml::codegen
