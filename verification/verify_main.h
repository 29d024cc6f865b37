// The Cortex-M4 verification main for generated model sources. Globals tml_in
// / tml_out (NAME_INPUT_SIZE / NAME_OUTPUT_SIZE floats) and tml_result (the status; not
// tml_status, the status type NAME.h includes); the loop
//   for (;;) { bkpt #1; tml_result = NAME_invoke(tml_in, tml_out); }
// is the M4Runner protocol (emulator/m4_runner.h): the host writes tml_in,
// resumes, and reads tml_out and tml_result at the next bkpt #1. Compiles with
// -std=c99 -Wall -Wextra -Werror -pedantic.
#ifndef TML_VERIFICATION_VERIFY_MAIN_H_
#define TML_VERIFICATION_VERIFY_MAIN_H_

#include <string>

namespace tml::verification {

std::string VerifyMainC(const std::string& name);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_VERIFY_MAIN_H_
