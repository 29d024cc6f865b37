#include "compiler/gate/wake_gate.h"

#include <algorithm>
#include <cmath>

namespace tml {

// Every operation is a single float operation in the order of the generated
// loop (codegen/gate_emitter.cc): IEEE single precision is exact on the host
// and on the M4's FPU, and neither side contracts a*b+c (ISO C/C++ modes), so
// the two agree bit for bit.
WindowStats ComputeWindowStats(const float* x, int64_t size, int64_t stride, int64_t energy_start) {
  float sum = 0.0f, sum_square = 0.0f, peak = 0.0f, diff_square = 0.0f;
  int64_t crossings = 0;
  for (int64_t i = 0; i < size; ++i) {
    const float v = x[i];
    sum += v;
    if (i >= energy_start) sum_square += v * v;
    const float magnitude = v < 0.0f ? -v : v;
    if (magnitude > peak) peak = magnitude;
    if (i >= stride) {
      const float previous = x[i - stride];
      const float d = v - previous;
      diff_square += d * d;
      if ((v < 0.0f) != (previous < 0.0f)) ++crossings;
    }
  }
  WindowStats s;
  const float n = static_cast<float>(size);
  const float pairs = static_cast<float>(size - stride);
  s.mean = sum / n;
  s.mean_square = sum_square / static_cast<float>(size - energy_start);
  s.variance = s.mean_square - s.mean * s.mean;
  s.zero_crossing_rate = static_cast<float>(crossings) / pairs;
  s.peak = peak;
  s.diff_energy = diff_square / pairs;
  return s;
}

int64_t WakeGateEnergyStart(const WakeGate& gate) {
  return gate.frames > 0 ? gate.size - gate.frames * gate.stride : 0;
}

S8Scales WakeGateS8Scales(const WakeGate& gate) {
  const double s = gate.s8_scale;
  S8Scales k;
  k.mean = static_cast<float>(s / static_cast<double>(gate.size));
  k.square = static_cast<float>(s * s / static_cast<double>(gate.size - WakeGateEnergyStart(gate)));
  k.diff = static_cast<float>(s * s / static_cast<double>(gate.size - gate.stride));
  k.peak = gate.s8_scale;
  return k;
}

// Integer sums in the generated loop's order (exact, so any order would do),
// then one float multiply each by the S8Scales constants.
WindowStats ComputeWindowStatsS8(const int8_t* q, const WakeGate& gate) {
  int32_t sum = 0, sum_square = 0, peak = 0, diff_square = 0, crossings = 0;
  const int64_t energy_start = WakeGateEnergyStart(gate);
  for (int64_t i = 0; i < gate.size; ++i) {
    const int32_t v = q[i];
    sum += v;
    if (i >= energy_start) sum_square += v * v;
    const int32_t magnitude = v < 0 ? -v : v;
    if (magnitude > peak) peak = magnitude;
  }
  for (int64_t i = gate.stride; i < gate.size; ++i) {
    const int32_t v = q[i], previous = q[i - gate.stride];
    const int32_t d = v - previous;
    diff_square += d * d;
    crossings += (v < 0) != (previous < 0);
  }
  const S8Scales k = WakeGateS8Scales(gate);
  WindowStats s;
  s.mean = static_cast<float>(sum) * k.mean;
  s.mean_square = static_cast<float>(sum_square) * k.square;
  s.variance = s.mean_square - s.mean * s.mean;
  s.zero_crossing_rate = static_cast<float>(crossings) / static_cast<float>(gate.size - gate.stride);
  s.peak = static_cast<float>(peak) * k.peak;
  s.diff_energy = static_cast<float>(diff_square) * k.diff;
  return s;
}

std::vector<int8_t> QuantizeWindowS8(const float* x, int64_t size, float scale) {
  std::vector<int8_t> q(static_cast<size_t>(size));
  for (int64_t i = 0; i < size; ++i) {
    const double r = std::nearbyint(static_cast<double>(x[i]) / static_cast<double>(scale));
    q[static_cast<size_t>(i)] = static_cast<int8_t>(std::clamp(r, -127.0, 127.0));
  }
  return q;
}

float WakeGateRunner::StatisticOf(const WindowStats& s) const {
  switch (gate_.kind) {
    case WakeGateKind::kEnergy:
      return s.mean_square;
    case WakeGateKind::kDelta: {
      const float change = s.mean_square - baseline_;
      return change < 0.0f ? -change : change;
    }
    case WakeGateKind::kLinear: {
      const std::array<float, kWakeGateFeatures> f = s.Features();
      float z = gate_.bias;
      for (int k = 0; k < kWakeGateFeatures; ++k) {
        const float term = gate_.weights[static_cast<size_t>(k)] * f[static_cast<size_t>(k)];
        z += term;
      }
      return z;
    }
  }
  return 0.0f;
}

float WakeGateRunner::Statistic(const float* window) const {
  return StatisticOf(ComputeWindowStats(window, gate_.size, gate_.stride, WakeGateEnergyStart(gate_)));
}

bool WakeGateRunner::DecideStats(const WindowStats& s) {
  const bool pass = StatisticOf(s) >= gate_.threshold;
  if (gate_.kind == WakeGateKind::kDelta && !pass) {
    const float step = gate_.alpha * (s.mean_square - baseline_);
    baseline_ += step;
  }
  return pass;
}

bool WakeGateRunner::Decide(const float* window) {
  return DecideStats(ComputeWindowStats(window, gate_.size, gate_.stride, WakeGateEnergyStart(gate_)));
}

bool WakeGateRunner::DecideS8(const int8_t* window) { return DecideStats(ComputeWindowStatsS8(window, gate_)); }

std::vector<uint8_t> DecideAll(const WakeGate& gate, const std::vector<float>& windows, int64_t count) {
  WakeGateRunner runner(gate);
  std::vector<uint8_t> decisions(static_cast<size_t>(count));
  for (int64_t w = 0; w < count; ++w) {
    decisions[static_cast<size_t>(w)] = runner.Decide(windows.data() + w * gate.size) ? 1 : 0;
  }
  return decisions;
}

std::vector<uint8_t> DecideAllS8(const WakeGate& gate, const std::vector<int8_t>& windows, int64_t count) {
  WakeGateRunner runner(gate);
  std::vector<uint8_t> decisions(static_cast<size_t>(count));
  for (int64_t w = 0; w < count; ++w) {
    decisions[static_cast<size_t>(w)] = runner.DecideS8(windows.data() + w * gate.size) ? 1 : 0;
  }
  return decisions;
}

const char* WakeGateKindName(WakeGateKind kind) {
  switch (kind) {
    case WakeGateKind::kEnergy:
      return "energy";
    case WakeGateKind::kDelta:
      return "delta";
    case WakeGateKind::kLinear:
      return "linear";
  }
  return "?";
}

StatusOr<WakeGateKind> ParseWakeGateKind(const std::string& text) {
  for (WakeGateKind k : {WakeGateKind::kEnergy, WakeGateKind::kDelta, WakeGateKind::kLinear}) {
    if (text == WakeGateKindName(k)) return k;
  }
  return InvalidInput("--gate {}: expected energy, delta or linear", text);
}

nlohmann::json WakeGateToJson(const WakeGate& gate) {
  nlohmann::json j = {{"kind", WakeGateKindName(gate.kind)},
                      {"size", gate.size},
                      {"stride", gate.stride},
                      {"threshold", static_cast<double>(gate.threshold)}};
  if (gate.frames > 0) j["frames"] = gate.frames;
  if (gate.kind == WakeGateKind::kDelta) {
    j["baseline"] = static_cast<double>(gate.baseline);
    j["alpha"] = static_cast<double>(gate.alpha);
  }
  if (gate.kind == WakeGateKind::kLinear) {
    j["weights"] = nlohmann::json::array();
    for (float w : gate.weights) j["weights"].push_back(static_cast<double>(w));
    j["bias"] = static_cast<double>(gate.bias);
  }
  if (gate.s8_scale > 0) j["s8_scale"] = static_cast<double>(gate.s8_scale);
  return j;
}

StatusOr<WakeGate> WakeGateFromJson(const nlohmann::json& j) {
  WakeGate gate;
  try {
    TML_ASSIGN_OR_RETURN(gate.kind, ParseWakeGateKind(j.at("kind").get<std::string>()));
    gate.size = j.at("size").get<int64_t>();
    gate.stride = j.at("stride").get<int64_t>();
    gate.threshold = j.at("threshold").get<float>();
    gate.frames = j.value("frames", int64_t{0});
    if (gate.kind == WakeGateKind::kDelta) {
      gate.baseline = j.at("baseline").get<float>();
      gate.alpha = j.at("alpha").get<float>();
    }
    if (gate.kind == WakeGateKind::kLinear) {
      const std::vector<float> w = j.at("weights").get<std::vector<float>>();
      if (w.size() != gate.weights.size()) return InvalidInput("manifest gate: {} weights", w.size());
      for (size_t k = 0; k < w.size(); ++k) gate.weights[k] = w[k];
      gate.bias = j.at("bias").get<float>();
    }
    gate.s8_scale = j.value("s8_scale", 0.0f);
  } catch (const nlohmann::json::exception& e) {
    return InvalidInput("manifest gate entry: {}", e.what());
  }
  if (gate.size < 2 || gate.stride < 1 || gate.stride >= gate.size || gate.frames < 0 ||
      gate.frames * gate.stride > gate.size) {
    return InvalidInput("manifest gate entry: size {} and stride {} do not describe a window", gate.size,
                        gate.stride);
  }
  return gate;
}

}  // namespace tml
