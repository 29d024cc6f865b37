// The kron-factorize pass: exact structure of examples/kron_lstm found and the
// compressed graph's reference outputs equal the original's; stacked vs per
// gate; Gemm/MatMul weights (in×out layout); dense kept where nothing pays;
// modes, compression target and option errors; the report.
#include "passes/kron_factorize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "compiler/reference/run_batch.h"
#include "compiler/ir/verifier.h"
#include "compiler/npy.h"
#include "compiler/onnx/importer.h"
#include "passes/kron_math.h"
#include "tests/unit/compiler/onnx_builder.h"

namespace tml {
namespace {

const std::string kExample = std::string(TML_SOURCE_DIR) + "/examples/kron_lstm/";

// Declares the graph output "y" with its static shape (which the ONNX checker wants).
void SetOutputShape(testing::OnnxBuilder& b, const std::vector<int64_t>& dims) {
  auto* out = b.model().mutable_graph()->add_output();
  out->set_name("y");
  auto* type = out->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) type->mutable_shape()->add_dim()->set_dim_value(d);
}

Graph Import(const std::string& bytes) {
  StatusOr<ImportResult> r = ImportOnnxBytes(bytes, "test.onnx");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r->graph) : Graph();
}

std::vector<float> RandomVector(int64_t n, uint32_t seed, float scale = 0.3f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.f, scale);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = d(rng);
  return v;
}

// Row-major A⊗B as floats.
std::vector<float> Kron(const std::vector<float>& a, int64_t m1, int64_t n1, const std::vector<float>& b,
                        int64_t m2, int64_t n2) {
  WeightOperator op;
  op.rows = m1 * m2;
  op.cols = n1 * n2;
  op.terms.push_back(KronTerm{m1, n1, m2, n2, a, b});
  return op.Materialize();
}

// Max |a − b| over the outputs of the reference interpreter on both graphs.
double MaxOutputDiff(const Graph& a, const Graph& b, const Tensor& data) {
  StatusOr<std::vector<Tensor>> ya = RunBatch(a, {data}, {"x"});
  StatusOr<std::vector<Tensor>> yb = RunBatch(b, {data}, {"x"});
  EXPECT_TRUE(ya.ok()) << ya.status().message();
  EXPECT_TRUE(yb.ok()) << yb.status().message();
  if (!ya.ok() || !yb.ok()) return 1e30;
  EXPECT_FALSE((*ya)[0].f32.empty());
  double diff = 0;
  for (size_t i = 0; i < (*ya)[0].f32.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::fabs((*ya)[0].f32[i] - (*yb)[0].f32[i])));
  }
  return diff;
}

KronFactorizeOptions Auto(double tol = 1e-3) {
  KronFactorizeOptions o;
  o.mode = KronMode::kAuto;
  o.tol = tol;
  return o;
}

TEST(KronFactorizePassTest, FindsTheExactStructureOfTheKronLstmExample) {
  StatusOr<ImportResult> imported = ImportOnnxFile(kExample + "model.onnx");
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  const Graph original = imported->graph;
  Graph graph = original;
  KronFactorizePass pass(Auto());
  StatusOr<bool> changed = pass.Run(graph);
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_TRUE(*changed);
  ASSERT_TRUE(VerifyGraph(graph).ok());

  std::ifstream in(kExample + "structure.json");
  const nlohmann::json structure = nlohmann::json::parse(in);
  const KronReport& report = pass.report();
  std::cout << report.ToTable();
  int found = 0;
  for (const KronMatrixReport& m : report.matrices) {
    if (m.op != "LSTM") continue;
    const nlohmann::json& s = structure[m.input];
    ++found;
    EXPECT_EQ(m.tensor, s["onnx_initializer"].get<std::string>());
    EXPECT_EQ(m.layout, "stacked") << m.input;
    EXPECT_TRUE(m.exact) << m.input;
    EXPECT_LT(m.relative_error, 1e-5) << m.input;
    EXPECT_EQ(m.params_before, s["params_dense"].get<int64_t>());
    EXPECT_EQ(m.params_after, s["params_kron"].get<int64_t>()) << m.input;
    EXPECT_DOUBLE_EQ(m.compression, s["params_dense"].get<double>() / s["params_kron"].get<double>());
    ASSERT_EQ(m.blocks.size(), 1u);
    EXPECT_EQ(m.blocks[0].rank, s["rank"].get<int>());
    EXPECT_EQ(m.blocks[0].shape.m1, s["A_shape"][0].get<int64_t>());
    EXPECT_EQ(m.blocks[0].shape.n1, s["A_shape"][1].get<int64_t>());
    EXPECT_EQ(m.blocks[0].shape.m2, s["B_shape"][0].get<int64_t>());
    EXPECT_EQ(m.blocks[0].shape.n2, s["B_shape"][1].get<int64_t>());
    EXPECT_LT(m.macs_after, m.macs_before);
    EXPECT_FALSE(m.per_gate_best.empty()) << "per gate must be measured too";
  }
  EXPECT_EQ(found, 2);

  // The compressed graph computes what the original does on the test set.
  StatusOr<Tensor> x = ReadNpy(kExample + "test_x.npy");
  ASSERT_TRUE(x.ok()) << x.status().message();
  ASSERT_GT(x->num_elements(), 0);
  EXPECT_LT(MaxOutputDiff(original, graph, *x), 1e-4);

  // Second run: nothing left to do.
  StatusOr<bool> again = pass.Run(graph);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST(KronFactorizePassTest, ExactModeFindsKronLstmAndReportConvertsToJson) {
  StatusOr<ImportResult> imported = ImportOnnxFile(kExample + "model.onnx");
  ASSERT_TRUE(imported.ok());
  KronFactorizeOptions o;
  o.mode = KronMode::kExact;
  KronFactorizePass pass(o);
  ASSERT_TRUE(pass.Run(imported->graph).ok());
  const nlohmann::json j = pass.report().ToJson();
  ASSERT_EQ(j["mode"], "exact");
  int exact = 0;
  for (const auto& m : j["matrices"]) {
    if (m["op"] == "LSTM") {
      EXPECT_TRUE(m["exact"].get<bool>());
      ++exact;
    } else {
      EXPECT_EQ(m["layout"], "dense");  // the trained Gemm 10×64 is not structured
    }
  }
  EXPECT_EQ(exact, 2);
  EXPECT_EQ(j["params_after"].get<int64_t>(), 96 + 256 + 640);
}

// An LSTM whose gate blocks are four different Kronecker products of shape
// 4×4 ⊗ 4×4: stacked needs rank 4 (it is Σ_g e_g⊗A_g ⊗ B_g), per gate needs
// rank 1 each, so per gate must win and be exact.
TEST(KronFactorizePassTest, PicksPerGateWhenGatesHaveDifferentFactors) {
  const int64_t h = 16, in = 16;
  std::vector<float> w, r;
  for (int g = 0; g < 4; ++g) {
    const std::vector<float> wg = Kron(RandomVector(16, 10 + g), 4, 4, RandomVector(16, 20 + g), 4, 4);
    const std::vector<float> rg = Kron(RandomVector(16, 30 + g), 4, 4, RandomVector(16, 40 + g), 4, 4);
    w.insert(w.end(), wg.begin(), wg.end());
    r.insert(r.end(), rg.begin(), rg.end());
  }
  testing::OnnxBuilder b;
  b.Input("x", {5, 1, in}).Floats("W", {1, 4 * h, in}, w).Floats("R", {1, 4 * h, h}, r);
  auto& n = b.Node("LSTM", {"x", "W", "R"}, {"y"}, "lstm");
  testing::OnnxBuilder::IntAttr(n, "hidden_size", h);
  SetOutputShape(b, {5, 1, 1, h});
  const Graph original = Import(b.Bytes());
  Graph graph = original;
  KronFactorizePass pass(Auto(1e-4));
  ASSERT_TRUE(pass.Run(graph).ok());
  ASSERT_EQ(pass.report().matrices.size(), 2u);
  for (const KronMatrixReport& m : pass.report().matrices) {
    EXPECT_EQ(m.layout, "per gate") << m.input << ": " << m.note;
    EXPECT_TRUE(m.exact);
    EXPECT_EQ(m.blocks.size(), 4u);
    EXPECT_EQ(m.params_after, 4 * 32);
  }
  ASSERT_EQ(graph.nodes()[0].weight_ops.size(), 2u);
  EXPECT_EQ(graph.nodes()[0].weight_ops[0].per_direction[0].row_blocks.size(), 4u);
  Tensor x;
  x.shape = {3, 5, 1, in};
  x.f32 = RandomVector(3 * 5 * in, 7, 1.f);
  EXPECT_LT(MaxOutputDiff(original, graph, x), 1e-4);
}

TEST(KronFactorizePassTest, GemmWeightInByOutLayoutIsFactorizedAndMatches) {
  // MatMul and Gemm(transB=0) keep B as [K, N] (in×out): the operator is Bᵀ.
  const std::vector<float> wt = Kron(RandomVector(24, 1), 6, 4, RandomVector(40, 2), 8, 5);  // 48×20, out×in
  std::vector<float> b_in_out(wt.size());
  for (int i = 0; i < 48; ++i)
    for (int j = 0; j < 20; ++j) b_in_out[static_cast<size_t>(j * 48 + i)] = wt[static_cast<size_t>(i * 20 + j)];
  for (const char* op : {"Gemm", "MatMul"}) {
    testing::OnnxBuilder b;
    b.Input("x", {1, 20}).Floats("B", {20, 48}, b_in_out);
    b.Node(op, {"x", "B"}, {"y"}, "fc");
    SetOutputShape(b, {1, 48});
    const Graph original = Import(b.Bytes());
    Graph graph = original;
    KronFactorizePass pass(Auto());
    ASSERT_TRUE(pass.Run(graph).ok());
    ASSERT_EQ(pass.report().matrices.size(), 1u);
    const KronMatrixReport& m = pass.report().matrices[0];
    EXPECT_EQ(m.input, "weight");
    EXPECT_EQ(m.rows, 48);
    EXPECT_EQ(m.cols, 20);
    EXPECT_TRUE(m.exact) << op << ": " << m.note;
    EXPECT_EQ(m.params_after, 24 + 40);
    Tensor x;
    x.shape = {4, 1, 20};
    x.f32 = RandomVector(80, 3, 1.f);
    EXPECT_LT(MaxOutputDiff(original, graph, x), 1e-5) << op;
  }
}

Graph RandomLstm(int64_t h, int64_t in, uint32_t seed) {
  testing::OnnxBuilder b;
  b.Input("x", {4, 1, in}).Floats("W", {1, 4 * h, in}, RandomVector(4 * h * in, seed))
      .Floats("R", {1, 4 * h, h}, RandomVector(4 * h * h, seed + 1));
  auto& n = b.Node("LSTM", {"x", "W", "R"}, {"y"}, "lstm");
  testing::OnnxBuilder::IntAttr(n, "hidden_size", h);
  SetOutputShape(b, {4, 1, 1, h});
  return Import(b.Bytes());
}

TEST(KronFactorizePassTest, DenseRandomWeightsStayDenseWithinTolAndCompressWhenAsked) {
  const Graph original = RandomLstm(32, 16, 5);
  {
    Graph graph = original;
    KronFactorizePass pass(Auto(1e-3));
    StatusOr<bool> changed = pass.Run(graph);
    ASSERT_TRUE(changed.ok());
    EXPECT_FALSE(*changed);
    for (const KronMatrixReport& m : pass.report().matrices) {
      EXPECT_EQ(m.layout, "dense");
      EXPECT_NE(m.note.find("kept dense"), std::string::npos) << m.note;
    }
  }
  {
    KronFactorizeOptions o = Auto();
    o.compress = 8.0;
    Graph graph = original;
    KronFactorizePass pass(o);
    StatusOr<bool> changed = pass.Run(graph);
    ASSERT_TRUE(changed.ok());
    EXPECT_TRUE(*changed);
    // --compress is a budget for W and R together (kron_budget.h), not a
    // per-matrix floor: each is compressed, the two together at least 8x.
    EXPECT_GE(static_cast<double>(pass.report().ParamsBefore()) / static_cast<double>(pass.report().ParamsAfter()), 8.0);
    for (const KronMatrixReport& m : pass.report().matrices) {
      EXPECT_NE(m.layout, "dense") << m.input << ": " << m.note;
      EXPECT_GT(m.compression, 2.0);
      EXPECT_FALSE(m.exact);
      EXPECT_GT(m.relative_error, 0.1);  // random weights have no structure
      EXPECT_LT(m.relative_error, 1.0);
      EXPECT_LT(m.macs_after, m.macs_before);
    }
    // The reported error is the real one.
    const WeightOperatorSet* set = graph.nodes()[0].WeightOps(2);
    ASSERT_NE(set, nullptr);
    const std::vector<float> dense = set->per_direction[0].Materialize();
    const Tensor& r = graph.tensor(graph.nodes()[0].input(2));
    double num = 0, den = 0;
    for (size_t i = 0; i < dense.size(); ++i) {
      num += std::pow(dense[i] - r.f32[i], 2);
      den += std::pow(r.f32[i], 2);
    }
    EXPECT_NEAR(std::sqrt(num / den), pass.report().matrices[1].relative_error, 1e-6);
    std::cout << pass.report().ToTable();
  }
}

TEST(KronFactorizePassTest, CompressFallbackCoversMatricesTheTargetCannotReach) {
  // A narrow 512×8 input weight cannot reach 50× (its best split stores 128
  // values: 32×); a square 128×128 one can. The fallback applies to the first only.
  const std::vector<float> narrow = RandomVector(512 * 8, 11);
  const std::vector<float> square = RandomVector(128 * 128, 12);
  KronFactorizeOptions o = Auto();
  o.compress = 50.0;
  {
    KronMatrixReport report;
    EXPECT_TRUE(KronFactorizePass(o).FactorizeMatrix(narrow.data(), 512, 8, 4, &report).is_dense());
    EXPECT_NE(report.note.find("kept dense"), std::string::npos) << report.note;
  }
  o.compress_fallback = 30.0;
  KronFactorizePass pass(o);
  KronMatrixReport narrow_report, square_report;
  const WeightOperator narrow_op = pass.FactorizeMatrix(narrow.data(), 512, 8, 4, &narrow_report);
  ASSERT_FALSE(narrow_op.is_dense()) << narrow_report.note;
  EXPECT_GE(narrow_report.compression, 30.0);
  EXPECT_LT(narrow_report.compression, 50.0);
  EXPECT_NE(narrow_report.note.find("--compress-fallback"), std::string::npos) << narrow_report.note;
  EXPECT_NEAR(narrow_op.relative_error, narrow_report.relative_error, 1e-12);
  const WeightOperator square_op = pass.FactorizeMatrix(square.data(), 128, 128, 1, &square_report);
  ASSERT_FALSE(square_op.is_dense());
  EXPECT_GE(square_report.compression, 50.0);
  EXPECT_EQ(square_report.note.find("--compress-fallback"), std::string::npos) << square_report.note;
  // A matrix that reaches neither stays dense and says so.
  o.compress_fallback = 200.0;
  KronMatrixReport neither;
  EXPECT_TRUE(KronFactorizePass(o).FactorizeMatrix(narrow.data(), 512, 8, 4, &neither).is_dense());
  EXPECT_NE(neither.note.find("nor 200x"), std::string::npos) << neither.note;
}

TEST(KronFactorizePassTest, ExactModeKeepsUnstructuredWeightsDense) {
  Graph graph = RandomLstm(16, 8, 9);
  KronFactorizeOptions o;
  o.mode = KronMode::kExact;
  KronFactorizePass pass(o);
  StatusOr<bool> changed = pass.Run(graph);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_TRUE(graph.nodes()[0].weight_ops.empty());
}

TEST(KronFactorizePassTest, StaysDenseWhenKroneckerDoesNotPayInMacs) {
  // 4×6 has only the split 2×3 ⊗ 2×2 and 2×2 ⊗ 2×3..., all below min_elements anyway;
  // a 2×N matrix has no split with m1, m2 >= 2 at all.
  KronFactorizePass pass(Auto(0.99));
  KronMatrixReport report;
  const std::vector<float> w = RandomVector(2 * 64, 4);
  const WeightOperator op = pass.FactorizeMatrix(w.data(), 2, 64, 1, &report);
  EXPECT_TRUE(op.is_dense());
  EXPECT_NE(report.note.find("no factor shape"), std::string::npos) << report.note;
}

TEST(KronFactorizePassTest, RejectsBadOptionsNamingThePass) {
  Graph graph = RandomLstm(8, 8, 1);
  KronFactorizeOptions o = Auto();
  o.max_rank = 0;
  StatusOr<bool> r = KronFactorizePass(o).Run(graph);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(r.status().message().find("kron-factorize"), std::string::npos);
  o.max_rank = 2;
  o.compress = 0.5;
  EXPECT_FALSE(KronFactorizePass(o).Run(graph).ok());
  o.compress = 0.0;
  o.compress_fallback = 8.0;  // a fallback needs a target
  r = KronFactorizePass(o).Run(graph);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--compress-fallback"), std::string::npos);
}

TEST(KronFactorizePassTest, OffDoesNothing) {
  Graph graph = RandomLstm(8, 8, 1);
  KronFactorizePass pass(KronFactorizeOptions{});
  StatusOr<bool> r = pass.Run(graph);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_TRUE(pass.report().matrices.empty());
}

}  // namespace
}  // namespace tml
