// The --html page from one source of truth: the verify report of
// RenderVerifyJson (the same document --report writes) and the manifest's
// compile-time figures. Nothing here reads the VerificationResult directly,
// so the page cannot show a figure the JSON does not hold.
#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "compiler/report/html_report.h"
#include "compiler/report/render.h"
#include "compiler/version.h"

namespace tml::report {
namespace {

using nlohmann::json;

std::string Kb(double bytes) { return fmt::format("{:.1f} KB", bytes / 1024.0); }

// A label/value row (json::array, not a {k, v} pair, which nlohmann makes an object).
json Row(const std::string& label, json value) { return json::array({label, std::move(value)}); }

json MeasuredSummary(const json& j) {
  const double flash = j["flash_bytes"].get<double>(), ram = j["ram_bytes"].get<double>();
  const double flash_kb = j["flash_budget_kb"].get<double>(), ram_kb = j["ram_budget_kb"].get<double>();
  return json::array(
      {Row("Test samples", j["samples"]), Row("Target", j["target"]["settings"]),
       Row("Cycles / inference", j["cycles_per_inference"]),
       Row("Instructions / inference", j["instructions_per_inference"]),
       Row("Latency", fmt::format("{:.3f} ms at {:g} MHz", j["latency_ms"].get<double>(),
                                  j["clock_mhz"].get<double>())),
       Row("Flash", fmt::format("{} of {:g} KB ({})", Kb(flash), flash_kb,
                                flash <= flash_kb * 1024 ? "fits" : "DOES NOT FIT")),
       Row("RAM", fmt::format("{} of {:g} KB ({})", Kb(ram), ram_kb, ram <= ram_kb * 1024 ? "fits" : "DOES NOT FIT")),
       Row("Stack high-water (bytes)", j["stack_high_water"])});
}

json VerifyRows(const json& j) {
  json rows = json::array();
  for (const json& m : j.value("outputs", json::array())) {
    rows.push_back(Row("output '" + m["name"].get<std::string>() + "'",
                       fmt::format("max abs error {:.3g}, RMSE {:.3g}, SNR {:.1f} dB, relative {:.3g}",
                                   m["max_abs_error"].get<double>(), m["rmse"].get<double>(),
                                   m["snr_db"].get<double>(), m["relative_error"].get<double>())));
    if (m.value("top1_rows", 0) > 0) {
      rows.push_back(Row("top-1 agreement", fmt::format("{}/{}", m["top1_agreement"].get<int64_t>(),
                                                         m["top1_rows"].get<int64_t>())));
    }
  }
  if (j.contains("correct")) {
    rows.push_back(Row("accuracy on the test labels",
                       fmt::format("{}/{}", j["correct"].get<int64_t>(), j["samples"].get<int64_t>())));
  }
  return rows;
}

json EnergyRows(const json& j) {
  const json& e = j["energy"];
  json rows = json::array(
      {Row("Energy / inference", fmt::format("{:.3g} uJ", e["uj_per_inference"].get<double>())),
       Row("Assumed run current", fmt::format("{:g} uA/MHz x {:g} MHz = {:.3g} mA at {:g} V",
                                              e["ua_per_mhz"].get<double>(), j["clock_mhz"].get<double>(),
                                              e["run_current_ua"].get<double>() / 1000, e["volts"].get<double>()))});
  if (e.contains("battery_hours")) {
    const double hours = e["battery_hours"].get<double>();
    rows.push_back(Row("Battery life (MCU only)",
                       fmt::format("{:.0f} h ({:.1f} days) on {:g} mAh at {:g} inferences/h, sleep {:g} uA", hours,
                                   hours / 24, e["battery_mah"].get<double>(),
                                   e["inferences_per_hour"].get<double>(), e["sleep_ua"].get<double>())));
  }
  return rows;
}

json AnomalyRows(const json& j) {
  const json& a = j["anomaly"];
  json rows = json::array();
  rows.push_back(Row("Threshold", a["threshold"]));
  rows.push_back(Row("Flagged test samples", fmt::format("{}/{}", a["flagged"].get<int64_t>(),
                                                         j["samples"].get<int64_t>())));
  if (!a.contains("auc")) return rows;
  rows.push_back(Row("ROC AUC", fmt::format("{:.4f}", a["auc"].get<double>())));
  rows.push_back(Row("Precision", fmt::format("{:.4f}", a["precision"].get<double>())));
  rows.push_back(Row("Recall (anomalies detected)", fmt::format("{:.4f}", a["recall"].get<double>())));
  rows.push_back(Row("False alarm rate", fmt::format("{:.4f}", a["false_positive_rate"].get<double>())));
  const json& c = a["confusion"];
  rows.push_back(Row("TP / FP / TN / FN", fmt::format("{} / {} / {} / {}", c["tp"].get<int64_t>(),
                                                      c["fp"].get<int64_t>(), c["tn"].get<int64_t>(),
                                                      c["fn"].get<int64_t>())));
  return rows;
}

// The wake-up gate of a --gate build, from the report's "gate" section.
json WakeGateRows(const json& j) {
  const json& g = j["gate"];
  const int64_t windows = g["windows"].get<int64_t>(), passed = g["passed"].get<int64_t>();
  json rows = json::array();
  rows.push_back(Row("Kind", g["kind"]));
  rows.push_back(Row("Windows discarded", fmt::format("{}/{} ({:.1f}%)", windows - passed, windows,
                                                      100.0 * g["discarded_fraction"].get<double>())));
  if (g.contains("relevant")) {
    rows.push_back(Row("Relevant windows kept", fmt::format("{}/{} ({})", g["relevant_kept"].get<int64_t>(),
                                                            g["relevant"].get<int64_t>(),
                                                            g["relevant_source"].get<std::string>())));
  }
  if (g.contains("positives")) {
    rows.push_back(Row("Labelled positives lost", fmt::format("{}/{}", g["positives_lost"].get<int64_t>(),
                                                              g["positives"].get<int64_t>())));
  }
  rows.push_back(Row("Decisions vs host reference",
                     fmt::format("{} mismatches", g["host_mismatches"].get<int64_t>())));
  rows.push_back(Row("Gate cycles", fmt::format("{:.0f} ({:.3f}% of the model)", g["gate_cycles_mean"].get<double>(),
                                                100.0 * g["gate_cost_fraction"].get<double>())));
  rows.push_back(Row("Cycles per window",
                     fmt::format("{:.0f} with the gate, {:.0f} without", g["cycles_per_window_with_gate"].get<double>(),
                                 g["cycles_per_window_without_gate"].get<double>())));
  rows.push_back(Row("Energy per window", fmt::format("{:.3g} uJ with the gate, {:.3g} uJ without",
                                                      g["uj_per_window_with_gate"].get<double>(),
                                                      g["uj_per_window_without_gate"].get<double>())));
  if (g.contains("battery_hours_with_gate")) {
    rows.push_back(Row("Battery life (MCU only)",
                       fmt::format("{:.0f} h with the gate, {:.0f} h without", g["battery_hours_with_gate"].get<double>(),
                                   g["battery_hours_without_gate"].get<double>())));
  }
  return rows;
}

// The page's "layers": the report's (measured, one per kernel call) when
// verified, else the compile-time ones of the manifest, with the same keys.
json PageLayers(const json& manifest, const json& report) {
  if (report.contains("layers")) return report["layers"];
  json layers = json::array();
  for (const json& l : manifest.value("report", json::object()).value("layers", json::array())) {
    json layer = {{"name", l.value("name", std::string())}, {"op", l.value("op", std::string())},
                  {"weight_bytes_before", std::llround(l.value("bytes_before", 0.0))},
                  {"weight_bytes_after", std::llround(l.value("bytes_after", 0.0))}};
    if (l.contains("arena_bytes")) layer["arena_bytes"] = l["arena_bytes"];
    layers.push_back(layer);
  }
  return layers;
}

json CompileSummary(const json& manifest) {
  const json rd = manifest.value("report", json::object());
  json summary = json::array();
  summary.push_back(Row("Model", manifest.value("model_path", std::string())));
  summary.push_back(Row("Model hash", manifest.value("model_hash", std::string())));
  for (const char* io : {"inputs", "outputs"}) {
    std::string text;
    for (const json& t : manifest.value(io, json::array())) {
      text += (text.empty() ? "" : ", ") + t["name"].get<std::string>() + " " + t["shape"].dump();
    }
    summary.push_back(Row(io == std::string("inputs") ? "Inputs" : "Outputs", text));
  }
  summary.push_back(Row("Options", rd.value("options", std::string())));
  summary.push_back(Row("Weights (static const)", manifest.value("weight_bytes", 0)));
  summary.push_back(Row("Arena (bytes)", manifest.value("arena_bytes", 0)));
  summary.push_back(Row("Runtime kernels", manifest.value("kernels", json::array()).size()));
  if (manifest.contains("dope")) {
    const json& d = manifest["dope"];
    summary.push_back(Row("Doping", fmt::format("density {:g}: {} non-zeros, {} bytes of sparse overlay",
                                                d.value("density", 0.0), d.value("nnz", 0), d.value("sparse_bytes", 0))));
  }
  if (manifest.contains("finetune")) {
    const json& f = manifest["finetune"];
    std::string text = fmt::format("{} epochs; held-out {} {:.4f} -> {:.4f}", f.value("epochs", 0),
                                   f.value("agreement_metric", std::string("agreement")),
                                   f.value("agreement_before", 0.0), f.value("agreement_after", 0.0));
    if (f.contains("accuracy_before")) {
      text += fmt::format(", accuracy {:.4f} -> {:.4f} (teacher {:.4f})", f.value("accuracy_before", 0.0),
                          f.value("accuracy_after", 0.0), f.value("teacher_accuracy", 0.0));
    }
    summary.push_back(Row("Fine-tuning", text));
  }
  return summary;
}

json KronCurves(const json& manifest) {
  json curves = json::array();
  if (!manifest.contains("kron_factorize")) return curves;
  for (const json& m : manifest["kron_factorize"].value("matrices", json::array())) {
    json c;
    c["matrix"] = m.value("node", std::string()) + " " + m.value("input", std::string()) +
                  (m.value("direction", 0) > 0 ? " dir " + std::to_string(m.value("direction", 0)) : "");
    if (m.value("layout", std::string()) != "dense") c["chosen"] = {m.value("compression", 1.0), m.value("relative_error", 0.0)};
    if (m.contains("curve")) c["points"] = m["curve"];
    if (c.contains("chosen") || c.contains("points")) curves.push_back(c);
  }
  return curves;
}

// The page (html_report.h) from the manifest and `report` (RenderVerifyJson's
// document; empty without --verify).
std::string RenderPage(const json& manifest, const json& report) {
  json r;
  r["title"] = manifest.value("name", std::string("model")) + " - tinyml-compile report";
  r["generator"] = std::string("tinyml-compile ") + TML_VERSION;
  json summary = CompileSummary(manifest);
  const bool measured = report.contains("samples");
  if (measured) {
    for (const json& row : MeasuredSummary(report)) summary.push_back(row);
    r["verdict"] = {{"passed", report["passed"]}, {"problems", report["problems"]}};
    r["gates"] = report["gates"];
    r["figures"] = {{"firmware", report["firmware_figures"]}, {"float", report["float_figures"]}};
  }
  r["summary"] = summary;
  r["layers"] = PageLayers(manifest, report);
  r["finetune_history"] = FinetuneHistory(manifest);
  json stages = manifest.value("report", json::object()).value("stages", json::array());
  if (measured) {
    double worst = 0;
    for (const json& m : report.value("outputs", json::array())) worst = std::max(worst, m["relative_error"].get<double>());
    if (stages.empty()) stages.push_back({{"name", "import (float reference)"}, {"relative_error", 0.0}});
    stages.push_back({{"name", "firmware (emulated M4)"}, {"relative_error", worst}});
  }
  r["stages"] = stages;
  r["kron_curves"] = KronCurves(manifest);
  json notes = json::array();
  if (measured) {
    notes.push_back({{"title", "Verification against the float reference"}, {"rows", VerifyRows(report)}});
    notes.push_back({{"title", "Energy"}, {"rows", EnergyRows(report)}});
    if (report.contains("anomaly")) notes.push_back({{"title", "Anomaly detection"}, {"rows", AnomalyRows(report)}});
    if (report.contains("gate")) notes.push_back({{"title", "Wake-up gate"}, {"rows", WakeGateRows(report)}});
  }
  r["notes"] = notes;
  return RenderHtmlReport(r);
}

}  // namespace

std::string RenderHtml(const json& manifest, const verification::VerificationResult* measured) {
  return RenderPage(manifest, measured != nullptr ? RenderVerifyJson(*measured) : json::object());
}

}  // namespace tml::report
