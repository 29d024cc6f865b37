// The wake-up gate (`compile --gate energy|delta|linear`): a cheap test in
// front of the model that decides per input window whether the model runs.
// This header is the gate's definition and its host reference: the statistics
// in float, in exactly the order the generated C (codegen/gate_emitter.h)
// computes them, so the emulated firmware's decisions equal these on every
// window. Calibration (passes/wake_gate_calibration.h) sets the parameters;
// verification runs this reference next to the firmware.
//
// A window is the model input, n floats flattened row-major; `stride` is the
// size of its last axis (channels), so x[i] and x[i - stride] are consecutive
// time steps of one channel (1 for a rank-1 input).
//   energy: s = (1/n) Σ x_i²                                  pass if s >= threshold
//           (with `frames` > 0: over the last frames·stride values only)
//   delta:  e = (1/n) Σ x_i², s = |e − b|, b a running baseline pass if s >= threshold;
//           a discarded window moves b by alpha·(e − b), so slow drift of the idle
//           level does not wake the model. b starts at `baseline` (reset).
//   linear: z = bias + Σ_k w_k f_k over the window statistics
//           f = [mean, variance, zero-crossing rate, peak |x|, mean squared
//           first difference]                              pass if z >= threshold
//           (a logistic model: z is its logit; no exp needed for the decision).
//
// The int8 twin (int8 builds, s8_scale > 0) takes the window as int8 samples
// q = clamp(round(x / s8_scale), -127, 127) (QuantizeWindowS8): the sums are
// integers (int32: sum, Σq², Σ(Δq)², the peak, crossings), then scaled to the
// float statistics with float constants (S8Scales) and decided by the same
// float tail, state included. It approximates the float gate to the window's
// quantization; host and firmware agree exactly.
#ifndef TML_COMPILER_GATE_WAKE_GATE_H_
#define TML_COMPILER_GATE_WAKE_GATE_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/status.h"

namespace tml {

enum class WakeGateKind { kEnergy, kDelta, kLinear };

constexpr int kWakeGateFeatures = 5;  // mean, variance, zero crossings, peak, difference energy

struct WakeGate {
  WakeGateKind kind = WakeGateKind::kEnergy;
  int64_t size = 0;    // floats per window
  int64_t stride = 1;  // channels (last axis); 1 <= stride < size
  float threshold = 0.0f;
  int64_t frames = 0;  // energy/delta: the mean square over the last `frames` time steps; 0 = all
  float baseline = 0.0f, alpha = 0.0f;  // delta only
  std::array<float, kWakeGateFeatures> weights{};  // linear only, standardization folded in
  float bias = 0.0f;                               // linear only
  float s8_scale = 0.0f;  // the int8 twin's input scale; 0 = no twin
};

// The largest window the int8 twin accepts: Σ(Δq)² ≤ 254² · n stays in int32.
constexpr int64_t kWakeGateS8MaxSize = 32768;

// The window statistics, each computed in float as the generated C does.
struct WindowStats {
  float mean = 0, mean_square = 0, variance = 0, zero_crossing_rate = 0, peak = 0, diff_energy = 0;
  std::array<float, kWakeGateFeatures> Features() const {
    return {mean, variance, zero_crossing_rate, peak, diff_energy};
  }
};
// `energy_start`: mean_square sums x[energy_start..size) only (the others use all).
WindowStats ComputeWindowStats(const float* x, int64_t size, int64_t stride, int64_t energy_start = 0);
// Where the gate's mean square starts: size − frames·stride, or 0.
int64_t WakeGateEnergyStart(const WakeGate& gate);

// The float constants that turn the int8 twin's integer sums into statistics;
// the generated C prints exactly these.
struct S8Scales {
  float mean = 0, square = 0, diff = 0, peak = 0;  // s/n, s²/(n − energy start), s²/(n − stride), s
};
S8Scales WakeGateS8Scales(const WakeGate& gate);
WindowStats ComputeWindowStatsS8(const int8_t* q, const WakeGate& gate);
std::vector<int8_t> QuantizeWindowS8(const float* x, int64_t size, float scale);

// The gate as the firmware runs it, state included (delta's baseline).
class WakeGateRunner {
 public:
  explicit WakeGateRunner(const WakeGate& gate) : gate_(gate), baseline_(gate.baseline) {}
  // The statistic compared with the threshold (delta: against the current baseline).
  float Statistic(const float* window) const;
  // 1 = run the model. Updates the state as NAME_gate does.
  bool Decide(const float* window);
  // The int8 twin (NAME_gate_s8): the same decision on the int8 statistics.
  bool DecideS8(const int8_t* window);

 private:
  float StatisticOf(const WindowStats& s) const;
  bool DecideStats(const WindowStats& s);

  WakeGate gate_;
  float baseline_;
};

// Decisions on `windows` (count × gate.size floats) in order, from the reset state.
std::vector<uint8_t> DecideAll(const WakeGate& gate, const std::vector<float>& windows, int64_t count);
std::vector<uint8_t> DecideAllS8(const WakeGate& gate, const std::vector<int8_t>& windows, int64_t count);

const char* WakeGateKindName(WakeGateKind kind);
StatusOr<WakeGateKind> ParseWakeGateKind(const std::string& text);  // InvalidInput naming --gate

// The manifest form ("gate" in tinyml-compile.json) and back; floats as
// doubles that round-trip exactly.
nlohmann::json WakeGateToJson(const WakeGate& gate);
StatusOr<WakeGate> WakeGateFromJson(const nlohmann::json& j);

}  // namespace tml

#endif  // TML_COMPILER_GATE_WAKE_GATE_H_
