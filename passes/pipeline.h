// The compilation pipeline: which passes run, in which order, with which
// options. The order and the reason for each entry are in pipeline.cc.
//
// Usage (driver):
//   PassManager pm(manager_options);
//   TML_RETURN_IF_ERROR(BuildPipeline(options, {}, &pm));
//   TML_RETURN_IF_ERROR(pm.Run(graph));
//   auto* kron = static_cast<KronFactorizePass*>(pm.Find("kron-factorize"));
#ifndef TML_PASSES_PIPELINE_H_
#define TML_PASSES_PIPELINE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "passes/dope.h"
#include "passes/finetune.h"
#include "passes/kron_factorize.h"
#include "passes/pass.h"
#include "passes/pass_manager.h"
#include "passes/quantize.h"

namespace tml {

// The options of every pass, one field per pass (the third TML_PASS argument).
struct PipelineOptions {
  KronFactorizeOptions kron;
  DopeOptions dope;
  FinetuneOptions finetune;
  QuantizeOptions quantize;
};

// Creates a pass by its CLI name (pass_registry.def); kInvalidInput listing the
// known names when there is none.
StatusOr<std::unique_ptr<Pass>> CreatePass(std::string_view name, const PipelineOptions& options);

// Every registered pass name, in registry order.
std::vector<std::string> RegisteredPassNames();

// Adds the default pipeline's enabled entries to `manager`, or, when `only` is
// non-empty (--passes=a,b,c), exactly those passes in that order.
Status BuildPipeline(const PipelineOptions& options, const std::vector<std::string>& only,
                     PassManager* manager);

}  // namespace tml

#endif  // TML_PASSES_PIPELINE_H_
