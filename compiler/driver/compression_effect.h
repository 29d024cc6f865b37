// What compression did to the whole model, on the reference interpreter: the
// compressed graph against the original on the test data — output error,
// accuracy (classifiers) or anomaly AUC (autoencoders, --anomaly) — and the
// recurrent weight bytes. Figures go to `kron_json` (the manifest's
// kron_factorize entry) and `report_data` (the HTML page's stages), the lines
// to the observer.
#ifndef TML_COMPILER_DRIVER_COMPRESSION_EFFECT_H_
#define TML_COMPILER_DRIVER_COMPRESSION_EFFECT_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/ir/graph.h"
#include "compiler/observer.h"
#include "compiler/status.h"

namespace tml {

struct CompressionEffectInput {
  std::vector<std::string> test_data;
  std::string test_labels;
  bool anomaly = false;
  std::string pass_names;  // "kron-factorize, dope, ..." for the stage name
};

Status MeasureCompressionEffect(const Graph& original, const Graph& compressed,
                                const CompressionEffectInput& input, Observer& observer,
                                nlohmann::json* kron_json, nlohmann::json* report_data);

// The error-versus-compression curve of one matrix of the kron-factorize
// report (its JSON entry `m`), for --html: over every factor shape and rank up
// to max_rank, the smallest relative error at each compression (the Pareto
// front), as [compression, error] pairs.
nlohmann::json KronCurve(const Graph& original, const nlohmann::json& m, int max_rank);

}  // namespace tml

#endif  // TML_COMPILER_DRIVER_COMPRESSION_EFFECT_H_
