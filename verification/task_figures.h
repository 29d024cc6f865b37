// The task figures of a model's outputs on labelled test data, computed the
// same way for the float original (reference interpreter) and the firmware,
// so a gate compares like with like:
//   accuracy    top-1 of the first output against integer labels [N]
//               (one class vector per sample)
//   perplexity  exp(mean cross-entropy) of per-position logits [N, T, V]
//               against next-token labels [N, T]
//   auc,recall  anomaly detectors (--anomaly): ROC AUC of the reconstruction
//               scores, and the recall (anomalies flagged) at the threshold
// A figure that does not apply is absent.
#ifndef TML_VERIFICATION_TASK_FIGURES_H_
#define TML_VERIFICATION_TASK_FIGURES_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "compiler/ir/tensor.h"
#include "compiler/task/task.h"

namespace tml::verification {

struct TaskFigures {
  std::optional<double> accuracy;    // fraction
  std::optional<double> perplexity;
  std::optional<double> auc, recall;
  std::optional<double> threshold;   // the anomaly threshold the recall is taken at
};

// `output` is the first model output over all samples ([N, ...]); `labels`
// the labels file's tensor (may be empty); `input` the model's only input
// ([N, ...], for reconstruction scores) when the model is an anomaly
// detector with `threshold`.
// `task` keeps the figures to the ones that fit it (kAuto: all that apply).
TaskFigures ComputeTaskFigures(const Tensor& output, const Tensor& labels, const Tensor* input,
                               std::optional<double> threshold, Task task = Task::kAuto);

// Cross-entropy perplexity of logits [N, T, V] (any leading 1s dropped) against
// labels [N, T]; nullopt when the shapes are not those.
std::optional<double> Perplexity(const Tensor& logits, const Tensor& labels);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_TASK_FIGURES_H_
