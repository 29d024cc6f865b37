#include <cmath>

#include "compiler/report/render.h"

namespace tml::report {

nlohmann::json RenderVerifyJson(const verification::VerificationResult& r) {
  nlohmann::json j;
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
  for (const verification::CycleShare& l : r.run.layers) {
    nlohmann::json layer = {{"layer", l.name}, {"cycles", l.cycles}, {"instructions", l.instructions}};
    if (l.macs >= 0) {
      layer["macs"] = l.macs;
      if (l.macs > 0) layer["cycles_per_mac"] = static_cast<double>(l.cycles) / l.macs;
    }
    j["layers"].push_back(layer);
  }
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
