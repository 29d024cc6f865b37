// `emulate`: any bare-metal Cortex-M4 ELF run to its end in the emulator
// (emulator/emulate.h), its report as text or JSON.
#ifndef TML_COMPILER_DRIVER_EMULATE_H_
#define TML_COMPILER_DRIVER_EMULATE_H_

#include <cstdint>
#include <string>

#include "compiler/status.h"

namespace tml {

struct EmulateOptions {
  bool json = false;
  uint64_t max_instructions = 2'000'000'000;
  double clock_mhz = -1;  // <= 0: the profile's default
};

StatusOr<std::string> EmulateFirmware(const std::string& elf_path, const EmulateOptions& options);

}  // namespace tml

#endif  // TML_COMPILER_DRIVER_EMULATE_H_
