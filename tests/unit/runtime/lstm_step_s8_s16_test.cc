// int8 Kronecker/sparse operators and the int8 LSTM step (host, pure-C path):
//  - tml_kron_matvec_s8 and tml_sparse_matvec_s8 against C++ integer references written
//    from the contract (T rounded and saturated to int16, then A·T);
//  - tml_lstm_step_s8_s16 against a float LSTM on the dequantized weights, within the
//    error the int8/int16 formats allow;
//  - tml_tanh_s16 / tml_sigmoid_s16 against std::tanh.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "runtime_test_util.h"
#include "s8_test_util.h"
#include "tml_kernels_s8.h"

namespace tml::test {
namespace {

TEST(KronMatvecS8Test, MatchesIntegerReference) {
  const tml_kron_s8_params p{3, 5, 6, 7, 2, 4};  // m1, n1, m2, n2, rank, t_shift
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> d8(-127, 127);
  std::vector<int16_t> a(p.rank * p.m1 * p.n1), b(p.rank * p.m2 * p.n2);
  for (auto& v : a) v = int16_t(d8(rng));
  for (auto& v : b) v = int16_t(d8(rng));
  std::vector<int8_t> x(p.n1 * p.n2);
  for (auto& v : x) v = int8_t(d8(rng));
  const int rows = p.m1 * p.m2;
  std::vector<int32_t> acc(rows, 11), want(rows, 11);
  for (int k = 0; k < p.rank; ++k) {
    for (int i1 = 0; i1 < p.m1; ++i1)
      for (int i2 = 0; i2 < p.m2; ++i2) {
        int64_t y = 0;
        for (int j1 = 0; j1 < p.n1; ++j1) {
          int64_t t = 0;
          for (int j2 = 0; j2 < p.n2; ++j2)
            t += int64_t(x[j1 * p.n2 + j2]) * b[(k * p.m2 + i2) * p.n2 + j2];
          t = (t + (1 << (p.t_shift - 1))) >> p.t_shift;
          t = std::clamp<int64_t>(t, -32768, 32767);
          y += int64_t(a[(k * p.m1 + i1) * p.n1 + j1]) * t;
        }
        want[i1 * p.m2 + i2] += int32_t(y);
      }
  }
  std::vector<int8_t> scratch(tml_kron_matvec_s8_get_buffer_size(&p));
  tml_context ctx{scratch.data(), int32_t(scratch.size())};
  ASSERT_EQ(tml_kron_matvec_s8(&ctx, &p, a.data(), b.data(), x.data(), acc.data()), TML_OK);
  EXPECT_EQ(acc, want);
}

TEST(SparseMatvecS8Test, MatchesIntegerReference) {
  const std::vector<uint16_t> row_ptr = {0, 2, 2, 5}, col_idx = {0, 3, 1, 2, 3};
  const std::vector<int16_t> values = {300, -2, 7, -1000, 5};
  const tml_sparse_s8 s{3, 4, row_ptr.data(), col_idx.data(), values.data()};
  const int8_t x[4] = {1, -2, 3, 127};
  std::vector<int32_t> acc = {1, 2, 3};
  ASSERT_EQ(tml_sparse_matvec_s8(nullptr, &s, x, acc.data()), TML_OK);
  EXPECT_EQ(acc, (std::vector<int32_t>{1 + 300 - 254, 2, 3 - 14 - 3000 + 635}));
}

TEST(ActivationS16Test, TanhAndSigmoidFollowTheFloatFunctions) {
  std::vector<int16_t> in, t(0), s(0);
  for (int v = -32768; v <= 32767; v += 97) in.push_back(int16_t(v));
  t.resize(in.size());
  s.resize(in.size());
  const tml_dims d = Dims({int32_t(in.size())});
  ASSERT_EQ(tml_tanh_s16(&d, in.data(), t.data()), TML_OK);
  ASSERT_EQ(tml_sigmoid_s16(&d, in.data(), s.data()), TML_OK);
  for (size_t k = 0; k < in.size(); ++k) {
    const double x = in[k] / 4096.0;
    EXPECT_NEAR(t[k] / 32768.0, std::tanh(x), 6e-4) << x;
    EXPECT_NEAR(s[k] / 32768.0, 1.0 / (1.0 + std::exp(-x)), 4e-4) << x;
  }
}

double Sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

TEST(LstmStepS8S16Test, FollowsTheFloatCellOverASequence) {
  const int in = 12, hs = 10;
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(-0.6, 0.6), ux(-1.0, 1.0);
  std::vector<double> w(4 * hs * in), r(4 * hs * hs), b(4 * hs);
  for (auto& v : w) v = u(rng);
  for (auto& v : r) v = u(rng);
  for (auto& v : b) v = u(rng);
  const double sx = 2.0 / 255.0;
  const int zx = 0;
  DenseOp wop, rop;
  wop.Build(w, 4 * hs, in, sx, zx, b);
  rop.Build(r, 4 * hs, hs, 1.0 / 128.0, 0, {});
  const tml_lstm_s8_params params{in, hs};
  std::vector<int32_t> scratch(
      tml_lstm_step_s8_s16_get_buffer_size(&params, &wop.op, &rop.op) / 4 + 1);
  tml_context ctx{scratch.data(), int32_t(scratch.size() * 4)};
  std::vector<int8_t> h(hs, 0);
  std::vector<int16_t> c(hs, 0);
  std::vector<double> hf(hs, 0), cf(hs, 0);
  double max_h_err = 0, max_c_err = 0;
  for (int t = 0; t < 20; ++t) {
    std::vector<double> x(in);
    std::vector<int8_t> xq(in);
    for (int k = 0; k < in; ++k) {
      xq[k] = int8_t(std::clamp<long>(std::lround(ux(rng) / sx) + zx, -128, 127));
      x[k] = (xq[k] - zx) * sx;
    }
    ASSERT_EQ(tml_lstm_step_s8_s16(&ctx, &params, &wop.op, &rop.op, xq.data(), h.data(), c.data(),
                                   h.data(), c.data()),
              TML_OK);
    // Float reference on the dequantized weights (the int8 weight rounding is the
    // quantizer's error, not the kernel's) and on the float state.
    std::vector<double> g(4 * hs);
    for (int row = 0; row < 4 * hs; ++row) {
      double mx = 0;
      for (int k = 0; k < in; ++k) mx = std::max(mx, std::abs(w[row * in + k]));
      double s = b[row];
      for (int k = 0; k < in; ++k) s += wop.q[row * in + k] * (mx / 127.0) * x[k];
      double mr = 0;
      for (int k = 0; k < hs; ++k) mr = std::max(mr, std::abs(r[row * hs + k]));
      for (int k = 0; k < hs; ++k) s += rop.q[row * hs + k] * (mr / 127.0) * hf[k];
      g[row] = s;
    }
    for (int j = 0; j < hs; ++j) {
      const double i_g = Sigmoid(g[j]), o_g = Sigmoid(g[hs + j]), f_g = Sigmoid(g[2 * hs + j]);
      cf[j] = f_g * cf[j] + i_g * std::tanh(g[3 * hs + j]);
      hf[j] = o_g * std::tanh(cf[j]);
      max_h_err = std::max(max_h_err, std::abs(h[j] / 128.0 - hf[j]));
      max_c_err = std::max(max_c_err, std::abs(c[j] / 2048.0 - cf[j]));
    }
  }
  // h is int8 at 1/128: a few LSB of drift over 20 steps.
  EXPECT_LT(max_h_err, 4.0 / 128);
  EXPECT_LT(max_c_err, 0.04);
}

}  // namespace
}  // namespace tml::test
