#include "verification/anomaly_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tml::verification {

std::vector<double> ReconstructionScores(const std::vector<float>& input,
                                         const std::vector<float>& output, int64_t samples) {
  std::vector<double> scores(static_cast<size_t>(std::max<int64_t>(samples, 0)), 0.0);
  if (samples <= 0) return scores;
  const size_t per = input.size() / static_cast<size_t>(samples);
  for (size_t s = 0; s < scores.size(); ++s) {
    double sum = 0.0;
    for (size_t i = 0; i < per; ++i) {
      const double d = static_cast<double>(output[s * per + i]) - input[s * per + i];
      sum += d * d;
    }
    scores[s] = per > 0 ? sum / static_cast<double>(per) : 0.0;
  }
  return scores;
}

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const double pos = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

double RocAuc(const std::vector<double>& scores, const std::vector<int64_t>& labels) {
  // Average ranks (ties share their mean rank), then U = R+ − n+(n+ + 1)/2.
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0.0;
  int64_t positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && scores[order[j + 1]] == scores[order[i]]) ++j;
    const double mean_rank = (static_cast<double>(i + j) / 2.0) + 1.0;
    for (size_t k = i; k <= j; ++k) {
      if (labels[order[k]] != 0) {
        rank_sum += mean_rank;
        ++positives;
      }
    }
    i = j + 1;
  }
  const int64_t negatives = static_cast<int64_t>(scores.size()) - positives;
  if (positives == 0 || negatives == 0) return NAN;
  const double u = rank_sum - static_cast<double>(positives) * (positives + 1) / 2.0;
  return u / (static_cast<double>(positives) * static_cast<double>(negatives));
}

AnomalyMetrics EvaluateAnomaly(const std::vector<double>& scores,
                               const std::vector<int64_t>& labels, double threshold) {
  AnomalyMetrics m;
  m.threshold = threshold;
  m.auc = RocAuc(scores, labels);
  for (size_t i = 0; i < scores.size(); ++i) {
    const bool flagged = scores[i] > threshold;
    const bool anomaly = labels[i] != 0;
    if (flagged && anomaly) ++m.true_positives;
    if (flagged && !anomaly) ++m.false_positives;
    if (!flagged && anomaly) ++m.false_negatives;
    if (!flagged && !anomaly) ++m.true_negatives;
  }
  const auto ratio = [](int64_t a, int64_t b) { return b > 0 ? static_cast<double>(a) / b : 0.0; };
  m.precision = ratio(m.true_positives, m.true_positives + m.false_positives);
  m.recall = ratio(m.true_positives, m.true_positives + m.false_negatives);
  m.false_positive_rate = ratio(m.false_positives, m.false_positives + m.true_negatives);
  return m;
}

}  // namespace tml::verification
