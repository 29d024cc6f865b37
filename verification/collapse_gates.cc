#include "verification/collapse_gates.h"

#include <fmt/format.h>

#include "compiler/task/collapse.h"

namespace tml::verification {
namespace {

GateResult TrivialGate(double value, double limit, bool is_max, std::string detail) {
  GateResult g;
  g.name = "collapse: trivial predictor";
  g.value = value;
  g.limit = limit;
  g.is_max = is_max;
  g.by_default = true;
  g.passed = is_max ? value < limit : value > limit;  // NaN fails
  g.detail = std::move(detail);
  return g;
}

}  // namespace

std::vector<GateResult> CollapseGates(Task task, const Tensor& firmware, const Tensor& original,
                                      const Tensor& labels, const TaskFigures& fw,
                                      const TaskFigures& ref) {
  std::vector<GateResult> gates;
  const int64_t samples = original.shape.empty() ? 0 : original.shape[0];
  if (samples < 2) return gates;
  const CollapseCheck c = CheckCollapse(firmware.f32, original.f32, samples);
  if (c.original_spread > 0.0) {
    GateResult g;
    g.name = "collapse: output spread";
    g.value = c.spread / c.original_spread;
    g.limit = kCollapseSpreadFraction;
    g.is_max = false;
    g.by_default = true;
    g.passed = !c.collapsed;
    g.detail = fmt::format("spread across samples: firmware {:.3g}, float {:.3g}", c.spread,
                           c.original_spread);
    gates.push_back(g);
  }
  if (task == Task::kClassifier && fw.accuracy && ref.accuracy && labels.shape.size() == 1) {
    const double majority = MajorityClassAccuracy(labels.i64);
    if (*ref.accuracy > majority) {
      gates.push_back(TrivialGate(100 * *fw.accuracy, 100 * majority, false,
                                  fmt::format("accuracy %: firmware vs always the majority label; "
                                              "float {:.2f}%",
                                              100 * *ref.accuracy)));
    }
  } else if (task == Task::kLanguageModel && fw.perplexity && ref.perplexity) {
    const double unigram = UnigramPerplexity(labels.i64);
    if (*ref.perplexity < unigram) {
      gates.push_back(TrivialGate(*fw.perplexity, unigram, true,
                                  fmt::format("perplexity: firmware vs the labels' unigram "
                                              "predictor; float {:.4g}",
                                              *ref.perplexity)));
    }
  } else if (task == Task::kAnomaly && fw.auc && ref.auc && *ref.auc > 0.5) {
    gates.push_back(TrivialGate(*fw.auc, 0.5, false,
                                fmt::format("AUC: firmware vs chance; float {:.4f}", *ref.auc)));
  } else if (task == Task::kRegression && WorseThanMeanPredictor(firmware.f32, original.f32, samples)) {
    gates.push_back(TrivialGate(1.0, 1.0, true,
                                "the firmware's outputs are no closer to the float original's "
                                "than their mean over the samples"));
  }
  return gates;
}

}  // namespace tml::verification
