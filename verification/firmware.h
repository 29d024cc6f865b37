// The verification firmware of a `compile` output directory (verify step 2):
// the model's sources plus the bkpt #1 main (verify_main.h), built with
// arm-none-eabi-gcc -std=c99 -Wall -Wextra -Werror -pedantic into
// OUTDIR/firmware/firmware.elf, and again with -DTML_PROFILE (the per-layer
// cycle markers) into firmware_profile.elf.
#ifndef TML_VERIFICATION_FIRMWARE_H_
#define TML_VERIFICATION_FIRMWARE_H_

#include <string>

#include <nlohmann/json.hpp>

#include "compiler/status.h"
#include "emulator/target_profile.h"

namespace tml::verification {

struct VerificationFirmware {
  std::string elf, profile_elf;
};

StatusOr<VerificationFirmware> BuildVerificationFirmware(const std::string& out_dir,
                                                         const nlohmann::json& manifest,
                                                         const emu::TargetProfile& profile);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_FIRMWARE_H_
