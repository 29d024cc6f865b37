// Pass: one transformation of the IR graph (STYLE.md, "IR / PASS / CODEGEN").
//
// A pass is a class with a kebab-case Name() ("kron-factorize") and one Run()
// that transforms the graph in place and says whether it changed anything.
// Passes take their options at construction (each pass has its own options
// struct; PipelineOptions in pipeline.h gathers them) and may keep results
// for the caller (e.g. the kron-factorize report), read back after the run.
//
// Contract:
// - Run() leaves a graph that passes VerifyGraph(); the PassManager checks it
//   after every pass and names the pass when it does not.
// - Errors the user can fix (an option that cannot be honoured) are
//   kInvalidInput statuses that start with the pass name and name the node:
//   "kron-factorize: node 'fc2' (Gemm): ...". Bugs are kInternal.
// - Deterministic: the same graph and options give the same result.
//
// Adding a pass: write passes/<name>.{h,cc} with a class deriving from Pass,
// add one TML_PASS line to pass_registry.def and, if it belongs in the default
// flow, one commented entry to the pipeline in pipeline.cc.
#ifndef TML_PASSES_PASS_H_
#define TML_PASSES_PASS_H_

#include <string_view>

#include "compiler/ir/graph.h"
#include "compiler/status.h"

namespace tml {

class Pass {
 public:
  virtual ~Pass() = default;
  // The CLI name, kebab-case, equal to its pass_registry.def entry.
  virtual std::string_view Name() const = 0;
  // Transforms `graph` in place; true when anything changed.
  virtual StatusOr<bool> Run(Graph& graph) = 0;
};

}  // namespace tml

#endif  // TML_PASSES_PASS_H_
