#include "passes/finetune_loss.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tml {
namespace {

// Softmax of row `z` (length n) into `p`; returns log(sum(exp(z))).
double SoftmaxRow(const float* z, size_t n, double* p) {
  const double mx = *std::max_element(z, z + n);
  double sum = 0;
  for (size_t q = 0; q < n; ++q) sum += p[q] = std::exp(static_cast<double>(z[q]) - mx);
  for (size_t q = 0; q < n; ++q) p[q] /= sum;
  return std::log(sum) + mx;
}

}  // namespace

double LanguageModelLoss(const float* student, const float* teacher, size_t positions, size_t vocab,
                         const int64_t* tokens, double ce_weight, double grad_scale, float* dy) {
  if (positions == 0 || vocab == 0) return 0.0;
  std::vector<double> ps(vocab), pt(vocab);
  const double per_position = 1.0 / static_cast<double>(positions);
  double loss = 0;
  for (size_t t = 0; t < positions; ++t) {
    const float* y = student + t * vocab;
    const float* ty = teacher + t * vocab;
    float* g = dy + t * vocab;
    const double lse_s = SoftmaxRow(y, vocab, ps.data());
    const double lse_t = SoftmaxRow(ty, vocab, pt.data());
    double kl = 0;
    for (size_t q = 0; q < vocab; ++q) {
      if (pt[q] > 0) kl += pt[q] * ((ty[q] - lse_t) - (y[q] - lse_s));
    }
    double ce = 0;
    int64_t label = -1;
    if (tokens != nullptr && ce_weight > 0 && t + 1 < positions) {
      label = tokens[t + 1];
      if (label < 0 || label >= static_cast<int64_t>(vocab)) label = -1;
      if (label >= 0) ce = lse_s - y[label];
    }
    loss += (kl + ce_weight * ce) * per_position;
    for (size_t q = 0; q < vocab; ++q) {
      double d = ps[q] - pt[q];
      if (label >= 0) d += ce_weight * (ps[q] - (static_cast<int64_t>(q) == label ? 1.0 : 0.0));
      g[q] = static_cast<float>(d * per_position * grad_scale);
    }
  }
  return loss;
}

}  // namespace tml
