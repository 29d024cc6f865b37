// Verify as the driver offers it: a `compile` output directory proven on the
// emulated Cortex-M4 (verification/verify.h holds the steps and the result).
// The CLI and the CMake step call this; the report renderers read the result.
#ifndef TML_COMPILER_DRIVER_VERIFY_H_
#define TML_COMPILER_DRIVER_VERIFY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/observer.h"
#include "compiler/status.h"
#include "verification/verify.h"

namespace tml {

using verification::VerificationResult;
using verification::VerifyOptions;
using verification::Gates;

inline StatusOr<VerificationResult> VerifyOutputDir(const std::string& out_dir, const VerifyOptions& options,
                                                    Observer& observer) {
  return verification::Verify(out_dir, options, observer);
}

inline Status CheckVerifyInputs(const VerifyOptions& options, const std::vector<std::vector<int64_t>>& inputs,
                               const std::vector<bool>& token_inputs = {}) {
  return verification::CheckTestData(options, inputs, token_inputs);
}

}  // namespace tml

#endif  // TML_COMPILER_DRIVER_VERIFY_H_
