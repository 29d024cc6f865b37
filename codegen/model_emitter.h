// GenerateModel: turns an imported (and verified) Graph into the C sources of
// a firmware library — DESIGN.md §7. The emitter is TFLM's Prepare moved
// offline: shapes, kernel parameters, scratch sizes (the runtime's
// tml_*_get_buffer_size() run on the host) and the arena plan are computed
// here; the generated C holds only static data and kernel calls.
//
// Files (paths relative to the output directory):
//   NAME.h            the API below, sizes as macros
//   NAME.c            provenance header, `static const` weights aligned with
//                     TML_ALIGN, one static arena (memory_plan.h), the
//                     schedule (one comment naming the ONNX node and op before
//                     each kernel call), NAME_invoke, NAME_step/NAME_reset
//   NAME.cmake        CMake fragment: NAME_SOURCES, NAME_INCLUDE_DIRS
//   NAME.mk           Make fragment: NAME_SOURCES, NAME_INCLUDE_DIRS
//   runtime/include/  every runtime header
//   runtime/src/      the .c files of the kernels the model calls (+ their
//                     dependencies, TML_RUNTIME_KERNEL_DEPS)
//
// Generated API (NAME = options.name; NAME.h documents every macro and buffer,
// codegen/model_api.h writes it; every file starts with an SPDX line):
//   int NAME_invoke(const float *input, float *output);
//       One inference. `input` holds every model input, flattened row-major
//       and concatenated in model order (NAME_INPUT_SIZE floats); `output`
//       receives every model output the same way (NAME_OUTPUT_SIZE floats).
//       For one input and one output this is simply the tensor. Returns 0, or
//       the negative tml_status of the first kernel that failed.
//   int NAME_invoke_io(const float *const *inputs, float *const *outputs);
//       The same with one pointer per input / output (NAME_INPUT<k>_SIZE ...).
//   Token models (one int64/int32 ONNX input that feeds Gather, an embedding
//   lookup) take `const int32_t *` instead of `const float *` in NAME_invoke,
//   NAME_invoke_io and NAME_step, and the header defines NAME_INPUT_IS_TOKENS
//   and NAME_VOCAB_SIZE; an id outside [0, NAME_VOCAB_SIZE) makes the call
//   return TML_ERROR_INDEX (-3) before `output` is written.
//   Recurrent models whose first recurrent layer reads the model input one
//   time step per row (batch 1, forward, no sequence_lens) also get
//   void NAME_reset(void);
//   int NAME_step(const float *input_t, float *output);
//       Feeds one time step (NAME_STEP_INPUT_SIZE floats): runs the recurrent
//       layers fed by the input for that step, keeping their state between
//       calls, then the rest of the model. NAME_STEP_PREFIX_OUTPUT == 1 when
//       the rest reads only the final states (e.g. a classifier on Y_h): then
//       every call writes `output` for the sequence seen so far and returns
//       1, and streams may be longer than NAME_SEQ_LEN. Otherwise the rest
//       reads whole sequences: the output is written (return 1) every
//       NAME_SEQ_LEN-th call, for the window of the last NAME_SEQ_LEN steps,
//       and the state restarts; other calls return 0. Either way, feeding the
//       NAME_SEQ_LEN rows of an input after NAME_reset() gives the same output
//       as NAME_invoke on it. Negative return: a kernel error.
//   int8 recurrent models step with the int8 kernels, their state int8/int16
//   (stream_s8.h), bit-exact with NAME_invoke.
//   const char *NAME_status_str(int status);   tml_status.h's codes in words
//   int NAME_init(void *arena, size_t bytes);  --arena extern only
//   int NAME_invoke_s8(const int8_t *in, int8_t *out), NAME_step_s8: int8
//       models whose inputs and outputs have int8 formats (model_api.h).
//
// Compile with -DTML_PROFILE to bracket each kernel call with TML_MARK(node
// index) from the emulator harness's tml_marker.h (per-layer cycles); without
// it the markers compile to nothing.
//
// Determinism: identical graphs and options give byte-identical files.
#ifndef TML_CODEGEN_MODEL_EMITTER_H_
#define TML_CODEGEN_MODEL_EMITTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/model_api.h"
#include "compiler/ir/graph.h"
#include "compiler/status.h"

namespace tml::codegen {

struct CodegenOptions {
  std::string name = "model";  // C prefix and file stem; must be a C identifier
  // Provenance only (printed in the header comment of NAME.c / NAME.h).
  std::string tool_version;
  std::string model_file;  // as given on the command line (no directory needed)
  std::string model_hash;  // e.g. "fnv1a64:0123456789abcdef"
  std::vector<std::string> options;  // the compile options that shaped the output
  // --arena static|extern: the scratch arena as a static array in NAME.c, or
  // the caller's memory given to NAME_init() (model_api.h).
  ArenaMode arena = ArenaMode::kStatic;
  // exp/sigmoid/tanh through libm instead of the runtime's approximations: the
  // output's runtime/include/tml_config.h sets TML_FLOAT_MATH_EXACT 1.
  bool exact_float_math = false;
};

struct GeneratedFile {
  std::string path;  // relative to the output directory, '/' separated
  std::string content;
};

struct TensorInfo {
  std::string name;
  Shape shape;
  bool tokens = false;  // an input of int32_t token ids (NAME_INPUT_IS_TOKENS)
};

struct GeneratedModel {
  std::vector<GeneratedFile> files;  // sorted by path
  std::vector<TensorInfo> inputs, outputs;
  int64_t input_size = 0, output_size = 0;  // floats, all inputs / outputs
  int64_t arena_bytes = 0;
  int64_t weight_bytes = 0;  // static const data
  int64_t state_bytes = 0;   // streaming storage (0 without NAME_step)
  std::vector<std::string> kernels;  // runtime kernels called, sorted
  // Per runtime source the output links (its kernels, the kernels they call, tml_status_str):
  // the estimated Cortex-M4 code bytes of all its functions (static helpers and
  // *_get_buffer_size included; --gc-sections drops the ones nothing calls, so this is an
  // upper bound), from the table measured when the tool was built (RuntimeFunctionTexts,
  // the default tml_config.h); largest first. Empty when that build had no
  // arm-none-eabi-gcc.
  struct KernelText {
    std::string kernel;
    int64_t bytes = 0;
  };
  std::vector<KernelText> kernel_text;
  std::string kernel_text_compiler;  // "arm-none-eabi-gcc 12.2.1", or "" (not measured)
  // Marker id i (TML_MARK(i)) is layers[i]: "node 'x' (LSTM)".
  std::vector<std::string> layers;
  // Per layer with weights: the bytes of static const data its emitter wrote (int8
  // factors, sparse indices and values, biases, multipliers... as stored; a constant
  // shared with an earlier layer is counted there) and the float32 bytes of its constant
  // inputs as dense tensors (what an uncompressed float model stores).
  struct LayerWeights {
    std::string layer;
    int64_t bytes = 0;
    int64_t dense_float_bytes = 0;
  };
  std::vector<LayerWeights> layer_weights;
  // Per layer (marker id): the bytes of arena buffers alive while it runs.
  std::vector<int64_t> layer_arena_bytes;
  bool has_step = false;
  bool step_prefix_output = false;
  bool has_s8 = false;  // NAME_invoke_s8 (int8 I/O, model_api.h)
  int64_t seq_len = 0, step_input_size = 0;
};

// Errors: InvalidInput naming the node for anything the float runtime cannot
// run (an op without an emitter, rank > 6, non-constant indices, ...).
StatusOr<GeneratedModel> GenerateModel(const Graph& graph, const CodegenOptions& options);

}  // namespace tml::codegen

#endif  // TML_CODEGEN_MODEL_EMITTER_H_
