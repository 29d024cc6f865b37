// tml_softmax_s8, tml_lut_s8 and the compact Kronecker requantization (host); softmax against float: the softmax of dequantized
// logits within the output step (1/256) plus the table's rounding, along any axis
// and in place; the table kernel indexes by code + 128.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "tml_kernels_s8.h"
#include "tml_linear_op_s8_requant.h"

namespace tml::test {
namespace {

std::vector<uint16_t> ExpTable(double scale) {
  std::vector<uint16_t> t(256);
  for (int d = 0; d < 256; ++d) t[d] = static_cast<uint16_t>(std::llround(65535.0 * std::exp(-scale * d)));
  return t;
}

// [outer, axis, inner] int8 logits at `scale`; checks every probability.
void CheckSoftmax(int outer, int axis, int inner, double scale, bool in_place) {
  std::mt19937 rng(outer * 100 + axis * 10 + inner);
  std::uniform_int_distribution<int> code(-128, 127);
  const int n = outer * axis * inner;
  std::vector<int8_t> x(n), y(n);
  for (int8_t& v : x) v = static_cast<int8_t>(code(rng));
  const std::vector<uint16_t> table = ExpTable(scale);
  tml_softmax_params params{outer, axis, inner};
  tml_dims dims{};
  dims.rank = 1;
  dims.dim[0] = n;
  std::vector<int8_t> work = x;
  ASSERT_EQ(tml_softmax_s8(&params, &dims, work.data(), table.data(), in_place ? work.data() : y.data()),
            TML_OK);
  if (in_place) y = work;
  for (int o = 0; o < outer; ++o) {
    for (int i = 0; i < inner; ++i) {
      double max = -1e30, sum = 0;
      for (int j = 0; j < axis; ++j) max = std::max(max, scale * x[(o * axis + j) * inner + i]);
      for (int j = 0; j < axis; ++j) sum += std::exp(scale * x[(o * axis + j) * inner + i] - max);
      for (int j = 0; j < axis; ++j) {
        const int k = (o * axis + j) * inner + i;
        const double p = std::exp(scale * x[k] - max) / sum;
        EXPECT_NEAR((y[k] + 128) / 256.0, std::min(p, 255.0 / 256.0), 1.5 / 256.0)
            << "row " << o << "," << i << " class " << j;
      }
    }
  }
}

TEST(SoftmaxS8Test, MatchesFloatSoftmaxWithinOneStep) {
  CheckSoftmax(1, 10, 1, 0.05, false);
  CheckSoftmax(3, 7, 1, 0.02, false);
  CheckSoftmax(2, 5, 3, 0.1, false);  // axis not last
  CheckSoftmax(1, 10, 1, 0.05, true);
}

TEST(SoftmaxS8Test, OneDominantClassSaturatesAt127) {
  std::vector<int8_t> x = {127, -128, -128, -128};
  std::vector<int8_t> y(4);
  const std::vector<uint16_t> table = ExpTable(0.1);
  tml_softmax_params params{1, 4, 1};
  tml_dims dims{};
  dims.rank = 1;
  dims.dim[0] = 4;
  ASSERT_EQ(tml_softmax_s8(&params, &dims, x.data(), table.data(), y.data()), TML_OK);
  EXPECT_EQ(y[0], 127);
  EXPECT_EQ(y[1], -128);
  EXPECT_EQ(tml_softmax_s8(nullptr, &dims, x.data(), table.data(), y.data()), TML_ERROR_ARG);
}

TEST(LutS8Test, IndexesByCodePlus128) {
  std::vector<int8_t> table(256);
  for (int k = 0; k < 256; ++k) table[k] = static_cast<int8_t>(127 - k);  // y = -1 - x
  std::vector<int8_t> x = {-128, -1, 0, 127};
  std::vector<int8_t> y(4);
  tml_dims dims{};
  dims.rank = 2;
  dims.dim[0] = 2;
  dims.dim[1] = 2;
  ASSERT_EQ(tml_lut_s8(&dims, x.data(), table.data(), y.data()), TML_OK);
  EXPECT_EQ(y, (std::vector<int8_t>{127, 0, -1, -128}));
  EXPECT_EQ(tml_lut_s8(&dims, x.data(), nullptr, y.data()), TML_ERROR_ARG);
}

}  // namespace
}  // namespace tml::test

namespace tml::test {
namespace {

// The compact requantization of a Kronecker operator: m1 + m2 shifts stand for the
// per-row shifts row_shift[i1] + row_shift[m1 + i2] (tml_kernels_s8.h).
TEST(LinearOpS8Requant, KroneckerFactorShiftsEqualTheirPerRowExpansion) {
  const int32_t m1 = 2, m2 = 3;
  const tml_kron_s8_params kron{m1, 4, m2, 5, 1, 0};
  const std::vector<int8_t> factor_shift = {1, 0, 0, 2, 1};  // A rows, then B rows
  std::vector<int8_t> row_shift;
  for (int32_t i1 = 0; i1 < m1; ++i1)
    for (int32_t i2 = 0; i2 < m2; ++i2) row_shift.push_back(static_cast<int8_t>(factor_shift[i1] + factor_shift[m1 + i2]));
  const std::vector<int32_t> mult = {1518500250};
  tml_linear_op_s8 op_kron{};
  op_kron.rows = m1 * m2;
  op_kron.kron = &kron;
  op_kron.quant = {mult.data(), 0, 9};
  op_kron.row_shift = factor_shift.data();
  tml_linear_op_s8 op_rows = op_kron;
  op_rows.kron = nullptr;
  op_rows.row_shift = row_shift.data();
  std::vector<int32_t> a = {123456, -98765, 4242, -1, 7777777, -31313}, b = a;
  tml_linear_op_s8_requantize_rows(&op_kron, m1 * m2, a.data());
  tml_linear_op_s8_requantize_rows(&op_rows, m1 * m2, b.data());
  EXPECT_EQ(a, b);
  EXPECT_NE(a[0], 123456) << "requantized";
}

}  // namespace
}  // namespace tml::test
