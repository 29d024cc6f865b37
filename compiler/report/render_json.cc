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
  if (!f.confusion.empty()) j["confusion_matrix"] = f.confusion;
  if (!f.roc.empty()) {
    j["roc"] = nlohmann::json::array();
    for (const verification::RocPoint& p : f.roc) {
      j["roc"].push_back({{"threshold", p.threshold}, {"fpr", p.fpr}, {"tpr", p.tpr}});
    }
  }
  if (f.histogram.has_value()) {
    j["score_histogram"] = {{"edges", f.histogram->edges}, {"normal", f.histogram->normal},
                            {"anomalous", f.histogram->anomalous}};
  }
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
      // Whole bytes (the manifest holds emitted layers' counts as integers, others as 0.0).
      layer["weight_bytes_before"] = std::llround(c.value("bytes_before", 0.0));
      layer["weight_bytes_after"] = std::llround(c.value("bytes_after", 0.0));
      if (c.contains("arena_bytes")) layer["arena_bytes"] = c["arena_bytes"];
    }
    if (l.macs >= 0) {
      layer["macs"] = l.macs;
      if (l.macs > 0) layer["cycles_per_mac"] = static_cast<double>(l.cycles) / l.macs;
    }
    layers.push_back(layer);
  }
  return layers;
}

// The wake-up gate (verification/wake_gate_run.h); energy and battery per
// window with the gate (the report's "energy" is the model on every window).
nlohmann::json WakeGate(const verification::VerificationResult& r) {
  const verification::WakeGateFigures& g = *r.wake_gate;
  nlohmann::json j = {{"kind", g.kind},
                      {"windows", g.windows},
                      {"passed", g.passed},
                      {"discarded_fraction", g.discarded_fraction},
                      {"host_mismatches", g.mismatches},
                      {"gate_cycles_mean", g.gate_cycles_mean},
                      {"gate_cycles_max", g.gate_cycles_max},
                      {"gate_cost_fraction", g.gate_cost},
                      {"cycles_per_window_without_gate", g.model_cycles_mean},
                      {"cycles_per_window_with_gate", g.gated_cycles_mean},
                      {"uj_per_window_with_gate", g.gated_energy.uj_per_inference},
                      {"uj_per_window_without_gate", r.energy.uj_per_inference}};
  if (g.relevant > 0) {
    j["relevant_source"] = g.relevant_source;
    j["relevant"] = g.relevant;
    j["relevant_kept"] = g.relevant_kept;
    j["recall"] = g.recall;
  }
  if (g.s8.has_value()) {
    j["s8"] = {{"host_mismatches", g.s8->mismatches},
               {"agree_with_float", g.s8->agree_with_float},
               {"gate_cycles_mean", g.s8->gate_cycles_mean}};
  }
  if (g.has_labels) {
    j["positives"] = g.positives;
    j["positives_lost"] = g.positives_lost;
  }
  if (g.gated_energy.has_battery) {
    j["battery_hours_with_gate"] = g.gated_energy.battery_hours;
    j["battery_hours_without_gate"] = r.energy.battery_hours;
    j["average_current_ua_with_gate"] = g.gated_energy.average_current_ua;
  }
  return j;
}

}  // namespace

nlohmann::json FinetuneHistory(const nlohmann::json& manifest) {
  nlohmann::json history = nlohmann::json::array();
  if (!manifest.contains("finetune")) return history;
  for (const nlohmann::json& e : manifest["finetune"].value("history", nlohmann::json::array())) {
    history.push_back({{"epoch", e.value("epoch", 0)}, {"loss", e.value("loss", 0.0)},
                       {"agreement", e.value("agreement", 0.0)}});
  }
  return history;
}

nlohmann::json RenderVerifyJson(const verification::VerificationResult& r) {
  nlohmann::json j;
  // Version 2: gates, task figures of firmware and float, data file digests,
  // per-layer fields. Version 3: confusion matrices, ROC curves, score
  // histograms, per-layer arena bytes, the fine-tuning history. Version 4: code bytes per
  // runtime function measured in the firmware (kernel_text) and the compile-time estimate
  // per kernel (kernel_text_estimated, from the manifest) (README, "Verification report").
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
                            {"relative_error", m.relative}, {"top1_agreement", m.top1_agree},
                            {"top1_rows", m.classifier ? m.rows : 0}});
  }
  if (r.comparison.has_accuracy) {
    j["accuracy"] = static_cast<double>(r.comparison.correct) / r.samples;
    j["correct"] = r.comparison.correct;
  }
  j["clock_mhz"] = r.clock_mhz;
  j["target"] = {{"name", r.target},
                 {"settings", r.target_settings},
                 {"clock_mhz", r.clock_mhz},
                 {"flash_wait_states", r.flash_wait_states},
                 {"flash_cache", r.flash_cache}};
  j["latency_ms"] = r.mean_cycles / (r.clock_mhz * 1e3);
  j["layers"] = Layers(r);
  j["finetune_history"] = FinetuneHistory(r.manifest);
  for (const verification::CycleShare& f : r.run.functions) {
    j["functions"].push_back({{"function", f.name}, {"cycles", f.cycles}, {"instructions", f.instructions}});
  }
  j["kernel_text"] = nlohmann::json::array();
  for (const auto& [name, bytes] : r.run.kernel_text) {
    j["kernel_text"].push_back({{"function", name}, {"bytes", bytes}});
  }
  if (r.manifest.contains("kernel_text")) j["kernel_text_estimated"] = r.manifest["kernel_text"];
  j["flash_budget_kb"] = r.flash_kb;
  j["ram_budget_kb"] = r.ram_kb;
  j["energy"] = {{"uj_per_inference", r.energy.uj_per_inference},
                 {"ua_per_mhz", r.energy_model.ua_per_mhz},
                 {"volts", r.energy_model.volts},
                 {"run_current_ua", r.energy.run_current_ua},
                 {"sleep_ua", r.energy_model.sleep_ua}};
  if (r.energy.has_battery) {
    j["energy"]["battery_hours"] = r.energy.battery_hours;
    j["energy"]["average_current_ua"] = r.energy.average_current_ua;
    j["energy"]["battery_mah"] = r.energy_model.battery_mah;
    j["energy"]["inferences_per_hour"] = r.energy_model.inferences_per_hour;
  }
  if (r.wake_gate.has_value()) j["gate"] = WakeGate(r);
  if (r.anomaly.has_value()) {
    const verification::AnomalyResult& a = *r.anomaly;
    j["anomaly"] = {{"threshold", a.threshold}, {"flagged", a.flagged}};
    if (a.has_labels) {
      j["anomaly"]["auc"] = a.metrics.auc;
      j["anomaly"]["precision"] = a.metrics.precision;
      j["anomaly"]["recall"] = a.metrics.recall;
      j["anomaly"]["false_positive_rate"] = a.metrics.false_positive_rate;
      j["anomaly"]["confusion"] = {{"tp", a.metrics.true_positives}, {"fp", a.metrics.false_positives},
                                   {"tn", a.metrics.true_negatives}, {"fn", a.metrics.false_negatives}};
    }
  }
  return j;
}

}  // namespace tml::report
