#include "verification/gates.h"

#include <cmath>

#include <fmt/format.h>

namespace tml::verification {
namespace {

GateResult Gate(std::string name, double value, double limit, bool is_max, bool by_default,
                std::string unit, std::string detail) {
  GateResult g{std::move(name), value, limit, is_max, by_default, false, std::move(unit), std::move(detail)};
  g.passed = is_max ? value <= limit : value >= limit;  // NaN fails both
  return g;
}

void AccuracyGates(const Gates& req, const TaskFigures& fw, const TaskFigures& ref,
                   std::vector<GateResult>* gates) {
  if (!fw.accuracy.has_value()) return;
  const std::string detail = fmt::format("firmware {:.2f}%, float {:.2f}%", 100 * *fw.accuracy,
                                         100 * ref.accuracy.value_or(NAN));
  if (req.min_accuracy.has_value()) {
    gates->push_back(Gate("accuracy", 100 * *fw.accuracy, *req.min_accuracy, false, false, "%", detail));
  }
  if (ref.accuracy.has_value()) {
    const double drop = 100 * (*ref.accuracy - *fw.accuracy);
    gates->push_back(Gate("accuracy drop", drop, req.max_accuracy_drop.value_or(kDefaultAccuracyDrop), true,
                          !req.max_accuracy_drop.has_value(), " points", detail));
  }
}

void AnomalyGates(const Gates& req, const TaskFigures& fw, const TaskFigures& ref,
                  std::vector<GateResult>* gates) {
  if (!fw.auc.has_value()) return;
  const std::string detail = fmt::format("firmware {:.4f}, float {:.4f}", *fw.auc, ref.auc.value_or(NAN));
  if (req.min_auc.has_value()) gates->push_back(Gate("AUC", *fw.auc, *req.min_auc, false, false, "", detail));
  if (ref.auc.has_value()) {
    gates->push_back(Gate("AUC drop", *ref.auc - *fw.auc, req.max_auc_drop.value_or(kDefaultAucDrop), true,
                          !req.max_auc_drop.has_value(), "", detail));
  }
  if (fw.recall.has_value() && ref.recall.has_value()) {
    gates->push_back(Gate("recall drop", *ref.recall - *fw.recall, req.max_recall_drop.value_or(kDefaultRecallDrop),
                          true, !req.max_recall_drop.has_value(), "",
                          fmt::format("recall at the threshold: firmware {:.4f}, float {:.4f}", *fw.recall,
                                      *ref.recall)));
  }
}

}  // namespace

std::string GateResult::Describe() const {
  const char* relation = is_max ? (passed ? "<=" : ">") : (passed ? ">=" : "<");
  return fmt::format("{} {:.4g}{} {} {:g}{} ({})", name, value, unit, relation, limit, unit, detail);
}

std::vector<GateResult> EvaluateGates(const Gates& req, bool uncompressed_float, const TaskFigures& fw,
                                      const TaskFigures& ref, double worst_relative_error) {
  std::vector<GateResult> gates;
  if (req.max_relative_error.has_value() || uncompressed_float) {
    gates.push_back(Gate("relative error", worst_relative_error,
                         req.max_relative_error.value_or(kDefaultFloatRelativeError), true,
                         !req.max_relative_error.has_value(), "", "max abs error / max abs reference"));
  }
  AccuracyGates(req, fw, ref, &gates);
  AnomalyGates(req, fw, ref, &gates);
  if (fw.perplexity.has_value() && ref.perplexity.has_value()) {
    const double increase = 100 * (*fw.perplexity / *ref.perplexity - 1);
    gates.push_back(Gate("perplexity increase", increase,
                         req.max_perplexity_increase.value_or(kDefaultPerplexityIncrease), true,
                         !req.max_perplexity_increase.has_value(), "%",
                         fmt::format("firmware {:.4g}, float {:.4g}", *fw.perplexity, *ref.perplexity)));
  }
  return gates;
}

}  // namespace tml::verification
