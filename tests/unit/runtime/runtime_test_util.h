// Helpers shared by the runtime kernel tests: shapes, random data and a tolerant compare.
// The references in the tests are written in double precision straight from the ONNX
// operator formulas; the kernels run in float32, hence the ~1e-5 relative tolerance.
#ifndef TESTS_UNIT_RUNTIME_RUNTIME_TEST_UTIL_H_
#define TESTS_UNIT_RUNTIME_RUNTIME_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tml_kernels.h"

namespace tml::test {

using Shape = std::vector<int32_t>;

inline tml_dims Dims(const Shape& shape) {
  tml_dims d{};
  d.rank = static_cast<int32_t>(shape.size());
  for (size_t k = 0; k < shape.size(); ++k) d.dim[k] = shape[k];
  return d;
}

inline int64_t Count(const Shape& shape) {
  int64_t n = 1;
  for (int32_t v : shape) n *= v;
  return n;
}

// Row-major strides of a shape.
inline std::vector<int64_t> Strides(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int k = static_cast<int>(shape.size()) - 2; k >= 0; --k) s[k] = s[k + 1] * shape[k + 1];
  return s;
}

// Multi-index of flat position `flat` in `shape`.
inline std::vector<int64_t> Unravel(int64_t flat, const Shape& shape) {
  std::vector<int64_t> idx(shape.size(), 0);
  for (int k = static_cast<int>(shape.size()) - 1; k >= 0; --k) {
    idx[k] = flat % shape[k];
    flat /= shape[k];
  }
  return idx;
}

inline std::string ShapeString(const Shape& shape) {
  std::string s = "[";
  for (size_t k = 0; k < shape.size(); ++k) s += (k ? "," : "") + std::to_string(shape[k]);
  return s + "]";
}

inline std::vector<float> Random(int64_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(rng);
  return v;
}

// |actual - expected| <= tol · max(1, |expected|) element by element, reporting the first
// few mismatches with their index.
inline ::testing::AssertionResult AllNear(const std::vector<float>& actual,
                                          const std::vector<double>& expected, double tol = 1e-5) {
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << "size " << actual.size() << " != expected " << expected.size();
  }
  int bad = 0;
  ::testing::AssertionResult result = ::testing::AssertionSuccess();
  std::string msg;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double e = expected[i];
    const double a = actual[i];
    const bool ok = (std::isnan(e) && std::isnan(a)) || (std::isinf(e) && a == e) ||
                    std::fabs(a - e) <= tol * std::max(1.0, std::fabs(e));
    if (!ok) {
      if (bad < 8) {
        msg += "\n  [" + std::to_string(i) + "] got " + std::to_string(a) + " want " +
               std::to_string(e);
      }
      ++bad;
    }
  }
  if (bad > 0) {
    return ::testing::AssertionFailure() << bad << " of " << actual.size() << " mismatches" << msg;
  }
  return result;
}

}  // namespace tml::test

#endif  // TESTS_UNIT_RUNTIME_RUNTIME_TEST_UTIL_H_
