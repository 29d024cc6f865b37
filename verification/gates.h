// Release gates of `verify`: what the firmware must reach for "verification
// passed" (exit 0). A failed gate makes verify exit 1 naming the gate, the
// figure and the limit.
//
//   --min-accuracy A              firmware accuracy >= A (percent)
//   --max-accuracy-drop P         float accuracy − firmware accuracy <= P points
//   --min-auc X                   firmware anomaly AUC >= X
//   --max-auc-drop D              float AUC − firmware AUC <= D
//   --max-recall-drop R           float recall − firmware recall <= R, each at
//                                 its own model's threshold (anomaly detectors)
//   --max-perplexity-increase PCT firmware perplexity <= float · (1 + PCT/100)
//   --max-relative-error T        max abs error / max abs reference <= T per
//                                 output (alias: --tolerance)
//
// Defaults, when labels are given and the figure applies: accuracy drop 1
// point; AUC drop 0.01 and recall drop 0.05; perplexity increase 2 %. The raw
// relative-error gate applies by default only to uncompressed float builds
// (1e-3): a compressed or int8 model is judged by its task, not by how far
// its raw outputs moved.
#ifndef TML_VERIFICATION_GATES_H_
#define TML_VERIFICATION_GATES_H_

#include <optional>
#include <string>
#include <vector>

#include "verification/task_figures.h"

namespace tml::verification {

struct Gates {
  std::optional<double> min_accuracy;             // percent
  std::optional<double> max_accuracy_drop;        // points
  std::optional<double> min_auc;
  std::optional<double> max_auc_drop;
  std::optional<double> max_recall_drop;
  std::optional<double> max_perplexity_increase;  // percent
  std::optional<double> max_relative_error;
};

inline constexpr double kDefaultAccuracyDrop = 1.0;       // points
inline constexpr double kDefaultAucDrop = 0.01;
inline constexpr double kDefaultRecallDrop = 0.05;
inline constexpr double kDefaultPerplexityIncrease = 2.0;  // percent
inline constexpr double kDefaultFloatRelativeError = 1e-3;

struct GateResult {
  std::string name;     // "accuracy drop", ...
  double value = 0.0;   // the figure judged (in the gate's unit)
  double limit = 0.0;
  bool is_max = true;   // value <= limit passes (else value >= limit)
  bool by_default = false;
  bool passed = false;
  std::string unit;     // " points", "%", ""
  std::string detail;   // "firmware 98.33%, float 98.61%"
  std::string Describe() const;  // "accuracy drop 0.28 points <= 1 (firmware ..., float ...)"
};

// Evaluates the requested gates and the defaults that apply.
// `uncompressed_float`: the build is float and no pass changed its weights.
std::vector<GateResult> EvaluateGates(const Gates& requested, bool uncompressed_float,
                                      const TaskFigures& firmware, const TaskFigures& original,
                                      double worst_relative_error);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_GATES_H_
