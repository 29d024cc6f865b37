// SliceRows: a row range of a weight operator keeps its structured form where the
// form allows it, and stands for exactly those rows of Materialize().
#include "compiler/ir/weight_operator.h"

#include <gtest/gtest.h>

#include <random>

namespace tml {
namespace {

KronTerm RandomTerm(std::mt19937& rng, int64_t m1, int64_t n1, int64_t m2, int64_t n2) {
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  KronTerm t{m1, n1, m2, n2, {}, {}};
  for (int64_t k = 0; k < m1 * n1; ++k) t.a.push_back(u(rng));
  for (int64_t k = 0; k < m2 * n2; ++k) t.b.push_back(u(rng));
  return t;
}

// The rows [begin, end) of the dense matrix.
std::vector<float> Rows(const std::vector<float>& w, int64_t cols, int64_t begin, int64_t end) {
  return {w.begin() + begin * cols, w.begin() + end * cols};
}

TEST(WeightOperatorTest, SliceRowsOfKroneckerTermsAndDoping) {
  std::mt19937 rng(4);
  WeightOperator op;
  op.rows = 6 * 4;  // m1 = 6, m2 = 4
  op.cols = 3 * 5;
  op.terms = {RandomTerm(rng, 6, 3, 4, 5), RandomTerm(rng, 6, 3, 4, 5)};
  SparseOverlay s;
  s.row_ptr.push_back(0);
  for (int64_t r = 0; r < op.rows; ++r) {
    if (r % 5 == 1) {
      s.col_idx.push_back(static_cast<int32_t>(r % op.cols));
      s.values.push_back(0.5f + static_cast<float>(r));
    }
    s.row_ptr.push_back(static_cast<int32_t>(s.values.size()));
  }
  op.sparse = s;
  const std::vector<float> full = op.Materialize();
  // The GRU cut: the first two thirds and the last third of the rows (multiples of m2).
  for (auto [begin, end] : {std::pair<int64_t, int64_t>{0, 16}, {16, 24}, {4, 12}}) {
    const std::optional<WeightOperator> part = SliceRows(op, begin, end);
    ASSERT_TRUE(part.has_value()) << begin << ".." << end;
    EXPECT_EQ(part->rows, end - begin);
    ASSERT_EQ(part->terms.size(), 2u);
    EXPECT_EQ(part->terms[0].a_rows, (end - begin) / 4);
    ASSERT_TRUE(part->sparse.has_value());
    EXPECT_EQ(part->Materialize(), Rows(full, op.cols, begin, end)) << begin << ".." << end;
  }
  // A cut through B's rows has no structured form; neither has a dense operator.
  EXPECT_FALSE(SliceRows(op, 0, 10).has_value());
  WeightOperator dense;
  dense.rows = 4;
  dense.cols = 4;
  EXPECT_FALSE(SliceRows(dense, 0, 2).has_value());
  EXPECT_FALSE(SliceRows(op, 8, 4).has_value());
}

TEST(WeightOperatorTest, SliceRowsOfGateBlocks) {
  std::mt19937 rng(5);
  WeightOperator op;
  op.rows = 3 * 8;
  op.cols = 6;
  for (int g = 0; g < 3; ++g) {
    WeightOperator block;
    block.rows = 8;
    block.cols = 6;
    block.terms = {RandomTerm(rng, 2, 3, 4, 2)};
    op.row_blocks.push_back(block);
  }
  const std::vector<float> full = op.Materialize();
  const std::optional<WeightOperator> zr = SliceRows(op, 0, 16);
  ASSERT_TRUE(zr.has_value());
  EXPECT_EQ(zr->row_blocks.size(), 2u);
  EXPECT_EQ(zr->Materialize(), Rows(full, op.cols, 0, 16));
  const std::optional<WeightOperator> h = SliceRows(op, 16, 24);
  ASSERT_TRUE(h.has_value());
  EXPECT_TRUE(h->row_blocks.empty());  // one block: the block itself
  EXPECT_EQ(h->Materialize(), Rows(full, op.cols, 16, 24));
  EXPECT_FALSE(SliceRows(op, 0, 12).has_value());  // through a block
}

}  // namespace
}  // namespace tml
