#include "compiler/task/collapse.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

namespace tml {
namespace {

// Per-element mean over the samples.
std::vector<double> ElementMeans(const std::vector<float>& v, int64_t samples) {
  const size_t per = v.size() / static_cast<size_t>(samples);
  std::vector<double> mean(per, 0.0);
  for (size_t s = 0; s < static_cast<size_t>(samples); ++s) {
    for (size_t k = 0; k < per; ++k) mean[k] += v[s * per + k];
  }
  for (double& m : mean) m /= static_cast<double>(samples);
  return mean;
}

}  // namespace

double OutputSpread(const std::vector<float>& outputs, int64_t samples) {
  if (samples < 2 || outputs.empty() || outputs.size() % static_cast<size_t>(samples) != 0) return 0.0;
  const size_t per = outputs.size() / static_cast<size_t>(samples);
  const std::vector<double> mean = ElementMeans(outputs, samples);
  double total = 0.0;
  for (size_t k = 0; k < per; ++k) {
    double var = 0.0;
    for (size_t s = 0; s < static_cast<size_t>(samples); ++s) {
      const double d = outputs[s * per + k] - mean[k];
      var += d * d;
    }
    total += std::sqrt(var / static_cast<double>(samples - 1));
  }
  return total / static_cast<double>(per);
}

std::string CollapseCheck::Describe() const {
  if (!collapsed) return "";
  std::string why;
  if (spread < kCollapseSpreadFraction * original_spread) {
    why = fmt::format("its output spread across samples is {:.3g} against {:.3g} for the original "
                      "(below {:g} %)",
                      spread, original_spread, 100 * kCollapseSpreadFraction);
  }
  if (worse_than_trivial) {
    why += (why.empty() ? "" : "; ") + std::string("it is worse than a trivial predictor (") +
           trivial_detail + ")";
  }
  return "the model has collapsed: " + why;
}

CollapseCheck CheckCollapse(const std::vector<float>& outputs,
                            const std::vector<float>& original_outputs, int64_t samples,
                            bool worse_than_trivial, const std::string& trivial_detail) {
  CollapseCheck c;
  c.spread = OutputSpread(outputs, samples);
  c.original_spread = OutputSpread(original_outputs, samples);
  c.worse_than_trivial = worse_than_trivial;
  c.trivial_detail = trivial_detail;
  const bool flat = c.original_spread > 0.0 && !(c.spread >= kCollapseSpreadFraction * c.original_spread);
  c.collapsed = flat || worse_than_trivial;
  return c;
}

double MajorityClassAccuracy(const std::vector<int64_t>& labels) {
  if (labels.empty()) return 0.0;
  std::map<int64_t, int64_t> counts;
  for (int64_t l : labels) ++counts[l];
  int64_t best = 0;
  for (const auto& [label, n] : counts) best = std::max(best, n);
  return static_cast<double>(best) / static_cast<double>(labels.size());
}

double UnigramPerplexity(const std::vector<int64_t>& labels) {
  if (labels.empty()) return 1.0;
  std::map<int64_t, int64_t> counts;
  for (int64_t l : labels) ++counts[l];
  const double n = static_cast<double>(labels.size());
  double entropy = 0.0;
  for (const auto& [label, c] : counts) entropy -= (static_cast<double>(c) / n) * std::log(static_cast<double>(c) / n);
  return std::exp(entropy);
}

double HeldOutUnigramPerplexity(const std::vector<int64_t>& train, const std::vector<int64_t>& tokens,
                                int64_t vocab) {
  if (tokens.empty() || vocab < 1) return 1.0;
  std::map<int64_t, int64_t> counts;
  for (int64_t t : train) ++counts[t];
  const double total = static_cast<double>(train.size() + static_cast<size_t>(vocab));
  double nll = 0.0;
  for (int64_t t : tokens) {
    const auto it = counts.find(t);
    nll -= std::log((static_cast<double>(it == counts.end() ? 0 : it->second) + 1.0) / total);
  }
  return std::exp(nll / static_cast<double>(tokens.size()));
}

bool WorseThanMeanPredictor(const std::vector<float>& outputs, const std::vector<float>& reference,
                            int64_t samples) {
  if (samples < 2 || outputs.size() != reference.size() || reference.empty()) return false;
  const size_t per = reference.size() / static_cast<size_t>(samples);
  const std::vector<double> mean = ElementMeans(reference, samples);
  double err = 0.0, constant = 0.0;
  for (size_t i = 0; i < reference.size(); ++i) {
    err += (outputs[i] - static_cast<double>(reference[i])) * (outputs[i] - static_cast<double>(reference[i]));
    constant += (mean[i % per] - reference[i]) * (mean[i % per] - reference[i]);
  }
  return constant > 0.0 && err >= constant;
}

}  // namespace tml
