// The wake-up gate in the generated C (`compile --gate KIND`): the decision of
// compiler/gate/wake_gate.h, computed in the same float operations in the same
// order (so the firmware decides exactly as the host reference), added to
// NAME.h / NAME.c next to NAME_invoke:
//   #define NAME_GATE_THRESHOLD <float>
//   int NAME_gate(const float *input);
//       1 when the window `input` (NAME_INPUT_SIZE floats) should wake the
//       model, 0 to discard it. energy and linear keep no state; delta keeps
//       its running baseline in one static float (not reentrant).
//   void NAME_gate_reset(void);                       delta only
//       Restarts the baseline at the calibrated idle level.
//   #define NAME_GATE_S8_SCALE <float>; int NAME_gate_s8(const int8_t *input);
//       int8 builds: the same gate on int8 samples round(x / scale) clamped to
//       ±127 (compiler/gate/wake_gate.h ComputeWindowStatsS8); adds
//       <stdint.h> to NAME.h.
//   int NAME_invoke_gated(const float *input, float *output);
//       NAME_gate, then NAME_invoke when it passes: 1 = the model ran and
//       `output` is written, 0 = discarded (output untouched), negative =
//       NAME_invoke's error.
// The loops touch each input value once (twice for linear: the statistics,
// then the first differences), no libm call. Equal decisions assume the C
// compiler does not fuse a*b+c (ISO -std=c99 as the verification build, or
// -ffp-contract=off; GNU modes on an FPU with FMA may move a window that lies
// within a rounding error of the threshold).
#ifndef TML_CODEGEN_GATE_EMITTER_H_
#define TML_CODEGEN_GATE_EMITTER_H_

#include <string>

#include "compiler/gate/wake_gate.h"
#include "compiler/status.h"

namespace tml::codegen {

// Adds the declarations to `header` (inside its extern "C" block) and the
// definitions to the end of `source`. `note` goes into the comment (how the
// gate was calibrated). InvalidInput when the header lacks the expected layout.
Status AddWakeGate(const std::string& name, const WakeGate& gate, const std::string& note,
                   std::string* header, std::string* source);

}  // namespace tml::codegen

#endif  // TML_CODEGEN_GATE_EMITTER_H_
