// `emulate`: any bare-metal Cortex-M4 ELF run to its end in the emulator
// (emulator/emulate.h), its report as text or JSON.
#ifndef TML_COMPILER_DRIVER_EMULATE_H_
#define TML_COMPILER_DRIVER_EMULATE_H_

#include <cstdint>
#include <string>

#include "compiler/status.h"
#include "emulator/m4_runner.h"
#include "emulator/target_profile.h"

namespace tml {

struct EmulateOptions {
  bool json = false;
  // Instructions from reset to the end; must be >= 1 (0 is an error, not
  // "unlimited"). The default is emu::kDefaultMaxInstructions (3e8: a
  // runaway loop ends within about a minute; see emulator/m4_runner.h).
  uint64_t max_instructions = emu::kDefaultMaxInstructions;
  // --target, --clock-mhz, --flash-ws, --flash-cache (default: cortex-m4 at
  // 80 MHz, 0 wait states, no flash cache).
  emu::TargetChoice target;
};

struct EmulateOutput {
  std::string text;   // the report (text or JSON)
  int exit_code = 0;  // the firmware's exit code; `emulate` exits 1 when it is not 0
};

// Errors (exit 2): a bad ELF, a fault, a stack overflow, the budget exceeded.
StatusOr<EmulateOutput> EmulateFirmware(const std::string& elf_path, const EmulateOptions& options);

}  // namespace tml

#endif  // TML_COMPILER_DRIVER_EMULATE_H_
