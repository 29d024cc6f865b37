// The fast float math of tml_math_f32.h (the default build, TML_FLOAT_MATH_EXACT 0) against
// double-precision libm, with the largest errors the header states: tanh 7.9e-8 and sigmoid
// 9.0e-8 absolute, exp 8.1e-8 relative. The sweeps take every 127th float of the range plus
// every float around the places where the formulas switch; bench_fast_math_error checks
// every float.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "tml_math_f32.h"

namespace {

static_assert(TML_FLOAT_MATH_EXACT == 0, "this test checks the default (fast) build");

float FromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
uint32_t Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

// Calls f(x) for every `stride`-th float in [lo, hi] (both signs when `both_signs`).
template <typename F>
void ForFloats(float lo, float hi, uint32_t stride, bool both_signs, F f) {
  for (uint32_t u = Bits(lo); u <= Bits(hi); u += stride) {
    f(FromBits(u));
    if (both_signs) f(-FromBits(u));
  }
}

double SigmoidRef(double x) { return 1.0 / (1.0 + std::exp(-x)); }

TEST(FastMathTest, TanhWithinStatedAbsoluteError) {
  double worst = 0.0;
  auto check = [&](float x) {
    worst = std::max(worst, std::fabs(double(tml_tanhf(x)) - std::tanh(double(x))));
  };
  ForFloats(0.0f, 20.0f, 127, true, check);
  ForFloats(0.6f, 0.65f, 1, true, check);  // the polynomial / exp switch at 0.625
  ForFloats(9.0f, 9.2f, 1, true, check);   // the switch to ±1
  EXPECT_LE(worst, 7.9e-8);
  EXPECT_GT(worst, 1e-9);  // the sweep reached the approximation, not only exact points
  EXPECT_EQ(tml_tanhf(0.0f), 0.0f);
  EXPECT_EQ(tml_tanhf(1e-30f), 1e-30f);
  EXPECT_EQ(tml_tanhf(std::numeric_limits<float>::infinity()), 1.0f);
  EXPECT_EQ(tml_tanhf(-std::numeric_limits<float>::infinity()), -1.0f);
  EXPECT_TRUE(std::isnan(tml_tanhf(std::numeric_limits<float>::quiet_NaN())));
  // Odd symmetry holds bit for bit.
  ForFloats(0.0f, 10.0f, 997, false, [](float x) { EXPECT_EQ(tml_tanhf(-x), -tml_tanhf(x)); });
}

TEST(FastMathTest, SigmoidWithinStatedAbsoluteError) {
  double worst = 0.0;
  auto check = [&](float x) {
    worst = std::max(worst, std::fabs(double(tml_sigmoidf(x)) - SigmoidRef(double(x))));
  };
  ForFloats(0.0f, 100.0f, 127, true, check);
  EXPECT_LE(worst, 9.0e-8);
  EXPECT_GT(worst, 1e-9);
  EXPECT_EQ(tml_sigmoidf(200.0f), 1.0f);
  EXPECT_EQ(tml_sigmoidf(-200.0f), 0.0f);
  EXPECT_EQ(tml_sigmoidf(std::numeric_limits<float>::infinity()), 1.0f);
  EXPECT_EQ(tml_sigmoidf(-std::numeric_limits<float>::infinity()), 0.0f);
  EXPECT_TRUE(std::isnan(tml_sigmoidf(std::numeric_limits<float>::quiet_NaN())));
}

TEST(FastMathTest, ExpWithinStatedRelativeError) {
  double worst = 0.0;
  auto check = [&](float x) {
    const double ref = std::exp(double(x));
    worst = std::max(worst, std::fabs(double(tml_expf(x)) - ref) / ref);
  };
  ForFloats(0.0f, 87.3f, 127, true, check);
  ForFloats(88.0f, 88.72f, 1, false, check);  // 2^128 is split in two near the top
  EXPECT_LE(worst, 8.1e-8);
  EXPECT_GT(worst, 1e-9);
  EXPECT_EQ(tml_expf(0.0f), 1.0f);
  EXPECT_EQ(tml_expf(-100.0f), 0.0f);
  EXPECT_TRUE(std::isinf(tml_expf(88.73f)));
  EXPECT_TRUE(std::isinf(tml_expf(std::numeric_limits<float>::infinity())));
  EXPECT_EQ(tml_expf(-std::numeric_limits<float>::infinity()), 0.0f);
  EXPECT_TRUE(std::isnan(tml_expf(std::numeric_limits<float>::quiet_NaN())));
}

// tml_dot4_acc_f32 (the host runs its C loop) against four separate dot products in the
// same order: the same float sums, bit for bit, for every column count up to 13.
TEST(FastMathTest, Dot4MatchesFourDotProductsBitForBit) {
  float m[4][13];
  float x[13];
  for (int k = 0; k < 13; ++k) {
    x[k] = 0.37f * float(k) - 1.1f;
    for (int r = 0; r < 4; ++r) m[r][k] = std::sin(float(7 * r + k));
  }
  for (int32_t n = 0; n <= 13; ++n) {
    float acc[4] = {0.5f, -0.25f, 1.0f, 2.0f};
    float want[4];
    for (int r = 0; r < 4; ++r) {
      want[r] = acc[r];
      for (int k = 0; k < n; ++k) want[r] += m[r][k] * x[k];
    }
    tml_dot4_acc_f32(m[0], m[1], m[2], m[3], x, n, acc);
    for (int r = 0; r < 4; ++r) EXPECT_EQ(acc[r], want[r]) << "n " << n << " row " << r;
  }
}

}  // namespace
