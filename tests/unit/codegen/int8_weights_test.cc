// The int8 weights as the kernels store them (codegen/int8_weights.h): per-row weights,
// Kronecker factors with shared row scales (+ doping), run through the int8 kernels and
// compared with the float operator.
#include "codegen/int8_weights.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace tml {
namespace {

// y = W·x on int8 through tml_fully_connected_s8, dequantized, vs float.
TEST(Int8WeightsTest, DenseLayerThroughTheKernelFollowsFloat) {
  const int rows = 24, cols = 40;
  std::mt19937 rng(1);
  std::normal_distribution<float> n(0.0f, 0.3f);
  std::uniform_real_distribution<float> u(-1.0f, 2.0f);
  std::vector<float> w(rows * cols), b(rows), x(cols);
  for (auto& v : w) v = n(rng);
  for (auto& v : b) v = n(rng);
  for (auto& v : x) v = u(rng);
  const QuantizedMatrix qm = QuantizeRows(w.data(), rows, cols);
  const AffineQuant in = ChooseAffineInt8({-1.0f, 2.0f});
  std::vector<double> yf(rows);
  double lo = 0, hi = 0;
  for (int r = 0; r < rows; ++r) {
    double s = b[r];
    for (int c = 0; c < cols; ++c) s += double(w[r * cols + c]) * x[c];
    yf[r] = s;
    lo = std::min(lo, s);
    hi = std::max(hi, s);
  }
  const AffineQuant out = ChooseAffineInt8({float(lo), float(hi)});
  std::vector<double> unit(rows);
  for (int r = 0; r < rows; ++r) unit[r] = in.scale * qm.row_scale[r];
  const Requant rq = MakeRequant(unit, out.scale);
  const auto packed = qm.Packed();
  const auto bias = qm.FoldBias(b.data(), in);
  std::vector<int8_t> xq(cols), y(rows);
  for (int c = 0; c < cols; ++c) xq[c] = in.Quantize(x[c]);
  const tml_dims wd{2, {rows, cols}}, xd{1, {cols}}, yd{1, {rows}};
  std::vector<int8_t> scratch(tml_fully_connected_s8_get_buffer_size(&wd));
  tml_context ctx{scratch.data(), int32_t(scratch.size())};
  const tml_fc_s8_params params{out.zero_point, -128, 127, nullptr};
  const tml_quant_params quant{rq.multiplier.data(), rq.left_shift, rq.right_shift};
  ASSERT_EQ(tml_fully_connected_s8(&ctx, &params, &quant, &xd, xq.data(), &wd, packed.data(),
                                   bias.data(), &yd, y.data()),
            TML_OK);
  for (int r = 0; r < rows; ++r) EXPECT_NEAR(out.Dequantize(y[r]), yf[r], 3 * out.scale) << r;
}

// W = Σ_k A_k⊗B_k + S through tml_linear_op_s8_apply, dequantized per row, vs float.
TEST(Int8WeightsTest, KroneckerWithDopingThroughTheKernelFollowsFloat) {
  std::mt19937 rng(2);
  std::normal_distribution<float> n(0.0f, 0.5f);
  WeightOperator op;
  op.rows = 8 * 6;
  op.cols = 4 * 10;
  for (int k = 0; k < 2; ++k) {
    KronTerm t;
    t.a_rows = 8, t.a_cols = 4, t.b_rows = 6, t.b_cols = 10;
    t.a.resize(32);
    t.b.resize(60);
    for (auto& v : t.a) v = n(rng);
    for (auto& v : t.b) v = n(rng);
    op.terms.push_back(t);
  }
  SparseOverlay s;
  s.row_ptr.push_back(0);
  for (int r = 0; r < op.rows; ++r) {
    if (r % 2 == 0) {
      s.col_idx.push_back((r * 7) % 40);
      s.values.push_back(n(rng));
    }
    s.row_ptr.push_back(int32_t(s.values.size()));
  }
  op.sparse = s;
  const std::vector<float> dense = op.Materialize();
  QuantizedKron qk;
  ASSERT_TRUE(QuantizeKron(op, &qk));
  EXPECT_GT(qk.params.t_shift, 0);
  const AffineQuant in = ChooseAffineInt8({-1.0f, 1.0f});
  std::vector<float> x(op.cols), bias(op.rows);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (auto& v : x) v = u(rng);
  for (auto& v : bias) v = 0.1f * u(rng);
  std::vector<int8_t> xq(op.cols);
  for (int c = 0; c < op.cols; ++c) xq[c] = in.Quantize(x[c]);
  const auto bias_eff = qk.FoldBias(bias.data(), in);
  const tml_sparse_s8 sp{qk.rows(), qk.cols(), qk.row_ptr.data(), qk.col_idx.data(),
                         qk.sparse_values.data(), 2, 2, qk.sparse_shift, nullptr, 0};
  std::vector<int32_t> mult(qk.rows(), 0);
  const std::vector<int8_t> pa = qk.PackedA(), pb = qk.PackedB();
  const tml_linear_op_s8 lop{qk.rows(), qk.cols(), nullptr, &qk.params, pa.data(), pb.data(),
                             &sp, bias_eff.data(), {mult.data(), 0, 0}, nullptr, nullptr, 0};
  std::vector<int8_t> scratch(tml_linear_op_s8_apply_get_buffer_size(&lop));
  tml_context ctx{scratch.data(), int32_t(scratch.size())};
  std::vector<int32_t> acc(qk.rows() + 4);
  ASSERT_EQ(tml_linear_op_s8_apply(&ctx, &lop, xq.data(), acc.data()), TML_OK);
  double max_err = 0, max_y = 0;
  for (int r = 0; r < op.rows; ++r) {
    double yf = bias[r];
    for (int c = 0; c < op.cols; ++c) yf += double(dense[r * op.cols + c]) * in.Dequantize(xq[c]);
    const double yq = acc[r] * in.scale * qk.RowScale(r);
    max_err = std::max(max_err, std::abs(yq - yf));
    max_y = std::max(max_y, std::abs(yf));
  }
  EXPECT_LT(max_err, 0.03 * max_y) << "max |y| " << max_y;
}

}  // namespace
}  // namespace tml
