// RunBatch: the reference interpreter over a batch of samples, the form in
// which `run`, the passes (fine-tuning, int8 calibration), compile's
// compression figures and `verify` all use it.
#ifndef TML_COMPILER_REFERENCE_RUN_BATCH_H_
#define TML_COMPILER_REFERENCE_RUN_BATCH_H_

#include <string>
#include <vector>

#include "compiler/ir/tensor.h"

#include "compiler/ir/graph.h"
#include "compiler/status.h"

namespace tml {

// Whether `data` (a data file, named `label`) has the element type model input
// `input` takes: float32/float64 files for float inputs, integer files (read
// as int64) for token-id inputs. The error names the file and the input.
Status CheckDataType(const Tensor& data, const Tensor& input, const std::string& label);

// Runs the reference interpreter over a batch: `data[i]` holds the samples for
// model input i (first axis = samples; the rest must match the input's shape
// up to leading 1s); `data_labels[i]` names it in messages (its file). Returns
// one tensor per model output, [N, *output shape] (leading 1s dropped).
StatusOr<std::vector<Tensor>> RunBatch(const Graph& graph, const std::vector<Tensor>& data,
                                       const std::vector<std::string>& data_labels);

}  // namespace tml

#endif  // TML_COMPILER_REFERENCE_RUN_BATCH_H_
