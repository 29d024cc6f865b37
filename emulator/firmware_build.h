// BuildFirmware: compiles and links C/assembly sources into a Cortex-M4 ELF
// that the emulator (or a real board with the same memory map) can run.
//
// Into `build_dir` it writes the linker script for `profile`
// (linker_script.h), the harness sources embedded in the library
// (startup.c, syscalls.c, include/tml_marker.h) and then runs
//   <compiler> -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
//              <optimization> -ffunction-sections -fdata-sections
//              -I<build_dir>/include -I<include_dirs> -D<defines> <extra_flags>
//              <sources> startup.c syscalls.c -T link.ld -nostartfiles
//              --specs=nano.specs -Wl,--gc-sections -lm -o <build_dir>/<output_name>
// The harness's Reset_Handler calls the program's main() and stops with
// `bkpt #0`; printf goes to semihosting and is captured by the runner.
//
// Returns the ELF path, or InvalidInput whose message carries the command
// line and the compiler's full stderr (compile errors, "region `FLASH'
// overflowed by N bytes", ...).
#ifndef TML_EMULATOR_FIRMWARE_BUILD_H_
#define TML_EMULATOR_FIRMWARE_BUILD_H_

#include <string>
#include <vector>

#include "compiler/status.h"
#include "emulator/target_profile.h"

namespace tml::emu {

struct FirmwareBuild {
  TargetProfile profile;
  std::string build_dir;  // created when missing
  std::string output_name = "firmware.elf";
  std::vector<std::string> sources;  // .c, .S or .s files
  std::vector<std::string> include_dirs;
  std::vector<std::string> defines;  // "NAME" or "NAME=VALUE"
  std::string optimization = "-O2";
  std::vector<std::string> extra_flags;        // e.g. "-Wall", "-Werror"
  std::string compiler = "arm-none-eabi-gcc";  // looked up on PATH
  bool harness = true;  // false: the sources bring their own vector table and reset code
};

StatusOr<std::string> BuildFirmware(const FirmwareBuild& build);

}  // namespace tml::emu

#endif  // TML_EMULATOR_FIRMWARE_BUILD_H_
