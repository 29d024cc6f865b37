// The whole-model compression budget of kron-factorize (--compress N).
//
// Each candidate matrix has an error-versus-size curve: for every structure
// the pass can emit — a sum of r Kronecker products of any factor shape
// (kron_math.h), plain low rank U·V (the Kronecker shape m×1 ⊗ 1×n, whose
// rearranged matrix is W itself, so its spectrum is W's SVD), or dense — the
// stored values and the relative Frobenius error ||W − Ŵ||/||W|| of the
// nearest such matrix. ErrorCurve keeps the Pareto front of those points.
//
// AllocateBudget then spends a total number of stored values over the
// matrices: it minimises Σ_i −log(1 − e_i²) subject to Σ_i values_i <= budget.
// A layer with relative weight error e keeps about 1 − e² of its output
// energy as signal and a chain of layers the product, so this is the
// network's loss of signal; it is ≈ e² for small errors and grows without
// bound as e → 1, so no layer is sacrificed. A Lagrangian sweep (each matrix
// independently minimises its distortion + λ·values; λ bisected to the budget)
// followed by a greedy fill of what λ's step left unspent, best error
// reduction per value first. A matrix whose error falls fast with size (a
// sensitive one) thus gets more of the budget than one whose structure
// compresses for free.
#ifndef TML_PASSES_KRON_BUDGET_H_
#define TML_PASSES_KRON_BUDGET_H_

#include <cstdint>
#include <vector>

#include "passes/kron_math.h"

namespace tml::kron {

struct CurvePoint {
  int64_t params = 0;   // stored values
  double error = 0.0;   // relative Frobenius error (screened SVD: an upper bound)
};

// The low-rank (U·V) structure of an m×n matrix as a Kronecker shape.
inline KronShape LowRankShape(int64_t m, int64_t n) { return KronShape{m, 1, 1, n}; }

// Largest U·V rank worth storing for m×n: fewer values and MACs than dense, at most `cap`.
int LowRankLimit(int64_t m, int64_t n, int cap);

// The Pareto front of one matrix (params ascending, error strictly
// descending), ending with the dense point (m·n, 0) or the first exact one. Kronecker shapes up to
// `max_rank` terms, low rank up to LowRankLimit(m, n, low_rank_cap).
std::vector<CurvePoint> ErrorCurve(const float* w, int64_t m, int64_t n, int max_rank, int low_rank_cap,
                                   const SvdOptions& svd, int threads);

// One point per curve (indices), Σ params <= budget when the cheapest points
// fit (otherwise every curve's cheapest point).
std::vector<size_t> AllocateBudget(const std::vector<std::vector<CurvePoint>>& curves, int64_t budget);

}  // namespace tml::kron

#endif  // TML_PASSES_KRON_BUDGET_H_
