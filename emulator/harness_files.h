// The firmware harness sources (emulator/harness/*), embedded into the
// library at build time so an installed tinyml-compile needs nothing from
// the source tree. BuildFirmware() writes them into its build directory.
#ifndef TML_EMULATOR_HARNESS_FILES_H_
#define TML_EMULATOR_HARNESS_FILES_H_

#include <string_view>

namespace tml::emu {

std::string_view HarnessStartupC();   // harness/startup.c: vector table + Reset_Handler
std::string_view HarnessSyscallsC();  // harness/syscalls.c: newlib stubs over semihosting
std::string_view HarnessMarkerH();    // harness/tml_marker.h: TML_MARK(id)

}  // namespace tml::emu

#endif  // TML_EMULATOR_HARNESS_FILES_H_
