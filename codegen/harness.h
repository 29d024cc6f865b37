// A small C program that drives generated model sources on the host, for the
// tests (the model's own files never depend on it; the Cortex-M4 verification
// main is verification/verify_main.h).
//
//   HostMainC: a host program `prog IN.bin OUT.bin [N]` that reads N samples of
//     NAME_INPUT_SIZE raw floats (int32 token ids when NAME_INPUT_IS_TOKENS), runs NAME_invoke on each and writes the
//     outputs as raw floats; exit status 0, or 1 on an I/O or kernel error.
//     With -DTML_CHECK_STEP (models with NAME_step) it also feeds each sample
//     one time step at a time after NAME_reset() and writes the last output
//     written by NAME_step instead.
// It compiles with -std=c99 -Wall -Wextra -Werror -pedantic.
#ifndef TML_CODEGEN_HARNESS_H_
#define TML_CODEGEN_HARNESS_H_

#include <string>

namespace tml::codegen {

std::string HostMainC(const std::string& name);

}  // namespace tml::codegen

#endif  // TML_CODEGEN_HARNESS_H_
