// StackKronRowBlocks: per-gate Kronecker blocks (with doping) as one stacked Kronecker
// sum that stands for the same matrix, and the shapes it must refuse.
#include "passes/kron_row_blocks.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace tml {
namespace {

KronTerm Term(std::mt19937& rng, int64_t m1, int64_t n1, int64_t m2, int64_t n2) {
  std::normal_distribution<float> n(0.0f, 1.0f);
  KronTerm t;
  t.a_rows = m1;
  t.a_cols = n1;
  t.b_rows = m2;
  t.b_cols = n2;
  t.a.resize(m1 * n1);
  t.b.resize(m2 * n2);
  for (float& v : t.a) v = n(rng);
  for (float& v : t.b) v = n(rng);
  return t;
}

// Four gate blocks [6, 8] = A [2, 4] ⊗ B [3, 2], ranks 1..4, doping in blocks 1 and 3.
WeightOperator PerGate(std::mt19937& rng) {
  WeightOperator op;
  op.rows = 24;
  op.cols = 8;
  for (int g = 0; g < 4; ++g) {
    WeightOperator b;
    b.rows = 6;
    b.cols = 8;
    for (int k = 0; k <= g; ++k) b.terms.push_back(Term(rng, 2, 4, 3, 2));
    if (g % 2 == 1) {
      SparseOverlay s;
      s.row_ptr = {0, 1, 1, 1, 3, 3, 3};
      s.col_idx = {g, 0, 7};
      s.values = {0.5f, -2.0f, 1.25f};
      b.sparse = s;
    }
    op.row_blocks.push_back(std::move(b));
  }
  return op;
}

TEST(KronRowBlocksTest, StackedSumIsTheSameMatrix) {
  std::mt19937 rng(4);
  const WeightOperator op = PerGate(rng);
  WeightOperator stacked;
  ASSERT_TRUE(StackKronRowBlocks(op, &stacked));
  EXPECT_TRUE(stacked.row_blocks.empty());
  EXPECT_EQ(stacked.terms.size(), 1u + 2u + 3u + 4u);
  EXPECT_EQ(stacked.terms[0].a_rows, 8);  // 4 gates x m1 = 2
  ASSERT_TRUE(stacked.sparse.has_value());
  EXPECT_EQ(stacked.sparse->nnz(), 6);
  const std::vector<float> want = op.Materialize(), got = stacked.Materialize();
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) EXPECT_NEAR(got[k], want[k], 1e-5f) << k;
}

TEST(KronRowBlocksTest, RefusesMixedShapesAndPlainOperators) {
  std::mt19937 rng(5);
  WeightOperator op = PerGate(rng);
  op.row_blocks[2].terms = {Term(rng, 3, 2, 2, 4)};  // also [6, 8], other factor shape
  WeightOperator out;
  EXPECT_FALSE(StackKronRowBlocks(op, &out));
  WeightOperator plain;
  plain.rows = 6;
  plain.cols = 8;
  plain.terms.push_back(Term(rng, 2, 4, 3, 2));
  EXPECT_FALSE(StackKronRowBlocks(plain, &out));
}

}  // namespace
}  // namespace tml
