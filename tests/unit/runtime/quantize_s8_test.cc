// tml_quantize_s8 (floor without libm) against the formula it implements,
// clamp(floor(x·inv_scale + 0.5) + zero_point, -128, 127) with floorf, on values that
// land on, just off and between the rounding points, both signs, huge values and NaN.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "tml_kernels_s8.h"

namespace {

int8_t Expected(float x, float inv_scale, int32_t zero_point) {
  float v = std::floor(x * inv_scale + 0.5f);
  if (!(v > -1000.0f)) v = -1000.0f;
  if (v > 1000.0f) v = 1000.0f;
  const int32_t q = static_cast<int32_t>(v) + zero_point;
  return static_cast<int8_t>(q < -128 ? -128 : (q > 127 ? 127 : q));
}

TEST(QuantizeS8Test, MatchesFloorFormula) {
  std::vector<float> x;
  for (int k = -3000; k <= 3000; ++k) {
    const float v = 0.05f * float(k);
    x.push_back(v);
    x.push_back(std::nextafter(v, 1e9f));
    x.push_back(std::nextafter(v, -1e9f));
  }
  for (float v : {0.0f, -0.0f, 1e30f, -1e30f, std::numeric_limits<float>::infinity(),
                  -std::numeric_limits<float>::infinity(),
                  std::numeric_limits<float>::quiet_NaN()}) {
    x.push_back(v);
  }
  const tml_dims dims{1, {static_cast<int32_t>(x.size())}};
  for (float inv_scale : {1.0f, 10.0f, 0.37f}) {
    for (int32_t zero_point : {0, -7, 12}) {
      std::vector<int8_t> y(x.size());
      ASSERT_EQ(TML_OK, tml_quantize_s8(&dims, x.data(), inv_scale, zero_point, y.data()));
      for (size_t i = 0; i < x.size(); ++i) {
        ASSERT_EQ(int(y[i]), int(Expected(x[i], inv_scale, zero_point)))
            << "x " << x[i] << " inv_scale " << inv_scale << " zero point " << zero_point;
      }
    }
  }
}

}  // namespace
