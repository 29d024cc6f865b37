// `tinyml-compile emulate FIRMWARE.elf [--json] [--max-instructions N]
// [--target NAME[@MHZ]] [--flash-ws N] [--flash-cache on|off]`: any bare-metal
// Cortex-M4 ELF run to its end: instructions, cycles, time on that target. Exit 0
// when the firmware exits 0, 1 when it exits with another code (the report is
// printed either way), 2 for a bad ELF, a fault or an exceeded budget.
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
  cmd->add_option("--max-instructions", f->options.max_instructions,
                  "Instruction budget from reset to the end, >= 1 (default 300000000: a runaway "
                  "loop ends within about a minute)");
  emu::TargetChoice& t = f->options.target;
  AddTargetOptions(cmd, &t.spec, &t.clock_mhz, &t.flash_ws, &t.flash_cache);
  return {cmd, [f]() -> Status {
            TML_ASSIGN_OR_RETURN(EmulateOutput out, EmulateFirmware(f->elf, f->options));
            std::cout << out.text;
            // The report is out; a firmware that failed fails the command (exit 1).
            if (out.exit_code != 0) {
              return VerifyFailed("{}: the firmware exited with code {}", f->elf, out.exit_code);
            }
            return Status::Ok();
          }};
}

}  // namespace tml::cli
