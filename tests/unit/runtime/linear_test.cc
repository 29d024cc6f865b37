// Fully connected, Gemm and MatMul kernels against double-precision references.
#include <cmath>
#include <tuple>
#include <vector>

#include "runtime_test_util.h"

namespace tml::test {
namespace {

// ---------------------------------------------------------------- fully connected

std::vector<double> RefFullyConnected(const std::vector<float>& x, const std::vector<float>& w,
                                      const std::vector<float>* b, int batch, int in, int out,
                                      double lo, double hi) {
  std::vector<double> y(static_cast<size_t>(batch) * out);
  for (int n = 0; n < batch; ++n) {
    for (int o = 0; o < out; ++o) {
      double acc = b ? (*b)[o] : 0.0;
      for (int i = 0; i < in; ++i) acc += static_cast<double>(w[o * in + i]) * x[n * in + i];
      y[n * out + o] = std::min(hi, std::max(lo, acc));
    }
  }
  return y;
}

class FullyConnectedF32Test : public ::testing::TestWithParam<std::tuple<int, int, int, bool>> {};

TEST_P(FullyConnectedF32Test, MatchesReference) {
  const auto [batch, in, out, with_bias] = GetParam();
  const auto x = Random(batch * in, 1);
  const auto w = Random(out * in, 2);
  const auto b = Random(out, 3);
  std::vector<float> y(static_cast<size_t>(batch) * out, -99.0f);
  const tml_fc_params params{-INFINITY, INFINITY};
  const tml_dims xd = Dims({batch, in}), wd = Dims({out, in}), bd = Dims({out}),
                 yd = Dims({batch, out});
  ASSERT_EQ(TML_OK, tml_fully_connected_f32(nullptr, &params, &xd, x.data(), &wd, w.data(), &bd,
                                            with_bias ? b.data() : nullptr, &yd, y.data()));
  EXPECT_TRUE(AllNear(
      y, RefFullyConnected(x, w, with_bias ? &b : nullptr, batch, in, out, -INFINITY, INFINITY)));
}

INSTANTIATE_TEST_SUITE_P(Shapes, FullyConnectedF32Test,
                         ::testing::Values(std::make_tuple(1, 1, 1, true),
                                           std::make_tuple(1, 16, 8, true),
                                           std::make_tuple(3, 7, 5, true),
                                           std::make_tuple(4, 33, 10, false),
                                           std::make_tuple(2, 64, 1, true)));

TEST(FullyConnectedF32Test, ClampsAndAcceptsBatchDims) {
  // Batch given as two leading dims [2, 3, in]; fused Relu6-style clamp [0, 0.5].
  const int in = 9, out = 4;
  const auto x = Random(6 * in, 4);
  const auto w = Random(out * in, 5);
  const auto b = Random(out, 6);
  std::vector<float> y(6 * out);
  const tml_fc_params params{0.0f, 0.5f};
  const tml_dims xd = Dims({2, 3, in}), wd = Dims({out, in}), bd = Dims({out}),
                 yd = Dims({2, 3, out});
  ASSERT_EQ(TML_OK, tml_fully_connected_f32(nullptr, &params, &xd, x.data(), &wd, w.data(), &bd,
                                            b.data(), &yd, y.data()));
  EXPECT_TRUE(AllNear(y, RefFullyConnected(x, w, &b, 6, in, out, 0.0, 0.5)));
}

TEST(FullyConnectedF32Test, RejectsMismatchedDims) {
  std::vector<float> x(6), w(12), y(8);
  const tml_fc_params params{-INFINITY, INFINITY};
  const tml_dims xd = Dims({2, 3}), wd = Dims({4, 3}), bad_wd = Dims({4, 2}), yd = Dims({2, 4}),
                 bad_yd = Dims({3, 4});
  EXPECT_EQ(TML_ERROR_ARG, tml_fully_connected_f32(nullptr, &params, &xd, x.data(), &bad_wd,
                                                   w.data(), nullptr, nullptr, &yd, y.data()));
  EXPECT_EQ(TML_ERROR_ARG, tml_fully_connected_f32(nullptr, &params, &xd, x.data(), &wd, w.data(),
                                                   nullptr, nullptr, &bad_yd, y.data()));
  EXPECT_EQ(TML_ERROR_ARG, tml_fully_connected_f32(nullptr, &params, &xd, nullptr, &wd, w.data(),
                                                   nullptr, nullptr, &yd, y.data()));
}

// ---------------------------------------------------------------- Gemm

struct GemmCase {
  int m, k, n;
  bool trans_a, trans_b;
  float alpha, beta;
  Shape c_shape;  // empty vector with has_c=false means no C
  bool has_c;
};

// ONNX Gemm: Y = alpha·A'·B' + beta·C, C unidirectionally broadcast to [M, N].
std::vector<double> RefGemm(const GemmCase& g, const std::vector<float>& a,
                            const std::vector<float>& b, const std::vector<float>& c) {
  std::vector<double> y(static_cast<size_t>(g.m) * g.n);
  for (int i = 0; i < g.m; ++i) {
    for (int j = 0; j < g.n; ++j) {
      double acc = 0;
      for (int p = 0; p < g.k; ++p) {
        const double av = g.trans_a ? a[p * g.m + i] : a[i * g.k + p];
        const double bv = g.trans_b ? b[j * g.k + p] : b[p * g.n + j];
        acc += av * bv;
      }
      double cv = 0;
      if (g.has_c) {
        // Right-align C's shape with [M, N]; extent-1 axes broadcast.
        Shape cs = g.c_shape;
        while (cs.size() < 2) cs.insert(cs.begin(), 1);
        const int ci = cs[0] == 1 ? 0 : i;
        const int cj = cs[1] == 1 ? 0 : j;
        cv = c[ci * cs[1] + cj];
      }
      y[i * g.n + j] = g.alpha * acc + g.beta * cv;
    }
  }
  return y;
}

class GemmF32Test : public ::testing::TestWithParam<GemmCase> {};

TEST_P(GemmF32Test, MatchesReference) {
  const GemmCase g = GetParam();
  const auto a = Random(g.m * g.k, 11);
  const auto b = Random(g.k * g.n, 12);
  const auto c = Random(g.has_c ? Count(g.c_shape) : 1, 13);
  std::vector<float> y(static_cast<size_t>(g.m) * g.n, -99.0f);
  const tml_gemm_params params{g.alpha, g.beta, g.trans_a ? 1 : 0, g.trans_b ? 1 : 0};
  const tml_dims ad = Dims(g.trans_a ? Shape{g.k, g.m} : Shape{g.m, g.k});
  const tml_dims bd = Dims(g.trans_b ? Shape{g.n, g.k} : Shape{g.k, g.n});
  const tml_dims cd = Dims(g.c_shape);
  const tml_dims yd = Dims({g.m, g.n});
  ASSERT_EQ(TML_OK, tml_gemm_f32(nullptr, &params, &ad, a.data(), &bd, b.data(), &cd,
                                 g.has_c ? c.data() : nullptr, &yd, y.data()));
  EXPECT_TRUE(AllNear(y, RefGemm(g, a, b, c)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GemmF32Test,
    ::testing::Values(GemmCase{3, 4, 5, false, false, 1.0f, 1.0f, {3, 5}, true},
                      GemmCase{3, 4, 5, true, false, 0.5f, 2.0f, {3, 5}, true},
                      GemmCase{3, 4, 5, false, true, 1.0f, 1.0f, {5}, true},
                      GemmCase{3, 4, 5, true, true, -1.5f, 0.25f, {1, 5}, true},
                      GemmCase{4, 6, 2, false, true, 1.0f, 1.0f, {4, 1}, true},
                      GemmCase{4, 6, 2, true, true, 1.0f, 3.0f, {}, true},     // scalar C
                      GemmCase{4, 6, 2, false, false, 1.0f, 1.0f, {1}, true},  // [1]
                      GemmCase{4, 6, 2, false, false, 1.0f, 1.0f, {1, 1}, true},
                      GemmCase{2, 3, 7, false, false, 2.0f, 0.0f, {}, false},  // no C
                      GemmCase{1, 1, 1, true, true, 1.0f, 1.0f, {1, 1}, true},
                      GemmCase{1, 20, 10, false, true, 1.0f, 1.0f, {1, 10}, true},
                      // transB 0 runs eight columns per pass, then four, then one: column
                      // counts 8k, 8k+4, 8k+5, 8k+7, < 4; K not a multiple of 4; 1 row.
                      GemmCase{1, 13, 19, false, false, 1.0f, 1.0f, {19}, true},
                      GemmCase{1, 128, 16, false, false, 1.0f, 1.0f, {1, 16}, true},
                      GemmCase{3, 17, 8, false, false, 0.5f, 2.0f, {3, 8}, true},
                      GemmCase{2, 9, 12, false, false, 1.0f, 1.0f, {1}, true},
                      GemmCase{5, 33, 7, false, false, -1.0f, 0.0f, {}, false},
                      GemmCase{1, 1, 9, false, false, 1.0f, 1.0f, {9}, true},
                      GemmCase{2, 4, 29, true, false, 1.0f, 1.0f, {2, 29}, true}));

TEST(GemmF32Test, RejectsBadShapes) {
  std::vector<float> a(12), b(20), c(8), y(15);
  const tml_gemm_params params{1.0f, 1.0f, 0, 0};
  const tml_dims ad = Dims({3, 4}), bd = Dims({4, 5}), bad_bd = Dims({5, 4}), yd = Dims({3, 5}),
                 bad_cd = Dims({2, 5});
  EXPECT_EQ(TML_ERROR_ARG, tml_gemm_f32(nullptr, &params, &ad, a.data(), &bad_bd, b.data(), nullptr,
                                        nullptr, &yd, y.data()));
  EXPECT_EQ(TML_ERROR_ARG, tml_gemm_f32(nullptr, &params, &ad, a.data(), &bd, b.data(), &bad_cd,
                                        c.data(), &yd, y.data()));
}

// ---------------------------------------------------------------- MatMul

// numpy.matmul in double: promotes 1-D operands, broadcasts the batch dims.
std::vector<double> RefMatMul(const Shape& as, const std::vector<float>& a, const Shape& bs,
                              const std::vector<float>& b, Shape* ys_out) {
  Shape a2 = as, b2 = bs;
  if (a2.size() == 1) a2.insert(a2.begin(), 1);
  if (b2.size() == 1) b2.push_back(1);
  const int m = a2[a2.size() - 2], k = a2.back(), n = b2.back();
  Shape abatch(a2.begin(), a2.end() - 2), bbatch(b2.begin(), b2.end() - 2);
  const size_t br = std::max(abatch.size(), bbatch.size());
  while (abatch.size() < br) abatch.insert(abatch.begin(), 1);
  while (bbatch.size() < br) bbatch.insert(bbatch.begin(), 1);
  Shape ybatch(br);
  for (size_t i = 0; i < br; ++i) ybatch[i] = std::max(abatch[i], bbatch[i]);
  Shape ys = ybatch;
  if (as.size() > 1) ys.push_back(m);
  if (bs.size() > 1) ys.push_back(n);
  *ys_out = ys;
  const int64_t nb = Count(ybatch);
  std::vector<double> y(static_cast<size_t>(nb * m * n));
  for (int64_t bi = 0; bi < nb; ++bi) {
    const auto idx = Unravel(bi, ybatch);
    int64_t aoff = 0, boff = 0;
    for (size_t i = 0; i < br; ++i) {
      aoff = aoff * abatch[i] + (abatch[i] == 1 ? 0 : idx[i]);
      boff = boff * bbatch[i] + (bbatch[i] == 1 ? 0 : idx[i]);
    }
    aoff *= static_cast<int64_t>(m) * k;
    boff *= static_cast<int64_t>(k) * n;
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        double acc = 0;
        for (int p = 0; p < k; ++p)
          acc += static_cast<double>(a[aoff + i * k + p]) * b[boff + p * n + j];
        y[(bi * m + i) * n + j] = acc;
      }
  }
  return y;
}

class MatMulF32Test : public ::testing::TestWithParam<std::pair<Shape, Shape>> {};

TEST_P(MatMulF32Test, MatchesNumpySemantics) {
  const auto& [as, bs] = GetParam();
  const auto a = Random(Count(as), 21);
  const auto b = Random(Count(bs), 22);
  Shape ys;
  const auto expected = RefMatMul(as, a, bs, b, &ys);
  std::vector<float> y(expected.size(), -99.0f);
  const tml_dims ad = Dims(as), bd = Dims(bs), yd = Dims(ys);
  ASSERT_EQ(TML_OK, tml_matmul_f32(nullptr, &ad, a.data(), &bd, b.data(), &yd, y.data()))
      << ShapeString(as) << " x " << ShapeString(bs);
  EXPECT_TRUE(AllNear(y, expected)) << ShapeString(as) << " x " << ShapeString(bs);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, MatMulF32Test,
    ::testing::Values(std::make_pair(Shape{3, 4}, Shape{4, 5}),
                      std::make_pair(Shape{4}, Shape{4, 5}),  // 1-D A
                      std::make_pair(Shape{3, 4}, Shape{4}),  // 1-D B
                      std::make_pair(Shape{7}, Shape{7}),     // dot, rank-0 Y
                      std::make_pair(Shape{2, 3, 4}, Shape{2, 4, 5}),
                      std::make_pair(Shape{2, 3, 4}, Shape{4, 5}),  // B broadcast
                      std::make_pair(Shape{3, 4}, Shape{3, 4, 2}),  // A broadcast
                      std::make_pair(Shape{2, 1, 3, 4}, Shape{5, 4, 2}),
                      std::make_pair(Shape{4}, Shape{2, 3, 4, 6}),  // 1-D A, batched B
                      std::make_pair(Shape{2, 3, 5, 4}, Shape{4}),  // batched A, 1-D B
                      std::make_pair(Shape{1, 2, 1, 2, 3, 4}, Shape{2, 1, 2, 1, 4, 3}),
                      std::make_pair(Shape{1, 1}, Shape{1, 1}),
                      // eight output columns per pass, then four, then one; K % 4 != 0
                      std::make_pair(Shape{1, 13}, Shape{13, 19}),
                      std::make_pair(Shape{3, 17}, Shape{17, 8}),
                      std::make_pair(Shape{2, 5, 9}, Shape{9, 12}),
                      std::make_pair(Shape{1, 1}, Shape{1, 9}),
                      std::make_pair(Shape{64}, Shape{64, 37}),
                      std::make_pair(Shape{2, 16, 64}, Shape{2, 64, 32})));

TEST(MatMulF32Test, RejectsIncompatibleShapes) {
  std::vector<float> a(24), b(40), y(60);
  const tml_dims ad = Dims({2, 3, 4}), bd = Dims({3, 4, 5}), yd = Dims({3, 3, 5});
  EXPECT_EQ(TML_ERROR_ARG, tml_matmul_f32(nullptr, &ad, a.data(), &bd, b.data(), &yd, y.data()));
  const tml_dims bd2 = Dims({5, 4}), yd2 = Dims({2, 3, 4});
  EXPECT_EQ(TML_ERROR_ARG, tml_matmul_f32(nullptr, &ad, a.data(), &bd2, b.data(), &yd2, y.data()));
}

}  // namespace
}  // namespace tml::test
