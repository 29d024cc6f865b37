#include "passes/kron_math.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>

namespace tml::kron {

template <typename T>
Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Rearrange(const T* w,
                                                                            const KronShape& s) {
  const int64_t n = s.cols();
  Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r(s.m1 * s.n1, s.m2 * s.n2);
  for (int64_t i1 = 0; i1 < s.m1; ++i1) {
    for (int64_t j1 = 0; j1 < s.n1; ++j1) {
      T* dst = r.row(i1 * s.n1 + j1).data();
      for (int64_t i2 = 0; i2 < s.m2; ++i2) {
        const T* src = w + (i1 * s.m2 + i2) * n + j1 * s.n2;
        T* out = dst + i2 * s.n2;
        for (int64_t j2 = 0; j2 < s.n2; ++j2) out[j2] = src[j2];  // short rows: no memmove call
      }
    }
  }
  return r;
}
template RowMatrixXf Rearrange<float>(const float*, const KronShape&);
template RowMatrixXd Rearrange<double>(const double*, const KronShape&);

RowMatrixXd InverseRearrange(const RowMatrixXd& r, const KronShape& s) {
  RowMatrixXd w(s.rows(), s.cols());
  for (int64_t i1 = 0; i1 < s.m1; ++i1) {
    for (int64_t j1 = 0; j1 < s.n1; ++j1) {
      for (int64_t i2 = 0; i2 < s.m2; ++i2) {
        for (int64_t j2 = 0; j2 < s.n2; ++j2) {
          w(i1 * s.m2 + i2, j1 * s.n2 + j2) = r(i1 * s.n1 + j1, i2 * s.n2 + j2);
        }
      }
    }
  }
  return w;
}

RowMatrixXd KronProduct(const RowMatrixXd& a, const RowMatrixXd& b) {
  RowMatrixXd k(a.rows() * b.rows(), a.cols() * b.cols());
  for (Eigen::Index i1 = 0; i1 < a.rows(); ++i1) {
    for (Eigen::Index j1 = 0; j1 < a.cols(); ++j1) {
      k.block(i1 * b.rows(), j1 * b.cols(), b.rows(), b.cols()) = a(i1, j1) * b;
    }
  }
  return k;
}

std::vector<KronShape> ShapeCandidates(int64_t m, int64_t n) {
  std::vector<KronShape> out;
  for (int64_t m1 = 2; m1 * 2 <= m; ++m1) {
    if (m % m1 != 0) continue;
    for (int64_t n1 = 2; n1 * 2 <= n; ++n1) {
      if (n % n1 != 0) continue;
      out.push_back(KronShape{m1, n1, m / m1, n / n1});
    }
  }
  return out;
}

int64_t KronMacsPerTerm(const KronShape& s, KronOrder order) {
  return order == KronOrder::kXBtFirst ? s.m2 * s.n1 * (s.n2 + s.m1) : s.m1 * s.n2 * (s.n1 + s.m2);
}

KronOrder BestOrder(const KronShape& s) {
  return KronMacsPerTerm(s, KronOrder::kAXFirst) < KronMacsPerTerm(s, KronOrder::kXBtFirst)
             ? KronOrder::kAXFirst
             : KronOrder::kXBtFirst;
}

int64_t KronMacs(const KronShape& s, int rank) { return rank * KronMacsPerTerm(s, BestOrder(s)); }

int64_t KronParams(const KronShape& s, int rank) { return rank * (s.m1 * s.n1 + s.m2 * s.n2); }

double KronSpectrum::RelativeError(int r) const {
  if (frob_sq <= 0.0) return 0.0;
  double tail = 0.0;
  if (!truncated) {
    for (size_t k = static_cast<size_t>(r); k < sigma.size(); ++k) tail += sigma[k] * sigma[k];
  } else {
    double head = 0.0;
    for (int k = 0; k < r && k < static_cast<int>(sigma.size()); ++k) head += sigma[k] * sigma[k];
    tail = std::max(0.0, frob_sq - head);
  }
  return std::sqrt(tail / frob_sq);
}

double KronSpectrum::SigmaRatio(int r) const {
  if (sigma.empty() || sigma[0] <= 0.0) return 0.0;
  if (r >= static_cast<int>(sigma.size())) return 0.0;
  return sigma[static_cast<size_t>(r)] / sigma[0];
}

namespace {

// Orthonormal basis of the columns of y (thin Householder QR).
RowMatrixXf Orthonormalize(const RowMatrixXf& y) {
  Eigen::HouseholderQR<Eigen::MatrixXf> qr(y);
  Eigen::MatrixXf q = qr.householderQ() * Eigen::MatrixXf::Identity(y.rows(), y.cols());
  return q;
}

}  // namespace

KronSpectrum ComputeSpectrum(const float* w, const KronShape& shape, int max_rank,
                             const SvdOptions& options, bool screen, double frob_sq) {
  KronSpectrum out;
  out.shape = shape;
  const int64_t m = shape.rows(), n = shape.cols();
  if (frob_sq < 0.0) {
    frob_sq = 0.0;
    for (int64_t k = 0; k < m * n; ++k) frob_sq += static_cast<double>(w[k]) * w[k];
  }
  out.frob_sq = frob_sq;

  const int64_t p = shape.m1 * shape.n1, q = shape.m2 * shape.n2;
  const int64_t lo = std::min(p, q), hi = std::max(p, q);
  const int keep = static_cast<int>(std::min<int64_t>(max_rank + 1, lo));
  const double full_cost = static_cast<double>(lo) * lo * hi;
  const RowMatrixXf r = Rearrange(w, shape);

  if (lo <= 48 || full_cost <= options.full_svd_budget) {
    out.truncated = false;
    if (full_cost <= 4e6) {
      Eigen::MatrixXd rd = r.cast<double>();
      Eigen::BDCSVD<Eigen::MatrixXd> svd(rd, Eigen::ComputeThinU | Eigen::ComputeThinV);
      const Eigen::VectorXd& s = svd.singularValues();
      out.sigma.assign(s.data(), s.data() + s.size());
      out.u = svd.matrixU().leftCols(keep);
      out.v = svd.matrixV().leftCols(keep);
      return out;
    }
    // Gram matrix of the short side: G = R·Rᵀ (p <= q) or RᵀR, eigenvalues σ².
    const RowMatrixXd rd = r.cast<double>();
    const bool rows_short = p <= q;
    Eigen::MatrixXd gram = rows_short ? Eigen::MatrixXd(rd * rd.transpose())
                                      : Eigen::MatrixXd(rd.transpose() * rd);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(gram);
    const Eigen::VectorXd& lambda = eig.eigenvalues();  // ascending
    out.sigma.resize(static_cast<size_t>(lo));
    for (int64_t k = 0; k < lo; ++k) out.sigma[static_cast<size_t>(k)] = std::sqrt(std::max(0.0, lambda(lo - 1 - k)));
    Eigen::MatrixXd short_vecs(lo, keep);
    for (int k = 0; k < keep; ++k) short_vecs.col(k) = eig.eigenvectors().col(lo - 1 - k);
    // The long side's vectors: R·v = σ·u  ⇒  u = R·v / σ (and likewise for v).
    Eigen::MatrixXd long_vecs = rows_short ? Eigen::MatrixXd(rd.transpose() * short_vecs)
                                           : Eigen::MatrixXd(rd * short_vecs);
    for (int k = 0; k < keep; ++k) {
      const double sk = out.sigma[static_cast<size_t>(k)];
      if (sk > 0.0) long_vecs.col(k) /= sk;
      else long_vecs.col(k).setZero();
    }
    out.u = rows_short ? short_vecs : long_vecs;
    out.v = rows_short ? long_vecs : short_vecs;
    return out;
  }

  // Randomized subspace iteration on R (p×q), basis of k columns.
  const int oversample = screen ? options.screen_oversample : options.oversample;
  const int iterations = screen ? options.screen_power_iterations : options.power_iterations;
  const int64_t k = std::min<int64_t>(keep + oversample, lo);
  std::mt19937_64 rng(options.seed ^ static_cast<uint64_t>(p * 1000003 + q));
  std::normal_distribution<float> normal(0.f, 1.f);
  RowMatrixXf omega(q, k);
  for (int64_t i = 0; i < omega.size(); ++i) omega.data()[i] = normal(rng);
  RowMatrixXf basis = Orthonormalize(r * omega);  // p×k
  for (int it = 0; it < iterations; ++it) {
    RowMatrixXf z = Orthonormalize(r.transpose() * basis);  // q×k
    basis = Orthonormalize(r * z);
  }
  // B = Qᵀ R (k×q); its SVD in double gives R ≈ (Q·U_B) Σ V_Bᵀ.
  Eigen::MatrixXd b = (basis.transpose() * r).cast<double>();
  Eigen::BDCSVD<Eigen::MatrixXd> svd(b, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd& s = svd.singularValues();
  out.sigma.assign(s.data(), s.data() + s.size());
  Eigen::MatrixXd ub = svd.matrixU().leftCols(keep);
  out.u = basis.cast<double>() * ub;
  out.v = svd.matrixV().leftCols(keep);
  out.truncated = true;
  return out;
}

std::vector<KronTerm> TermsFromSpectrum(const KronSpectrum& spectrum, int rank) {
  const KronShape& s = spectrum.shape;
  std::vector<KronTerm> terms;
  for (int k = 0; k < rank && k < spectrum.u.cols(); ++k) {
    const double scale = std::sqrt(std::max(0.0, spectrum.sigma[static_cast<size_t>(k)]));
    KronTerm t;
    t.a_rows = s.m1;
    t.a_cols = s.n1;
    t.b_rows = s.m2;
    t.b_cols = s.n2;
    t.a.resize(static_cast<size_t>(s.m1 * s.n1));
    t.b.resize(static_cast<size_t>(s.m2 * s.n2));
    // Sign convention: the largest-magnitude entry of A is positive, so the
    // factors are reproducible whatever sign the SVD returns.
    Eigen::Index arg = 0;
    spectrum.u.col(k).cwiseAbs().maxCoeff(&arg);
    const double sign = spectrum.u(arg, k) < 0 ? -1.0 : 1.0;
    for (int64_t i = 0; i < s.m1 * s.n1; ++i) {
      t.a[static_cast<size_t>(i)] = static_cast<float>(sign * scale * spectrum.u(i, k));
    }
    for (int64_t i = 0; i < s.m2 * s.n2; ++i) {
      t.b[static_cast<size_t>(i)] = static_cast<float>(sign * scale * spectrum.v(i, k));
    }
    terms.push_back(std::move(t));
  }
  return terms;
}

std::vector<KronTerm> NearestKronSum(const float* w, const KronShape& shape, int rank,
                                     const SvdOptions& options) {
  return TermsFromSpectrum(ComputeSpectrum(w, shape, rank, options), rank);
}

double KronRelativeError(const float* w, int64_t m, int64_t n, const std::vector<KronTerm>& terms) {
  std::vector<double> approx(static_cast<size_t>(m * n), 0.0);
  for (const KronTerm& t : terms) {
    for (int64_t i1 = 0; i1 < t.a_rows; ++i1) {
      for (int64_t j1 = 0; j1 < t.a_cols; ++j1) {
        const double a = t.a[static_cast<size_t>(i1 * t.a_cols + j1)];
        for (int64_t i2 = 0; i2 < t.b_rows; ++i2) {
          double* row = &approx[static_cast<size_t>((i1 * t.b_rows + i2) * n + j1 * t.b_cols)];
          const float* b = &t.b[static_cast<size_t>(i2 * t.b_cols)];
          for (int64_t j2 = 0; j2 < t.b_cols; ++j2) row[j2] += a * b[j2];
        }
      }
    }
  }
  double num = 0.0, den = 0.0;
  for (int64_t k = 0; k < m * n; ++k) {
    const double d = w[k] - approx[static_cast<size_t>(k)];
    num += d * d;
    den += static_cast<double>(w[k]) * w[k];
  }
  return den > 0.0 ? std::sqrt(num / den) : std::sqrt(num);
}

}  // namespace tml::kron
