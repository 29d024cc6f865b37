// Finite-difference checks of every backward pass (passes/backward): for one
// node with random inputs, L = Σ_j <v_j, y_j> with random v_j; the analytic
// dL/dx from BackwardNode() must match central differences of L computed with
// the reference EvalNode() on every float input. The forward used for training
// must also reproduce EvalNode().
#include "passes/backward/backward.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

namespace tml {
namespace {

class OpBuilder {
 public:
  TensorId Float(const Shape& shape, uint32_t seed, float scale = 0.5f) {
    Tensor t;
    t.name = "in" + std::to_string(graph_.tensors().size());
    t.shape = shape;
    t.role = TensorRole::kConstant;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-scale, scale);
    t.f32.resize(static_cast<size_t>(NumElements(shape)));
    for (float& v : t.f32) v = u(rng);
    return graph_.AddTensor(std::move(t));
  }
  TensorId Ints(const Shape& shape, std::vector<int64_t> values) {
    Tensor t;
    t.name = "in" + std::to_string(graph_.tensors().size());
    t.dtype = DType::kInt64;
    t.shape = shape;
    t.role = TensorRole::kConstant;
    t.i64 = std::move(values);
    return graph_.AddTensor(std::move(t));
  }
  // Adds the node with `outputs` outputs (kNoTensor where `absent`), prepares it.
  void Finish(OpKind op, std::vector<TensorId> inputs, int outputs,
              std::map<std::string, Attribute> attrs = {}) {
    Node node;
    node.op = op;
    node.name = "n";
    node.onnx_op_type = OpKindName(op);
    node.opset = 17;
    node.inputs = std::move(inputs);
    node.attrs = std::move(attrs);
    for (int k = 0; k < outputs; ++k) {
      Tensor t;
      t.name = "out" + std::to_string(k);
      node.outputs.push_back(graph_.AddTensor(std::move(t)));
    }
    const Status s = PrepareNode(graph_, node);
    ASSERT_TRUE(s.ok()) << s.message();
    graph_.AddNode(std::move(node));
  }
  Graph& graph() { return graph_; }

 private:
  Graph graph_;
};

// Evaluates the node with the given input values; Σ_j <v_j, y_j> in double.
double Loss(const Node& node, Graph& g, const std::vector<Tensor>& in,
            const std::vector<Tensor>& v) {
  EvalArgs args;
  for (const Tensor& t : in) args.in.push_back(t.name.empty() && t.shape.empty() && t.f32.empty() && t.i64.empty() ? nullptr : &t);
  std::vector<Tensor> out(node.outputs.size());
  for (size_t k = 0; k < node.outputs.size(); ++k) {
    out[k] = g.tensor(node.outputs[k]);
    args.out.push_back(&out[k]);
  }
  const Status s = EvalNode(node, args);
  EXPECT_TRUE(s.ok()) << s.message();
  double loss = 0.0;
  for (size_t k = 0; k < out.size(); ++k) {
    for (size_t i = 0; i < out[k].f32.size(); ++i) loss += static_cast<double>(out[k].f32[i]) * v[k].f32[i];
  }
  return loss;
}

// eps: the central-difference step. Ops with kinks (clip, HardSigmoid) use a
// small one so that few perturbations cross a kink.
void CheckGradients(OpBuilder& b, double tol = 2e-3, float eps = 1e-2f) {
  Graph& g = b.graph();
  const Node& node = g.nodes().at(0);
  std::vector<Tensor> in;
  for (TensorId id : node.inputs) in.push_back(id == kNoTensor ? Tensor() : g.tensor(id));
  EvalArgs args;
  for (size_t i = 0; i < in.size(); ++i) args.in.push_back(node.inputs[i] == kNoTensor ? nullptr : &in[i]);
  std::vector<Tensor> out(node.outputs.size()), ref(node.outputs.size()), v(node.outputs.size());
  EvalArgs ref_args = args;
  ref_args.out.clear();
  std::mt19937 rng(99);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (size_t k = 0; k < node.outputs.size(); ++k) {
    out[k] = ref[k] = g.tensor(node.outputs[k]);
    args.out.push_back(&out[k]);
    ref_args.out.push_back(&ref[k]);
    v[k] = g.tensor(node.outputs[k]);
    v[k].f32.resize(static_cast<size_t>(v[k].num_elements()));
    for (float& x : v[k].f32) x = u(rng);
  }
  std::unique_ptr<SavedForward> saved;
  ASSERT_TRUE(ForwardForTraining(node, args, &saved).ok());
  ASSERT_TRUE(EvalNode(node, ref_args).ok());
  for (size_t k = 0; k < out.size(); ++k) {
    ASSERT_EQ(out[k].f32.size(), ref[k].f32.size());
    ASSERT_FALSE(out[k].f32.empty());
    for (size_t i = 0; i < out[k].f32.size(); ++i) ASSERT_NEAR(out[k].f32[i], ref[k].f32[i], 1e-5);
  }
  std::vector<const Tensor*> dout;
  for (const Tensor& t : v) dout.push_back(&t);
  std::vector<Tensor> grads(in.size());
  std::vector<Tensor*> din;
  for (size_t i = 0; i < in.size(); ++i) {
    const bool want = node.inputs[i] != kNoTensor && in[i].dtype == DType::kFloat32;
    if (want) {
      grads[i] = in[i];
      std::fill(grads[i].f32.begin(), grads[i].f32.end(), 0.0f);
    }
    din.push_back(want ? &grads[i] : nullptr);
  }
  const Status s = BackwardNode(node, args, saved.get(), dout, din);
  ASSERT_TRUE(s.ok()) << s.message();
  int checked = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (din[i] == nullptr) continue;
    for (size_t e = 0; e < in[i].f32.size(); ++e) {
      std::vector<Tensor> plus = in, minus = in;
      plus[i].f32[e] += eps;
      minus[i].f32[e] -= eps;
      const double fd = (Loss(node, g, plus, v) - Loss(node, g, minus, v)) / (2.0 * eps);
      EXPECT_NEAR(grads[i].f32[e], fd, tol * std::max(1.0, std::fabs(fd)))
          << OpKindName(node.op) << " input " << i << " element " << e;
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

TEST(BackwardTest, LstmForwardWithEverything) {
  OpBuilder b;  // seq 3, batch 2, input 3, hidden 4
  const TensorId x = b.Float({3, 2, 3}, 1), w = b.Float({1, 16, 3}, 2), r = b.Float({1, 16, 4}, 3);
  const TensorId bias = b.Float({1, 32}, 4), lens = b.Ints({2}, {3, 2});
  const TensorId h0 = b.Float({1, 2, 4}, 5), c0 = b.Float({1, 2, 4}, 6), p = b.Float({1, 12}, 7);
  b.Finish(OpKind::kLstm, {x, w, r, bias, lens, h0, c0, p}, 3, {{"hidden_size", int64_t{4}}});
  CheckGradients(b);
}

TEST(BackwardTest, LstmBidirectionalLayout1ClipInputForget) {
  OpBuilder b;  // layout 1: X [batch, seq, input]
  const TensorId x = b.Float({2, 3, 3}, 11, 1.5f), w = b.Float({2, 16, 3}, 12, 1.0f);
  const TensorId r = b.Float({2, 16, 4}, 13, 1.0f), bias = b.Float({2, 32}, 14);
  b.Finish(OpKind::kLstm, {x, w, r, bias}, 3,
           {{"hidden_size", int64_t{4}}, {"direction", std::string("bidirectional")},
            {"layout", int64_t{1}}, {"clip", 0.9f}, {"input_forget", int64_t{1}}});
  CheckGradients(b, 3e-3, 1e-3f);
}

TEST(BackwardTest, LstmInputForgetOnly) {
  OpBuilder b;
  const TensorId x = b.Float({3, 2, 3}, 11), w = b.Float({1, 16, 3}, 12);
  const TensorId r = b.Float({1, 16, 4}, 13), bias = b.Float({1, 32}, 14);
  b.Finish(OpKind::kLstm, {x, w, r, bias}, 3,
           {{"hidden_size", int64_t{4}}, {"input_forget", int64_t{1}}});
  CheckGradients(b);
}

TEST(BackwardTest, LstmClipOnly) {
  OpBuilder b;
  const TensorId x = b.Float({3, 2, 3}, 11, 1.5f), w = b.Float({1, 16, 3}, 12, 1.0f);
  const TensorId r = b.Float({1, 16, 4}, 13, 1.0f), bias = b.Float({1, 32}, 14);
  b.Finish(OpKind::kLstm, {x, w, r, bias}, 3,
           {{"hidden_size", int64_t{4}}, {"clip", 0.9f}});
  CheckGradients(b, 3e-3, 1e-3f);
}

TEST(BackwardTest, GruBothResetForms) {
  for (int64_t lbr : {0, 1}) {
    OpBuilder b;
    const TensorId x = b.Float({3, 2, 3}, 21), w = b.Float({2, 12, 3}, 22), r = b.Float({2, 12, 4}, 23);
    const TensorId bias = b.Float({2, 24}, 24), lens = b.Ints({2}, {2, 3}), h0 = b.Float({2, 2, 4}, 25);
    b.Finish(OpKind::kGru, {x, w, r, bias, lens, h0}, 2,
             {{"hidden_size", int64_t{4}}, {"direction", std::string("bidirectional")},
              {"linear_before_reset", lbr}});
    SCOPED_TRACE(lbr);
    CheckGradients(b);
  }
}

TEST(BackwardTest, RnnReverseWithLengths) {
  OpBuilder b;
  const TensorId x = b.Float({4, 2, 3}, 31), w = b.Float({1, 5, 3}, 32), r = b.Float({1, 5, 5}, 33);
  const TensorId bias = b.Float({1, 10}, 34), lens = b.Ints({2}, {4, 1}), h0 = b.Float({1, 2, 5}, 35);
  b.Finish(OpKind::kRnn, {x, w, r, bias, lens, h0}, 2,
           {{"hidden_size", int64_t{5}}, {"direction", std::string("reverse")}});
  CheckGradients(b);
}

TEST(BackwardTest, GemmTransposesAlphaBetaBroadcastC) {
  for (int64_t ta : {0, 1}) {
    for (int64_t tb : {0, 1}) {
      OpBuilder b;
      const TensorId a = b.Float(ta ? Shape{4, 3} : Shape{3, 4}, 41);
      const TensorId w = b.Float(tb ? Shape{5, 4} : Shape{4, 5}, 42), c = b.Float({5}, 43);
      b.Finish(OpKind::kGemm, {a, w, c}, 1,
               {{"transA", ta}, {"transB", tb}, {"alpha", 0.7f}, {"beta", 1.3f}});
      CheckGradients(b);
    }
  }
}

TEST(BackwardTest, MatMulBatchedBy2D) {
  OpBuilder b;
  const TensorId a = b.Float({2, 3, 4}, 51), w = b.Float({4, 5}, 52);
  b.Finish(OpKind::kMatMul, {a, w}, 1);
  CheckGradients(b);
}

TEST(BackwardTest, BinaryOpsBroadcast) {
  for (OpKind op : {OpKind::kAdd, OpKind::kSub, OpKind::kMul, OpKind::kDiv}) {
    OpBuilder b;
    const TensorId x = b.Float({2, 3, 4}, 61), y = b.Float({3, 1}, 62);
    if (op == OpKind::kDiv) {
      for (float& v : b.graph().tensor(y).f32) v += v >= 0 ? 1.0f : -1.0f;  // away from 0
    }
    b.Finish(op, {x, y}, 1);
    CheckGradients(b);
  }
}

TEST(BackwardTest, Activations) {
  for (OpKind op : {OpKind::kRelu, OpKind::kLeakyRelu, OpKind::kSigmoid, OpKind::kTanh,
                    OpKind::kHardSigmoid}) {
    OpBuilder b;
    const TensorId x = b.Float({3, 7}, 71, 2.4f);  // inside HardSigmoid's kinks at ±2.5
    b.Finish(op, {x}, 1);
    CheckGradients(b, 3e-3, 1e-3f);
  }
}

TEST(BackwardTest, SoftmaxAndLogSoftmax) {
  for (OpKind op : {OpKind::kSoftmax, OpKind::kLogSoftmax}) {
    OpBuilder b;
    const TensorId x = b.Float({2, 3, 4}, 81, 2.0f);
    b.Finish(op, {x}, 1, {{"axis", int64_t{1}}});
    CheckGradients(b);
  }
}

TEST(BackwardTest, DataMovement) {
  {
    OpBuilder b;
    b.Finish(OpKind::kTranspose, {b.Float({2, 3, 4}, 91)}, 1,
             {{"perm", std::vector<int64_t>{1, 0, 2}}});
    CheckGradients(b);
  }
  {
    OpBuilder b;
    const TensorId x = b.Float({2, 3}, 92), y = b.Float({2, 2}, 93);
    b.Finish(OpKind::kConcat, {x, y}, 1, {{"axis", int64_t{1}}});
    CheckGradients(b);
  }
  {
    OpBuilder b;  // negative index, repeated index: gradients accumulate
    const TensorId x = b.Float({3, 4}, 94), idx = b.Ints({3}, {-1, 0, 2});
    b.Finish(OpKind::kGather, {x, idx}, 1, {{"axis", int64_t{0}}});
    CheckGradients(b);
  }
  {
    OpBuilder b;
    const TensorId x = b.Float({1, 3}, 95), shape = b.Ints({2}, {4, 3});
    b.Finish(OpKind::kExpand, {x, shape}, 1);
    CheckGradients(b);
  }
  {
    OpBuilder b;
    const TensorId x = b.Float({1, 2, 3}, 96), rep = b.Ints({3}, {1, 3, 1});
    b.Finish(OpKind::kTile, {x, rep}, 1);
    CheckGradients(b);
  }
  {
    OpBuilder b;
    const TensorId x = b.Float({2, 6}, 97), shape = b.Ints({3}, {3, 2, 2});
    b.Finish(OpKind::kReshape, {x, shape}, 1);
    CheckGradients(b);
  }
  {
    OpBuilder b;
    const TensorId x = b.Float({4, 5}, 98), st = b.Ints({1}, {1}), en = b.Ints({1}, {4}),
                   ax = b.Ints({1}, {1});
    b.Finish(OpKind::kSlice, {x, st, en, ax}, 1);
    CheckGradients(b);
  }
}

TEST(BackwardTest, UnsupportedOpNamesTheNode) {
  OpBuilder b;
  const TensorId x = b.Float({3}, 1), y = b.Float({3}, 2);
  b.Finish(OpKind::kEqual, {x, y}, 1);
  const Node& node = b.graph().nodes()[0];
  const Status s = BackwardNode(node, EvalArgs{}, nullptr, {}, {});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("node 'n'"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tml
