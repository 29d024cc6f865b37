// Verify: proves a compiled model on the emulated Cortex-M4 (DESIGN.md §8).
//
// Given a `compile` output directory (its sources and the manifest
// tinyml-compile.json, verification/manifest.h) and test data, Verify
//   1. runs the reference interpreter on the original model (the model file the
//      manifest names, checked against its hash) for the expected outputs;
//   2. builds the sources for the M4 into OUTDIR/firmware/ (firmware.elf, and
//      firmware_profile.elf with -DTML_PROFILE for per-layer cycles;
//      verification/firmware.h);
//   3. runs every test sample in Unicorn (bkpt #1 protocol, verify_main.h) and
//      the profiled build on sample 0 (verification/emulated_run.h);
//   4. compares (verification/compare.h): per output max abs error, RMSE,
//      SNR dB, relative error (max abs error / max abs reference), top-1
//      agreement over the last axis at every position for outputs whose last
//      dim is > 1; with labels the task figures of the firmware and of the
//      float original on the same data (task_figures.h: accuracy, perplexity,
//      anomaly AUC and recall) and the release gates (gates.h);
//   5. measures cycles and instructions per inference, per layer and per
//      function, flash (text + rodata + data) and RAM (data + bss, which holds
//      the arena, + the reserved stack) against the budget, and the energy.
// The result is a plain struct; compiler/report/ renders it (text, JSON,
// HTML). Verify itself prints nothing: progress goes to the observer.
//
// Errors: bad or missing data/labels/manifest, a changed model file
// (kInvalidInput); firmware that stops unexpectedly or whose invoke fails
// (kVerifyFailed). A model that runs but misses the tolerance or the budget is
// NOT an error: result.passed() is false and result.Problems() says which
// gate failed, with the figure and the limit.
#ifndef TML_VERIFICATION_VERIFY_H_
#define TML_VERIFICATION_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/observer.h"
#include "compiler/status.h"
#include "emulator/m4_runner.h"
#include "verification/anomaly_metrics.h"
#include "verification/compare.h"
#include "verification/emulated_run.h"
#include "verification/energy.h"
#include "verification/gates.h"
#include "verification/task_figures.h"
#include "verification/wake_gate_run.h"

namespace tml::verification {

struct VerifyOptions {
  std::vector<std::string> test_data;  // one .npy per model input
  std::string test_labels;             // optional integer labels [N]
  // Release gates (gates.h): requested limits; the defaults by task apply
  // where a figure is not given one.
  Gates gates;
  // --task: which figures are printed and gated; kAuto: compile's --task, else
  // detected (compiler/task/task.h).
  Task task = Task::kAuto;
  // Budget and clock; negative = the value stored at compile time (or the
  // cortex-m4 default: 1024 KB flash, 256 KB RAM, 80 MHz).
  double flash_kb = -1, ram_kb = -1, clock_mhz = -1;
  // --target NAME[@MHZ], --flash-ws, --flash-cache (emulator/target_profile.h);
  // empty / negative: the compile-time target of the manifest. Another
  // --target also takes its budget (flash and RAM size) from that part.
  std::string target;
  int64_t flash_ws = -1;
  std::string flash_cache;
  // Per inference; 0 is refused (a runaway loop must end: emulator/m4_runner.h).
  uint64_t max_instructions = emu::kDefaultMaxInstructions;
  // Energy per inference and battery life from the cycles (energy.h); its
  // clock is the clock above.
  EnergyModel energy;
  // Output directories compiled with --gate: a 0/1 integer mask [N] of the
  // relevant test windows (--gate-relevant) for the gate's recall; without
  // it, labels != 0 are the relevant windows.
  std::string gate_relevant;
};

struct AnomalyResult {
  double threshold = 0.0;
  int64_t flagged = 0;   // test samples scoring above the threshold
  bool has_labels = false;
  AnomalyMetrics metrics;  // with labels
};

struct VerificationResult {
  std::string out_dir, name, elf_path;
  nlohmann::json manifest;  // the compile-time figures, for the HTML page
  std::string target;       // "cortex-m4"
  std::string target_settings;  // emu::DescribeTarget(): clock, wait states, flash cache
  double clock_mhz = 0.0;
  uint32_t flash_wait_states = 0;
  bool flash_cache = false;
  int64_t samples = 0;
  Comparison comparison;
  // The firmware's outputs over all samples, shaped like the reference's
  // ([N, ...], as `run --output` writes them).
  std::vector<Tensor> firmware_outputs;
  // Task figures of the firmware and of the float original on the same data,
  // and every gate that applied (gates.h).
  Task task = Task::kAuto;  // the task the figures and gates follow (never kAuto after Verify)
  TaskFigures firmware_figures, original_figures;
  std::vector<GateResult> gates;
  std::optional<double> relative_error_limit;  // when the raw-error gate applies
  // Every data file this verification used: {role, path, sha256}; the
  // manifest's "data_files" hold those of the compile (calibration, labels).
  nlohmann::json data_files = nlohmann::json::array();
  std::optional<AnomalyResult> anomaly;
  EmulatedRun run;
  double mean_instructions = 0.0, mean_cycles = 0.0;
  EnergyModel energy_model;
  EnergyEstimate energy;
  uint64_t flash = 0, ram = 0;  // bytes: text + rodata + data; data + bss + stack
  double flash_kb = 0.0, ram_kb = 0.0;
  uint32_t stack_size = 0;
  int64_t arena_bytes = 0;
  // Compiled with --gate: the wake-up gate run on every test window
  // (wake_gate_run.h); `energy` above stays the model on every window.
  std::optional<WakeGateFigures> wake_gate;

  bool gates_ok() const;  // every gate passed
  bool flash_ok() const { return flash <= flash_kb * 1024; }
  bool ram_ok() const { return ram <= ram_kb * 1024; }
  // What failed, one phrase each (a gate with its figure and limit, flash, RAM).
  std::vector<std::string> Problems() const;
  bool passed() const { return Problems().empty(); }
};

StatusOr<VerificationResult> Verify(const std::string& out_dir, const VerifyOptions& options,
                                    Observer& observer);

// Reads the test data and labels of `options` and checks them against the
// model's input shapes (float data, or integer data for the inputs flagged in
// `token_inputs`; one sample per row on axis 0, leading 1s may be left out; at
// least one sample; as many integer labels as samples), so `compile --verify`
// can refuse bad data before it replaces anything.
Status CheckTestData(const VerifyOptions& options, const std::vector<std::vector<int64_t>>& input_shapes,
                     const std::vector<bool>& token_inputs = {});

}  // namespace tml::verification

#endif  // TML_VERIFICATION_VERIFY_H_
