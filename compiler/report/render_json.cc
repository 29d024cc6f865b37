#include <cmath>

#include "compiler/report/render.h"

namespace tml::report {

namespace {

nlohmann::json Figures(const verification::TaskFigures& f) {
  nlohmann::json j = nlohmann::json::object();
  if (f.accuracy) j["accuracy"] = *f.accuracy;
  if (f.perplexity) j["perplexity"] = *f.perplexity;
  if (f.auc) j["auc"] = *f.auc;
  if (f.recall) j["recall"] = *f.recall;
  if (f.threshold) j["threshold"] = *f.threshold;
  return j;
}

nlohmann::json Gates(const std::vector<verification::GateResult>& gates) {
  nlohmann::json j = nlohmann::json::array();
  for (const verification::GateResult& g : gates) {
    j.push_back({{"gate", g.name}, {"value", g.value}, {"limit", g.limit},
                 {"kind", g.is_max ? "max" : "min"}, {"default", g.by_default}, {"passed", g.passed},
                 {"detail", g.detail}});
  }
  return j;
}

// Per layer, as separate fields: the compile-time bytes (the manifest's
// report layers, by node index) and the measured cycles.
nlohmann::json Layers(const verification::VerificationResult& r) {
  const nlohmann::json compile_layers = r.manifest.value("report", nlohmann::json::object())
                                            .value("layers", nlohmann::json::array());
  nlohmann::json layers = nlohmann::json::array();
  for (const verification::CycleShare& l : r.run.layers) {
    nlohmann::json layer = {{"layer", l.name}, {"cycles", l.cycles}, {"instructions", l.instructions}};
    if (l.index >= 0 && l.index < static_cast<int64_t>(compile_layers.size())) {
      const nlohmann::json& c = compile_layers[static_cast<size_t>(l.index)];
      layer["name"] = c.value("name", std::string());
      layer["op"] = c.value("op", std::string());
      layer["weight_bytes_before"] = c.value("bytes_before", 0.0);
      layer["weight_bytes_after"] = c.value("bytes_after", 0.0);
    }
    if (l.macs >= 0) {
      layer["macs"] = l.macs;
      if (l.macs > 0) layer["cycles_per_mac"] = static_cast<double>(l.cycles) / l.macs;
    }
    layers.push_back(layer);
  }
  return layers;
}

}  // namespace

nlohmann::json RenderVerifyJson(const verification::VerificationResult& r) {
  nlohmann::json j;
  // Version 2: gates, task figures of firmware and float, data file digests,
  // per-layer fields (README, "The verify report").
  j["schema_version"] = kVerifyReportSchemaVersion;
  j["tool"] = r.manifest.value("tool", std::string("tinyml-compile"));
  j["version"] = r.manifest.value("version", std::string());
  j["model_path"] = r.manifest.value("model_path", std::string());
  j["model_hash"] = r.manifest.value("model_hash", std::string());
  j["name"] = r.name;
  j["options"] = r.manifest.value("report", nlohmann::json::object()).value("options", std::string());
  j["data_files"] = r.manifest.value("data_files", nlohmann::json::array());
  for (const nlohmann::json& f : r.data_files) j["data_files"].push_back(f);
  j["passed"] = r.passed();
  j["problems"] = r.Problems();
  j["task"] = TaskName(r.task);
  j["gates"] = Gates(r.gates);
  j["firmware_figures"] = Figures(r.firmware_figures);
  j["float_figures"] = Figures(r.original_figures);
  j["samples"] = r.samples;
  j["instructions_per_inference"] = r.mean_instructions;
  j["cycles_per_inference"] = r.mean_cycles;
  j["flash_bytes"] = r.flash;
  j["ram_bytes"] = r.ram;
  j["stack_high_water"] = r.run.stack_high_water;
  for (const verification::OutputMetrics& m : r.comparison.outputs) {
    j["outputs"].push_back({{"name", m.name}, {"max_abs_error", m.max_abs}, {"rmse", m.rmse},
                            {"snr_db", std::isfinite(m.snr_db) ? m.snr_db : 999.0},
                            {"relative_error", m.relative}, {"top1_agreement", m.top1_agree}});
  }
  if (r.comparison.has_accuracy) j["accuracy"] = static_cast<double>(r.comparison.correct) / r.samples;
  j["clock_mhz"] = r.clock_mhz;
  j["latency_ms"] = r.mean_cycles / (r.clock_mhz * 1e3);
  j["layers"] = Layers(r);
  for (const verification::CycleShare& f : r.run.functions) {
    j["functions"].push_back({{"function", f.name}, {"cycles", f.cycles}, {"instructions", f.instructions}});
  }
  j["energy"] = {{"uj_per_inference", r.energy.uj_per_inference},
                 {"ua_per_mhz", r.energy_model.ua_per_mhz},
                 {"volts", r.energy_model.volts}};
  if (r.energy.has_battery) {
    j["energy"]["battery_hours"] = r.energy.battery_hours;
    j["energy"]["average_current_ua"] = r.energy.average_current_ua;
  }
  if (r.anomaly.has_value()) {
    const verification::AnomalyResult& a = *r.anomaly;
    j["anomaly"] = {{"threshold", a.threshold}, {"flagged", a.flagged}};
    if (a.has_labels) {
      j["anomaly"]["auc"] = a.metrics.auc;
      j["anomaly"]["precision"] = a.metrics.precision;
      j["anomaly"]["recall"] = a.metrics.recall;
      j["anomaly"]["false_positive_rate"] = a.metrics.false_positive_rate;
    }
  }
  return j;
}

}  // namespace tml::report
