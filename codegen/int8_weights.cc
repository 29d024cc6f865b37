#include "codegen/int8_weights.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace tml {

QuantizedMatrix QuantizeRows(const float* w, int32_t rows, int32_t cols) {
  QuantizedMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.values.resize(static_cast<size_t>(rows) * cols);
  m.row_scale.resize(rows);
  for (int32_t r = 0; r < rows; ++r) {
    double mx = 0.0;
    for (int32_t c = 0; c < cols; ++c) mx = std::max(mx, std::abs(double(w[size_t(r) * cols + c])));
    const double s = mx > 0.0 ? mx / 127.0 : 1.0;
    m.row_scale[r] = s;
    for (int32_t c = 0; c < cols; ++c) {
      const long q = std::lround(w[size_t(r) * cols + c] / s);
      m.values[size_t(r) * cols + c] = static_cast<int8_t>(std::clamp<long>(q, -127, 127));
    }
  }
  return m;
}

QuantizedMatrix QuantizeRowsPowerOfTwo(const float* w, int32_t rows, int32_t cols,
                                       std::vector<int8_t>* shift) {
  std::vector<double> need(static_cast<size_t>(rows), 0.0);
  double top = 0.0;
  for (int32_t r = 0; r < rows; ++r) {
    for (int32_t c = 0; c < cols; ++c) {
      need[r] = std::max(need[r], std::abs(static_cast<double>(w[size_t(r) * cols + c])) / 127.0);
    }
    top = std::max(top, need[r]);
  }
  if (top <= 0.0) top = 1.0;
  // multiplier >> 14 keeps >= 16 significant bits; rows needing more (nearly zero rows)
  // keep a larger scale than they need.
  const int32_t max_shift = 14;
  QuantizedMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.values.resize(size_t(rows) * cols);
  m.row_scale.resize(rows);
  shift->assign(static_cast<size_t>(rows), 0);
  for (int32_t r = 0; r < rows; ++r) {
    int32_t k = 0;
    while (need[r] > 0.0 && k < max_shift && std::ldexp(top, -(k + 1)) >= need[r]) ++k;
    (*shift)[r] = static_cast<int8_t>(k);
    m.row_scale[r] = std::ldexp(top, -k);
    for (int32_t c = 0; c < cols; ++c) {
      const long q = std::lround(w[size_t(r) * cols + c] / m.row_scale[r]);
      m.values[size_t(r) * cols + c] = static_cast<int8_t>(std::clamp<long>(q, -127, 127));
    }
  }
  return m;
}

std::vector<int8_t> QuantizedMatrix::Packed() const {
  std::vector<int8_t> out(tml_pack_weights_s8_size(rows, cols));
  tml_pack_weights_s8(rows, cols, values.data(), out.data());
  return out;
}

std::vector<int32_t> QuantizedMatrix::FoldBias(const float* bias, const AffineQuant& in) const {
  std::vector<int32_t> q(rows, 0), out(rows);
  if (bias != nullptr)
    for (int32_t r = 0; r < rows; ++r)
      q[r] = static_cast<int32_t>(std::lround(bias[r] / (in.scale * row_scale[r])));
  tml_fold_bias_s8(rows, cols, values.data(), q.data(), in.zero_point, out.data());
  return out;
}

namespace {

// Both factors in the kernel's layout (tml_pack_kron_s8: the second stage's terms side
// by side).
void PackBoth(const QuantizedKron& k, std::vector<int8_t>& a, std::vector<int8_t>& b) {
  const tml_kron_s8_params& p = k.params;
  a.assign(size_t(p.rank) * tml_pack_kron_factor_s8_size(p.m1, p.n1), 0);
  b.assign(size_t(p.rank) * tml_pack_kron_factor_s8_size(p.m2, p.n2), 0);
  tml_pack_kron_s8(&p, k.a.data(), k.b.data(), a.data(), b.data());
}

}  // namespace

std::vector<int8_t> QuantizedKron::PackedA() const {
  std::vector<int8_t> a, b;
  PackBoth(*this, a, b);
  return a;
}

std::vector<int8_t> QuantizedKron::PackedB() const {
  std::vector<int8_t> a, b;
  PackBoth(*this, a, b);
  return b;
}

double QuantizedKron::RowScale(int32_t r) const {
  return a_row_scale[r / params.m2] * b_row_scale[r % params.m2] * std::ldexp(1.0, params.t_shift);
}

std::vector<int32_t> QuantizedKron::FoldBias(const float* bias, const AffineQuant& in) const {
  const int32_t m1 = params.m1, n1 = params.n1, m2 = params.m2, n2 = params.n2;
  std::vector<int32_t> out(rows(), 0);
  for (int32_t r = 0; r < rows(); ++r) {
    const int32_t i1 = r / m2, i2 = r % m2;
    double zp_term = 0.0;  // Σ_k rowsum(A_k[i1])·rowsum(B_k[i2]) / 2^t
    for (int32_t k = 0; k < params.rank; ++k) {
      double sa = 0.0, sb = 0.0;
      for (int32_t j = 0; j < n1; ++j) sa += a[(size_t(k) * m1 + i1) * n1 + j];
      for (int32_t j = 0; j < n2; ++j) sb += b[(size_t(k) * m2 + i2) * n2 + j];
      zp_term += sa * sb;
    }
    zp_term = std::ldexp(zp_term, -params.t_shift);
    if (!row_ptr.empty())
      for (int32_t e = row_ptr[r]; e < row_ptr[r + 1]; ++e)
        zp_term += std::ldexp(double(sparse_values[e]), sparse_shift);
    const double b = bias != nullptr ? bias[r] / (in.scale * RowScale(r)) : 0.0;
    out[r] = static_cast<int32_t>(std::lround(b - in.zero_point * zp_term));
  }
  return out;
}

bool QuantizeKron(const WeightOperator& op, QuantizedKron* out) {
  if (op.terms.empty() || !op.row_blocks.empty()) return false;
  const KronTerm& t0 = op.terms[0];
  QuantizedKron& q = *out;
  q = QuantizedKron{};
  q.params.m1 = static_cast<int32_t>(t0.a_rows);
  q.params.n1 = static_cast<int32_t>(t0.a_cols);
  q.params.m2 = static_cast<int32_t>(t0.b_rows);
  q.params.n2 = static_cast<int32_t>(t0.b_cols);
  q.params.rank = static_cast<int32_t>(op.terms.size());
  const int32_t m1 = q.params.m1, n1 = q.params.n1, m2 = q.params.m2, n2 = q.params.n2;
  // Shared per-row scales: the largest |value| of that row over all terms.
  q.a_row_scale.assign(m1, 0.0);
  q.b_row_scale.assign(m2, 0.0);
  for (const KronTerm& t : op.terms) {
    for (int32_t i = 0; i < m1; ++i)
      for (int32_t j = 0; j < n1; ++j)
        q.a_row_scale[i] = std::max(q.a_row_scale[i], std::abs(double(t.a[size_t(i) * n1 + j])));
    for (int32_t i = 0; i < m2; ++i)
      for (int32_t j = 0; j < n2; ++j)
        q.b_row_scale[i] = std::max(q.b_row_scale[i], std::abs(double(t.b[size_t(i) * n2 + j])));
  }
  // Power-of-two related row scales: s_i = S·2^-k_i, S the factor's largest row scale and
  // k_i <= 7 the largest shift that still covers row i (it keeps 64..127 of the int8
  // range, at most one bit less than its own scale). Row (i1, i2) of the product then has
  // scale S_A·S_B·2^t·2^-(kA + kB): one multiplier and a shift per row requantize it (the
  // compact form of tml_linear_op_s8::row_shift), 1 byte per row instead of 4.
  auto power_of_two_scales = [](std::vector<double>& scales) {
    double top = 0.0;
    for (double v : scales) top = std::max(top, v / 127.0);
    if (top <= 0.0) top = 1.0;
    for (double& v : scales) {
      const double need = v / 127.0;
      int k = 0;
      while (k < 7 && std::ldexp(top, -(k + 1)) >= need) ++k;
      v = std::ldexp(top, -k);
    }
  };
  power_of_two_scales(q.a_row_scale);
  power_of_two_scales(q.b_row_scale);
  auto quant = [](double v, double s) {
    return static_cast<int8_t>(std::clamp<long>(std::lround(v / s), -127, 127));
  };
  int64_t max_b_row = 0;  // max_i2 Σ_j2 |B_k[i2, j2]| over terms
  int64_t max_a_row = 0;  // max_i1 Σ_j1 |A_k[i1, j1]| over terms
  for (const KronTerm& t : op.terms) {
    for (int32_t i = 0; i < m1; ++i) {
      int64_t s = 0;
      for (int32_t j = 0; j < n1; ++j) {
        q.a.push_back(quant(t.a[size_t(i) * n1 + j], q.a_row_scale[i]));
        s += std::abs(q.a.back());
      }
      max_a_row = std::max(max_a_row, s);
    }
    for (int32_t i = 0; i < m2; ++i) {
      int64_t s = 0;
      for (int32_t j = 0; j < n2; ++j) {
        q.b.push_back(quant(t.b[size_t(i) * n2 + j], q.b_row_scale[i]));
        s += std::abs(q.b.back());
      }
      max_b_row = std::max(max_b_row, s);
    }
  }
  // The kernel's intermediate (T = X·Bᵀ, or Z = A·X when that order is cheaper) is at
  // most 128·(largest row sum of the factor it multiplies) before the shift; keep it
  // within int16.
  const int64_t bound = 128 * (tml_kron_s8_a_first(&q.params) ? max_a_row : max_b_row);
  int32_t t_shift = 0;
  while ((bound >> t_shift) > 32767 && t_shift < 24) ++t_shift;
  q.params.t_shift = t_shift;
  if (op.sparse.has_value()) {
    const SparseOverlay& s = *op.sparse;
    for (int32_t v : s.row_ptr) q.row_ptr.push_back(static_cast<uint16_t>(v));
    for (int32_t v : s.col_idx) q.col_idx.push_back(static_cast<uint16_t>(v));
    // int8 values times 2^shift: on the lstm_classifier recipe (905 doping entries) the
    // same 97.78 % as int16 values (which also clipped W's largest ones at 2^15).
    std::vector<double> acc_units;
    double largest = 0.0;
    for (int32_t r = 0; r < q.rows(); ++r)
      for (int32_t e = s.row_ptr[r]; e < s.row_ptr[r + 1]; ++e) {
        acc_units.push_back(s.values[e] / q.RowScale(r));
        largest = std::max(largest, std::abs(acc_units.back()));
      }
    int32_t shift = 0;
    while (largest / std::ldexp(1.0, shift) > 127.0 && shift < 24) ++shift;
    q.sparse_shift = shift;
    for (double v : acc_units) {
      const long qv = std::lround(std::ldexp(v, -shift));
      q.sparse_values.push_back(static_cast<int8_t>(std::clamp<long>(qv, -127, 127)));
    }
  }
  return true;
}

Requant MakeRequant(const std::vector<double>& row_unit, double out_scale) {
  Requant q;
  std::vector<double> factor(row_unit.size());
  for (size_t r = 0; r < row_unit.size(); ++r) factor[r] = row_unit[r] / out_scale;
  q.multiplier.resize(row_unit.size());
  tml_quantize_multipliers_s8(static_cast<int32_t>(row_unit.size()), factor.data(),
                              q.multiplier.data(), &q.left_shift, &q.right_shift);
  return q;
}

}  // namespace tml
