// Add/Sub/Mul/Div with multidirectional broadcasting against a double reference.
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "runtime_test_util.h"

namespace tml::test {
namespace {

using KernelFn = tml_status (*)(const tml_context*, const tml_broadcast_params*, const tml_dims*,
                                const float*, const tml_dims*, const float*, const tml_dims*,
                                float*);

struct BinaryOp {
  const char* name;
  KernelFn fn;
  double (*ref)(double, double);
};

const BinaryOp kOps[] = {
    {"Add", tml_add_f32, [](double a, double b) { return a + b; }},
    {"Sub", tml_sub_f32, [](double a, double b) { return a - b; }},
    {"Mul", tml_mul_f32, [](double a, double b) { return a * b; }},
    {"Div", tml_div_f32, [](double a, double b) { return a / b; }},
};

// numpy broadcast of two shapes.
Shape BroadcastShape(Shape a, Shape b) {
  const size_t r = std::max(a.size(), b.size());
  while (a.size() < r) a.insert(a.begin(), 1);
  while (b.size() < r) b.insert(b.begin(), 1);
  Shape y(r);
  for (size_t k = 0; k < r; ++k) y[k] = a[k] == 1 ? b[k] : a[k];
  return y;
}

// Element of `x` (shape xs) that broadcasts to output multi-index `idx`.
double At(const std::vector<float>& x, Shape xs, const std::vector<int64_t>& idx) {
  while (xs.size() < idx.size()) xs.insert(xs.begin(), 1);
  int64_t off = 0;
  for (size_t k = 0; k < idx.size(); ++k) off = off * xs[k] + (xs[k] == 1 ? 0 : idx[k]);
  return x[off];
}

class BinaryF32Test : public ::testing::TestWithParam<std::tuple<int, std::pair<Shape, Shape>>> {};

TEST_P(BinaryF32Test, MatchesBroadcastReference) {
  const BinaryOp& op = kOps[std::get<0>(GetParam())];
  const auto& [as, bs] = std::get<1>(GetParam());
  const Shape ys = BroadcastShape(as, bs);
  const auto a = Random(Count(as), 31);
  auto b = Random(Count(bs), 32, 0.5f, 2.0f);  // away from 0 for Div
  for (size_t i = 0; i < b.size(); i += 2) b[i] = -b[i];
  std::vector<double> expected(Count(ys));
  for (int64_t i = 0; i < Count(ys); ++i) {
    const auto idx = Unravel(i, ys);
    expected[i] = op.ref(At(a, as, idx), At(b, bs, idx));
  }
  const tml_dims ad = Dims(as), bd = Dims(bs), yd = Dims(ys);
  tml_broadcast_params params;
  ASSERT_EQ(TML_OK, tml_broadcast_params_init(&ad, &bd, &yd, &params));
  std::vector<float> y(expected.size(), -99.0f);
  ASSERT_EQ(TML_OK, op.fn(nullptr, &params, &ad, a.data(), &bd, b.data(), &yd, y.data()));
  EXPECT_TRUE(AllNear(y, expected)) << op.name << " " << ShapeString(as) << " " << ShapeString(bs);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, BinaryF32Test,
    ::testing::Combine(
        ::testing::Range(0, 4),
        ::testing::Values(std::make_pair(Shape{2, 3}, Shape{2, 3}),        // same shape
                          std::make_pair(Shape{}, Shape{}),                // scalars
                          std::make_pair(Shape{2, 3, 4}, Shape{}),         // scalar B
                          std::make_pair(Shape{1}, Shape{5, 2}),           // [1] A
                          std::make_pair(Shape{3, 1}, Shape{1, 4}),        // outer product
                          std::make_pair(Shape{2, 3, 4}, Shape{4}),        // row vector
                          std::make_pair(Shape{2, 3, 4}, Shape{3, 1}),     // column, lower rank
                          std::make_pair(Shape{4, 1, 5}, Shape{1, 3, 1}),  // both broadcast
                          std::make_pair(Shape{2, 1, 3, 1, 2, 1}, Shape{1, 2, 1, 2, 1, 3}),
                          std::make_pair(Shape{5}, Shape{2, 1, 1, 1, 3, 5}))));

TEST(BinaryF32Test, NullParamsForSameShapeAndScalarOperands) {
  const auto a = Random(12, 33);
  const auto s = Random(1, 34);
  const tml_dims ad = Dims({3, 4}), sd = Dims({1, 1});
  std::vector<float> y(12);
  ASSERT_EQ(TML_OK, tml_sub_f32(nullptr, nullptr, &sd, s.data(), &ad, a.data(), &ad, y.data()));
  std::vector<double> expected(12);
  for (int i = 0; i < 12; ++i) expected[i] = static_cast<double>(s[0]) - a[i];
  EXPECT_TRUE(AllNear(y, expected));
  // A broadcast that needs strides is refused without params.
  const tml_dims rd = Dims({4}), cd = Dims({3, 1});
  EXPECT_EQ(TML_ERROR_ARG,
            tml_add_f32(nullptr, nullptr, &rd, a.data(), &cd, a.data(), &ad, y.data()));
}

TEST(BinaryF32Test, InPlaceOnFirstOperand) {
  auto a = Random(24, 35);
  const auto b = Random(4, 36);
  const tml_dims ad = Dims({2, 3, 4}), bd = Dims({4});
  std::vector<double> expected(24);
  for (int i = 0; i < 24; ++i) expected[i] = static_cast<double>(a[i]) * b[i % 4];
  tml_broadcast_params params;
  ASSERT_EQ(TML_OK, tml_broadcast_params_init(&ad, &bd, &ad, &params));
  ASSERT_EQ(TML_OK, tml_mul_f32(nullptr, &params, &ad, a.data(), &bd, b.data(), &ad, a.data()));
  EXPECT_TRUE(AllNear(a, expected));
}

TEST(BinaryF32Test, DivisionByZeroFollowsIeee) {
  const std::vector<float> a = {1.0f, -1.0f, 0.0f};
  const std::vector<float> b = {0.0f};
  std::vector<float> y(3);
  const tml_dims ad = Dims({3}), bd = Dims({1});
  ASSERT_EQ(TML_OK, tml_div_f32(nullptr, nullptr, &ad, a.data(), &bd, b.data(), &ad, y.data()));
  EXPECT_EQ(y[0], INFINITY);
  EXPECT_EQ(y[1], -INFINITY);
  EXPECT_TRUE(std::isnan(y[2]));
}

TEST(BroadcastParamsInitTest, RejectsIncompatibleShapes) {
  tml_broadcast_params params;
  const tml_dims a = Dims({2, 3}), b = Dims({4}), y = Dims({2, 3});
  EXPECT_EQ(TML_ERROR_ARG, tml_broadcast_params_init(&a, &b, &y, &params));
  const tml_dims big = Dims({1, 2, 3});
  EXPECT_EQ(TML_ERROR_ARG, tml_broadcast_params_init(&big, &a, &y, &params));
}

TEST(BroadcastParamsInitTest, StridesAreZeroOnBroadcastAxes) {
  tml_broadcast_params params;
  const tml_dims a = Dims({3, 1}), b = Dims({4}), y = Dims({2, 3, 4});
  ASSERT_EQ(TML_OK, tml_broadcast_params_init(&a, &b, &y, &params));
  EXPECT_EQ(params.a_strides[0], 0);
  EXPECT_EQ(params.a_strides[1], 1);
  EXPECT_EQ(params.a_strides[2], 0);
  EXPECT_EQ(params.b_strides[0], 0);
  EXPECT_EQ(params.b_strides[1], 0);
  EXPECT_EQ(params.b_strides[2], 1);
}

TEST(BinaryF32Test, RejectsStridesReadingOutOfBounds) {
  const auto a = Random(4, 37);
  std::vector<float> y(12);
  const tml_dims ad = Dims({4}), yd = Dims({3, 4});
  tml_broadcast_params params{};
  params.a_strides[0] = 4;  // would read a[8..11]
  params.a_strides[1] = 1;
  params.b_strides[1] = 1;
  EXPECT_EQ(TML_ERROR_ARG,
            tml_add_f32(nullptr, &params, &ad, a.data(), &ad, a.data(), &yd, y.data()));
}

}  // namespace
}  // namespace tml::test
