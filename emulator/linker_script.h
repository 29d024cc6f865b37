// LinkerScript: the GNU ld script for firmware built for a TargetProfile.
//
// Layout (flash first, then RAM):
//   FLASH: .isr_vector (the vector table, at the very start of flash),
//          .text, .rodata (+ .ARM.exidx), and the load image of .data
//   RAM:   .data, .bss, .stack (profile.stack_size bytes, 8-byte aligned),
//          then the heap up to the end of SRAM
// Symbols for the startup code and the emulator:
//   __tml_data_load/__tml_data_start/__tml_data_end, __tml_bss_start/
//   __tml_bss_end, __tml_stack_bottom (== __tml_stack_limit)/__tml_stack_top,
//   __tml_heap_start/__tml_heap_end.
// A program whose sections do not fit fails to link with ld's "region
// `FLASH' overflowed by N bytes" message, which names the figures.
#ifndef TML_EMULATOR_LINKER_SCRIPT_H_
#define TML_EMULATOR_LINKER_SCRIPT_H_

#include <string>

#include "emulator/target_profile.h"

namespace tml::emu {

std::string LinkerScript(const TargetProfile& profile);

}  // namespace tml::emu

#endif  // TML_EMULATOR_LINKER_SCRIPT_H_
