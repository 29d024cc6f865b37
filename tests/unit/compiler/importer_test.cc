#include "compiler/onnx/importer.h"

#include <gtest/gtest.h>

#include "compiler/inspect.h"
#include "compiler/ir/verifier.h"
#include "compiler/reference/interpreter.h"
#include "onnx_builder.h"

namespace tml {
namespace {

using testing::OnnxBuilder;

// LSTM(I=3, H=5) over 4 steps, batch 1, then Gemm 5 -> 2 on the last hidden
// state, with PyTorch's exporter plumbing for h0/c0:
// Shape(x) -> Gather(1) -> Unsqueeze -> Concat([1, b, 5]) -> ConstantOfShape -> LSTM.
OnnxBuilder LstmWithPlumbing() {
  OnnxBuilder b(14);
  b.Input("x", {4, 1, 3}).Output("y", {1, 2});
  b.Ramp("W", {1, 20, 3}).Ramp("R", {1, 20, 5}).Ramp("B", {1, 40});
  b.Ramp("fc_w", {2, 5}).Ramp("fc_b", {2});
  b.Ints("one", {1}, {1}).Ints("hidden", {1}, {5}).Ints("batch_index", {}, {1});
  b.Ints("unsq_axes", {1}, {0});
  b.Node("Shape", {"x"}, {"x_shape"}, "shape");
  b.Node("Gather", {"x_shape", "batch_index"}, {"batch"}, "gather");
  b.Node("Unsqueeze", {"batch", "unsq_axes"}, {"batch_1d"}, "unsqueeze");
  auto& concat = b.Node("Concat", {"one", "batch_1d", "hidden"}, {"h0_shape"}, "concat");
  OnnxBuilder::IntAttr(concat, "axis", 0);
  b.Node("ConstantOfShape", {"h0_shape"}, {"h0"}, "zeros");
  auto& lstm = b.Node("LSTM", {"x", "W", "R", "B", "", "h0", "h0"}, {"Y", "Y_h", "Y_c"}, "lstm");
  OnnxBuilder::IntAttr(lstm, "hidden_size", 5);
  b.Node("Identity", {"Y_h"}, {"Y_h_id"}, "identity");
  b.Ints("sq_axes", {1}, {0});
  b.Node("Squeeze", {"Y_h_id", "sq_axes"}, {"h_last"}, "squeeze");
  b.Node("Dropout", {"h_last"}, {"h_drop"}, "dropout");
  auto& gemm = b.Node("Gemm", {"h_drop", "fc_w", "fc_b"}, {"y"}, "fc");
  OnnxBuilder::IntAttr(gemm, "transB", 1);
  return b;
}

TEST(ImporterTest, FoldsPyTorchPlumbingAndDropsIdentityAndDropout) {
  auto imported = ImportOnnxBytes(LstmWithPlumbing().Bytes(), "plumbing.onnx");
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  const Graph& g = imported->graph;
  ASSERT_TRUE(VerifyGraph(g).ok());
  std::vector<OpKind> ops;
  for (const Node& n : g.nodes()) ops.push_back(n.op);
  // Shape/Gather/Unsqueeze/Concat/ConstantOfShape folded; Identity and Dropout
  // gone; Squeeze became a static reshape.
  EXPECT_EQ(ops, (std::vector<OpKind>{OpKind::kLstm, OpKind::kReshape, OpKind::kGemm}));
  const Node& lstm = g.nodes()[0];
  ASSERT_NE(lstm.input(5), kNoTensor);
  const Tensor& h0 = g.tensor(lstm.input(5));
  EXPECT_TRUE(h0.is_constant());
  EXPECT_EQ(h0.shape, (Shape{1, 1, 5}));
  EXPECT_EQ(h0.f32, std::vector<float>(5, 0.f));
}

TEST(ImporterTest, InspectCountsMatchHandCounts) {
  auto imported = ImportOnnxBytes(LstmWithPlumbing().Bytes(), "plumbing.onnx");
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  ModelSummary s = SummarizeGraph(imported->graph);
  // By hand: LSTM W 20x3=60, R 20x5=100, B 40, h0 and c0 (constant zeros) 5+5
  // -> 210 parameters; Gemm 2x5 + 2 = 12. Total 222 (888 bytes as float32).
  // MACs: LSTM 4 steps x 4 gates x 5 x (3 + 5) = 640; Gemm 1x2x5 = 10. Total 650.
  ASSERT_EQ(s.nodes.size(), 3u);
  EXPECT_EQ(s.nodes[0].parameters, 210);
  EXPECT_EQ(s.nodes[0].macs, 640);
  EXPECT_EQ(s.nodes[2].parameters, 12);
  EXPECT_EQ(s.nodes[2].macs, 10);
  EXPECT_EQ(s.parameters, 222);
  EXPECT_EQ(s.float32_bytes, 888);
  EXPECT_EQ(s.macs, 650);
  ASSERT_EQ(s.candidates.size(), 3u);
  EXPECT_EQ(s.candidates[0].role, "W");
  EXPECT_EQ(s.candidates[0].rows, 20);
  EXPECT_EQ(s.candidates[0].cols, 3);
  EXPECT_EQ(s.candidates[1].role, "R");
  EXPECT_EQ(s.candidates[1].cols, 5);
  EXPECT_EQ(s.candidates[2].role, "weight");
  EXPECT_EQ(s.candidates[2].rows, 2);
  EXPECT_EQ(s.candidates[2].cols, 5);
}

TEST(ImporterTest, ReferenceRunsTheImportedGraph) {
  auto imported = ImportOnnxBytes(LstmWithPlumbing().Bytes(), "plumbing.onnx");
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  Tensor x;
  x.shape = {4, 1, 3};
  x.f32 = {0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f, 0.7f, 0.8f, 0.9f, -1.f, 0.f, 0.2f};
  auto out = Interpreter(imported->graph).Run({x});
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].shape, (Shape{1, 2}));
  for (float v : (*out)[0].f32) EXPECT_TRUE(std::isfinite(v));
}

TEST(ImporterTest, UnsupportedOpsAreAllListed) {
  OnnxBuilder b(13);
  b.Input("x", {1, 4}).Output("y", {1, 4});
  b.Node("Exp", {"x"}, {"a"}, "first_bad");
  b.Node("Relu", {"a"}, {"b"}, "fine");
  b.Node("Log", {"b"}, {"y"}, "second_bad");
  auto imported = ImportOnnxBytes(b.Bytes(), "m.onnx");
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), StatusCode::kInvalidInput);
  const std::string& msg = imported.status().message();
  EXPECT_NE(msg.find("m.onnx: 2 unsupported nodes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'first_bad' (Exp, opset 13)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'second_bad' (Log, opset 13)"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("fine"), std::string::npos) << msg;
}

// Token ids: an int64 (or int32) input feeding Gather imports as an integer
// input and the reference looks the embedding rows up; out-of-range ids are an
// error naming the node.
TEST(ImporterTest, IntegerInputFeedsAnEmbeddingLookup) {
  for (int elem : {onnx::TensorProto::INT64, onnx::TensorProto::INT32}) {
    OnnxBuilder b(13);
    b.Input("ids", {1, 3}, elem).Output("y", {1, 3, 2});
    b.Floats("table", {4, 2}, {0, 1, 10, 11, 20, 21, 30, 31});
    b.Node("Gather", {"table", "ids"}, {"y"}, "embed");
    auto imported = ImportOnnxBytes(b.Bytes(), "lm.onnx");
    ASSERT_TRUE(imported.ok()) << imported.status().message();
    const Graph& g = imported->graph;
    EXPECT_EQ(g.tensor(g.inputs()[0]).dtype, DType::kInt64);
    Tensor ids;
    ids.dtype = DType::kInt64;
    ids.shape = {1, 3};
    ids.i64 = {3, 0, 2};
    auto out = Interpreter(g).Run({ids});
    ASSERT_TRUE(out.ok()) << out.status().message();
    EXPECT_EQ((*out)[0].f32, (std::vector<float>{30, 31, 0, 1, 20, 21}));
    ids.i64 = {3, 4, 2};
    auto bad = Interpreter(g).Run({ids});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().message().find("index 4 is out of range"), std::string::npos)
        << bad.status().message();
    Tensor floats;
    floats.shape = {1, 3};
    floats.f32 = {0, 1, 2};
    EXPECT_FALSE(Interpreter(g).Run({floats}).ok());
  }
}

TEST(ImporterTest, IntegerInputOutsideGatherIsRefused) {
  OnnxBuilder b(13);
  b.Input("x", {1, 2}, onnx::TensorProto::INT64).Output("y", {1, 2});
  OnnxBuilder::IntAttr(b.Node("Cast", {"x"}, {"y"}, "to_float"), "to", onnx::TensorProto::FLOAT);
  auto imported = ImportOnnxBytes(b.Bytes(), "m.onnx");
  ASSERT_FALSE(imported.ok());
  const std::string& msg = imported.status().message();
  EXPECT_NE(msg.find("graph input 'x' holds integers and feeds node 'to_float' (Cast"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("Gather indices (an embedding lookup) only"), std::string::npos) << msg;

  OnnxBuilder f(13);
  f.Input("x", {1, 2}, onnx::TensorProto::FLOAT16).Output("y", {1, 2});
  OnnxBuilder::IntAttr(f.Node("Cast", {"x"}, {"y"}), "to", onnx::TensorProto::FLOAT);
  auto half = ImportOnnxBytes(f.Bytes(), "h.onnx");
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.status().message().find("has element type FLOAT16"), std::string::npos)
      << half.status().message();
}

TEST(ImporterTest, DynamicDimensionNeedsInputShape) {
  OnnxBuilder b(13);
  b.DynamicInput("x", "batch", 4).Output("y", {2, 4});
  b.Node("Relu", {"x"}, {"y"}, "act");
  auto failed = ImportOnnxBytes(b.Bytes(), "dyn.onnx");
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("input 'x' has dynamic shape [batch, 4]"),
            std::string::npos)
      << failed.status().message();
  ImportOptions options;
  options.input_shapes["x"] = {2, 4};
  auto imported = ImportOnnxBytes(b.Bytes(), "dyn.onnx", options);
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  EXPECT_EQ(imported->graph.tensor(imported->graph.outputs()[0]).shape, (Shape{2, 4}));
}

TEST(ImporterTest, NonFiniteWeightsWarnNamingTheTensor) {
  OnnxBuilder b(13);
  b.Input("x", {1, 2}).Output("y", {1, 2});
  b.Floats("bad_w", {2, 2}, {1.f, NAN, INFINITY, 0.f});
  b.Node("MatMul", {"x", "bad_w"}, {"y"}, "mm");
  auto imported = ImportOnnxBytes(b.Bytes(), "nan.onnx");
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  ASSERT_EQ(imported->warnings.size(), 1u);
  EXPECT_NE(imported->warnings[0].find("tensor 'bad_w' holds 2 NaN/Inf values"), std::string::npos)
      << imported->warnings[0];
}

TEST(ImporterTest, GarbageIsNotAModel) {
  auto imported = ImportOnnxBytes(std::string("\xff\xff\xff garbage", 11), "junk.onnx");
  ASSERT_FALSE(imported.ok());
  EXPECT_NE(imported.status().message().find("junk.onnx: "), std::string::npos);
}

TEST(ImporterTest, ParseInputShape) {
  auto named = ParseInputShape("x=1,8,8");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->first, "x");
  EXPECT_EQ(named->second, (Shape{1, 8, 8}));
  EXPECT_FALSE(ParseInputShape("x=1,,8").ok());
  EXPECT_FALSE(ParseInputShape("x=0").ok());
}

}  // namespace
}  // namespace tml
