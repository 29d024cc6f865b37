// The Kronecker math of DESIGN.md §5: the flattening order of the rearrangement
// (exact round trips, non-square shapes included), exact recovery of A⊗B and of
// rank-r sums by the full and the randomized SVD, and the error = singular-value
// tail identity.
#include "passes/kron_math.h"

#include <gtest/gtest.h>

#include <random>

namespace tml::kron {
namespace {

RowMatrixXd RandomMatrix(int64_t rows, int64_t cols, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> dist(0.0, 1.0);
  RowMatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = dist(rng);
  return m;
}

std::vector<float> ToFloat(const RowMatrixXd& m) {
  std::vector<float> out(static_cast<size_t>(m.size()));
  for (Eigen::Index i = 0; i < m.size(); ++i) out[static_cast<size_t>(i)] = static_cast<float>(m.data()[i]);
  return out;
}

RowMatrixXd ToDouble(const std::vector<float>& v, int64_t rows, int64_t cols) {
  RowMatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = v[static_cast<size_t>(i)];
  return m;
}

const KronShape kShapes[] = {
    {2, 2, 2, 2}, {2, 3, 4, 5}, {5, 2, 3, 7}, {16, 2, 16, 4}, {16, 8, 16, 8},
    {3, 7, 2, 2}, {7, 3, 11, 2}, {4, 4, 8, 2}, {2, 9, 9, 2}, {12, 5, 3, 6},
};

TEST(KronMathTest, KronProductFollowsTheIndexConvention) {
  const RowMatrixXd a = RandomMatrix(3, 2, 1), b = RandomMatrix(4, 5, 2);
  const RowMatrixXd k = KronProduct(a, b);
  ASSERT_EQ(k.rows(), 12);
  ASSERT_EQ(k.cols(), 10);
  for (int i1 = 0; i1 < 3; ++i1)
    for (int j1 = 0; j1 < 2; ++j1)
      for (int i2 = 0; i2 < 4; ++i2)
        for (int j2 = 0; j2 < 5; ++j2) EXPECT_EQ(k(i1 * 4 + i2, j1 * 5 + j2), a(i1, j1) * b(i2, j2));
  // And it matches WeightOperator::Materialize (the IR's definition).
  KronTerm t{3, 2, 4, 5, ToFloat(a), ToFloat(b)};
  WeightOperator op;
  op.rows = 12;
  op.cols = 10;
  op.terms = {t};
  const std::vector<float> m = op.Materialize();
  const RowMatrixXd kf = KronProduct(ToDouble(t.a, 3, 2), ToDouble(t.b, 4, 5));
  for (int i = 0; i < 120; ++i) EXPECT_FLOAT_EQ(m[static_cast<size_t>(i)], static_cast<float>(kf.data()[i]));
}

TEST(KronMathTest, RearrangeRoundTripIsExactForEveryShape) {
  for (const KronShape& s : kShapes) {
    const RowMatrixXd w = RandomMatrix(s.rows(), s.cols(), 7);
    const RowMatrixXd r = Rearrange(w.data(), s);
    ASSERT_EQ(r.rows(), s.m1 * s.n1);
    ASSERT_EQ(r.cols(), s.m2 * s.n2);
    EXPECT_TRUE(InverseRearrange(r, s) == w) << s.m1 << "x" << s.n1 << " (x) " << s.m2 << "x" << s.n2;
    // Row i1·n1+j1 is block (i1, j1) flattened row-major.
    EXPECT_EQ(r(1 * s.n1 + 1, 1 * s.n2 + 0), w(1 * s.m2 + 1, 1 * s.n2 + 0));
  }
}

TEST(KronMathTest, RearrangedKronIsTheOuterProductOfRowMajorVecs) {
  for (const KronShape& s : kShapes) {
    const RowMatrixXd a = RandomMatrix(s.m1, s.n1, 3), b = RandomMatrix(s.m2, s.n2, 4);
    const RowMatrixXd r = Rearrange(KronProduct(a, b).data(), s);
    const Eigen::Map<const Eigen::VectorXd> va(a.data(), a.size()), vb(b.data(), b.size());
    const RowMatrixXd outer = va * vb.transpose();
    EXPECT_TRUE(r == outer) << s.m1 << "x" << s.n1 << " (x) " << s.m2 << "x" << s.n2;
  }
}

TEST(KronMathTest, NearestKronProductRecoversExactProducts) {
  for (const KronShape& s : kShapes) {
    const RowMatrixXd a = RandomMatrix(s.m1, s.n1, 11), b = RandomMatrix(s.m2, s.n2, 12);
    const std::vector<float> w = ToFloat(KronProduct(a, b));
    const KronSpectrum sp = ComputeSpectrum(w.data(), s, 1);
    EXPECT_LT(sp.SigmaRatio(1), 1e-6);
    const std::vector<KronTerm> terms = TermsFromSpectrum(sp, 1);
    ASSERT_EQ(terms.size(), 1u);
    EXPECT_EQ(terms[0].a_rows, s.m1);
    EXPECT_EQ(terms[0].b_cols, s.n2);
    EXPECT_LT(KronRelativeError(w.data(), s.rows(), s.cols(), terms), 1e-6);
    // A is recovered up to scale: A_k / A ≈ const.
    const double scale = terms[0].a[0] / a(0, 0);
    for (int64_t i = 0; i < s.m1 * s.n1; ++i) {
      EXPECT_NEAR(terms[0].a[static_cast<size_t>(i)], scale * a.data()[i], 1e-4 * std::fabs(scale) + 1e-5);
    }
  }
}

TEST(KronMathTest, RandomizedSvdRecoversLargeExactStructure) {
  // 1024×1024 with 32×32 factors: the rearranged matrix is 1024×1024, past the
  // full-SVD budget, so this exercises the randomized path.
  const KronShape s{32, 32, 32, 32};
  RowMatrixXd w = KronProduct(RandomMatrix(32, 32, 5), RandomMatrix(32, 32, 6));
  w += KronProduct(RandomMatrix(32, 32, 8), RandomMatrix(32, 32, 9));
  const std::vector<float> wf = ToFloat(w);
  const KronSpectrum sp = ComputeSpectrum(wf.data(), s, 3);
  EXPECT_TRUE(sp.truncated);
  EXPECT_GT(sp.RelativeError(1), 0.1);
  EXPECT_LT(sp.SigmaRatio(2), 1e-6);
  EXPECT_LT(sp.RelativeError(2), 1e-3);
  EXPECT_LT(KronRelativeError(wf.data(), 1024, 1024, TermsFromSpectrum(sp, 2)), 1e-5);
}

TEST(KronMathTest, RankRSumsAreRecoveredExactly) {
  const KronShape s{6, 4, 5, 3};
  for (int rank = 1; rank <= 4; ++rank) {
    RowMatrixXd w = RowMatrixXd::Zero(s.rows(), s.cols());
    for (int k = 0; k < rank; ++k) w += KronProduct(RandomMatrix(6, 4, 20 + k), RandomMatrix(5, 3, 40 + k));
    const std::vector<float> wf = ToFloat(w);
    const KronSpectrum sp = ComputeSpectrum(wf.data(), s, 5);
    EXPECT_LT(sp.SigmaRatio(rank), 1e-6) << rank;
    if (rank > 1) {
      EXPECT_GT(sp.SigmaRatio(rank - 1), 1e-3) << rank;
    }
    EXPECT_LT(KronRelativeError(wf.data(), s.rows(), s.cols(), TermsFromSpectrum(sp, rank)), 1e-6);
    if (rank > 1) {
      EXPECT_GT(KronRelativeError(wf.data(), s.rows(), s.cols(), TermsFromSpectrum(sp, rank - 1)), 1e-3);
    }
  }
}

TEST(KronMathTest, ErrorEqualsTheSingularValueTail) {
  for (const KronShape& s : {KronShape{4, 6, 8, 3}, KronShape{40, 40, 30, 30}}) {
    const std::vector<float> w = ToFloat(RandomMatrix(s.rows(), s.cols(), 99));
    const KronSpectrum sp = ComputeSpectrum(w.data(), s, 4);
    for (int r = 1; r <= 4; ++r) {
      const double direct = KronRelativeError(w.data(), s.rows(), s.cols(), TermsFromSpectrum(sp, r));
      EXPECT_NEAR(sp.RelativeError(r), direct, 1e-5) << "r=" << r << (sp.truncated ? " (randomized)" : " (full)");
      if (!sp.truncated) {
        double tail = 0, total = 0;
        for (size_t k = 0; k < sp.sigma.size(); ++k) {
          total += sp.sigma[k] * sp.sigma[k];
          if (k >= static_cast<size_t>(r)) tail += sp.sigma[k] * sp.sigma[k];
        }
        EXPECT_NEAR(std::sqrt(tail / total), direct, 1e-6);
      }
    }
  }
}

TEST(KronMathTest, ShapeCandidatesAreEveryDivisorSplitWithFactorsAtLeastTwo) {
  EXPECT_EQ(ShapeCandidates(256, 64).size(), 7u * 5u);
  EXPECT_TRUE(ShapeCandidates(7, 64).empty());
  EXPECT_TRUE(ShapeCandidates(64, 2).empty());
  for (const KronShape& s : ShapeCandidates(2600, 650)) {
    EXPECT_EQ(s.rows(), 2600);
    EXPECT_EQ(s.cols(), 650);
    EXPECT_GE(std::min({s.m1, s.n1, s.m2, s.n2}), 2);
  }
  EXPECT_EQ(ShapeCandidates(2600, 650).size(), 22u * 10u);
}

TEST(KronMathTest, MacCountsOfBothOrders) {
  const KronShape s{16, 2, 16, 4};
  EXPECT_EQ(KronMacsPerTerm(s, KronOrder::kXBtFirst), 16 * 2 * (4 + 16));
  EXPECT_EQ(KronMacsPerTerm(s, KronOrder::kAXFirst), 16 * 4 * (2 + 16));
  EXPECT_EQ(BestOrder(s), KronOrder::kXBtFirst);
  EXPECT_EQ(KronMacs(s, 2), 2 * 640);
  EXPECT_EQ(KronParams(s, 1), 96);
}

}  // namespace
}  // namespace tml::kron
