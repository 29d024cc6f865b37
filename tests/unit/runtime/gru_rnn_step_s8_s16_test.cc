// tml_gru_step_s8_s16 (both linear_before_reset forms) and tml_rnn_step_s8_s16 against
// the ONNX GRU / RNN equations in double precision on the dequantized weights and a float
// state, over a sequence: the error left is the int8 h / int16 gate formats' own.
// H = 10 is not a multiple of 4, so the padded accumulator rows are exercised; each runs
// with per-row multipliers and with the compact requantization (row_shift).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

#include "s8_test_util.h"
#include "tml_kernels_s8.h"

namespace tml::test {
namespace {

double Sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

constexpr int kIn = 12, kHidden = 10, kSteps = 20;
constexpr double kSx = 2.0 / 255.0;  // x in [-1, 1], zero point 3 (exercises the fold)
constexpr int kZx = 3;

std::vector<double> Random(std::mt19937& rng, size_t n, double lim) {
  std::uniform_real_distribution<double> u(-lim, lim);
  std::vector<double> v(n);
  for (auto& e : v) e = u(rng);
  return v;
}

// One quantized input step: the int8 vector and the real values it stands for.
void NextInput(std::mt19937& rng, std::vector<int8_t>* xq, std::vector<double>* x) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int k = 0; k < kIn; ++k) {
    (*xq)[k] = int8_t(std::clamp<long>(std::lround(u(rng) / kSx) + kZx, -128, 127));
    (*x)[k] = ((*xq)[k] - kZx) * kSx;
  }
}

// (linear_before_reset, compact requantization of the operators)
class GruStepS8S16Test : public ::testing::TestWithParam<std::tuple<int, bool>> {};

TEST_P(GruStepS8S16Test, FollowsTheOnnxGruOverASequence) {
  const int lbr = std::get<0>(GetParam()), hs = kHidden;
  const bool compact = std::get<1>(GetParam());
  std::mt19937 rng(11 + lbr);
  const std::vector<double> w = Random(rng, 3 * hs * kIn, 0.6);
  const std::vector<double> r = Random(rng, 3 * hs * hs, 0.6);
  const std::vector<double> b = Random(rng, 6 * hs, 0.5);  // Wb [3H], Rb [3H]
  std::vector<double> wb(3 * hs), rbh(b.begin() + 5 * hs, b.end());
  for (int k = 0; k < 3 * hs; ++k) wb[k] = b[k] + (k < 2 * hs ? b[3 * hs + k] : 0.0);
  DenseOp wop, rzr, rh;
  wop.Build(w, 3 * hs, kIn, kSx, kZx, wb, compact);
  rzr.Build(std::vector<double>(r.begin(), r.begin() + 2 * hs * hs), 2 * hs, hs, 1.0 / 128, 0, {},
            compact);
  rh.Build(std::vector<double>(r.begin() + 2 * hs * hs, r.end()), hs, hs, 1.0 / 128, 0, rbh,
           compact);
  const tml_gru_s8_params params{kIn, hs, lbr};
  const int32_t bytes = tml_gru_step_s8_s16_get_buffer_size(&params, &wop.op, &rzr.op, &rh.op);
  ASSERT_GT(bytes, 0);
  std::vector<int32_t> scratch(bytes / 4 + 1);
  tml_context ctx{scratch.data(), bytes};
  tml_context small{scratch.data(), bytes - 4};
  std::vector<int8_t> h(hs, 0), xq(kIn);
  std::vector<double> hf(hs, 0.0), x(kIn);
  EXPECT_EQ(tml_gru_step_s8_s16(&small, &params, &wop.op, &rzr.op, &rh.op, xq.data(), h.data(),
                                h.data()),
            TML_ERROR_BUFFER);
  double max_err = 0.0;
  for (int t = 0; t < kSteps; ++t) {
    NextInput(rng, &xq, &x);
    ASSERT_EQ(tml_gru_step_s8_s16(&ctx, &params, &wop.op, &rzr.op, &rh.op, xq.data(), h.data(),
                                  h.data()),
              TML_OK);
    std::vector<double> xg(3 * hs), hg(3 * hs, 0.0);
    for (int row = 0; row < 3 * hs; ++row) {
      xg[row] = b[row];
      for (int k = 0; k < kIn; ++k) xg[row] += wop.W(row, k) * x[k];
      hg[row] = b[3 * hs + row];
    }
    for (int row = 0; row < 2 * hs; ++row)
      for (int k = 0; k < hs; ++k) hg[row] += rzr.W(row, k) * hf[k];
    std::vector<double> z(hs), rg(hs), next(hs);
    for (int j = 0; j < hs; ++j) {
      z[j] = Sigmoid(xg[j] + hg[j]);
      rg[j] = Sigmoid(xg[hs + j] + hg[hs + j]);
    }
    for (int j = 0; j < hs; ++j) {
      double rec = 0.0;
      for (int k = 0; k < hs; ++k) rec += rh.W(j, k) * (lbr ? hf[k] : rg[k] * hf[k]);
      const double pre = lbr ? xg[2 * hs + j] + rg[j] * (rec + hg[2 * hs + j])
                             : xg[2 * hs + j] + rec + hg[2 * hs + j];
      next[j] = (1.0 - z[j]) * std::tanh(pre) + z[j] * hf[j];
    }
    hf = next;
    for (int j = 0; j < hs; ++j) max_err = std::max(max_err, std::abs(h[j] / 128.0 - hf[j]));
  }
  // h is int8 at 1/128: a few LSB of drift over 20 steps.
  EXPECT_LT(max_err, 4.0 / 128);
}

INSTANTIATE_TEST_SUITE_P(LinearBeforeReset, GruStepS8S16Test,
                         ::testing::Combine(::testing::Values(0, 1), ::testing::Bool()));

class RnnStepS8S16Test : public ::testing::TestWithParam<bool> {};

TEST_P(RnnStepS8S16Test, FollowsTheOnnxRnnOverASequence) {
  const int hs = kHidden;
  const bool compact = GetParam();
  std::mt19937 rng(21);
  const std::vector<double> w = Random(rng, hs * kIn, 0.5);
  const std::vector<double> r = Random(rng, hs * hs, 0.5);
  const std::vector<double> b = Random(rng, 2 * hs, 0.5);
  std::vector<double> wb(hs);
  for (int k = 0; k < hs; ++k) wb[k] = b[k] + b[hs + k];
  DenseOp wop, rop;
  wop.Build(w, hs, kIn, kSx, kZx, wb, compact);
  rop.Build(r, hs, hs, 1.0 / 128, 0, {}, compact);
  const tml_rnn_s8_params params{kIn, hs};
  const int32_t bytes = tml_rnn_step_s8_s16_get_buffer_size(&params, &wop.op, &rop.op);
  ASSERT_GT(bytes, 0);
  std::vector<int32_t> scratch(bytes / 4 + 1);
  tml_context ctx{scratch.data(), bytes};
  std::vector<int8_t> h(hs, 0), xq(kIn);
  std::vector<double> hf(hs, 0.0), x(kIn);
  double max_err = 0.0;
  for (int t = 0; t < kSteps; ++t) {
    NextInput(rng, &xq, &x);
    ASSERT_EQ(tml_rnn_step_s8_s16(&ctx, &params, &wop.op, &rop.op, xq.data(), h.data(), h.data()),
              TML_OK);
    std::vector<double> next(hs);
    for (int j = 0; j < hs; ++j) {
      double pre = wb[j];
      for (int k = 0; k < kIn; ++k) pre += wop.W(j, k) * x[k];
      for (int k = 0; k < hs; ++k) pre += rop.W(j, k) * hf[k];
      next[j] = std::tanh(pre);
    }
    hf = next;
    for (int j = 0; j < hs; ++j) max_err = std::max(max_err, std::abs(h[j] / 128.0 - hf[j]));
  }
  EXPECT_LT(max_err, 4.0 / 128);
}

INSTANTIATE_TEST_SUITE_P(Compact, RnnStepS8S16Test, ::testing::Bool());

}  // namespace
}  // namespace tml::test
