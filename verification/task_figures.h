// The task figures of a model's outputs on labelled test data, computed the
// same way for the float original (reference interpreter) and the firmware,
// so a gate compares like with like:
//   accuracy    top-1 of the first output against integer labels [N]
//               (one class vector per sample)
//   perplexity  exp(mean cross-entropy) of per-position logits [N, T, V]
//               against next-token labels [N, T]
//   auc,recall  anomaly detectors (--anomaly): ROC AUC of the reconstruction
//               scores, and the recall (anomalies flagged) at the threshold
//   confusion   classifiers: counts[true][predicted] over the classes
//   roc         anomaly detectors: (false positive rate, true positive rate)
//               at every distinct score used as threshold (score > t flags),
//               at most kMaxRocPoints of them (thinned evenly over the sorted
//               distinct scores), from (1, 1) down to (0, 0)
//   histogram   anomaly detectors: the scores of normal and anomalous samples
//               over kHistogramBins bins, equal in log10(score) between the
//               smallest positive and the largest score (0 falls in bin 0),
//               the same edges for both classes
// A figure that does not apply is absent.
#ifndef TML_VERIFICATION_TASK_FIGURES_H_
#define TML_VERIFICATION_TASK_FIGURES_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "compiler/ir/tensor.h"
#include "compiler/task/task.h"

namespace tml::verification {

inline constexpr int kMaxRocPoints = 201;
inline constexpr int kHistogramBins = 24;

struct RocPoint {
  double threshold = 0.0;  // samples scoring above it are flagged
  double fpr = 0.0, tpr = 0.0;
};

struct ScoreHistogram {
  std::vector<double> edges;  // kHistogramBins + 1, increasing
  std::vector<int64_t> normal, anomalous;  // kHistogramBins counts each
};

struct TaskFigures {
  std::optional<double> accuracy;    // fraction
  std::optional<double> perplexity;
  std::optional<double> auc, recall;
  std::optional<double> threshold;   // the anomaly threshold the recall is taken at
  // Classifiers: confusion[true class][predicted class]; empty when not one.
  std::vector<std::vector<int64_t>> confusion;
  // Anomaly detectors (with labels): the ROC curve and the score histogram.
  std::vector<RocPoint> roc;
  std::optional<ScoreHistogram> histogram;
};

// `output` is the first model output over all samples ([N, ...]); `labels`
// the labels file's tensor (may be empty); `input` the model's only input
// ([N, ...], for reconstruction scores) when the model is an anomaly
// detector with `threshold`.
// `task` keeps the figures to the ones that fit it (kAuto: all that apply).
TaskFigures ComputeTaskFigures(const Tensor& output, const Tensor& labels, const Tensor* input,
                               std::optional<double> threshold, Task task = Task::kAuto);

// The confusion matrix of an [N, classes] output against N integer labels in
// [0, classes); empty when the output is not one class vector per sample or a
// label is out of range.
std::vector<std::vector<int64_t>> ConfusionMatrix(const Tensor& output, const Tensor& labels);

// The ROC points and the score histogram of anomaly `scores` against `labels`
// (1 = anomaly); see above.
std::vector<RocPoint> RocCurve(const std::vector<double>& scores, const std::vector<int64_t>& labels);
ScoreHistogram HistogramOfScores(const std::vector<double>& scores, const std::vector<int64_t>& labels);

// Cross-entropy perplexity of logits [N, T, V] (any leading 1s dropped) against
// labels [N, T]; nullopt when the shapes are not those.
std::optional<double> Perplexity(const Tensor& logits, const Tensor& labels);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_TASK_FIGURES_H_
