// TargetProfile: the memory map and clock of the microcontroller the emulator
// pretends to be.
//
// The default is the "cortex-m4" profile of DESIGN.md §8: 1 MiB of flash at
// 0x08000000, 256 KiB of SRAM at 0x20000000, an 80 MHz clock, zero flash wait
// states and an 8 KiB stack. Every field may be overridden (e.g. a 512 KiB
// STM32F4 part at 168 MHz with 5 wait states). The same profile drives three
// things, so they can never disagree:
//   - the linker script of a firmware build (MEMORY regions, stack size),
//   - the Unicorn memory map of the runner,
//   - the time figures of reports (cycles / clock_mhz).
#ifndef TML_EMULATOR_TARGET_PROFILE_H_
#define TML_EMULATOR_TARGET_PROFILE_H_

#include <cstdint>
#include <string>

namespace tml::emu {

struct TargetProfile {
  std::string name = "cortex-m4";
  uint32_t flash_base = 0x08000000;
  uint32_t flash_size = 1024 * 1024;  // bytes; must be a multiple of 4 KiB
  uint32_t sram_base = 0x20000000;
  uint32_t sram_size = 256 * 1024;  // bytes; must be a multiple of 4 KiB
  double clock_mhz = 80.0;
  // Extra cycles per flash access that misses the (unmodelled) prefetcher:
  // charged on every taken branch into flash and every data load from flash.
  uint32_t flash_wait_states = 0;
  uint32_t stack_size = 8 * 1024;  // bytes reserved by the linker script

  bool InFlash(uint32_t address) const {
    return address >= flash_base && address - flash_base < flash_size;
  }
  bool InSram(uint32_t address) const {
    return address >= sram_base && address - sram_base < sram_size;
  }
  // [address, address + size) lies inside flash / SRAM. Overflow-safe for any
  // address and size (a range that wraps past 0xFFFFFFFF never fits); an
  // empty range fits when its address is inside or at the region's end.
  static bool RangeInRegion(uint32_t base, uint32_t region_size, uint64_t address, uint64_t size) {
    return address >= base && address - base <= region_size &&
           size <= region_size - (address - base);
  }
  bool RangeInFlash(uint64_t address, uint64_t size) const {
    return RangeInRegion(flash_base, flash_size, address, size);
  }
  bool RangeInSram(uint64_t address, uint64_t size) const {
    return RangeInRegion(sram_base, sram_size, address, size);
  }
  // One past the last SRAM byte (0x20040000 by default); 64-bit so a region
  // that ends at 4 GiB does not wrap.
  uint64_t SramEnd() const { return uint64_t{sram_base} + sram_size; }
  // Wall-clock seconds that `cycles` take at clock_mhz.
  double Seconds(uint64_t cycles) const { return static_cast<double>(cycles) / (clock_mhz * 1e6); }
};

// The profile named "cortex-m4" with all defaults.
inline TargetProfile CortexM4Profile() { return TargetProfile{}; }

// Memory-mapped words the runner implements inside the private peripheral
// bus (0xE0000000..0xE00FFFFF, mapped as MMIO).
inline constexpr uint32_t kPpbBase = 0xE0000000;
inline constexpr uint32_t kPpbSize = 0x00100000;
inline constexpr uint32_t kDwtCyccntAddress = 0xE0001004;  // reads return modelled cycles
inline constexpr uint32_t kCpacrAddress = 0xE000ED88;      // writes are ignored
inline constexpr uint32_t kCpuidAddress = 0xE000ED00;      // reads return an M4 r0p1 CPUID
// SCB->CCR: with DIV_0_TRP (bit 4) set, a divide by zero is a fault.
inline constexpr uint32_t kCcrAddress = 0xE000ED14;
inline constexpr uint32_t kCcrDiv0Trp = 1u << 4;
// TML_MARK(id) (harness/tml_marker.h) stores the marker id here.
inline constexpr uint32_t kMarkerAddress = 0xE00FF000;
// The id that means "outside every layer" (TML_MARK(0xFFFF)); also the region
// in force before the first marker.
inline constexpr uint32_t kMarkerNone = 0xFFFF;

}  // namespace tml::emu

#endif  // TML_EMULATOR_TARGET_PROFILE_H_
