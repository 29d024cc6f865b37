// Helpers of the int8 recurrent step tests: a dense int8 operator (per-row weights,
// bias at the row scale with the input offset folded in, requantization to Q3.12 gates)
// built from a real matrix, and its dequantized weights for a float reference.
#ifndef TESTS_UNIT_RUNTIME_S8_TEST_UTIL_H_
#define TESTS_UNIT_RUNTIME_S8_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "tml_kernels_s8.h"

namespace tml::test {

// Quantizes a real [rows, cols] matrix per row into a dense operator mapping to Q3.12:
// one multiplier per row, or (compact) power-of-two row scales under the largest one with
// a single multiplier and an extra right shift per row (tml_linear_op_s8::row_shift).
struct DenseOp {
  std::vector<int8_t> q, packed, shift;
  std::vector<double> row_scale;  // real weight = row_scale[r]·q[r, c]
  std::vector<int32_t> bias, mult;
  tml_linear_op_s8 op{};
  int rows = 0, cols = 0;
  void Build(const std::vector<double>& m, int rows_, int cols_, double in_scale, int in_zp,
             const std::vector<double>& real_bias, bool compact = false) {
    rows = rows_;
    cols = cols_;
    q.resize(size_t(rows) * cols);
    row_scale.assign(rows, 0.0);
    std::vector<double> factor(rows);
    std::vector<int32_t> b(rows);
    double top = 0.0;
    for (int r = 0; r < rows; ++r) {
      double mx = 1e-12;
      for (int c = 0; c < cols; ++c) mx = std::max(mx, std::abs(m[size_t(r) * cols + c]));
      row_scale[r] = mx / 127.0;
      top = std::max(top, row_scale[r]);
    }
    shift.assign(rows, 0);
    for (int r = 0; r < rows && compact; ++r) {
      int k = 0;
      while (k < 14 && std::ldexp(top, -(k + 1)) >= row_scale[r]) ++k;
      shift[r] = int8_t(k);
      row_scale[r] = std::ldexp(top, -k);
    }
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c)
        q[size_t(r) * cols + c] = int8_t(std::lround(m[size_t(r) * cols + c] / row_scale[r]));
      factor[r] = in_scale * row_scale[r] * 4096.0;
      b[r] = real_bias.empty() ? 0 : int32_t(std::lround(real_bias[r] / (in_scale * row_scale[r])));
    }
    bias.resize(rows);
    tml_fold_bias_s8(rows, cols, q.data(), b.data(), in_zp, bias.data());
    mult.resize(compact ? 1 : rows);
    int32_t left = 0, right = 0;
    if (compact) factor = {in_scale * top * 4096.0};
    tml_quantize_multipliers_s8(int32_t(mult.size()), factor.data(), mult.data(), &left, &right);
    packed.resize(tml_pack_weights_s8_size(rows, cols));
    ASSERT_EQ(tml_pack_weights_s8(rows, cols, q.data(), packed.data()), TML_OK);
    op = tml_linear_op_s8{rows, cols, packed.data(), nullptr, nullptr, nullptr, nullptr,
                          bias.data(), {mult.data(), left, right},
                          compact ? shift.data() : nullptr, nullptr, 0};
  }

  // The real weight the operator applies.
  double W(int r, int c) const { return row_scale[r] * q[size_t(r) * cols + c]; }
};

}  // namespace tml::test

#endif  // TESTS_UNIT_RUNTIME_S8_TEST_UTIL_H_
