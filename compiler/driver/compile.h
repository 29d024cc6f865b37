// Compile: an ONNX model to firmware sources, in memory (DESIGN.md §1):
//   import (LoadModel) → the pass pipeline (passes/pipeline.h: kron-factorize,
//   dope, finetune, quantize, each as its options enable it) → codegen → the
//   generated files plus the manifest (verification/manifest.h) that `verify`
//   and the reports read.
// Every pass's summary reaches the observer as the pass ends; the figures of
// the compressed model against the original on the test data (when given),
// the recurrent weight bytes and the anomaly threshold are Info lines after
// the pipeline. Nothing is written to disk: WriteOutputDir (output_dir.h)
// does that, atomically.
#ifndef TML_COMPILER_DRIVER_COMPILE_H_
#define TML_COMPILER_DRIVER_COMPILE_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "codegen/model_emitter.h"
#include "compiler/driver/model.h"
#include "compiler/observer.h"
#include "compiler/status.h"
#include "passes/pipeline.h"

namespace tml {

struct CompileOptions {
  CommonOptions common;
  std::string name = "model";
  // The passes and their options (--kronecker, --compress, --dope,
  // --finetune..., and the quantize pass's calibration data), and the pass
  // manager hooks (--print-ir-after, --stop-after).
  PipelineOptions passes;
  PassManagerOptions pass_manager;
  // --quantize none|int8: int8 runs the quantize pass, calibrated on --calib
  // (or, with a warning, on the test data); NAME_invoke keeps float I/O.
  std::string quantize = "none";
  // --calib-method minmax|percentile[:P] (passes/quantize.h ParseCalibMethod).
  std::string calib_method = "minmax";
  // --float-math fast|exact: exp, sigmoid and tanh of the float kernels as the runtime's
  // short approximations (fast, errors below 1e-7; runtime/include/tml_math_f32.h) or
  // through libm (exact). Written into the output's runtime/include/tml_config.h.
  std::string float_math = "fast";
  // --calib: calibration samples (fine-tuning's training data, int8 ranges,
  // the --anomaly threshold's normal samples).
  std::string calib;
  // --anomaly (autoencoders: output shape == input shape): NAME_score() and
  // NAME_ANOMALY_THRESHOLD, the anomaly_percentile-th percentile of the
  // scores of the normal samples in --calib.
  bool anomaly = false;
  double anomaly_percentile = 99.0;
  // --gate energy|delta|linear (empty: none): the wake-up gate NAME_gate,
  // calibrated on --gate-calib (relevant windows) and --gate-discard
  // (irrelevant ones) so that at least --gate-recall of the relevant windows
  // pass (compiler/driver/compile_gate.h).
  std::string gate, gate_calib, gate_discard;
  double gate_recall = 0.99;
  int64_t gate_frames = 0;  // --gate-frames: energy/delta over the last N time steps; 0 = all
  // Test data and labels, when given: the compressed model's figures against
  // the original's on the reference interpreter.
  std::vector<std::string> test_data;
  std::string test_labels;
  // The error-versus-compression curve of every factorized matrix (--html).
  bool kron_curves = false;
  // Budget and clock stored in the manifest (verify's defaults); negative:
  // the target's (cortex-m4: 1024 KB, 256 KB, 80 MHz).
  double flash_kb = -1, ram_kb = -1, clock_mhz = -1;
  // --arena static|extern: where the scratch arena lives (codegen/model_api.h):
  // a static array in NAME.c, or the caller's memory passed to NAME_init().
  std::string arena = "static";
  // The target verify runs on, stored in the manifest: --target NAME[@MHZ],
  // --flash-ws, --flash-cache (emulator/target_profile.h); empty / negative:
  // the profile's own (cortex-m4: 0 wait states, no flash cache).
  std::string target;
  int64_t flash_ws = -1;
  std::string flash_cache;
};

struct Compiled {
  std::string name;
  codegen::GeneratedModel model;
  nlohmann::json manifest;
  std::vector<codegen::GeneratedFile> files;  // model.files, then the manifest
};

StatusOr<Compiled> Compile(const std::string& model_path, const CompileOptions& options,
                           Observer& observer);

// The IR Compile generates code from: the model imported and run through the
// pipeline (run_compiled.h evaluates it on the reference interpreter).
StatusOr<Graph> CompileGraph(const std::string& model_path, const CompileOptions& options, Observer& observer);

}  // namespace tml

#endif  // TML_COMPILER_DRIVER_COMPILE_H_
