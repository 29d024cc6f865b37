// EmulateElf: run a bare-metal Cortex-M4 ELF from reset to its end and
// report what it cost. Backs `tinyml-compile emulate FIRMWARE.elf [--json]
// [--max-instructions N]`.
//
// The program ends at its first BKPT (other than semihosting's 0xAB) or at a
// semihosting SYS_EXIT / SYS_EXIT_EXTENDED. At `bkpt #0` the exit code is r0
// (the harness's Reset_Handler puts main's return value there); any other
// BKPT reports exit code 0 and names itself in `stopped_by`.
//
// Limits (RunnerOptions): the instruction budget (default
// kDefaultMaxInstructions = 3e8; 0 is rejected here, since `emulate` has no
// "unlimited") and the semihosting output kept (the first 64 KiB; the rest
// is counted in stdout_dropped_bytes and the report says it was truncated).
#ifndef TML_EMULATOR_EMULATE_H_
#define TML_EMULATOR_EMULATE_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compiler/status.h"
#include "emulator/m4_runner.h"

namespace tml::emu {

struct EmulationOptions {
  RunnerOptions runner;  // profile, cycle parameters, max_instructions
};

struct FunctionCost {
  std::string name;
  uint64_t cycles = 0;
  uint64_t instructions = 0;
};

struct EmulationReport {
  std::string elf_path;
  std::string target;  // profile name
  std::string target_settings;  // DescribeTarget(): clock, wait states, flash cache
  double clock_mhz = 0;
  uint32_t flash_wait_states = 0;
  bool flash_cache = false;
  uint64_t instructions = 0;
  uint64_t cycles = 0;
  double seconds = 0;                 // cycles at clock_mhz
  std::string stdout_text;            // the first RunnerOptions::max_output_bytes
  uint64_t stdout_dropped_bytes = 0;  // written after that, not kept
  int exit_code = 0;
  std::string stopped_by;                                 // "bkpt #0", "semihosting exit"
  uint32_t stack_bytes = 0;                               // high-water mark
  // The high-water mark is known only for an ELF with the stack symbols of
  // the generated linker script (__tml_stack_bottom/__tml_stack_top).
  bool stack_known = false;
  uint32_t flash_bytes = 0;                               // text + rodata + data image
  uint32_t ram_bytes = 0;                                 // data + bss (stack reported apart)
  std::vector<FunctionCost> functions;                    // by cycles, most expensive first
  std::vector<std::pair<uint32_t, Attribution>> markers;  // TML_MARK ids, if any were used
};

StatusOr<EmulationReport> EmulateElf(const std::string& path, const EmulationOptions& options);

// Keys: instructions, cycles, stdout, stdout_dropped_bytes, exit_code, stack_bytes (null when
// unknown), flash_bytes, ram_bytes, functions ([{name, cycles, instructions}]), plus target,
// target_settings, clock_mhz, flash_wait_states, flash_cache, seconds, stopped_by and markers
// ([{id, cycles, instructions}]).
nlohmann::json ReportToJson(const EmulationReport& report);

// A human-readable summary with a per-function table (top `max_functions`).
std::string FormatReport(const EmulationReport& report, size_t max_functions = 15);

}  // namespace tml::emu

#endif  // TML_EMULATOR_EMULATE_H_
