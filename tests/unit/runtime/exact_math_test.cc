// TML_FLOAT_MATH_EXACT=1 (compile --float-math exact) routes exp, sigmoid and tanh through
// libm: the results are libm's, bit for bit.
#include <gtest/gtest.h>

#include <cmath>

#define TML_FLOAT_MATH_EXACT 1
#include "tml_math_f32.h"

namespace {

TEST(ExactMathTest, ExpTanhSigmoidAreLibm) {
  for (float x : {-90.0f, -10.0f, -0.7f, -1e-3f, 0.0f, 0.3f, 0.625f, 2.5f, 9.5f, 88.0f}) {
    EXPECT_EQ(tml_expf(x), expf(x)) << x;
    EXPECT_EQ(tml_tanhf(x), tanhf(x)) << x;
    EXPECT_EQ(tml_sigmoidf(x), 1.0f / (1.0f + expf(-x))) << x;
  }
}

}  // namespace
