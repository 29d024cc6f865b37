#include "passes/kron_budget.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <thread>

namespace tml::kron {
namespace {

// Largest Kronecker rank worth computing for a shape (as kron-factorize's):
// below the dense storage and MACs, within max_rank and the rank of R(W).
int KronRankLimit(const KronShape& s, int max_rank) {
  const int64_t dense = s.rows() * s.cols();
  const int64_t lo = std::min(s.m1 * s.n1, s.m2 * s.n2);
  int r = 0;
  while (r < max_rank && r < lo && KronParams(s, r + 1) < dense && KronMacs(s, r + 1) < dense) ++r;
  return r;
}

// The distortion of a matrix at relative error e: −log(1 − e²). A layer with
// relative error e keeps about 1 − e² of its output's energy as signal, and a
// chain of layers the product of those, so the sum of −log(1 − e_i²) is what
// the whole network loses; ≈ e² for small errors, unbounded as e → 1, so no
// layer is given up entirely to save values elsewhere.
double Distortion(double e) { return -std::log(std::max(1e-9, 1.0 - e * e)); }

// The point each curve picks for multiplier lambda: argmin D(e) + λ·params.
std::vector<size_t> PickAt(const std::vector<std::vector<CurvePoint>>& curves, double lambda,
                           int64_t* total) {
  std::vector<size_t> pick(curves.size(), 0);
  *total = 0;
  for (size_t i = 0; i < curves.size(); ++i) {
    double best = INFINITY;
    for (size_t j = 0; j < curves[i].size(); ++j) {
      const double cost = Distortion(curves[i][j].error) + lambda * static_cast<double>(curves[i][j].params);
      if (cost < best) {
        best = cost;
        pick[i] = j;
      }
    }
    *total += curves[i][pick[i]].params;
  }
  return pick;
}

}  // namespace

int LowRankLimit(int64_t m, int64_t n, int cap) {
  int r = 0;
  while (r < cap && r < std::min(m, n) && (r + 1) * (m + n) < m * n) ++r;
  return r;
}

std::vector<CurvePoint> ErrorCurve(const float* w, int64_t m, int64_t n, int max_rank, int low_rank_cap,
                                   const SvdOptions& svd, int threads) {
  std::vector<std::pair<KronShape, int>> work;
  for (const KronShape& s : ShapeCandidates(m, n)) {
    const int r = KronRankLimit(s, max_rank);
    if (r > 0) work.emplace_back(s, r);
  }
  const int low = LowRankLimit(m, n, low_rank_cap);
  if (low > 0) work.emplace_back(LowRankShape(m, n), low);
  double frob_sq = 0.0;
  for (int64_t k = 0; k < m * n; ++k) frob_sq += static_cast<double>(w[k]) * w[k];

  std::vector<KronSpectrum> spectra(work.size());
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    for (size_t i = next++; i < work.size(); i = next++) {
      spectra[i] = ComputeSpectrum(w, work[i].first, work[i].second, svd, /*screen=*/true, frob_sq);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::min<int>(std::max(1, threads), static_cast<int>(work.size())); ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();

  std::map<int64_t, double> best;  // params -> smallest error
  for (size_t i = 0; i < work.size(); ++i) {
    for (int r = 1; r <= work[i].second && r <= spectra[i].MaxRank(); ++r) {
      const int64_t p = KronParams(work[i].first, r);
      const double e = std::max(0.0, spectra[i].RelativeError(r));
      auto it = best.find(p);
      if (it == best.end() || e < it->second) best[p] = e;
    }
  }
  best[m * n] = 0.0;
  std::vector<CurvePoint> front;
  for (const auto& [params, error] : best) {
    if (front.empty() || error < front.back().error) front.push_back({params, error});
  }
  return front;
}

std::vector<size_t> AllocateBudget(const std::vector<std::vector<CurvePoint>>& curves, int64_t budget) {
  int64_t total = 0;
  // λ large enough that every curve takes its cheapest point.
  double hi = 1.0;
  std::vector<size_t> pick = PickAt(curves, hi, &total);
  for (int k = 0; k < 200 && total > budget; ++k) {
    hi *= 4.0;
    pick = PickAt(curves, hi, &total);
  }
  if (total > budget) return pick;  // nothing fits: the cheapest points
  double lo = 0.0;
  for (int k = 0; k < 100; ++k) {  // smallest λ whose picks fit
    const double mid = lo == 0.0 ? hi * 1e-12 : std::sqrt(lo * hi);
    int64_t t = 0;
    std::vector<size_t> p = PickAt(curves, mid, &t);
    if (t <= budget) {
      hi = mid;
      pick = std::move(p);
      total = t;
    } else {
      lo = mid;
    }
    if (hi / std::max(lo, 1e-300) < 1.0 + 1e-9) break;
  }
  // Greedy fill: the step to a larger point with the best distortion reduction per value.
  for (;;) {
    size_t best_i = curves.size(), best_j = 0;
    double best_gain = 0.0;
    for (size_t i = 0; i < curves.size(); ++i) {
      const CurvePoint& now = curves[i][pick[i]];
      for (size_t j = pick[i] + 1; j < curves[i].size(); ++j) {
        const int64_t extra = curves[i][j].params - now.params;
        if (extra <= 0 || total + extra > budget) continue;
        const double gain = (Distortion(now.error) - Distortion(curves[i][j].error)) / static_cast<double>(extra);
        if (gain > best_gain) {
          best_gain = gain;
          best_i = i;
          best_j = j;
        }
      }
    }
    if (best_i == curves.size()) break;
    total += curves[best_i][best_j].params - curves[best_i][pick[best_i]].params;
    pick[best_i] = best_j;
  }
  return pick;
}

}  // namespace tml::kron
