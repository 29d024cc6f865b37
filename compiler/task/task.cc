#include "compiler/task/task.h"

namespace tml {

const char* TaskName(Task task) {
  switch (task) {
    case Task::kClassifier:
      return "classifier";
    case Task::kAnomaly:
      return "anomaly";
    case Task::kRegression:
      return "regression";
    case Task::kLanguageModel:
      return "lm";
    case Task::kAuto:
      break;
  }
  return "auto";
}

StatusOr<Task> ParseTask(const std::string& text) {
  for (Task t : {Task::kAuto, Task::kClassifier, Task::kAnomaly, Task::kRegression,
                 Task::kLanguageModel}) {
    if (text == TaskName(t)) return t;
  }
  return InvalidInput("--task {}: expected classifier, anomaly, regression, lm or auto", text);
}

Task DetectTask(const TaskShapes& shapes, Task requested) {
  if (requested != Task::kAuto) return requested;
  if (shapes.anomaly) return Task::kAnomaly;
  const Shape out = StripLeadingOnes(shapes.output);
  const Shape in = StripLeadingOnes(shapes.input);
  const bool per_position_logits = out.size() >= 2 && out.back() > 1;
  const bool next_token_labels =
      shapes.has_labels && shapes.labels.size() == 1 && out.size() == 2 && shapes.labels[0] == out[0];
  if (per_position_logits && (shapes.token_input || next_token_labels)) return Task::kLanguageModel;
  if (!shapes.token_input && out == in) return Task::kAnomaly;
  if (out.size() == 1 && out[0] > 1) return Task::kClassifier;
  return Task::kRegression;
}

}  // namespace tml
