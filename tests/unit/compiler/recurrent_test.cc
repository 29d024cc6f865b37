// LSTM/GRU/RNN: Prepare (attribute normalisation, shapes, diagnostics) and the
// float reference Eval, checked against a plain double-precision loop written
// from the ONNX operator spec (one batch entry, one unit at a time).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/ops/op_registry.h"
#include "compiler/reference/interpreter.h"

namespace tml {
namespace {

// One recurrent node with all its options and data.
struct Case {
  OpKind op = OpKind::kLstm;
  int64_t seq = 3, batch = 2, input = 3, hidden = 4;
  std::string direction = "forward";
  int64_t layout = 0;
  float clip = 0.0f;  // 0 = attribute absent
  bool input_forget = false;
  bool linear_before_reset = false;
  std::vector<int64_t> lens;  // empty = sequence_lens absent
  bool bias = true, initial_h = false, initial_c = false, peepholes = false;
  bool initial_h_is_graph_input = false;  // a runtime input instead of a constant
  std::vector<float> x, w, r, b, h0, c0, p;

  int64_t dirs() const { return direction == "bidirectional" ? 2 : 1; }
  int64_t gates() const { return op == OpKind::kLstm ? 4 : op == OpKind::kGru ? 3 : 1; }
  Shape XShape() const { return layout == 0 ? Shape{seq, batch, input} : Shape{batch, seq, input}; }
  Shape StateShape() const {
    return layout == 0 ? Shape{dirs(), batch, hidden} : Shape{batch, dirs(), hidden};
  }
  Shape YShape() const {
    return layout == 0 ? Shape{seq, dirs(), batch, hidden} : Shape{batch, seq, dirs(), hidden};
  }
  // Flat offsets, written out from the ONNX spec's shapes.
  int64_t X(int64_t t, int64_t bt, int64_t k) const {
    return layout == 0 ? (t * batch + bt) * input + k : (bt * seq + t) * input + k;
  }
  int64_t S(int64_t d, int64_t bt, int64_t j) const {
    return layout == 0 ? (d * batch + bt) * hidden + j : (bt * dirs() + d) * hidden + j;
  }
  int64_t Y(int64_t t, int64_t d, int64_t bt, int64_t j) const {
    return layout == 0 ? ((t * dirs() + d) * batch + bt) * hidden + j
                       : ((bt * seq + t) * dirs() + d) * hidden + j;
  }

  // Random data: inputs in [-x_scale, x_scale], weights in [-w_scale, w_scale].
  void Fill(unsigned seed, float x_scale = 1.0f, float w_scale = 0.5f) {
    std::mt19937 rng(seed);
    auto gen = [&](int64_t n, float scale) {
      std::uniform_real_distribution<float> dist(-scale, scale);
      std::vector<float> v(static_cast<size_t>(n));
      for (float& e : v) e = dist(rng);
      return v;
    };
    const int64_t gh = gates() * hidden;
    x = gen(seq * batch * input, x_scale);
    w = gen(dirs() * gh * input, w_scale);
    r = gen(dirs() * gh * hidden, w_scale);
    b = gen(dirs() * 2 * gh, w_scale);
    h0 = gen(dirs() * batch * hidden, 0.8f);
    c0 = gen(dirs() * batch * hidden, 0.8f);
    p = gen(dirs() * 3 * hidden, w_scale);
  }
};

struct Outputs {
  std::vector<double> y, yh, yc;
};

double Sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// The ONNX semantics, one batch entry and one direction at a time.
Outputs Reference(const Case& c) {
  const int64_t hs = c.hidden, gh = c.gates() * hs;
  Outputs out;
  out.y.assign(static_cast<size_t>(c.seq * c.dirs() * c.batch * hs), 0.0);
  out.yh.assign(static_cast<size_t>(c.dirs() * c.batch * hs), 0.0);
  out.yc = out.yh;
  auto clip = [&](double v) {
    return c.clip > 0 ? std::min<double>(c.clip, std::max<double>(-c.clip, v)) : v;
  };
  for (int64_t d = 0; d < c.dirs(); ++d) {
    const bool reverse = c.direction == "reverse" || d == 1;
    // Row `row` of W[d] times x_t, of R[d] times v; bias halves.
    auto wx = [&](int64_t row, int64_t t, int64_t bt) {
      double s = 0;
      for (int64_t k = 0; k < c.input; ++k)
        s += c.w[(d * gh + row) * c.input + k] * c.x[c.X(t, bt, k)];
      return s;
    };
    auto rh = [&](int64_t row, const std::vector<double>& v) {
      double s = 0;
      for (int64_t k = 0; k < hs; ++k) s += c.r[(d * gh + row) * hs + k] * v[k];
      return s;
    };
    auto wb = [&](int64_t row) { return c.bias ? c.b[d * 2 * gh + row] : 0.0; };
    auto rb = [&](int64_t row) { return c.bias ? c.b[d * 2 * gh + gh + row] : 0.0; };
    auto peep = [&](int64_t k, int64_t j) { return c.peepholes ? c.p[(d * 3 + k) * hs + j] : 0.0; };
    for (int64_t bt = 0; bt < c.batch; ++bt) {
      std::vector<double> h(hs, 0.0), cell(hs, 0.0);
      for (int64_t j = 0; j < hs; ++j) {
        if (c.initial_h) h[j] = c.h0[c.S(d, bt, j)];
        if (c.initial_c) cell[j] = c.c0[c.S(d, bt, j)];
      }
      const int64_t len = c.lens.empty() ? c.seq : c.lens[bt];
      for (int64_t step = 0; step < len; ++step) {
        const int64_t t = reverse ? len - 1 - step : step;
        std::vector<double> nh(hs), nc(hs);
        for (int64_t j = 0; j < hs; ++j) {
          if (c.op == OpKind::kLstm) {  // rows i, o, f, c
            auto pre = [&](int64_t g) {
              return wx(g * hs + j, t, bt) + rh(g * hs + j, h) + wb(g * hs + j) + rb(g * hs + j);
            };
            double i = Sigmoid(clip(pre(0) + peep(0, j) * cell[j]));
            double f = c.input_forget ? 1.0 - i : Sigmoid(clip(pre(2) + peep(2, j) * cell[j]));
            double ct = std::tanh(clip(pre(3)));
            nc[j] = f * cell[j] + i * ct;
            double o = Sigmoid(clip(pre(1) + peep(1, j) * nc[j]));
            nh[j] = o * std::tanh(nc[j]);
          } else if (c.op == OpKind::kGru) {  // rows z, r, h
            double z = Sigmoid(clip(wx(j, t, bt) + rh(j, h) + wb(j) + rb(j)));
            double rr = Sigmoid(clip(wx(hs + j, t, bt) + rh(hs + j, h) + wb(hs + j) + rb(hs + j)));
            double pre;
            if (c.linear_before_reset) {
              pre = wx(2 * hs + j, t, bt) + rr * (rh(2 * hs + j, h) + rb(2 * hs + j)) +
                    wb(2 * hs + j);
            } else {
              // (r ⊙ H) · R_hᵀ needs every unit's reset value.
              std::vector<double> reset_h(hs);
              for (int64_t k = 0; k < hs; ++k) {
                double rk =
                    Sigmoid(clip(wx(hs + k, t, bt) + rh(hs + k, h) + wb(hs + k) + rb(hs + k)));
                reset_h[k] = rk * h[k];
              }
              pre =
                  wx(2 * hs + j, t, bt) + rh(2 * hs + j, reset_h) + rb(2 * hs + j) + wb(2 * hs + j);
            }
            double ht = std::tanh(clip(pre));
            nh[j] = (1 - z) * ht + z * h[j];
          } else {
            nh[j] = std::tanh(clip(wx(j, t, bt) + rh(j, h) + wb(j) + rb(j)));
          }
        }
        h = nh;
        if (c.op == OpKind::kLstm) cell = nc;
        for (int64_t j = 0; j < hs; ++j) out.y[c.Y(t, d, bt, j)] = h[j];
      }
      for (int64_t j = 0; j < hs; ++j) {
        out.yh[c.S(d, bt, j)] = h[j];
        out.yc[c.S(d, bt, j)] = cell[j];
      }
    }
  }
  return out;
}

Tensor MakeTensor(const std::string& name, Shape shape, std::vector<float> data, TensorRole role) {
  Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  t.f32 = std::move(data);
  t.role = role;
  return t;
}

const char* OnnxName(OpKind op) { return OpKindName(op); }

// Builds the one-node graph of a case (without running Prepare).
struct Built {
  Graph graph;
  Node node;
  std::vector<Tensor> runtime_inputs;
};

Built Build(const Case& c) {
  Built out;
  Graph& g = out.graph;
  Node& n = out.node;
  n.op = c.op;
  n.name = "rec_1";
  n.onnx_op_type = OnnxName(c.op);
  n.opset = 14;
  const int64_t gh = c.gates() * c.hidden;
  Tensor x = MakeTensor("X", c.XShape(), c.x, TensorRole::kInput);
  out.runtime_inputs.push_back(x);
  g.inputs().push_back(g.AddTensor(x));
  n.inputs.push_back(g.inputs().back());
  n.inputs.push_back(
      g.AddTensor(MakeTensor("W", {c.dirs(), gh, c.input}, c.w, TensorRole::kConstant)));
  n.inputs.push_back(
      g.AddTensor(MakeTensor("R", {c.dirs(), gh, c.hidden}, c.r, TensorRole::kConstant)));
  n.inputs.push_back(
      c.bias ? g.AddTensor(MakeTensor("B", {c.dirs(), 2 * gh}, c.b, TensorRole::kConstant))
             : kNoTensor);
  if (!c.lens.empty()) {
    Tensor lens;
    lens.name = "sequence_lens";
    lens.dtype = DType::kInt64;
    lens.shape = {c.batch};
    lens.i64 = c.lens;
    lens.role = TensorRole::kConstant;
    n.inputs.push_back(g.AddTensor(lens));
  } else {
    n.inputs.push_back(kNoTensor);
  }
  if (c.initial_h && c.initial_h_is_graph_input) {
    Tensor h0 = MakeTensor("initial_h", c.StateShape(), c.h0, TensorRole::kInput);
    out.runtime_inputs.push_back(h0);
    g.inputs().push_back(g.AddTensor(h0));
    n.inputs.push_back(g.inputs().back());
  } else {
    n.inputs.push_back(c.initial_h ? g.AddTensor(MakeTensor("initial_h", c.StateShape(), c.h0,
                                                            TensorRole::kConstant))
                                   : kNoTensor);
  }
  if (c.op == OpKind::kLstm) {
    n.inputs.push_back(c.initial_c ? g.AddTensor(MakeTensor("initial_c", c.StateShape(), c.c0,
                                                            TensorRole::kConstant))
                                   : kNoTensor);
    n.inputs.push_back(c.peepholes ? g.AddTensor(MakeTensor("P", {c.dirs(), 3 * c.hidden}, c.p,
                                                            TensorRole::kConstant))
                                   : kNoTensor);
  }
  while (!n.inputs.empty() && n.inputs.back() == kNoTensor) n.inputs.pop_back();
  for (const char* name : {"Y", "Y_h", "Y_c"}) {
    if (c.op != OpKind::kLstm && std::string(name) == "Y_c") break;
    Tensor t;
    t.name = name;
    t.role = TensorRole::kOutput;
    TensorId id = g.AddTensor(t);
    n.outputs.push_back(id);
    g.outputs().push_back(id);
  }
  n.attrs["hidden_size"] = c.hidden;
  n.attrs["direction"] = c.direction;
  if (c.layout != 0) n.attrs["layout"] = c.layout;
  if (c.clip > 0) n.attrs["clip"] = c.clip;
  if (c.op == OpKind::kLstm) n.attrs["input_forget"] = int64_t{c.input_forget ? 1 : 0};
  if (c.op == OpKind::kGru) n.attrs["linear_before_reset"] = int64_t{c.linear_before_reset ? 1 : 0};
  return out;
}

// Prepares and runs the node; outputs in Y, Y_h(, Y_c) order.
StatusOr<std::vector<Tensor>> PrepareAndRun(const Case& c) {
  Built built = Build(c);
  TML_RETURN_IF_ERROR(PrepareNode(built.graph, built.node));
  built.graph.AddNode(built.node);
  Interpreter interpreter(built.graph);
  return interpreter.Run(built.runtime_inputs);
}

void ExpectNear(const std::vector<double>& want, const Tensor& got, const std::string& what) {
  ASSERT_FALSE(want.empty()) << what;
  ASSERT_EQ(got.f32.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(got.f32[i], want[i], 1e-5 + 1e-4 * std::fabs(want[i])) << what << "[" << i << "]";
  }
}

// Checks Run(c) against Reference(c), output shapes included.
void CheckAgainstReference(const Case& c) {
  StatusOr<std::vector<Tensor>> got = PrepareAndRun(c);
  ASSERT_TRUE(got.ok()) << got.status().message();
  Outputs want = Reference(c);
  ASSERT_EQ(got->size(), c.op == OpKind::kLstm ? 3u : 2u);
  EXPECT_EQ((*got)[0].shape, c.YShape());
  EXPECT_EQ((*got)[1].shape, c.StateShape());
  ExpectNear(want.y, (*got)[0], "Y");
  ExpectNear(want.yh, (*got)[1], "Y_h");
  if (c.op == OpKind::kLstm) {
    EXPECT_EQ((*got)[2].shape, c.StateShape());
    ExpectNear(want.yc, (*got)[2], "Y_c");
  }
}

double MaxDiff(const Outputs& a, const Outputs& b) {
  double m = 0;
  for (size_t i = 0; i < a.y.size(); ++i) m = std::max(m, std::fabs(a.y[i] - b.y[i]));
  for (size_t i = 0; i < a.yh.size(); ++i) m = std::max(m, std::fabs(a.yh[i] - b.yh[i]));
  for (size_t i = 0; i < a.yc.size(); ++i) m = std::max(m, std::fabs(a.yc[i] - b.yc[i]));
  return m;
}

// Guards the tests themselves: turning a feature off must change the result
// noticeably, or a broken implementation of it could still pass.
template <typename Modify>
void ExpectFeatureMatters(const Case& c, Modify modify, const char* feature) {
  Case off = c;
  modify(off);
  EXPECT_GT(MaxDiff(Reference(c), Reference(off)), 1e-2) << feature << " does not affect this case";
}

Case LstmAllFeatures() {
  Case c;
  c.op = OpKind::kLstm;
  c.seq = 4, c.batch = 2, c.input = 3, c.hidden = 3;
  c.direction = "bidirectional";
  c.layout = 1;
  c.lens = {4, 2};
  c.peepholes = c.initial_h = c.initial_c = true;
  c.clip = 0.9f;
  c.Fill(7, 1.5f, 0.7f);
  return c;
}

TEST(RecurrentTest, LstmBidirectionalLayout1SeqLensPeepholesClipInitialStates) {
  Case c = LstmAllFeatures();
  c.initial_h_is_graph_input = true;  // a runtime tensor, not a constant
  ExpectFeatureMatters(
      c, [](Case& o) { o.clip = 0; }, "clip");
  ExpectFeatureMatters(
      c, [](Case& o) { o.peepholes = false; }, "peepholes");
  ExpectFeatureMatters(
      c, [](Case& o) { o.lens.clear(); }, "sequence_lens");
  ExpectFeatureMatters(
      c, [](Case& o) { o.initial_h = false; }, "initial_h");
  ExpectFeatureMatters(
      c, [](Case& o) { o.initial_c = false; }, "initial_c");
  ExpectFeatureMatters(
      c, [](Case& o) { o.layout = 0; }, "layout");
  CheckAgainstReference(c);
}

TEST(RecurrentTest, LstmSeqLensZeroOutputsAndFinalState) {
  Case c = LstmAllFeatures();
  StatusOr<std::vector<Tensor>> got = PrepareAndRun(c);
  ASSERT_TRUE(got.ok()) << got.status().message();
  const Tensor& y = (*got)[0];
  // Batch 1 has length 2: steps 2 and 3 are zero in both directions.
  for (int64_t t = 2; t < 4; ++t) {
    for (int64_t d = 0; d < 2; ++d) {
      for (int64_t j = 0; j < c.hidden; ++j) EXPECT_EQ(y.f32[c.Y(t, d, 1, j)], 0.0f);
    }
  }
  // Forward Y_h is Y at the last valid step; reverse Y_h is Y at t = 0.
  const Tensor& yh = (*got)[1];
  for (int64_t j = 0; j < c.hidden; ++j) {
    EXPECT_EQ(yh.f32[c.S(0, 1, j)], y.f32[c.Y(1, 0, 1, j)]);
    EXPECT_EQ(yh.f32[c.S(1, 1, j)], y.f32[c.Y(0, 1, 1, j)]);
    EXPECT_EQ(yh.f32[c.S(0, 0, j)], y.f32[c.Y(3, 0, 0, j)]);
  }
}

TEST(RecurrentTest, LstmReverseInputForgetClipLayout0) {
  Case c;
  c.op = OpKind::kLstm;
  c.seq = 5, c.batch = 3, c.input = 2, c.hidden = 4;
  c.direction = "reverse";
  c.input_forget = true;
  c.clip = 0.7f;
  c.lens = {5, 3, 0};  // a zero length keeps the initial state
  c.initial_h = c.initial_c = c.peepholes = true;
  c.Fill(11, 1.5f, 0.8f);
  ExpectFeatureMatters(
      c, [](Case& o) { o.input_forget = false; }, "input_forget");
  ExpectFeatureMatters(
      c, [](Case& o) { o.clip = 0; }, "clip");
  ExpectFeatureMatters(
      c, [](Case& o) { o.direction = "forward"; }, "direction");
  ExpectFeatureMatters(
      c, [](Case& o) { o.lens.clear(); }, "sequence_lens");
  CheckAgainstReference(c);
}

TEST(RecurrentTest, LstmForwardDefaultsWithoutBias) {
  Case c;
  c.op = OpKind::kLstm;
  c.bias = false;
  c.Fill(3);
  CheckAgainstReference(c);
}

TEST(RecurrentTest, GruLinearBeforeResetBothValues) {
  for (bool lbr : {false, true}) {
    for (int64_t layout : {0, 1}) {
      SCOPED_TRACE(testing::Message() << "linear_before_reset=" << lbr << " layout=" << layout);
      Case c;
      c.op = OpKind::kGru;
      c.seq = 4, c.batch = 2, c.input = 3, c.hidden = 3;
      c.direction = "bidirectional";
      c.layout = layout;
      c.linear_before_reset = lbr;
      c.lens = {3, 4};
      c.initial_h = true;
      c.Fill(21, 1.0f, 0.9f);
      ExpectFeatureMatters(
          c, [](Case& o) { o.linear_before_reset = !o.linear_before_reset; },
          "linear_before_reset");
      ExpectFeatureMatters(
          c, [](Case& o) { o.lens.clear(); }, "sequence_lens");
      CheckAgainstReference(c);
    }
  }
}

TEST(RecurrentTest, GruReverseClip) {
  Case c;
  c.op = OpKind::kGru;
  c.direction = "reverse";
  c.clip = 0.5f;
  c.Fill(5, 2.0f, 0.8f);
  ExpectFeatureMatters(
      c, [](Case& o) { o.clip = 0; }, "clip");
  CheckAgainstReference(c);
}

TEST(RecurrentTest, RnnForwardReverseBidirectional) {
  for (const char* direction : {"forward", "reverse", "bidirectional"}) {
    SCOPED_TRACE(direction);
    Case c;
    c.op = OpKind::kRnn;
    c.seq = 4, c.batch = 3, c.input = 2, c.hidden = 5;
    c.direction = direction;
    c.layout = 1;
    c.lens = {4, 1, 3};
    c.initial_h = true;
    c.clip = 0.6f;
    c.Fill(31, 1.5f, 0.8f);
    ExpectFeatureMatters(
        c, [](Case& o) { o.clip = 0; }, "clip");
    CheckAgainstReference(c);
  }
}

TEST(RecurrentTest, AbsentYStillComputesYh) {
  Case c;
  c.op = OpKind::kGru;
  c.Fill(9);
  Built built = Build(c);
  // Y absent (kNoTensor), as the importer writes an empty output name.
  built.graph.outputs().erase(built.graph.outputs().begin());
  built.node.outputs[0] = kNoTensor;
  ASSERT_TRUE(PrepareNode(built.graph, built.node).ok());
  built.graph.AddNode(built.node);
  StatusOr<std::vector<Tensor>> got = Interpreter(built.graph).Run(built.runtime_inputs);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 1u);
  ExpectNear(Reference(c).yh, (*got)[0], "Y_h");
}

TEST(RecurrentTest, PrepareNormalizesAttributes) {
  Case c;
  c.op = OpKind::kLstm;
  c.layout = 1;
  c.Fill(1);
  Built built = Build(c);
  Node& n = built.node;
  n.attrs["hidden_size"] = c.hidden;  // required (checked against W)
  n.attrs.erase("direction");         // defaults to forward
  n.attrs.erase("input_forget");
  n.attrs["activations"] = std::vector<std::string>{"sigmoid", "tanh", "tanh"};
  ASSERT_TRUE(PrepareNode(built.graph, n).ok());
  EXPECT_EQ(n.GetInt("hidden_size", -1), c.hidden);
  EXPECT_EQ(n.GetString("direction", ""), "forward");
  EXPECT_EQ(n.GetInt("layout", -1), 1);
  EXPECT_EQ(n.GetFloat("clip", -1), 0.0f);
  EXPECT_EQ(n.GetInt("input_forget", -1), 0);
  EXPECT_FALSE(n.HasAttr("activations"));
  EXPECT_EQ(built.graph.tensor(n.output(0)).shape, (Shape{c.batch, c.seq, 1, c.hidden}));
  EXPECT_EQ(built.graph.tensor(n.output(2)).shape, (Shape{c.batch, 1, c.hidden}));
  // A second Prepare (passes rebuild nodes) leaves the normalised node alone.
  Node again = n;
  ASSERT_TRUE(PrepareNode(built.graph, again).ok());
  EXPECT_EQ(again.attrs, n.attrs);
}

TEST(RecurrentTest, DefaultActivationListsAccepted) {
  Case c;
  c.op = OpKind::kGru;
  c.direction = "bidirectional";
  c.Fill(2);
  Built built = Build(c);
  built.node.attrs["activations"] = std::vector<std::string>{"Sigmoid", "Tanh", "Sigmoid", "Tanh"};
  Status s = PrepareNode(built.graph, built.node);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(built.node.GetInt("linear_before_reset", -1), 0);
}

// Expects Prepare to fail with a message naming the node and containing `needle`.
void ExpectPrepareError(Built built, const std::string& needle) {
  Status s = PrepareNode(built.graph, built.node);
  ASSERT_FALSE(s.ok()) << "expected an error mentioning " << needle;
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput);
  EXPECT_NE(s.message().find("node 'rec_1'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
}

Case SmallCase(OpKind op) {
  Case c;
  c.op = op;
  c.initial_h = c.initial_c = c.peepholes = true;
  c.Fill(4);
  return c;
}

TEST(RecurrentTest, UnsupportedActivationsNameNodeAndSupportedList) {
  Built lstm = Build(SmallCase(OpKind::kLstm));
  lstm.node.attrs["activations"] = std::vector<std::string>{"Relu", "Tanh", "Tanh"};
  ExpectPrepareError(lstm, "Sigmoid, Tanh, Tanh");
  Built gru = Build(SmallCase(OpKind::kGru));
  gru.node.attrs["activations"] = std::vector<std::string>{"Sigmoid", "HardSigmoid"};
  ExpectPrepareError(gru, "activations [Sigmoid, HardSigmoid] are not supported");
  Built rnn = Build(SmallCase(OpKind::kRnn));
  rnn.node.attrs["activations"] = std::vector<std::string>{"Relu"};
  ExpectPrepareError(rnn, "RNN: Tanh");
  Built alpha = Build(SmallCase(OpKind::kRnn));
  alpha.node.attrs["activation_alpha"] = std::vector<float>{0.5f};
  ExpectPrepareError(alpha, "activation_alpha");
}

TEST(RecurrentTest, WrongWeightShapesNameTheInput) {
  Case c = SmallCase(OpKind::kLstm);
  Built w = Build(c);
  w.graph.tensor(w.node.inputs[1]).shape = {1, 4 * c.hidden, c.input + 1};
  ExpectPrepareError(w, "input 'W'");
  Built w_rank = Build(c);
  w_rank.graph.tensor(w_rank.node.inputs[1]).shape = {4 * c.hidden, c.input};
  ExpectPrepareError(w_rank, "input 'W'");
  Built w_dirs = Build(c);
  w_dirs.node.attrs["direction"] = std::string("bidirectional");
  ExpectPrepareError(w_dirs, "input 'W'");
  Built r = Build(c);
  r.graph.tensor(r.node.inputs[2]).shape = {1, 4 * c.hidden, c.hidden + 1};
  ExpectPrepareError(r, "input 'R'");
  Built b = Build(c);
  b.graph.tensor(b.node.inputs[3]).shape = {1, 4 * c.hidden};
  ExpectPrepareError(b, "input 'B'");
  Built p = Build(c);
  p.graph.tensor(p.node.inputs[7]).shape = {1, 4 * c.hidden};
  ExpectPrepareError(p, "input 'P'");
}

TEST(RecurrentTest, HiddenSizeMismatch) {
  Built built = Build(SmallCase(OpKind::kGru));
  built.node.attrs["hidden_size"] = int64_t{5};
  ExpectPrepareError(built, "attribute 'hidden_size' is 5");
}

// ONNX calls hidden_size optional; a model without it is rejected (issue 19).
TEST(RecurrentTest, HiddenSizeIsRequired) {
  for (OpKind op : {OpKind::kLstm, OpKind::kGru, OpKind::kRnn}) {
    Built built = Build(SmallCase(op));
    built.node.attrs.erase("hidden_size");
    ExpectPrepareError(built, "attribute 'hidden_size' is required");
  }
}

TEST(RecurrentTest, StateShapesFollowLayout) {
  Case c = SmallCase(OpKind::kLstm);
  c.batch = 3;
  c.Fill(4);
  Built built = Build(c);
  built.node.attrs["layout"] = int64_t{1};  // X and the states stay in layout 0 shapes
  ExpectPrepareError(built, "input");
  Case c1 = c;
  c1.layout = 1;
  Built h = Build(c1);
  h.graph.tensor(h.node.inputs[5]).shape = {1, c.batch, c.hidden};  // layout 0 shape
  ExpectPrepareError(h, "input 'initial_h'");
  Built cc = Build(c1);
  cc.graph.tensor(cc.node.inputs[6]).shape = {1, c.batch, c.hidden};
  ExpectPrepareError(cc, "input 'initial_c'");
}

TEST(RecurrentTest, BadAttributesAndSequenceLens) {
  Case c = SmallCase(OpKind::kRnn);
  c.lens = {3, 4};  // seq is 3
  ExpectPrepareError(Build(c), "sequence_lens");
  c.lens = {3, 3};
  Built lens_shape = Build(c);
  Tensor& lens = lens_shape.graph.tensor(lens_shape.node.inputs[4]);
  lens.shape = {3};
  lens.i64 = {3, 3, 3};
  ExpectPrepareError(lens_shape, "input 'sequence_lens'");
  c.lens.clear();
  Built direction = Build(c);
  direction.node.attrs["direction"] = std::string("sideways");
  ExpectPrepareError(direction, "direction");
  Built layout = Build(c);
  layout.node.attrs["layout"] = int64_t{2};
  ExpectPrepareError(layout, "layout");
  Built clip = Build(c);
  clip.node.attrs["clip"] = -1.0f;
  ExpectPrepareError(clip, "clip");
  Built lbr = Build(SmallCase(OpKind::kGru));
  lbr.node.attrs["linear_before_reset"] = int64_t{2};
  ExpectPrepareError(lbr, "linear_before_reset");
}

}  // namespace
}  // namespace tml
