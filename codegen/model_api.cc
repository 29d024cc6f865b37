#include "codegen/model_api.h"

#include <fmt/format.h>

#include "codegen/ops/linear_op_s8.h"
#include "codegen/ops/op_emitters.h"
#include "compiler/ops/recurrent_common.h"

namespace tml::codegen {
namespace {

int64_t AlignFloats(int64_t n) { return (n + 3) / 4 * 4; }

bool SameFormat(const AffineQuant& a, const AffineQuant& b) {
  return a.scale == b.scale && a.zero_point == b.zero_point;
}

bool IsLayoutOnly(OpKind op) { return op == OpKind::kReshape || op == OpKind::kTranspose; }

// The format the int8 layers reading `id` (through layout-only nodes) quantize
// it to; nullopt when a float operator reads it or the readers disagree.
std::optional<AffineQuant> ReaderFormat(const Graph& graph, TensorId id) {
  std::optional<AffineQuant> format;
  bool any = false;
  for (const Node& node : graph.nodes()) {
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      if (node.inputs[k] != id) continue;
      std::optional<AffineQuant> f;
      if (IsLayoutOnly(node.op) && k == 0) {
        f = ReaderFormat(graph, node.output(0));
      } else if (UsesFullyConnectedS8(node) && k == 0) {
        const std::optional<Int8Plan> plan = ReadInt8Plan(node);
        if (plan.has_value()) f = plan->input;
      } else if ((UsesLstmS8(node) || UsesGruS8(node) || UsesRnnS8(node)) && k == kRecurrentX) {
        f = RecurrentInputQuant(node);
      }
      if (!f.has_value() || (format.has_value() && !SameFormat(*format, *f))) return std::nullopt;
      format = f;
      any = true;
    }
  }
  return any ? format : std::nullopt;
}

// The format of the int8 layer that writes `id` (through layout-only nodes
// and a Relu, which keep a format exactly); nullopt for a float producer.
std::optional<AffineQuant> WriterFormat(const Graph& graph, TensorId id) {
  for (const Node& node : graph.nodes()) {
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      if (node.outputs[o] != id) continue;
      if (IsLayoutOnly(node.op) || node.op == OpKind::kRelu) {
        return WriterFormat(graph, node.input(0));
      }
      if (UsesFullyConnectedS8(node)) {
        const std::optional<Int8Plan> plan = ReadInt8Plan(node);
        if (plan.has_value()) return plan->output;
        return std::nullopt;
      }
      if ((UsesLstmS8(node) || UsesGruS8(node) || UsesRnnS8(node)) &&
          (o == kRecurrentY || o == kRecurrentYh)) {
        return AffineQuant{1.0 / 128.0, 0};  // h, as the step kernels keep it
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string ScaleLiteral(double scale) { return FloatLiteral(static_cast<float>(scale)); }

void Doc(std::string* text, const std::vector<std::string>& lines) {
  *text += "/*\n";
  for (const std::string& l : lines) *text += l.empty() ? " *\n" : " * " + l + "\n";
  *text += " */\n";
}

void IoMacros(const ApiPlan& p, const char* what, const std::vector<ApiTensor>& ts, int64_t total,
              std::string* text) {
  *text += fmt::format("#define {}_NUM_{}S {}\n", p.upper, what, ts.size());
  *text += fmt::format("#define {}_{}_SIZE {}\n", p.upper, what, total);
  for (size_t k = 0; k < ts.size(); ++k) {
    *text += fmt::format("#define {}_{}{}_SIZE {} /* '{}' {} */\n", p.upper, what, k, ts[k].size,
                         CommentText(ts[k].name), ShapeToString(ts[k].shape));
  }
}

void S8Section(const ApiPlan& p, std::string* text) {
  if (!p.int8) return;
  *text += "\n";
  if (!p.has_s8) {
    Doc(text, {"int8 I/O: none for this model (" + CommentText(p.no_s8_reason) + ");",
               "NAME_invoke above quantizes and dequantizes inside."});
    *text += fmt::format("#define {}_HAS_INVOKE_S8 0\n", p.upper);
    return;
  }
  Doc(text, {"int8 I/O (--quantize int8). real = SCALE * (code - ZERO_POINT), codes in [-128, 127].",
             "Each input's format is the one its first int8 layer quantizes it to, each output's",
             "the one its last int8 layer writes, so NAME_invoke_s8 skips no precision:",
             "NAME_invoke_s8(q) == quantize(NAME_invoke(dequantize(q))) bit for bit. The codes",
             "are converted to float at the boundary in the arena (staging, part of ARENA_BYTES);",
             "buffers are laid out as for NAME_invoke, one int8 per element. INPUT<k>_INV_SCALE:",
             "the model quantizes a float input as clamp(floor(x * INV_SCALE + 0.5) + ZERO_POINT),",
             "so a driver doing the same feeds NAME_*_s8 exactly what NAME_invoke would compute."});
  *text += fmt::format("#define {}_HAS_INVOKE_S8 1\n", p.upper);
  auto formats = [&](const char* what, const std::vector<ApiTensor>& ts) {
    for (size_t k = 0; k < ts.size(); ++k) {
      *text += fmt::format("#define {}_{}{}_SCALE {}\n", p.upper, what, k,
                           ScaleLiteral(ts[k].format->scale));
      *text += fmt::format("#define {}_{}{}_ZERO_POINT {}\n", p.upper, what, k,
                           ts[k].format->zero_point);
      if (std::string(what) == "INPUT") {
        *text += fmt::format("#define {}_{}{}_INV_SCALE {}\n", p.upper, what, k,
                             FloatLiteral(static_cast<float>(1.0 / ts[k].format->scale)));
      }
    }
  };
  formats("INPUT", p.inputs);
  formats("OUTPUT", p.outputs);
  *text += fmt::format("int {}_invoke_s8(const int8_t *input, int8_t *output);\n", p.name);
}

// The C type of the model's input buffers.
const char* InputType(const ApiPlan& p) { return p.tokens ? "int32_t" : "float"; }

void StepSection(const ApiPlan& p, std::string* text) {
  if (!p.has_step) return;
  *text += "\n";
  Doc(text, {
      "Streaming: one time step per NAME_step() call, the recurrent state kept between calls",
      "in the model's own static state (STATE_BYTES, separate from the arena: the arena may be",
      "shared, the state may not). SEQ_LEN is the model input's time axis; `input` is one",
      "time step, STEP_INPUT_SIZE floats (one row of input 0); `output` is laid out as for",
      "NAME_invoke (OUTPUT_SIZE floats).",
      "STEP_PREFIX_OUTPUT 1: the part after the recurrent layers reads only their final states",
      "  (e.g. a classifier on Y_h): every call writes `output` for the sequence seen so far",
      "  and returns 1; streams may be longer than SEQ_LEN.",
      "STEP_PREFIX_OUTPUT 0: that part reads whole sequences: `output` is written (return 1)",
      "  every SEQ_LEN-th call, for the window of the last SEQ_LEN steps, then the state",
      "  restarts; other calls return 0.",
      "Either way, the SEQ_LEN rows of an input fed after NAME_reset() give the output of",
      "NAME_invoke on it (int8 models: bit for bit). Negative return: a tml_status.",
      "int8 models keep the state as their kernels do (h int8 at 2^-7, an LSTM's c int16",
      "Q4.11) and quantize each step's row with INPUT0's format."});
  *text += fmt::format("#define {}_HAS_STEP 1\n", p.upper);
  *text += fmt::format("#define {}_SEQ_LEN {}\n", p.upper, p.seq_len);
  *text += fmt::format("#define {}_STEP_INPUT_SIZE {}\n", p.upper, p.step_input_size);
  *text += fmt::format("#define {}_STEP_PREFIX_OUTPUT {}\n", p.upper, p.prefix_output ? 1 : 0);
  *text += fmt::format("#define {}_STATE_BYTES {}\n", p.upper, p.state_bytes);
  *text += "/* Restarts the stream (zero state, the model's constant initial states). */\n";
  *text += fmt::format("void {}_reset(void);\n", p.name);
  *text += "/* Feeds one time step; 1 when `output` was written, 0 when not yet, < 0 on error. */\n";
  *text += fmt::format("int {}_step(const {} *input, float *output);\n", p.name, InputType(p));
  if (p.has_s8) {
    *text += "/* The same on int8 codes (INPUT0's format in, the outputs' formats out). */\n";
    *text += fmt::format("int {}_step_s8(const int8_t *input, int8_t *output);\n", p.name);
  }
}

}  // namespace

std::optional<ArenaMode> ParseArenaMode(const std::string& text) {
  if (text == "static") return ArenaMode::kStatic;
  if (text == "extern") return ArenaMode::kExtern;
  return std::nullopt;
}

void FindIoFormatsS8(const Graph& graph, ApiPlan* plan) {
  plan->has_s8 = false;
  if (!plan->int8) return;
  for (size_t k = 0; k < plan->inputs.size(); ++k) {
    plan->inputs[k].format = ReaderFormat(graph, graph.inputs()[k]);
    if (!plan->inputs[k].format.has_value() && plan->no_s8_reason.empty()) {
      plan->no_s8_reason = "input '" + plan->inputs[k].name + "' is read by a float operator";
    }
  }
  for (size_t k = 0; k < plan->outputs.size(); ++k) {
    plan->outputs[k].format = WriterFormat(graph, graph.outputs()[k]);
    if (!plan->outputs[k].format.has_value() && plan->no_s8_reason.empty()) {
      plan->no_s8_reason = "output '" + plan->outputs[k].name + "' is written by a float operator";
    }
  }
  plan->has_s8 = plan->no_s8_reason.empty();
}

int64_t StagingFloats(const ApiPlan& plan) {
  return plan.has_s8 ? AlignFloats(plan.input_size) + AlignFloats(plan.output_size) : 0;
}

std::string ApiHeader(const ApiPlan& p) {
  std::string t;
  t += "#ifndef " + p.upper + "_H_\n#define " + p.upper + "_H_\n\n";
  t += "#include <stddef.h>\n#include <stdint.h>\n\n#include \"tml_status.h\"\n\n";
  t += "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  Doc(&t, {"Model '" + p.name + "'. Functions returning int return 0 (TML_OK) or a negative tml_status",
           "(tml_status.h), which " + p.name + "_status_str() names. Buffers: every input flattened",
           "row-major (C order) and concatenated in model order, INPUT_SIZE elements; outputs the",
           "same way, OUTPUT_SIZE elements. Not reentrant: one call at a time per model."});
  IoMacros(p, "INPUT", p.inputs, p.input_size, &t);
  IoMacros(p, "OUTPUT", p.outputs, p.output_size, &t);
  t += "\n";
  const bool ext = p.arena == ArenaMode::kExtern;
  Doc(&t, {"Arena: the intermediate tensors and kernel scratch, planned by liveness. It holds",
           "nothing from one call to the next, so models that never run at the same time may",
           "share one. ARENA_EXTERN 0: a static array inside the model (compile --arena static).",
           "ARENA_EXTERN 1 (--arena extern): the caller's memory, ARENA_BYTES at an address",
           "aligned to ARENA_ALIGN (e.g. in a linker section of its choice), given to NAME_init()",
           "before any other call; until then calls return TML_ERROR_NOT_INITIALIZED.",
           "WEIGHT_BYTES: the model's static const data (flash)."});
  t += fmt::format("#define {}_ARENA_EXTERN {}\n", p.upper, ext ? 1 : 0);
  t += fmt::format("#define {}_ARENA_BYTES {}\n", p.upper, p.arena_bytes);
  t += fmt::format("#define {}_ARENA_ALIGN 16\n", p.upper);
  t += fmt::format("#define {}_WEIGHT_BYTES {}\n", p.upper, p.weight_bytes);
  if (ext) {
    t += "/* Sets the arena: TML_ERROR_ARENA_ALIGN when NULL or misaligned, TML_ERROR_ARENA_SIZE\n"
         " * when bytes < ARENA_BYTES (the model then stays uninitialized). */\n";
    t += fmt::format("int {}_init(void *arena, size_t bytes);\n", p.name);
  }
  t += "\n/* A short English description of a status returned by this model. */\n";
  t += fmt::format("const char *{}_status_str(int status);\n\n", p.name);
  if (p.tokens) {
    Doc(&t, {"The input holds token ids (int32_t, 0 <= id < VOCAB_SIZE): the model's embedding",
             "lookup reads them. An id out of range makes NAME_invoke / NAME_step return",
             "TML_ERROR_INDEX before anything is written to `output`."});
    t += fmt::format("#define {}_INPUT_IS_TOKENS 1\n", p.upper);
    t += fmt::format("#define {}_VOCAB_SIZE {}\n\n", p.upper, p.vocab_size);
  }
  t += p.tokens ? "/* One inference: token-id inputs and float outputs as laid out above. */\n"
                : "/* One inference: float inputs and outputs as laid out above. */\n";
  t += fmt::format("int {}_invoke(const {} *input, float *output);\n", p.name, InputType(p));
  t += "/* The same with one pointer per input and per output (INPUT<k>_SIZE, OUTPUT<k>_SIZE). */\n";
  t += fmt::format("int {}_invoke_io(const {} *const *inputs, float *const *outputs);\n", p.name,
                   InputType(p));
  S8Section(p, &t);
  StepSection(p, &t);
  t += "\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* " + p.upper + "_H_ */\n";
  return t;
}

std::string ArenaDefinition(const ApiPlan& p) {
  if (p.arena_bytes <= 0) return "";
  if (p.arena == ArenaMode::kExtern) {
    return fmt::format(
        "/* ---- arena: {0} bytes of the caller's, set by {1}_init (--arena extern) ---- */\n"
        "static float *{1}_arena;\n\n",
        p.arena_bytes, p.name);
  }
  return fmt::format(
      "/* ---- arena: {0} bytes, planned by liveness (greedy by size) ---- */\n"
      "static float {1}_arena[{2}] TML_ALIGN(16);\n\n",
      p.arena_bytes, p.name, p.arena_bytes / 4);
}

std::string ArenaCheck(const ApiPlan& p) {
  if (p.arena != ArenaMode::kExtern) return "";
  return fmt::format("if ({}_arena == NULL) return (int)TML_ERROR_NOT_INITIALIZED;", p.name);
}

Status EmitApiFunctions(const ApiPlan& p, EmitContext& ctx, CWriter& w) {
  w.Line();
  w.Open(fmt::format("const char *{}_status_str(int status)", p.name));
  w.Line("return tml_status_str(status);");
  w.Close();
  if (p.arena == ArenaMode::kExtern) {
    w.Line();
    w.Open(fmt::format("int {}_init(void *arena, size_t bytes)", p.name));
    w.Line(fmt::format("{}_arena = NULL;", p.name));
    w.Open(fmt::format("if (arena == NULL || ((uintptr_t)arena & ({}_ARENA_ALIGN - 1u)) != 0u)",
                       p.upper));
    w.Line("return (int)TML_ERROR_ARENA_ALIGN;");
    w.Close();
    w.Line(fmt::format("if (bytes < (size_t){}_ARENA_BYTES) return (int)TML_ERROR_ARENA_SIZE;",
                       p.upper));
    w.Line(fmt::format("{}_arena = (float *)arena;", p.name));
    w.Line("return (int)TML_OK;");
    w.Close();
  }
  if (!p.has_s8) return Status::Ok();
  ctx.UseKernel("tml_quantize_s8");
  ctx.UseKernel("tml_dequantize_s8");
  const int64_t out_off = p.staging_floats + AlignFloats(p.input_size);
  // Dequantize the inputs (rows: the step's one row of input 0), call `call`,
  // quantize the outputs.
  auto wrapper = [&](const std::string& fn, const std::string& call, bool step) -> Status {
    w.Line();
    w.Open(fmt::format("int {}_{}(const int8_t *input, int8_t *output)", p.name, fn));
    w.Line("int status;");
    if (!ArenaCheck(p).empty()) w.Line(ArenaCheck(p));
    int64_t off = 0;
    for (size_t k = 0; k < (step ? 1 : p.inputs.size()); ++k) {
      const int64_t n = step ? p.step_input_size : p.inputs[k].size;
      TML_ASSIGN_OR_RETURN(std::string dims, ctx.DimsOf(Shape{n}));
      ctx.Call(fmt::format("tml_dequantize_s8({}, input + {}, {}, {}, {}_arena + {})", dims, off,
                           ScaleLiteral(p.inputs[k].format->scale), p.inputs[k].format->zero_point,
                           p.name, p.staging_floats + off));
      off += n;
    }
    w.Line(fmt::format("status = {}_{}({}_arena + {}, {}_arena + {});", p.name, call, p.name,
                       p.staging_floats, p.name, out_off));
    w.Line(fmt::format("if (status {}) return status;", step ? "!= 1" : "!= 0"));
    off = 0;
    for (const ApiTensor& o : p.outputs) {
      TML_ASSIGN_OR_RETURN(std::string dims, ctx.DimsOf(Shape{o.size}));
      ctx.Call(fmt::format("tml_quantize_s8({}, {}_arena + {}, {}, {}, output + {})", dims, p.name,
                           out_off + off, FloatLiteral(static_cast<float>(1.0 / o.format->scale)),
                           o.format->zero_point, off));
      off += o.size;
    }
    w.Line(fmt::format("return {};", step ? 1 : 0));
    w.Close();
    return Status::Ok();
  };
  TML_RETURN_IF_ERROR(wrapper("invoke_s8", "invoke", false));
  if (p.has_step) TML_RETURN_IF_ERROR(wrapper("step_s8", "step", true));
  return Status::Ok();
}

}  // namespace tml::codegen
