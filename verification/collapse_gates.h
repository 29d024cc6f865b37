// The "collapse" release gates (compiler/task/collapse.h has the tests): a
// firmware whose outputs hardly vary across the test samples, or whose task
// figure is no better than a trivial predictor's while the float original's
// is, never passes verification, whatever the other gates say. They apply by
// default to every model with at least 2 test samples.
//   collapse: output spread   firmware spread / original spread >= 0.01
//   collapse: trivial predictor
//       classifier  accuracy above always answering the majority label
//       lm          perplexity below the labels' unigram perplexity
//       anomaly     AUC above 0.5
//       regression  closer to the original's outputs than their mean is
// verify.cc adds "collapse: fine-tuning", failed whenever the fine-tune pass
// reported a collapse on its held-out samples (the manifest keeps it).
#ifndef TML_VERIFICATION_COLLAPSE_GATES_H_
#define TML_VERIFICATION_COLLAPSE_GATES_H_

#include <vector>

#include "compiler/ir/tensor.h"
#include "compiler/task/task.h"
#include "verification/gates.h"

namespace tml::verification {

// `firmware` and `original` are the first output over all samples ([N, ...]),
// `labels` the test labels (may be empty), figures as ComputeTaskFigures gave.
std::vector<GateResult> CollapseGates(Task task, const Tensor& firmware, const Tensor& original,
                                      const Tensor& labels, const TaskFigures& fw,
                                      const TaskFigures& ref);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_COLLAPSE_GATES_H_
