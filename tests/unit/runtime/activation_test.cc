// Activations and softmax family against double references from the ONNX formulas.
#include <cmath>
#include <vector>

#include "runtime_test_util.h"

namespace tml::test {
namespace {

// Inputs covering both signs, zero, and magnitudes where exp() over/underflows.
std::vector<float> ActivationInputs() {
  auto x = Random(200, 41, -6.0f, 6.0f);
  for (float v : {0.0f, -0.0f, 1e-7f, -1e-7f, 30.0f, -30.0f, 100.0f, -100.0f, 1e4f, -1e4f})
    x.push_back(v);
  return x;
}

template <typename F>
std::vector<double> Map(const std::vector<float>& x, F f) {
  std::vector<double> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = f(static_cast<double>(x[i]));
  return y;
}

TEST(ReluF32Test, MatchesReference) {
  const auto x = ActivationInputs();
  std::vector<float> y(x.size());
  const tml_dims d = Dims({static_cast<int32_t>(x.size())});
  ASSERT_EQ(TML_OK, tml_relu_f32(nullptr, &d, x.data(), &d, y.data()));
  EXPECT_TRUE(AllNear(y, Map(x, [](double v) { return v > 0 ? v : 0.0; })));
}

TEST(LeakyReluF32Test, MatchesReference) {
  const auto x = ActivationInputs();
  for (float alpha : {0.01f, 0.2f, 1.5f}) {
    std::vector<float> y(x.size());
    const tml_leaky_relu_params p{alpha};
    const tml_dims d = Dims({static_cast<int32_t>(x.size())});
    ASSERT_EQ(TML_OK, tml_leaky_relu_f32(nullptr, &p, &d, x.data(), &d, y.data()));
    EXPECT_TRUE(AllNear(y, Map(x, [alpha](double v) { return v >= 0 ? v : alpha * v; })));
  }
}

TEST(SigmoidF32Test, MatchesReferenceAndSaturates) {
  const auto x = ActivationInputs();
  std::vector<float> y(x.size());
  const tml_dims d = Dims({static_cast<int32_t>(x.size())});
  ASSERT_EQ(TML_OK, tml_sigmoid_f32(nullptr, &d, x.data(), &d, y.data()));
  EXPECT_TRUE(AllNear(y, Map(x, [](double v) { return 1.0 / (1.0 + std::exp(-v)); })));
  for (float v : y) EXPECT_FALSE(std::isnan(v));
}

TEST(HardSigmoidF32Test, MatchesReference) {
  const auto x = ActivationInputs();
  for (auto [alpha, beta] :
       {std::pair{0.2f, 0.5f}, std::pair{1.0f / 6.0f, 0.5f}, std::pair{-0.3f, 0.1f}}) {
    std::vector<float> y(x.size());
    const tml_hard_sigmoid_params p{alpha, beta};
    const tml_dims d = Dims({static_cast<int32_t>(x.size())});
    ASSERT_EQ(TML_OK, tml_hard_sigmoid_f32(nullptr, &p, &d, x.data(), &d, y.data()));
    EXPECT_TRUE(AllNear(y, Map(x, [&](double v) {
                          return std::max(0.0, std::min(1.0, double{p.alpha} * v + p.beta));
                        })));
  }
}

TEST(TanhF32Test, MatchesReferenceInPlace) {
  auto x = ActivationInputs();
  const auto expected = Map(x, [](double v) { return std::tanh(v); });
  const tml_dims d = Dims({2, static_cast<int32_t>(x.size() / 2)});
  ASSERT_EQ(TML_OK, tml_tanh_f32(nullptr, &d, x.data(), &d, x.data()));
  EXPECT_TRUE(AllNear(x, expected));
}

TEST(ActivationF32Test, RejectsCountMismatch) {
  std::vector<float> x(6), y(6);
  const tml_dims a = Dims({2, 3}), b = Dims({5});
  EXPECT_EQ(TML_ERROR_ARG, tml_relu_f32(nullptr, &a, x.data(), &b, y.data()));
  EXPECT_EQ(TML_ERROR_ARG, tml_sigmoid_f32(nullptr, &a, nullptr, &a, y.data()));
}

// ---------------------------------------------------------------- softmax family

std::vector<double> RefSoftmax(const std::vector<float>& x, int outer, int axis, int inner,
                               bool log) {
  std::vector<double> y(x.size());
  for (int o = 0; o < outer; ++o)
    for (int i = 0; i < inner; ++i) {
      auto at = [&](int j) { return static_cast<size_t>((o * axis + j) * inner + i); };
      double mx = -INFINITY;
      for (int j = 0; j < axis; ++j) mx = std::max(mx, double{x[at(j)]});
      double sum = 0;
      for (int j = 0; j < axis; ++j) sum += std::exp(x[at(j)] - mx);
      for (int j = 0; j < axis; ++j)
        y[at(j)] = log ? x[at(j)] - mx - std::log(sum) : std::exp(x[at(j)] - mx) / sum;
    }
  return y;
}

class SoftmaxF32Test : public ::testing::TestWithParam<std::tuple<int, int, int, float>> {};

TEST_P(SoftmaxF32Test, SoftmaxAndLogSoftmaxMatchReference) {
  const auto [outer, axis, inner, scale] = GetParam();
  const int n = outer * axis * inner;
  const auto x = Random(n, 51, -scale, scale);
  const tml_softmax_params p{outer, axis, inner};
  const tml_dims d = Dims({outer, axis, inner});
  std::vector<float> y(n);
  ASSERT_EQ(TML_OK, tml_softmax_f32(nullptr, &p, &d, x.data(), &d, y.data()));
  EXPECT_TRUE(AllNear(y, RefSoftmax(x, outer, axis, inner, false)));
  ASSERT_EQ(TML_OK, tml_log_softmax_f32(nullptr, &p, &d, x.data(), &d, y.data()));
  EXPECT_TRUE(AllNear(y, RefSoftmax(x, outer, axis, inner, true)));
}

INSTANTIATE_TEST_SUITE_P(Shapes, SoftmaxF32Test,
                         ::testing::Values(std::make_tuple(1, 10, 1, 3.0f),
                                           std::make_tuple(4, 7, 1, 3.0f),
                                           std::make_tuple(2, 5, 3, 3.0f),    // inner axis
                                           std::make_tuple(1, 1, 6, 3.0f),    // axis of 1
                                           std::make_tuple(3, 4, 2, 500.0f),  // large logits
                                           std::make_tuple(1, 64, 1, 20.0f)));

TEST(SoftmaxF32Test, InPlaceAndFlatDims) {
  // Opset < 13 coerce-to-2D: a [2, 3, 4] tensor with axis 1 becomes (2, 12, 1).
  auto x = Random(24, 52, -2.0f, 2.0f);
  const auto expected = RefSoftmax(x, 2, 12, 1, false);
  const tml_softmax_params p{2, 12, 1};
  const tml_dims d = Dims({2, 3, 4});
  ASSERT_EQ(TML_OK, tml_softmax_f32(nullptr, &p, &d, x.data(), &d, x.data()));
  EXPECT_TRUE(AllNear(x, expected));
  auto z = Random(24, 53, -2.0f, 2.0f);
  const auto expected_log = RefSoftmax(z, 2, 12, 1, true);
  ASSERT_EQ(TML_OK, tml_log_softmax_f32(nullptr, &p, &d, z.data(), &d, z.data()));
  EXPECT_TRUE(AllNear(z, expected_log));
}

TEST(SoftmaxF32Test, RejectsParamsNotMatchingDims) {
  std::vector<float> x(24), y(24);
  const tml_softmax_params p{2, 3, 3};
  const tml_dims d = Dims({2, 3, 4});
  EXPECT_EQ(TML_ERROR_ARG, tml_softmax_f32(nullptr, &p, &d, x.data(), &d, y.data()));
  EXPECT_EQ(TML_ERROR_ARG, tml_log_softmax_f32(nullptr, &p, &d, x.data(), &d, y.data()));
}

}  // namespace
}  // namespace tml::test
