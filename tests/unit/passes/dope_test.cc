// The dope pass: S holds exactly the largest residual entries (per block for
// per-gate operators), the reference outputs move towards the original model,
// byte accounting with narrow indices, deterministic ties, option errors.
#include "passes/dope.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "compiler/ops/op_registry.h"
#include "compiler/reference/interpreter.h"
#include "passes/kron_math.h"

namespace tml {
namespace {

// X [seq 3, batch 1, 8] → LSTM(hidden 8) with random W [1,32,8], R [1,32,8].
Graph LstmGraph() {
  Graph g;
  std::mt19937 rng(5);
  std::normal_distribution<float> n(0.f, 0.4f);
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
  const TensorId x = add("x", {3, 1, 8}, TensorRole::kInput);
  const TensorId w = add("W", {1, 32, 8}, TensorRole::kConstant);
  const TensorId r = add("R", {1, 32, 8}, TensorRole::kConstant);
  const TensorId y = add("y", {}, TensorRole::kActivation);
  const TensorId yh = add("y_h", {}, TensorRole::kOutput);
  g.inputs().push_back(x);
  g.outputs().push_back(yh);
  Node node;
  node.op = OpKind::kLstm;
  node.name = "lstm";
  node.onnx_op_type = "LSTM";
  node.opset = 14;
  node.inputs = {x, w, r};
  node.outputs = {y, yh};
  node.attrs["hidden_size"] = int64_t{8};
  EXPECT_TRUE(PrepareNode(g, node).ok());
  g.AddNode(std::move(node));
  return g;
}

// Attaches rank-1 nearest-KP operators (4×2 ⊗ 8×4) to W and R.
void Factorize(Graph& g) {
  Node& node = g.nodes()[0];
  for (size_t input : {size_t{1}, size_t{2}}) {
    const Tensor& t = g.tensor(node.inputs[input]);
    WeightOperator op;
    op.rows = 32;
    op.cols = 8;
    op.terms = kron::NearestKronSum(t.f32.data(), kron::KronShape{4, 2, 8, 4}, 1);
    op.relative_error = kron::KronRelativeError(t.f32.data(), 32, 8, op.terms);
    WeightOperatorSet set;
    set.input = input;
    set.per_direction.push_back(std::move(op));
    node.weight_ops.push_back(std::move(set));
  }
}

std::vector<float> Outputs(const Graph& g) {
  Tensor x;
  x.name = "x";
  x.shape = {3, 1, 8};
  x.f32.resize(24);
  for (size_t i = 0; i < 24; ++i) x.f32[i] = std::sin(0.7f * static_cast<float>(i));
  StatusOr<std::vector<Tensor>> y = Interpreter(g).Run({x});
  EXPECT_TRUE(y.ok()) << y.status().message();
  return y.ok() ? (*y)[0].f32 : std::vector<float>{};
}

double MaxDiff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_FALSE(a.empty());
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(static_cast<double>(a[i] - b[i])));
  return d;
}

TEST(DopePassTest, KeepsTheLargestResidualEntries) {
  Graph g = LstmGraph();
  const std::vector<float> original = Outputs(g);
  Factorize(g);
  const double err_kp = MaxDiff(Outputs(g), original);
  DopePass pass(DopeOptions{0.25});
  StatusOr<bool> changed = pass.Run(g);
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_TRUE(*changed);
  const WeightOperator& op = g.nodes()[0].weight_ops[0].per_direction[0];
  ASSERT_TRUE(op.sparse.has_value());
  EXPECT_EQ(op.sparse->nnz(), 64);  // 25 % of 32×8
  // Every kept |residual| >= every dropped one.
  const Tensor& w = g.tensor(g.nodes()[0].inputs[1]);
  WeightOperator bare = op;
  bare.sparse.reset();
  const std::vector<float> kp = bare.Materialize();
  std::vector<bool> kept(256, false);
  float min_kept = INFINITY, max_dropped = 0;
  for (int64_t r = 0; r < 32; ++r) {
    for (int32_t k = op.sparse->row_ptr[r]; k < op.sparse->row_ptr[r + 1]; ++k) {
      const size_t at = static_cast<size_t>(r * 8 + op.sparse->col_idx[k]);
      kept[at] = true;
      EXPECT_FLOAT_EQ(op.sparse->values[k], w.f32[at] - kp[at]);
      min_kept = std::min(min_kept, std::fabs(op.sparse->values[k]));
    }
  }
  for (size_t i = 0; i < 256; ++i) {
    if (!kept[i]) max_dropped = std::max(max_dropped, std::fabs(w.f32[i] - kp[i]));
  }
  EXPECT_GE(min_kept, max_dropped);
  EXPECT_LT(op.relative_error, kron::KronRelativeError(w.f32.data(), 32, 8, op.terms));
  EXPECT_LT(MaxDiff(Outputs(g), original), err_kp);
  // Report: 2 matrices, u8 column indices, u8 row pointers (nnz <= 255).
  ASSERT_EQ(pass.report().matrices.size(), 2u);
  const DopeMatrixReport& m = pass.report().matrices[0];
  EXPECT_EQ(m.nnz, 64);
  EXPECT_EQ(m.col_index_bytes, 1);
  EXPECT_EQ(m.row_ptr_bytes, 1);
  EXPECT_EQ(m.sparse_bytes, 64 * 5 + 33 * 1);
  EXPECT_EQ(m.kron_bytes, 4 * (8 + 32));
  EXPECT_EQ(pass.report().ToJson()["nnz"], 128);
  EXPECT_NE(pass.report().ToTable().find("lstm"), std::string::npos);
}

TEST(DopePassTest, PerGateBlocksAreDopedOnTheirOwnRows) {
  std::vector<float> w(16 * 4);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>((i * 37) % 11) - 5.0f;
  WeightOperator op;
  op.rows = 16;
  op.cols = 4;
  for (int b = 0; b < 2; ++b) {
    WeightOperator block;
    block.rows = 8;
    block.cols = 4;
    block.terms = kron::NearestKronSum(w.data() + b * 32, kron::KronShape{2, 2, 4, 2}, 1);
    op.row_blocks.push_back(block);
  }
  DopeOperator(w.data(), 0.5, &op);
  for (const WeightOperator& block : op.row_blocks) {
    ASSERT_TRUE(block.sparse.has_value());
    EXPECT_EQ(block.sparse->nnz(), 16);
  }
  EXPECT_LT(op.relative_error, 0.5);
}

TEST(DopePassTest, SelectionIsDeterministicOnTies) {
  const std::vector<float> v = {1, -1, 1, 0.5f, -1, 1};
  const SparseOverlay s = SelectLargest(v.data(), 2, 3, 3);
  EXPECT_EQ(s.row_ptr, (std::vector<int32_t>{0, 3, 3}));
  EXPECT_EQ(s.col_idx, (std::vector<int32_t>{0, 1, 2}));
}

TEST(DopePassTest, IndexWidths) {
  EXPECT_EQ(SparseColIndexBytes(256), 1);
  EXPECT_EQ(SparseColIndexBytes(257), 2);
  EXPECT_EQ(SparseColIndexBytes(70000), 4);
  EXPECT_EQ(SparseRowPtrBytes(255), 1);
  EXPECT_EQ(SparseRowPtrBytes(256), 2);
  EXPECT_EQ(SparseRowPtrBytes(65535), 2);
  EXPECT_EQ(SparseRowPtrBytes(65536), 4);
}

TEST(DopePassTest, RejectsBadDensityAndSkipsUnfactorized) {
  Graph g = LstmGraph();
  EXPECT_EQ(DopePass(DopeOptions{1.5}).Run(g).status().code(), StatusCode::kInvalidInput);
  StatusOr<bool> changed = DopePass(DopeOptions{0.1}).Run(g);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);  // nothing factorized: nothing to dope
}

}  // namespace
}  // namespace tml
