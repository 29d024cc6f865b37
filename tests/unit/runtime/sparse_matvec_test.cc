// tml_sparse_matvec_f32 against a dense double matvec of the same CSR matrix, for every
// index width, batches, empty rows, accumulation onto a Kronecker product (the doping
// combination y = (A⊗B)x + Sx), and the data-dependent index checks.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "runtime_test_util.h"
#include "tml_kernels.h"

namespace tml::test {
namespace {

struct Csr {
  int32_t rows = 0, cols = 0;
  std::vector<int32_t> row_ptr, col_idx;
  std::vector<float> values;
};

// Every entry is non-zero with probability `density`; row 1 is always empty.
Csr RandomCsr(int32_t rows, int32_t cols, double density, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f), v(-1.0f, 1.0f);
  Csr s;
  s.rows = rows;
  s.cols = cols;
  s.row_ptr.push_back(0);
  for (int32_t i = 0; i < rows; ++i) {
    for (int32_t j = 0; j < cols; ++j) {
      if (i != 1 && u(rng) < density) {
        s.col_idx.push_back(j);
        s.values.push_back(v(rng));
      }
    }
    s.row_ptr.push_back(static_cast<int32_t>(s.values.size()));
  }
  return s;
}

template <typename T>
std::vector<T> Narrow(const std::vector<int32_t>& v) {
  return std::vector<T>(v.begin(), v.end());
}

// y += S·x in double, per batch row.
std::vector<double> Reference(const Csr& s, const std::vector<float>& x, int32_t batch,
                              const std::vector<float>& y0) {
  std::vector<double> y(y0.begin(), y0.end());
  for (int32_t n = 0; n < batch; ++n)
    for (int32_t i = 0; i < s.rows; ++i)
      for (int32_t k = s.row_ptr[i]; k < s.row_ptr[i + 1]; ++k)
        y[static_cast<size_t>(n * s.rows + i)] +=
            static_cast<double>(s.values[k]) * x[static_cast<size_t>(n * s.cols + s.col_idx[k])];
  return y;
}

struct IndexCase {
  tml_sparse_index_type row_ptr_type, col_type;
};

class SparseMatvecTest : public ::testing::TestWithParam<IndexCase> {};

TEST_P(SparseMatvecTest, MatchesDenseAndAccumulates) {
  const IndexCase c = GetParam();
  const int32_t rows = 24, cols = 40, batch = 3;
  const Csr s = RandomCsr(rows, cols, 0.15, 7);
  const std::vector<float> x = Random(int64_t{batch} * cols, 1);
  std::vector<float> y = Random(int64_t{batch} * rows, 2);  // accumulated onto
  const std::vector<double> expected = Reference(s, x, batch, y);

  std::vector<uint8_t> rp8 = Narrow<uint8_t>(s.row_ptr), ci8 = Narrow<uint8_t>(s.col_idx);
  std::vector<uint16_t> rp16 = Narrow<uint16_t>(s.row_ptr), ci16 = Narrow<uint16_t>(s.col_idx);
  auto pick = [&](tml_sparse_index_type t, const std::vector<int32_t>& wide,
                  const std::vector<uint8_t>& n8, const std::vector<uint16_t>& n16) -> const void* {
    if (t == TML_SPARSE_INDEX_U8) return n8.data();
    if (t == TML_SPARSE_INDEX_U16) return n16.data();
    return wide.data();
  };
  const tml_sparse_params params{rows, cols, c.row_ptr_type, c.col_type};
  const tml_dims xd = Dims({batch, cols}), yd = Dims({batch, rows});
  ASSERT_EQ(tml_sparse_matvec_f32(nullptr, &params, pick(c.row_ptr_type, s.row_ptr, rp8, rp16),
                                  pick(c.col_type, s.col_idx, ci8, ci16), s.values.data(), &xd,
                                  x.data(), &yd, y.data()),
            TML_OK);
  ASSERT_FALSE(s.values.empty());
  for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], expected[i], 1e-5) << "at " << i;
}

INSTANTIATE_TEST_SUITE_P(
    IndexTypes, SparseMatvecTest,
    ::testing::Values(IndexCase{TML_SPARSE_INDEX_U16, TML_SPARSE_INDEX_U8},
                      IndexCase{TML_SPARSE_INDEX_U8, TML_SPARSE_INDEX_U16},
                      IndexCase{TML_SPARSE_INDEX_S32, TML_SPARSE_INDEX_S32},
                      IndexCase{TML_SPARSE_INDEX_U16, TML_SPARSE_INDEX_S32}));

// The doping combination: Kronecker kernel first, then the overlay accumulates.
TEST(SparseMatvecTest, CombinesWithKroneckerKernel) {
  const int32_t m1 = 4, n1 = 3, m2 = 5, n2 = 4, m = m1 * m2, n = n1 * n2;
  const std::vector<float> a = Random(m1 * n1, 3), b = Random(m2 * n2, 4), x = Random(n, 5);
  const Csr s = RandomCsr(m, n, 0.1, 9);
  std::vector<double> w(static_cast<size_t>(m) * n, 0.0);
  for (int32_t i1 = 0; i1 < m1; ++i1)
    for (int32_t j1 = 0; j1 < n1; ++j1)
      for (int32_t i2 = 0; i2 < m2; ++i2)
        for (int32_t j2 = 0; j2 < n2; ++j2)
          w[static_cast<size_t>((i1 * m2 + i2) * n + j1 * n2 + j2)] =
              static_cast<double>(a[i1 * n1 + j1]) * b[i2 * n2 + j2];
  for (int32_t i = 0; i < m; ++i)
    for (int32_t k = s.row_ptr[i]; k < s.row_ptr[i + 1]; ++k)
      w[static_cast<size_t>(i * n + s.col_idx[k])] += s.values[k];

  tml_kron_params kp{m1, n1, m2, n2, 1, TML_KRON_XBT_FIRST, 0};
  std::vector<float> scratch(static_cast<size_t>(tml_kron_matvec_f32_get_buffer_size(&kp)) / 4);
  const tml_context ctx{scratch.data(), static_cast<int32_t>(scratch.size() * 4)};
  const tml_dims xd = Dims({n}), yd = Dims({m}), ad = Dims({m1, n1}), bd = Dims({m2, n2});
  std::vector<float> y(static_cast<size_t>(m), 0.0f);
  ASSERT_EQ(tml_kron_matvec_f32(&ctx, &kp, &xd, x.data(), &ad, a.data(), &bd, b.data(), nullptr,
                                nullptr, &yd, y.data()),
            TML_OK);
  const std::vector<uint8_t> ci = Narrow<uint8_t>(s.col_idx);
  const std::vector<uint16_t> rp = Narrow<uint16_t>(s.row_ptr);
  const tml_sparse_params sp{m, n, TML_SPARSE_INDEX_U16, TML_SPARSE_INDEX_U8};
  ASSERT_EQ(tml_sparse_matvec_f32(nullptr, &sp, rp.data(), ci.data(), s.values.data(), &xd,
                                  x.data(), &yd, y.data()),
            TML_OK);
  for (int32_t i = 0; i < m; ++i) {
    double ref = 0.0;
    for (int32_t j = 0; j < n; ++j) ref += w[static_cast<size_t>(i * n + j)] * x[j];
    EXPECT_NEAR(y[i], ref, 1e-5) << "row " << i;
  }
}

TEST(SparseMatvecTest, RejectsBadIndices) {
  const std::vector<int32_t> row_ptr = {0, 1, 2}, bad_col = {0, 5}, bad_ptr = {0, 2, 1};
  const std::vector<int32_t> col = {0, 1};
  const std::vector<float> values = {1.0f, 2.0f}, x = {1.0f, 1.0f, 1.0f};
  std::vector<float> y(2, 0.0f);
  const tml_sparse_params p{2, 3, TML_SPARSE_INDEX_S32, TML_SPARSE_INDEX_S32};
  const tml_dims xd = Dims({3}), yd = Dims({2}), yd_bad = Dims({3});
  EXPECT_EQ(tml_sparse_matvec_f32(nullptr, &p, row_ptr.data(), bad_col.data(), values.data(), &xd,
                                  x.data(), &yd, y.data()),
            TML_ERROR_INDEX);
  EXPECT_EQ(tml_sparse_matvec_f32(nullptr, &p, bad_ptr.data(), col.data(), values.data(), &xd,
                                  x.data(), &yd, y.data()),
            TML_ERROR_INDEX);
  EXPECT_EQ(tml_sparse_matvec_f32(nullptr, &p, row_ptr.data(), col.data(), values.data(), &xd,
                                  x.data(), &yd_bad, y.data()),
            TML_ERROR_ARG);
}

// The row sums take the non-zeros two at a time, per index type: a column index out of range
// is caught at an even or odd position and in the odd one left over, for every index type;
// the rows before it are written, the offending row and those after it are not.
TEST(SparseMatvecTest, RejectsBadIndexAtAnyPositionWritingNoRowFromIt) {
  const int32_t cols = 6;
  const std::vector<int32_t> row_ptr = {0, 2, 7};  // row 0: 2 non-zeros, row 1: 5
  const std::vector<float> values(7, 1.0f), x(cols, 1.0f);
  const tml_dims xd = Dims({cols}), yd = Dims({2});
  for (tml_sparse_index_type t :
       {TML_SPARSE_INDEX_U8, TML_SPARSE_INDEX_U16, TML_SPARSE_INDEX_S32}) {
    for (int bad_at = 2; bad_at < 7; ++bad_at) {
      for (int32_t bad_value : {cols, 255, -1}) {
        if (bad_value < 0 && t != TML_SPARSE_INDEX_S32) continue;
        std::vector<int32_t> col = {0, 1, 0, 1, 2, 3, 4};
        col[static_cast<size_t>(bad_at)] = bad_value;
        const std::vector<uint8_t> c8 = Narrow<uint8_t>(col);
        const std::vector<uint16_t> c16 = Narrow<uint16_t>(col);
        const void* ci = t == TML_SPARSE_INDEX_U8    ? static_cast<const void*>(c8.data())
                         : t == TML_SPARSE_INDEX_U16 ? static_cast<const void*>(c16.data())
                                                     : static_cast<const void*>(col.data());
        const tml_sparse_params p{2, cols, TML_SPARSE_INDEX_S32, t};
        std::vector<float> y = {10.0f, 20.0f};
        EXPECT_EQ(tml_sparse_matvec_f32(nullptr, &p, row_ptr.data(), ci, values.data(), &xd,
                                        x.data(), &yd, y.data()),
                  TML_ERROR_INDEX)
            << "type " << t << " at " << bad_at << " value " << bad_value;
        EXPECT_EQ(y[0], 12.0f);
        EXPECT_EQ(y[1], 20.0f);
      }
    }
  }
}

// Rows with 0, 1, 2, 3 and many non-zeros (the two-at-a-time sums and the one left over).
TEST(SparseMatvecTest, RowsOfEveryLength) {
  const int32_t cols = 300, rows = 6;
  const std::vector<int32_t> lengths = {0, 1, 2, 3, 17, 300};
  Csr s;
  s.rows = rows;
  s.cols = cols;
  s.row_ptr.push_back(0);
  const std::vector<float> v = Random(600, 4);
  for (int32_t i = 0; i < rows; ++i) {
    for (int32_t k = 0; k < lengths[static_cast<size_t>(i)]; ++k) {
      s.col_idx.push_back((k * 7 + i) % cols);
      s.values.push_back(v[s.values.size()]);
    }
    s.row_ptr.push_back(static_cast<int32_t>(s.values.size()));
  }
  const std::vector<float> x = Random(cols, 5);
  std::vector<float> y(rows, 0.5f);
  const std::vector<double> expected = Reference(s, x, 1, y);
  const std::vector<uint16_t> c16 = Narrow<uint16_t>(s.col_idx);
  const tml_sparse_params p{rows, cols, TML_SPARSE_INDEX_S32, TML_SPARSE_INDEX_U16};
  const tml_dims xd = Dims({1, cols}), yd = Dims({1, rows});
  ASSERT_EQ(tml_sparse_matvec_f32(nullptr, &p, s.row_ptr.data(), c16.data(), s.values.data(), &xd,
                                  x.data(), &yd, y.data()),
            TML_OK);
  for (int32_t i = 0; i < rows; ++i) EXPECT_NEAR(y[static_cast<size_t>(i)], expected[static_cast<size_t>(i)], 1e-5) << i;
}

}  // namespace
}  // namespace tml::test
