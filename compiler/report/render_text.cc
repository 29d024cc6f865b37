#include <algorithm>
#include <cmath>
#include <optional>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "compiler/report/render.h"

namespace tml::report {
namespace {

using verification::VerificationResult;

std::string Kb(double bytes) { return fmt::format("{:.1f} KB", bytes / 1024.0); }

std::string OutputLines(const VerificationResult& r) {
  std::string text;
  for (const verification::OutputMetrics& m : r.comparison.outputs) {
    text += fmt::format("  output '{}': max abs error {:.3g}, RMSE {:.3g}, SNR {:.1f} dB, relative {:.3g}", m.name,
                        m.max_abs, m.rmse, m.snr_db, m.relative);
    if (r.relative_error_limit.has_value()) {
      text += fmt::format(" (tolerance {:g}) {}", *r.relative_error_limit,
                          m.relative <= *r.relative_error_limit ? "ok" : "FAILED");
    }
    text += "\n";
    if (m.classifier) {
      text += fmt::format("    top-1 agreement with the reference: {}/{} ({:.2f}%){}\n", m.top1_agree, m.rows,
                          100.0 * m.top1_agree / std::max<int64_t>(m.rows, 1),
                          m.rows > m.samples ? " over every position" : "");
    }
  }
  return text;
}

// " (float original X)" beside a firmware figure.
std::string Beside(const std::optional<double>& original, double scale, const char* format) {
  if (!original.has_value()) return "";
  return fmt::format("; float original {}", fmt::format(fmt::runtime(format), scale * *original));
}

// The three largest off-diagonal cells of the firmware's confusion matrix (the
// whole matrix is in --report / --html).
std::string ConfusionLine(const std::vector<std::vector<int64_t>>& confusion) {
  std::vector<std::tuple<int64_t, size_t, size_t>> cells;
  for (size_t t = 0; t < confusion.size(); ++t) {
    for (size_t p = 0; p < confusion[t].size(); ++p) {
      if (t != p && confusion[t][p] > 0) cells.emplace_back(-confusion[t][p], t, p);
    }
  }
  if (cells.empty()) return "";
  std::sort(cells.begin(), cells.end());
  std::vector<std::string> parts;
  for (size_t i = 0; i < cells.size() && i < 3; ++i) {
    parts.push_back(fmt::format("{} as {} x{}", std::get<1>(cells[i]), std::get<2>(cells[i]), -std::get<0>(cells[i])));
  }
  return fmt::format("  most confused classes (true as predicted): {}\n", fmt::join(parts, ", "));
}

// The figures a task is judged by, as the task line names them.
const char* TaskFigureWords(Task task) {
  switch (task) {
    case Task::kClassifier:
      return "top-1 agreement, accuracy with labels";
    case Task::kAnomaly:
      return "reconstruction score, AUC with labels";
    case Task::kLanguageModel:
      return "perplexity / cross-entropy with next-token labels";
    default:
      return "relative error, SNR";
  }
}

std::string TaskLines(const VerificationResult& r) {
  std::string text;
  const verification::TaskFigures& fw = r.firmware_figures;
  const verification::TaskFigures& fl = r.original_figures;
  text += fmt::format("  task: {} ({})\n", TaskName(r.task), TaskFigureWords(r.task));
  if (r.anomaly.has_value()) {
    const verification::AnomalyResult& a = *r.anomaly;
    text += fmt::format("  anomaly: threshold {:.6g}; {}/{} test samples flagged\n", a.threshold, a.flagged,
                        r.samples);
    if (a.has_labels) {
      const verification::AnomalyMetrics& am = a.metrics;
      text += fmt::format(
          "  anomaly vs test labels: AUC {:.4f}, precision {:.4f}, recall {:.4f}, false alarms "
          "{:.4f} (TP {}, FP {}, TN {}, FN {}){}{}\n",
          am.auc, am.precision, am.recall, am.false_positive_rate, am.true_positives, am.false_positives,
          am.true_negatives, am.false_negatives, Beside(fl.auc, 1.0, "AUC {:.4f}"),
          fl.recall.has_value() ? fmt::format(", recall {:.4f} at its threshold", *fl.recall) : "");
    }
  }
  if (r.comparison.has_accuracy) {
    text += fmt::format("  accuracy on the test labels: {}/{} ({:.2f}%){}\n", r.comparison.correct, r.samples,
                        100.0 * r.comparison.correct / std::max<int64_t>(r.samples, 1),
                        Beside(fl.accuracy, 100.0, "{:.2f}%"));
    text += ConfusionLine(fw.confusion);
  }
  if (fw.perplexity.has_value()) {
    text += fmt::format("  perplexity on the test labels: {:.4f}{}\n", *fw.perplexity,
                        Beside(fl.perplexity, 1.0, "{:.4f}"));
  }
  for (const verification::GateResult& g : r.gates) {
    text += fmt::format("  gate {}{}: {}\n", g.Describe(), g.by_default ? " [default]" : "",
                        g.passed ? "ok" : "FAILED");
  }
  return text;
}

std::string CycleLines(const VerificationResult& r) {
  std::string text = fmt::format(
      "  per inference: {:.0f} instructions (min {}, max {}), {:.0f} cycles, {:.3f} ms @ {:g} MHz "
      "({} flash wait states, flash cache {})\n",
      r.mean_instructions, r.run.min_instructions, r.run.max_instructions, r.mean_cycles,
      r.mean_cycles / (r.clock_mhz * 1e3), r.clock_mhz, r.flash_wait_states,
      r.flash_cache ? "on" : "off");
  text += verification::FormatEnergy(r.energy, r.energy_model);
  uint64_t layer_total = 0;
  for (const verification::CycleShare& l : r.run.layers) layer_total += l.cycles;
  text += "  cycles per layer (profiled build, sample 0):\n";
  for (const verification::CycleShare& l : r.run.layers) {
    const std::string per_mac = l.macs > 0 ? fmt::format("{:8.2f} cycles/MAC", static_cast<double>(l.cycles) / l.macs)
                                           : std::string(19, ' ');
    text += fmt::format("    {:<48} {:>12} cycles {:>6.1f}% {:>11} instr {}\n", l.name, l.cycles,
                        layer_total ? 100.0 * l.cycles / layer_total : 0.0, l.instructions, per_mac);
  }
  // The functions that take the time (kernels, libm), most first.
  std::vector<verification::CycleShare> sorted = r.run.functions;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& x, const auto& y) { return x.cycles > y.cycles; });
  text += "  cycles per function (profiled build, sample 0):\n";
  for (size_t i = 0; i < sorted.size() && i < 8; ++i) {
    text += fmt::format("    {:<48} {:>12} cycles {:>11} instr\n", sorted[i].name, sorted[i].cycles,
                        sorted[i].instructions);
  }
  return text;
}

// The wake-up gate on the test windows, and energy/battery with the gate
// against the model on every window.
std::string WakeGateLines(const VerificationResult& r) {
  if (!r.wake_gate.has_value()) return "";
  const verification::WakeGateFigures& g = *r.wake_gate;
  std::string text = fmt::format(
      "  wake-up gate ({}): {}/{} windows discarded ({:.1f}%); decisions {} the host reference's on {}/{} "
      "windows\n",
      g.kind, g.windows - g.passed, g.windows, 100.0 * g.discarded_fraction, g.mismatches == 0 ? "equal" : "DIFFER FROM",
      g.windows - g.mismatches, g.windows);
  if (g.s8.has_value()) {
    text += fmt::format(
        "    int8 twin {}_gate_s8: decisions {} the host reference's on {}/{} windows, as the float gate's on {}/{}; "
        "{:.0f} cycles per window\n",
        r.name, g.s8->mismatches == 0 ? "equal" : "DIFFER FROM", g.windows - g.s8->mismatches, g.windows,
        g.s8->agree_with_float, g.windows, g.s8->gate_cycles_mean);
  }
  if (g.relevant > 0) {
    text += fmt::format("    recall of the relevant windows ({}): {}/{} kept ({:.2f}%)\n", g.relevant_source,
                        g.relevant_kept, g.relevant, 100.0 * g.recall);
  }
  if (g.has_labels) {
    text += fmt::format("    labelled positives (anomalies / classes != 0) the gate would lose: {}/{}\n",
                        g.positives_lost, g.positives);
  }
  text += fmt::format(
      "    gate {:.0f} cycles per window (max {}), {:.3f}% of the model's {:.0f}; average per window {:.0f} "
      "cycles with the gate vs {:.0f} without ({:.2f}x fewer)\n",
      g.gate_cycles_mean, g.gate_cycles_max, 100.0 * g.gate_cost, g.model_cycles_mean, g.gated_cycles_mean,
      g.model_cycles_mean, g.gated_cycles_mean > 0 ? g.model_cycles_mean / g.gated_cycles_mean : 0.0);
  const verification::EnergyEstimate& e = g.gated_energy;
  text += fmt::format("    energy per window with the gate {:.3g} uJ vs {:.3g} uJ without\n", e.uj_per_inference,
                      r.energy.uj_per_inference);
  if (e.has_battery) {
    text += fmt::format(
        "    battery with the gate: {:g} mAh at {:g} windows/hour: average {:.3g} uA -> {:.0f} h ({:.1f} days); "
        "without: {:.3g} uA -> {:.0f} h ({:.1f} days); {:.2f}x longer\n",
        r.energy_model.battery_mah, r.energy_model.inferences_per_hour, e.average_current_ua, e.battery_hours,
        e.battery_hours / 24.0, r.energy.average_current_ua, r.energy.battery_hours, r.energy.battery_hours / 24.0,
        r.energy.battery_hours > 0 ? e.battery_hours / r.energy.battery_hours : 0.0);
  }
  return text;
}

}  // namespace

std::string RenderVerifyText(const VerificationResult& r) {
  std::string text = fmt::format("verify {} ({}) on {} sample(s) in the emulated {}\n", r.out_dir,
                                 r.name, r.samples, r.target_settings);
  text += OutputLines(r) + TaskLines(r) + CycleLines(r) + WakeGateLines(r);
  text += fmt::format("  flash {} (text {} + rodata {} + data {}) of {:g} KB: {}\n", Kb(r.flash),
                      r.run.text, r.run.rodata, r.run.data, r.flash_kb,
                      r.flash_ok() ? "fits" : "DOES NOT FIT");
  if (!r.run.kernel_text.empty()) {
    std::string kernels;
    for (const auto& [name, bytes] : r.run.kernel_text) {
      kernels += fmt::format("{}{} {}", kernels.empty() ? "" : ", ", name, bytes);
    }
    text += "  text per runtime function (bytes): " + kernels + "\n";
  }
  text += fmt::format(
      "  RAM {} (data {} + bss {} incl. arena {} + stack {} reserved, {} used) of {:g} KB: {}\n",
      Kb(r.ram), r.run.data, r.run.bss, r.arena_bytes, r.stack_size, r.run.stack_high_water,
      r.ram_kb, r.ram_ok() ? "fits" : "DOES NOT FIT");
  text += fmt::format("  firmware: {}\n", r.elf_path);
  return text;
}

std::string RenderCompileText(const Compiled& c, const std::string& out_dir) {
  const codegen::GeneratedModel& model = c.model;
  std::string text = fmt::format("wrote {} ({} files): {} + runtime ({} kernels)\n", out_dir,
                                 c.files.size(), c.name + ".c/.h", model.kernels.size());
  text += fmt::format("  weights {} bytes, arena {} bytes{}\n", model.weight_bytes, model.arena_bytes,
                      model.has_step ? fmt::format(", streaming state {} bytes ({}_step)",
                                                   model.state_bytes, c.name)
                                     : std::string());
  // Per layer: what its weights take as emitted (int8 factors, sparse indices and values,
  // biases, multipliers...) against the same constants as dense float32.
  for (const auto& l : model.layer_weights) {
    if (l.dense_float_bytes == 0) continue;
    text += fmt::format("    {}: weights {} bytes (dense float32 {} bytes, {:.1f}x smaller)\n", l.layer,
                        l.bytes, l.dense_float_bytes,
                        l.bytes > 0 ? double(l.dense_float_bytes) / double(l.bytes) : 0.0);
  }
  // Per runtime kernel the output links: code bytes from the table measured when the tool
  // was built (an estimate for this output; verify measures the firmware).
  if (c.manifest.contains("kernel_text")) {
    const nlohmann::json& kt = c.manifest["kernel_text"];
    std::string kernels;
    for (const nlohmann::json& k : kt["kernels"]) {
      kernels += fmt::format("{}{} {}", kernels.empty() ? "" : ", ", k["kernel"].get<std::string>(),
                             k["bytes"].get<int64_t>());
    }
    text += fmt::format(
        "  runtime text {} bytes (estimated: {} -O2 for the Cortex-M4 when the tool was built; "
        "verify measures the firmware): {}\n",
        kt["total_bytes"].get<int64_t>(), kt["compiler"].get<std::string>(), kernels);
  } else {
    text += "  runtime text per kernel: not estimated (tool built without arm-none-eabi-gcc; "
            "verify measures the firmware)\n";
  }
  if (c.manifest.contains("target")) {
    const nlohmann::json& t = c.manifest["target"];
    text += fmt::format("  target: {} (budget flash {:g} KB, RAM {:g} KB)\n",
                        t.value("settings", std::string()), t.value("flash_kb", 0.0),
                        t.value("ram_kb", 0.0));
  }
  if (c.manifest.contains("anomaly")) {
    const nlohmann::json& a = c.manifest["anomaly"];
    text += fmt::format(
        "  anomaly: {}_score() = mean squared reconstruction error; threshold {:.6g} ({:g}th "
        "percentile of {} calibration samples, mean score {:.6g})\n",
        c.name, a["threshold"].get<double>(), a["percentile"].get<double>(),
        a["calib_samples"].get<int64_t>(), a["calib_mean_score"].get<double>());
  }
  return text;
}

}  // namespace tml::report
