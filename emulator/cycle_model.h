// Cycle model: how many Cortex-M4 clock cycles a translation block costs.
//
// The runner asks for the cost of each Unicorn translation block (TB) once,
// the first time the block runs; BlockAnalyzer decodes the whole block with
// capstone in a single cs_disasm call (so IT-block conditions are known) and
// folds the per-instruction costs into a BlockInfo that the runner caches by
// (address, size). At run time the runner only adds numbers:
//
//   cycles(block) = static_cycles
//                 + (block ended in a taken branch ? taken_penalty : 0)
//                 + (and the next block is the target ? next.entry_penalty : 0)
//
// "Taken" is resolved lazily when the next block starts: a conditional
// terminator is taken when the next block does not start at the fall-through
// address; unconditional ones always are.
//
// Costs follow the Arm Cortex-M4 TRM (DDI 0439B) tables 3-1, 3-2 and 7-1 at
// zero wait states, with these rules inside a block:
//   - ALU, multiply, MAC, DSP, IT (1, or 0 when folded after a 16-bit
//     instruction): 1 cycle. SDIV/UDIV: DivideCycles() of the operands (the
//     block carries 1, the runner's divide-site hook adds the rest), or the
//     constant CycleParams::divide_cycles.
//   - LDR* 2; STR Rt,[Rn,#imm] 1; register-offset STR 2; LDRD/STRD 3;
//     LDM/STM/PUSH/POP 1+N; VLDR/VSTR 2 (.32) / 3 (.64);
//     VLDM/VSTM/VPUSH/VPOP 1+N (.32) / 1+2N (.64).
//   - Load pipelining: a single LDR/STR that follows a single LDR whose
//     written registers it does not use for its address costs one cycle
//     less (never below 1). Nothing pipelines after a store, LDRD or LDM.
//   - Address interlock: a load/store whose base or index register was
//     written by the immediately preceding data-processing instruction
//     costs +1 (CycleParams::address_interlock).
//   - Branches: B/BL/BX/BLX/CBZ/CBNZ/B<cc> 1, +P when taken (P =
//     branch_penalty / register_branch_penalty); LDR PC, POP {..,PC},
//     LDM {..,PC}: their load cost + load_pc_penalty; TBB/TBH 3 +
//     load_pc_penalty. A taken branch to a 32-bit instruction at an address
//     that is 2 mod 4 costs unaligned_wide_target_penalty more. TRM table
//     3-1: "P: the number of cycles required for a pipeline refill. This
//     ranges from 1 to 3 depending on the alignment and width of the target
//     instruction, and whether the processor manages to speculate the address
//     early": 1, or 2 for the unaligned wide target, at zero wait states.
//     Flash wait states on the refill (and on sequential fetches and constant
//     loads) come from the flash model (flash_model.h), which needs each
//     block's cycles per flash line (BlockInfo::line_cycles).
//   - FPU: VADD/VSUB/VMUL/VNMUL/VABS/VNEG/VCMP/VCVT/VMOV/VMRS/VMSR 1,
//     VMOV between core and FP registers vmov_core_cycles,
//     VMLA/VMLS/VNMLA/VNMLS/VFMA/VFMS/VFNMA/VFNMS 3, VDIV/VSQRT 14; an FP
//     arithmetic result read by the very next instruction costs +1, except
//     as the accumulator (addend) of a MAC, which is consumed a cycle late.
//   - BKPT 0 (the core halts), ISB 1 + branch_penalty, anything else 1.
// Known deviations are listed in emulator/README.md.
#ifndef TML_EMULATOR_CYCLE_MODEL_H_
#define TML_EMULATOR_CYCLE_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

namespace tml::emu {

struct CycleParams {
  uint32_t branch_penalty = 1;           // P for taken B, BL, B<cc>, CBZ, CBNZ
  uint32_t register_branch_penalty = 1;  // P for BX, BLX Rm, MOV PC, ADD PC
  uint32_t load_pc_penalty = 3;          // P for LDR PC, POP {PC}, LDM {PC}, TBB, TBH
  uint32_t unaligned_wide_target_penalty = 1;
  // SDIV/UDIV: with data_dependent_divide the runner hooks every divide
  // site and charges DivideCycles(dividend, divisor); otherwise the constant
  // divide_cycles (the midpoint of the TRM's 2..12).
  bool data_dependent_divide = true;
  uint32_t divide_cycles = 7;
  uint32_t vmov_core_cycles = 2;   // VMOV Sn<->Rt (TRM); measurements suggest 1
  bool address_interlock = true;   // +1 for a load/store right after its address is computed
  // Copied from TargetProfile by the runner: with wait states the analyzer
  // also splits each block's cycles by flash line (BlockInfo::line_cycles).
  uint32_t flash_wait_states = 0;
  uint32_t flash_line_bytes = 16;
};

// Cycles of an SDIV/UDIV. The TRM gives only "2 to 12, early termination
// depending on the leading zeros/ones of the operands"; this model charges
// 2 + ceil(q / 3) capped at 12, where q = significant bits of |dividend| -
// significant bits of |divisor| + 1 (the quotient length), and 2 for a zero
// divisor or a divisor larger than the dividend. Calibrate against hardware.
uint32_t DivideCycles(uint32_t dividend, uint32_t divisor, bool is_signed);

// How a block ends, for resolving the branch penalty when the next block starts.
enum class Terminator : uint8_t {
  kNone,      // fell off the end (TB size limit, page boundary, BKPT, SVC)
  kDirect,    // B, BL, B<cc>, CBZ, CBNZ
  kRegister,  // BX, BLX Rm, MOV PC, ADD PC
  kLoadPc,    // LDR PC, POP {..,PC}, LDM {..,PC}, TBB, TBH
};

// Everything the runner needs about one translation block, computed once.
struct BlockInfo {
  uint32_t address = 0;
  uint32_t size = 0;          // bytes
  uint32_t instructions = 0;  // every instruction, including IT-skipped ones
  uint32_t cycles = 0;        // static cost, branch penalties excluded
  Terminator terminator = Terminator::kNone;
  bool conditional_terminator = false;
  uint32_t taken_penalty = 0;   // added to this block when its branch is taken
  uint32_t entry_penalty = 0;   // added to a taken branch that lands on this block
  int32_t function_index = -1;  // ElfFile::FunctionIndexAt(address), filled by the runner
  // Index of the first store whose base is not SP (where TML_MARK's store
  // sits inside its block), or -1.
  int32_t first_store = -1;
  // Index of the last instruction that writes SP (PUSH, SUB SP, LDR with SP
  // writeback, ...; capstone's register writes), or -1. Undecodable bytes
  // count as writing SP. The runner's stack-overflow check looks at SP
  // after such blocks only.
  int32_t last_sp_write = -1;
  // Per instruction i: its address and the static cycles of instructions
  // 0..i. Used for partial commits (faults, markers) only.
  std::vector<uint32_t> insn_address;
  std::vector<uint32_t> cycles_through;
  bool undecodable = false;  // capstone could not decode every byte
  // Index of the first instruction that uses the FPU (an FP register or
  // VMRS/VMSR), or -1: the runner faults it when CPACR leaves CP10/CP11 off.
  int32_t first_fpu = -1;
  // With flash wait states (CycleParams): the cycles the block spends in each
  // flash line it covers, from the line of its first instruction on.
  std::vector<uint16_t> line_cycles;
  // IT blocks inside this block, for not charging skipped instructions
  // (m4_runner.h). Per IT instruction: its address and, for each of the up
  // to 4 instructions it makes conditional (those inside this block), the
  // condition (ARM_CC_* of capstone, i.e. ARM condition code + 1), the cycles
  // the block charges for it and what it costs when its condition fails.
  struct ItBlock {
    uint32_t it_address = 0;
    uint8_t count = 0;
    uint8_t cc[4] = {};
    uint16_t cycles[4] = {};
  };
  std::vector<ItBlock> it_blocks;
};

// Decodes blocks with capstone (Thumb + M-class, details on).
class BlockAnalyzer {
 public:
  explicit BlockAnalyzer(const CycleParams& params);
  ~BlockAnalyzer();
  BlockAnalyzer(const BlockAnalyzer&) = delete;
  BlockAnalyzer& operator=(const BlockAnalyzer&) = delete;

  bool ok() const { return handle_ != 0; }
  const CycleParams& params() const { return params_; }

  // Costs the block of `size` bytes at `address`. `in_flash`: with flash
  // wait states, also split its cycles by flash line (line_cycles).
  BlockInfo Analyze(uint32_t address, const uint8_t* bytes, uint32_t size, bool in_flash) const;

  // The memory operand of every instruction in a block, for locating the
  // instruction behind a data fault (Unicorn reports the block start as PC).
  struct MemoryAccess {
    uint32_t insn_address = 0;
    int base = -1;   // core register number 0..15, -1 if none
    int index = -1;  // core register number, -1 if none
    int32_t displacement = 0;
    uint32_t shift = 0;  // index << shift
    bool subtract_index = false;
    bool post_indexed = false;  // the access uses the base before the update
    uint32_t span = 4;          // bytes covered from the computed address (LDM/STM/PUSH)
    bool descending = false;    // STMDB/PUSH/VPUSH: the span lies below the base
  };
  std::vector<MemoryAccess> MemoryAccesses(uint32_t address, const uint8_t* bytes,
                                           uint32_t size) const;

  // Addresses of the SDIV/UDIV instructions in a code range (linear sweep;
  // undecodable halfwords such as literal pools are skipped).
  std::vector<uint32_t> FindDivides(uint32_t address, const uint8_t* bytes, uint32_t size) const;
  // Addresses of the IT instructions, likewise.
  std::vector<uint32_t> FindItInstructions(uint32_t address, const uint8_t* bytes,
                                           uint32_t size) const;

  // "ldr r0, [r1, #4]" for the first instruction in `bytes`, or
  // "<undecodable 0x....>" when capstone cannot decode it.
  std::string Disassemble(uint32_t address, const uint8_t* bytes, uint32_t size) const;

 private:
  // Instructions whose capstone id is id_a or id_b.
  std::vector<uint32_t> FindInstructions(uint32_t address, const uint8_t* bytes, uint32_t size,
                                         unsigned id_a, unsigned id_b) const;

  CycleParams params_;
  size_t handle_ = 0;  // csh
};

}  // namespace tml::emu

#endif  // TML_EMULATOR_CYCLE_MODEL_H_
