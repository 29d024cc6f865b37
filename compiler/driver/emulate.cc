#include "compiler/driver/emulate.h"

#include "emulator/emulate.h"

namespace tml {

StatusOr<EmulateOutput> EmulateFirmware(const std::string& elf_path,
                                        const EmulateOptions& options) {
  if (options.max_instructions == 0) {
    return InvalidInput(
        "--max-instructions 0: the instruction budget must be at least 1 (there is no unlimited "
        "run; the default is {})",
        emu::kDefaultMaxInstructions);
  }
  emu::EmulationOptions eo;
  eo.runner.max_instructions = options.max_instructions;
  TML_ASSIGN_OR_RETURN(eo.runner.profile, emu::ResolveTarget(options.target));
  TML_ASSIGN_OR_RETURN(emu::EmulationReport report, emu::EmulateElf(elf_path, eo));
  EmulateOutput out;
  out.exit_code = report.exit_code;
  // Firmware output and symbol names are arbitrary bytes: invalid UTF-8 is
  // replaced (U+FFFD) rather than failing the JSON dump.
  out.text = options.json ? emu::ReportToJson(report).dump(
                                2, ' ', false, nlohmann::json::error_handler_t::replace) +
                                "\n"
                          : emu::FormatReport(report);
  return out;
}

}  // namespace tml
