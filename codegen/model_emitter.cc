#include "codegen/model_emitter.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "codegen/c_writer.h"
#include "codegen/int8_links.h"
#include "codegen/memory_plan.h"
#include "codegen/model_api.h"
#include "codegen/ops/emit_context.h"
#include "codegen/ops/op_emitters.h"
#include "codegen/runtime_files.h"
#include "codegen/stream_s8.h"
#include "compiler/ops/recurrent_common.h"
#include "compiler/reference/materialize.h"
#include "compiler/quant/int8_plan.h"
#include "tml_kernels.h"

namespace tml::codegen {
namespace {

constexpr int64_t kAlignFloats = 4;  // 16 bytes

int64_t AlignFloats(int64_t n) { return (n + kAlignFloats - 1) / kAlignFloats * kAlignFloats; }

bool IsRecurrent(OpKind op) { return op == OpKind::kLstm || op == OpKind::kGru || op == OpKind::kRnn; }

std::string Describe(const Node& node) {
  return "node '" + node.name + "' (" + node.onnx_op_type + ")";
}

// Which part of the model NAME_step() runs per time step (see the header).
struct StreamPlan {
  bool enabled = false;
  int64_t seq_len = 0;
  bool prefix_output = false;
  std::set<TensorId> per_step;        // [T, row] buffers, one row written per step
  std::map<TensorId, int64_t> row;    // floats per time step of each per-step tensor
  std::set<int> stream_nodes;         // node indices run one step at a time
  std::set<TensorId> states;          // Y_h / Y_c of streamed recurrent nodes
};

// Where NAME_step keeps its data in NAME_stream (offsets in floats).
struct StepStorage {
  std::map<TensorId, int64_t> offset;                // per-step tensors
  std::map<int, int64_t> scratch, scratch_bytes;     // step kernel scratch, by node index
  std::map<int, std::pair<int64_t, int64_t>> state;  // node -> (h, c) offsets (float views)
  std::map<int, RecurrentStepS8> s8_step;            // int8 nodes: the step and
  std::map<int, StreamS8Slots> s8;                   // its int8/int16 state (stream_s8.h)
  int64_t floats = 0;
};

// True when the transpose keeps the relative order of the axes longer than 1,
// so that it does not move any data (a no-op on the flat buffer).
bool TransposeKeepsOrder(const Shape& in, const std::vector<int64_t>& perm) {
  int64_t last = -1;
  for (int64_t p : perm) {
    if (in[static_cast<size_t>(p)] == 1) continue;
    if (p < last) return false;
    last = p;
  }
  return true;
}

bool IsUsed(const Graph& graph, TensorId id) {
  for (TensorId out : graph.outputs()) {
    if (out == id) return true;
  }
  for (const Node& node : graph.nodes()) {
    for (TensorId in : node.inputs) {
      if (in == id) return true;
    }
  }
  return false;
}

StreamPlan PlanStreaming(const Graph& graph) {
  StreamPlan plan;
  if (graph.inputs().size() != 1) return plan;
  const auto& nodes = graph.nodes();
  int first = -1;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (IsRecurrent(nodes[i].op)) {
      first = static_cast<int>(i);
      break;
    }
  }
  if (first < 0) return plan;
  const Node& r0 = nodes[static_cast<size_t>(first)];
  const Shape& x0 = graph.tensor(r0.input(kRecurrentX)).shape;
  const int64_t layout = r0.GetInt("layout", 0);
  const int64_t T = layout == 0 ? x0[0] : x0[1];
  const TensorId input = graph.inputs()[0];
  const Tensor& in = graph.tensor(input);
  const Shape in_stripped = StripLeadingOnes(in.shape);
  if (T < 1 || in_stripped.empty() || in_stripped[0] != T) return plan;
  plan.seq_len = T;
  plan.per_step.insert(input);
  plan.row[input] = in.num_elements() / T;
  auto is_const = [&](TensorId id) { return id == kNoTensor || graph.tensor(id).is_constant(); };
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    if (node.op == OpKind::kGather && node.input(1) == input && is_const(node.input(0)) &&
        node.GetInt("axis", 0) == 0) {
      // An embedding lookup of the step's token ids: one row of vectors per step.
      const Tensor& out = graph.tensor(node.output(0));
      const Shape s = StripLeadingOnes(out.shape);
      if (s.empty() || s[0] != T) continue;
      plan.per_step.insert(node.output(0));
      plan.row[node.output(0)] = out.num_elements() / T;
      plan.stream_nodes.insert(static_cast<int>(i));
      continue;
    }
    if (node.inputs.empty() || !plan.per_step.count(node.input(0))) continue;
    if (node.op == OpKind::kReshape || node.op == OpKind::kTranspose) {
      const Tensor& out = graph.tensor(node.output(0));
      const Shape s = StripLeadingOnes(out.shape);
      if (s.empty() || s[0] != T) continue;
      if (node.op == OpKind::kTranspose &&
          !TransposeKeepsOrder(graph.tensor(node.input(0)).shape, node.GetInts("perm"))) {
        continue;
      }
      plan.per_step.insert(node.output(0));
      plan.row[node.output(0)] = out.num_elements() / T;
      plan.stream_nodes.insert(static_cast<int>(i));
    } else if (IsRecurrent(node.op)) {
      const RecurrentAttrs attrs = ReadRecurrentAttrs(node);
      const Shape& x = graph.tensor(node.input(kRecurrentX)).shape;
      const int64_t batch = attrs.layout == 0 ? x[1] : x[0];
      const int64_t seq = attrs.layout == 0 ? x[0] : x[1];
      if (attrs.direction != "forward" || batch != 1 || seq != T) continue;
      if (node.input(kRecurrentSequenceLens) != kNoTensor) continue;
      bool constants = true;
      for (size_t k = 1; k < node.inputs.size(); ++k) constants &= is_const(node.input(k));
      if (!constants) continue;
      plan.stream_nodes.insert(static_cast<int>(i));
      const TensorId y = node.output(kRecurrentY);
      if (y != kNoTensor && IsUsed(graph, y)) {
        plan.per_step.insert(y);
        plan.row[y] = attrs.hidden_size;
      }
      for (size_t o = 1; o < node.outputs.size(); ++o) {
        if (node.output(o) != kNoTensor && IsUsed(graph, node.output(o))) {
          plan.states.insert(node.output(o));
        }
      }
    }
  }
  bool any_recurrent = false;
  for (int i : plan.stream_nodes) any_recurrent |= IsRecurrent(nodes[static_cast<size_t>(i)].op);
  if (!any_recurrent) return StreamPlan{};
  plan.enabled = true;
  plan.prefix_output = true;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (plan.stream_nodes.count(static_cast<int>(i))) continue;
    for (TensorId id : nodes[i].inputs) {
      if (plan.per_step.count(id)) plan.prefix_output = false;
    }
  }
  for (TensorId id : graph.outputs()) {
    if (plan.per_step.count(id)) plan.prefix_output = false;
  }
  return plan;
}

// runtime/include/tml_config.h with this compile's choices: the default
// "#define TML_FLOAT_MATH_EXACT 0" becomes 1 for --float-math exact, and each
// "#define TML_LINK_<KERNEL> 1" becomes 0 when the model does not use tml_<kernel>
// (the linear-operator dispatch then neither calls nor links it).
std::string ConfigHeader(std::string content, bool exact_float_math,
                         const std::set<std::string>& kernels,
                         const std::set<std::string>& runtime_options) {
  const auto set_last_digit = [&content](const std::string& line, char digit) {
    const size_t at = content.find(line);
    if (at != std::string::npos) content[at + line.size() - 1] = digit;
  };
  if (exact_float_math) set_last_digit("#define TML_FLOAT_MATH_EXACT 0", '1');
  for (const char* kernel : {"kron_matvec_s8", "sparse_matvec_s8", "kron_matvec_f32",
                             "sparse_matvec_f32"}) {
    if (kernels.count(std::string("tml_") + kernel)) continue;
    set_last_digit("#define TML_LINK_" + MacroPrefix(kernel) + " 1", '0');
  }
  for (const char* option : {"TML_S8_LONG_ROWS", "TML_S8_LSTM_FUSED", "TML_S8_LSTM_GENERAL"}) {
    if (!runtime_options.count(option)) set_last_digit(std::string("#define ") + option + " 1", '0');
  }
  // The Kronecker kernel's specialized bodies: the cases the operators use
  // (TML_S8_KRON_CASE_<bit> options of codegen/ops/linear_op_s8.cc).
  int kron_cases = 0;
  for (int bit = 0; bit < 16; ++bit) {
    if (runtime_options.count("TML_S8_KRON_CASE_" + std::to_string(bit))) kron_cases |= 1 << bit;
  }
  const std::string all_cases = "#define TML_S8_KRON_CASES 0x1FFF";
  const size_t at = content.find(all_cases);
  if (at != std::string::npos) {
    char mask[16];
    std::snprintf(mask, sizeof mask, "0x%04X", kron_cases);
    content.replace(at + all_cases.size() - 6, 6, mask);
  }
  return content;
}

// The run-time files the model needs: every header, its kernels and their
// dependencies.
std::vector<GeneratedFile> RuntimeSources(const std::set<std::string>& kernels,
                                          const std::set<std::string>& runtime_options,
                                          bool exact_float_math,
                                          std::vector<std::string>* c_files) {
  std::set<std::string> needed = kernels;
  needed.insert("tml_status_str");  // NAME_status_str
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [kernel, dep] : RuntimeKernelDeps()) {
      if (needed.count(kernel) && !needed.count(dep)) grew = needed.insert(dep).second;
    }
  }
  // tml_broadcast_params_init is only called on the host; no file needed.
  std::vector<GeneratedFile> files;
  for (const RuntimeFile& f : RuntimeFiles()) {
    const std::string base = f.path.substr(f.path.rfind('/') + 1);
    if (f.path.rfind("include/", 0) == 0) {
      files.push_back({"runtime/include/" + base,
                       base == "tml_config.h" ? ConfigHeader(f.content, exact_float_math, needed, runtime_options)
                                              : f.content});
    } else if (needed.count(base.substr(0, base.size() - 2))) {
      files.push_back({"runtime/src/" + base, f.content});
      c_files->push_back("runtime/src/" + base);
    }
  }
  return files;
}

// GeneratedModel::kernel_text for the linked runtime files ("runtime/src/tml_gemm_f32.c").
std::vector<GeneratedModel::KernelText> KernelTexts(const std::vector<std::string>& c_files) {
  std::vector<GeneratedModel::KernelText> out;
  if (RuntimeFunctionTexts().empty()) return out;
  for (const std::string& path : c_files) {
    const std::string base = path.substr(path.rfind('/') + 1);
    GeneratedModel::KernelText k{base.substr(0, base.size() - 2), 0};
    for (const RuntimeFunctionText& f : RuntimeFunctionTexts()) {
      if (k.kernel == f.file) k.bytes += f.bytes;
    }
    out.push_back(k);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.kernel < b.kernel;
  });
  return out;
}

class ModelEmitter {
 public:
  ModelEmitter(const Graph& graph, const CodegenOptions& options)
      : graph_(graph), options_(options), name_(options.name), upper_(MacroPrefix(options.name)),
        ctx_(graph, options.name) {}

  StatusOr<GeneratedModel> Run();

 private:
  Status CheckSupported();
  void PlanApi();
  Status Plan();
  Status EmitInvoke(CWriter& w);
  Status EmitStep(CWriter& w);
  StepStorage PlanStepStorage();
  std::string StreamPtr(int64_t offset) const;  // "(NAME_stream + offset)"
  std::string StepRowPtr(StepStorage& storage, TensorId id);  // this step's row of `id`
  Status EmitReset(CWriter& w, const StepStorage& storage);
  Status EmitStreamedNode(CWriter& w, int i, StepStorage& storage);
  Status EmitRecurrentOperatorStep(const Node& node, int i, const std::string& cell,
                                   const std::string& sctx, StepStorage& storage);
  Status EmitDenseRecurrentStep(const Node& node, int i, const std::string& cell,
                                StepStorage& storage);
  Status EmitStepTail(CWriter& w, const StepStorage& storage);
  Status EmitNodes(CWriter& w, const std::vector<int>& indices);
  std::string Provenance(const std::string& file) const;
  std::string Header() const;
  std::string Source(const std::string& functions) const;

  const Graph& graph_;
  const CodegenOptions& options_;
  std::string name_, upper_;
  EmitContext ctx_;
  std::map<TensorId, int64_t> arena_offset_;  // floats
  std::map<int, int64_t> scratch_offset_;     // floats, by node index
  std::map<int, int64_t> scratch_bytes_;
  std::map<int, int64_t> node_weight_bytes_;  // static const bytes emitted, by node index
  std::set<TensorId> no_buffer_;
  int64_t arena_floats_ = 0;
  StreamPlan stream_;
  int64_t stream_floats_ = 0;
  ApiPlan api_;  // the public surface (model_api.h)
  bool tokens_ = false;      // the single model input holds int32 token ids
  int64_t vocab_size_ = 0;   // rows of the embedding table the token ids index
  const char* InputType() const { return tokens_ ? "int32_t" : "float"; }
  GeneratedModel result_;
};

// The public surface: int8 I/O formats, the staging they need at the end of
// the arena, the arena mode (model_api.h).
void ModelEmitter::PlanApi() {
  api_.name = name_;
  api_.upper = upper_;
  api_.arena = options_.arena;
  api_.tokens = tokens_;
  api_.vocab_size = vocab_size_;
  for (TensorId id : graph_.inputs()) {
    const Tensor& t = graph_.tensor(id);
    api_.inputs.push_back({t.name, t.shape, t.num_elements(), std::nullopt});
  }
  for (TensorId id : graph_.outputs()) {
    const Tensor& t = graph_.tensor(id);
    api_.outputs.push_back({t.name, t.shape, t.num_elements(), std::nullopt});
  }
  api_.input_size = result_.input_size;
  api_.output_size = result_.output_size;
  for (const Node& node : graph_.nodes()) api_.int8 |= node.HasAttr(kInt8Attr);
  FindIoFormatsS8(graph_, &api_);
  api_.staging_floats = arena_floats_;
  arena_floats_ += StagingFloats(api_);
  // The caller's arena is never empty, so NAME_init's checks always mean something.
  if (options_.arena == ArenaMode::kExtern) arena_floats_ = std::max<int64_t>(arena_floats_, kAlignFloats);
  api_.arena_bytes = arena_floats_ * 4;
}

Status ModelEmitter::CheckSupported() {
  std::vector<std::string> bad;
  for (const Node& node : graph_.nodes()) {
    switch (node.op) {
      case OpKind::kShape:
      case OpKind::kConstantOfShape:
      case OpKind::kCast:
      case OpKind::kEqual:
      case OpKind::kWhere:
        bad.push_back("'" + node.name + "' (" + node.onnx_op_type + ")");
        break;
      default:
        break;
    }
  }
  for (TensorId id : graph_.inputs()) {
    if (graph_.tensor(id).dtype == DType::kFloat32) continue;
    if (graph_.inputs().size() != 1) {
      return InvalidInput("input '{}' holds token ids; the firmware takes token ids only as the "
                          "model's single input",
                          graph_.tensor(id).name);
    }
    tokens_ = true;
    for (const Node& node : graph_.nodes()) {
      if (node.op == OpKind::kGather && node.input(1) == id) {
        vocab_size_ = graph_.tensor(node.input(0)).shape[static_cast<size_t>(node.GetInt("axis", 0))];
      }
    }
  }
  for (const Tensor& t : graph_.tensors()) {
    if (tokens_ && t.role == TensorRole::kInput) continue;
    if (!t.is_constant() && t.dtype != DType::kFloat32) {
      return InvalidInput("tensor '{}' is {} at run time; the firmware computes in float32",
                          t.name, DTypeName(t.dtype));
    }
  }
  if (!bad.empty()) {
    std::string list;
    for (const std::string& b : bad) list += (list.empty() ? "" : ", ") + b;
    return InvalidInput("{} node(s) have no C emitter (their inputs are not constants, so import "
                        "could not fold them): {}",
                        bad.size(), list);
  }
  return Status::Ok();
}

Status ModelEmitter::Plan() {
  const auto& nodes = graph_.nodes();
  ctx_.SetInt8Links(FindInt8Links(graph_));
  const Int8Links& links = ctx_.int8_links();
  std::set<TensorId> io(graph_.inputs().begin(), graph_.inputs().end());
  io.insert(graph_.outputs().begin(), graph_.outputs().end());
  std::map<TensorId, int> first, last;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const int step = static_cast<int>(i);
    for (TensorId id : nodes[i].inputs) {
      if (id == kNoTensor) continue;
      last[id] = std::max(last.count(id) ? last[id] : step, step);
    }
    for (TensorId id : nodes[i].outputs) {
      if (id == kNoTensor) continue;
      first[id] = step;
      if (!last.count(id)) last[id] = step;
    }
  }
  // A Relu output written by the int8 layer it is folded into lives from that layer on.
  for (const auto& [pre, out] : links.write_instead) first[out] = first[pre];
  std::vector<BufferRequest> requests;
  std::vector<TensorId> owners;  // tensor id, or -1 - node index for scratch
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      const TensorId id = node.outputs[o];
      if (id == kNoTensor || io.count(id)) continue;
      bool used = false;
      for (const Node& other : nodes) {
        for (TensorId in : other.inputs) used |= in == id;
      }
      if (!used && IsRecurrent(node.op)) {
        no_buffer_.insert(id);  // optional recurrent output nobody reads
        continue;
      }
      if (links.write_instead.count(id)) {
        no_buffer_.insert(id);  // an int8 layer writes the Relu output folded into it
        continue;
      }
      const int64_t n = graph_.tensor(id).num_elements();
      if (n == 0) continue;
      requests.push_back({links.IsInt8(id) ? n : n * 4, first[id], last[id]});
      owners.push_back(id);
    }
    TML_ASSIGN_OR_RETURN(int64_t scratch, ScratchBytes(graph_, node));
    if (scratch > 0) {
      scratch_bytes_[static_cast<int>(i)] = scratch;
      requests.push_back({scratch, static_cast<int>(i), static_cast<int>(i)});
      owners.push_back(-1 - static_cast<TensorId>(i));
    }
  }
  const MemoryPlan plan = PlanMemory(requests, kAlignFloats * 4);
  const std::string problem = VerifyMemoryPlan(requests, plan);
  if (!problem.empty()) return Internal("memory plan: {}", problem);
  for (size_t k = 0; k < owners.size(); ++k) {
    if (owners[k] >= 0) {
      arena_offset_[owners[k]] = plan.offsets[k] / 4;
    } else {
      scratch_offset_[-1 - owners[k]] = plan.offsets[k] / 4;
    }
  }
  arena_floats_ = plan.arena_bytes / 4;
  // The arena bytes alive while each node runs (its inputs, outputs, scratch and
  // every buffer kept for later), the report's per-layer RAM.
  result_.layer_arena_bytes.assign(nodes.size(), 0);
  for (const BufferRequest& r : requests) {
    for (int step = r.first_use; step <= r.last_use; ++step) {
      result_.layer_arena_bytes[static_cast<size_t>(step)] += r.size;
    }
  }
  return Status::Ok();
}

Status ModelEmitter::EmitNodes(CWriter& w, const std::vector<int>& indices) {
  ctx_.SetBody(&w);
  for (int i : indices) {
    const Node& node = graph_.nodes()[static_cast<size_t>(i)];
    w.Comment(Describe(node));
    w.Line(fmt::format("TML_LAYER_MARK({});", i));
    if (ctx_.int8_links().IsFoldedRelu(i)) {
      w.Comment("folded into the int8 layer before it (clamped at the zero point)");
      continue;
    }
    // With --arena extern the arena's address is known at run time only: the
    // node's scratch context is a local, not a static const.
    const bool local = scratch_offset_.count(i) && options_.arena == ArenaMode::kExtern;
    if (local) {
      w.Open("");
      w.Line(fmt::format("const tml_context scratch_ctx_ = {{{}_arena + {}, {}}};", name_,
                         scratch_offset_[i], scratch_bytes_[i]));
      ctx_.SetScratch("&scratch_ctx_");
    } else if (scratch_offset_.count(i)) {
      ctx_.SetScratch(ctx_.Param(
          "tml_context", fmt::format("{{{}_arena + {}, {}}}", name_, scratch_offset_[i],
                                     scratch_bytes_[i])));
    } else {
      ctx_.SetScratch("NULL");
    }
    const int64_t before = ctx_.weight_bytes();
    TML_RETURN_IF_ERROR(EmitNode(ctx_, node));
    node_weight_bytes_[i] += ctx_.weight_bytes() - before;
    if (local) w.Close();
  }
  return Status::Ok();
}

Status ModelEmitter::EmitInvoke(CWriter& w) {
  ctx_.ClearPointers();
  w.Open(fmt::format("int {}_invoke_io(const {} *const *inputs, float *const *outputs)", name_,
                     InputType()));
  if (!ArenaCheck(api_).empty()) w.Line(ArenaCheck(api_));
  for (size_t k = 0; k < graph_.inputs().size(); ++k) {
    ctx_.SetPointer(graph_.inputs()[k], fmt::format("inputs[{}]", k));
  }
  for (size_t k = 0; k < graph_.outputs().size(); ++k) {
    ctx_.SetPointer(graph_.outputs()[k], fmt::format("outputs[{}]", k));
  }
  for (const auto& [id, offset] : arena_offset_) {
    ctx_.SetPointer(id, fmt::format("({}_arena + {})", name_, offset));
  }
  for (TensorId id : no_buffer_) ctx_.SetPointer(id, "NULL");
  // An output that no node computes (it is an input or a constant) is copied.
  for (size_t k = 0; k < graph_.outputs().size(); ++k) {
    const TensorId id = graph_.outputs()[k];
    bool produced = false;
    for (const Node& node : graph_.nodes()) {
      for (TensorId o : node.outputs) produced |= o == id;
    }
    if (produced) continue;
    const Tensor& t = graph_.tensor(id);
    std::string src = t.is_constant() ? "" : "";
    if (t.is_constant()) {
      TML_ASSIGN_OR_RETURN(src, ctx_.Ptr(id));
    } else {
      for (size_t j = 0; j < graph_.inputs().size(); ++j) {
        if (graph_.inputs()[j] == id) src = fmt::format("inputs[{}]", j);
      }
    }
    TML_ASSIGN_OR_RETURN(std::string dims, ctx_.Dims(id));
    ctx_.SetBody(&w);
    ctx_.UseKernel("tml_copy_f32");
    w.Comment("output '" + t.name + "' is not computed by any node: copy it");
    ctx_.Call(fmt::format("tml_copy_f32(NULL, {}, {}, {}, outputs[{}])", dims, src, dims, k));
  }
  std::vector<int> all;
  for (size_t i = 0; i < graph_.nodes().size(); ++i) all.push_back(static_cast<int>(i));
  TML_RETURN_IF_ERROR(EmitNodes(w, all));
  w.Line("TML_LAYER_MARK(TML_LAYER_NONE);");
  w.Line("return 0;");
  w.Close();
  w.Line();
  w.Open(fmt::format("int {}_invoke(const {} *input, float *output)", name_, InputType()));
  std::string ins, outs;
  int64_t off = 0;
  for (size_t k = 0; k < graph_.inputs().size(); ++k) {
    ins += (k ? ", " : "") + fmt::format("input + {}", off);
    off += graph_.tensor(graph_.inputs()[k]).num_elements();
  }
  off = 0;
  for (size_t k = 0; k < graph_.outputs().size(); ++k) {
    outs += (k ? ", " : "") + fmt::format("output + {}", off);
    off += graph_.tensor(graph_.outputs()[k]).num_elements();
  }
  w.Line(fmt::format("const {} *const inputs[{}] = {{{}}};", InputType(), graph_.inputs().size(),
                     ins));
  w.Line(fmt::format("float *const outputs[{}] = {{{}}};", graph_.outputs().size(), outs));
  w.Line(fmt::format("return {}_invoke_io(inputs, outputs);", name_));
  w.Close();
  return Status::Ok();
}

// Streaming storage: per-step tensors (one row when the output is a
// prefix output, else the whole window), recurrent states, step scratch.
StepStorage ModelEmitter::PlanStepStorage() {
  const auto& nodes = graph_.nodes();
  StepStorage storage;
  int64_t next = 0;
  for (TensorId id : stream_.per_step) {
    if (graph_.tensor(id).dtype != DType::kFloat32) continue;  // token ids: read from `input`
    storage.offset[id] = next;
    next += AlignFloats(stream_.prefix_output ? stream_.row[id] : graph_.tensor(id).num_elements());
  }
  for (int i : stream_.stream_nodes) {
    const Node& node = nodes[static_cast<size_t>(i)];
    if (!IsRecurrent(node.op)) continue;
    const int64_t H = node.GetInt("hidden_size", 0);
    const int64_t h = next;
    next += AlignFloats(H);
    int64_t c = -1;
    if (node.op == OpKind::kLstm) {
      c = next;
      next += AlignFloats(H);
    }
    storage.state[i] = {h, c};
    if (IsRecurrentS8(node)) {
      storage.s8_step[i] = StepS8(ctx_, node);
      storage.s8[i] = PlanStreamS8(storage.s8_step[i], &next);
      continue;
    }
    tml_rnn_cell_params cell{};
    cell.input_size = static_cast<int32_t>(graph_.tensor(node.input(kRecurrentW)).shape[2]);
    cell.hidden_size = static_cast<int32_t>(H);
    const int32_t bytes = UsesRecurrentOperators(graph_, node) ? RecurrentStepOpScratchBytes(graph_, node)
                          : node.op == OpKind::kLstm  ? tml_lstm_step_f32_get_buffer_size(&cell)
                          : node.op == OpKind::kGru ? tml_gru_step_f32_get_buffer_size(&cell)
                                                    : tml_rnn_step_f32_get_buffer_size(&cell);
    storage.scratch[i] = next;
    storage.scratch_bytes[i] = bytes;
    next += AlignFloats((bytes + 3) / 4);
  }
  storage.floats = next;
  return storage;
}

std::string ModelEmitter::StreamPtr(int64_t offset) const {
  return fmt::format("({}_stream + {})", name_, offset);
}

std::string ModelEmitter::StepRowPtr(StepStorage& storage, TensorId id) {
  return fmt::format("({}_stream + {} + t * {})", name_, storage.offset[id], stream_.row[id]);
}

// NAME_reset: zero everything, then the constant initial states.
Status ModelEmitter::EmitReset(CWriter& w, const StepStorage& storage) {
  const auto& nodes = graph_.nodes();
  w.Open(fmt::format("void {}_reset(void)", name_));
  w.Line("int32_t i;");
  w.Line(fmt::format("for (i = 0; i < {}; ++i) {}_stream[i] = 0.0f;", stream_floats_, name_));
  w.Line(fmt::format("{}_t = 0;", name_));
  w.Line(fmt::format("{}_ready = 1;", name_));
  ctx_.SetBody(&w);
  for (const auto& [i, hc] : storage.state) {
    // int8 layers start from zero states (the quantize pass refuses others), as zeroed above.
    if (storage.s8.count(i)) continue;
    const Node& node = nodes[static_cast<size_t>(i)];
    const std::pair<size_t, int64_t> inits[] = {{kRecurrentInitialH, hc.first},
                                                {kRecurrentInitialC, hc.second}};
    for (const auto& [input, off] : inits) {
      if (off < 0 || node.input(input) == kNoTensor) continue;
      TML_ASSIGN_OR_RETURN(std::string src, ctx_.Ptr(node.input(input)));
      TML_ASSIGN_OR_RETURN(std::string dims, ctx_.Dims(node.input(input)));
      w.Line(fmt::format("(void)tml_copy_f32(NULL, {}, {}, {}, {}_stream + {});", dims, src, dims,
                         name_, off));
      ctx_.UseKernel("tml_copy_f32");
    }
  }
  w.Close();
  return Status::Ok();
}

// One time step of streamed node i: a row copy for a Reshape/Transpose, else
// the recurrent cell on this step's row, then its Y row when that is kept.
Status ModelEmitter::EmitStreamedNode(CWriter& w, int i, StepStorage& storage) {
  const Node& node = graph_.nodes()[static_cast<size_t>(i)];
  w.Comment(Describe(node) + ", one time step");
  w.Line(fmt::format("TML_LAYER_MARK({});", i));
  if (node.op == OpKind::kGather) {
    const int64_t tokens = stream_.row[node.input(1)];
    const int64_t row = stream_.row[node.output(0)];
    TML_ASSIGN_OR_RETURN(std::string table_dims, ctx_.Dims(node.input(0)));
    TML_ASSIGN_OR_RETURN(std::string table, ctx_.Ptr(node.input(0)));
    TML_ASSIGN_OR_RETURN(std::string i_dims, ctx_.DimsOf(Shape{tokens}));
    TML_ASSIGN_OR_RETURN(std::string y_dims, ctx_.DimsOf(Shape{tokens, row / tokens}));
    const std::string params = ctx_.Param("tml_gather_params", "{0, TML_INDEX_S32}");
    ctx_.UseKernel("tml_gather_f32");
    ctx_.Call(fmt::format("tml_gather_f32(NULL, {}, {}, {}, {}, input, {}, {})", params,
                          table_dims, table, i_dims, y_dims, StepRowPtr(storage, node.output(0))));
    return Status::Ok();
  }
  if (!IsRecurrent(node.op)) {
    TML_ASSIGN_OR_RETURN(std::string dims, ctx_.DimsOf(Shape{stream_.row[node.output(0)]}));
    ctx_.Call(fmt::format("tml_copy_f32(NULL, {}, {}, {}, {})", dims,
                          StepRowPtr(storage, node.input(0)), dims,
                          StepRowPtr(storage, node.output(0))));
    return Status::Ok();
  }
  const RecurrentAttrs attrs = ReadRecurrentAttrs(node);
  const TensorId y = node.output(kRecurrentY);
  if (storage.s8.count(i)) {
    return EmitStreamStepS8(ctx_, storage.s8_step[i], storage.s8[i], name_ + "_stream",
                            StepRowPtr(storage, node.input(kRecurrentX)),
                            y != kNoTensor && stream_.per_step.count(y) ? StepRowPtr(storage, y)
                                                                        : std::string());
  }
  const int64_t I = graph_.tensor(node.input(kRecurrentW)).shape[2];
  const std::string cell = ctx_.Param(
      "tml_rnn_cell_params",
      fmt::format("{{{}, {}, {}, {}, {}}}", I, attrs.hidden_size, FloatLiteral(attrs.clip),
                  attrs.input_forget ? 1 : 0, attrs.linear_before_reset ? 1 : 0));
  const std::string sctx_op = ctx_.Param(
      "tml_context", fmt::format("{{{} + {}, {}}}", name_ + "_stream", storage.scratch[i],
                                 storage.scratch_bytes[i]));
  if (UsesRecurrentOperators(graph_, node)) {
    TML_RETURN_IF_ERROR(EmitRecurrentOperatorStep(node, i, cell, sctx_op, storage));
  } else {
    TML_RETURN_IF_ERROR(EmitDenseRecurrentStep(node, i, cell, storage));
  }
  if (y != kNoTensor && stream_.per_step.count(y)) {
    const std::string h = StreamPtr(storage.state[i].first);
    TML_ASSIGN_OR_RETURN(std::string dims, ctx_.DimsOf(Shape{attrs.hidden_size}));
    ctx_.Call(fmt::format("tml_copy_f32(NULL, {}, {}, {}, {})", dims, h, dims,
                          StepRowPtr(storage, y)));
  }
  return Status::Ok();
}

// The *_step_op_f32 call of a recurrent node whose weights are operators
// (Kronecker factors, sparse overlays ...), updating the state in place.
Status ModelEmitter::EmitRecurrentOperatorStep(const Node& node, int i, const std::string& cell,
                                               const std::string& sctx, StepStorage& storage) {
  TML_ASSIGN_OR_RETURN(std::string op_weights, EmitRecurrentOpWeights(ctx_, node));
  const std::string h = StreamPtr(storage.state[i].first);
  const std::string c = StreamPtr(storage.state[i].second);
  const std::string states = node.op == OpKind::kLstm ? fmt::format("{}, {}, {}, {}", h, c, h, c)
                                                      : fmt::format("{}, {}", h, h);
  ctx_.Call(fmt::format("{}({}, {}, {}, {}, {})", StepOpKernel(node.op), sctx, cell, op_weights,
                        StepRowPtr(storage, node.input(kRecurrentX)), states));
  return Status::Ok();
}

// The tml_{lstm,gru,rnn}_step_f32 call of a recurrent node with dense
// weights, updating the state in place.
Status ModelEmitter::EmitDenseRecurrentStep(const Node& node, int i, const std::string& cell,
                                            StepStorage& storage) {
  std::string w_ptrs[4];
  const size_t weight_inputs[4] = {kRecurrentW, kRecurrentR, kRecurrentB, kRecurrentP};
  for (int k = 0; k < 4; ++k) {
    const bool has = node.op == OpKind::kLstm || k < 3;
    if (!has || node.input(weight_inputs[k]) == kNoTensor) {
      w_ptrs[k] = "NULL";
      continue;
    }
    TML_ASSIGN_OR_RETURN(w_ptrs[k], ctx_.Ptr(node.input(weight_inputs[k])));
  }
  const std::string weights =
      ctx_.Param("tml_rnn_weights_f32", fmt::format("{{{}, {}, {}, {}}}", w_ptrs[0], w_ptrs[1],
                                                     w_ptrs[2], w_ptrs[3]));
  const std::string sctx = ctx_.Param(
      "tml_context", fmt::format("{{{} + {}, {}}}", name_ + "_stream", storage.scratch[i],
                                 storage.scratch_bytes[i]));
  const std::string h = StreamPtr(storage.state[i].first);
  const std::string x = StepRowPtr(storage, node.input(kRecurrentX));
  if (node.op == OpKind::kLstm) {
    const std::string c = StreamPtr(storage.state[i].second);
    ctx_.UseKernel("tml_lstm_step_f32");
    ctx_.Call(fmt::format("tml_lstm_step_f32({}, {}, {}, {}, {}, {}, {}, {})", sctx, cell,
                          weights, x, h, c, h, c));
  } else {
    const std::string kernel = node.op == OpKind::kGru ? "tml_gru_step_f32" : "tml_rnn_step_f32";
    ctx_.UseKernel(kernel);
    ctx_.Call(fmt::format("{}({}, {}, {}, {}, {}, {})", kernel, sctx, cell, weights, x, h, h));
  }
  return Status::Ok();
}

// The rest of the model, on the streaming buffers: per-step tensors and
// states in NAME_stream, other tensors in the arena, outputs in `output`
// (copied there at the end when they live in the streaming storage).
Status ModelEmitter::EmitStepTail(CWriter& w, const StepStorage& storage) {
  const auto& nodes = graph_.nodes();
  std::vector<std::string> out_ptrs;
  int64_t off = 0;
  for (size_t k = 0; k < graph_.outputs().size(); ++k) {
    out_ptrs.push_back(fmt::format("(output + {})", off));
    off += graph_.tensor(graph_.outputs()[k]).num_elements();
  }
  const std::map<TensorId, int64_t>& offset = storage.offset;
  ctx_.ClearPointers();
  for (const auto& [id, o] : offset) ctx_.SetPointer(id, StreamPtr(o));
  for (const auto& [i, hc] : storage.state) {
    const Node& node = nodes[static_cast<size_t>(i)];
    if (node.output(kRecurrentYh) != kNoTensor) {
      ctx_.SetPointer(node.output(kRecurrentYh), StreamPtr(hc.first));
    }
    if (node.op == OpKind::kLstm && node.output(kRecurrentYc) != kNoTensor) {
      ctx_.SetPointer(node.output(kRecurrentYc), StreamPtr(hc.second));
    }
  }
  for (const auto& [id, o] : arena_offset_) {
    if (!offset.count(id) && !stream_.states.count(id)) {
      ctx_.SetPointer(id, fmt::format("({}_arena + {})", name_, o));
    }
  }
  for (TensorId id : no_buffer_) {
    if (!offset.count(id) && !stream_.states.count(id)) ctx_.SetPointer(id, "NULL");
  }
  std::vector<std::pair<TensorId, std::string>> copies;  // outputs kept in stream storage
  for (size_t k = 0; k < graph_.outputs().size(); ++k) {
    const TensorId id = graph_.outputs()[k];
    if (offset.count(id) || stream_.states.count(id)) {
      copies.push_back({id, out_ptrs[k]});
    } else {
      ctx_.SetPointer(id, out_ptrs[k]);
    }
  }
  std::vector<int> tail;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!stream_.stream_nodes.count(static_cast<int>(i))) tail.push_back(static_cast<int>(i));
  }
  ctx_.SetBody(&w);
  for (const auto& [i, slots] : storage.s8) {  // int8 state -> the float Y_h / Y_c read next
    const Node& node = nodes[static_cast<size_t>(i)];
    auto view = [&](size_t o, int64_t off) {
      const TensorId id = node.output(o);
      return id != kNoTensor && stream_.states.count(id) ? StreamPtr(off) : std::string();
    };
    const std::pair<int64_t, int64_t>& hc = storage.state.at(i);
    TML_RETURN_IF_ERROR(EmitStreamStatesS8(ctx_, storage.s8_step.at(i), slots, name_ + "_stream",
                                           view(kRecurrentYh, hc.first),
                                           hc.second >= 0 ? view(kRecurrentYc, hc.second) : ""));
  }
  TML_RETURN_IF_ERROR(EmitNodes(w, tail));
  for (const auto& [id, dst] : copies) {
    TML_ASSIGN_OR_RETURN(std::string src, ctx_.Ptr(id));
    TML_ASSIGN_OR_RETURN(std::string dims, ctx_.Dims(id));
    w.Comment("output '" + graph_.tensor(id).name + "'");
    ctx_.Call(fmt::format("tml_copy_f32(NULL, {}, {}, {}, {})", dims, src, dims, dst));
  }
  return Status::Ok();
}

// NAME_reset and NAME_step (see the header): the streamed nodes run one
// time step per call on NAME_stream, then the rest of the model.
Status ModelEmitter::EmitStep(CWriter& w) {
  StepStorage storage = PlanStepStorage();
  stream_floats_ = std::max<int64_t>(storage.floats, 1);
  TML_RETURN_IF_ERROR(EmitReset(w, storage));
  w.Line();

  w.Open(fmt::format("int {}_step(const {} *input, float *output)", name_, InputType()));
  w.Line(fmt::format("int32_t t;"));
  if (!ArenaCheck(api_).empty()) w.Line(ArenaCheck(api_));
  w.Line(fmt::format("if (!{0}_ready) {0}_reset();", name_));
  w.Line(fmt::format("t = {};", stream_.prefix_output ? "0" : name_ + "_t"));
  const TensorId input = graph_.inputs()[0];
  ctx_.UseKernel("tml_copy_f32");
  if (!tokens_) {
    TML_ASSIGN_OR_RETURN(std::string in_row_dims, ctx_.DimsOf(Shape{stream_.row[input]}));
    w.Comment("this step's row of the input");
    ctx_.Call(fmt::format("tml_copy_f32(NULL, {}, input, {}, {})", in_row_dims, in_row_dims,
                          StepRowPtr(storage, input)));
  }
  for (int i : stream_.stream_nodes) {
    TML_RETURN_IF_ERROR(EmitStreamedNode(w, i, storage));
  }
  w.Line("TML_LAYER_MARK(TML_LAYER_NONE);");
  if (stream_.prefix_output) {
    w.Line(fmt::format("if ({0}_t < INT32_MAX) ++{0}_t;", name_));
  } else {
    w.Line(fmt::format("if (++{}_t < {}) return 0;", name_, stream_.seq_len));
  }

  TML_RETURN_IF_ERROR(EmitStepTail(w, storage));
  w.Line("TML_LAYER_MARK(TML_LAYER_NONE);");
  if (!stream_.prefix_output) w.Line(fmt::format("{}_reset();", name_));
  w.Line("return 1;");
  w.Close();
  return Status::Ok();
}

std::string ModelEmitter::Provenance(const std::string& file) const {
  std::string text = "/* SPDX-License-Identifier: MIT */\n/*\n * " + file +
                     " - generated by tinyml-compile " + options_.tool_version +
                     ". Do not edit.\n";
  text += " * model: " + CommentText(options_.model_file) + " (" + options_.model_hash + ")";
  if (!graph_.producer.empty()) text += ", producer " + CommentText(graph_.producer);
  text += ", opset " + std::to_string(graph_.opset) + "\n";
  std::string opts;
  for (const std::string& o : options_.options) opts += (opts.empty() ? "" : " ") + o;
  text += " * options: " + (opts.empty() ? std::string("(defaults)") : CommentText(opts)) + "\n";
  text += " */\n";
  return text;
}

std::string ModelEmitter::Header() const {
  return Provenance(name_ + ".h") + ApiHeader(api_);
}

std::string ModelEmitter::Source(const std::string& functions) const {
  CWriter w;
  w.Line("#include \"" + name_ + ".h\"");
  w.Line();
  w.Line("#include <math.h>");
  w.Line("#include <stdint.h>");
  w.Line();
  w.Line("#include \"tml_kernels.h\"");
  for (const std::string& k : ctx_.kernels()) {
    if (k.size() > 3 && k.compare(k.size() - 3, 3, "_s8") == 0) {
      w.Line("#include \"tml_kernels_s8.h\"");  // compile --quantize int8
      break;
    }
  }
  w.Line();
  w.Line("#ifndef TML_ALIGN");
  w.Line("#if defined(__GNUC__) || defined(__clang__)");
  w.Line("#define TML_ALIGN(n) __attribute__((aligned(n)))");
  w.Line("#else");
  w.Line("#define TML_ALIGN(n)");
  w.Line("#endif");
  w.Line("#endif");
  w.Line();
  w.Comment("Per-layer markers for the emulator's profile; nothing unless built with -DTML_PROFILE.");
  w.Line("#if defined(TML_PROFILE)");
  w.Line("#include \"tml_marker.h\"");
  w.Line("#define TML_LAYER_MARK(id) TML_MARK(id)");
  w.Line("#else");
  w.Line("#define TML_LAYER_MARK(id) ((void)0)");
  w.Line("#endif");
  w.Line("#define TML_LAYER_NONE 0xFFFFu");
  w.Line();
  w.Line("#define TML_TRY(call)                 \\");
  w.Line("  do {                                \\");
  w.Line("    const tml_status tml_s_ = (call); \\");
  w.Line("    if (tml_s_ != TML_OK) {           \\");
  w.Line("      return (int)tml_s_;             \\");
  w.Line("    }                                 \\");
  w.Line("  } while (0)");
  w.Line();
  std::string text = Provenance(name_ + ".c") + w.str();
  text += "/* ---- weights ---- */\n" + ctx_.weights().str() + "\n";
  text += ArenaDefinition(api_);
  if (stream_.enabled) {
    text += fmt::format(
        "/* ---- streaming state of {0}_step: {1} bytes ---- */\n"
        "static float {0}_stream[{2}] TML_ALIGN(16);\n"
        "static int32_t {0}_t;\nstatic int {0}_ready;\n\n",
        name_, stream_floats_ * 4, stream_floats_);
  }
  text += "/* ---- shapes and kernel parameters ---- */\n" + ctx_.statics().str() + "\n";
  text += functions;
  return text;
}

StatusOr<GeneratedModel> ModelEmitter::Run() {
  const std::string why = WhyNotModelName(name_);
  if (!why.empty()) return InvalidInput("--name '{}' {}; choose another", name_, why);
  TML_RETURN_IF_ERROR(CheckSupported());
  TML_RETURN_IF_ERROR(Plan());
  for (TensorId id : graph_.inputs()) {
    const Tensor& t = graph_.tensor(id);
    result_.inputs.push_back({t.name, t.shape, t.dtype != DType::kFloat32});
    result_.input_size += t.num_elements();
  }
  for (TensorId id : graph_.outputs()) {
    const Tensor& t = graph_.tensor(id);
    result_.outputs.push_back({t.name, t.shape});
    result_.output_size += t.num_elements();
  }
  stream_ = PlanStreaming(graph_);
  PlanApi();
  CWriter functions;
  TML_RETURN_IF_ERROR(EmitInvoke(functions));
  if (stream_.enabled) {
    functions.Line();
    TML_RETURN_IF_ERROR(EmitStep(functions));
    result_.has_step = true;
    result_.step_prefix_output = stream_.prefix_output;
    result_.seq_len = stream_.seq_len;
    result_.step_input_size = stream_.row[graph_.inputs()[0]];
    result_.state_bytes = stream_floats_ * 4;
    api_.has_step = true;
    api_.prefix_output = stream_.prefix_output;
    api_.seq_len = stream_.seq_len;
    api_.step_input_size = result_.step_input_size;
    api_.state_bytes = result_.state_bytes;
  }
  ctx_.SetBody(&functions);
  TML_RETURN_IF_ERROR(EmitApiFunctions(api_, ctx_, functions));
  api_.weight_bytes = ctx_.weight_bytes();
  result_.has_s8 = api_.has_s8;
  if (options_.arena == ArenaMode::kExtern &&
      ctx_.statics().str().find(name_ + "_arena") != std::string::npos) {
    return Internal("--arena extern: a static initializer refers to the arena");
  }
  for (const Node& node : graph_.nodes()) result_.layers.push_back(Describe(node));
  for (const auto& [i, bytes] : node_weight_bytes_) {
    const Node& node = graph_.nodes()[static_cast<size_t>(i)];
    int64_t dense = 0;
    for (TensorId id : node.inputs) {
      if (id == kNoTensor) continue;
      const Tensor& t = graph_.tensor(id);
      if (t.is_constant() && t.dtype == DType::kFloat32) dense += 4 * t.num_elements();
    }
    if (bytes > 0 || dense > 0) result_.layer_weights.push_back({Describe(node), bytes, dense});
  }
  result_.arena_bytes = arena_floats_ * 4;
  result_.weight_bytes = ctx_.weight_bytes();
  result_.kernels.assign(ctx_.kernels().begin(), ctx_.kernels().end());

  std::vector<std::string> c_files;
  std::vector<GeneratedFile> files = RuntimeSources(ctx_.kernels(), ctx_.runtime_options(), options_.exact_float_math, &c_files);
  result_.kernel_text = KernelTexts(c_files);
  if (!result_.kernel_text.empty()) result_.kernel_text_compiler = RuntimeTextCompiler();
  files.push_back({name_ + ".h", Header()});
  files.push_back({name_ + ".c", Source(functions.str())});
  std::string cmake = "# SPDX-License-Identifier: MIT\n# " + name_ + ".cmake - generated by tinyml-compile " +
                      options_.tool_version + ": the sources of model '" + name_ + "'.\n";
  cmake += "# include() it, then add ${" + upper_ + "_SOURCES} to a target and ${" + upper_ +
           "_INCLUDE_DIRS} to its include directories.\n";
  cmake += "set(" + upper_ + "_SOURCES\n  ${CMAKE_CURRENT_LIST_DIR}/" + name_ + ".c\n";
  for (const std::string& f : c_files) cmake += "  ${CMAKE_CURRENT_LIST_DIR}/" + f + "\n";
  cmake += ")\nset(" + upper_ + "_INCLUDE_DIRS ${CMAKE_CURRENT_LIST_DIR} " +
           "${CMAKE_CURRENT_LIST_DIR}/runtime/include)\n";
  files.push_back({name_ + ".cmake", cmake});
  std::string mk = "# SPDX-License-Identifier: MIT\n# " + name_ + ".mk - generated by tinyml-compile " + options_.tool_version +
                   ": the sources of model '" + name_ + "'.\n";
  mk += "# include it, then compile $(" + upper_ + "_SOURCES) with $(addprefix -I,$(" + upper_ +
        "_INCLUDE_DIRS)) and link with -lm.\n";
  mk += upper_ + "_DIR := $(dir $(lastword $(MAKEFILE_LIST)))\n";
  mk += upper_ + "_SOURCES := $(" + upper_ + "_DIR)" + name_ + ".c";
  for (const std::string& f : c_files) mk += " \\\n  $(" + upper_ + "_DIR)" + f;
  mk += "\n" + upper_ + "_INCLUDE_DIRS := $(" + upper_ + "_DIR) $(" + upper_ +
        "_DIR)runtime/include\n";
  files.push_back({name_ + ".mk", mk});
  std::sort(files.begin(), files.end(),
            [](const GeneratedFile& a, const GeneratedFile& b) { return a.path < b.path; });
  result_.files = std::move(files);
  return std::move(result_);
}

}  // namespace

// A weight operator that no firmware kernel of its node runs (e.g. a
// bidirectional LSTM with Kronecker weights) must still be what the firmware
// computes: the node's weight input becomes the operator's dense matrix, never
// the original weights, so --verify measures the compressed model. Flash then
// holds the dense matrix; a warning says so.
static StatusOr<Graph> LowerUnsupportedWeightOperators(const Graph& graph) {
  Graph lowered = graph;
  for (Node& node : lowered.nodes()) {
    if (node.weight_ops.empty() || UsesLstmS8(node) || UsesGruS8(node) || UsesRnnS8(node) ||
        UsesFullyConnectedS8(node) || UsesRecurrentOperators(lowered, node) ||
        UsesKronMatvec(lowered, node)) {
      continue;
    }
    for (const WeightOperatorSet& set : node.weight_ops) {
      TML_ASSIGN_OR_RETURN(Tensor dense, MaterializeWeight(lowered, node, set));
      dense.name = fmt::format("{}_compressed_{}", node.name, set.input);
      node.inputs[set.input] = lowered.AddTensor(std::move(dense));
    }
    node.weight_ops.clear();
    std::cerr << fmt::format(
        "warning: {}: no firmware kernel runs its compressed weights in this configuration; they "
        "are emitted as dense matrices (same outputs, no flash saving)\n",
        node.Describe());
  }
  return lowered;
}

StatusOr<GeneratedModel> GenerateModel(const Graph& graph, const CodegenOptions& options) {
  TML_ASSIGN_OR_RETURN(Graph lowered, LowerUnsupportedWeightOperators(graph));
  ModelEmitter emitter(lowered, options);
  return emitter.Run();
}

}  // namespace tml::codegen
