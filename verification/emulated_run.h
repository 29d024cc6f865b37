// Running a verification firmware in the emulated Cortex-M4 (verify step 3):
// every test sample through firmware.elf (the bkpt #1 protocol of
// verify_main.h: write tml_in, resume, read tml_status and tml_out), then
// sample 0 through the profiled build for cycles per layer (marker ids) and
// per function.
#ifndef TML_VERIFICATION_EMULATED_RUN_H_
#define TML_VERIFICATION_EMULATED_RUN_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "compiler/ir/tensor.h"
#include "compiler/observer.h"
#include "compiler/status.h"
#include "emulator/m4_runner.h"
#include "emulator/target_profile.h"

namespace tml::verification {

struct CycleShare {
  std::string name;  // layer name, "(outside layers)", or function name
  int64_t index = -1;  // layer: its node index (-1 = outside layers); function: -1
  uint64_t cycles = 0, instructions = 0;
  int64_t macs = -1;  // layer: logical MACs of the original model's node (-1: unknown)
};

struct EmulatedRun {
  std::vector<std::vector<float>> outputs;  // per sample, all outputs back to back
  uint64_t min_instructions = 0, max_instructions = 0;
  uint64_t sum_instructions = 0, sum_cycles = 0;
  std::vector<uint64_t> cycles;  // per sample (the wake-up gate's average counts those it lets through)
  uint32_t stack_high_water = 0;
  uint32_t text = 0, rodata = 0, data = 0, bss = 0;  // firmware.elf's sections
  std::vector<CycleShare> layers;     // by marker id, then "(outside layers)"
  std::vector<CycleShare> functions;  // by name
  // Code bytes of firmware.elf's runtime functions (tml_*: kernels and their out-of-line
  // helpers), from the ELF symbol table; largest first.
  std::vector<std::pair<std::string, uint32_t>> kernel_text;
};

struct EmulationSetup {
  std::string elf, profile_elf;
  emu::TargetProfile profile;
  uint64_t max_instructions = emu::kDefaultMaxInstructions;
  std::string model_name;                // for messages ("NAME_invoke returned 3")
  std::vector<std::string> layer_names;  // marker id -> layer name
  int64_t input_size = 0, output_size = 0;  // floats per sample, all inputs / outputs
};

// Runs `samples` samples (`data[i]` = model input i, samples on axis 0) and
// the profile; Progress("emulating", s, samples) on the observer.
StatusOr<EmulatedRun> RunEmulated(const EmulationSetup& setup, const std::vector<Tensor>& data,
                                  int64_t samples, Observer& observer);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_EMULATED_RUN_H_
