// quantize: int8 quantization as a pass of the pipeline (DESIGN.md §5), after
// fine-tuning, so it sees the weights and operators every earlier pass left.
//
// Calibration: the pass runs the reference interpreter over the calibration
// samples (QuantizeOptions: .npy paths, or the data itself), takes the range
// (min/max, or a symmetric percentile of |x| that clips rare outliers:
// --calib-method) of the input and output of every fully connected node and of
// the input of every recurrent node, and records each node's int8 plan
// (activation scale and zero point, compiler/quant/int8_plan.h) on the node,
// where the code generator reads it and `--print-ir-after quantize` shows it.
// The weights are quantized from the IR's float weights where the int8
// kernels' arrays are emitted (codegen/int8_weights.h).
//
// What runs int8 so far: Gemm (transA 0, alpha 1, constant 2-D B, constant or
// no C with beta 1) and MatMul with a constant 2-D B, each as tml_quantize_s8 →
// tml_fully_connected_s8 → tml_dequantize_s8; between two int8 layers the
// activation stays int8 and a Relu between them folds into the first one's
// requantization (codegen/int8_links.h); other ops between layers (Add,
// Tanh...) run in float on the dequantized values. Forward batch-1 LSTMs
// (dense W/R or stacked-gate Kronecker operators, with or without doping; no
// initial states, peepholes or sequence_lens) run tml_lstm_step_s8_s16 per
// time step on the int8 input; forward batch-1 GRUs (both linear_before_reset)
// and tanh RNNs from zero states likewise run tml_gru_step_s8_s16 /
// tml_rnn_step_s8_s16. LSTM per-gate Kronecker blocks run as a stack of
// operators. Any other node carrying weights is an InvalidInput naming the node
// (Int8Unsupported).
#ifndef TML_PASSES_QUANTIZE_H_
#define TML_PASSES_QUANTIZE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/quant/int8_plan.h"
#include "compiler/status.h"
#include "passes/pass.h"

namespace tml {

enum class RangeMethod { kMinMax, kPercentile };

// The range of `values`: min/max, or ±(percentile of |x|) clipped to the
// observed min/max (percentile in (0, 100]). Empty input gives [0, 0].
Range CalibrationRange(const std::vector<float>& values, RangeMethod method,
                       double percentile = 99.99);

// How activation ranges are taken (compile --calib-method).
struct CalibMethod {
  RangeMethod method = RangeMethod::kMinMax;
  double percentile = 99.99;
};
// "minmax", "percentile" (99.99) or "percentile:P" with P in (0, 100].
StatusOr<CalibMethod> ParseCalibMethod(const std::string& text);

struct QuantizeOptions {
  bool int8 = false;                     // --quantize int8; false: the pass is not in the pipeline
  std::vector<std::string> calib_paths;  // one .npy per model input (samples on axis 0)
  std::vector<Tensor> calib;             // or the data itself (used when calib_paths is empty)
  CalibMethod method;                    // --calib-method
  // The ranges come from at most this many samples, evenly spaced over the
  // calibration set: every activation of every sample is kept to find the
  // ranges, so a set of tens of thousands of windows would need gigabytes.
  int64_t max_samples = 2048;
};

// Calibrates and records the int8 plan of every node that runs int8 (see the
// top of this file). `data[i]` holds the calibration samples of model input i,
// `labels[i]` names it in messages. On success `*summary` is one line per
// quantized node (ranges).
Status CalibrateInt8(Graph* graph, const std::vector<Tensor>& data,
                     const std::vector<std::string>& labels, std::string* summary,
                     const CalibMethod& method = CalibMethod{});

class QuantizePass : public Pass {
 public:
  explicit QuantizePass(QuantizeOptions options) : options_(std::move(options)) {}
  std::string_view Name() const override { return "quantize"; }
  // kInvalidInput for missing or mismatched calibration data and for a node
  // that cannot run int8 (naming it).
  StatusOr<bool> Run(Graph& graph) override;
  // "quantize int8: N calibration samples (method)" and a line per node.
  std::string Summary() const override { return summary_; }

 private:
  QuantizeOptions options_;
  std::string summary_;
};

}  // namespace tml

#endif  // TML_PASSES_QUANTIZE_H_
