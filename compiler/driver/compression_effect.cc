#include "compiler/driver/compression_effect.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "compiler/npy.h"
#include "compiler/reference/run_batch.h"
#include "passes/kron_budget.h"
#include "verification/anomaly_metrics.h"
#include "verification/compare.h"

namespace tml {
namespace {

// Accuracy (classifiers) or anomaly AUC (autoencoders) of both graphs' outputs.
Status TaskFigures(const std::vector<Tensor>& data, const std::vector<Tensor>& want,
                   const std::vector<Tensor>& got, const CompressionEffectInput& input,
                   Observer& observer, nlohmann::json* kron_json) {
  TML_ASSIGN_OR_RETURN(Tensor labels, ReadNpy(input.test_labels));
  const double before = verification::Top1Accuracy(want[0], labels);
  const double after = verification::Top1Accuracy(got[0], labels);
  // An autoencoder's argmax against anomaly flags means nothing: its figure is the AUC.
  if (!input.anomaly && before >= 0.0 && after >= 0.0) {
    observer.Info(fmt::format(
        "compressed model (reference interpreter) on the test labels: accuracy {:.2f}% "
        "(float {:.2f}%)\n", 100.0 * after, 100.0 * before));
    (*kron_json)["reference_accuracy_float"] = before;
    (*kron_json)["reference_accuracy_compressed"] = after;
  }
  const bool reconstructs = data.size() == 1 && want[0].shape == data[0].shape &&
                            labels.dtype == DType::kInt64 && labels.num_elements() == data[0].shape[0];
  if (input.anomaly && reconstructs) {
    const int64_t n = data[0].shape[0];
    const double auc_before = verification::RocAuc(
        verification::ReconstructionScores(data[0].f32, want[0].f32, n), labels.i64);
    const double auc_after = verification::RocAuc(
        verification::ReconstructionScores(data[0].f32, got[0].f32, n), labels.i64);
    observer.Info(fmt::format(
        "compressed model (reference interpreter) on the test labels: anomaly AUC {:.4f} "
        "(float {:.4f})\n", auc_after, auc_before));
    (*kron_json)["reference_auc_float"] = auc_before;
    (*kron_json)["reference_auc_compressed"] = auc_after;
  }
  return Status::Ok();
}

}  // namespace

Status MeasureCompressionEffect(const Graph& original, const Graph& compressed,
                                const CompressionEffectInput& input, Observer& observer,
                                nlohmann::json* kron_json, nlohmann::json* report_data) {
  if (input.test_data.empty() || compressed.nodes().empty()) return Status::Ok();
  std::vector<Tensor> data;
  for (const std::string& path : input.test_data) {
    TML_ASSIGN_OR_RETURN(Tensor t, ReadNpy(path));
    data.push_back(std::move(t));
  }
  TML_ASSIGN_OR_RETURN(std::vector<Tensor> want, RunBatch(original, data, input.test_data));
  TML_ASSIGN_OR_RETURN(std::vector<Tensor> got, RunBatch(compressed, data, input.test_data));
  double max_err = 0.0, max_ref = 0.0;
  for (size_t o = 0; o < want.size(); ++o) {
    for (size_t i = 0; i < want[o].f32.size(); ++i) {
      max_err = std::max(max_err, static_cast<double>(std::fabs(want[o].f32[i] - got[o].f32[i])));
      max_ref = std::max(max_ref, static_cast<double>(std::fabs(want[o].f32[i])));
    }
  }
  const double rel = max_ref > 0 ? max_err / max_ref : max_err;
  observer.Info(fmt::format(
      "kron-factorize: reference output error on the test data: max abs {:.3g}, relative {:.3g}\n",
      max_err, rel));
  (*kron_json)["reference_output_max_abs_error"] = max_err;
  (*kron_json)["reference_output_relative_error"] = rel;
  if (!input.test_labels.empty()) {
    TML_RETURN_IF_ERROR(TaskFigures(data, want, got, input, observer, kron_json));
  }
  (*report_data)["stages"] = {{{"name", "import (float reference)"}, {"relative_error", 0.0}},
                              {{"name", "after " + input.pass_names}, {"relative_error", rel}}};
  return Status::Ok();
}

nlohmann::json KronCurve(const Graph& original, const nlohmann::json& m, int max_rank) {
  nlohmann::json points = nlohmann::json::array();
  const TensorId id = original.FindTensor(m.value("tensor", std::string()));
  if (id == kNoTensor) return points;
  const Tensor& t = original.tensor(id);
  if (t.shape.size() < 2 || t.f32.empty()) return points;
  const int64_t rows = t.shape[t.shape.size() - 2], cols = t.shape.back();
  const int64_t d = m.value("direction", 0);
  if (static_cast<int64_t>(t.f32.size()) < (d + 1) * rows * cols) return points;
  const float* w = t.f32.data() + d * rows * cols;
  // The pass's own curve (kron_budget.h), Kronecker sums only, as [compression,
  // error] by ascending compression.
  const std::vector<kron::CurvePoint> curve = kron::ErrorCurve(w, rows, cols, max_rank, 0, {}, 1);
  for (auto p = curve.rbegin(); p != curve.rend(); ++p) {
    if (p->params < rows * cols) {
      points.push_back({static_cast<double>(rows * cols) / static_cast<double>(p->params), p->error});
    }
  }
  return points;
}

}  // namespace tml
