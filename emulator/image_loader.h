// LoadImage: a firmware ELF placed into host copies of flash and SRAM the way
// a Cortex-M4 sees them at reset, with no CPU involved.
//
// This is the part of loading that trusts nothing in the file: every load
// segment, the vector table's initial SP and the __tml_stack_bottom /
// __tml_stack_top symbols are checked against the TargetProfile's memory map
// with overflow-safe arithmetic before a byte is copied; a bad ELF is an
// InvalidInput naming the file and what does not fit. M4Runner maps the two
// buffers into Unicorn and starts the core from the returned ResetState; the
// ELF fuzzer (fuzz/elf_fuzzer.cc) runs it alone, thousands of times a second.
#ifndef TML_EMULATOR_IMAGE_LOADER_H_
#define TML_EMULATOR_IMAGE_LOADER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/status.h"
#include "emulator/elf_file.h"
#include "emulator/target_profile.h"

namespace tml::emu {

// The stack region is painted with this byte so StackHighWater() can measure it.
inline constexpr uint8_t kStackFill = 0xA5;

struct ResetState {
  uint32_t sp = 0;  // the vector table's initial SP, bits [1:0] cleared; inside SRAM
  uint32_t pc = 0;  // the reset handler (else the ELF entry) with the Thumb bit set
  // The stack region [bottom, top), painted with kStackFill. `guarded` when
  // it came from the ELF's __tml_stack_bottom/__tml_stack_top symbols;
  // otherwise profile.stack_size bytes below SP, clipped to SRAM and to what
  // the image placed in RAM.
  uint32_t stack_bottom = 0, stack_top = 0;
  bool stack_guard = false;
};

// "target 'cortex-m4': flash 0x08000000..0x08100000, SRAM 0x20000000..0x20040000"
std::string DescribeMemoryMap(const TargetProfile& profile);

// Copies every load segment of `elf` into `flash` / `sram` (their sizes must
// be profile.flash_size / profile.sram_size; erased flash reads 0xFF, SRAM
// starts zeroed: the caller fills them) and paints the stack region.
StatusOr<ResetState> LoadImage(const ElfFile& elf, const TargetProfile& profile,
                               std::vector<uint8_t>& flash, std::vector<uint8_t>& sram);

}  // namespace tml::emu

#endif  // TML_EMULATOR_IMAGE_LOADER_H_
