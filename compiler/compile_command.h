// The `compile`, `verify` and `emulate` commands (DESIGN.md §9), as driver
// functions returning Status; compiler/main.cc only parses their options.
//
// compile: imports the model, generates the firmware sources (codegen/) and
//   writes them to the output directory atomically: everything goes to a
//   temporary directory next to it, which is renamed into place at the end, so
//   a failed run never leaves a half-written directory. An existing non-empty
//   directory is an error unless --force (then it is replaced). Besides the
//   sources it writes tinyml-compile.json, the manifest `verify` reads (model
//   path and hash, input shapes, sources, budget). With --verify it then
//   verifies (below).
// verify: builds the sources for the Cortex-M4 with the emulator's
//   BuildFirmware into OUTDIR/firmware/ (firmware.elf, plus firmware_profile.elf
//   built with -DTML_PROFILE for per-layer cycles), runs every test sample in
//   Unicorn (bkpt #1 protocol, see emulator/m4_runner.h), and compares with the
//   reference interpreter on the original model: per output max abs error,
//   RMSE, SNR dB, relative error (max abs error / max abs reference); top-1
//   agreement for outputs whose last dim is > 1; accuracy against
//   --test-labels. Prints instructions and cycles per inference, per-layer
//   cycles, flash (text + rodata + data) and RAM (data + bss, which holds the
//   arena, + the reserved stack) against the target budget.
//   VerifyFailed (exit 1) when the relative error exceeds the tolerance or the
//   firmware does not fit, with the figures.
// emulate: runs any bare-metal M4 ELF to its end (emulator/emulate.h).
#ifndef TML_COMPILER_COMPILE_COMMAND_H_
#define TML_COMPILER_COMPILE_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/driver.h"
#include "compiler/report/energy.h"
#include "compiler/status.h"
#include "passes/pipeline.h"

namespace tml {

// Default verify tolerance of an int8 model (--quantize int8): int8
// activations carry about 1/255 of their range of rounding error per layer,
// so a few layers give a few percent of the output range, and the worst
// sample of a recurrent model more (lstm_autoencoder: 0.17 at an unchanged
// AUC); accuracy / AUC and SNR are the figures to judge it by.
inline constexpr double kInt8Tolerance = 0.25;

struct VerifyOptions {
  std::vector<std::string> test_data;  // one .npy per model input
  std::string test_labels;             // optional integer labels [N]
  // Relative: max abs error / max abs reference. Negative = the default of
  // the compiled precision: 1e-3 for float, kInt8Tolerance for --quantize int8.
  double tolerance = -1;
  // Budget and clock; negative = the value stored at compile time (or the
  // cortex-m4 default: 1024 KB flash, 256 KB RAM, 80 MHz).
  double flash_kb = -1, ram_kb = -1, clock_mhz = -1;
  uint64_t max_instructions = 2'000'000'000;  // per inference
  std::string report_json;                    // optional machine-readable report
  // --html: the report page (compiler/report/html_report.h), with the
  // compile-time figures kept in the manifest and the measured ones.
  std::string html;
  // Energy per inference and battery life from the cycles
  // (compiler/report/energy.h); its clock is the clock above.
  report::EnergyModel energy;
};

struct CompileOptions {
  CommonOptions common;
  std::string out_dir;
  std::string name = "model";
  bool force = false;
  bool verify = false;
  VerifyOptions verify_options;
  // --kronecker/--kron-tol/--kron-max-rank/--compress and the pass manager
  // hooks (--print-ir-after, --stop-after): the pipeline runs between import
  // and codegen; the kron-factorize report is printed and stored in the manifest.
  PipelineOptions passes;
  PassManagerOptions pass_manager;
  // --anomaly (autoencoders: output shape == input shape): NAME_score() and
  // NAME_ANOMALY_THRESHOLD, the anomaly_percentile-th percentile of the scores
  // of the normal samples in --calib (compiler/report/anomaly.h). verify then
  // reports AUC, precision and recall against --test-labels (1 = anomaly).
  bool anomaly = false;
  std::string calib;
  double anomaly_percentile = 99.0;
  // --quantize none|int8 (passes/quantize.h): int8 calibrates the activation
  // ranges on --calib (or, with a warning, on --test-data) and emits the
  // int8 kernels; NAME_invoke keeps float inputs and outputs.
  std::string quantize = "none";
  // --calib-method minmax|percentile[:P]: how the int8 activation ranges are
  // taken (passes/quantize.h ParseCalibMethod).
  std::string calib_method = "minmax";
};

Status RunCompile(const std::string& model_path, const CompileOptions& options);
Status RunVerify(const std::string& out_dir, const VerifyOptions& options);

struct EmulateCommandOptions {
  bool json = false;
  uint64_t max_instructions = 2'000'000'000;
  double clock_mhz = -1;
};
Status RunEmulate(const std::string& elf_path, const EmulateCommandOptions& options);

}  // namespace tml

#endif  // TML_COMPILER_COMPILE_COMMAND_H_
