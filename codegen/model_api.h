// The public API surface of a generated model around its schedule: the
// self-describing NAME.h (sizes, the int8 formats of the inputs and outputs,
// the arena and the streaming state, each macro and buffer layout explained
// where the firmware engineer reads it), and the functions of NAME.c that do
// not run kernels of their own: NAME_status_str, NAME_init (--arena extern),
// NAME_invoke_s8 and NAME_step_s8 (int8 models). model_emitter.cc fills an
// ApiPlan and calls these.
//
// int8 I/O (NAME_invoke_s8 / NAME_step_s8): an input's format is the input
// format of the int8 layer(s) reading it (through reshapes and transposes), an
// output's format the output format of the int8 layer writing it (through
// reshapes, transposes and a Relu; an int8 recurrent layer's h: 2^-7, zero
// point 0). The int8 codes are converted at the boundary in a staging area at
// the end of the arena; the conversion is exact (dequantizing a code and
// quantizing it again with the same format gives the code back), so
// NAME_invoke_s8(q) is bit for bit quantize(NAME_invoke(dequantize(q))) and
// dequantize(NAME_invoke_s8(q)) is NAME_invoke(dequantize(q)). A model with an
// input or output that has no int8 format (it is read or written by a float
// operator) gets no _s8 entry points; the header says why.
#ifndef TML_CODEGEN_MODEL_API_H_
#define TML_CODEGEN_MODEL_API_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codegen/c_writer.h"
#include "codegen/int8_links.h"
#include "codegen/ops/emit_context.h"
#include "compiler/ir/graph.h"
#include "compiler/quant/int8_plan.h"

namespace tml::codegen {

enum class ArenaMode { kStatic, kExtern };

struct ApiTensor {
  std::string name;
  Shape shape;
  int64_t size = 0;                  // elements
  std::optional<AffineQuant> format;  // int8 format (int8 models)
};

struct ApiPlan {
  std::string name, upper;
  std::vector<ApiTensor> inputs, outputs;
  int64_t input_size = 0, output_size = 0;
  ArenaMode arena = ArenaMode::kStatic;
  int64_t arena_bytes = 0;    // including the int8 staging area
  int64_t weight_bytes = 0;
  bool int8 = false;          // a --quantize int8 model
  bool has_s8 = false;        // NAME_invoke_s8 (and NAME_step_s8 with streaming)
  std::string no_s8_reason;   // when int8 && !has_s8
  int64_t staging_floats = 0;  // offset of the staging area in the arena (floats)
  bool has_step = false, prefix_output = false;
  // The single input holds int32 token ids for an embedding lookup of
  // vocab_size rows (NAME_invoke / NAME_step take const int32_t *).
  bool tokens = false;
  int64_t vocab_size = 0;
  int64_t seq_len = 0, step_input_size = 0, state_bytes = 0;
};

// "static" or "extern" → the mode; nullopt otherwise.
std::optional<ArenaMode> ParseArenaMode(const std::string& text);

// The int8 formats of the model's inputs and outputs (see above); sets
// has_s8 / no_s8_reason from them.
void FindIoFormatsS8(const Graph& graph, ApiPlan* plan);

// Floats of staging NAME_invoke_s8 needs at the end of the arena (0 without it).
int64_t StagingFloats(const ApiPlan& plan);

// NAME.h without its provenance comment.
std::string ApiHeader(const ApiPlan& plan);

// The arena's definition in NAME.c: a static array, or the pointer NAME_init sets.
std::string ArenaDefinition(const ApiPlan& plan);

// The first statement of every entry point using the arena (extern: the
// not-initialized check), or "".
std::string ArenaCheck(const ApiPlan& plan);

// NAME_status_str, NAME_init, NAME_invoke_s8, NAME_step_s8, printed into `w`
// with `ctx` (dims statics, kernels used).
Status EmitApiFunctions(const ApiPlan& plan, EmitContext& ctx, CWriter& w);

}  // namespace tml::codegen

#endif  // TML_CODEGEN_MODEL_API_H_
