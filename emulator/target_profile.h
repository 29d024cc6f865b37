// TargetProfile: the memory map and clock of the microcontroller the emulator
// pretends to be.
//
// The default is the "cortex-m4" profile of DESIGN.md §8: 1 MiB of flash at
// 0x08000000, 256 KiB of SRAM at 0x20000000, an 80 MHz clock, zero flash wait
// states, no flash accelerator and an 8 KiB stack. NamedTargetProfile() gives
// the parts of real boards (`--target stm32l4r5@120`): memory sizes, the clock,
// the wait states the vendor's flash-latency table requires at that clock, and
// their ART-style accelerator. Every field may be overridden. The same profile
// drives four things, so they can never disagree:
//   - the linker script of a firmware build (MEMORY regions, stack size),
//   - the Unicorn memory map of the runner,
//   - the flash model of the cycle count (emulator/flash_model.h),
//   - the time figures of reports (cycles / clock_mhz).
#ifndef TML_EMULATOR_TARGET_PROFILE_H_
#define TML_EMULATOR_TARGET_PROFILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/status.h"

namespace tml::emu {

struct TargetProfile {
  std::string name = "cortex-m4";
  uint32_t flash_base = 0x08000000;
  uint32_t flash_size = 1024 * 1024;  // bytes; must be a multiple of 4 KiB
  uint32_t sram_base = 0x20000000;
  uint32_t sram_size = 256 * 1024;  // bytes; must be a multiple of 4 KiB
  double clock_mhz = 80.0;
  // Extra cycles per flash read (FLASH_ACR.LATENCY on STM32). The flash
  // model (flash_model.h) charges them on every instruction-line fetch and
  // every data read from flash that the accelerator below does not serve.
  uint32_t flash_wait_states = 0;
  // Bytes one flash read returns: 16 (128 bits) on the STM32F4, 8 (64 bits)
  // on the STM32L4+. A line is fetched once, then instructions come from the
  // line buffer.
  uint32_t flash_line_bytes = 16;
  // An ST ART-style accelerator: a fully associative FIFO instruction cache of
  // icache_lines lines and a data cache of dcache_lines lines (both of
  // flash_line_bytes), and a prefetch buffer that reads the next sequential
  // line while the current one executes. Off: every line read waits.
  bool flash_cache = false;
  uint32_t icache_lines = 64;
  uint32_t dcache_lines = 8;
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

// "NAME" or "NAME@MHZ": one of TargetProfileNames() at its default clock or
// at MHZ, with the wait states the part's flash-latency table requires at
// that clock (target_profile.cc cites each table). Unknown names, a clock
// above the part's maximum or a malformed spec are InvalidInput naming it.
StatusOr<TargetProfile> NamedTargetProfile(std::string_view spec);
std::vector<std::string> TargetProfileNames();  // "cortex-m4", "stm32l4r5", ...

// A target as the command line chooses it: `--target NAME[@MHZ]`, and
// overrides of the clock (`--clock-mhz`, which also re-reads the part's
// wait-state table), the wait states (`--flash-ws N`) and the accelerator
// (`--flash-cache on|off`). Negative / empty: the profile's own.
struct TargetChoice {
  std::string spec = "cortex-m4";
  double clock_mhz = -1;
  int64_t flash_ws = -1;
  std::string flash_cache;  // "", "on" or "off"
};
StatusOr<TargetProfile> ResolveTarget(const TargetChoice& choice);

// "stm32l4r5 @ 120 MHz, 5 flash wait states, ART on (I-cache 128 x 8 B,
// D-cache 32 x 8 B, prefetch)" / "cortex-m4 @ 80 MHz, 0 flash wait states,
// no flash cache": the settings that change cycle figures, for reports.
std::string DescribeTarget(const TargetProfile& profile);

// Memory-mapped words the runner implements inside the private peripheral
// bus (0xE0000000..0xE00FFFFF, mapped as MMIO).
inline constexpr uint32_t kPpbBase = 0xE0000000;
inline constexpr uint32_t kPpbSize = 0x00100000;
inline constexpr uint32_t kDwtCyccntAddress = 0xE0001004;  // reads return modelled cycles
inline constexpr uint32_t kCpacrAddress = 0xE000ED88;      // CP10/CP11 switch the FPU
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
