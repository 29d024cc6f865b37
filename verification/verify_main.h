// The Cortex-M4 verification main for generated model sources. Globals tml_in
// / tml_out (NAME_INPUT_SIZE / NAME_OUTPUT_SIZE floats) and tml_result (the status; not
// tml_status, the status type NAME.h includes); the loop
//   for (;;) { bkpt #1; tml_result = NAME_invoke(tml_in, tml_out); }
// is the M4Runner protocol (emulator/m4_runner.h): the host writes tml_in,
// resumes, and reads tml_out and tml_result at the next bkpt #1. Compiles with
// -std=c99 -Wall -Wextra -Werror -pedantic.
// With `wake_gate` (sources compiled with --gate), a host that sets
// tml_gate_mode to 1 gets tml_gate = NAME_gate(tml_in) instead of an
// inference between two bkpt #1 (verification/wake_gate_run.h); with
// `wake_gate_s8` (int8 builds) tml_gate_mode 2 runs NAME_gate_s8(tml_in_s8).
#ifndef TML_VERIFICATION_VERIFY_MAIN_H_
#define TML_VERIFICATION_VERIFY_MAIN_H_

#include <string>

namespace tml::verification {

std::string VerifyMainC(const std::string& name, bool wake_gate = false, bool wake_gate_s8 = false);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_VERIFY_MAIN_H_
