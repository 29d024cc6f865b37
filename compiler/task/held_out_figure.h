// The figure fine-tuning reports for a task on its held-out samples, student
// (the compressed model) against the original (the teacher), without needing
// the verification labels:
//   classifier   top-1 agreement with the original (and accuracy with labels)
//   anomaly      mean reconstruction score (mean squared input − output)
//   regression   relative error ‖s − t‖ / ‖t‖ and SNR in dB
//   lm           perplexity of the next tokens, read from the token input
//                itself (position t predicts input t + 1), for both models
#ifndef TML_COMPILER_TASK_HELD_OUT_FIGURE_H_
#define TML_COMPILER_TASK_HELD_OUT_FIGURE_H_

#include <string>
#include <vector>

#include "compiler/ir/tensor.h"
#include "compiler/task/task.h"

namespace tml {

struct HeldOutFigure {
  std::string name;          // "top-1 agreement", "reconstruction score", "relative error", "perplexity"
  double value = 0.0;        // the student's
  double original = 0.0;     // the teacher's (1 for agreement, 0 for relative error)
  bool higher_is_better = false;
  std::string text;          // "perplexity 5.432 (original 5.210)"
  // A trivial predictor does at least as well as the student (and worse than
  // the original): the collapse sign of compiler/task/collapse.h.
  bool worse_than_trivial = false;
  std::string trivial_detail;
};

// Samples are parallel vectors: the model input, the student's and the
// teacher's first output (shapes per sample); `labels` one class per sample
// (empty: none; used for a classifier's accuracy only). `train_tokens` (lm):
// the training samples' token ids, whose unigram frequencies are the trivial
// predictor (empty: the held-out tokens' own).
HeldOutFigure ComputeHeldOutFigure(Task task, const std::vector<const Tensor*>& inputs,
                                   const std::vector<const Tensor*>& student,
                                   const std::vector<const Tensor*>& teacher,
                                   const std::vector<int64_t>& labels,
                                   const std::vector<int64_t>& train_tokens = {});

}  // namespace tml

#endif  // TML_COMPILER_TASK_HELD_OUT_FIGURE_H_
