#include "emulator/image_loader.h"

#include <fmt/format.h>

#include <cstring>

namespace tml::emu {
namespace {

// Host memory behind [address, address + size) when the range lies wholly
// inside flash or SRAM, else nullptr. Overflow-safe for any input.
uint8_t* HostRange(const TargetProfile& prof, std::vector<uint8_t>& flash,
                   std::vector<uint8_t>& sram, uint64_t address, uint64_t size) {
  if (prof.RangeInFlash(address, size)) return flash.data() + (address - prof.flash_base);
  if (prof.RangeInSram(address, size)) return sram.data() + (address - prof.sram_base);
  return nullptr;
}

// Each segment's file bytes at its LMA (and at its VMA when that is in SRAM,
// so firmware without a .data-copying startup still works), its
// zero-initialised rest at its VMA. ElfFile has already rejected ranges that
// wrap past 4 GiB; here each must also fit flash or SRAM.
Status CopySegments(const ElfFile& elf, const TargetProfile& prof, std::vector<uint8_t>& flash,
                    std::vector<uint8_t>& sram) {
  const auto& segments = elf.segments();
  auto misfit = [&](size_t i, const char* what, uint64_t address, uint64_t size) {
    return InvalidInput("{}: segment {}: {} (0x{:x} bytes at 0x{:08x}) does not fit {}",
                        elf.path(), i, what, size, address, DescribeMemoryMap(prof));
  };
  for (size_t i = 0; i < segments.size(); ++i) {
    const LoadSegment& seg = segments[i];
    const uint64_t file_size = seg.bytes.size();
    if (file_size > 0) {
      uint8_t* at = HostRange(prof, flash, sram, seg.physical_address, file_size);
      if (!at) return misfit(i, "its contents", seg.physical_address, file_size);
      std::memcpy(at, seg.bytes.data(), file_size);
      if (seg.virtual_address != seg.physical_address && prof.InSram(seg.virtual_address)) {
        at = HostRange(prof, flash, sram, seg.virtual_address, file_size);
        if (!at) return misfit(i, "its contents", seg.virtual_address, file_size);
        std::memcpy(at, seg.bytes.data(), file_size);
      }
    }
    if (seg.memory_size > file_size && prof.InSram(seg.virtual_address)) {
      const uint64_t zero_at = uint64_t{seg.virtual_address} + file_size;
      const uint64_t zero_size = seg.memory_size - file_size;
      uint8_t* at = HostRange(prof, flash, sram, zero_at, zero_size);
      if (!at) return misfit(i, "its zero-initialised part", zero_at, zero_size);
      std::memset(at, 0, zero_size);
    }
  }
  return Status::Ok();
}

// The stack region: the linker script's reservation when the ELF names it
// (a non-empty part of SRAM), else profile.stack_size bytes below SP clipped
// to SRAM and to anything the image placed in RAM (never painted over).
Status FindStackRegion(const ElfFile& elf, const TargetProfile& prof, ResetState& state) {
  const Symbol* bottom = elf.FindSymbol("__tml_stack_bottom");
  const Symbol* top = elf.FindSymbol("__tml_stack_top");
  if (bottom && top) {
    for (const Symbol* symbol : {bottom, top}) {
      if (!prof.RangeInSram(symbol->address, 0)) {
        return InvalidInput("{}: {} = 0x{:08x} is outside SRAM ({})", elf.path(), symbol->name,
                            symbol->address, DescribeMemoryMap(prof));
      }
    }
    if (bottom->address >= top->address) {
      return InvalidInput(
          "{}: the stack region is empty or inverted (__tml_stack_bottom "
          "0x{:08x}, __tml_stack_top 0x{:08x})",
          elf.path(), bottom->address, top->address);
    }
    state.stack_bottom = bottom->address;
    state.stack_top = top->address;
    state.stack_guard = true;
    return Status::Ok();
  }
  const uint32_t sp = state.sp;
  state.stack_top = sp;
  state.stack_bottom = sp - prof.sram_base >= prof.stack_size ? sp - prof.stack_size : prof.sram_base;
  for (const LoadSegment& seg : elf.segments()) {
    const uint64_t end = uint64_t{seg.virtual_address} + seg.memory_size;
    if (prof.InSram(seg.virtual_address) && end > state.stack_bottom && end <= state.stack_top) {
      state.stack_bottom = static_cast<uint32_t>(end);
    }
  }
  return Status::Ok();
}

}  // namespace

std::string DescribeMemoryMap(const TargetProfile& prof) {
  return fmt::format("target '{}': flash 0x{:08x}..0x{:08x}, SRAM 0x{:08x}..0x{:08x}", prof.name,
                     prof.flash_base, uint64_t{prof.flash_base} + prof.flash_size, prof.sram_base,
                     prof.SramEnd());
}

StatusOr<ResetState> LoadImage(const ElfFile& elf, const TargetProfile& prof,
                               std::vector<uint8_t>& flash, std::vector<uint8_t>& sram) {
  if (flash.size() != prof.flash_size || sram.size() != prof.sram_size || flash.size() < 8) {
    return Internal("LoadImage: host buffers do not match target '{}'", prof.name);
  }
  TML_RETURN_IF_ERROR(CopySegments(elf, prof, flash, sram));

  uint32_t initial_sp = 0, reset = 0;
  std::memcpy(&initial_sp, &flash[0], 4);
  std::memcpy(&reset, &flash[4], 4);
  if (!prof.InFlash(reset & ~1u) && !prof.InSram(reset & ~1u)) reset = elf.entry();
  ResetState state;
  // SP[1:0] read as zero on the core; a full-descending stack may start at
  // SRAM's end but must have at least one word below it.
  state.sp = initial_sp & ~3u;
  if (state.sp < uint64_t{prof.sram_base} + 4 || state.sp > prof.SramEnd()) {
    return InvalidInput("{}: the vector table's initial SP 0x{:08x} is not in SRAM ({})",
                        elf.path(), initial_sp, DescribeMemoryMap(prof));
  }
  state.pc = reset | 1;
  TML_RETURN_IF_ERROR(FindStackRegion(elf, prof, state));
  // sram_base <= stack_bottom < stack_top <= SRAM's end, by construction.
  std::memset(sram.data() + (state.stack_bottom - prof.sram_base), kStackFill,
              state.stack_top - state.stack_bottom);
  return state;
}

}  // namespace tml::emu
