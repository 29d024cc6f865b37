// Pass: one transformation of the IR graph (STYLE.md, "IR / PASS / CODEGEN").
//
// A pass is a class with a kebab-case Name() ("kron-factorize") and one Run()
// that transforms the graph in place and says whether it changed anything.
// Passes take their options at construction (each pass has its own options
// struct; PipelineOptions in pipeline.h gathers them) and may keep results
// for the caller (e.g. the kron-factorize report), read back after the run.
//
// A pass reports through the Observer the PassManager gives it (observer()):
// progress lines while it runs (e.g. fine-tuning epochs), and Summary(), the
// text of its report, which the PassManager hands to the observer as soon as
// the pass ends (so a table is printed before the next, slower pass starts).
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

#include <string>

#include "compiler/ir/graph.h"
#include "compiler/observer.h"
#include "compiler/status.h"

namespace tml {

class Pass {
 public:
  virtual ~Pass() = default;
  // The CLI name, kebab-case, equal to its pass_registry.def entry.
  virtual std::string_view Name() const = 0;
  // Transforms `graph` in place; true when anything changed.
  virtual StatusOr<bool> Run(Graph& graph) = 0;
  // The report of the last Run() as text, each line ending in '\n' ("" = none).
  virtual std::string Summary() const { return std::string(); }

  // Where the pass reports while it runs; NullObserver() until set.
  void set_observer(Observer* observer) { observer_ = observer; }
  Observer& observer() const { return observer_ != nullptr ? *observer_ : NullObserver(); }

 private:
  Observer* observer_ = nullptr;
};

}  // namespace tml

#endif  // TML_PASSES_PASS_H_
