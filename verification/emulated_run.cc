#include "verification/emulated_run.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>

#include "emulator/m4_runner.h"

namespace tml::verification {
namespace {

// Sample `s` of every input, back to back as the bytes of tml_in: float32, or
// int32 token ids (the reference has already range-checked them).
void GatherSample(const std::vector<Tensor>& data, int64_t samples, int64_t s,
                  std::vector<uint8_t>* in) {
  in->clear();
  for (const Tensor& d : data) {
    const int64_t n = d.num_elements() / samples;
    for (int64_t k = s * n; k < (s + 1) * n; ++k) {
      uint8_t bytes[4];
      if (d.dtype == DType::kInt64) {
        const int64_t wide = std::clamp<int64_t>(d.i64[static_cast<size_t>(k)], INT32_MIN, INT32_MAX);
        const int32_t id = static_cast<int32_t>(wide);
        std::memcpy(bytes, &id, 4);
      } else {
        std::memcpy(bytes, &d.f32[static_cast<size_t>(k)], 4);
      }
      in->insert(in->end(), bytes, bytes + 4);
    }
  }
}

// One inference: tml_in written, run to the next bkpt #1, status and outputs read.
Status RunOne(emu::M4Runner& runner, const EmulationSetup& setup, int64_t s,
              const std::vector<uint8_t>& in, std::vector<float>* out, emu::StopInfo* stop) {
  TML_RETURN_IF_ERROR(runner.WriteSymbol("tml_in", in.data(), in.size()));
  TML_ASSIGN_OR_RETURN(*stop, runner.RunUntilBreakpoint());
  if (stop->reason != emu::StopReason::kBreakpoint || stop->breakpoint != 1) {
    return VerifyFailed("sample {}: the firmware stopped unexpectedly ({})", s,
                        stop->reason == emu::StopReason::kExit ? "exit" : "breakpoint");
  }
  TML_ASSIGN_OR_RETURN(std::vector<uint8_t> status, runner.ReadSymbol("tml_result", 4));
  int32_t rc = 0;
  std::memcpy(&rc, status.data(), 4);
  if (rc != 0) return VerifyFailed("sample {}: {}_invoke returned {}", s, setup.model_name, rc);
  out->resize(static_cast<size_t>(setup.output_size));
  if (setup.output_size > 0) {
    TML_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                         runner.ReadSymbol("tml_out", static_cast<size_t>(setup.output_size) * 4));
    std::memcpy(out->data(), bytes.data(), static_cast<size_t>(setup.output_size) * 4);
  }
  return Status::Ok();
}

// Cycles per layer (marker id) and per function of sample 0 on the profiled build.
Status Profile(const EmulationSetup& setup, const emu::RunnerOptions& runner_options,
               const std::vector<uint8_t>& in0, EmulatedRun* run) {
  TML_ASSIGN_OR_RETURN(auto prof, emu::M4Runner::Load(setup.profile_elf, runner_options));
  TML_ASSIGN_OR_RETURN(emu::StopInfo first, prof->RunUntilBreakpoint());
  (void)first;
  TML_RETURN_IF_ERROR(prof->WriteSymbol("tml_in", in0.data(), in0.size()));
  prof->ClearProfile();
  TML_ASSIGN_OR_RETURN(emu::StopInfo one, prof->RunUntilBreakpoint());
  (void)one;
  for (const auto& [id, a] : prof->MarkerProfile()) {
    CycleShare layer;
    const bool inside = id < setup.layer_names.size();
    layer.name = inside ? setup.layer_names[id] : std::string("(outside layers)");
    layer.index = inside ? static_cast<int64_t>(id) : -1;
    layer.cycles = a.cycles;
    layer.instructions = a.instructions;
    run->layers.push_back(layer);
  }
  for (const auto& [name, a] : prof->FunctionProfile()) {
    run->functions.push_back(CycleShare{name, -1, a.cycles, a.instructions, -1});
  }
  return Status::Ok();
}

}  // namespace

StatusOr<EmulatedRun> RunEmulated(const EmulationSetup& setup, const std::vector<Tensor>& data,
                                  int64_t samples, Observer& observer) {
  emu::RunnerOptions runner_options;
  runner_options.profile = setup.profile;
  runner_options.max_instructions = setup.max_instructions;
  TML_ASSIGN_OR_RETURN(auto runner, emu::M4Runner::Load(setup.elf, runner_options));
  TML_ASSIGN_OR_RETURN(emu::StopInfo stop, runner->RunUntilBreakpoint());
  if (stop.reason != emu::StopReason::kBreakpoint || stop.breakpoint != 1) {
    return Internal("the verification firmware did not reach its bkpt #1");
  }
  EmulatedRun run;
  run.outputs.resize(static_cast<size_t>(samples));
  run.min_instructions = UINT64_MAX;
  std::vector<uint8_t> in;
  for (int64_t s = 0; s < samples; ++s) {
    observer.Progress("emulating", s, samples);
    GatherSample(data, samples, s, &in);
    TML_RETURN_IF_ERROR(RunOne(*runner, setup, s, in, &run.outputs[s], &stop));
    run.min_instructions = std::min(run.min_instructions, stop.instructions);
    run.max_instructions = std::max(run.max_instructions, stop.instructions);
    run.sum_instructions += stop.instructions;
    run.sum_cycles += stop.cycles;
    run.cycles.push_back(stop.cycles);
  }
  observer.Progress("emulating", samples, samples);
  run.stack_high_water = runner->StackHighWater();
  const emu::SectionSizes sizes = runner->elf().sizes();
  run.text = sizes.text;
  run.rodata = sizes.rodata;
  run.data = sizes.data;
  run.bss = sizes.bss;
  for (const emu::Symbol& f : runner->elf().functions()) {
    if (f.size > 0 && f.name.rfind("tml_", 0) == 0) run.kernel_text.emplace_back(f.name, f.size);
  }
  std::stable_sort(run.kernel_text.begin(), run.kernel_text.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  GatherSample(data, samples, 0, &in);
  TML_RETURN_IF_ERROR(Profile(setup, runner_options, in, &run));
  return run;
}

}  // namespace tml::verification
