// Largest error of the runtime's fast float math (runtime/include/tml_math_f32.h, the
// default TML_FLOAT_MATH_EXACT 0 build) over every float, against double-precision libm:
// tanh and sigmoid absolute, exp relative (over [-87.3, 87.3], where the result is a
// normal float). The unit test (runtime.FastMathTest.*) samples every 127th float; this
// program checks all of them (about 3 minutes of CPU time for the three).
//
// Measured (host x86-64 gcc 12, -O2; the float operations are IEEE single on the host and
// on the M4 alike, so the figures hold for the firmware):
//   tanh    max abs error 7.88e-08 at x = 0.629926145 (every float with |x| <= 20; beyond,
//           the result is exactly ±1 and tanh is within 1e-17 of it)
//   sigmoid max abs error 8.93e-08 at x = 7.85921097
//   exp     max rel error 8.06e-08 at x = -81.4342422
//
// Usage: bench_fast_math_error
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "tml_math_f32.h"

namespace {

struct Worst {
  double error = 0.0;
  float at = 0.0f;
  void Take(double e, float x) {
    if (e > error) {
      error = e;
      at = x;
    }
  }
};

}  // namespace

int main() {
  Worst tanh_abs, sigmoid_abs, exp_rel;
  for (uint64_t u = 0; u <= 0xFFFFFFFFull; ++u) {
    const uint32_t bits = static_cast<uint32_t>(u);
    float x;
    std::memcpy(&x, &bits, sizeof x);
    if (std::isnan(x)) continue;
    const double xd = x;
    tanh_abs.Take(std::fabs(double(tml_tanhf(x)) - std::tanh(xd)), x);
    sigmoid_abs.Take(std::fabs(double(tml_sigmoidf(x)) - 1.0 / (1.0 + std::exp(-xd))), x);
    if (std::fabs(x) <= 87.3f) {
      const double e = std::exp(xd);
      exp_rel.Take(std::fabs(double(tml_expf(x)) - e) / e, x);
    }
  }
  std::printf("tanh    max abs error %.3g at x = %.9g\n", tanh_abs.error, double(tanh_abs.at));
  std::printf("sigmoid max abs error %.3g at x = %.9g\n", sigmoid_abs.error, double(sigmoid_abs.at));
  std::printf("exp     max rel error %.3g at x = %.9g\n", exp_rel.error, double(exp_rel.at));
  return 0;
}
