// int8 Kronecker/sparse operators and the int8 LSTM step (host, pure-C path):
//  - tml_kron_matvec_s8 and tml_sparse_matvec_s8 against C++ integer references written
//    from the contract (T rounded and saturated to int16, then A·T);
//  - tml_lstm_step_s8_s16 against a float LSTM on the dequantized weights, within the
//    error the int8/int16 formats allow;
//  - tml_tanh_s16 / tml_sigmoid_s16 against std::tanh;
//  - tml_lstm_step_s8_s16 on dense compact operators (the fused path) and on the same
//    operators with per-row multipliers (the general path) bit for bit against a plain
//    integer reference of the contract, at odd and even input and hidden sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "runtime_test_util.h"
#include "s8_test_util.h"
#include "tml_kernels_s8.h"

namespace tml::test {
namespace {

// Odd and even factor shapes (padding of rows, columns and vector pairs), several ranks, and
// a t_shift small enough that T saturates.
TEST(KronMatvecS8Test, MatchesIntegerReference) {
  const tml_kron_s8_params cases[] = {
      {3, 5, 6, 7, 2, 4}, {4, 8, 8, 16, 1, 6}, {5, 3, 7, 2, 3, 0}, {1, 1, 1, 1, 1, 0},
      {16, 8, 32, 16, 2, 9}, {2, 4, 3, 16, 1, 0}, {16, 8, 32, 16, 1, 0},
      // T first with odd shapes.
      {9, 3, 5, 7, 2, 3}, {13, 2, 3, 9, 1, 1}, {15, 3, 7, 10, 2, 4},
      // A·X first (tml_kron_s8_a_first): even, odd, saturating.
      {4, 64, 128, 2, 2, 8}, {3, 9, 7, 2, 1, 2}, {5, 16, 9, 3, 3, 0},
      // The narrow second stage (1 or 2 column pairs of all terms), both orders.
      {4, 32, 64, 2, 1, 4}, {16, 2, 32, 16, 1, 6}, {8, 2, 16, 8, 2, 3}};  // m1, n1, m2, n2, rank, t_shift
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> d8(-127, 127);
  for (const tml_kron_s8_params& p : cases) {
    std::vector<int8_t> a(p.rank * p.m1 * p.n1), b(p.rank * p.m2 * p.n2);
    for (auto& v : a) v = int8_t(d8(rng));
    for (auto& v : b) v = int8_t(d8(rng));
    std::vector<int8_t> x(p.n1 * p.n2);
    for (auto& v : x) v = int8_t(std::uniform_int_distribution<int>(-128, 127)(rng));
    const int rows = p.m1 * p.m2;
    // acc starts as garbage: the kernel writes every row (bias + sum), it does not accumulate.
    std::vector<int32_t> acc(rows, 0x5a5a5a5a), bias(rows), want(rows);
    // Every other case without a bias (NULL: the sums start at 0).
    const bool with_bias = (&p - cases) % 2 == 0;
    for (int r = 0; r < rows; ++r) want[r] = bias[r] = with_bias ? int32_t(rng() % 20001) - 10000 : 0;
    auto shifted = [&](int64_t v) {
      return std::clamp<int64_t>((v + ((1 << p.t_shift) >> 1)) >> p.t_shift, -32768, 32767);
    };
    const bool a_first = tml_kron_s8_a_first(&p) != 0;
    for (int k = 0; k < p.rank; ++k) {
      for (int i1 = 0; i1 < p.m1; ++i1)
        for (int i2 = 0; i2 < p.m2; ++i2) {
          int64_t y = 0;
          if (!a_first) {  // T[j1, i2] = round(Σ_j2 X·B / 2^t), y = Σ_j1 A·T
            for (int j1 = 0; j1 < p.n1; ++j1) {
              int64_t t = 0;
              for (int j2 = 0; j2 < p.n2; ++j2)
                t += int64_t(x[j1 * p.n2 + j2]) * b[(k * p.m2 + i2) * p.n2 + j2];
              y += int64_t(a[(k * p.m1 + i1) * p.n1 + j1]) * shifted(t);
            }
          } else {  // Z[i1, j2] = round(Σ_j1 A·X / 2^t), y = Σ_j2 B·Z
            for (int j2 = 0; j2 < p.n2; ++j2) {
              int64_t z = 0;
              for (int j1 = 0; j1 < p.n1; ++j1)
                z += int64_t(a[(k * p.m1 + i1) * p.n1 + j1]) * x[j1 * p.n2 + j2];
              y += int64_t(b[(k * p.m2 + i2) * p.n2 + j2]) * shifted(z);
            }
          }
          want[i1 * p.m2 + i2] += int32_t(y);
        }
    }
    std::vector<int8_t> pa(p.rank * tml_pack_kron_factor_s8_size(p.m1, p.n1));
    std::vector<int8_t> pb(p.rank * tml_pack_kron_factor_s8_size(p.m2, p.n2));
    ASSERT_EQ(tml_pack_kron_s8(&p, a.data(), b.data(), pa.data(), pb.data()), TML_OK);
    std::vector<int8_t> scratch(tml_kron_matvec_s8_get_buffer_size(&p));
    tml_context ctx{scratch.data(), int32_t(scratch.size())};
    ASSERT_EQ(tml_kron_matvec_s8(&ctx, &p, pa.data(), pb.data(), x.data(),
                                 with_bias ? bias.data() : nullptr, acc.data()),
              TML_OK);
    EXPECT_EQ(acc, want) << p.m1 << "x" << p.n1 << " (x) " << p.m2 << "x" << p.n2
                         << (a_first ? " A first" : " T first");
  }
}

TEST(KronMatvecS8Test, PackRejectsMinus128AndBadSizes) {
  const int8_t f[4] = {1, -128, 3, 4};
  int8_t out[4];
  EXPECT_EQ(tml_pack_kron_factor_s8(2, 2, f, out), TML_ERROR_ARG);
  EXPECT_EQ(tml_pack_kron_factor_s8(0, 2, f, out), TML_ERROR_ARG);
  EXPECT_EQ(tml_pack_kron_factor_s8_size(3, 5), 24);
}

TEST(SparseMatvecS8Test, MatchesIntegerReference) {
  const std::vector<uint16_t> row_ptr = {0, 2, 2, 5}, col_idx = {0, 3, 1, 2, 3};
  const std::vector<int8_t> values = {75, -1, 7, -125, 5};
  const std::vector<uint8_t> row_ptr8(row_ptr.begin(), row_ptr.end()),
      col_idx8(col_idx.begin(), col_idx.end());
  const int8_t x[4] = {1, -2, 3, 127};
  // Every index width pair gives the same sums.
  for (int rp_bytes : {1, 2}) {
    for (int ci_bytes : {1, 2}) {
      const tml_sparse_s8 s{3,
                            4,
                            rp_bytes == 1 ? static_cast<const void*>(row_ptr8.data())
                                          : static_cast<const void*>(row_ptr.data()),
                            ci_bytes == 1 ? static_cast<const void*>(col_idx8.data())
                                          : static_cast<const void*>(col_idx.data()),
                            values.data(),
                            rp_bytes,
                            ci_bytes,
                            2,
                            nullptr,
                            0};
      std::vector<int32_t> acc = {1, 2, 3};
      ASSERT_EQ(tml_sparse_matvec_s8(nullptr, &s, x, acc.data()), TML_OK);
      // (75 - 127) << 2 and (-14 - 375 + 635) << 2.
      EXPECT_EQ(acc, (std::vector<int32_t>{1 - 208, 2, 3 + 984}))
          << rp_bytes << " " << ci_bytes;
    }
  }
  const tml_sparse_s8 bad{3, 4, row_ptr.data(), col_idx.data(), values.data(), 4, 1, 0, nullptr, 0};
  std::vector<int32_t> acc = {1, 2, 3};
  EXPECT_EQ(tml_sparse_matvec_s8(nullptr, &bad, x, acc.data()), TML_ERROR_ARG);
}

// The coordinate form (row steps, fillers for gaps over 255 rows) gives the CSR form's
// sums on a tall, very sparse matrix with empty rows, a long gap and repeated rows.
TEST(SparseMatvecS8Test, CoordinateFormMatchesCsr) {
  const int rows = 700, cols = 300;  // uint16_t columns
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> d8(-127, 127), dc(0, cols - 1), dr(0, 99);
  std::vector<uint16_t> row_ptr(rows + 1, 0), col_idx;
  std::vector<int8_t> values;
  for (int r = 0; r < rows; ++r) {
    row_ptr[r] = uint16_t(col_idx.size());
    const int n = (r > 100 && r < 500) ? 0 : (dr(rng) < 20 ? 1 + dr(rng) % 3 : 0);
    for (int k = 0; k < n; ++k) {
      col_idx.push_back(uint16_t(dc(rng)));
      values.push_back(int8_t(d8(rng)));
    }
  }
  row_ptr[rows] = uint16_t(col_idx.size());
  // The coordinate arrays: entries in row order, steps from the previous entry's row.
  std::vector<uint8_t> step;
  std::vector<uint16_t> coo_col;
  std::vector<int8_t> coo_val;
  int prev = 0;
  for (int r = 0; r < rows; ++r) {
    for (int k = row_ptr[r]; k < row_ptr[r + 1]; ++k) {
      int gap = r - prev;
      for (; gap > 255; gap -= 255) {  // fillers
        step.push_back(255);
        coo_col.push_back(0);
        coo_val.push_back(0);
      }
      step.push_back(uint8_t(gap));
      coo_col.push_back(col_idx[k]);
      coo_val.push_back(values[k]);
      prev = r;
    }
  }
  ASSERT_GT(step.size(), col_idx.size());  // the 400-row gap took a filler
  std::vector<int8_t> x(cols);
  for (auto& v : x) v = int8_t(std::uniform_int_distribution<int>(-128, 127)(rng));
  const tml_sparse_s8 csr{rows, cols, row_ptr.data(), col_idx.data(), values.data(), 2, 2, 3, nullptr, 0};
  const tml_sparse_s8 coo{rows, cols, nullptr, coo_col.data(), coo_val.data(), 0, 2, 3,
                          step.data(), int32_t(step.size())};
  std::vector<int32_t> want(rows), got(rows);
  for (int r = 0; r < rows; ++r) want[r] = got[r] = r * 7 - 1000;
  ASSERT_EQ(tml_sparse_matvec_s8(nullptr, &csr, x.data(), want.data()), TML_OK);
  ASSERT_EQ(tml_sparse_matvec_s8(nullptr, &coo, x.data(), got.data()), TML_OK);
  EXPECT_EQ(got, want);
  int touched = 0;
  for (int r = 0; r < rows; ++r) touched += want[r] != r * 7 - 1000;
  EXPECT_GT(touched, 50);
}

TEST(ActivationS16Test, TanhAndSigmoidFollowTheFloatFunctions) {
  std::vector<int16_t> in, t(0), s(0);
  for (int v = -32768; v <= 32767; v += 97) in.push_back(int16_t(v));
  t.resize(in.size());
  s.resize(in.size());
  const tml_dims d = Dims({int32_t(in.size())});
  ASSERT_EQ(tml_tanh_s16(&d, in.data(), t.data()), TML_OK);
  ASSERT_EQ(tml_sigmoid_s16(&d, in.data(), s.data()), TML_OK);
  for (size_t k = 0; k < in.size(); ++k) {
    const double x = in[k] / 4096.0;
    EXPECT_NEAR(t[k] / 32768.0, std::tanh(x), 6e-4) << x;
    EXPECT_NEAR(s[k] / 32768.0, 1.0 / (1.0 + std::exp(-x)), 1e-4) << x;
  }
}

double Sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

TEST(LstmStepS8S16Test, FollowsTheFloatCellOverASequence) {
  const int in = 12, hs = 10;
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(-0.6, 0.6), ux(-1.0, 1.0);
  std::vector<double> w(4 * hs * in), r(4 * hs * hs), b(4 * hs);
  for (auto& v : w) v = u(rng);
  for (auto& v : r) v = u(rng);
  for (auto& v : b) v = u(rng);
  const double sx = 2.0 / 255.0;
  const int zx = 0;
  DenseOp wop, rop;
  wop.Build(w, 4 * hs, in, sx, zx, b);
  rop.Build(r, 4 * hs, hs, 1.0 / 128.0, 0, {});
  const tml_lstm_s8_params params{in, hs};
  std::vector<int32_t> scratch(
      tml_lstm_step_s8_s16_get_buffer_size(&params, &wop.op, &rop.op) / 4 + 1);
  tml_context ctx{scratch.data(), int32_t(scratch.size() * 4)};
  std::vector<int8_t> h(hs, 0);
  std::vector<int16_t> c(hs, 0);
  std::vector<double> hf(hs, 0), cf(hs, 0);
  double max_h_err = 0, max_c_err = 0;
  for (int t = 0; t < 20; ++t) {
    std::vector<double> x(in);
    std::vector<int8_t> xq(in);
    for (int k = 0; k < in; ++k) {
      xq[k] = int8_t(std::clamp<long>(std::lround(ux(rng) / sx) + zx, -128, 127));
      x[k] = (xq[k] - zx) * sx;
    }
    ASSERT_EQ(tml_lstm_step_s8_s16(&ctx, &params, &wop.op, &rop.op, xq.data(), h.data(), c.data(),
                                   h.data(), c.data()),
              TML_OK);
    // Float reference on the dequantized weights (the int8 weight rounding is the
    // quantizer's error, not the kernel's) and on the float state.
    std::vector<double> g(4 * hs);
    for (int row = 0; row < 4 * hs; ++row) {
      double mx = 0;
      for (int k = 0; k < in; ++k) mx = std::max(mx, std::abs(w[row * in + k]));
      double s = b[row];
      for (int k = 0; k < in; ++k) s += wop.q[row * in + k] * (mx / 127.0) * x[k];
      double mr = 0;
      for (int k = 0; k < hs; ++k) mr = std::max(mr, std::abs(r[row * hs + k]));
      for (int k = 0; k < hs; ++k) s += rop.q[row * hs + k] * (mr / 127.0) * hf[k];
      g[row] = s;
    }
    for (int j = 0; j < hs; ++j) {
      const double i_g = Sigmoid(g[j]), o_g = Sigmoid(g[hs + j]), f_g = Sigmoid(g[2 * hs + j]);
      cf[j] = f_g * cf[j] + i_g * std::tanh(g[3 * hs + j]);
      hf[j] = o_g * std::tanh(cf[j]);
      max_h_err = std::max(max_h_err, std::abs(h[j] / 128.0 - hf[j]));
      max_c_err = std::max(max_c_err, std::abs(c[j] / 2048.0 - cf[j]));
    }
  }
  // h is int8 at 1/128: a few LSB of drift over 20 steps.
  EXPECT_LT(max_h_err, 4.0 / 128);
  EXPECT_LT(max_c_err, 0.04);
}

// A random Kronecker operator [m1·m2, n1·n2] (rank 2) in the compact requantization form:
// one multiplier, m1 + m2 row shifts.
struct KronCompactOp {
  tml_kron_s8_params params{};
  std::vector<int8_t> a, b, shift;
  std::vector<int32_t> bias, mult;
  tml_linear_op_s8 op{};
  KronCompactOp(std::mt19937& rng, int m1, int n1, int m2, int n2, double factor) {
    std::uniform_int_distribution<int> d8(-127, 127), d3(0, 3), b16(-20000, 20000);
    params = {m1, n1, m2, n2, 2, 6};
    std::vector<int8_t> fa(2 * m1 * n1), fb(2 * m2 * n2);
    for (auto& v : fa) v = int8_t(d8(rng));
    for (auto& v : fb) v = int8_t(d8(rng));
    a.resize(2 * tml_pack_kron_factor_s8_size(m1, n1));
    b.resize(2 * tml_pack_kron_factor_s8_size(m2, n2));
    EXPECT_EQ(tml_pack_kron_s8(&params, fa.data(), fb.data(), a.data(), b.data()), TML_OK);
    shift.resize(m1 + m2);
    for (auto& v : shift) v = int8_t(d3(rng));
    bias.resize(m1 * m2);
    for (auto& v : bias) v = b16(rng);
    mult.resize(1);
    int32_t left = 0, right = 0;
    tml_quantize_multipliers_s8(1, &factor, mult.data(), &left, &right);
    op = tml_linear_op_s8{m1 * m2, n1 * n2, nullptr, &params, a.data(), b.data(), nullptr,
                          bias.data(), {mult.data(), left, right}, shift.data(), nullptr, 0};
  }
};

// The same operator with the compact form spelled out as one multiplier per row.
struct PerRowCopy {
  std::vector<int32_t> mult;
  tml_linear_op_s8 op{};
  explicit PerRowCopy(const tml_linear_op_s8& compact) : op(compact) {
    const int32_t m = compact.quant.multiplier[0];
    for (int32_t r = 0; r < compact.rows; ++r) {
      const int32_t k = compact.kron != nullptr
                            ? compact.row_shift[r / compact.kron->m2] +
                                  compact.row_shift[compact.kron->m1 + r % compact.kron->m2]
                            : compact.row_shift[r];
      mult.push_back(m >> k);
    }
    op.quant.multiplier = mult.data();
    op.row_shift = nullptr;
  }
};

// The step's fused pass for two compact operators (row runs of each, left shifts or not,
// dense W with Kronecker R and Kronecker W and R of different run lengths) gives the same
// h and c as the per-row requantization of the same operators, and as one compact and
// one per-row operator.
TEST(LstmStepS8S16Test, CompactRequantizationMatchesPerRowMultipliers) {
  const int hs = 16, rows = 4 * hs;
  std::mt19937 rng(23);
  std::uniform_real_distribution<double> u(-0.6, 0.6);
  std::uniform_int_distribution<int> x8(-128, 127);
  for (int variant = 0; variant < 3; ++variant) {
    const int in = variant == 2 ? 8 : 12;
    // W: dense compact with large weights (left shift > 0) or small ones; or Kronecker
    // [8, 2] ⊗ [8, 4] against R's [4, 4] ⊗ [16, 4].
    std::vector<double> wreal(size_t(rows) * in), breal(rows);
    const double wmag = variant == 0 ? 60.0 : 0.6;
    for (auto& v : wreal) v = u(rng) * wmag;
    for (auto& v : breal) v = u(rng);
    DenseOp dense;
    dense.Build(wreal, rows, in, 2.0 / 255.0, 0, breal, /*compact=*/true);
    KronCompactOp kw(rng, 8, 2, 8, 4, 0.4);
    const tml_linear_op_s8& w = variant == 2 ? kw.op : dense.op;
    if (variant == 0) {
      EXPECT_GT(w.quant.left_shift, 0);
    }
    KronCompactOp kr(rng, 4, 4, 16, 4, variant == 1 ? 0.0004 : 0.003);
    const PerRowCopy w_rows(w), r_rows(kr.op);
    const tml_lstm_s8_params params{in, hs};
    std::vector<int32_t> scratch(
        tml_lstm_step_s8_s16_get_buffer_size(&params, &w, &kr.op) / 4 + 1);
    tml_context ctx{scratch.data(), int32_t(scratch.size() * 4)};
    std::vector<int8_t> h1(hs, 0), h2(hs, 0), h3(hs, 0);
    std::vector<int16_t> c1(hs, 0), c2(hs, 0), c3(hs, 0);
    int distinct = 0;
    for (int t = 0; t < 6; ++t) {
      std::vector<int8_t> x(in);
      for (auto& v : x) v = int8_t(x8(rng));
      ASSERT_EQ(tml_lstm_step_s8_s16(&ctx, &params, &w, &kr.op, x.data(), h1.data(), c1.data(),
                                     h1.data(), c1.data()),
                TML_OK);
      ASSERT_EQ(tml_lstm_step_s8_s16(&ctx, &params, &w_rows.op, &r_rows.op, x.data(), h2.data(),
                                     c2.data(), h2.data(), c2.data()),
                TML_OK);
      // One compact operator and one per-row (the pass that requantizes each on its own).
      ASSERT_EQ(tml_lstm_step_s8_s16(&ctx, &params, &w, &r_rows.op, x.data(), h3.data(),
                                     c3.data(), h3.data(), c3.data()),
                TML_OK);
      ASSERT_EQ(h1, h2) << "variant " << variant << ", step " << t;
      ASSERT_EQ(c1, c2) << "variant " << variant << ", step " << t;
      ASSERT_EQ(h1, h3) << "mixed forms, variant " << variant << ", step " << t;
      ASSERT_EQ(c1, c3) << "mixed forms, variant " << variant << ", step " << t;
      for (int j = 1; j < hs; ++j) distinct += h1[j] != h1[0];
    }
    EXPECT_GT(distinct, 10) << "variant " << variant << ": the state is not trivial";
  }
}


// The contract of tml_lstm_step_s8_s16 (tml_kernels_s8.h) in plain integer C++: int32 dot
// products, bias, requantization, sat16, the int16 activations (tml_sigmoid_s16 /
// tml_tanh_s16 element by element) and the cell. op_bias may be null (R without bias).
int32_t RefRequant(int64_t acc, int32_t mult, int32_t left, int32_t right) {
  const int32_t a = int32_t(uint32_t(int32_t(acc)) << left);
  const int32_t hi = int32_t((int64_t(a) * mult + (int64_t(1) << 31)) >> 32);
  return (hi + ((1 << right) >> 1)) >> right;
}

int32_t RefAct(bool tanh, int32_t x) {
  const tml_dims d{1, {1}};
  const int16_t in = int16_t(x);
  int16_t out = 0;
  EXPECT_EQ(tanh ? tml_tanh_s16(&d, &in, &out) : tml_sigmoid_s16(&d, &in, &out), TML_OK);
  return out;
}

int32_t RefRow(const DenseOp& m, const int32_t* bias, int row, const int8_t* v) {
  int64_t acc = bias != nullptr ? bias[row] : 0;
  for (int k = 0; k < m.cols; ++k) acc += int32_t(m.q[size_t(row) * m.cols + k]) * v[k];
  const int32_t mult = m.op.row_shift != nullptr ? m.op.quant.multiplier[0] >> m.op.row_shift[row]
                                                 : m.op.quant.multiplier[row];
  return RefRequant(acc, mult, m.op.quant.left_shift, m.op.quant.right_shift);
}

void RefLstmStep(const DenseOp& w, const DenseOp& r, const int8_t* x, std::vector<int8_t>& h,
                 std::vector<int16_t>& c) {
  const int hs = int(h.size());
  std::vector<int32_t> g(4 * hs);
  for (int row = 0; row < 4 * hs; ++row) {
    const int32_t v = RefRow(w, w.op.bias, row, x) + RefRow(r, r.op.bias, row, h.data());
    g[row] = RefAct(row >= 3 * hs, std::clamp(v, -32768, 32767));
  }
  for (int j = 0; j < hs; ++j) {
    const int32_t i_g = g[j], o_g = g[hs + j], f_g = g[2 * hs + j], c_g = g[3 * hs + j];
    const int32_t cv = std::clamp(((f_g * c[j] + (1 << 14)) >> 15) + ((i_g * c_g + (1 << 18)) >> 19),
                                  -32768, 32767);
    const int32_t tc = RefAct(true, std::clamp(2 * cv, -32768, 32767));
    c[j] = int16_t(cv);
    h[j] = int8_t(std::clamp((o_g * tc + (1 << 22)) >> 23, -128, 127));
  }
}

extern "C" tml_status tml_lstm_step_s8_s16_fused_only(
    const tml_context* ctx, const tml_lstm_s8_params* params, const tml_linear_op_s8* w,
    const tml_linear_op_s8* r, const int8_t* x_t, const int8_t* h_prev, const int16_t* c_prev,
    int8_t* h, int16_t* c);

// Dense compact W and R (what the compiler emits: the fused path) and the same operators
// with one multiplier per row (the general path) against the reference above, over several
// steps: odd and even input sizes (1, 5, 8, 33: W's short loop and its tml_s8_matvec
// fallback), hidden sizes that are and are not multiples of 4 (the block straddling the
// sigmoid/tanh boundary), R with and without bias, large W or R weights (left shifts).
// The build with the fused path only (tml_lstm_fused_only_s8) gives the same on the compact
// operators and refuses the per-row ones (TML_ERROR_ARG), state untouched.
TEST(LstmStepS8S16Test, DenseStepsEqualTheIntegerReference) {
  struct Shape {
    int in, hs;
    double wmag, rmag;
    bool r_bias;
  };
  const Shape shapes[] = {{8, 128, 0.6, 0.8, false}, {1, 3, 0.6, 0.8, false},
                          {5, 7, 0.6, 0.8, true},    {12, 10, 0.6, 0.8, false},
                          {33, 9, 0.6, 0.8, false},  {8, 5, 0.6, 0.8, true},
                          {3, 2, 60.0, 0.8, false},  {7, 16, 0.6, 0.8, false},
                          {6, 12, 0.6, 6.0, false},  {40, 8, 60.0, 6.0, true}};
  std::mt19937 rng(41);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::uniform_int_distribution<int> x8(-128, 127), c16(-9000, 9000);
  for (const Shape& sh : shapes) {
    const int in = sh.in, hs = sh.hs, rows = 4 * hs;
    std::vector<double> wreal(size_t(rows) * in), rreal(size_t(rows) * hs), bw(rows), br(rows);
    // Rows of different magnitudes, so that the compact form's row shifts differ.
    std::uniform_int_distribution<int> k5(0, 5);
    for (int row = 0; row < rows; ++row) {
      const double sw = std::ldexp(sh.wmag, -k5(rng)), sr = std::ldexp(sh.rmag, -k5(rng));
      for (int k = 0; k < in; ++k) wreal[size_t(row) * in + k] = u(rng) * sw;
      for (int k = 0; k < hs; ++k) rreal[size_t(row) * hs + k] = u(rng) * sr;
    }
    for (auto& v : bw) v = u(rng);
    for (auto& v : br) v = u(rng) * 0.3;
    DenseOp w, r, w_rows, r_rows;
    w.Build(wreal, rows, in, 3.0 / 255.0, -7, bw, /*compact=*/true);
    r.Build(rreal, rows, hs, 1.0 / 128.0, 0, sh.r_bias ? br : std::vector<double>{},
            /*compact=*/true);
    if (!sh.r_bias) r.op.bias = nullptr;
    if (sh.rmag > 1.0) {
      EXPECT_GT(r.op.quant.left_shift, 0) << "R with a left shift";
    }
    // The same compact operators as per-row multipliers: the general path.
    const PerRowCopy wp(w.op), rp(r.op);
    const tml_lstm_s8_params params{in, hs};
    std::vector<int32_t> scratch(
        std::max(tml_lstm_step_s8_s16_get_buffer_size(&params, &w.op, &r.op),
                 tml_lstm_step_s8_s16_get_buffer_size(&params, &wp.op, &rp.op)) / 4 + 1);
    tml_context ctx{scratch.data(), int32_t(scratch.size() * 4)};
    std::vector<int8_t> h_ref(hs), h1, h2, h3;
    std::vector<int16_t> c_ref(hs), c1, c2, c3;
    for (auto& v : h_ref) v = int8_t(x8(rng));
    for (auto& v : c_ref) v = int16_t(c16(rng));
    h1 = h2 = h3 = h_ref;
    c1 = c2 = c3 = c_ref;
    int changed = 0;
    for (int t = 0; t < 5; ++t) {
      std::vector<int8_t> x(in);
      for (auto& v : x) v = int8_t(x8(rng));
      const std::vector<int8_t> h_before = h_ref;
      RefLstmStep(w, r, x.data(), h_ref, c_ref);
      ASSERT_EQ(tml_lstm_step_s8_s16(&ctx, &params, &w.op, &r.op, x.data(), h1.data(), c1.data(),
                                     h1.data(), c1.data()),
                TML_OK);
      ASSERT_EQ(tml_lstm_step_s8_s16(&ctx, &params, &wp.op, &rp.op, x.data(), h2.data(),
                                     c2.data(), h2.data(), c2.data()),
                TML_OK);
      const std::vector<int8_t> h3_before = h3;
      const std::vector<int16_t> c3_before = c3;
      ASSERT_EQ(tml_lstm_step_s8_s16_fused_only(&ctx, &params, &wp.op, &rp.op, x.data(), h3.data(),
                                                c3.data(), h3.data(), c3.data()),
                TML_ERROR_ARG);
      ASSERT_EQ(h3, h3_before);
      ASSERT_EQ(c3, c3_before);
      ASSERT_EQ(tml_lstm_step_s8_s16_fused_only(&ctx, &params, &w.op, &r.op, x.data(), h3.data(),
                                                c3.data(), h3.data(), c3.data()),
                TML_OK);
      ASSERT_EQ(h3, h_ref) << "fused only, I " << in << ", H " << hs << ", step " << t;
      ASSERT_EQ(c3, c_ref) << "fused only, I " << in << ", H " << hs << ", step " << t;
      ASSERT_EQ(h1, h_ref) << "compact, I " << in << ", H " << hs << ", step " << t;
      ASSERT_EQ(c1, c_ref) << "compact, I " << in << ", H " << hs << ", step " << t;
      ASSERT_EQ(h2, h_ref) << "per-row, I " << in << ", H " << hs << ", step " << t;
      ASSERT_EQ(c2, c_ref) << "per-row, I " << in << ", H " << hs << ", step " << t;
      for (int j = 0; j < hs; ++j) changed += h_ref[j] != h_before[j];
    }
    EXPECT_GT(changed, hs) << "I " << in << ", H " << hs << ": the state barely moves";
  }
}

}  // namespace
}  // namespace tml::test
