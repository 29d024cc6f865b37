// The finetune pass on a small LSTM → Gemm classifier: distillation brings the
// compressed student back towards the teacher, the result is deterministic
// for a seed, doping keeps its final nnz, and bad data is an InvalidInput.
#include "passes/finetune.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "compiler/ops/op_registry.h"
#include "passes/dope.h"
#include "passes/kron_math.h"

namespace tml {
namespace {

// x [1, 4, 8] → Transpose → LSTM(16) → Y_h [1,1,16] → Reshape [1,16] → Gemm(transB) → [1, 4].
// With `tokens`, x is an embedding lookup: ids int64 [1, 4] → Gather(table [10, 8]).
Graph Classifier(bool tokens = false) {
  Graph g;
  std::mt19937 rng(3);
  std::normal_distribution<float> n(0.f, 0.5f);
  auto add = [&](const std::string& name, Shape shape, TensorRole role) {
    Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.role = role;
    if (role == TensorRole::kConstant) {
      t.f32.resize(static_cast<size_t>(t.num_elements()));
      for (float& v : t.f32) v = n(rng);
    }
    return g.AddTensor(std::move(t));
  };
  auto node = [&](OpKind op, const std::string& name, std::vector<TensorId> in,
                  std::vector<TensorId> out, std::map<std::string, Attribute> attrs = {}) {
    Node nd;
    nd.op = op;
    nd.name = name;
    nd.onnx_op_type = OpKindName(op);
    nd.opset = 14;
    nd.inputs = std::move(in);
    nd.outputs = std::move(out);
    nd.attrs = std::move(attrs);
    const Status s = PrepareNode(g, nd);
    EXPECT_TRUE(s.ok()) << s.message();
    g.AddNode(std::move(nd));
  };
  TensorId x;
  if (tokens) {
    Tensor ids;
    ids.name = "ids";
    ids.dtype = DType::kInt64;
    ids.shape = {1, 4};
    ids.role = TensorRole::kInput;
    const TensorId id = g.AddTensor(ids);
    g.inputs().push_back(id);
    const TensorId table = add("table", {10, 8}, TensorRole::kConstant);
    x = add("x", {}, TensorRole::kActivation);
    node(OpKind::kGather, "embed", {table, id}, {x});
  } else {
    x = add("x", {1, 4, 8}, TensorRole::kInput);
    g.inputs().push_back(x);
  }
  const TensorId xt = add("xt", {}, TensorRole::kActivation);
  node(OpKind::kTranspose, "tr", {x}, {xt}, {{"perm", std::vector<int64_t>{1, 0, 2}}});
  const TensorId w = add("W", {1, 64, 8}, TensorRole::kConstant);
  const TensorId r = add("R", {1, 64, 16}, TensorRole::kConstant);
  const TensorId b = add("B", {1, 128}, TensorRole::kConstant);
  const TensorId y = add("y", {}, TensorRole::kActivation), yh = add("yh", {}, TensorRole::kActivation);
  node(OpKind::kLstm, "lstm", {xt, w, r, b}, {y, yh}, {{"hidden_size", int64_t{16}}});
  Tensor shape;
  shape.name = "shape";
  shape.dtype = DType::kInt64;
  shape.shape = {2};
  shape.role = TensorRole::kConstant;
  shape.i64 = {1, 16};
  const TensorId sh = g.AddTensor(shape);
  const TensorId flat = add("flat", {}, TensorRole::kActivation);
  node(OpKind::kReshape, "flat", {yh, sh}, {flat});
  const TensorId fw = add("fc_w", {4, 16}, TensorRole::kConstant), fb = add("fc_b", {4}, TensorRole::kConstant);
  const TensorId out = add("out", {}, TensorRole::kOutput);
  node(OpKind::kGemm, "fc", {flat, fw, fb}, {out}, {{"transB", int64_t{1}}});
  g.outputs().push_back(out);
  return g;
}

// Rank-1 nearest-KP operators on W (8x2 ⊗ 8x4) and R (8x4 ⊗ 8x4), doped at 5 %
// unless `dope` is false.
void Compress(Graph& g, bool dope = true) {
  Node& lstm = *std::find_if(g.nodes().begin(), g.nodes().end(),
                             [](const Node& n) { return n.op == OpKind::kLstm; });
  const std::pair<size_t, kron::KronShape> weights[] = {{1, {8, 2, 8, 4}}, {2, {8, 4, 8, 4}}};
  for (const auto& [input, shape] : weights) {
    const Tensor& t = g.tensor(lstm.inputs[input]);
    WeightOperator op;
    op.rows = t.shape[1];
    op.cols = t.shape[2];
    op.terms = kron::NearestKronSum(t.f32.data(), shape, 1);
    WeightOperatorSet set;
    set.input = input;
    set.per_direction.push_back(op);
    lstm.weight_ops.push_back(set);
  }
  if (dope) {
    ASSERT_TRUE(DopePass(DopeOptions{0.05}).Run(g).ok());
  }
}

Tensor Calibration(int64_t n) {
  Tensor t;
  t.shape = {n, 4, 8};
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  t.f32.resize(static_cast<size_t>(n * 32));
  for (float& v : t.f32) v = u(rng);
  return t;
}

FinetuneOptions Options() {
  FinetuneOptions o;
  o.epochs = 12;
  o.calib = Calibration(96);
  o.lr = 1e-2;
  o.seed = 7;
  return o;
}

// Records the pass's progress lines.
class RecordingObserver : public Observer {
 public:
  void Epoch(std::string_view pass, const std::string& line) override {
    passes.emplace_back(pass);
    lines.push_back(line);
  }
  void Info(const std::string& text) override { infos.push_back(text); }
  std::vector<std::string> passes, lines, infos;
};

TEST(FinetunePassTest, DistillationRecoversAgreementAndKeepsNnz) {
  Graph g = Classifier();
  Compress(g);
  const int64_t nnz = g.nodes()[1].weight_ops[1].per_direction[0].sparse->nnz();
  RecordingObserver obs;
  FinetunePass pass(Options());
  pass.set_observer(&obs);
  StatusOr<bool> changed = pass.Run(g);
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_TRUE(*changed);
  const FinetuneReport& r = pass.report();
  EXPECT_TRUE(r.classifier);
  ASSERT_EQ(r.history.size(), 12u);
  EXPECT_LT(r.history.back().loss, r.history.front().loss);
  EXPECT_GE(r.agreement_after, r.agreement_before);
  EXPECT_EQ(g.nodes()[1].weight_ops[1].per_direction[0].sparse->nnz(), nnz);
  // The header, then one progress line per epoch, each without '\n'.
  ASSERT_EQ(obs.lines.size(), 13u);
  EXPECT_EQ(obs.passes, std::vector<std::string>(13, "finetune"));
  EXPECT_NE(obs.lines[0].find("before: top-1 agreement"), std::string::npos) << obs.lines[0];
  for (const std::string& line : obs.lines) EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_NE(obs.lines[1].find("epoch 1/12"), std::string::npos) << obs.lines[1];
  EXPECT_NE(obs.lines.back().find("epoch 12/12"), std::string::npos) << obs.lines.back();
  // The summary is left to the PassManager: one line, from the report.
  const std::string summary = pass.Summary();
  EXPECT_EQ(summary, r.Summary());
  EXPECT_NE(summary.find("finetune: 12 epochs"), std::string::npos) << summary;
  EXPECT_EQ(std::count(summary.begin(), summary.end(), '\n'), 1) << summary;
  EXPECT_EQ(r.ToJson()["history"].size(), 12u);
}

// Token ids feed the embedding lookup; the table is trained like a bias.
TEST(FinetunePassTest, TokenInputTrainsTheEmbeddingTable) {
  Graph g = Classifier(true);
  Compress(g);
  const std::vector<float> table = g.tensor(g.FindTensor("table")).f32;
  FinetuneOptions o = Options();
  o.epochs = 3;
  o.calib = Tensor();
  o.calib.dtype = DType::kInt64;
  o.calib.shape = {96, 4};
  for (int64_t i = 0; i < 96 * 4; ++i) o.calib.i64.push_back((i * 7) % 10);
  FinetunePass pass(o);
  StatusOr<bool> changed = pass.Run(g);
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_NE(g.tensor(g.FindTensor("table")).f32, table);
  EXPECT_EQ(pass.report().task, "classifier");
  EXPECT_LT(pass.report().history.back().loss, pass.report().history.front().loss * 1.5);
  // Float samples for a token input are refused, naming the input.
  Graph h = Classifier(true);
  Compress(h);
  FinetunePass floats(Options());
  StatusOr<bool> refused = floats.Run(h);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("input 'ids' takes integer token ids"), std::string::npos)
      << refused.status().message();
}

TEST(FinetunePassTest, DeterministicForASeed) {
  Graph a = Classifier(), b = Classifier();
  Compress(a);
  Compress(b);
  FinetunePass pa(Options()), pb(Options());
  ASSERT_TRUE(pa.Run(a).ok());
  ASSERT_TRUE(pb.Run(b).ok());
  ASSERT_EQ(pa.report().history.size(), pb.report().history.size());
  for (size_t i = 0; i < pa.report().history.size(); ++i) {
    EXPECT_EQ(pa.report().history[i].loss, pb.report().history[i].loss) << "epoch " << i + 1;
  }
  const WeightOperator& oa = a.nodes()[1].weight_ops[1].per_direction[0];
  const WeightOperator& ob = b.nodes()[1].weight_ops[1].per_direction[0];
  EXPECT_EQ(oa.terms[0].a, ob.terms[0].a);
  EXPECT_EQ(oa.sparse->values, ob.sparse->values);
  EXPECT_EQ(a.tensor(a.FindTensor("fc_b")).f32, b.tensor(b.FindTensor("fc_b")).f32);
}

TEST(FinetunePassTest, LabelsAddCrossEntropyAndAccuracy) {
  Graph g = Classifier();
  Compress(g);
  FinetuneOptions o = Options();
  o.epochs = 3;
  for (int64_t i = 0; i < 96; ++i) o.labels.push_back(i % 4);
  FinetunePass pass(o);
  RecordingObserver obs;
  pass.set_observer(&obs);
  ASSERT_TRUE(pass.Run(g).ok());
  EXPECT_GE(pass.report().accuracy_after, 0.0);
  EXPECT_GE(pass.report().teacher_accuracy, 0.0);
  ASSERT_EQ(obs.lines.size(), 4u);
  EXPECT_NE(obs.lines[0].find("(original "), std::string::npos) << obs.lines[0];
  EXPECT_NE(pass.Summary().find("(original "), std::string::npos) << pass.Summary();
}

// A large calibration set takes bounded time: past the MAC budget each epoch
// trains on as many samples as fit (said once), --finetune-samples chooses the
// number, and the per-epoch held-out evaluation is capped too.
TEST(FinetunePassTest, TrainingBudgetBoundsTheSamplesPerEpoch) {
  // 96 samples: 14 held out, 82 train. The classifier's MACs per sample:
  // LSTM 4 steps x 64 x (8 + 16) + Gemm 16 x 4 = 6,208; training counts 3x.
  const double per_sample = 3.0 * 6208.0;
  FinetuneOptions o = Options();
  o.epochs = 3;
  {
    Graph g = Classifier();
    Compress(g);
    FinetunePass pass(o);
    ASSERT_TRUE(pass.Run(g).ok());
    EXPECT_EQ(pass.report().train_samples, 82);
    EXPECT_EQ(pass.report().epoch_samples, 82);
  }
  o.budget_macs = 40 * 3 * per_sample;
  Graph g = Classifier();
  Compress(g);
  RecordingObserver obs;
  FinetunePass pass(o);
  pass.set_observer(&obs);
  ASSERT_TRUE(pass.Run(g).ok());
  EXPECT_EQ(pass.report().epoch_samples, 40);
  ASSERT_EQ(obs.infos.size(), 1u);
  EXPECT_NE(obs.infos[0].find("3 epochs of 82 training samples exceed the training budget"), std::string::npos)
      << obs.infos[0];
  EXPECT_NE(obs.infos[0].find("each epoch trains on 40 of them"), std::string::npos) << obs.infos[0];
  EXPECT_NE(obs.lines[0].find("82 training (40 per epoch) / 14 held-out"), std::string::npos) << obs.lines[0];
  EXPECT_TRUE(std::isfinite(pass.report().history.back().loss));
  // Chosen by hand, the budget does not apply.
  o.samples_per_epoch = 20;
  o.max_holdout = 5;
  Graph h = Classifier();
  Compress(h);
  FinetunePass chosen(o);
  ASSERT_TRUE(chosen.Run(h).ok());
  EXPECT_EQ(chosen.report().epoch_samples, 20);
  EXPECT_EQ(chosen.report().holdout_samples, 5);
  EXPECT_EQ(chosen.report().train_samples, 91);
}

// Past max_teacher_values the original's outputs are computed per batch
// (streamed) instead of kept: the training is the same, bit for bit, as with
// every output kept (hints off in both, streaming matches the outputs only).
TEST(FinetunePassTest, StreamedTeacherOutputsTrainTheSame) {
  FinetuneOptions o = Options();
  o.epochs = 3;
  o.hint_weight = 0.0;
  Graph kept = Classifier(), streamed = Classifier();
  Compress(kept);
  Compress(streamed);
  FinetunePass pk(o);
  ASSERT_TRUE(pk.Run(kept).ok());
  o.max_teacher_values = 100;  // 96 samples x 4 outputs
  RecordingObserver obs;
  FinetunePass ps(o);
  ps.set_observer(&obs);
  ASSERT_TRUE(ps.Run(streamed).ok());
  ASSERT_EQ(obs.infos.size(), 1u);
  EXPECT_NE(obs.infos[0].find("96 samples x 4 output values exceed 100 values"), std::string::npos) << obs.infos[0];
  ASSERT_EQ(pk.report().history.size(), ps.report().history.size());
  for (size_t i = 0; i < pk.report().history.size(); ++i) {
    EXPECT_EQ(pk.report().history[i].loss, ps.report().history[i].loss) << "epoch " << i + 1;
    EXPECT_EQ(pk.report().history[i].figure, ps.report().history[i].figure) << "epoch " << i + 1;
  }
  EXPECT_EQ(kept.tensor(kept.FindTensor("fc_b")).f32, streamed.tensor(streamed.FindTensor("fc_b")).f32);
}

// Gradual compression trains structure + ρ × the compression's residual, ρ
// fading from 1: the first steps train (nearly) the original model, while
// every held-out figure is of the structure alone. With a zero learning rate
// nothing moves, so the held-out figures of both runs are the same and only
// the training loss tells them apart.
TEST(FinetunePassTest, GradualCompressionStartsFromTheOriginal) {
  FinetuneOptions o = Options();
  o.epochs = 4;
  o.lr = 0.0;
  o.hint_weight = 0.0;
  o.gradual_fraction = 0.0;
  Graph sharp = Classifier(), gradual = Classifier();
  Compress(sharp, false);
  Compress(gradual, false);
  FinetunePass ps(o);
  ASSERT_TRUE(ps.Run(sharp).ok());
  o.gradual_fraction = 0.75;  // 6 steps per epoch: steps 0-17, epochs 1-3
  RecordingObserver obs;
  FinetunePass pg(o);
  pg.set_observer(&obs);
  ASSERT_TRUE(pg.Run(gradual).ok());
  const std::vector<FinetuneEpoch>& hs = ps.report().history;
  const std::vector<FinetuneEpoch>& hg = pg.report().history;
  ASSERT_EQ(hg.size(), 4u);
  // Epoch 1: ρ from 1 down to 0.36; its loss is a small part of the structure's.
  EXPECT_LT(hg[0].loss, 0.5 * hs[0].loss);
  EXPECT_LT(hg[0].loss, hg[1].loss);
  // Past the gradual phase (ρ = 0) both train the same weights.
  EXPECT_DOUBLE_EQ(hg[3].loss, hs[3].loss);
  for (size_t i = 0; i < hg.size(); ++i) EXPECT_EQ(hg[i].figure, hs[i].figure) << "epoch " << i + 1;
  ASSERT_EQ(obs.lines.size(), 5u);
  EXPECT_NE(obs.lines[1].find("(gradual: residual x0.296)"), std::string::npos) << obs.lines[1];
  EXPECT_NE(obs.lines[2].find("(gradual: residual x0.037)"), std::string::npos) << obs.lines[2];
  EXPECT_EQ(obs.lines[3].find("gradual"), std::string::npos) << obs.lines[3];
  // The structure is what the pass leaves: no residual in the weights.
  const WeightOperator& a = sharp.nodes()[1].weight_ops[1].per_direction[0];
  const WeightOperator& b = gradual.nodes()[1].weight_ops[1].per_direction[0];
  EXPECT_EQ(a.Materialize(), b.Materialize());
}

TEST(FinetunePassTest, RejectsMismatchedData) {
  Graph g = Classifier();
  Compress(g);
  FinetuneOptions o = Options();
  o.calib.shape = {48, 8, 8};
  EXPECT_EQ(FinetunePass(o).Run(g).status().code(), StatusCode::kInvalidInput);
  o = Options();
  o.labels = {1, 2};
  EXPECT_EQ(FinetunePass(o).Run(g).status().code(), StatusCode::kInvalidInput);
}

}  // namespace
}  // namespace tml
