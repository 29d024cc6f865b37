#include "codegen/model_emitter.h"
#include "codegen/runtime_files.h"
#include "verification/manifest.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace tml::codegen {
namespace {

// x [1,4] -> Gemm 'fc' (W [3,4], transB) -> Relu 'act' -> Gemm 'fc2' -> y [1,2]
Graph SmallMlp() {
  Graph g;
  g.producer = "test";
  g.opset = 14;
  Tensor x{"x", DType::kFloat32, {1, 4}, TensorRole::kInput, {}, {}};
  const TensorId xi = g.AddTensor(x);
  Tensor w{"W", DType::kFloat32, {3, 4}, TensorRole::kConstant, {}, {}};
  for (int i = 0; i < 12; ++i) w.f32.push_back(0.1f * static_cast<float>(i) - 0.5f);
  const TensorId wi = g.AddTensor(w);
  const TensorId bi = g.AddTensor({"B", DType::kFloat32, {3}, TensorRole::kConstant, {1, 2, 3}, {}});
  const TensorId hi = g.AddTensor({"h", DType::kFloat32, {1, 3}, TensorRole::kActivation, {}, {}});
  const TensorId ri = g.AddTensor({"r", DType::kFloat32, {1, 3}, TensorRole::kActivation, {}, {}});
  const TensorId w2 = g.AddTensor({"W2", DType::kFloat32, {2, 3}, TensorRole::kConstant,
                                   {1, 0, -1, 0.5f, 0.25f, 2}, {}});
  const TensorId yi = g.AddTensor({"y", DType::kFloat32, {1, 2}, TensorRole::kOutput, {}, {}});
  Node fc;
  fc.op = OpKind::kGemm;
  fc.name = "fc";
  fc.onnx_op_type = "Gemm";
  fc.opset = 14;
  fc.inputs = {xi, wi, bi};
  fc.outputs = {hi};
  fc.attrs = {{"transA", int64_t{0}}, {"transB", int64_t{1}}, {"alpha", 1.0f}, {"beta", 1.0f}};
  g.AddNode(fc);
  Node act;
  act.op = OpKind::kRelu;
  act.name = "act";
  act.onnx_op_type = "Relu";
  act.inputs = {hi};
  act.outputs = {ri};
  g.AddNode(act);
  Node fc2 = fc;
  fc2.name = "fc2";
  fc2.inputs = {ri, w2, kNoTensor};
  fc2.outputs = {yi};
  g.AddNode(fc2);
  g.inputs() = {xi};
  g.outputs() = {yi};
  return g;
}

const GeneratedFile* Find(const GeneratedModel& m, const std::string& path) {
  for (const GeneratedFile& f : m.files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

CodegenOptions Options() {
  CodegenOptions o;
  o.name = "mlp";
  o.tool_version = "0.0.test";
  o.model_file = "mlp.onnx";
  o.model_hash = verification::HashBytes("model bytes");
  return o;
}

TEST(ModelEmitterTest, WritesSourcesHeaderRuntimeAndFragments) {
  auto m = GenerateModel(SmallMlp(), Options());
  ASSERT_TRUE(m.ok()) << m.status().message();
  for (const char* path : {"mlp.c", "mlp.h", "mlp.cmake", "mlp.mk", "runtime/include/tml_kernels.h",
                           "runtime/src/tml_fully_connected_f32.c", "runtime/src/tml_relu_f32.c"}) {
    EXPECT_NE(Find(*m, path), nullptr) << path;
  }
  EXPECT_EQ(Find(*m, "runtime/src/tml_lstm_f32.c"), nullptr) << "only the kernels the model calls";
  EXPECT_EQ(m->input_size, 4);
  EXPECT_EQ(m->output_size, 2);
  EXPECT_FALSE(m->has_step);
  EXPECT_EQ(m->weight_bytes, (12 + 3 + 6) * 4);
  const std::string& cmake = Find(*m, "mlp.cmake")->content;
  EXPECT_NE(cmake.find("${CMAKE_CURRENT_LIST_DIR}/runtime/src/tml_fully_connected_f32.c"), std::string::npos);
  const std::string& h = Find(*m, "mlp.h")->content;
  EXPECT_NE(h.find("int mlp_invoke(const float *input, float *output);"), std::string::npos);
  EXPECT_NE(h.find("#define MLP_INPUT_SIZE 4"), std::string::npos);
}

// The estimated M4 text per linked runtime source (the table measured when the tool was
// built): one entry per runtime/src/*.c the output holds, positive, largest first; nothing
// when that build had no arm-none-eabi-gcc.
TEST(ModelEmitterTest, KernelTextCoversEveryLinkedRuntimeSource) {
  auto m = GenerateModel(SmallMlp(), Options());
  ASSERT_TRUE(m.ok());
  if (RuntimeFunctionTexts().empty()) {
    EXPECT_TRUE(m->kernel_text.empty());
    EXPECT_TRUE(m->kernel_text_compiler.empty());
    GTEST_SKIP() << "tool built without arm-none-eabi-gcc";
  }
  std::set<std::string> linked, listed;
  for (const GeneratedFile& f : m->files) {
    if (f.path.rfind("runtime/src/", 0) == 0) linked.insert(f.path.substr(12, f.path.size() - 14));
  }
  for (size_t i = 0; i < m->kernel_text.size(); ++i) {
    const auto& k = m->kernel_text[i];
    listed.insert(k.kernel);
    EXPECT_GT(k.bytes, 0) << k.kernel;
    if (i > 0) {
      EXPECT_GE(m->kernel_text[i - 1].bytes, k.bytes);
    }
  }
  EXPECT_EQ(listed, linked);
  EXPECT_TRUE(listed.count("tml_fully_connected_f32"));
  EXPECT_EQ(m->kernel_text_compiler.rfind("arm-none-eabi-gcc ", 0), 0u) << m->kernel_text_compiler;
}

TEST(ModelEmitterTest, LayerArenaBytesAreTheBuffersAliveAtEachNode) {
  auto m = GenerateModel(SmallMlp(), Options());
  ASSERT_TRUE(m.ok());
  // fc writes h (12 bytes); act reads h and writes r (both alive); fc2 reads r.
  EXPECT_EQ(m->layer_arena_bytes, (std::vector<int64_t>{12, 24, 12}));
  EXPECT_LE(24, m->arena_bytes);
}

TEST(ModelEmitterTest, CommentNamesEachNodeBeforeItsCall) {
  auto m = GenerateModel(SmallMlp(), Options());
  ASSERT_TRUE(m.ok());
  const std::string& c = Find(*m, "mlp.c")->content;
  const size_t comment = c.find("/* node 'fc' (Gemm) */");
  ASSERT_NE(comment, std::string::npos);
  EXPECT_LT(comment, c.find("tml_fully_connected_f32(", comment));
  EXPECT_NE(c.find("tml_fully_connected_f32(", comment), std::string::npos);
  EXPECT_NE(c.find("/* node 'act' (Relu) */"), std::string::npos);
  EXPECT_NE(c.find("static const float mlp_w0[12] TML_ALIGN(16)"), std::string::npos);
  EXPECT_NE(c.find("fnv1a64:"), std::string::npos) << "provenance carries the model hash";
  EXPECT_NE(c.find("generated by tinyml-compile 0.0.test"), std::string::npos);
  EXPECT_NE(c.find("#if defined(TML_PROFILE)"), std::string::npos);
}

TEST(ModelEmitterTest, ArenaReusesMemoryAlongAChain) {
  auto m = GenerateModel(SmallMlp(), Options());
  ASSERT_TRUE(m.ok());
  // h and r are alive together at 'act'; y is the caller's buffer.
  EXPECT_EQ(m->arena_bytes, 32);
}

TEST(ModelEmitterTest, IdenticalInputGivesIdenticalBytes) {
  auto a = GenerateModel(SmallMlp(), Options());
  auto b = GenerateModel(SmallMlp(), Options());
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->files.size(), b->files.size());
  for (size_t i = 0; i < a->files.size(); ++i) {
    EXPECT_EQ(a->files[i].path, b->files[i].path);
    EXPECT_EQ(a->files[i].content, b->files[i].content) << a->files[i].path;
  }
}

TEST(ModelEmitterTest, RejectsBadNames) {
  CodegenOptions o = Options();
  o.name = "my-model";
  auto m = GenerateModel(SmallMlp(), o);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("not a C identifier"), std::string::npos);
}

TEST(ModelEmitterTest, ListsEveryNodeWithoutAnEmitter) {
  Graph g = SmallMlp();
  for (const char* name : {"s1", "s2"}) {
    Node shape;
    shape.op = OpKind::kShape;
    shape.name = name;
    shape.onnx_op_type = "Shape";
    shape.inputs = {g.inputs()[0]};
    shape.outputs = {g.AddTensor({std::string(name) + "_out", DType::kInt64, {2},
                                  TensorRole::kActivation, {}, {}})};
    g.AddNode(shape);
  }
  auto m = GenerateModel(g, Options());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidInput);
}

TEST(HashBytesTest, IsFnv1a64) {
  EXPECT_EQ(verification::HashBytes(""), "fnv1a64:cbf29ce484222325");
  EXPECT_EQ(verification::HashBytes("a"), "fnv1a64:af63dc4c8601ec8c");
}

}  // namespace
}  // namespace tml::codegen
