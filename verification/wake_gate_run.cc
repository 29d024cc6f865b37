#include "verification/wake_gate_run.h"

#include <algorithm>
#include <cstring>

#include "compiler/gate/wake_gate.h"
#include "emulator/m4_runner.h"

namespace tml::verification {
namespace {

// The firmware's decision on every window, in order, and the cycles of each:
// tml_gate_mode `mode`, each window's `window_bytes` bytes of `windows`
// written to `symbol`.
Status EmulateGate(const EmulationSetup& setup, int32_t mode, const char* symbol, const void* windows,
                   size_t window_bytes, int64_t count, std::vector<uint8_t>* decisions, std::vector<uint64_t>* cycles) {
  emu::RunnerOptions runner_options;
  runner_options.profile = setup.profile;
  runner_options.max_instructions = setup.max_instructions;
  TML_ASSIGN_OR_RETURN(auto runner, emu::M4Runner::Load(setup.elf, runner_options));
  TML_ASSIGN_OR_RETURN(emu::StopInfo stop, runner->RunUntilBreakpoint());
  if (stop.reason != emu::StopReason::kBreakpoint || stop.breakpoint != 1) {
    return Internal("the verification firmware did not reach its bkpt #1");
  }
  TML_RETURN_IF_ERROR(runner->WriteSymbol("tml_gate_mode", &mode, 4));
  const auto* bytes_in = static_cast<const uint8_t*>(windows);
  for (int64_t s = 0; s < count; ++s) {
    TML_RETURN_IF_ERROR(runner->WriteSymbol(symbol, bytes_in + static_cast<size_t>(s) * window_bytes, window_bytes));
    TML_ASSIGN_OR_RETURN(stop, runner->RunUntilBreakpoint());
    if (stop.reason != emu::StopReason::kBreakpoint || stop.breakpoint != 1) {
      return VerifyFailed("window {}: the firmware stopped unexpectedly in {}_gate{}", s, setup.model_name,
                          mode == 2 ? "_s8" : "");
    }
    TML_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, runner->ReadSymbol("tml_gate", 4));
    int32_t decision = 0;
    std::memcpy(&decision, bytes.data(), 4);
    if (decision != 0 && decision != 1) {
      return VerifyFailed("window {}: {}_gate returned {}, expected 0 or 1", s, setup.model_name, decision);
    }
    decisions->push_back(static_cast<uint8_t>(decision));
    cycles->push_back(stop.cycles);
  }
  return Status::Ok();
}

// NAME_gate_s8 on the quantized windows against DecideAllS8 and the float decisions.
StatusOr<WakeGateS8Figures> RunGateS8(const WakeGate& gate, const EmulationSetup& setup, const WakeGateInputs& in,
                                      const std::vector<uint8_t>& float_decisions) {
  std::vector<int8_t> q;
  for (int64_t s = 0; s < in.samples; ++s) {
    const std::vector<int8_t> one = QuantizeWindowS8(in.windows.data() + s * gate.size, gate.size, gate.s8_scale);
    q.insert(q.end(), one.begin(), one.end());
  }
  std::vector<uint8_t> firmware;
  std::vector<uint64_t> cycles;
  TML_RETURN_IF_ERROR(EmulateGate(setup, 2, "tml_in_s8", q.data(), static_cast<size_t>(gate.size), in.samples,
                                  &firmware, &cycles));
  const std::vector<uint8_t> host = DecideAllS8(gate, q, in.samples);
  WakeGateS8Figures f;
  uint64_t sum = 0;
  for (size_t i = 0; i < firmware.size(); ++i) {
    if (firmware[i] != host[i]) {
      if (f.mismatches == 0) f.first_mismatch = static_cast<int64_t>(i);
      ++f.mismatches;
    }
    f.agree_with_float += firmware[i] == float_decisions[i];
    sum += cycles[i];
  }
  f.gate_cycles_mean = static_cast<double>(sum) / static_cast<double>(in.samples);
  return f;
}

}  // namespace

StatusOr<WakeGateFigures> RunWakeGate(const nlohmann::json& gate_entry, const EmulationSetup& setup,
                                      const WakeGateInputs& in, const EnergyModel& energy) {
  TML_ASSIGN_OR_RETURN(const WakeGate gate, WakeGateFromJson(gate_entry));
  if (gate.size != setup.input_size) {
    return InvalidInput("manifest gate: {} values per window, the model input has {}", gate.size, setup.input_size);
  }
  std::vector<uint8_t> firmware;
  std::vector<uint64_t> gate_cycles;
  TML_RETURN_IF_ERROR(EmulateGate(setup, 1, "tml_in", in.windows.data(), static_cast<size_t>(gate.size) * 4,
                                  in.samples, &firmware, &gate_cycles));
  const std::vector<uint8_t> host = DecideAll(gate, in.windows, in.samples);
  WakeGateFigures f;
  f.kind = WakeGateKindName(gate.kind);
  f.windows = in.samples;
  f.relevant_source = in.relevant_source;
  f.has_labels = !in.labels.empty();
  uint64_t gate_sum = 0, model_sum = 0, passed_model_sum = 0;
  for (int64_t s = 0; s < in.samples; ++s) {
    const size_t i = static_cast<size_t>(s);
    const bool pass = firmware[i] != 0;
    if (firmware[i] != host[i]) {
      if (f.mismatches == 0) f.first_mismatch = s;
      ++f.mismatches;
    }
    f.passed += pass;
    gate_sum += gate_cycles[i];
    f.gate_cycles_max = std::max(f.gate_cycles_max, gate_cycles[i]);
    model_sum += in.model_cycles[i];
    if (pass) passed_model_sum += in.model_cycles[i];
    if (!in.relevant_mask.empty() && in.relevant_mask[i] != 0) {
      ++f.relevant;
      f.relevant_kept += pass;
    }
    if (f.has_labels && in.labels[i] != 0) {
      ++f.positives;
      f.positives_lost += !pass;
    }
  }
  const double n = static_cast<double>(in.samples);
  f.discarded_fraction = static_cast<double>(in.samples - f.passed) / n;
  f.recall = f.relevant > 0 ? static_cast<double>(f.relevant_kept) / static_cast<double>(f.relevant) : 0.0;
  f.gate_cycles_mean = static_cast<double>(gate_sum) / n;
  f.model_cycles_mean = static_cast<double>(model_sum) / n;
  f.gated_cycles_mean = f.gate_cycles_mean + static_cast<double>(passed_model_sum) / n;
  f.gate_cost = f.model_cycles_mean > 0 ? f.gate_cycles_mean / f.model_cycles_mean : 0.0;
  f.gated_energy = EstimateEnergy(f.gated_cycles_mean, energy);
  if (gate.s8_scale > 0) {
    TML_ASSIGN_OR_RETURN(f.s8, RunGateS8(gate, setup, in, firmware));
  }
  return f;
}

}  // namespace tml::verification
