// tml_kron_matvec_f32 against a dense double matvec with W = Σ A_k ⊗ B_k built from the
// numpy kron index convention, for both evaluation orders, ranks 1..3, non-square factors,
// batches, bias and accumulate.
#include <gtest/gtest.h>

#include <vector>

#include "runtime_test_util.h"
#include "tml_kernels.h"

namespace tml::test {
namespace {

struct KronCase {
  int32_t m1, n1, m2, n2, rank, batch;
};

// W[i1·m2+i2, j1·n2+j2] = Σ_k A_k[i1,j1]·B_k[i2,j2], applied to each batch row in double.
std::vector<double> DenseReference(const KronCase& c, const std::vector<float>& a,
                                   const std::vector<float>& b, const std::vector<float>& x,
                                   const std::vector<float>* bias) {
  const int32_t m = c.m1 * c.m2, n = c.n1 * c.n2;
  std::vector<double> w(static_cast<size_t>(m) * n, 0.0);
  for (int32_t k = 0; k < c.rank; ++k) {
    for (int32_t i1 = 0; i1 < c.m1; ++i1)
      for (int32_t j1 = 0; j1 < c.n1; ++j1)
        for (int32_t i2 = 0; i2 < c.m2; ++i2)
          for (int32_t j2 = 0; j2 < c.n2; ++j2)
            w[static_cast<size_t>(i1 * c.m2 + i2) * n + j1 * c.n2 + j2] +=
                static_cast<double>(a[static_cast<size_t>(k * c.m1 * c.n1 + i1 * c.n1 + j1)]) *
                b[static_cast<size_t>(k * c.m2 * c.n2 + i2 * c.n2 + j2)];
  }
  std::vector<double> y(static_cast<size_t>(c.batch) * m, 0.0);
  for (int32_t s = 0; s < c.batch; ++s)
    for (int32_t i = 0; i < m; ++i) {
      double acc = bias ? (*bias)[static_cast<size_t>(i)] : 0.0;
      for (int32_t j = 0; j < n; ++j) acc += w[static_cast<size_t>(i) * n + j] * x[static_cast<size_t>(s * n + j)];
      y[static_cast<size_t>(s * m + i)] = acc;
    }
  return y;
}

class KronMatvecTest : public ::testing::TestWithParam<KronCase> {};

TEST_P(KronMatvecTest, MatchesDenseInBothOrders) {
  const KronCase c = GetParam();
  const int32_t m = c.m1 * c.m2, n = c.n1 * c.n2;
  const std::vector<float> a = Random(int64_t{c.rank} * c.m1 * c.n1, 1);
  const std::vector<float> b = Random(int64_t{c.rank} * c.m2 * c.n2, 2);
  const std::vector<float> x = Random(int64_t{c.batch} * n, 3);
  const std::vector<float> bias = Random(m, 4);
  for (int with_bias = 0; with_bias < 2; ++with_bias) {
    const std::vector<double> want = DenseReference(c, a, b, x, with_bias ? &bias : nullptr);
    for (tml_kron_order order : {TML_KRON_XBT_FIRST, TML_KRON_AX_FIRST}) {
      tml_kron_params p{c.m1, c.n1, c.m2, c.n2, c.rank, order, 0};
      const int32_t bytes = tml_kron_matvec_f32_get_buffer_size(&p);
      ASSERT_EQ(bytes, 4 * (order == TML_KRON_AX_FIRST ? c.m1 * c.n2 : c.n1 * c.m2));
      std::vector<float> scratch(static_cast<size_t>(bytes / 4));
      tml_context ctx{scratch.data(), bytes};
      const tml_dims xd = Dims({c.batch, n}), yd = Dims({c.batch, m}), bd = Dims({m});
      const tml_dims ad = Dims({c.rank, c.m1, c.n1}), bfd = Dims({c.rank, c.m2, c.n2});
      std::vector<float> y(static_cast<size_t>(c.batch) * m, 123.0f);
      ASSERT_EQ(tml_kron_matvec_f32(&ctx, &p, &xd, x.data(), &ad, a.data(), &bfd, b.data(), &bd,
                                    with_bias ? bias.data() : nullptr, &yd, y.data()),
                TML_OK);
      for (size_t i = 0; i < y.size(); ++i) {
        EXPECT_NEAR(y[i], want[i], 1e-5 * (1.0 + std::fabs(want[i])) * n) << "order " << order << " i " << i;
      }
      // accumulate = 1 adds onto what is there.
      p.accumulate = 1;
      std::vector<float> y2(y.size(), 1.0f);
      ASSERT_EQ(tml_kron_matvec_f32(&ctx, &p, &xd, x.data(), &ad, a.data(), &bfd, b.data(), &bd,
                                    with_bias ? bias.data() : nullptr, &yd, y2.data()),
                TML_OK);
      for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y2[i], y[i] + 1.0f, 1e-5 * (1.0 + std::fabs(y[i])));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, KronMatvecTest,
                         ::testing::Values(KronCase{2, 2, 2, 2, 1, 1}, KronCase{16, 2, 16, 4, 1, 1},
                                           KronCase{16, 8, 16, 8, 1, 2}, KronCase{3, 5, 7, 2, 2, 3},
                                           KronCase{1, 4, 6, 1, 3, 1}, KronCase{5, 1, 1, 7, 2, 2},
                                           KronCase{4, 3, 2, 6, 3, 1},
                                           // n2 >= 8 (A·X eight columns per pass, then
                                           // four, then one) and n1, m2 not multiples of 4
                                           KronCase{5, 9, 6, 19, 2, 2}, KronCase{1, 4, 3, 12, 1, 1},
                                           KronCase{3, 6, 9, 8, 1, 1}, KronCase{9, 17, 1, 1, 1, 1},
                                           KronCase{4, 64, 128, 2, 2, 1}));

TEST(KronMatvec, RejectsSmallScratchAndBadDims) {
  tml_kron_params p{2, 2, 2, 2, 1, TML_KRON_XBT_FIRST, 0};
  std::vector<float> a(4, 1.f), b(4, 1.f), x(4, 1.f), y(4);
  const tml_dims xd = Dims({4}), yd = Dims({4}), ad = Dims({2, 2});
  float scratch[4];
  tml_context small{scratch, 8};
  EXPECT_EQ(tml_kron_matvec_f32(&small, &p, &xd, x.data(), &ad, a.data(), &ad, b.data(), nullptr,
                                nullptr, &yd, y.data()),
            TML_ERROR_BUFFER);
  EXPECT_EQ(tml_kron_matvec_f32(nullptr, &p, &xd, x.data(), &ad, a.data(), &ad, b.data(), nullptr,
                                nullptr, &yd, y.data()),
            TML_ERROR_BUFFER);
  tml_context ok{scratch, 16};
  const tml_dims wrong = Dims({5});
  EXPECT_EQ(tml_kron_matvec_f32(&ok, &p, &wrong, x.data(), &ad, a.data(), &ad, b.data(), nullptr,
                                nullptr, &yd, y.data()),
            TML_ERROR_ARG);
  p.rank = 0;
  EXPECT_EQ(tml_kron_matvec_f32(&ok, &p, &xd, x.data(), &ad, a.data(), &ad, b.data(), nullptr,
                                nullptr, &yd, y.data()),
            TML_ERROR_ARG);
}


// Dense W = A⊗B as floats (row-major), for the operator tests.
std::vector<float> KronDense(const std::vector<float>& a, int32_t m1, int32_t n1,
                             const std::vector<float>& b, int32_t m2, int32_t n2) {
  std::vector<float> w(static_cast<size_t>(m1 * m2 * n1 * n2));
  for (int32_t i1 = 0; i1 < m1; ++i1)
    for (int32_t j1 = 0; j1 < n1; ++j1)
      for (int32_t i2 = 0; i2 < m2; ++i2)
        for (int32_t j2 = 0; j2 < n2; ++j2)
          w[static_cast<size_t>((i1 * m2 + i2) * n1 * n2 + j1 * n2 + j2)] =
              a[static_cast<size_t>(i1 * n1 + j1)] * b[static_cast<size_t>(i2 * n2 + j2)];
  return w;
}

tml_linear_op_f32 KronOp(const std::vector<float>& a, int32_t m1, int32_t n1,
                         const std::vector<float>& b, int32_t m2, int32_t n2, tml_kron_order order) {
  tml_linear_op_f32 op{};
  op.rows = m1 * m2;
  op.cols = n1 * n2;
  op.kron = tml_kron_params{m1, n1, m2, n2, 1, order, 0};
  op.a = a.data();
  op.b = b.data();
  return op;
}

// The LSTM step with operator weights (stacked Kronecker W, per-gate Kronecker R blocks)
// equals the dense step on the materialized matrices.
TEST(LstmStepOp, MatchesDenseStepWithKroneckerAndPerGateOperators) {
  const int32_t hs = 8, is = 6;
  const std::vector<float> wa = Random(8 * 2, 11), wb = Random(4 * 3, 12);  // W: 8x2 (x) 4x3 = 32x6
  const std::vector<float> w_dense = KronDense(wa, 8, 2, wb, 4, 3);
  std::vector<std::vector<float>> ra, rb;
  std::vector<float> r_dense;
  for (int g = 0; g < 4; ++g) {  // each gate block 8x8 = 2x4 (x) 4x2
    ra.push_back(Random(8, 20 + g));
    rb.push_back(Random(8, 30 + g));
    const std::vector<float> blk = KronDense(ra.back(), 2, 4, rb.back(), 4, 2);
    r_dense.insert(r_dense.end(), blk.begin(), blk.end());
  }
  const tml_linear_op_f32 w_op = KronOp(wa, 8, 2, wb, 4, 3, TML_KRON_AX_FIRST);
  tml_linear_op_f32 blocks[4];
  for (int g = 0; g < 4; ++g) blocks[g] = KronOp(ra[g], 2, 4, rb[g], 4, 2, TML_KRON_XBT_FIRST);
  tml_linear_op_f32 r_op{};
  r_op.rows = 4 * hs;
  r_op.cols = hs;
  r_op.num_blocks = 4;
  r_op.blocks = blocks;
  const std::vector<float> bias = Random(8 * hs, 5), peep = Random(3 * hs, 6);
  const std::vector<float> x = Random(is, 7), h0 = Random(hs, 8), c0 = Random(hs, 9);
  tml_rnn_cell_params cell{is, hs, 0.0f, 0, 0};
  tml_rnn_weights_f32 dense{w_dense.data(), r_dense.data(), bias.data(), peep.data()};
  tml_rnn_op_weights_f32 ops{&w_op, &r_op, bias.data(), peep.data()};

  std::vector<float> scratch_d(static_cast<size_t>(tml_lstm_step_f32_get_buffer_size(&cell) / 4));
  tml_context ctx_d{scratch_d.data(), static_cast<int32_t>(scratch_d.size() * 4)};
  const int32_t need = tml_lstm_step_op_f32_get_buffer_size(&cell, &ops);
  ASSERT_EQ(need, 4 * (4 * hs) + 4 * 8 * 3);  // gates + the largest T (W, AX first: m1·n2 = 8·3)
  std::vector<float> scratch_o(static_cast<size_t>(need / 4));
  tml_context ctx_o{scratch_o.data(), need};
  std::vector<float> hd(hs), cd(hs), ho(h0), co(c0);
  ASSERT_EQ(tml_lstm_step_f32(&ctx_d, &cell, &dense, x.data(), h0.data(), c0.data(), hd.data(), cd.data()), TML_OK);
  // In place, as streaming code calls it.
  ASSERT_EQ(tml_lstm_step_op_f32(&ctx_o, &cell, &ops, x.data(), ho.data(), co.data(), ho.data(), co.data()), TML_OK);
  for (int32_t j = 0; j < hs; ++j) {
    EXPECT_NEAR(ho[j], hd[j], 1e-5);
    EXPECT_NEAR(co[j], cd[j], 1e-5);
  }
  tml_context small{scratch_o.data(), need - 4};
  EXPECT_EQ(tml_lstm_step_op_f32(&small, &cell, &ops, x.data(), h0.data(), c0.data(), hd.data(), cd.data()),
            TML_ERROR_BUFFER);
}

// GRU (linear_before_reset 1) and RNN steps with Kronecker W and R equal the
// dense steps on the materialized matrices, in place; a GRU with
// linear_before_reset 0 is refused (the operator path cannot run it).
TEST(GruRnnStepOp, MatchDenseStepsWithKroneckerOperators) {
  const int32_t hs = 8, is = 6;
  for (const int gates : {3, 1}) {
    const std::vector<float> wa = Random(2 * gates * 2, 51), wb = Random(4 * 3, 52);  // (2G x 2) (x) (4 x 3)
    const std::vector<float> ra = Random(2 * gates * 4, 53), rb = Random(4 * 2, 54);  // (2G x 4) (x) (4 x 2)
    const std::vector<float> w_dense = KronDense(wa, 2 * gates, 2, wb, 4, 3);
    const std::vector<float> r_dense = KronDense(ra, 2 * gates, 4, rb, 4, 2);
    const tml_linear_op_f32 w_op = KronOp(wa, 2 * gates, 2, wb, 4, 3, TML_KRON_AX_FIRST);
    const tml_linear_op_f32 r_op = KronOp(ra, 2 * gates, 4, rb, 4, 2, TML_KRON_XBT_FIRST);
    const std::vector<float> bias = Random(2 * gates * hs, 55);
    const std::vector<float> x = Random(is, 56), h0 = Random(hs, 57);
    tml_rnn_cell_params cell{is, hs, 0.0f, 0, 1};
    tml_rnn_weights_f32 dense{w_dense.data(), r_dense.data(), bias.data(), nullptr};
    tml_rnn_op_weights_f32 ops{&w_op, &r_op, bias.data(), nullptr};
    const bool gru = gates == 3;
    std::vector<float> scratch_d(256), scratch_o(256);
    tml_context ctx_d{scratch_d.data(), 1024}, ctx_o{scratch_o.data(), 1024};
    const int32_t need = gru ? tml_gru_step_op_f32_get_buffer_size(&cell, &ops)
                             : tml_rnn_step_op_f32_get_buffer_size(&cell, &ops);
    ASSERT_GT(need, 0);
    ASSERT_LE(need, 1024);
    std::vector<float> hd(hs), ho(h0);
    if (gru) {
      ASSERT_EQ(tml_gru_step_f32(&ctx_d, &cell, &dense, x.data(), h0.data(), hd.data()), TML_OK);
      ASSERT_EQ(tml_gru_step_op_f32(&ctx_o, &cell, &ops, x.data(), ho.data(), ho.data()), TML_OK);
    } else {
      ASSERT_EQ(tml_rnn_step_f32(&ctx_d, &cell, &dense, x.data(), h0.data(), hd.data()), TML_OK);
      ASSERT_EQ(tml_rnn_step_op_f32(&ctx_o, &cell, &ops, x.data(), ho.data(), ho.data()), TML_OK);
    }
    for (int32_t j = 0; j < hs; ++j) EXPECT_NEAR(ho[j], hd[j], 1e-5) << (gru ? "GRU " : "RNN ") << j;
    tml_context small{scratch_o.data(), need - 4};
    EXPECT_EQ(gru ? tml_gru_step_op_f32(&small, &cell, &ops, x.data(), h0.data(), hd.data())
                  : tml_rnn_step_op_f32(&small, &cell, &ops, x.data(), h0.data(), hd.data()),
              TML_ERROR_BUFFER);
    if (gru) {
      cell.linear_before_reset = 0;
      EXPECT_EQ(tml_gru_step_op_f32(&ctx_o, &cell, &ops, x.data(), h0.data(), hd.data()), TML_ERROR_ARG);
    }
  }
}

// A Kronecker operator with a doping overlay (u8 CSR) applies W = A⊗B + S, and
// the overlay also works on per-gate row blocks.
TEST(LinearOpApply, KroneckerPlusSparseOverlayEqualsDense) {
  const std::vector<float> a = Random(4 * 2, 41), b = Random(3 * 3, 42);  // 12x6
  std::vector<float> w = KronDense(a, 4, 2, b, 3, 3);
  // S: row 0 col 5, row 3 cols 0 and 2, row 11 col 1.
  const uint8_t row_ptr[13] = {0, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 4};
  const uint8_t col_idx[4] = {5, 0, 2, 1};
  const float values[4] = {0.5f, -1.25f, 2.0f, 0.75f};
  for (int32_t r = 0; r < 12; ++r)
    for (int32_t k = row_ptr[r]; k < row_ptr[r + 1]; ++k) w[static_cast<size_t>(r * 6 + col_idx[k])] += values[k];
  tml_sparse_f32 sparse{{12, 6, TML_SPARSE_INDEX_U8, TML_SPARSE_INDEX_U8}, row_ptr, col_idx, values};
  tml_linear_op_f32 op = KronOp(a, 4, 2, b, 3, 3, TML_KRON_XBT_FIRST);
  op.sparse = &sparse;
  const std::vector<float> x = Random(6, 43);
  std::vector<float> y(12, 1.0f);  // accumulates
  std::vector<float> scratch(static_cast<size_t>(tml_linear_op_apply_f32_get_buffer_size(&op) / 4 + 1));
  tml_context ctx{scratch.data(), static_cast<int32_t>(scratch.size() * 4)};
  ASSERT_EQ(tml_linear_op_apply_f32(&ctx, &op, x.data(), y.data()), TML_OK);
  for (int32_t r = 0; r < 12; ++r) {
    double expected = 1.0;
    for (int32_t c = 0; c < 6; ++c) expected += static_cast<double>(w[static_cast<size_t>(r * 6 + c)]) * x[static_cast<size_t>(c)];
    EXPECT_NEAR(y[static_cast<size_t>(r)], expected, 1e-5) << "row " << r;
  }
  // The overlay's shape must match the operator's.
  tml_sparse_f32 wrong = sparse;
  wrong.params.cols = 5;
  op.sparse = &wrong;
  EXPECT_EQ(tml_linear_op_apply_f32(&ctx, &op, x.data(), y.data()), TML_ERROR_ARG);
}

}  // namespace
}  // namespace tml::test
