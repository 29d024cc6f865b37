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
//      agreement for outputs whose last dim is > 1, accuracy against the
//      labels; for --anomaly builds the scores, AUC, precision and recall;
//   5. measures cycles and instructions per inference, per layer and per
//      function, flash (text + rodata + data) and RAM (data + bss, which holds
//      the arena, + the reserved stack) against the budget, and the energy.
// The result is a plain struct; compiler/report/ renders it (text, JSON,
// HTML). Verify itself prints nothing: progress goes to the observer.
//
// Errors: bad or missing data/labels/manifest, a changed model file
// (kInvalidInput); firmware that stops unexpectedly or whose invoke fails
// (kVerifyFailed). A model that runs but misses the tolerance or the budget is
// NOT an error: result.passed() is false and result.Problems() says why.
#ifndef TML_VERIFICATION_VERIFY_H_
#define TML_VERIFICATION_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/observer.h"
#include "compiler/status.h"
#include "verification/anomaly_metrics.h"
#include "verification/compare.h"
#include "verification/emulated_run.h"
#include "verification/energy.h"

namespace tml::verification {

// Default tolerance of an int8 model (--quantize int8): int8 activations carry
// about 1/255 of their range of rounding error per layer, so a few layers give
// a few percent of the output range, and the worst sample of a recurrent model
// more (lstm_autoencoder: 0.17 at an unchanged AUC); accuracy / AUC and SNR are
// the figures to judge it by.
inline constexpr double kInt8Tolerance = 0.25;
// Default tolerance of a float model.
inline constexpr double kFloatTolerance = 1e-3;

struct VerifyOptions {
  std::vector<std::string> test_data;  // one .npy per model input
  std::string test_labels;             // optional integer labels [N]
  // Relative: max abs error / max abs reference. Negative = the default of
  // the compiled precision: kFloatTolerance, or kInt8Tolerance for int8.
  double tolerance = -1;
  // Budget and clock; negative = the value stored at compile time (or the
  // cortex-m4 default: 1024 KB flash, 256 KB RAM, 80 MHz).
  double flash_kb = -1, ram_kb = -1, clock_mhz = -1;
  uint64_t max_instructions = 2'000'000'000;  // per inference
  // Energy per inference and battery life from the cycles (energy.h); its
  // clock is the clock above.
  EnergyModel energy;
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
  double clock_mhz = 0.0;
  int64_t samples = 0;
  double tolerance = 0.0;
  Comparison comparison;
  std::optional<AnomalyResult> anomaly;
  EmulatedRun run;
  double mean_instructions = 0.0, mean_cycles = 0.0;
  EnergyModel energy_model;
  EnergyEstimate energy;
  uint64_t flash = 0, ram = 0;  // bytes: text + rodata + data; data + bss + stack
  double flash_kb = 0.0, ram_kb = 0.0;
  uint32_t stack_size = 0;
  int64_t arena_bytes = 0;

  bool error_ok() const;  // every output's relative error within the tolerance
  bool flash_ok() const { return flash <= flash_kb * 1024; }
  bool ram_ok() const { return ram <= ram_kb * 1024; }
  // What failed, one phrase each ("error above the tolerance 0.001", ...).
  std::vector<std::string> Problems() const;
  bool passed() const { return Problems().empty(); }
};

StatusOr<VerificationResult> Verify(const std::string& out_dir, const VerifyOptions& options,
                                    Observer& observer);

// Reads the test data and labels of `options` and checks them against the
// model's input shapes (float data, one sample per row on axis 0, leading 1s
// may be left out; at least one sample; as many integer labels as samples),
// so `compile --verify` can refuse bad data before it replaces anything.
Status CheckTestData(const VerifyOptions& options, const std::vector<std::vector<int64_t>>& input_shapes);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_VERIFY_H_
