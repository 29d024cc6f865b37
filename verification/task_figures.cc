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
    }
    return f;
  }
  if (task != Task::kClassifier) f.perplexity = Perplexity(output, labels);
  if (f.perplexity.has_value() || task == Task::kLanguageModel || task == Task::kAnomaly) return f;
  const double accuracy = Top1Accuracy(output, labels);
  if (accuracy >= 0.0) f.accuracy = accuracy;
  return f;
}

}  // namespace tml::verification
