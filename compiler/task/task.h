// The task a model serves, which decides the figure fine-tuning and
// verification print and judge it by:
//   classifier   top-1 agreement with the original / accuracy against labels
//   anomaly      reconstruction score (an autoencoder: output shaped like its
//                input), ROC AUC when labels exist
//   regression   relative error and SNR against the original's outputs
//   lm           perplexity / cross-entropy of per-position logits [T, V]
//                against the next tokens
// DetectTask reads it from the shapes and labels; `--task` overrides it.
#ifndef TML_COMPILER_TASK_TASK_H_
#define TML_COMPILER_TASK_TASK_H_

#include <string>

#include "compiler/ir/tensor.h"
#include "compiler/status.h"

namespace tml {

enum class Task { kAuto, kClassifier, kAnomaly, kRegression, kLanguageModel };

// "classifier", "anomaly", "regression", "lm" ("auto" for kAuto).
const char* TaskName(Task task);
// Parses a --task value (the names above); the error names the flag.
StatusOr<Task> ParseTask(const std::string& text);

// What detection looks at. Shapes are per sample (leading 1s allowed).
struct TaskShapes {
  Shape input;
  bool token_input = false;   // int32/int64 token ids
  Shape output;               // the first output
  bool has_labels = false;
  Shape labels;               // one sample's labels: [] for a class, [T] for next tokens
  bool anomaly = false;       // --anomaly
};

// `requested` unless it is kAuto, else: --anomaly -> anomaly; per-position
// logits [T, V] (V > 1) from token ids, or with [N, T] labels -> lm; an output
// shaped like its float input -> anomaly (reconstruction); one score per class
// ([C], C > 1) -> classifier; anything else -> regression.
Task DetectTask(const TaskShapes& shapes, Task requested = Task::kAuto);

}  // namespace tml

#endif  // TML_COMPILER_TASK_TASK_H_
