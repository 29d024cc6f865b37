// `run --compiled OUTDIR`: the model a compile output directory was built
// from, as the compiler saw it after its passes, on the user's own data, so
// the original (`run MODEL`), the compressed IR (this) and the firmware
// (`verify --save-outputs`) can be compared sample by sample.
//
// What runs: the pipeline is run again from the options the manifest recorded
// (they reproduce the sources byte for byte; compile.h), on the model file and
// the calibration data the manifest names, each checked against its recorded
// hash; the resulting IR — Kronecker factors, doped overlay, fine-tuned
// weights — goes through the float reference interpreter. For --quantize int8
// that is the float IR the int8 plan was made on: the int8 rounding happens
// only in the firmware (its outputs: verify --save-outputs).
#ifndef TML_COMPILER_DRIVER_RUN_COMPILED_H_
#define TML_COMPILER_DRIVER_RUN_COMPILED_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/driver/compile.h"
#include "compiler/observer.h"
#include "compiler/status.h"

namespace tml {

// The manifest of `out_dir` with its recorded options (report.options), or
// kInvalidInput naming the directory when it is not a compile output
// directory or predates recorded options.
StatusOr<nlohmann::json> ReadCompiledManifest(const std::string& out_dir);

// Runs `inputs` (one .npy per model input, samples on axis 0) through the IR
// `options` (parsed from the manifest's recorded options by the caller) give.
// kInvalidInput when the model or a recorded data file changed or is missing.
StatusOr<std::vector<Tensor>> RunCompiled(const std::string& out_dir, const nlohmann::json& manifest,
                                          CompileOptions options, const std::vector<std::string>& inputs,
                                          Observer& observer);

}  // namespace tml

#endif  // TML_COMPILER_DRIVER_RUN_COMPILED_H_
