// Calibration of the wake-up gate (compiler/gate/wake_gate.h) on the user's
// data: RELEVANT windows (the model must see them) and IRRELEVANT ones (idle,
// silence: the gate should discard them). Not a graph pass: the driver calls
// it beside the pipeline, on the model input's shape.
//
// The threshold is the largest value that still lets at least `recall` of the
// relevant windows pass: with the n relevant statistics sorted ascending and
// k = n − ceil(recall·n) of them allowed to fail, threshold = sorted[k]
// (windows at exactly the threshold pass). For `delta` the statistics of the
// relevant windows are taken against the initial baseline, the mean energy of
// the irrelevant windows (the idle level the firmware starts from); alpha is
// 1/16 (the baseline follows a change of the idle level within ~16 windows).
// For `linear` the weights come first: a logistic regression on the five
// window statistics, standardized, the two sets weighted equally, trained by
// full-batch gradient descent (deterministic, in double); the standardization
// is folded into the weights, then the threshold is set on its logit as above.
// With `int8_twin` (int8 builds) the gate also gets its int8 input scale:
// the largest |x| of both sets / 127 (compiler/gate/wake_gate.h).
#ifndef TML_PASSES_WAKE_GATE_CALIBRATION_H_
#define TML_PASSES_WAKE_GATE_CALIBRATION_H_

#include <cstdint>
#include <vector>

#include "compiler/gate/wake_gate.h"
#include "compiler/status.h"

namespace tml {

struct WakeGateCalibration {
  WakeGate gate;
  int64_t relevant = 0, irrelevant = 0;  // calibration windows
  double relevant_pass = 0.0;     // fraction of the relevant windows that pass
  double irrelevant_discard = 0.0;  // fraction of the irrelevant windows discarded (in order, with state)
};

// `relevant` / `irrelevant`: windows of `size` floats back to back. InvalidInput
// for an empty set, recall outside (0, 1], size < 2, stride outside [1, size),
// an int8 twin for a window of more than kWakeGateS8MaxSize values, `frames`
// (energy/delta: the mean square over the last `frames` time steps) outside
// [0, time steps] or with linear.
StatusOr<WakeGateCalibration> CalibrateWakeGate(WakeGateKind kind, int64_t size, int64_t stride,
                                                const std::vector<float>& relevant,
                                                const std::vector<float>& irrelevant, double recall,
                                                bool int8_twin = false, int64_t frames = 0);

}  // namespace tml

#endif  // TML_PASSES_WAKE_GATE_CALIBRATION_H_
