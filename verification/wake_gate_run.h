// The wake-up gate on the emulated Cortex-M4 (verify of an output directory
// compiled with --gate): every test window, in order, through NAME_gate in
// firmware.elf (tml_gate_mode = 1, verify_main.h), its decision compared with
// the host reference (compiler/gate/wake_gate.h, from the manifest's "gate"),
// and the figures of a deployment that runs the gate on every window and the
// model only on those it lets through:
//   discarded fraction, recall of the relevant windows (a 0/1 mask, or
//   labels != 0: anomalies, positive classes), the labelled positives the
//   gate would have lost, gate cycles, and the average cycles per window
//     gated = mean gate cycles + (1/N) Σ_{passed windows} model cycles
//   against the model on every window.
// int8 builds (gate with s8_scale): NAME_gate_s8 too, on the windows quantized
// as QuantizeWindowS8 does, against its host reference (DecideAllS8), from a
// fresh load, and how often it agrees with the float gate.
#ifndef TML_VERIFICATION_WAKE_GATE_RUN_H_
#define TML_VERIFICATION_WAKE_GATE_RUN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/ir/tensor.h"
#include "compiler/status.h"
#include "verification/emulated_run.h"
#include "verification/energy.h"

namespace tml::verification {

struct WakeGateS8Figures {
  int64_t mismatches = 0, first_mismatch = -1;  // vs its host reference (must be 0)
  int64_t agree_with_float = 0;                 // windows decided as the float gate did
  double gate_cycles_mean = 0.0;
};

struct WakeGateFigures {
  std::string kind;
  int64_t windows = 0, passed = 0;
  double discarded_fraction = 0.0;
  // Windows where the firmware decided otherwise than the host reference (must be 0).
  int64_t mismatches = 0;
  int64_t first_mismatch = -1;
  // Relevant windows: from `relevant_source` ("--gate-relevant FILE" or "labels != 0").
  std::string relevant_source;
  int64_t relevant = 0, relevant_kept = 0;
  double recall = 0.0;  // relevant_kept / relevant
  bool has_labels = false;
  int64_t positives = 0, positives_lost = 0;  // labels != 0, and those discarded
  double gate_cycles_mean = 0.0;
  uint64_t gate_cycles_max = 0;
  double model_cycles_mean = 0.0;  // every window through the model
  double gated_cycles_mean = 0.0;  // the gate on every window, the model on those passed
  double gate_cost = 0.0;          // gate_cycles_mean / model_cycles_mean
  EnergyEstimate gated_energy;     // per window, with the gate
  std::optional<WakeGateS8Figures> s8;  // the int8 twin, int8 builds
};

struct WakeGateInputs {
  std::vector<float> windows;           // samples × input size, in test order
  int64_t samples = 0;
  std::vector<uint64_t> model_cycles;   // per window (EmulatedRun::cycles)
  std::vector<int64_t> relevant_mask;   // empty: none
  std::string relevant_source;
  std::vector<int64_t> labels;          // empty: no [N] labels
};

// Runs the gate on setup.elf (a fresh load: the delta baseline starts reset).
StatusOr<WakeGateFigures> RunWakeGate(const nlohmann::json& gate_entry, const EmulationSetup& setup,
                                      const WakeGateInputs& in, const EnergyModel& energy);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_WAKE_GATE_RUN_H_
