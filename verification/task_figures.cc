#include "verification/task_figures.h"

#include <algorithm>
#include <cmath>

#include "verification/anomaly_metrics.h"
#include "verification/compare.h"

namespace tml::verification {

std::optional<double> Perplexity(const Tensor& logits, const Tensor& labels) {
  if (labels.dtype != DType::kInt64 || labels.shape.size() != 2 || logits.dtype != DType::kFloat32) {
    return std::nullopt;
  }
  const int64_t n = labels.shape[0], t = labels.shape[1];
  if (n <= 0 || t <= 0 || logits.shape.empty() || logits.shape[0] != n) return std::nullopt;
  const int64_t v = logits.shape.back();
  if (v < 2 || logits.num_elements() != n * t * v) return std::nullopt;
  double nll = 0.0;
  for (int64_t p = 0; p < n * t; ++p) {
    const float* row = logits.f32.data() + p * v;
    const int64_t label = labels.i64[static_cast<size_t>(p)];
    if (label < 0 || label >= v) return std::nullopt;
    const float mx = *std::max_element(row, row + v);
    double sum = 0.0;
    for (int64_t k = 0; k < v; ++k) sum += std::exp(static_cast<double>(row[k]) - mx);
    nll += std::log(sum) - (static_cast<double>(row[label]) - mx);
  }
  return std::exp(nll / static_cast<double>(n * t));
}

std::vector<std::vector<int64_t>> ConfusionMatrix(const Tensor& output, const Tensor& labels) {
  if (Top1Accuracy(output, labels) < 0.0) return {};
  const int64_t n = output.shape[0], classes = output.shape.back();
  std::vector<std::vector<int64_t>> counts(static_cast<size_t>(classes),
                                           std::vector<int64_t>(static_cast<size_t>(classes), 0));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t label = labels.i64[static_cast<size_t>(i)];
    if (label < 0 || label >= classes) return {};
    const float* row = output.f32.data() + i * classes;
    const auto predicted = std::max_element(row, row + classes) - row;
    ++counts[static_cast<size_t>(label)][static_cast<size_t>(predicted)];
  }
  return counts;
}

std::vector<RocPoint> RocCurve(const std::vector<double>& scores, const std::vector<int64_t>& labels) {
  std::vector<std::pair<double, bool>> sorted;
  for (size_t i = 0; i < scores.size(); ++i) sorted.push_back({scores[i], labels[i] != 0});
  std::sort(sorted.begin(), sorted.end());
  // Per distinct score: how many positives and negatives score at most it.
  std::vector<double> distinct;
  std::vector<int64_t> pos_at_most, neg_at_most;
  int64_t pos = 0, neg = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    (sorted[i].second ? pos : neg) += 1;
    if (i + 1 < sorted.size() && sorted[i + 1].first == sorted[i].first) continue;
    distinct.push_back(sorted[i].first);
    pos_at_most.push_back(pos);
    neg_at_most.push_back(neg);
  }
  if (pos == 0 || neg == 0) return {};
  const auto rate = [](int64_t a, int64_t b) { return static_cast<double>(a) / static_cast<double>(b); };
  // Below every score everything is flagged: (1, 1).
  std::vector<RocPoint> roc{{std::nextafter(distinct.front(), -INFINITY), 1.0, 1.0}};
  const size_t d = distinct.size();
  const size_t keep = std::min<size_t>(d, kMaxRocPoints - 1);
  for (size_t k = 0; k < keep; ++k) {
    // Evenly over the distinct scores, always ending at the largest: (0, 0).
    const size_t i = keep == 1 ? d - 1 : k * (d - 1) / (keep - 1);
    roc.push_back({distinct[i], rate(neg - neg_at_most[i], neg), rate(pos - pos_at_most[i], pos)});
  }
  return roc;
}

ScoreHistogram HistogramOfScores(const std::vector<double>& scores, const std::vector<int64_t>& labels) {
  double lo = INFINITY, hi = 0.0;
  for (double s : scores) {
    if (s > 0.0) lo = std::min(lo, s);
    hi = std::max(hi, s);
  }
  if (!(hi > 0.0)) hi = 1e-12;
  if (!(lo < hi)) lo = hi / 10.0;
  const double llo = std::log10(lo), lhi = std::log10(hi);
  ScoreHistogram h;
  for (int k = 0; k <= kHistogramBins; ++k) h.edges.push_back(std::pow(10.0, llo + (lhi - llo) * k / kHistogramBins));
  h.normal.assign(kHistogramBins, 0);
  h.anomalous.assign(kHistogramBins, 0);
  for (size_t i = 0; i < scores.size(); ++i) {
    const double t = scores[i] > 0.0 ? (std::log10(scores[i]) - llo) / (lhi - llo) : 0.0;
    const int bin = std::clamp(static_cast<int>(std::floor(t * kHistogramBins)), 0, kHistogramBins - 1);
    ++(labels[i] != 0 ? h.anomalous : h.normal)[static_cast<size_t>(bin)];
  }
  return h;
}

TaskFigures ComputeTaskFigures(const Tensor& output, const Tensor& labels, const Tensor* input,
                               std::optional<double> threshold, Task task) {
  TaskFigures f;
  if (labels.i64.empty() || task == Task::kRegression) return f;
  if (input != nullptr && threshold.has_value()) {
    const int64_t n = input->shape.empty() ? 0 : input->shape[0];
    if (n > 0 && labels.num_elements() == n && input->num_elements() == output.num_elements()) {
      const std::vector<double> scores = ReconstructionScores(input->f32, output.f32, n);
      const AnomalyMetrics m = EvaluateAnomaly(scores, labels.i64, *threshold);
      f.auc = RocAuc(scores, labels.i64);
      f.recall = m.recall;
      f.threshold = threshold;
      f.roc = RocCurve(scores, labels.i64);
      f.histogram = HistogramOfScores(scores, labels.i64);
    }
    return f;
  }
  if (task != Task::kClassifier) f.perplexity = Perplexity(output, labels);
  if (f.perplexity.has_value() || task == Task::kLanguageModel || task == Task::kAnomaly) return f;
  const double accuracy = Top1Accuracy(output, labels);
  if (accuracy >= 0.0) f.accuracy = accuracy;
  f.confusion = ConfusionMatrix(output, labels);
  return f;
}

}  // namespace tml::verification
