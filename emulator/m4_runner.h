// M4Runner: runs a bare-metal Cortex-M4 ELF in Unicorn and counts its
// instructions and modelled cycles.
//
// Setup (m4-emulation pitfalls handled here, not by callers):
//   - uc_open(ARM, THUMB) + uc_ctl_set_cpu_model(CORTEX_M4) before anything
//     else; never UC_MODE_MCLASS (it silently turns the core into an M33).
//   - Flash and SRAM are mapped from the TargetProfile, the private
//     peripheral bus 0xE0000000..0xE00FFFFF as MMIO: CPACR is 0 at reset
//     and an FPU instruction before it grants CP10/CP11 ends the run with
//     "UsageFault (NOCP)", as on silicon (the harness's startup.c enables
//     it); DWT CYCCNT reads return the modelled cycle count, TML_MARK
//     writes to 0xE00FF000 switch the attribution region; other words read
//     back what was written.
//   - SP and PC come from the vector table at the start of flash; execution
//     always starts with the Thumb bit set.
//
// Counting: a UC_HOOK_BLOCK hook looks each translation block up in a cache
// of BlockInfo (cycle_model.h), decoded once with capstone, and commits the
// previous block's cost when the next one starts (so a block that the hook
// saw but that never ran is not charged, and taken branches are resolved).
// Instructions are counted per block from capstone's decoding. IT blocks:
// a narrow code hook on each IT instruction reads the flags and takes the
// instructions whose condition fails off the count, and all but 1 cycle of
// their cost (OnIt). Code hooks sit only on IT and SDIV/UDIV sites (at most
// 4096 in all; past that skipped instructions count as executed and divides
// cost a constant). With flash wait states the flash model (flash_model.h)
// adds the fetch and constant-load stalls per block and per flash read.
//
// The --verify protocol. A harness main such as
//     int main(void) { for (;;) { __asm volatile("bkpt #1"); model_invoke(tml_in, tml_out); } }
// is driven as
//     TML_ASSIGN_OR_RETURN(auto runner, M4Runner::Load(elf_path, options));
//     TML_ASSIGN_OR_RETURN(StopInfo stop, runner->RunUntilBreakpoint());   // reset -> bkpt #1
//     for (each input) {
//       TML_RETURN_IF_ERROR(runner->WriteSymbol("tml_in", input));
//       runner->ClearProfile();                                          // optional: per-inference
//       layers TML_ASSIGN_OR_RETURN(stop, runner->RunUntilBreakpoint());        // one inference
//       // stop.instructions / stop.cycles are this inference's figures
//       TML_ASSIGN_OR_RETURN(auto output, runner->ReadSymbol("tml_out"));
//     }
// The firmware is loaded once; every RunUntilBreakpoint resumes after the
// BKPT it last stopped at.
//
// Errors: faults (unmapped fetch/read/write, undefined instruction, CPU
// exceptions Unicorn cannot deliver), a stack overflow and an exceeded
// instruction budget end the run with a Status whose message names the PC,
// the function containing it and the disassembled instruction, e.g.
//   "firmware did not finish within 1000000 instructions (runaway loop?) at
//    PC 0x080001a4 in function spin: b #0x80001a4"
//
// Stack overflow. When the ELF has __tml_stack_bottom and __tml_stack_top
// (the generated linker script reserves the stack between them, .bss lies
// below), SP is compared with the bottom after every block that writes SP
// (capstone tells which: PUSH, SUB SP, ...; a handful of blocks, so the hot
// path stays a flag test), and after every stop. SP below the bottom ends
// the run with "stack overflow: SP 0x... is N bytes below the stack region
// ...". Without the symbols, a write fault just below SRAM with SP there is
// reported as a stack overflow too (the stack ran through all of SRAM).
//
// Hostile ELF files: every load segment, the vector table's initial SP and
// the stack symbols are checked against the TargetProfile's memory map with
// overflow-safe arithmetic before a byte is copied; a bad ELF is an
// InvalidInput naming the file and what is wrong.
#ifndef TML_EMULATOR_M4_RUNNER_H_
#define TML_EMULATOR_M4_RUNNER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/status.h"
#include "emulator/cycle_model.h"
#include "emulator/elf_file.h"
#include "emulator/target_profile.h"

namespace tml::emu {

// The default instruction budget of one RunUntilBreakpoint call: 3e8.
// Chosen so that a runaway loop ends within about a minute on the 2-core
// development VM even in the runner's worst case: a `wfe`/`wfi` wait loop
// (every WFE leaves and re-enters Unicorn; no interrupt ever wakes it) runs
// at ~5-8 M instructions/s, i.e. 40-60 s for 3e8; a semihosting loop at
// ~10 M/s (~30 s); `b .` and ordinary code at 0.1-0.6 G/s (1-3 s). Real
// programs keep room: the float LSTM example takes ~4.5e6 instructions per
// inference, so one run may hold ~60 such inferences. `--verify` sets its
// own per-inference budget (VerifyOptions::max_instructions).
inline constexpr uint64_t kDefaultMaxInstructions = 300'000'000;

struct RunnerOptions {
  TargetProfile profile;
  CycleParams cycles;  // flash_wait_states is taken from profile
  // false: plain Unicorn with no block hook. Nothing is counted (instructions,
  // cycles, attribution and the instruction budget are all off); only the
  // throughput benchmark uses this, to measure the model's overhead.
  bool cycle_model = true;
  // Per RunUntilBreakpoint call; 0 = unlimited (for library callers that
  // bound the run otherwise, e.g. the throughput benchmark; `emulate`
  // rejects 0).
  uint64_t max_instructions = kDefaultMaxInstructions;
  // Semihosting output kept in memory (output()); the rest is counted in
  // output_dropped_bytes() and not stored.
  size_t max_output_bytes = 64 * 1024;
};

enum class StopReason { kBreakpoint, kExit };

// Why and where a RunUntilBreakpoint call ended, and what it cost.
struct StopInfo {
  StopReason reason = StopReason::kBreakpoint;
  uint32_t breakpoint = 0;    // BKPT immediate (kBreakpoint)
  int exit_code = 0;          // kExit: semihosting exit code; kBreakpoint: r0
  uint32_t pc = 0;            // where execution resumes
  uint64_t instructions = 0;  // executed by this call
  uint64_t cycles = 0;        // modelled by this call
};

// Cycles and instructions attributed to one marker id or one function.
struct Attribution {
  uint64_t cycles = 0;
  uint64_t instructions = 0;
  uint64_t entries = 0;  // times the marker was written / unused for functions
};

class M4Runner {
 public:
  // Creates the CPU, maps memory, loads `elf_path` and resets the core. The
  // stack region is filled with a pattern so StackHighWater() can measure it.
  static StatusOr<std::unique_ptr<M4Runner>> Load(const std::string& elf_path,
                                                  const RunnerOptions& options);
  ~M4Runner();
  M4Runner(const M4Runner&) = delete;
  M4Runner& operator=(const M4Runner&) = delete;

  // Runs until a BKPT other than semihosting's 0xAB, or a semihosting exit.
  // On a BKPT the PC is left after it, so the next call resumes there.
  // After an exit or an error the runner refuses to run again.
  StatusOr<StopInfo> RunUntilBreakpoint();

  // Guest memory by symbol. Sizes must fit the symbol when it has a size;
  // ReadSymbol with size 0 reads the whole symbol.
  Status WriteSymbol(std::string_view name, const void* data, size_t size);
  Status WriteSymbol(std::string_view name, const std::vector<uint8_t>& bytes) {
    return WriteSymbol(name, bytes.data(), bytes.size());
  }
  StatusOr<std::vector<uint8_t>> ReadSymbol(std::string_view name, size_t size = 0) const;
  Status WriteMemory(uint32_t address, const void* data, size_t size);
  StatusOr<std::vector<uint8_t>> ReadMemory(uint32_t address, size_t size) const;
  uint32_t ReadRegister(int uc_arm_reg) const;  // UC_ARM_REG_*

  // Totals since Load().
  uint64_t instructions() const;
  uint64_t cycles() const;
  // Captured semihosting stdout/stderr text: the first
  // RunnerOptions::max_output_bytes bytes.
  const std::string& output() const;
  // Bytes the firmware wrote after output() was full.
  uint64_t output_dropped_bytes() const;

  // Per TML_MARK id (kMarkerNone collects everything outside markers); the
  // values add up to the cycles/instructions since the last ClearProfile().
  std::map<uint32_t, Attribution> MarkerProfile() const;
  // Per function symbol name, cycles of the blocks that start inside it.
  std::map<std::string, Attribution> FunctionProfile() const;
  // Forgets marker and function attribution (totals are kept). The current
  // marker region stays in force.
  void ClearProfile();

  // Deepest stack use so far in bytes, from the fill pattern written at
  // load time: between __tml_stack_bottom and __tml_stack_top when the ELF
  // has them, else below the initial SP for profile.stack_size bytes.
  uint32_t StackHighWater() const;
  // The stack region [bottom, top) as above; `guarded` when it came from the
  // ELF's symbols (then SP below bottom is reported as a stack overflow).
  struct StackRegion {
    uint32_t bottom = 0, top = 0;
    bool guarded = false;
  };
  StackRegion stack_region() const;

  const ElfFile& elf() const;
  const TargetProfile& profile() const;

  // "PC 0x08000120 in function foo: ldr r0, [r1]" for error messages.
  std::string DescribePc(uint32_t pc) const;

  struct Impl;  // public so the C hook trampolines can reach it

 private:
  explicit M4Runner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tml::emu

#endif  // TML_EMULATOR_M4_RUNNER_H_
