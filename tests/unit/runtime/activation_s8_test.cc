// tml_softmax_s8 and tml_lut_s8 (host) against float: the softmax of dequantized
// logits within the output step (1/256) plus the table's rounding, along any axis
// and in place; the table kernel indexes by code + 128.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "tml_kernels_s8.h"

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
