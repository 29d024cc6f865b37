#include "compiler/driver/emulate.h"

#include "emulator/emulate.h"

namespace tml {

StatusOr<std::string> EmulateFirmware(const std::string& elf_path, const EmulateOptions& options) {
  emu::EmulationOptions eo;
  eo.runner.max_instructions = options.max_instructions;
  if (options.clock_mhz > 0) eo.runner.profile.clock_mhz = options.clock_mhz;
  TML_ASSIGN_OR_RETURN(emu::EmulationReport report, emu::EmulateElf(elf_path, eo));
  return options.json ? emu::ReportToJson(report).dump(2) + "\n" : emu::FormatReport(report);
}

}  // namespace tml
