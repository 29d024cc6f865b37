// `compile --gate KIND --gate-calib RELEVANT.npy --gate-discard IRRELEVANT.npy
// [--gate-recall R]`: reads and checks the two calibration sets against the
// model input, calibrates the wake-up gate (passes/wake_gate_calibration.h),
// adds NAME_gate / NAME_invoke_gated to the generated sources
// (codegen/gate_emitter.h) and returns the manifest's "gate" entry: the gate's
// parameters (compiler/gate/wake_gate.h, what verify's host reference runs),
// the options and the calibration figures.
#ifndef TML_COMPILER_DRIVER_COMPILE_GATE_H_
#define TML_COMPILER_DRIVER_COMPILE_GATE_H_

#include <nlohmann/json.hpp>

#include "codegen/model_emitter.h"
#include "compiler/driver/compile.h"
#include "compiler/observer.h"
#include "compiler/status.h"

namespace tml {

// The gate flags alone, before any work: a kind, both sets, recall in (0, 1];
// or no gate flag at all.
Status CheckGateOptions(const CompileOptions& options);

// Null json when options.gate is empty.
StatusOr<nlohmann::json> AddWakeGateToModel(const CompileOptions& options, codegen::GeneratedModel* model,
                                            Observer& observer);

}  // namespace tml

#endif  // TML_COMPILER_DRIVER_COMPILE_GATE_H_
