// libFuzzer harness: any bytes as a firmware ELF through everything the
// emulator does with a file before the CPU runs — ElfFile::Parse (libelf,
// program headers, sections, symbols), LoadImage (every segment, the vector
// table's SP and the stack symbols checked against the Cortex-M4 memory map,
// then copied into host flash/SRAM: a range that slipped through would be a
// heap overflow ASan reports) — and the cycle model's capstone decoder over
// the code it would execute first (the reset handler's block, a divide sweep
// of the executable segments). Unicorn itself is left out: with an engine
// opened and 1.25 MiB mapped per input the harness ran ~25 inputs/s, and what
// runs afterwards is covered by tests/hostile/ and the e2e tests.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "emulator/cycle_model.h"
#include "emulator/elf_file.h"
#include "emulator/image_loader.h"
#include "emulator/target_profile.h"

namespace {

// Bytes of each executable segment the decoder sweeps, and of the first block:
// enough for real prologues, small enough to keep thousands of inputs a second.
constexpr uint32_t kMaxSweepBytes = 4096;
constexpr uint32_t kMaxBlockBytes = 64;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tml::emu;
  static const TargetProfile profile = CortexM4Profile();
  static const BlockAnalyzer analyzer{CycleParams{}};
  // The host memory is reused; resetting it is a fill, not an allocation.
  static std::vector<uint8_t> flash(profile.flash_size), sram(profile.sram_size);
  std::fill(flash.begin(), flash.end(), uint8_t{0xFF});
  std::fill(sram.begin(), sram.end(), uint8_t{0});

  tml::StatusOr<ElfFile> elf =
      ElfFile::Parse(std::vector<char>(data, data + size), "fuzz.elf");
  if (!elf.ok()) return 0;
  tml::StatusOr<ResetState> reset = LoadImage(*elf, profile, flash, sram);
  if (!reset.ok() || !analyzer.ok()) return 0;

  const uint32_t pc = reset->pc & ~1u;
  if (profile.RangeInFlash(pc, 2)) {
    const auto avail = static_cast<uint32_t>(profile.flash_base + uint64_t{profile.flash_size} - pc);
    const uint32_t n = std::min(avail, kMaxBlockBytes) & ~1u;
    const uint8_t* code = flash.data() + (pc - profile.flash_base);
    (void)analyzer.Analyze(pc, code, n, true);
    (void)analyzer.MemoryAccesses(pc, code, n);
    (void)analyzer.Disassemble(pc, code, n);
  }
  for (const LoadSegment& seg : elf->segments()) {
    if (!seg.executable || seg.bytes.empty()) continue;
    const auto n = static_cast<uint32_t>(std::min<size_t>(seg.bytes.size(), kMaxSweepBytes)) & ~1u;
    (void)analyzer.FindDivides(seg.physical_address & ~1u, seg.bytes.data(), n);
  }
  return 0;
}
