// tml_kron_matvec_f32 against a dense double matvec with W = Σ A_k ⊗ B_k built from the
// numpy kron index convention, for both evaluation orders, ranks 1..3, non-square factors,
// batches, bias and accumulate.
#include <gtest/gtest.h>

#include <vector>

#include "runtime_test_util.h"
#include "tml_kernels.h"

namespace tml::test {
namespace {

struct KronCase {
  int32_t m1, n1, m2, n2, rank, batch;
};

// W[i1·m2+i2, j1·n2+j2] = Σ_k A_k[i1,j1]·B_k[i2,j2], applied to each batch row in double.
std::vector<double> DenseReference(const KronCase& c, const std::vector<float>& a,
                                   const std::vector<float>& b, const std::vector<float>& x,
                                   const std::vector<float>* bias) {
  const int32_t m = c.m1 * c.m2, n = c.n1 * c.n2;
  std::vector<double> w(static_cast<size_t>(m) * n, 0.0);
  for (int32_t k = 0; k < c.rank; ++k) {
    for (int32_t i1 = 0; i1 < c.m1; ++i1)
      for (int32_t j1 = 0; j1 < c.n1; ++j1)
        for (int32_t i2 = 0; i2 < c.m2; ++i2)
          for (int32_t j2 = 0; j2 < c.n2; ++j2)
            w[static_cast<size_t>(i1 * c.m2 + i2) * n + j1 * c.n2 + j2] +=
                static_cast<double>(a[static_cast<size_t>(k * c.m1 * c.n1 + i1 * c.n1 + j1)]) *
                b[static_cast<size_t>(k * c.m2 * c.n2 + i2 * c.n2 + j2)];
  }
  std::vector<double> y(static_cast<size_t>(c.batch) * m, 0.0);
  for (int32_t s = 0; s < c.batch; ++s)
    for (int32_t i = 0; i < m; ++i) {
      double acc = bias ? (*bias)[static_cast<size_t>(i)] : 0.0;
      for (int32_t j = 0; j < n; ++j) acc += w[static_cast<size_t>(i) * n + j] * x[static_cast<size_t>(s * n + j)];
      y[static_cast<size_t>(s * m + i)] = acc;
    }
  return y;
}

class KronMatvecTest : public ::testing::TestWithParam<KronCase> {};

TEST_P(KronMatvecTest, MatchesDenseInBothOrders) {
  const KronCase c = GetParam();
  const int32_t m = c.m1 * c.m2, n = c.n1 * c.n2;
  const std::vector<float> a = Random(int64_t{c.rank} * c.m1 * c.n1, 1);
  const std::vector<float> b = Random(int64_t{c.rank} * c.m2 * c.n2, 2);
  const std::vector<float> x = Random(int64_t{c.batch} * n, 3);
  const std::vector<float> bias = Random(m, 4);
  for (int with_bias = 0; with_bias < 2; ++with_bias) {
    const std::vector<double> want = DenseReference(c, a, b, x, with_bias ? &bias : nullptr);
    for (tml_kron_order order : {TML_KRON_XBT_FIRST, TML_KRON_AX_FIRST}) {
      tml_kron_params p{c.m1, c.n1, c.m2, c.n2, c.rank, order, 0};
      const int32_t bytes = tml_kron_matvec_f32_get_buffer_size(&p);
      ASSERT_EQ(bytes, 4 * (order == TML_KRON_AX_FIRST ? c.m1 * c.n2 : c.n1 * c.m2));
      std::vector<float> scratch(static_cast<size_t>(bytes / 4));
      tml_context ctx{scratch.data(), bytes};
      const tml_dims xd = Dims({c.batch, n}), yd = Dims({c.batch, m}), bd = Dims({m});
      const tml_dims ad = Dims({c.rank, c.m1, c.n1}), bfd = Dims({c.rank, c.m2, c.n2});
      std::vector<float> y(static_cast<size_t>(c.batch) * m, 123.0f);
      ASSERT_EQ(tml_kron_matvec_f32(&ctx, &p, &xd, x.data(), &ad, a.data(), &bfd, b.data(), &bd,
                                    with_bias ? bias.data() : nullptr, &yd, y.data()),
                TML_OK);
      for (size_t i = 0; i < y.size(); ++i) {
        EXPECT_NEAR(y[i], want[i], 1e-5 * (1.0 + std::fabs(want[i])) * n) << "order " << order << " i " << i;
      }
      // accumulate = 1 adds onto what is there.
      p.accumulate = 1;
      std::vector<float> y2(y.size(), 1.0f);
      ASSERT_EQ(tml_kron_matvec_f32(&ctx, &p, &xd, x.data(), &ad, a.data(), &bfd, b.data(), &bd,
                                    with_bias ? bias.data() : nullptr, &yd, y2.data()),
                TML_OK);
      for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y2[i], y[i] + 1.0f, 1e-5 * (1.0 + std::fabs(y[i])));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, KronMatvecTest,
                         ::testing::Values(KronCase{2, 2, 2, 2, 1, 1}, KronCase{16, 2, 16, 4, 1, 1},
                                           KronCase{16, 8, 16, 8, 1, 2}, KronCase{3, 5, 7, 2, 2, 3},
                                           KronCase{1, 4, 6, 1, 3, 1}, KronCase{5, 1, 1, 7, 2, 2},
                                           KronCase{4, 3, 2, 6, 3, 1}));

TEST(KronMatvec, RejectsSmallScratchAndBadDims) {
  tml_kron_params p{2, 2, 2, 2, 1, TML_KRON_XBT_FIRST, 0};
  std::vector<float> a(4, 1.f), b(4, 1.f), x(4, 1.f), y(4);
  const tml_dims xd = Dims({4}), yd = Dims({4}), ad = Dims({2, 2});
  float scratch[4];
  tml_context small{scratch, 8};
  EXPECT_EQ(tml_kron_matvec_f32(&small, &p, &xd, x.data(), &ad, a.data(), &ad, b.data(), nullptr,
                                nullptr, &yd, y.data()),
            TML_ERROR_BUFFER);
  EXPECT_EQ(tml_kron_matvec_f32(nullptr, &p, &xd, x.data(), &ad, a.data(), &ad, b.data(), nullptr,
                                nullptr, &yd, y.data()),
            TML_ERROR_BUFFER);
  tml_context ok{scratch, 16};
  const tml_dims wrong = Dims({5});
  EXPECT_EQ(tml_kron_matvec_f32(&ok, &p, &wrong, x.data(), &ad, a.data(), &ad, b.data(), nullptr,
                                nullptr, &yd, y.data()),
            TML_ERROR_ARG);
  p.rank = 0;
  EXPECT_EQ(tml_kron_matvec_f32(&ok, &p, &xd, x.data(), &ad, a.data(), &ad, b.data(), nullptr,
                                nullptr, &yd, y.data()),
            TML_ERROR_ARG);
}

}  // namespace
}  // namespace tml::test
