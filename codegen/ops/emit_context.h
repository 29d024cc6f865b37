// EmitContext: what an op emitter (ops/emit_<op>.cc) may use to print the
// kernel calls of one node. Internal to codegen/.
//
// An emitter reads the node (normalised by the op's Prepare, see
// compiler/ops/) and the shapes of its tensors, then asks the context for
//   - Ptr(id): the C expression of a tensor's data (arena slot, weight array,
//     caller's input/output pointer, or streaming storage),
//   - Dims(id) / DimsOf(shape): a `static const tml_dims` to pass by address,
//   - Param(type, init): a `static const <type>` holding `init`, by address,
//   - Scratch(): the node's tml_context (scratch reserved in the arena),
//   - IndexArray / FloatArray: extra static const data,
// and prints the call with Call(), which adds the status check. Statics are
// deduplicated by content, so a node emitted twice (invoke and step) shares
// its data. Every emitter also declares the scratch it needs through the
// ScratchBytes hook in op_emitters.h before planning.
#ifndef TML_CODEGEN_OPS_EMIT_CONTEXT_H_
#define TML_CODEGEN_OPS_EMIT_CONTEXT_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "codegen/c_writer.h"
#include "codegen/int8_links.h"
#include "compiler/ir/graph.h"
#include "compiler/status.h"

namespace tml::codegen {

class EmitContext {
 public:
  EmitContext(const Graph& graph, std::string prefix) : graph_(graph), prefix_(std::move(prefix)) {}

  const Graph& graph() const { return graph_; }
  const Tensor& tensor(TensorId id) const { return graph_.tensor(id); }
  const std::string& prefix() const { return prefix_; }

  // --- used by the model emitter ---
  void SetBody(CWriter* body) { body_ = body; }
  void SetPointer(TensorId id, const std::string& expr) { pointers_[id] = expr; }
  void ClearPointers() { pointers_.clear(); }
  void SetScratch(const std::string& ctx_expr) { scratch_ = ctx_expr; }
  void SetInt8Links(Int8Links links) { int8_links_ = std::move(links); }
  const std::set<std::string>& kernels() const { return kernels_; }
  // The static declarations collected so far, in first-use order.
  const CWriter& weights() const { return weights_; }
  const CWriter& statics() const { return statics_; }
  int64_t weight_bytes() const { return weight_bytes_; }

  // --- used by emitters ---
  // Data pointer of a tensor. Constants are emitted as weight arrays on first
  // use; a tensor without a buffer (an unused optional output) gives "NULL".
  StatusOr<std::string> Ptr(TensorId id);
  // "&<name>" of a static const tml_dims, or "NULL" for kNoTensor.
  StatusOr<std::string> Dims(TensorId id);
  StatusOr<std::string> DimsOf(const Shape& shape);
  // "&<name>" of a static const `type` initialised with `init`.
  std::string Param(const std::string& type, const std::string& init);
  // The name of a static const array of the given C type and values.
  std::string IndexArray(const std::vector<int64_t>& values);
  std::string FloatArray(const std::vector<float>& values);
  // A weight array (static const float, TML_ALIGN(16), counted in
  // weight_bytes()), e.g. Kronecker factors; returns its name.
  std::string WeightArray(const std::vector<float>& values);
  // An integer weight array (static const `elem_type`, TML_ALIGN(16), counted
  // in weight_bytes() at `elem_bytes` per value), e.g. int8 weights; its name.
  std::string IntWeightArray(const std::string& elem_type, const std::vector<int64_t>& values,
                             int elem_bytes);
  // The name of a static const array `elem_type name[count] = init;`.
  std::string Array(const std::string& elem_type, size_t count, const std::string& init);
  // The node's scratch context ("&<name>"), or "NULL" when it has none.
  const std::string& Scratch() const { return scratch_; }
  // Records that `kernel` (e.g. "tml_gemm_f32") is called.
  void UseKernel(const std::string& kernel) { kernels_.insert(kernel); }
  // A runtime/include/tml_config.h switch the emitted code needs on whose default the
  // codegen turns off otherwise (e.g. "TML_S8_LONG_ROWS": an int8 dense weight wider
  // than 512 columns).
  void UseRuntimeOption(const std::string& macro) { runtime_options_.insert(macro); }
  const std::set<std::string>& runtime_options() const { return runtime_options_; }
  // Prints `TML_TRY(<call>);` into the current body.
  void Call(const std::string& call);
  CWriter& body() { return *body_; }
  // Activations kept int8 between int8 layers (codegen/int8_links.h).
  const Int8Links& int8_links() const { return int8_links_; }
  // Whether a tensor has a buffer (false for unused optional outputs).
  bool HasBuffer(TensorId id) const;

 private:
  std::string Declare(const std::string& kind, const std::string& type, const std::string& init,
                      CWriter* where);

  const Graph& graph_;
  std::string prefix_;
  CWriter* body_ = nullptr;
  CWriter weights_;
  CWriter statics_;
  int64_t weight_bytes_ = 0;
  std::map<TensorId, std::string> pointers_;
  std::map<TensorId, std::string> constant_names_;
  std::map<std::string, std::string> declared_;  // "type=init" -> name
  std::map<std::string, int> counters_;
  std::string scratch_ = "NULL";
  std::set<std::string> kernels_;
  std::set<std::string> runtime_options_;
  Int8Links int8_links_;
};

}  // namespace tml::codegen

#endif  // TML_CODEGEN_OPS_EMIT_CONTEXT_H_
