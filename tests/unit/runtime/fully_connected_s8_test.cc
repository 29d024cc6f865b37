// tml_fully_connected_s8 (host, pure-C path) against a C++ integer reference written
// from the contract in tml_kernels_s8.h: Σ W·(x - zp_in) + bias, the two-step
// requantization, output offset and clamp; tml_linear_op_fc_s8 on the same layer as an
// operator gives the same bytes.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "runtime_test_util.h"
#include "tml_kernels_s8.h"

namespace tml::test {
namespace {

int32_t RefRequantize(int64_t acc, int32_t multiplier, int left, int right) {
  const int64_t hi = (acc * (int64_t{1} << left) * multiplier + (int64_t{1} << 31)) >> 32;
  return static_cast<int32_t>(right == 0 ? hi : (hi + (int64_t{1} << (right - 1))) >> right);
}

struct FcCase {
  int rows, cols, batch;
};

class FullyConnectedS8Test : public ::testing::TestWithParam<FcCase> {};

TEST_P(FullyConnectedS8Test, MatchesIntegerReference) {
  const auto [rows, cols, batch] = GetParam();
  std::mt19937 rng(rows * 131 + cols * 7 + batch);
  std::uniform_int_distribution<int> w8(-127, 127), x8(-128, 127), b32(-20000, 20000);
  std::vector<int8_t> w(size_t(rows) * cols), x(size_t(batch) * cols);
  for (auto& v : w) v = int8_t(w8(rng));
  for (auto& v : x) v = int8_t(x8(rng));
  std::vector<int32_t> bias(rows), mult(rows), bias_eff(rows);
  std::vector<double> scales(rows);
  const int32_t zp_in = -5, zp_out = 7;
  for (int r = 0; r < rows; ++r) {
    bias[r] = b32(rng);
    // Per-row factors spanning 2^12; some layers need a left shift.
    scales[r] = std::ldexp(1.0 + (r % 7) / 7.0, -(r % 13)) / (rows % 2 ? 1.0 : 4096.0 * cols);
  }
  int32_t left = 0, right = 0;
  tml_quantize_multipliers_s8(rows, scales.data(), mult.data(), &left, &right);
  tml_fold_bias_s8(rows, cols, w.data(), bias.data(), zp_in, bias_eff.data());
  std::vector<int8_t> packed(tml_pack_weights_s8_size(rows, cols));
  ASSERT_EQ(tml_pack_weights_s8(rows, cols, w.data(), packed.data()), TML_OK);

  const tml_dims w_dims = Dims({rows, cols});
  const tml_dims in_dims = Dims({batch, cols});
  const tml_dims out_dims = Dims({batch, rows});
  std::vector<int8_t> scratch(tml_fully_connected_s8_get_buffer_size(&w_dims));
  tml_context ctx{scratch.data(), int32_t(scratch.size())};
  // Per-row multipliers, then the compact form (mult[0] shifted right by r % 9 for row r).
  std::vector<int8_t> shift(rows);
  for (int r = 0; r < rows; ++r) shift[r] = int8_t(r % 9);
  for (const bool compact : {false, true}) {
    const tml_fc_s8_params params{zp_out, -100, 120, compact ? shift.data() : nullptr};
    const tml_quant_params quant{mult.data(), left, right};
    std::vector<int8_t> y(size_t(batch) * rows);
    ASSERT_EQ(tml_fully_connected_s8(&ctx, &params, &quant, &in_dims, x.data(), &w_dims,
                                     packed.data(), bias_eff.data(), &out_dims, y.data()),
              TML_OK);
    // The same layer as a (dense) tml_linear_op_s8 through tml_linear_op_fc_s8, the kernel
    // of compressed fully connected layers: the same bytes.
    const tml_linear_op_s8 op{rows, cols, packed.data(), nullptr, nullptr, nullptr, nullptr,
                              bias_eff.data(), quant, compact ? shift.data() : nullptr,
                              nullptr, 0};
    std::vector<int8_t> op_scratch(tml_linear_op_fc_s8_get_buffer_size(&op));
    const tml_context op_ctx{op_scratch.data(), int32_t(op_scratch.size())};
    std::vector<int8_t> y_op(y.size());
    ASSERT_EQ(tml_linear_op_fc_s8(&op_ctx, &params, &op, &in_dims, x.data(), &out_dims,
                                  y_op.data()),
              TML_OK);
    EXPECT_EQ(y_op, y) << (compact ? "compact" : "per-row");
    int mismatches = 0;
    for (int n = 0; n < batch; ++n) {
      for (int r = 0; r < rows; ++r) {
        int64_t acc = bias[r];
        for (int c = 0; c < cols; ++c)
          acc += int64_t(w[size_t(r) * cols + c]) * (x[size_t(n) * cols + c] - zp_in);
        const int32_t m = compact ? mult[0] >> shift[r] : mult[r];
        int32_t v = RefRequantize(acc, m, left, right) + zp_out;
        v = std::min(120, std::max(-100, v));
        if (y[size_t(n) * rows + r] != v && ++mismatches < 10)
          ADD_FAILURE() << (compact ? "compact: " : "") << "batch " << n << " row " << r
                        << ": got " << int(y[n * rows + r]) << ", want " << v;
      }
    }
    EXPECT_EQ(mismatches, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, FullyConnectedS8Test,
                         ::testing::Values(FcCase{1, 1, 1}, FcCase{3, 5, 2}, FcCase{4, 4, 1},
                                           FcCase{17, 33, 3}, FcCase{64, 64, 1},
                                           FcCase{128, 129, 2},
                                           // > 512 columns: the lane accumulators fold.
                                           FcCase{6, 1500, 1}));

TEST(FullyConnectedS8Test, OddRowsExtremeValuesAreExact) {
  // Worst case for the row-pair lanes: every weight ±127, every input -128, 1024 columns.
  const int rows = 4, cols = 1024;
  std::vector<int8_t> w(rows * cols), x(cols, -128);
  for (int i = 0; i < rows * cols; ++i) w[i] = (i / cols) % 2 ? 127 : -127;
  std::vector<int8_t> packed(tml_pack_weights_s8_size(rows, cols));
  ASSERT_EQ(tml_pack_weights_s8(rows, cols, w.data(), packed.data()), TML_OK);
  std::vector<int32_t> bias(rows, 0), mult(rows);
  std::vector<double> scales(rows, 1.0 / (127.0 * 128 * cols));
  int32_t left = 0, right = 0;
  tml_quantize_multipliers_s8(rows, scales.data(), mult.data(), &left, &right);
  const tml_dims w_dims = Dims({rows, cols}), in_dims = Dims({cols}), out_dims = Dims({rows});
  std::vector<int8_t> scratch(tml_fully_connected_s8_get_buffer_size(&w_dims));
  tml_context ctx{scratch.data(), int32_t(scratch.size())};
  const tml_fc_s8_params params{0, -128, 127, nullptr};
  const tml_quant_params quant{mult.data(), left, right};
  std::vector<int8_t> y(rows);
  ASSERT_EQ(tml_fully_connected_s8(&ctx, &params, &quant, &in_dims, x.data(), &w_dims,
                                   packed.data(), bias.data(), &out_dims, y.data()),
            TML_OK);
  EXPECT_EQ(y[0], 1);   // -127·-128·1024 / (127·128·1024)
  EXPECT_EQ(y[1], -1);
}

TEST(FullyConnectedS8Test, RejectsMinus128AndSmallScratch) {
  std::vector<int8_t> w = {1, -128}, packed(16);
  EXPECT_EQ(tml_pack_weights_s8(1, 2, w.data(), packed.data()), TML_ERROR_ARG);
  w[1] = 2;
  ASSERT_EQ(tml_pack_weights_s8(1, 2, w.data(), packed.data()), TML_OK);
  const tml_dims w_dims = Dims({1, 2}), in_dims = Dims({2}), out_dims = Dims({1});
  int32_t bias = 0, mult = 1 << 30;
  const tml_fc_s8_params params{0, -128, 127, nullptr};
  const tml_quant_params quant{&mult, 0, 0};
  int8_t x[2] = {1, 2}, y = 0;
  int16_t small[2];
  tml_context ctx{small, 4};  // needs 8 (cols padded to 4)
  EXPECT_EQ(tml_fully_connected_s8(&ctx, &params, &quant, &in_dims, x, &w_dims, packed.data(),
                                   &bias, &out_dims, &y),
            TML_ERROR_BUFFER);
}

TEST(QuantizeMultipliersTest, RepresentsTheScales) {
  for (double s : {1e-6, 0.001, 0.3, 0.5, 0.75, 1.0, 3.0, 200.0}) {
    const double scales[2] = {s, s / 16};
    int32_t m[2] = {0, 0}, left = 0, right = 0;
    tml_quantize_multipliers_s8(2, scales, m, &left, &right);
    EXPECT_GE(m[0], 1 << 30) << s;
    EXPECT_NEAR(std::ldexp(double(m[0]), left - right - 32), s, s * 1e-9);
    EXPECT_NEAR(std::ldexp(double(m[1]), left - right - 32), s / 16, s * 1e-9);
  }
}

}  // namespace
}  // namespace tml::test
