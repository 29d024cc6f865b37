// Int8 activations between int8 fully connected layers (codegen/int8_links.h):
// which tensors stay int8, which Relus fold into the layer before them, and
// what the emitted C does with them.
#include "codegen/int8_links.h"

#include <gtest/gtest.h>

#include "codegen/model_emitter.h"
#include "verification/manifest.h"
#include "passes/quantize.h"

namespace tml::codegen {
namespace {

Node Fc(const std::string& name, TensorId x, TensorId w, TensorId y) {
  Node fc;
  fc.op = OpKind::kGemm;
  fc.name = name;
  fc.onnx_op_type = "Gemm";
  fc.opset = 14;
  fc.inputs = {x, w, kNoTensor};
  fc.outputs = {y};
  fc.attrs = {{"transA", int64_t{0}}, {"transB", int64_t{1}}, {"alpha", 1.0f}, {"beta", 1.0f}};
  return fc;
}

// x [1,4] -> fc -> h -> activation -> r -> fc2 -> y [1,2]; `relu_is_output`
// also makes r a graph output.
Graph FcReluFc(bool relu_is_output = false, OpKind activation = OpKind::kRelu) {
  Graph g;
  g.producer = "test";
  g.opset = 14;
  const TensorId x = g.AddTensor({"x", DType::kFloat32, {1, 4}, TensorRole::kInput, {}, {}});
  Tensor w{"W", DType::kFloat32, {3, 4}, TensorRole::kConstant, {}, {}};
  for (int i = 0; i < 12; ++i) w.f32.push_back(0.1f * static_cast<float>(i) - 0.5f);
  const TensorId wi = g.AddTensor(w);
  const TensorId h = g.AddTensor({"h", DType::kFloat32, {1, 3}, TensorRole::kActivation, {}, {}});
  const TensorId r = g.AddTensor({"r", DType::kFloat32, {1, 3}, TensorRole::kActivation, {}, {}});
  const TensorId w2 = g.AddTensor({"W2", DType::kFloat32, {2, 3}, TensorRole::kConstant,
                                   {1, 0, -1, 0.5f, 0.25f, 2}, {}});
  const TensorId y = g.AddTensor({"y", DType::kFloat32, {1, 2}, TensorRole::kOutput, {}, {}});
  g.AddNode(Fc("fc", x, wi, h));
  Node act;
  act.op = activation;
  act.name = "act";
  act.onnx_op_type = activation == OpKind::kRelu ? "Relu" : "Tanh";
  act.inputs = {h};
  act.outputs = {r};
  g.AddNode(act);
  g.AddNode(Fc("fc2", r, w2, y));
  g.inputs() = {x};
  g.outputs() = {y};
  if (relu_is_output) g.outputs().push_back(r);
  return g;
}

void Calibrate(Graph* g) {
  Tensor data{"x", DType::kFloat32, {16, 1, 4}, TensorRole::kInput, {}, {}};
  for (int i = 0; i < 64; ++i) data.f32.push_back(static_cast<float>((i * 37) % 19) / 9.0f - 1.0f);
  std::string summary;
  ASSERT_TRUE(CalibrateInt8(g, {data}, {"calib"}, &summary).ok());
}

// mlp.c of the generated sources ("" when generation fails).
std::string GeneratedC(const Graph& g) {
  CodegenOptions o;
  o.name = "mlp";
  o.tool_version = "0.0.test";
  o.model_file = "mlp.onnx";
  o.model_hash = verification::HashBytes("model bytes");
  auto m = GenerateModel(g, o);
  EXPECT_TRUE(m.ok()) << m.status().message();
  if (!m.ok()) return "";
  for (const GeneratedFile& f : m->files) {
    if (f.path == "mlp.c") return f.content;
  }
  return "";
}

// The schedule alone: mlp_invoke_io's body (mlp_invoke_s8 adds its own boundary
// quantize / dequantize, codegen/model_api.h).
std::string Schedule(const std::string& c) {
  const size_t begin = c.find("int mlp_invoke_io(");
  const size_t end = c.find("int mlp_invoke(", begin);
  if (begin == std::string::npos || end == std::string::npos) return "";
  return c.substr(begin, end - begin);
}

TEST(Int8LinksTest, ReluBetweenInt8LayersFoldsAndItsOutputStaysInt8) {
  Graph g = FcReluFc();
  Calibrate(&g);
  const Int8Links links = FindInt8Links(g);
  const TensorId h = g.nodes()[0].output(0), r = g.nodes()[1].output(0);
  EXPECT_TRUE(links.IsInt8(r));
  EXPECT_FALSE(links.IsInt8(h));
  EXPECT_TRUE(links.IsFoldedRelu(1));
  ASSERT_EQ(links.write_instead.count(h), 1u);
  EXPECT_EQ(links.write_instead.at(h), r);
  // r's format is fc2's input format: the calibrated range of the Relu output.
  const std::vector<float> plan2 = g.nodes()[2].GetFloats(kInt8Attr);
  EXPECT_DOUBLE_EQ(links.format.at(r).first, plan2[0]);
  EXPECT_EQ(links.format.at(r).second, static_cast<int32_t>(plan2[1]));
  EXPECT_EQ(links.format.at(r).second, -128) << "a Relu output's range starts at 0";
}

TEST(Int8LinksTest, NothingLinksWithoutInt8PlansOrWhenTheTensorIsAnOutput) {
  EXPECT_TRUE(FindInt8Links(FcReluFc()).int8_tensors.empty()) << "float model";
  Graph g = FcReluFc(/*relu_is_output=*/true);
  Calibrate(&g);
  const Int8Links links = FindInt8Links(g);
  EXPECT_TRUE(links.int8_tensors.empty());
  EXPECT_TRUE(links.folded_relus.empty());
}

TEST(Int8LinksTest, EmittedCodeQuantizesOnceAndDequantizesOnce) {
  Graph g = FcReluFc();
  Calibrate(&g);
  const std::string all = GeneratedC(g);
  const std::string c = Schedule(all);
  ASSERT_FALSE(c.empty());
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t p = c.find(what); p != std::string::npos; p = c.find(what, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("TML_TRY(tml_quantize_s8("), 1u);
  EXPECT_EQ(count("TML_TRY(tml_fully_connected_s8("), 2u);
  EXPECT_EQ(count("TML_TRY(tml_dequantize_s8("), 1u);
  EXPECT_EQ(count("tml_relu_f32("), 0u);
  EXPECT_NE(c.find("folded into the int8 layer before it"), std::string::npos);
  // fc clamps at the Relu output's zero point (-128): its params are {-128, -128, 127, shifts}.
  EXPECT_NE(all.find("= {-128, -128, 127, "), std::string::npos) << all;
}

TEST(Int8LinksTest, TanhBetweenInt8LayersRunsAsAnInt8Table) {
  Graph g = FcReluFc(false, OpKind::kTanh);
  Calibrate(&g);
  const Int8Links links = FindInt8Links(g);
  const TensorId h = g.nodes()[0].output(0), r = g.nodes()[1].output(0);
  EXPECT_TRUE(links.IsInt8(h));
  EXPECT_TRUE(links.IsInt8(r));
  EXPECT_TRUE(links.IsTableActivation(r));
  EXPECT_TRUE(links.folded_relus.empty());
  // h keeps fc's calibrated output format; r gets fc2's input format.
  const std::vector<float> plan = g.nodes()[0].GetFloats(kInt8Attr);
  EXPECT_DOUBLE_EQ(links.format.at(h).first, plan[2]);
  const std::string c = Schedule(GeneratedC(g));
  ASSERT_FALSE(c.empty());
  EXPECT_NE(c.find("TML_TRY(tml_lut_s8("), std::string::npos);
  EXPECT_EQ(c.find("tml_tanh_f32("), std::string::npos);
  EXPECT_EQ(c.find("tml_quantize_s8(", c.find("tml_quantize_s8(") + 1), std::string::npos)
      << "one quantize, at the model input";
}

TEST(Int8LinksTest, SoftmaxAfterAnInt8LayerRunsInt8) {
  Graph g = FcReluFc();
  // y -> Softmax -> p (the new graph output).
  const TensorId y = g.outputs()[0];
  const TensorId p = g.AddTensor({"p", DType::kFloat32, {1, 2}, TensorRole::kOutput, {}, {}});
  g.tensor(y).role = TensorRole::kActivation;
  Node softmax;
  softmax.op = OpKind::kSoftmax;
  softmax.name = "softmax";
  softmax.onnx_op_type = "Softmax";
  softmax.opset = 13;
  softmax.inputs = {y};
  softmax.outputs = {p};
  softmax.attrs = {{"axis", int64_t{1}}};
  g.AddNode(softmax);
  g.outputs() = {p};
  Calibrate(&g);
  const Int8Links links = FindInt8Links(g);
  EXPECT_TRUE(links.IsInt8(y));
  EXPECT_EQ(links.int8_softmax.count(p), 1u);
  const std::string c = GeneratedC(g);
  EXPECT_NE(c.find("TML_TRY(tml_softmax_s8("), std::string::npos) << c;
  EXPECT_EQ(c.find("tml_softmax_f32("), std::string::npos);
}

}  // namespace
}  // namespace tml::codegen
