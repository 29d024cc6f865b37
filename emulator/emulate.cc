#include "emulator/emulate.h"

#include <fmt/format.h>

#include <algorithm>

namespace tml::emu {

StatusOr<EmulationReport> EmulateElf(const std::string& path, const EmulationOptions& options) {
  if (options.runner.max_instructions == 0) {
    return InvalidInput("the instruction budget must be at least 1 (there is no unlimited run)");
  }
  TML_ASSIGN_OR_RETURN(std::unique_ptr<M4Runner> runner, M4Runner::Load(path, options.runner));
  // Load errors name the file already; run errors (faults, stack overflow,
  // budget) get it here.
  StatusOr<StopInfo> run = runner->RunUntilBreakpoint();
  if (!run.ok()) return run.status().WithPrefix(path);
  const StopInfo stop = *run;

  EmulationReport report;
  report.elf_path = path;
  const TargetProfile& profile = runner->profile();
  report.target = profile.name;
  report.target_settings = DescribeTarget(profile);
  report.clock_mhz = profile.clock_mhz;
  report.flash_wait_states = profile.flash_wait_states;
  report.flash_cache = profile.flash_cache;
  report.instructions = runner->instructions();
  report.cycles = runner->cycles();
  report.seconds = runner->profile().Seconds(report.cycles);
  report.stdout_text = runner->output();
  report.stdout_dropped_bytes = runner->output_dropped_bytes();
  // r0 is main's return value only at the harness's `bkpt #0`.
  const bool has_exit_code = stop.reason == StopReason::kExit || stop.breakpoint == 0;
  report.exit_code = has_exit_code ? stop.exit_code : 0;
  report.stopped_by = stop.reason == StopReason::kExit ? "semihosting exit"
                                                       : fmt::format("bkpt #{}", stop.breakpoint);
  report.stack_known = runner->stack_region().guarded;
  report.stack_bytes = report.stack_known ? runner->StackHighWater() : 0;
  report.flash_bytes = runner->elf().sizes().flash();
  report.ram_bytes = runner->elf().sizes().ram();
  for (const auto& [name, cost] : runner->FunctionProfile()) {
    report.functions.push_back({name, cost.cycles, cost.instructions});
  }
  std::sort(report.functions.begin(), report.functions.end(),
            [](const FunctionCost& a, const FunctionCost& b) {
              return a.cycles != b.cycles ? a.cycles > b.cycles : a.name < b.name;
            });
  const auto markers = runner->MarkerProfile();
  const bool used_markers = markers.size() > 1 || markers.begin()->first != kMarkerNone;
  if (used_markers) report.markers.assign(markers.begin(), markers.end());
  return report;
}

nlohmann::json ReportToJson(const EmulationReport& r) {
  nlohmann::json functions = nlohmann::json::array();
  for (const FunctionCost& f : r.functions) {
    functions.push_back({{"name", f.name}, {"cycles", f.cycles}, {"instructions", f.instructions}});
  }
  nlohmann::json markers = nlohmann::json::array();
  for (const auto& [id, a] : r.markers) {
    markers.push_back({{"id", id}, {"cycles", a.cycles}, {"instructions", a.instructions}});
  }
  return {{"instructions", r.instructions},
          {"cycles", r.cycles},
          {"stdout", r.stdout_text},
          {"stdout_dropped_bytes", r.stdout_dropped_bytes},
          {"exit_code", r.exit_code},
          {"stack_bytes", r.stack_known ? nlohmann::json(r.stack_bytes) : nlohmann::json(nullptr)},
          {"flash_bytes", r.flash_bytes},
          {"ram_bytes", r.ram_bytes},
          {"functions", functions},
          {"markers", markers},
          {"target", r.target},
          {"target_settings", r.target_settings},
          {"clock_mhz", r.clock_mhz},
          {"flash_wait_states", r.flash_wait_states},
          {"flash_cache", r.flash_cache},
          {"seconds", r.seconds},
          {"stopped_by", r.stopped_by}};
}

std::string FormatReport(const EmulationReport& r, size_t max_functions) {
  std::string out;
  out += fmt::format("{} on {}: stopped by {}, exit code {}\n", r.elf_path, r.target_settings,
                     r.stopped_by, r.exit_code);
  out += fmt::format("  instructions  {:>14}\n", r.instructions);
  out += fmt::format("  cycles        {:>14}   CPI {:.3f}   {:.3f} ms\n", r.cycles,
                     r.instructions ? static_cast<double>(r.cycles) / r.instructions : 0.0,
                     r.seconds * 1e3);
  out += fmt::format("  flash         {:>14} bytes\n", r.flash_bytes);
  const std::string stack =
      r.stack_known ? fmt::format("stack high-water {} bytes", r.stack_bytes)
                    : std::string("stack high-water unknown: no __tml_stack_bottom/__tml_stack_top");
  out += fmt::format("  RAM           {:>14} bytes (+ {})\n", r.ram_bytes, stack);
  if (!r.markers.empty()) {
    out += "  markers:\n";
    for (const auto& [id, a] : r.markers) {
      const std::string name = id == kMarkerNone ? std::string("(outside)") : fmt::format("{}", id);
      out += fmt::format("    {:>10}  {:>12} cycles  {:>12} instructions\n", name, a.cycles,
                         a.instructions);
    }
  }
  out += fmt::format("  {:<32} {:>12} {:>7} {:>12}\n", "function", "cycles", "%", "instructions");
  for (size_t i = 0; i < r.functions.size() && i < max_functions; ++i) {
    const FunctionCost& f = r.functions[i];
    out += fmt::format("  {:<32} {:>12} {:>6.2f}% {:>12}\n", f.name, f.cycles,
                       r.cycles ? 100.0 * f.cycles / r.cycles : 0.0, f.instructions);
  }
  if (!r.stdout_text.empty()) out += "--- firmware output ---\n" + r.stdout_text;
  if (!r.stdout_text.empty() && r.stdout_text.back() != '\n') out += "\n";
  if (r.stdout_dropped_bytes > 0) {
    out += fmt::format(
        "--- firmware output truncated: the first {} bytes are shown, {} more were "
        "written and dropped ---\n",
        r.stdout_text.size(), r.stdout_dropped_bytes);
  }
  return out;
}

}  // namespace tml::emu
