// `tinyml-compile emulate FIRMWARE.elf [--json]`: any bare-metal Cortex-M4 ELF
// run to its end: instructions, cycles, time.
#include <iostream>
#include <memory>

#include "compiler/cli/cli_common.h"
#include "compiler/driver/emulate.h"

namespace tml::cli {

Command AddEmulateCommand(CLI::App& app) {
  struct Flags {
    std::string elf;
    EmulateOptions options;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("emulate", "Run a bare-metal Cortex-M4 ELF");
  cmd->add_option("firmware", f->elf, "ELF file")->required();
  cmd->add_flag("--json", f->options.json, "Print JSON");
  cmd->add_option("--max-instructions", f->options.max_instructions, "Instruction budget");
  cmd->add_option("--clock-mhz", f->options.clock_mhz, "Clock for the time figure");
  return {cmd, [f]() -> Status {
            TML_ASSIGN_OR_RETURN(std::string text, EmulateFirmware(f->elf, f->options));
            std::cout << text;
            return Status::Ok();
          }};
}

}  // namespace tml::cli
