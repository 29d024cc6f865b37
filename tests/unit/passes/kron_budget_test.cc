// The whole-model budget of kron-factorize (--compress N): the allocation
// keeps to the budget and gives it to the matrices whose error falls fastest;
// the error curves contain the exact points of structured matrices (Kronecker,
// low rank); the pass spends the budget across a model and still recovers
// exact Kronecker weights exactly.
#include "passes/kron_budget.h"

#include <gtest/gtest.h>

#include <random>

#include "compiler/onnx/importer.h"
#include "passes/kron_factorize.h"
#include "tests/unit/compiler/onnx_builder.h"

namespace tml {
namespace {

using kron::CurvePoint;

std::vector<float> Random(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.f, 0.3f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = d(rng);
  return v;
}

int64_t Params(const std::vector<std::vector<CurvePoint>>& curves, const std::vector<size_t>& pick) {
  int64_t total = 0;
  for (size_t i = 0; i < curves.size(); ++i) total += curves[i][pick[i]].params;
  return total;
}

TEST(KronBudgetTest, AllocationKeepsTheBudgetAndFavoursTheSensitiveMatrix) {
  // "steep": its error falls fast with size; "flat": nearly free to compress.
  const std::vector<CurvePoint> steep = {{10, 0.9}, {50, 0.5}, {100, 0.0}};
  const std::vector<CurvePoint> flat = {{10, 0.1}, {50, 0.05}, {100, 0.0}};
  const std::vector<std::vector<CurvePoint>> curves = {flat, steep};
  for (int64_t budget : {20, 60, 110, 150, 200}) {
    const std::vector<size_t> pick = kron::AllocateBudget(curves, budget);
    ASSERT_EQ(pick.size(), 2u);
    EXPECT_LE(Params(curves, pick), budget) << budget;
    EXPECT_GE(curves[1][pick[1]].params, curves[0][pick[0]].params) << budget;
  }
  EXPECT_EQ(kron::AllocateBudget(curves, 110), (std::vector<size_t>{0, 2}));
  EXPECT_EQ(kron::AllocateBudget(curves, 200), (std::vector<size_t>{2, 2}));
  // Out of reach: every matrix at its smallest point.
  EXPECT_EQ(kron::AllocateBudget(curves, 5), (std::vector<size_t>{0, 0}));
}

TEST(KronBudgetTest, CurveHoldsTheExactPointsOfStructuredMatrices) {
  // Rank 2 (U·V) 64×48: exact at 2·(64 + 48) values.
  const std::vector<float> u = Random(64 * 2, 1), v = Random(2 * 48, 2);
  std::vector<float> low(64 * 48, 0.f);
  for (int i = 0; i < 64; ++i)
    for (int j = 0; j < 48; ++j)
      for (int k = 0; k < 2; ++k) low[static_cast<size_t>(i * 48 + j)] += u[i * 2 + k] * v[k * 48 + j];
  const std::vector<CurvePoint> curve = kron::ErrorCurve(low.data(), 64, 48, 4, 64, {}, 1);
  ASSERT_FALSE(curve.empty());
  EXPECT_EQ(curve.back().params, 64 * 48);
  EXPECT_EQ(curve.back().error, 0.0);
  bool exact_low_rank = false;
  for (size_t i = 0; i < curve.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(curve[i].params, curve[i - 1].params);
      EXPECT_LT(curve[i].error, curve[i - 1].error);
    }
    exact_low_rank = exact_low_rank || (curve[i].params <= 2 * (64 + 48) && curve[i].error < 1e-5);
  }
  EXPECT_TRUE(exact_low_rank);
}

Graph TwoLayers(const std::vector<float>& w1, const std::vector<float>& w2) {
  testing::OnnxBuilder b;
  b.Input("x", {1, 32}).Floats("W1", {64, 32}, w1).Floats("W2", {32, 64}, w2);
  auto& g1 = b.Node("Gemm", {"x", "W1"}, {"h"}, "fc1");
  testing::OnnxBuilder::IntAttr(g1, "transB", 1);
  auto& g2 = b.Node("Gemm", {"h", "W2"}, {"y"}, "fc2");
  testing::OnnxBuilder::IntAttr(g2, "transB", 1);
  auto* out = b.model().mutable_graph()->add_output();
  out->set_name("y");
  auto* type = out->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  type->mutable_shape()->add_dim()->set_dim_value(1);
  type->mutable_shape()->add_dim()->set_dim_value(32);
  StatusOr<ImportResult> r = ImportOnnxBytes(b.Bytes(), "test.onnx");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r->graph) : Graph();
}

TEST(KronBudgetTest, PassSpendsTheBudgetOnTheMatrixWithoutStructure) {
  // fc1: an exact 8×4 ⊗ 8×8 Kronecker product (96 values); fc2: random.
  WeightOperator kron;
  kron.rows = 64;
  kron.cols = 32;
  kron.terms.push_back(KronTerm{8, 4, 8, 8, Random(32, 3), Random(64, 4)});
  const std::vector<float> structured = kron.Materialize();
  Graph graph = TwoLayers(structured, Random(32 * 64, 5));
  KronFactorizeOptions o;
  o.mode = KronMode::kAuto;
  o.compress = 4.0;  // 4096 / 4 = 1024 values for both
  KronFactorizePass pass(o);
  StatusOr<bool> changed = pass.Run(graph);
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  const KronReport& report = pass.report();
  std::cout << report.ToTable();
  ASSERT_EQ(report.matrices.size(), 2u);
  EXPECT_LE(report.ParamsAfter(), 1024);
  const KronMatrixReport& fc1 = report.matrices[0];
  const KronMatrixReport& fc2 = report.matrices[1];
  EXPECT_TRUE(fc1.exact) << fc1.note;
  EXPECT_LT(fc1.relative_error, 1e-5);
  EXPECT_LE(fc1.params_after, 96);
  // What fc1 does not need goes to fc2: far more than an even 4x split's 512.
  EXPECT_GT(fc2.params_after, 800) << fc2.note;
  EXPECT_NE(fc2.note.find("budget"), std::string::npos) << fc2.note;
}

TEST(KronBudgetTest, TargetBytesBoundsAllTheWeightsAndRejectsAnImpossibleOne) {
  Graph graph = TwoLayers(Random(64 * 32, 6), Random(32 * 64, 7));
  KronFactorizeOptions o;
  o.mode = KronMode::kAuto;
  o.target_bytes = 4096;  // 1024 float32 values for the 4096 of W1 and W2 (no biases here)
  KronFactorizePass pass(o);
  ASSERT_TRUE(pass.Run(graph).ok());
  EXPECT_LE(pass.report().ParamsAfter() * 4, 4096);
  EXPECT_GT(pass.report().ParamsAfter() * 4, 2048);  // the budget is spent, not wasted
  o.target_bytes = 2;
  Graph again = TwoLayers(Random(64 * 32, 6), Random(32 * 64, 7));
  // No bias: any positive budget is possible, so make one impossible with --compress as well.
  o.compress = 4.0;
  StatusOr<bool> both = KronFactorizePass(o).Run(again);
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("--target-bytes"), std::string::npos);
}

}  // namespace
}  // namespace tml
