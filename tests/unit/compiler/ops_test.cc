// Tests of the op families' Prepare (attribute normalisation, opset forms,
// output shapes, diagnostics) and Eval (float and int64 reference results),
// on tiny graphs of one or a few nodes built by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/ops/op_registry.h"
#include "compiler/reference/interpreter.h"

namespace tml {
namespace {

using Attrs = std::map<std::string, Attribute>;

// Builds a graph node by node the way the importer does: each node is
// prepared, then folded into a constant when all its inputs are constants
// (Shape always), otherwise appended to the schedule.
class OpGraph {
 public:
  TensorId Input(const std::string& name, Shape shape) {
    Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.role = TensorRole::kInput;
    TensorId id = graph.AddTensor(std::move(t));
    graph.inputs().push_back(id);
    return id;
  }
  TensorId Floats(const std::string& name, Shape shape, std::vector<float> values) {
    Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.role = TensorRole::kConstant;
    t.f32 = std::move(values);
    return graph.AddTensor(std::move(t));
  }
  TensorId Ints(const std::string& name, Shape shape, std::vector<int64_t> values) {
    Tensor t;
    t.name = name;
    t.dtype = DType::kInt64;
    t.shape = std::move(shape);
    t.role = TensorRole::kConstant;
    t.i64 = std::move(values);
    return graph.AddTensor(std::move(t));
  }

  // Adds a node `name` of ONNX type `type` with one output (named name + "_out").
  StatusOr<TensorId> Op(OpKind op, const std::string& type, int opset, std::vector<TensorId> inputs,
                        Attrs attrs, const std::string& name) {
    Node node;
    node.op = op;
    node.name = name;
    node.onnx_op_type = type;
    node.opset = opset;
    node.inputs = std::move(inputs);
    node.attrs = std::move(attrs);
    Tensor out;
    out.name = name + "_out";
    TensorId id = graph.AddTensor(std::move(out));
    node.outputs = {id};
    TML_RETURN_IF_ERROR(PrepareNode(graph, node));
    bool constant = node.op == OpKind::kShape;
    if (!constant) {
      constant = true;
      for (TensorId in : node.inputs) {
        if (in != kNoTensor && !graph.tensor(in).is_constant()) constant = false;
      }
    }
    last_node = node;
    if (!constant) {
      graph.AddNode(std::move(node));
      return id;
    }
    EvalArgs args;
    for (TensorId in : node.inputs)
      args.in.push_back(in == kNoTensor ? nullptr : &graph.tensor(in));
    args.out.push_back(&graph.tensor(id));
    TML_RETURN_IF_ERROR(EvalNode(node, args));
    graph.tensor(id).role = TensorRole::kConstant;
    return id;
  }

  // Runs the graph with `output` as its only output.
  StatusOr<Tensor> Run(TensorId output, std::vector<Tensor> inputs) {
    graph.tensor(output).role = TensorRole::kOutput;
    graph.outputs() = {output};
    Interpreter interpreter(graph);
    TML_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, interpreter.Run(inputs));
    return std::move(outputs[0]);
  }

  Graph graph;
  Node last_node;  // the most recently added node, after Prepare
};

Tensor FloatTensor(Shape shape, std::vector<float> values) {
  Tensor t;
  t.shape = std::move(shape);
  t.f32 = std::move(values);
  return t;
}

// 0, 1, 2, ... as floats, n of them.
std::vector<float> Iota(int64_t n, float scale = 1.0f) {
  std::vector<float> v;
  for (int64_t i = 0; i < n; ++i) v.push_back(static_cast<float>(i) * scale);
  return v;
}

void ExpectNear(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << "at " << i;
}

// --- Reshape family --------------------------------------------------------

TEST(ReshapeTest, SqueezeOpset11AttributeAndOpset13InputGiveTheSameNode) {
  OpGraph a;
  TensorId xa = a.Input("x", {1, 3, 1, 2});
  ASSERT_TRUE(
      a.Op(OpKind::kReshape, "Squeeze", 11, {xa}, {{"axes", std::vector<int64_t>{0, -2}}}, "sq")
          .ok());
  OpGraph b;
  TensorId xb = b.Input("x", {1, 3, 1, 2});
  TensorId axes = b.Ints("axes", {2}, {0, -2});
  ASSERT_TRUE(b.Op(OpKind::kReshape, "Squeeze", 13, {xb, axes}, {}, "sq").ok());
  for (const OpGraph* g : {&a, &b}) {
    const Node& n = g->last_node;
    EXPECT_EQ(n.op, OpKind::kReshape);
    EXPECT_EQ(n.onnx_op_type, "Squeeze");
    EXPECT_EQ(n.inputs.size(), 1u);
    EXPECT_EQ(n.attrs.size(), 1u);
    EXPECT_EQ(n.GetInts("shape"), (std::vector<int64_t>{3, 2}));
    EXPECT_EQ(g->graph.tensor(n.outputs[0]).shape, (Shape{3, 2}));
  }
  EXPECT_EQ(a.last_node.attrs, b.last_node.attrs);
}

TEST(ReshapeTest, SqueezeWithoutAxesDropsEveryUnitDim) {
  OpGraph g;
  TensorId x = g.Input("x", {1, 4, 1});
  auto y = g.Op(OpKind::kReshape, "Squeeze", 13, {x}, {}, "sq");
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(g.graph.tensor(*y).shape, (Shape{4}));
  auto z = g.Op(OpKind::kReshape, "Squeeze", 13, {x, g.Ints("none", {0}, {})}, {}, "sq_empty");
  ASSERT_TRUE(z.ok()) << z.status().message();
  EXPECT_EQ(g.graph.tensor(*z).shape, (Shape{4}));
}

TEST(ReshapeTest, UnsqueezeAxesRefertoTheOutputRank) {
  OpGraph a;
  TensorId xa = a.Input("x", {3, 4});
  auto ya = a.Op(OpKind::kReshape, "Unsqueeze", 11, {xa}, {{"axes", std::vector<int64_t>{-1, 0}}},
                 "unsq");
  ASSERT_TRUE(ya.ok()) << ya.status().message();
  EXPECT_EQ(a.graph.tensor(*ya).shape, (Shape{1, 3, 4, 1}));
  OpGraph b;
  TensorId xb = b.Input("x", {3, 4});
  auto yb = b.Op(OpKind::kReshape, "Unsqueeze", 13, {xb, b.Ints("axes", {2}, {-1, 0})}, {}, "unsq");
  ASSERT_TRUE(yb.ok()) << yb.status().message();
  EXPECT_EQ(a.last_node.attrs, b.last_node.attrs);
}

TEST(ReshapeTest, ZeroCopiesTheInputDimAndMinusOneIsInferred) {
  OpGraph g;
  TensorId x = g.Input("x", {2, 3, 4});
  auto y = g.Op(OpKind::kReshape, "Reshape", 14, {x, g.Ints("shape", {3}, {0, -1, 2})}, {}, "r");
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(g.graph.tensor(*y).shape, (Shape{2, 6, 2}));
  EXPECT_EQ(g.last_node.inputs.size(), 1u);
  auto out = g.Run(*y, {FloatTensor({2, 3, 4}, Iota(24))});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->shape, (Shape{2, 6, 2}));
  EXPECT_EQ(out->f32, Iota(24));
}

TEST(ReshapeTest, AllowZeroKeepsALiteralZero) {
  OpGraph g;
  TensorId x = g.Floats("x", {0, 3}, {});
  auto y = g.Op(OpKind::kReshape, "Reshape", 14, {x, g.Ints("shape", {2}, {3, 0})},
                {{"allowzero", int64_t{1}}}, "r");
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(g.graph.tensor(*y).shape, (Shape{3, 0}));
}

TEST(ReshapeTest, FlattenAxis) {
  OpGraph g;
  TensorId x = g.Input("x", {2, 3, 4});
  auto y = g.Op(OpKind::kReshape, "Flatten", 13, {x}, {{"axis", int64_t{-1}}}, "flat");
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(g.graph.tensor(*y).shape, (Shape{6, 4}));
  auto z = g.Op(OpKind::kReshape, "Flatten", 13, {x}, {{"axis", int64_t{0}}}, "flat0");
  ASSERT_TRUE(z.ok()) << z.status().message();
  EXPECT_EQ(g.graph.tensor(*z).shape, (Shape{1, 24}));
}

TEST(ReshapeTest, PrepareIsIdempotent) {
  OpGraph g;
  TensorId x = g.Input("x", {2, 1, 3});
  auto y = g.Op(OpKind::kReshape, "Squeeze", 11, {x}, {{"axes", std::vector<int64_t>{1}}}, "sq");
  ASSERT_TRUE(y.ok());
  Node again = g.last_node;
  ASSERT_TRUE(PrepareNode(g.graph, again).ok());
  EXPECT_EQ(again.attrs, g.last_node.attrs);
  EXPECT_EQ(again.inputs, g.last_node.inputs);
  EXPECT_EQ(g.graph.tensor(*y).shape, (Shape{2, 3}));
}

TEST(ReshapeTest, SizeMismatchNamesTheNode) {
  OpGraph g;
  TensorId x = g.Input("x", {2, 3});
  auto y =
      g.Op(OpKind::kReshape, "Reshape", 13, {x, g.Ints("shape", {2}, {4, 2})}, {}, "bad_reshape");
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("node 'bad_reshape' (Reshape, opset 13)"), std::string::npos)
      << y.status().message();
  EXPECT_NE(y.status().message().find("[4, 2]"), std::string::npos);
}

TEST(ReshapeTest, SqueezeOfANonUnitDimNamesTheNode) {
  OpGraph g;
  TensorId x = g.Input("x", {2, 3});
  auto y = g.Op(OpKind::kReshape, "Squeeze", 11, {x}, {{"axes", std::vector<int64_t>{0}}},
                "bad_squeeze");
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("'bad_squeeze'"), std::string::npos);
}

TEST(ReshapeTest, NonConstantShapeIsAClearError) {
  OpGraph g;
  TensorId x = g.Input("x", {2, 3});
  TensorId s = g.Input("s", {2});
  auto y = g.Op(OpKind::kReshape, "Reshape", 13, {x, s}, {}, "dyn");
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("'dyn'"), std::string::npos);
  EXPECT_NE(y.status().message().find("compile time"), std::string::npos);
}

// --- Slice -----------------------------------------------------------------

TEST(SliceTest, Opset9AttributesAndOpset13InputsGiveTheSameNode) {
  OpGraph a;
  TensorId xa = a.Input("x", {4, 5});
  auto ya = a.Op(OpKind::kSlice, "Slice", 9, {xa},
                 {{"starts", std::vector<int64_t>{1, -4}},
                  {"ends", std::vector<int64_t>{std::numeric_limits<int64_t>::max(), -1}},
                  {"axes", std::vector<int64_t>{0, -1}}},
                 "slice");
  ASSERT_TRUE(ya.ok()) << ya.status().message();
  OpGraph b;
  TensorId xb = b.Input("x", {4, 5});
  auto yb = b.Op(OpKind::kSlice, "Slice", 13,
                 {xb, b.Ints("starts", {2}, {1, -4}),
                  b.Ints("ends", {2}, {std::numeric_limits<int64_t>::max(), -1}),
                  b.Ints("axes", {2}, {0, -1})},
                 {}, "slice");
  ASSERT_TRUE(yb.ok()) << yb.status().message();
  EXPECT_EQ(a.last_node.attrs, b.last_node.attrs);
  const Node& n = b.last_node;
  EXPECT_EQ(n.inputs.size(), 1u);
  EXPECT_EQ(n.GetInts("starts"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(n.GetInts("ends"), (std::vector<int64_t>{4, 4}));
  EXPECT_EQ(n.GetInts("axes"), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(n.GetInts("steps"), (std::vector<int64_t>{1, 1}));
  auto out = b.Run(*yb, {FloatTensor({4, 5}, Iota(20))});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->shape, (Shape{3, 3}));
  EXPECT_EQ(out->f32, (std::vector<float>{6, 7, 8, 11, 12, 13, 16, 17, 18}));
}

TEST(SliceTest, NegativeStepsRunBackwardToTheStart) {
  OpGraph g;
  TensorId x = g.Input("x", {6});
  // Everything reversed: start clamps to 5, INT64_MIN end to -1 ("through 0").
  auto y = g.Op(
      OpKind::kSlice, "Slice", 13,
      {x, g.Ints("starts", {1}, {-1}), g.Ints("ends", {1}, {std::numeric_limits<int64_t>::min()}),
       g.Ints("axes", {1}, {0}), g.Ints("steps", {1}, {-2})},
      {}, "rev");
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(g.last_node.GetInts("starts"), (std::vector<int64_t>{5}));
  EXPECT_EQ(g.last_node.GetInts("ends"), (std::vector<int64_t>{-1}));
  // Running Prepare again must not read the final -1 as "the last element".
  Node again = g.last_node;
  ASSERT_TRUE(PrepareNode(g.graph, again).ok());
  EXPECT_EQ(again.attrs, g.last_node.attrs);
  auto out = g.Run(*y, {FloatTensor({6}, Iota(6))});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->f32, (std::vector<float>{5, 3, 1}));
}

TEST(SliceTest, EmptyAndOutOfBoundsRanges) {
  OpGraph g;
  TensorId x = g.Input("x", {3, 4});
  auto y = g.Op(OpKind::kSlice, "Slice", 13,
                {x, g.Ints("starts", {2}, {10, 0}), g.Ints("ends", {2}, {20, 1000})}, {}, "empty");
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(g.graph.tensor(*y).shape, (Shape{0, 4}));
}

TEST(SliceTest, ZeroStepNamesTheNode) {
  OpGraph g;
  TensorId x = g.Input("x", {3});
  auto y = g.Op(OpKind::kSlice, "Slice", 13,
                {x, g.Ints("s", {1}, {0}), g.Ints("e", {1}, {3}), g.Ints("a", {1}, {0}),
                 g.Ints("st", {1}, {0})},
                {}, "zero_step");
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("'zero_step'"), std::string::npos);
}

// --- Softmax ---------------------------------------------------------------

TEST(SoftmaxTest, Opset11CoercesTo2DAndOpset13UsesOneAxis) {
  const std::vector<float> input = Iota(24, 0.1f);
  OpGraph a;
  auto ya = a.Op(OpKind::kSoftmax, "Softmax", 11, {a.Input("x", {2, 3, 4})}, {{"axis", int64_t{1}}},
                 "sm11");
  ASSERT_TRUE(ya.ok()) << ya.status().message();
  EXPECT_EQ(a.last_node.GetInt("coerce_2d", -1), 1);
  OpGraph b;
  auto yb = b.Op(OpKind::kSoftmax, "Softmax", 13, {b.Input("x", {2, 3, 4})}, {{"axis", int64_t{1}}},
                 "sm13");
  ASSERT_TRUE(yb.ok()) << yb.status().message();
  EXPECT_EQ(b.last_node.GetInt("coerce_2d", -1), 0);
  EXPECT_EQ(b.last_node.GetInt("axis", -1), 1);

  auto oa = a.Run(*ya, {FloatTensor({2, 3, 4}, input)});
  auto ob = b.Run(*yb, {FloatTensor({2, 3, 4}, input)});
  ASSERT_TRUE(oa.ok() && ob.ok());
  // Opset 11: each batch's 12 values sum to 1; y = exp(x) / sum over those 12.
  for (int n = 0; n < 2; ++n) {
    double denominator = 0.0;
    for (int i = 0; i < 12; ++i) denominator += std::exp(input[n * 12 + i]);
    for (int i = 0; i < 12; ++i) {
      EXPECT_NEAR(oa->f32[n * 12 + i], std::exp(input[n * 12 + i]) / denominator, 1e-6);
    }
  }
  // Opset 13: normalised over dim 1 only (3 values, 4 apart).
  for (int n = 0; n < 2; ++n) {
    for (int k = 0; k < 4; ++k) {
      double denominator = 0.0;
      for (int j = 0; j < 3; ++j) denominator += std::exp(input[n * 12 + j * 4 + k]);
      for (int j = 0; j < 3; ++j) {
        const int i = n * 12 + j * 4 + k;
        EXPECT_NEAR(ob->f32[i], std::exp(input[i]) / denominator, 1e-6);
      }
    }
  }
}

TEST(SoftmaxTest, DefaultAxesAndIdempotence) {
  OpGraph a;
  ASSERT_TRUE(a.Op(OpKind::kLogSoftmax, "LogSoftmax", 11, {a.Input("x", {2, 3, 4})}, {}, "l").ok());
  EXPECT_EQ(a.last_node.GetInt("axis", -1), 1);  // opset < 13 default
  EXPECT_EQ(a.last_node.GetInt("coerce_2d", -1), 1);
  Node again = a.last_node;
  ASSERT_TRUE(PrepareNode(a.graph, again).ok());
  EXPECT_EQ(again.attrs, a.last_node.attrs);
  OpGraph b;
  ASSERT_TRUE(b.Op(OpKind::kLogSoftmax, "LogSoftmax", 13, {b.Input("x", {2, 3, 4})}, {}, "l").ok());
  EXPECT_EQ(b.last_node.GetInt("axis", -1), 2);  // opset 13 default -1
  EXPECT_EQ(b.last_node.GetInt("coerce_2d", -1), 0);
}

TEST(SoftmaxTest, LogSoftmaxIsStableForLargeInputs) {
  OpGraph g;
  auto y = g.Op(OpKind::kLogSoftmax, "LogSoftmax", 13, {g.Input("x", {3})}, {}, "l");
  ASSERT_TRUE(y.ok());
  auto out = g.Run(*y, {FloatTensor({3}, {1000.0f, 1001.0f, 1002.0f})});
  ASSERT_TRUE(out.ok());
  const double lse = std::log(std::exp(-2.0) + std::exp(-1.0) + 1.0);
  ExpectNear(out->f32, {static_cast<float>(-2 - lse), static_cast<float>(-1 - lse),
                        static_cast<float>(-lse)});
}

TEST(SoftmaxTest, BadAxisNamesTheNode) {
  OpGraph g;
  auto y = g.Op(OpKind::kSoftmax, "Softmax", 13, {g.Input("x", {2, 3})}, {{"axis", int64_t{2}}},
                "probs");
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("node 'probs' (Softmax, opset 13)"), std::string::npos)
      << y.status().message();
}

// --- Binary ----------------------------------------------------------------

TEST(BinaryTest, MultidirectionalBroadcasting) {
  OpGraph g;
  TensorId x = g.Input("x", {2, 1, 3});
  TensorId c = g.Floats("c", {4, 1}, {0, 10, 20, 30});
  auto y = g.Op(OpKind::kAdd, "Add", 14, {x, c}, {}, "add");
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(g.graph.tensor(*y).shape, (Shape{2, 4, 3}));
  auto out = g.Run(*y, {FloatTensor({2, 1, 3}, Iota(6))});
  ASSERT_TRUE(out.ok());
  std::vector<float> want;
  for (int n = 0; n < 2; ++n) {
    for (int r = 0; r < 4; ++r) {
      for (int k = 0; k < 3; ++k) want.push_back(static_cast<float>(n * 3 + k + r * 10));
    }
  }
  EXPECT_EQ(out->f32, want);
}

TEST(BinaryTest, SubMulDivFloat) {
  OpGraph g;
  TensorId x = g.Input("x", {2, 2});
  TensorId s = g.Floats("s", {}, {2.0f});
  auto sub = g.Op(OpKind::kSub, "Sub", 14, {s, x}, {}, "sub");
  ASSERT_TRUE(sub.ok());
  auto mul = g.Op(OpKind::kMul, "Mul", 14, {*sub, x}, {}, "mul");
  ASSERT_TRUE(mul.ok());
  auto div = g.Op(OpKind::kDiv, "Div", 14, {*mul, g.Floats("d", {2}, {2.0f, 4.0f})}, {}, "div");
  ASSERT_TRUE(div.ok());
  auto out = g.Run(*div, {FloatTensor({2, 2}, {1, 2, 3, 4})});
  ASSERT_TRUE(out.ok());
  // (2 - x) * x / [2, 4]
  ExpectNear(out->f32, {0.5f, 0.0f, -1.5f, -2.0f});
}

TEST(BinaryTest, IntegerArithmeticFoldsAndDivTruncates) {
  OpGraph g;
  TensorId a = g.Ints("a", {4}, {7, -7, 7, -7});
  TensorId b = g.Ints("b", {4}, {2, 2, -2, -2});
  auto q = g.Op(OpKind::kDiv, "Div", 14, {a, b}, {}, "div");
  ASSERT_TRUE(q.ok());
  const Tensor& t = g.graph.tensor(*q);
  EXPECT_TRUE(t.is_constant());
  EXPECT_EQ(t.dtype, DType::kInt64);
  EXPECT_EQ(t.i64, (std::vector<int64_t>{3, -3, -3, 3}));
  auto m = g.Op(OpKind::kMul, "Mul", 14, {a, g.Ints("k", {}, {3})}, {}, "mul");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(g.graph.tensor(*m).i64, (std::vector<int64_t>{21, -21, 21, -21}));
}

TEST(BinaryTest, IncompatibleShapesNameTheNode) {
  OpGraph g;
  auto y = g.Op(OpKind::kAdd, "Add", 14, {g.Input("x", {2, 3}), g.Floats("c", {2}, {1, 2})}, {},
                "bad_add");
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("'bad_add'"), std::string::npos);
}

// --- Gemm / MatMul ---------------------------------------------------------

TEST(GemmTest, TransposesAlphaBetaAndBroadcastBias) {
  // A is stored [K=3, M=2] (transA), B stored [N=4, K=3] (transB), C [N] broadcast over rows.
  const std::vector<float> a = {1, 2, 3, 4, 5, 6};
  const std::vector<float> b = Iota(12, 0.5f);
  const std::vector<float> c = {1, -1, 2, -2};
  OpGraph g;
  TensorId x = g.Input("a", {3, 2});
  auto y =
      g.Op(OpKind::kGemm, "Gemm", 13, {x, g.Floats("b", {4, 3}, b), g.Floats("c", {4}, c)},
           {{"transA", int64_t{1}}, {"transB", int64_t{1}}, {"alpha", 2.0f}, {"beta", 0.5f}}, "fc");
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(g.graph.tensor(*y).shape, (Shape{2, 4}));
  auto out = g.Run(*y, {FloatTensor({3, 2}, a)});
  ASSERT_TRUE(out.ok()) << out.status().message();
  std::vector<float> want;
  for (int m = 0; m < 2; ++m) {
    for (int n = 0; n < 4; ++n) {
      float acc = 0;
      for (int k = 0; k < 3; ++k) acc += a[k * 2 + m] * b[n * 3 + k];
      want.push_back(2.0f * acc + 0.5f * c[n]);
    }
  }
  ExpectNear(out->f32, want);
}

TEST(GemmTest, DefaultsAreWrittenAndColumnBiasBroadcasts) {
  OpGraph g;
  TensorId x = g.Input("a", {2, 2});
  auto y =
      g.Op(OpKind::kGemm, "Gemm", 13,
           {x, g.Floats("b", {2, 2}, {1, 0, 0, 1}), g.Floats("c", {2, 1}, {10, 20})}, {}, "fc");
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(g.last_node.GetInt("transA", -1), 0);
  EXPECT_EQ(g.last_node.GetInt("transB", -1), 0);
  EXPECT_EQ(g.last_node.GetFloat("alpha", 0), 1.0f);
  EXPECT_EQ(g.last_node.GetFloat("beta", 0), 1.0f);
  auto out = g.Run(*y, {FloatTensor({2, 2}, {1, 2, 3, 4})});
  ASSERT_TRUE(out.ok());
  ExpectNear(out->f32, {11, 12, 23, 24});
}

TEST(GemmTest, InnerDimensionMismatchNamesTheNode) {
  OpGraph g;
  auto y = g.Op(OpKind::kGemm, "Gemm", 13, {g.Input("a", {2, 3}), g.Floats("b", {4, 5}, Iota(20))},
                {}, "fc1");
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("node 'fc1' (Gemm, opset 13)"), std::string::npos)
      << y.status().message();
  EXPECT_NE(y.status().message().find("inner dimensions"), std::string::npos);
}

TEST(GemmTest, BiasThatDoesNotBroadcastNamesTheNode) {
  OpGraph g;
  auto y =
      g.Op(OpKind::kGemm, "Gemm", 13,
           {g.Input("a", {2, 3}), g.Floats("b", {3, 4}, Iota(12)), g.Floats("c", {3}, Iota(3))}, {},
           "fc2");
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("'fc2'"), std::string::npos);
}

TEST(MatMulTest, BatchBroadcastingAndVectors) {
  OpGraph g;
  TensorId x = g.Input("x", {2, 1, 2, 3});
  const std::vector<float> wv = {1, 1, 1, 0, 1, 0, 1, 0, -1};  // three 3x1 matrices
  TensorId w = g.Floats("w", {3, 3, 1}, wv);
  auto y = g.Op(OpKind::kMatMul, "MatMul", 13, {x, w}, {}, "mm");
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(g.graph.tensor(*y).shape, (Shape{2, 3, 2, 1}));
  auto out = g.Run(*y, {FloatTensor({2, 1, 2, 3}, Iota(12))});
  ASSERT_TRUE(out.ok()) << out.status().message();
  std::vector<float> want;
  for (int n = 0; n < 2; ++n) {
    for (int b = 0; b < 3; ++b) {
      for (int r = 0; r < 2; ++r) {
        float acc = 0;
        for (int k = 0; k < 3; ++k) acc += static_cast<float>(n * 6 + r * 3 + k) * wv[b * 3 + k];
        want.push_back(acc);
      }
    }
  }
  ExpectNear(out->f32, want);

  OpGraph v;
  auto dot = v.Op(OpKind::kMatMul, "MatMul", 13, {v.Input("x", {3}), v.Floats("w", {3}, {1, 2, 3})},
                  {}, "dot");
  ASSERT_TRUE(dot.ok());
  EXPECT_EQ(v.graph.tensor(*dot).shape, Shape{});
  auto d = v.Run(*dot, {FloatTensor({3}, {1, 1, 1})});
  ASSERT_TRUE(d.ok());
  ExpectNear(d->f32, {6});
}

TEST(MatMulTest, InnerDimensionMismatchNamesTheNode) {
  OpGraph g;
  auto y = g.Op(OpKind::kMatMul, "MatMul", 13,
                {g.Input("x", {2, 3}), g.Floats("w", {2, 2}, Iota(4))}, {}, "proj");
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("'proj'"), std::string::npos);
}

// --- Activations -----------------------------------------------------------

TEST(ActivationTest, DefaultsAndValues) {
  const std::vector<float> x = {-2.0f, -0.5f, 0.0f, 0.5f, 4.0f};
  struct Case {
    OpKind op;
    const char* type;
    float (*fn)(float);
  };
  const Case cases[] = {
      {OpKind::kRelu, "Relu", [](float v) { return v > 0 ? v : 0.0f; }},
      {OpKind::kLeakyRelu, "LeakyRelu", [](float v) { return v > 0 ? v : 0.01f * v; }},
      {OpKind::kSigmoid, "Sigmoid", [](float v) { return 1.0f / (1.0f + std::exp(-v)); }},
      {OpKind::kHardSigmoid, "HardSigmoid",
       [](float v) { return std::fmin(1.0f, std::fmax(0.0f, 0.2f * v + 0.5f)); }},
      {OpKind::kTanh, "Tanh", [](float v) { return std::tanh(v); }},
  };
  for (const Case& c : cases) {
    OpGraph g;
    auto y = g.Op(c.op, c.type, 14, {g.Input("x", {5})}, {}, "act");
    ASSERT_TRUE(y.ok()) << c.type;
    auto out = g.Run(*y, {FloatTensor({5}, x)});
    ASSERT_TRUE(out.ok()) << c.type;
    std::vector<float> want;
    for (float v : x) want.push_back(c.fn(v));
    ExpectNear(out->f32, want);
  }
  OpGraph g;
  ASSERT_TRUE(g.Op(OpKind::kHardSigmoid, "HardSigmoid", 6, {g.Input("x", {1})}, {}, "hs").ok());
  EXPECT_EQ(g.last_node.GetFloat("alpha", 0), 0.2f);
  EXPECT_EQ(g.last_node.GetFloat("beta", 0), 0.5f);
}

// --- Shape plumbing --------------------------------------------------------

TEST(PlumbingTest, ShapeGatherUnsqueezeConcatConstantOfShapeFold) {
  // PyTorch's h0 = zeros(1, x.size(1), 5), as exported around an LSTM.
  OpGraph g;
  TensorId x = g.Input("x", {7, 3, 4});
  auto shape = g.Op(OpKind::kShape, "Shape", 13, {x}, {}, "shape");
  ASSERT_TRUE(shape.ok());
  auto batch = g.Op(OpKind::kGather, "Gather", 13, {*shape, g.Ints("i", {}, {1})},
                    {{"axis", int64_t{0}}}, "gather");
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(g.graph.tensor(*batch).shape, Shape{});
  auto batch1d =
      g.Op(OpKind::kReshape, "Unsqueeze", 13, {*batch, g.Ints("axes", {1}, {0})}, {}, "unsq");
  ASSERT_TRUE(batch1d.ok()) << batch1d.status().message();
  auto dims = g.Op(OpKind::kConcat, "Concat", 13,
                   {g.Ints("one", {1}, {1}), *batch1d, g.Ints("hidden", {1}, {5})},
                   {{"axis", int64_t{-1}}}, "concat");
  ASSERT_TRUE(dims.ok()) << dims.status().message();
  auto zeros = g.Op(OpKind::kConstantOfShape, "ConstantOfShape", 13, {*dims}, {}, "zeros");
  ASSERT_TRUE(zeros.ok()) << zeros.status().message();
  EXPECT_TRUE(g.graph.nodes().empty());  // everything folded
  const Tensor& h0 = g.graph.tensor(*zeros);
  EXPECT_TRUE(h0.is_constant());
  EXPECT_EQ(h0.dtype, DType::kFloat32);
  EXPECT_EQ(h0.shape, (Shape{1, 3, 5}));
  EXPECT_EQ(h0.f32, std::vector<float>(15, 0.0f));
  EXPECT_EQ(g.graph.tensor(*dims).i64, (std::vector<int64_t>{1, 3, 5}));
}

TEST(PlumbingTest, ShapeStartEndAndIntegerConstantOfShape) {
  OpGraph g;
  TensorId x = g.Input("x", {2, 3, 4, 5});
  auto s = g.Op(OpKind::kShape, "Shape", 15, {x}, {{"start", int64_t{-3}}, {"end", int64_t{-1}}},
                "shape");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(g.graph.tensor(*s).i64, (std::vector<int64_t>{3, 4}));
  auto c = g.Op(OpKind::kConstantOfShape, "ConstantOfShape", 15, {*s},
                {{"value", std::vector<int64_t>{7}}}, "sevens");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(g.graph.tensor(*c).dtype, DType::kInt64);
  EXPECT_EQ(g.graph.tensor(*c).i64, std::vector<int64_t>(12, 7));
}

TEST(PlumbingTest, ExpandBroadcastsBothWays) {
  OpGraph g;
  TensorId x = g.Input("x", {3, 1});
  auto y = g.Op(OpKind::kExpand, "Expand", 13, {x, g.Ints("shape", {3}, {2, 1, 2})}, {}, "expand");
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(g.graph.tensor(*y).shape, (Shape{2, 3, 2}));
  auto out = g.Run(*y, {FloatTensor({3, 1}, {1, 2, 3})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->f32, (std::vector<float>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
}

TEST(PlumbingTest, CastTruncatesAndGatherTakesNonConstantIndices) {
  // Indices computed at run time: Cast(float -> INT64), negative ones wrap.
  OpGraph g;
  TensorId idx = g.Input("idx", {2});
  auto ints = g.Op(OpKind::kCast, "Cast", 13, {idx}, {{"to", int64_t{7}}}, "cast");
  ASSERT_TRUE(ints.ok());
  EXPECT_EQ(g.graph.tensor(*ints).dtype, DType::kInt64);
  auto y = g.Op(OpKind::kGather, "Gather", 13, {g.Floats("table", {3, 2}, Iota(6)), *ints},
                {{"axis", int64_t{-2}}}, "embed");
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(g.last_node.GetInt("axis", -1), 0);
  auto out = g.Run(*y, {FloatTensor({2}, {-1.7f, 1.9f})});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->shape, (Shape{2, 2}));
  EXPECT_EQ(out->f32, (std::vector<float>{4, 5, 2, 3}));  // -1.7 -> -1 -> row 2; 1.9 -> 1

  auto bad = g.Run(*y, {FloatTensor({2}, {3.0f, 0.0f})});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'embed'"), std::string::npos);
}

TEST(PlumbingTest, CastToBoolAndNarrowTypes) {
  OpGraph g;
  auto b = g.Op(OpKind::kCast, "Cast", 13, {g.Floats("x", {3}, {0.0f, -0.5f, 2.0f})},
                {{"to", int64_t{9}}}, "tobool");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(g.graph.tensor(*b).i64, (std::vector<int64_t>{0, 1, 1}));
  auto u8 =
      g.Op(OpKind::kCast, "Cast", 13, {g.Ints("i", {2}, {300, -1})}, {{"to", int64_t{2}}}, "tou8");
  ASSERT_TRUE(u8.ok());
  EXPECT_EQ(g.graph.tensor(*u8).i64, (std::vector<int64_t>{44, 255}));
  auto bad =
      g.Op(OpKind::kCast, "Cast", 13, {g.Floats("y", {1}, {1})}, {{"to", int64_t{8}}}, "tostring");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'tostring'"), std::string::npos);
}

// --- Transpose / Concat / Gather -------------------------------------------

TEST(TransposeTest, DefaultPermReversesAndExplicitPerm) {
  OpGraph g;
  TensorId x = g.Input("x", {2, 3, 4});
  auto y = g.Op(OpKind::kTranspose, "Transpose", 13, {x}, {}, "t");
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(g.last_node.GetInts("perm"), (std::vector<int64_t>{2, 1, 0}));
  EXPECT_EQ(g.graph.tensor(*y).shape, (Shape{4, 3, 2}));
  auto z = g.Op(OpKind::kTranspose, "Transpose", 13, {x}, {{"perm", std::vector<int64_t>{1, 0, 2}}},
                "t2");
  ASSERT_TRUE(z.ok());
  auto out = g.Run(*z, {FloatTensor({2, 3, 4}, Iota(24))});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->shape, (Shape{3, 2, 4}));
  std::vector<float> want;
  for (int j = 0; j < 3; ++j) {
    for (int i = 0; i < 2; ++i) {
      for (int k = 0; k < 4; ++k) want.push_back(static_cast<float>(i * 12 + j * 4 + k));
    }
  }
  EXPECT_EQ(out->f32, want);
  auto bad = g.Op(OpKind::kTranspose, "Transpose", 13, {x},
                  {{"perm", std::vector<int64_t>{0, 0, 1}}}, "bad_perm");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'bad_perm'"), std::string::npos);
}

TEST(ConcatTest, NegativeAxisAndValues) {
  OpGraph g;
  TensorId x = g.Input("x", {2, 1});
  auto y = g.Op(OpKind::kConcat, "Concat", 13, {x, g.Floats("c", {2, 2}, {10, 11, 12, 13})},
                {{"axis", int64_t{-1}}}, "cat");
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(g.last_node.GetInt("axis", -1), 1);
  auto out = g.Run(*y, {FloatTensor({2, 1}, {1, 2})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->shape, (Shape{2, 3}));
  EXPECT_EQ(out->f32, (std::vector<float>{1, 10, 11, 2, 12, 13}));
}

TEST(ConcatTest, BadAxisNamesTheNode) {
  OpGraph g;
  auto y =
      g.Op(OpKind::kConcat, "Concat", 13, {g.Input("x", {2, 1}), g.Floats("c", {2, 1}, {1, 2})},
           {{"axis", int64_t{2}}}, "join");
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("node 'join' (Concat, opset 13)"), std::string::npos)
      << y.status().message();
}

TEST(GatherTest, ConstantIndexOutOfRangeNamesTheNode) {
  OpGraph g;
  auto y = g.Op(OpKind::kGather, "Gather", 13, {g.Input("x", {3, 2}), g.Ints("i", {1}, {3})}, {},
                "pick");
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("'pick'"), std::string::npos);
}

}  // namespace
}  // namespace tml
