#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "compiler/report/html_report.h"
#include "compiler/report/render.h"
#include "compiler/version.h"

namespace tml::report {
namespace {

using verification::VerificationResult;

std::string Kb(double bytes) { return fmt::format("{:.1f} KB", bytes / 1024.0); }

// A label/value row (json::array, not a {k, v} pair, which nlohmann makes an object).
nlohmann::json Row(const std::string& label, nlohmann::json value) {
  return nlohmann::json::array({label, std::move(value)});
}

nlohmann::json MeasuredSummary(const VerificationResult& r) {
  return nlohmann::json::array(
      {Row("Test samples", r.samples), Row("Cycles / inference", r.mean_cycles),
       Row("Instructions / inference", r.mean_instructions),
       Row("Latency", fmt::format("{:.3f} ms at {:g} MHz", r.mean_cycles / (r.clock_mhz * 1e3),
                                  r.clock_mhz)),
       Row("Flash", fmt::format("{} of {:g} KB ({})", Kb(r.flash), r.flash_kb,
                                r.flash_ok() ? "fits" : "DOES NOT FIT")),
       Row("RAM", fmt::format("{} of {:g} KB ({})", Kb(r.ram), r.ram_kb,
                              r.ram_ok() ? "fits" : "DOES NOT FIT")),
       Row("Stack high-water (bytes)", r.run.stack_high_water)});
}

nlohmann::json VerifyRows(const VerificationResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const verification::OutputMetrics& m : r.comparison.outputs) {
    rows.push_back(Row("output '" + m.name + "'",
                       fmt::format("max abs error {:.3g}, RMSE {:.3g}, SNR {:.1f} dB, relative {:.3g}",
                                   m.max_abs, m.rmse, m.snr_db, m.relative)));
    if (m.classifier) rows.push_back(Row("top-1 agreement", fmt::format("{}/{}", m.top1_agree, m.rows)));
  }
  if (r.comparison.has_accuracy) {
    rows.push_back(Row("accuracy on the test labels", fmt::format("{}/{}", r.comparison.correct, r.samples)));
  }
  return rows;
}

nlohmann::json EnergyRows(const VerificationResult& r) {
  const verification::EnergyModel& m = r.energy_model;
  const verification::EnergyEstimate& e = r.energy;
  nlohmann::json rows = nlohmann::json::array(
      {Row("Energy / inference", fmt::format("{:.3g} uJ", e.uj_per_inference)),
       Row("Assumed run current", fmt::format("{:g} uA/MHz x {:g} MHz = {:.3g} mA at {:g} V",
                                              m.ua_per_mhz, m.clock_mhz, e.run_current_ua / 1000, m.volts))});
  if (e.has_battery) {
    rows.push_back(Row("Battery life (MCU only)",
                       fmt::format("{:.0f} h ({:.1f} days) on {:g} mAh at {:g} inferences/h, sleep {:g} uA",
                                   e.battery_hours, e.battery_hours / 24, m.battery_mah,
                                   m.inferences_per_hour, m.sleep_ua)));
  }
  return rows;
}

nlohmann::json AnomalyRows(const VerificationResult& r) {
  const verification::AnomalyResult& a = *r.anomaly;
  nlohmann::json rows = nlohmann::json::array();
  rows.push_back(Row("Threshold", a.threshold));
  rows.push_back(Row("Flagged test samples", fmt::format("{}/{}", a.flagged, r.samples)));
  if (!a.has_labels) return rows;
  const verification::AnomalyMetrics& am = a.metrics;
  rows.push_back(Row("ROC AUC", fmt::format("{:.4f}", am.auc)));
  rows.push_back(Row("Precision", fmt::format("{:.4f}", am.precision)));
  rows.push_back(Row("Recall (anomalies detected)", fmt::format("{:.4f}", am.recall)));
  rows.push_back(Row("False alarm rate", fmt::format("{:.4f}", am.false_positive_rate)));
  rows.push_back(Row("TP / FP / TN / FN", fmt::format("{} / {} / {} / {}", am.true_positives,
                                                      am.false_positives, am.true_negatives,
                                                      am.false_negatives)));
  return rows;
}

nlohmann::json WakeGateRows(const VerificationResult& r) {
  const verification::WakeGateFigures& g = *r.wake_gate;
  nlohmann::json rows = nlohmann::json::array();
  rows.push_back(Row("Kind", g.kind));
  rows.push_back(Row("Windows discarded", fmt::format("{}/{} ({:.1f}%)", g.windows - g.passed, g.windows,
                                                      100.0 * g.discarded_fraction)));
  if (g.relevant > 0) {
    rows.push_back(Row("Relevant windows kept", fmt::format("{}/{} ({})", g.relevant_kept, g.relevant,
                                                            g.relevant_source)));
  }
  if (g.has_labels) rows.push_back(Row("Labelled positives lost", fmt::format("{}/{}", g.positives_lost, g.positives)));
  rows.push_back(Row("Decisions vs host reference", fmt::format("{} mismatches", g.mismatches)));
  rows.push_back(Row("Gate cycles", fmt::format("{:.0f} ({:.3f}% of the model)", g.gate_cycles_mean, 100.0 * g.gate_cost)));
  rows.push_back(Row("Cycles per window", fmt::format("{:.0f} with the gate, {:.0f} without", g.gated_cycles_mean,
                                                      g.model_cycles_mean)));
  rows.push_back(Row("Energy per window", fmt::format("{:.3g} uJ with the gate, {:.3g} uJ without",
                                                      g.gated_energy.uj_per_inference, r.energy.uj_per_inference)));
  if (g.gated_energy.has_battery) {
    rows.push_back(Row("Battery life (MCU only)", fmt::format("{:.0f} h with the gate, {:.0f} h without",
                                                              g.gated_energy.battery_hours, r.energy.battery_hours)));
  }
  return rows;
}

// The measured figures of the page: "summary" rows, "layer_cycles" by marker
// id, "firmware_relative_error", "notes".
nlohmann::json Measured(const VerificationResult& r) {
  nlohmann::json measured;
  measured["summary"] = MeasuredSummary(r);
  for (const verification::CycleShare& l : r.run.layers) {
    measured["layer_cycles"][l.index >= 0 ? std::to_string(l.index) : "outside"] = l.cycles;
  }
  double worst = 0;
  for (const verification::OutputMetrics& m : r.comparison.outputs) worst = std::max(worst, m.relative);
  measured["firmware_relative_error"] = worst;
  nlohmann::json gates = nlohmann::json::array();
  for (const verification::GateResult& g : r.gates) {
    gates.push_back(Row(g.name + (g.by_default ? " (default)" : ""),
                        fmt::format("{}: {}", g.passed ? "passed" : "FAILED", g.Describe())));
  }
  gates.push_back(Row("Verdict", r.passed() ? "verification passed" : "verification FAILED"));
  measured["notes"].push_back({{"title", "Release gates"}, {"rows", gates}});
  measured["notes"].push_back({{"title", "Verification against the float reference"}, {"rows", VerifyRows(r)}});
  measured["notes"].push_back({{"title", "Energy"}, {"rows", EnergyRows(r)}});
  if (r.anomaly.has_value()) {
    measured["notes"].push_back({{"title", "Anomaly detection"}, {"rows", AnomalyRows(r)}});
  }
  if (r.wake_gate.has_value()) {
    measured["notes"].push_back({{"title", "Wake-up gate"}, {"rows", WakeGateRows(r)}});
  }
  return measured;
}

// The page from the manifest (compile-time figures, "report") and `measured`
// (see Measured; empty without --verify); see html_report.h.
std::string RenderPage(const nlohmann::json& manifest, const nlohmann::json& measured) {
  using nlohmann::json;
  const json rd = manifest.value("report", json::object());
  json r;
  r["title"] = manifest.value("name", std::string("model")) + " - tinyml-compile report";
  r["generator"] = std::string("tinyml-compile ") + TML_VERSION;
  json summary = json::array();
  summary.push_back({"Model", manifest.value("model_path", std::string())});
  summary.push_back({"Model hash", manifest.value("model_hash", std::string())});
  for (const char* io : {"inputs", "outputs"}) {
    std::string text;
    for (const json& t : manifest.value(io, json::array())) {
      text += (text.empty() ? "" : ", ") + t["name"].get<std::string>() + " " + t["shape"].dump();
    }
    summary.push_back({io == std::string("inputs") ? "Inputs" : "Outputs", text});
  }
  summary.push_back({"Options", rd.value("options", std::string())});
  summary.push_back({"Weights (static const)", manifest.value("weight_bytes", 0)});
  summary.push_back({"Arena (bytes)", manifest.value("arena_bytes", 0)});
  summary.push_back({"Runtime kernels", manifest.value("kernels", json::array()).size()});
  if (manifest.contains("dope")) {
    const json& d = manifest["dope"];
    summary.push_back({"Doping", fmt::format("density {:g}: {} non-zeros, {} bytes of sparse overlay",
                                             d.value("density", 0.0), d.value("nnz", 0),
                                             d.value("sparse_bytes", 0))});
  }
  if (manifest.contains("finetune")) {
    const json& f = manifest["finetune"];
    std::string text = fmt::format(
        "{} epochs; held-out {} {:.4f} -> {:.4f}", f.value("epochs", 0),
        f.value("agreement_metric", std::string("agreement")), f.value("agreement_before", 0.0),
        f.value("agreement_after", 0.0));
    if (f.contains("accuracy_before")) {
      text += fmt::format(", accuracy {:.4f} -> {:.4f} (teacher {:.4f})", f.value("accuracy_before", 0.0),
                          f.value("accuracy_after", 0.0), f.value("teacher_accuracy", 0.0));
    }
    summary.push_back({"Fine-tuning", text});
  }
  for (const json& row : measured.value("summary", json::array())) summary.push_back(row);
  r["summary"] = summary;
  const json cycles = measured.value("layer_cycles", json::object());
  json layers = json::array();
  int id = 0;
  for (json l : rd.value("layers", json::array())) {
    const std::string key = std::to_string(id++);
    if (cycles.contains(key)) l["cycles"] = cycles[key];
    layers.push_back(l);
  }
  if (cycles.contains("outside")) layers.push_back({{"name", "(outside layers)"}, {"cycles", cycles["outside"]}});
  r["layers"] = layers;
  json stages = rd.value("stages", json::array());
  if (measured.contains("firmware_relative_error")) {
    if (stages.empty()) stages.push_back({{"name", "import (float reference)"}, {"relative_error", 0.0}});
    stages.push_back({{"name", "firmware (emulated M4)"},
                      {"relative_error", measured["firmware_relative_error"]}});
  }
  r["stages"] = stages;
  json curves = json::array();
  if (manifest.contains("kron_factorize")) {
    for (const json& m : manifest["kron_factorize"].value("matrices", json::array())) {
      json c;
      c["matrix"] = m.value("node", std::string()) + " " + m.value("input", std::string()) +
                    (m.value("direction", 0) > 0 ? " dir " + std::to_string(m.value("direction", 0)) : "");
      if (m.value("layout", std::string()) != "dense") {
        c["chosen"] = {m.value("compression", 1.0), m.value("relative_error", 0.0)};
      }
      if (m.contains("curve")) c["points"] = m["curve"];
      if (c.contains("chosen") || c.contains("points")) curves.push_back(c);
    }
  }
  r["kron_curves"] = curves;
  r["notes"] = measured.value("notes", json::array());
  return RenderHtmlReport(r);
}

}  // namespace

std::string RenderHtml(const nlohmann::json& manifest, const VerificationResult* measured) {
  return RenderPage(manifest, measured != nullptr ? Measured(*measured) : nlohmann::json::object());
}

}  // namespace tml::report
