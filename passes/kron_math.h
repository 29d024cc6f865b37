// Kronecker math for the kron-factorize pass (DESIGN.md §5).
//
// Index convention (the only one used anywhere in tinyml-compile):
//   W is m×n, m = m1·m2, n = n1·n2, A is m1×n1, B is m2×n2, all row-major, and
//   (A⊗B)[i1·m2 + i2, j1·n2 + j2] = A[i1, j1] · B[i2, j2]
// which is numpy's np.kron / torch.kron.
//
// Rearrangement (Van Loan & Pitsianis): R(W) is (m1·n1)×(m2·n2); its row
// i1·n1 + j1 is the m2×n2 block W[i1·m2 : (i1+1)·m2, j1·n2 : (j1+1)·n2]
// flattened row-major, so column i2·n2 + j2 holds W[i1·m2 + i2, j1·n2 + j2].
// Then R(A⊗B) = vec(A)·vec(B)ᵀ with vec() the row-major flattening, and
//   ||W − Σ_k A_k⊗B_k||_F = ||R(W) − Σ_k vec(A_k) vec(B_k)ᵀ||_F,
// so the top-r singular triplets (σ_k, u_k, v_k) of R(W) give the nearest sum
// of r Kronecker products: A_k = √σ_k·unvec(u_k), B_k = √σ_k·unvec(v_k), with
// relative error sqrt(Σ_{k>r} σ_k²) / ||W||_F.
//
// Singular values: a full SVD (Eigen BDCSVD, double) when the rearranged
// matrix is small enough for it to be cheap, otherwise a truncated SVD by
// randomized subspace iteration (Halko, Martinsson & Tropp 2011, alg. 4.4) in
// float with the small projected SVD in double. The randomized result is a
// Rayleigh–Ritz approximation on an orthonormal basis Q, so the error formula
// above is exactly the error of the factors it returns (computed singular
// values never exceed the true ones); it just may miss a little energy.
#ifndef TML_PASSES_KRON_MATH_H_
#define TML_PASSES_KRON_MATH_H_

#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "compiler/ir/weight_operator.h"

namespace tml::kron {

using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Factor shapes: A is m1×n1, B is m2×n2.
struct KronShape {
  int64_t m1 = 0, n1 = 0, m2 = 0, n2 = 0;
  int64_t rows() const { return m1 * m2; }
  int64_t cols() const { return n1 * n2; }
  bool operator==(const KronShape& o) const {
    return m1 == o.m1 && n1 == o.n1 && m2 == o.m2 && n2 == o.n2;
  }
};

// R(W) for W m×n (row-major, m == s.rows(), n == s.cols()).
template <typename T>
Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Rearrange(
    const T* w, const KronShape& s);
// The inverse: W from R(W) (row-major (m1·n1)×(m2·n2)).
RowMatrixXd InverseRearrange(const RowMatrixXd& r, const KronShape& s);

// A⊗B for row-major A (m1×n1) and B (m2×n2).
RowMatrixXd KronProduct(const RowMatrixXd& a, const RowMatrixXd& b);

// Every factor shape of an m×n matrix with all four factors >= 2 (m1 | m, n1 | n),
// ordered by m1 then n1. Empty when m or n is prime or < 4.
std::vector<KronShape> ShapeCandidates(int64_t m, int64_t n);

// Evaluation orders of y = vec(A·X·Bᵀ) (DESIGN.md §5); values match tml_kron_order.
enum class KronOrder {
  kXBtFirst = 0,  // T = X·Bᵀ (n1×m2), then A·T: m2·n1·(n2 + m1) MACs per term
  kAXFirst = 1,   // T = A·X (m1×n2), then T·Bᵀ: m1·n2·(n1 + m2) MACs per term
};
int64_t KronMacsPerTerm(const KronShape& s, KronOrder order);
// The cheaper order (ties: kXBtFirst).
KronOrder BestOrder(const KronShape& s);
// MACs of a rank-r sum with the cheaper order.
int64_t KronMacs(const KronShape& s, int rank);
// Stored values of a rank-r sum: r·(m1·n1 + m2·n2).
int64_t KronParams(const KronShape& s, int rank);

struct SvdOptions {
  // Full SVD when min(p,q)²·max(p,q) of the p×q rearranged matrix is at most
  // this many (≈ flops), and always when min(p,q) <= 48; randomized otherwise.
  // Beyond 4e6 the full SVD goes through the Gram matrix R·Rᵀ (or RᵀR) in
  // double, whose eigenvalues still resolve σ_{r+1}/σ_1 down to ~1e-8.
  double full_svd_budget = 1e7;
  int oversample = 6;         // extra basis vectors of the randomized SVD
  int power_iterations = 2;   // subspace iterations (each is two passes over R)
  // A "screen" (ComputeSpectrum(..., screen = true)) uses this many instead:
  // one pass to sketch and one to project, enough to discard shapes whose
  // error is far from the budget before refining the plausible ones.
  int screen_power_iterations = 0;
  int screen_oversample = 2;
  uint64_t seed = 0x6b726f6e;  // fixed: the pass is deterministic
};

// Top singular triplets of R(W) for one shape.
struct KronSpectrum {
  KronShape shape;
  std::vector<double> sigma;  // descending: all of them (full SVD) or the k computed
  RowMatrixXd u;              // (m1·n1) × min(max_rank + 1, p, q) left vectors
  RowMatrixXd v;              // (m2·n2) × the same, right vectors
  double frob_sq = 0.0;       // ||W||_F²
  bool truncated = false;     // randomized (true) or full SVD

  // Largest rank with factors available: min(max_rank + 1, m1·n1, m2·n2).
  int MaxRank() const { return static_cast<int>(u.cols()); }
  // sqrt(Σ_{k>r} σ_k²) / ||W||_F, computed as sqrt(||W||² − Σ_{k<=r} σ_k²)
  // (the tail beyond the computed triplets is known only through the norm).
  double RelativeError(int r) const;
  // σ_{r+1} / σ_1 (0 when rank r is the full rank of R(W)).
  double SigmaRatio(int r) const;
};

// Computes the top min(max_rank + 1, p, q) triplets (and every singular value
// when the full SVD is used). `w` is m×n row-major with m == shape.rows(), n == shape.cols().
// screen = true: a cheaper, less accurate randomized pass (see SvdOptions);
// the full path is the same either way. frob_sq: ||W||_F² when the caller
// already has it (shape searches), or < 0 to compute it.
KronSpectrum ComputeSpectrum(const float* w, const KronShape& shape, int max_rank,
                             const SvdOptions& options = {}, bool screen = false,
                             double frob_sq = -1.0);

// The first `rank` terms A_k = √σ_k·unvec(u_k), B_k = √σ_k·unvec(v_k).
std::vector<KronTerm> TermsFromSpectrum(const KronSpectrum& spectrum, int rank);

// Nearest sum of `rank` Kronecker products of the given shape (convenience).
std::vector<KronTerm> NearestKronSum(const float* w, const KronShape& shape, int rank,
                                     const SvdOptions& options = {});

// ||W − Σ_k A_k⊗B_k||_F / ||W||_F, computed directly in double (no cancellation).
// Returns the absolute error when ||W|| = 0.
double KronRelativeError(const float* w, int64_t m, int64_t n, const std::vector<KronTerm>& terms);

}  // namespace tml::kron

#endif  // TML_PASSES_KRON_MATH_H_
