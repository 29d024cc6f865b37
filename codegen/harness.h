// Small C programs that drive generated model sources, shared by `verify` and
// the tests (the model's own files never depend on them).
//
//   EmulatorMainC: the Cortex-M4 verification main. Globals tml_in / tml_out
//     (NAME_INPUT_SIZE / NAME_OUTPUT_SIZE floats) and tml_status; the loop
//       for (;;) { bkpt #1; tml_status = NAME_invoke(tml_in, tml_out); }
//     is the M4Runner protocol (emulator/m4_runner.h): the host writes tml_in,
//     resumes, and reads tml_out and tml_status at the next bkpt #1.
//   HostMainC: a host program `prog IN.bin OUT.bin [N]` that reads N samples of
//     NAME_INPUT_SIZE raw floats, runs NAME_invoke on each and writes the
//     outputs as raw floats; exit status 0, or 1 on an I/O or kernel error.
//     With -DTML_CHECK_STEP (models with NAME_step) it also feeds each sample
//     one time step at a time after NAME_reset() and writes the last output
//     written by NAME_step instead.
// Both compile with -std=c99 -Wall -Wextra -Werror -pedantic.
#ifndef TML_CODEGEN_HARNESS_H_
#define TML_CODEGEN_HARNESS_H_

#include <string>

namespace tml::codegen {

std::string EmulatorMainC(const std::string& name);
std::string HostMainC(const std::string& name);

}  // namespace tml::codegen

#endif  // TML_CODEGEN_HARNESS_H_
