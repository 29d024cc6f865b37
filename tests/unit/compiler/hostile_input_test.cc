// Hostile input on the importer / data / IR side (issue 19): overflow-checked
// shape arithmetic, the .npy reader's checks and limits, the importer's
// resource limits, opsets, names, and the shape checks of the op families.
#include <cstdio>
#include <fstream>
#include <limits>

#include <gtest/gtest.h>

#include "compiler/driver/model.h"
#include "compiler/ir/verifier.h"
#include "compiler/npy.h"
#include "compiler/observer.h"
#include "compiler/onnx/importer.h"
#include "onnx_builder.h"

namespace tml {
namespace {

using testing::OnnxBuilder;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// ---- Shape arithmetic ----

TEST(ShapeArithmeticTest, CheckedNumElements) {
  int64_t n = -7;
  EXPECT_TRUE(CheckedNumElements({}, &n));
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(CheckedNumElements({2, 3, 4}, &n));
  EXPECT_EQ(n, 24);
  EXPECT_TRUE(CheckedNumElements({5, 0, int64_t{1} << 62}, &n));
  EXPECT_EQ(n, 0);
  n = -7;
  EXPECT_FALSE(CheckedNumElements({int64_t{1} << 62, 4}, &n));  // 2^64
  EXPECT_FALSE(CheckedNumElements({int64_t{1} << 32, int64_t{1} << 32}, &n));
  EXPECT_FALSE(CheckedNumElements({3, -1}, &n));
  EXPECT_EQ(n, -7);  // untouched on failure
  EXPECT_TRUE(CheckedNumElements({int64_t{1} << 31, int64_t{1} << 31}, &n));
  EXPECT_EQ(n, int64_t{1} << 62);
}

TEST(ShapeArithmeticTest, NumElementsSaturatesInsteadOfOverflowing) {
  EXPECT_EQ(NumElements({}), 1);
  EXPECT_EQ(NumElements({1, 8, 128}), 1024);
  EXPECT_EQ(NumElements({int64_t{1} << 62, 4}), kMax);
  EXPECT_EQ(NumElements({int64_t{1} << 62, 4, 0}), 0);
  Tensor t;
  t.shape = {int64_t{1} << 40, int64_t{1} << 40};
  EXPECT_EQ(t.num_elements(), kMax);
}

TEST(ShapeArithmeticTest, CheckedMulAddAndSaturatingMul) {
  int64_t r = 0;
  EXPECT_TRUE(CheckedMul(int64_t{1} << 31, int64_t{1} << 31, &r));
  EXPECT_EQ(r, int64_t{1} << 62);
  EXPECT_FALSE(CheckedMul(int64_t{1} << 62, 2, &r));
  EXPECT_FALSE(CheckedMul(kMax, -2, &r));
  EXPECT_TRUE(CheckedAdd(kMax - 1, 1, &r));
  EXPECT_EQ(r, kMax);
  EXPECT_FALSE(CheckedAdd(kMax, 1, &r));
  EXPECT_EQ(SaturatingMul(3, 4), 12);
  EXPECT_EQ(SaturatingMul(int64_t{1} << 40, int64_t{1} << 40), kMax);
}

// ---- .npy reader ----

std::string NpyBytes(const std::string& shape, const std::string& descr, size_t body_bytes,
                     int version = 1) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  header += std::string((64 - (10 + header.size() + 1) % 64) % 64, ' ') + "\n";
  std::string bytes = std::string("\x93NUMPY", 6) + static_cast<char>(version) + '\0';
  if (version == 1) {
    bytes += static_cast<char>(header.size() & 0xff);
    bytes += static_cast<char>(header.size() >> 8);
  } else {
    for (int i = 0; i < 4; ++i) bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  }
  return bytes + header + std::string(body_bytes, '\0');
}

std::string WriteTemp(const std::string& name, const std::string& bytes) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string NpyError(const std::string& bytes, const NpyLimits& limits = {}) {
  const std::string path = WriteTemp("hostile.npy", bytes);
  StatusOr<Tensor> t = ReadNpy(path, limits);
  std::remove(path.c_str());
  if (t.ok()) return "(read fine)";
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidInput);
  EXPECT_TRUE(Contains(t.status().message(), "hostile.npy: ")) << t.status().message();
  return t.status().message();
}

TEST(NpyLimitsTest, OverflowingShapeIsRejectedBeforeReading) {
  EXPECT_TRUE(Contains(NpyError(NpyBytes("(4611686018427387904, 4)", "<f4", 16)),
                       "more elements than can be counted"));
  EXPECT_TRUE(Contains(NpyError(NpyBytes("(4294967296, 4294967296, 2)", "<f4", 16)),
                       "more elements than can be counted"));
  // Fits in int64, but the bytes (count x 8) do not: still no read past the buffer.
  EXPECT_TRUE(Contains(NpyError(NpyBytes("(2305843009213693952,)", "<f8", 16)), "truncated"));
  EXPECT_TRUE(Contains(NpyError(NpyBytes("(1099511627776, 4)", "<f4", 16)), "truncated"));
}

TEST(NpyLimitsTest, MalformedShapes) {
  for (const char* shape : {"(5, 'four')", "(3, -1)", "(99999999999999999999,)", "(2, 3x)", "7"}) {
    const std::string msg = NpyError(NpyBytes(shape, "<f4", 64));
    EXPECT_TRUE(Contains(msg, "shape")) << shape << ": " << msg;
  }
  std::string many = "(";
  for (int i = 0; i < 65; ++i) many += "1, ";
  many += ")";
  EXPECT_TRUE(Contains(NpyError(NpyBytes(many, "<f4", 4)), "more than 64 dimensions"));
  // No shape at all was once read as a scalar.
  std::string no_shape = NpyBytes("()", "<f4", 4);
  no_shape.replace(no_shape.find("'shape'"), 7, "'shope'");
  EXPECT_TRUE(Contains(NpyError(no_shape), "no valid 'shape'"));
}

TEST(NpyLimitsTest, AcceptsScalarsAndPython2Headers) {
  const std::string path = WriteTemp("py2.npy", NpyBytes("(2L, 3L)", "<f4", 24));
  StatusOr<Tensor> t = ReadNpy(path);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->shape, (Shape{2, 3}));
  EXPECT_EQ(t->f32.size(), 6u);
  const std::string scalar = WriteTemp("scalar.npy", NpyBytes("()", "<i8", 8));
  StatusOr<Tensor> s = ReadNpy(scalar);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->i64.size(), 1u);
  std::remove(path.c_str());
  std::remove(scalar.c_str());
}

TEST(NpyLimitsTest, HugeHeaderLength) {
  std::string bytes = NpyBytes("(4,)", "<f4", 16, 2);
  bytes[8] = bytes[9] = bytes[10] = bytes[11] = '\xff';  // header_len 4 GB
  EXPECT_TRUE(Contains(NpyError(bytes), "the .npy header is 4294967295 bytes"));
}

TEST(NpyLimitsTest, FileAndTensorSizeLimits) {
  NpyLimits limits;
  limits.max_bytes = int64_t{1} << 20;
  // The file itself is over the limit.
  EXPECT_TRUE(Contains(NpyError(NpyBytes("(300000,)", "<f4", 1200000), limits),
                       "more than the 1 MB tinyml-compile reads from one .npy file"));
  // A 200 KB file of int8 becomes 1.6 MB of int64.
  EXPECT_TRUE(Contains(NpyError(NpyBytes("(200000,)", "|i1", 200000), limits),
                       "takes 1600000 bytes in memory, more than the 1 MB"));
  const std::string dir = ::testing::TempDir();
  StatusOr<Tensor> d = ReadNpy(dir);
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(Contains(d.status().message(), "is a directory")) << d.status().message();
}

// ---- Importer: limits ----

std::string ImportError(const OnnxBuilder& b, const ImportOptions& options = {}) {
  StatusOr<ImportResult> r = ImportOnnxBytes(b.Bytes(), "m.onnx", options);
  if (r.ok()) return "(imported fine)";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput) << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(), "m.onnx: ")) << r.status().message();
  return r.status().message();
}

OnnxBuilder Relu(int opset = 13) {
  OnnxBuilder b(opset);
  b.Input("x", {1, 4}).Output("y", {1, 4});
  b.Node("Relu", {"x"}, {"y"}, "act");
  return b;
}

TEST(ImporterLimitsTest, TileBombIsRejectedBeforeFolding) {
  OnnxBuilder b = Relu();
  b.Floats("one", {1, 1}, {1.f}).Ints("reps", {2}, {65536, 65536});
  b.Node("Tile", {"one", "reps"}, {"huge"}, "bomb");
  const std::string msg = ImportError(b);
  EXPECT_TRUE(Contains(msg, "node 'bomb' (Tile, opset 13): output 'huge' has shape [65536, 65536] "
                            "(4,294,967,296 float32 values, 16 GB), more than the largest-tensor "
                            "limit of 256 MB; raise it with --max-tensor-mb"))
      << msg;
  // Repeats whose product overflows int64 are an error of the op, not UB.
  OnnxBuilder o = Relu();
  o.Floats("four", {4}, {1.f, 2.f, 3.f, 4.f}).Ints("reps", {1}, {int64_t{1} << 62});
  o.Node("Tile", {"four", "reps"}, {"huge"}, "bomb");
  EXPECT_TRUE(Contains(ImportError(o), "overflows the element count"));
}

TEST(ImporterLimitsTest, ConstantOfShapeAndReshapeOverflow) {
  OnnxBuilder c = Relu();
  c.Ints("s", {1}, {int64_t{1} << 40});
  c.Node("ConstantOfShape", {"s"}, {"big"}, "zeros");
  EXPECT_TRUE(Contains(ImportError(c), "node 'zeros' (ConstantOfShape, opset 13): output 'big'"));
  OnnxBuilder r = Relu();
  r.Floats("four", {4}, {1.f, 2.f, 3.f, 4.f}).Ints("s", {3}, {int64_t{1} << 62, 4, -1});
  r.Node("Reshape", {"four", "s"}, {"re"}, "re");
  EXPECT_TRUE(Contains(ImportError(r), "node 're' (Reshape, opset 13): shape"));
  OnnxBuilder e = Relu();
  e.Floats("four", {4}, {1.f, 2.f, 3.f, 4.f}).Ints("s", {2}, {int64_t{1} << 62, 4});
  e.Node("Expand", {"four", "s"}, {"ex"}, "ex");
  EXPECT_TRUE(Contains(ImportError(e), "node 'ex' (Expand, opset 13): output 'ex' has shape "
                                       "[4611686018427387904, 4]: its element count overflows"));
}

TEST(ImporterLimitsTest, FoldingWorkIsBounded) {
  OnnxBuilder b = Relu();
  b.Ints("s", {2}, {4096, 4096});
  b.Node("ConstantOfShape", {"s"}, {"a"}, "za");
  b.Node("MatMul", {"a", "a"}, {"c"}, "mm");
  EXPECT_TRUE(Contains(ImportError(b), "node 'mm' (MatMul, opset 13): all its inputs are constants"));
}

TEST(ImporterLimitsTest, EachLimitIsNamedWithItsFlag) {
  OnnxBuilder b(13);
  b.Input("x", {1, 256}).Output("y", {1, 256});
  b.Ramp("W", {256, 256});
  b.Node("MatMul", {"x", "W"}, {"y"}, "mm");
  ASSERT_EQ(ImportError(b), "(imported fine)");
  ImportOptions tensor;
  tensor.limits.max_tensor_bytes = 200000;  // W is 262,144 bytes
  EXPECT_TRUE(Contains(ImportError(b, tensor), "initializer 'W' has shape [256, 256] (65,536 float32 "
                                               "values, 262144 bytes), more than the largest-tensor "
                                               "limit of 200000 bytes; raise it with --max-tensor-mb"))
      << ImportError(b, tensor);
  ImportOptions weights;
  weights.limits.max_weight_bytes = 200000;
  EXPECT_TRUE(Contains(ImportError(b, weights), "initializer 'W': the model's constants (weights and "
                                                "folded constants) reach 262144 bytes with it, more "
                                                "than the limit of 200000 bytes; raise it with "
                                                "--max-weights-mb"));
  ImportOptions model;
  model.limits.max_model_bytes = 1000;
  EXPECT_TRUE(Contains(ImportError(b, model), "more than the model-file limit of 1000 bytes; raise "
                                              "it with --max-model-mb"));
  ImportOptions nodes;
  nodes.limits.max_nodes = 0;
  EXPECT_TRUE(Contains(ImportError(b, nodes), "the model has 1 node, more than the limit of 0; "
                                              "raise it with --max-nodes"));
  // Folded constants count towards the constants limit too.
  OnnxBuilder f = Relu();
  f.Ints("s", {2}, {256, 256});
  f.Node("ConstantOfShape", {"s"}, {"z"}, "zeros");
  EXPECT_TRUE(Contains(ImportError(f, weights), "node 'zeros' (ConstantOfShape, opset 13): output "
                                                "'z' (folded, shape [256, 256])"));
}

TEST(ImporterLimitsTest, InitializerCountIsBoundedOnTheWire) {
  OnnxBuilder b = Relu();
  for (int i = 0; i < 20; ++i) b.Floats("unused_" + std::to_string(i), {1}, {0.f});
  ImportOptions options;
  options.limits.max_nodes = 10;
  EXPECT_TRUE(Contains(ImportError(b, options), "the model has 20 initializers, more than the limit "
                                                "of 10"));
}

TEST(ImporterLimitsTest, GraphInputsAreChecked) {
  OnnxBuilder b(13);
  b.Input("x", {int64_t{1} << 31, 4}).Output("y", {int64_t{1} << 31, 4});
  b.Node("Relu", {"x"}, {"y"}, "act");
  EXPECT_TRUE(Contains(ImportError(b), "input 'x' has shape [2147483648, 4]"));
  OnnxBuilder d(13);
  d.DynamicInput("x", "batch", 4).Output("y", {1, 4});
  d.Node("Relu", {"x"}, {"y"}, "act");
  ImportOptions options;
  options.input_shapes["x"] = {1073741824, 4};
  EXPECT_TRUE(Contains(ImportError(d, options), "--max-tensor-mb"));
  options.limits.max_tensor_bytes = int64_t{1} << 40;  // past the limit, the int32 cap holds
  EXPECT_TRUE(Contains(ImportError(d, options), "4,294,967,296 elements, more than 2^31 - 1"));
}

TEST(ImporterLimitsTest, InitializerDimsAreCheckedBeforeTheData) {
  OnnxBuilder b = Relu();
  b.Floats("W", {int64_t{1} << 62, 4}, {});  // no data, dims that overflow
  EXPECT_TRUE(Contains(ImportError(b), "initializer 'W' has shape [4611686018427387904, 4]: its "
                                       "element count overflows 64 bits"));
}

// ---- Importer: opsets, attributes, names ----

TEST(ImporterOpsetTest, OnlySevenToSeventeen) {
  EXPECT_TRUE(Contains(ImportError(Relu(18)), "opset 18 is not supported: tinyml-compile reads "
                                              "ONNX opsets 7 to 17"));
  EXPECT_TRUE(Contains(ImportError(Relu(99)), "opset 99 is not supported"));
  EXPECT_TRUE(Contains(ImportError(Relu(1)), "opset 1 is older than the ONNX opsets 7 to 17 "
                                             "tinyml-compile reads, and 1 node changed meaning "
                                             "since: 'act' (Relu-1, Relu-6 in opset 7)"));
  for (int opset : {7, 13, 17}) EXPECT_EQ(ImportError(Relu(opset)), "(imported fine)") << opset;
  // Relu-6 is Relu at opset 7: read, with a warning.
  StatusOr<ImportResult> six = ImportOnnxBytes(Relu(6).Bytes(), "six.onnx");
  ASSERT_TRUE(six.ok()) << six.status().message();
  ASSERT_EQ(six->warnings.size(), 1u);
  EXPECT_TRUE(Contains(six->warnings[0], "six.onnx: opset 6 is older")) << six->warnings[0];
}

TEST(ImporterOpsetTest, GemmTransFlagsAreZeroOrOne) {
  OnnxBuilder b(13);
  b.Input("x", {1, 4}).Output("y", {1, 3});
  b.Ramp("W", {3, 4});
  OnnxBuilder::IntAttr(b.Node("Gemm", {"x", "W"}, {"y"}, "fc"), "transB", 7);
  EXPECT_TRUE(Contains(ImportError(b), "node 'fc' (Gemm, opset 13): attribute 'transB' must be 0 "
                                       "or 1, got 7"));
}

TEST(ImporterNamesTest, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_EQ(ToValidUtf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_FALSE(IsValidUtf8("a\xff"));
  EXPECT_EQ(ToValidUtf8("a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(ToValidUtf8("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong '/'
  EXPECT_EQ(ToValidUtf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(ToValidUtf8("x\xe2\x82"), "x\xef\xbf\xbd\xef\xbf\xbd");  // truncated
  EXPECT_EQ(ToValidUtf8("\xf4\x90\x80\x80"),  // above U+10FFFF
            "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");

  OnnxBuilder b(13);
  b.Input("x\xff", {1, 4}).Output("y", {1, 4});
  b.Node("Relu", {"x\xff"}, {"h\xc3("}, "n\xfe");
  b.Node("Relu", {"h\xc3("}, {"y"}, "n2");
  b.model().mutable_graph()->set_name("g\xff");
  StatusOr<ImportResult> r = ImportOnnxBytes(b.Bytes(), "utf8.onnx");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Graph& g = r->graph;
  EXPECT_TRUE(IsValidUtf8(g.name));
  for (const Tensor& t : g.tensors()) EXPECT_TRUE(IsValidUtf8(t.name)) << t.name;
  ASSERT_EQ(g.nodes().size(), 2u);
  EXPECT_EQ(g.nodes()[0].name, "n\xef\xbf\xbd");
  EXPECT_EQ(g.tensor(g.inputs()[0]).name, "x\xef\xbf\xbd");
  EXPECT_TRUE(VerifyGraph(g).ok());
}

TEST(ImporterNamesTest, ParseInputShapeRanges) {
  EXPECT_FALSE(ParseInputShape("x=99999999999999999999,4").ok());
  StatusOr<std::pair<std::string, Shape>> big = ParseInputShape("x=4294967296,1");
  ASSERT_FALSE(big.ok());
  EXPECT_TRUE(Contains(big.status().message(), "larger than 2^31 - 1"));
  EXPECT_TRUE(ParseInputShape("x=2147483647,1").ok());
  EXPECT_FALSE(ParseInputShape("x\xff=1,4").ok());
}

// ---- Ops: shape arithmetic that used to overflow ----

TEST(OpsOverflowTest, SliceWithExtremeStepsTakesOneElement) {
  for (int64_t step : {kMax, std::numeric_limits<int64_t>::min()}) {
    OnnxBuilder b = Relu();
    b.Floats("data", {10}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    const int64_t start = step > 0 ? 2 : -3;
    const int64_t end = step > 0 ? kMax : std::numeric_limits<int64_t>::min();
    b.Ints("starts", {1}, {start}).Ints("ends", {1}, {end}).Ints("axes", {1}, {0});
    b.Ints("steps", {1}, {step});
    b.Node("Slice", {"data", "starts", "ends", "axes", "steps"}, {"s"}, "slice");
    // The folded constant stays among the tensors (its node is dead).
    StatusOr<ImportResult> r = ImportOnnxBytes(b.Bytes(), "slice.onnx");
    ASSERT_TRUE(r.ok()) << r.status().message();
    const Tensor& s = r->graph.tensor(r->graph.FindTensor("s"));
    ASSERT_EQ(s.shape, (Shape{1})) << step;
    EXPECT_EQ(s.f32, (std::vector<float>{step > 0 ? 2.f : 7.f})) << step;
  }
}

TEST(OpsOverflowTest, ReshapeAllowZeroIsZeroOrOne) {
  OnnxBuilder b(14);
  b.Input("x", {1, 4}).Output("y", {4});
  b.Ints("s", {1}, {4});
  OnnxBuilder::IntAttr(b.Node("Reshape", {"x", "s"}, {"y"}, "re"), "allowzero", 3);
  EXPECT_TRUE(Contains(ImportError(b), "attribute 'allowzero' must be 0 or 1, got 3"));
}

// ---- LoadModel: empty tensors are input errors, not internal ones ----

TEST(ImporterLimitsTest, ZeroSizeWeightIsAnInputErrorNamingTheNode) {
  OnnxBuilder b(13);
  b.Input("x", {1, 4}).Output("y", {1, 0});
  b.Floats("W", {0, 4}, {});
  OnnxBuilder::IntAttr(b.Node("Gemm", {"x", "W"}, {"y"}, "fc"), "transB", 1);
  const std::string path = WriteTemp("zero_weight.onnx", b.Bytes());
  StatusOr<Graph> g = LoadModel(path, {}, NullObserver());
  std::remove(path.c_str());
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kInvalidInput);
  EXPECT_TRUE(Contains(g.status().message(), "zero_weight.onnx: node 'fc' (Gemm, opset 13): input "
                                              "'W' has shape [0, 4], with no elements"))
      << g.status().message();
}

TEST(ImporterLimitsTest, LimitFlagsAreValidated) {
  CommonOptions options;
  options.max_weights_mb = 0;
  StatusOr<ImportOptions> bad = MakeImportOptions(options);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(Contains(bad.status().message(), "--max-weights-mb 0"));
  StatusOr<ImportOptions> good = MakeImportOptions(CommonOptions{});
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->limits.max_tensor_bytes, int64_t{256} << 20);
  EXPECT_EQ(good->limits.max_weight_bytes, int64_t{1024} << 20);
  EXPECT_EQ(good->limits.max_model_bytes, int64_t{1024} << 20);
  EXPECT_EQ(good->limits.max_nodes, 100000);
}

}  // namespace
}  // namespace tml
