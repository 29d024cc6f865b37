#include "passes/wake_gate_calibration.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace tml {
namespace {

using Features = std::array<double, kWakeGateFeatures>;

std::vector<Features> WindowFeatures(const std::vector<float>& windows, int64_t size, int64_t stride) {
  std::vector<Features> out;
  const int64_t count = static_cast<int64_t>(windows.size()) / size;
  for (int64_t w = 0; w < count; ++w) {
    const std::array<float, kWakeGateFeatures> f =
        ComputeWindowStats(windows.data() + w * size, size, stride).Features();
    Features d{};
    for (size_t k = 0; k < f.size(); ++k) d[k] = f[k];
    out.push_back(d);
  }
  return out;
}

// Logistic regression, relevant = 1, on standardized features; both classes
// weigh half (the sets' sizes are the user's choice, not priors). Returns the
// weights and bias in the units of the raw statistics.
void TrainLogistic(const std::vector<Features>& relevant, const std::vector<Features>& irrelevant,
                   WakeGate* gate) {
  Features mean{}, scale{};
  const double total = static_cast<double>(relevant.size() + irrelevant.size());
  for (const auto* set : {&relevant, &irrelevant}) {
    for (const Features& f : *set) {
      for (size_t k = 0; k < f.size(); ++k) mean[k] += f[k] / total;
    }
  }
  for (const auto* set : {&relevant, &irrelevant}) {
    for (const Features& f : *set) {
      for (size_t k = 0; k < f.size(); ++k) scale[k] += (f[k] - mean[k]) * (f[k] - mean[k]) / total;
    }
  }
  for (double& s : scale) s = s > 1e-24 ? std::sqrt(s) : 1.0;
  Features w{};
  double b = 0.0;
  constexpr int kIterations = 3000;
  constexpr double kRate = 0.5, kL2 = 1e-4;
  for (int it = 0; it < kIterations; ++it) {
    Features grad_w{};
    double grad_b = 0.0;
    for (int label = 0; label < 2; ++label) {
      const std::vector<Features>& set = label == 1 ? relevant : irrelevant;
      const double weight = 0.5 / static_cast<double>(set.size());
      for (const Features& f : set) {
        double z = b;
        for (size_t k = 0; k < f.size(); ++k) z += w[k] * (f[k] - mean[k]) / scale[k];
        const double error = (1.0 / (1.0 + std::exp(-z)) - label) * weight;
        for (size_t k = 0; k < f.size(); ++k) grad_w[k] += error * (f[k] - mean[k]) / scale[k];
        grad_b += error;
      }
    }
    for (size_t k = 0; k < w.size(); ++k) w[k] -= kRate * (grad_w[k] + kL2 * w[k]);
    b -= kRate * grad_b;
  }
  double bias = b;
  for (size_t k = 0; k < w.size(); ++k) {
    gate->weights[k] = static_cast<float>(w[k] / scale[k]);
    bias -= w[k] * mean[k] / scale[k];
  }
  gate->bias = static_cast<float>(bias);
}

}  // namespace

StatusOr<WakeGateCalibration> CalibrateWakeGate(WakeGateKind kind, int64_t size, int64_t stride,
                                                const std::vector<float>& relevant,
                                                const std::vector<float>& irrelevant, double recall,
                                                bool int8_twin, int64_t frames) {
  if (!(recall > 0.0 && recall <= 1.0)) {
    return InvalidInput("--gate-recall {:g}: expected a fraction in (0, 1], e.g. 0.99", recall);
  }
  if (size < 2 || stride < 1 || stride >= size) {
    return InvalidInput("--gate: the model input ({} values, {} per time step) is too small for a gate", size,
                        stride);
  }
  const int64_t steps = size / stride;
  if (frames < 0 || frames > steps) {
    return InvalidInput("--gate-frames {}: expected 1..{} (the time steps of a window), or 0 for all", frames, steps);
  }
  if (frames > 0 && kind == WakeGateKind::kLinear) {
    return InvalidInput("--gate-frames applies to --gate energy and delta (linear uses the whole window)");
  }
  const int64_t n_relevant = static_cast<int64_t>(relevant.size()) / size;
  const int64_t n_irrelevant = static_cast<int64_t>(irrelevant.size()) / size;
  if (n_relevant == 0) return InvalidInput("--gate-calib: no relevant windows");
  if (n_irrelevant == 0) return InvalidInput("--gate-discard: no irrelevant windows");
  if (int8_twin && size > kWakeGateS8MaxSize) {
    return InvalidInput("--gate with --quantize int8: the int8 gate takes at most {} values per window, the model "
                        "input has {}",
                        kWakeGateS8MaxSize, size);
  }
  WakeGateCalibration c;
  c.relevant = n_relevant;
  c.irrelevant = n_irrelevant;
  WakeGate& gate = c.gate;
  gate.kind = kind;
  gate.size = size;
  gate.stride = stride;
  gate.frames = frames;
  if (kind == WakeGateKind::kDelta) {
    double idle = 0.0;
    for (int64_t w = 0; w < n_irrelevant; ++w) {
      idle += ComputeWindowStats(irrelevant.data() + w * size, size, stride, WakeGateEnergyStart(gate)).mean_square;
    }
    gate.baseline = static_cast<float>(idle / static_cast<double>(n_irrelevant));
    gate.alpha = 1.0f / 16.0f;
  }
  if (int8_twin) {
    float largest = 0.0f;
    for (const auto* set : {&relevant, &irrelevant}) {
      for (float v : *set) largest = std::max(largest, std::fabs(v));
    }
    gate.s8_scale = largest > 0.0f ? largest / 127.0f : 1.0f;
  }
  if (kind == WakeGateKind::kLinear) {
    TrainLogistic(WindowFeatures(relevant, size, stride), WindowFeatures(irrelevant, size, stride), &gate);
  }
  // Relevant windows each against the reset state (Statistic does not update it).
  const WakeGateRunner fresh(gate);
  std::vector<float> stats;
  for (int64_t w = 0; w < n_relevant; ++w) stats.push_back(fresh.Statistic(relevant.data() + w * size));
  std::sort(stats.begin(), stats.end());
  const int64_t must_pass = static_cast<int64_t>(std::ceil(recall * static_cast<double>(n_relevant) - 1e-9));
  gate.threshold = stats[static_cast<size_t>(n_relevant - std::max<int64_t>(must_pass, 1))];
  int64_t passed = 0;
  for (float s : stats) passed += s >= gate.threshold;
  c.relevant_pass = static_cast<double>(passed) / static_cast<double>(n_relevant);
  const std::vector<uint8_t> decisions = DecideAll(gate, irrelevant, n_irrelevant);
  int64_t discarded = 0;
  for (uint8_t d : decisions) discarded += d == 0;
  c.irrelevant_discard = static_cast<double>(discarded) / static_cast<double>(n_irrelevant);
  return c;
}

}  // namespace tml
