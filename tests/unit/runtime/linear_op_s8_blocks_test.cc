// tml_linear_op_s8 row blocks (per-gate operators): a stack of blocks gives the same
// accumulators as one operator over the stacked matrix, each block adding its own bias;
// the scratch is the largest block's, and a nested stack is refused.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "tml_kernels_s8.h"

namespace tml::test {
namespace {

struct Packed {
  std::vector<int8_t> w, packed;
  std::vector<int32_t> bias;
  tml_linear_op_s8 op{};
  Packed(std::mt19937& rng, int rows, int cols) : w(size_t(rows) * cols), bias(rows) {
    std::uniform_int_distribution<int> d8(-127, 127);
    for (auto& v : w) v = int8_t(d8(rng));
    for (auto& v : bias) v = d8(rng) * 100;
    packed.resize(tml_pack_weights_s8_size(rows, cols));
    EXPECT_EQ(tml_pack_weights_s8(rows, cols, w.data(), packed.data()), TML_OK);
    op.rows = rows;
    op.cols = cols;
    op.packed = packed.data();
    op.bias = bias.data();
  }
};

TEST(LinearOpS8BlocksTest, StackEqualsTheStackedMatrix) {
  const int cols = 13;
  std::mt19937 rng(17);
  Packed top(rng, 8, cols), bottom(rng, 6, cols);
  const tml_linear_op_s8 blocks[2] = {top.op, bottom.op};
  tml_linear_op_s8 stack{};
  stack.rows = 14;
  stack.cols = cols;
  stack.blocks = blocks;
  stack.num_blocks = 2;
  // The same matrix and biases as one dense operator.
  std::vector<int8_t> w(top.w);
  w.insert(w.end(), bottom.w.begin(), bottom.w.end());
  std::vector<int32_t> bias(top.bias);
  bias.insert(bias.end(), bottom.bias.begin(), bottom.bias.end());
  std::vector<int8_t> packed(tml_pack_weights_s8_size(14, cols));
  ASSERT_EQ(tml_pack_weights_s8(14, cols, w.data(), packed.data()), TML_OK);
  tml_linear_op_s8 whole{};
  whole.rows = 14;
  whole.cols = cols;
  whole.packed = packed.data();
  whole.bias = bias.data();

  ASSERT_EQ(tml_linear_op_s8_apply_get_buffer_size(&stack),
            tml_linear_op_s8_apply_get_buffer_size(&top.op));
  std::vector<int8_t> scratch(tml_linear_op_s8_apply_get_buffer_size(&whole));
  tml_context ctx{scratch.data(), int32_t(scratch.size())};
  std::vector<int8_t> x(cols);
  std::uniform_int_distribution<int> x8(-128, 127);
  for (auto& v : x) v = int8_t(x8(rng));
  std::vector<int32_t> got(16, 0), want(16, 0);
  ASSERT_EQ(tml_linear_op_s8_apply(&ctx, &stack, x.data(), got.data()), TML_OK);
  ASSERT_EQ(tml_linear_op_s8_apply(&ctx, &whole, x.data(), want.data()), TML_OK);
  EXPECT_EQ(std::vector<int32_t>(got.begin(), got.begin() + 14),
            std::vector<int32_t>(want.begin(), want.begin() + 14));

  const tml_linear_op_s8 nested[1] = {stack};
  tml_linear_op_s8 deep{};
  deep.rows = 14;
  deep.cols = cols;
  deep.blocks = nested;
  deep.num_blocks = 1;
  EXPECT_EQ(tml_linear_op_s8_apply_get_buffer_size(&deep), -1);
}

}  // namespace
}  // namespace tml::test
