#include "emulator/cycle_model.h"

#include <capstone/capstone.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace tml::emu {
namespace {

// Register sets as bit masks: r0..r12, sp, lr, pc in bits 0..15 and s0..s31
// in bits 16..47 (a D register sets its two S halves). Everything else
// (flags, FPSCR) is irrelevant to the pairing rules.
using RegMask = uint64_t;
constexpr RegMask kPcBit = RegMask{1} << 15;
constexpr RegMask kSpBit = RegMask{1} << 13;
constexpr RegMask kCoreMask = 0xFFFF;
constexpr RegMask kFpMask = RegMask{0xFFFFFFFF} << 16;

RegMask RegBit(unsigned reg) {
  if (reg >= ARM_REG_R0 && reg <= ARM_REG_R12) return RegMask{1} << (reg - ARM_REG_R0);
  if (reg == ARM_REG_SP) return kSpBit;
  if (reg == ARM_REG_LR) return RegMask{1} << 14;
  if (reg == ARM_REG_PC) return kPcBit;
  if (reg >= ARM_REG_S0 && reg <= ARM_REG_S31) return RegMask{1} << (16 + reg - ARM_REG_S0);
  if (reg >= ARM_REG_D0 && reg <= ARM_REG_D15) return RegMask{3} << (16 + 2 * (reg - ARM_REG_D0));
  return 0;
}

enum class Kind : uint8_t {
  kDataProcessing,  // writes core registers from an ALU/MUL/DSP/VMOV
  kLoad,            // single LDR*, LDREX*: can pipeline into the next access
  kStore,           // single STR*, STREX*
  kMultiple,        // LDRD/STRD/LDM/STM/PUSH/POP/VLDM/...: never pipelined
  kFpLoadStore,     // VLDR/VSTR
  kFpArith,         // result available one cycle late
  kFpMac,           // ditto, addend consumed one cycle late
  kBranch,
  kOther,
};

struct Insn {
  Kind kind = Kind::kOther;
  uint32_t cycles = 1;
  RegMask reads = 0;
  RegMask writes = 0;
  RegMask address_regs = 0;  // base/index of the memory operand
  RegMask accumulator = 0;   // Sd of a MAC
  bool conditional = false;
  Terminator terminator = Terminator::kNone;
};

bool IsFpReg(int reg) {
  return (reg >= ARM_REG_S0 && reg <= ARM_REG_S31) || (reg >= ARM_REG_D0 && reg <= ARM_REG_D31);
}
bool IsDoubleReg(int reg) { return reg >= ARM_REG_D0 && reg <= ARM_REG_D31; }

// Number of registers in a register list, skipping a leading base operand.
uint32_t ListLength(const cs_arm& arm, int first) {
  uint32_t n = 0;
  for (int i = first; i < arm.op_count; ++i) n += arm.operands[i].type == ARM_OP_REG;
  return n;
}

// An instruction that writes a core register is data processing (its result
// can interlock the address of the next access); anything else is kOther.
Kind KindFromWrites(const Insn& insn) {
  return (insn.writes & kCoreMask) ? Kind::kDataProcessing : Kind::kOther;
}

// The condition and the register sets: reads, writes (with a written-back
// base) and the address registers of the memory operand.
Insn DecodeRegisters(csh handle, const cs_insn& in) {
  Insn insn;
  const cs_arm& arm = in.detail->arm;
  insn.conditional = arm.cc != ARM_CC_AL && arm.cc != ARM_CC_INVALID;

  cs_regs read_regs, write_regs;
  uint8_t n_read = 0, n_write = 0;
  if (cs_regs_access(handle, &in, read_regs, &n_read, write_regs, &n_write) == CS_ERR_OK) {
    for (int i = 0; i < n_read; ++i) insn.reads |= RegBit(read_regs[i]);
    for (int i = 0; i < n_write; ++i) insn.writes |= RegBit(write_regs[i]);
  }
  for (int i = 0; i < arm.op_count; ++i) {
    const cs_arm_op& op = arm.operands[i];
    if (op.type != ARM_OP_MEM) continue;
    insn.address_regs |= RegBit(op.mem.base) | RegBit(op.mem.index);
    if (arm.writeback) insn.writes |= RegBit(op.mem.base);
  }
  return insn;
}

bool HasIndexRegister(const cs_arm& arm) {
  for (int i = 0; i < arm.op_count; ++i) {
    if (arm.operands[i].type == ARM_OP_MEM && arm.operands[i].mem.index != ARM_REG_INVALID) {
      return true;
    }
  }
  return false;
}

bool FirstOperandIsDoubleReg(const cs_arm& arm) {
  return arm.op_count > 0 && arm.operands[0].type == ARM_OP_REG && IsDoubleReg(arm.operands[0].reg);
}

// Loads and stores of core registers: LDR*/STR*, exclusives, LDRD/STRD,
// LDM/STM, PUSH/POP. False for any other instruction.
bool ClassifyCoreLoadStore(const cs_insn& in, Insn& insn) {
  const cs_arm& arm = in.detail->arm;
  switch (in.id) {
    case ARM_INS_LDR:
    case ARM_INS_LDRB:
    case ARM_INS_LDRH:
    case ARM_INS_LDRSB:
    case ARM_INS_LDRSH:
    case ARM_INS_LDRT:
    case ARM_INS_LDRBT:
    case ARM_INS_LDRHT:
    case ARM_INS_LDRSBT:
    case ARM_INS_LDRSHT:
    case ARM_INS_LDREX:
    case ARM_INS_LDREXB:
    case ARM_INS_LDREXH:
      insn.kind = Kind::kLoad;
      insn.cycles = 2;
      return true;
    case ARM_INS_STR:
    case ARM_INS_STRB:
    case ARM_INS_STRH:
    case ARM_INS_STRT:
    case ARM_INS_STRBT:
    case ARM_INS_STRHT:
      insn.kind = Kind::kStore;
      // The write buffer hides an immediate-offset store.
      insn.cycles = HasIndexRegister(arm) ? 2 : 1;
      return true;
    case ARM_INS_STREX:
    case ARM_INS_STREXB:
    case ARM_INS_STREXH:
      insn.kind = Kind::kStore;
      insn.cycles = 2;
      return true;
    case ARM_INS_LDRD:
    case ARM_INS_STRD:
      insn.kind = Kind::kMultiple;
      insn.cycles = 3;
      return true;
    case ARM_INS_LDM:
    case ARM_INS_LDMDB:
    case ARM_INS_STM:
    case ARM_INS_STMDB:
      insn.kind = Kind::kMultiple;
      insn.cycles = 1 + ListLength(arm, 1);
      return true;
    case ARM_INS_POP:
    case ARM_INS_PUSH:
      insn.kind = Kind::kMultiple;
      insn.cycles = 1 + ListLength(arm, 0);
      insn.address_regs = kSpBit;
      return true;
    default:
      return false;
  }
}

// Loads and stores of FP registers: VLDR/VSTR, VLDM/VSTM, VPUSH/VPOP. False
// for any other instruction.
bool ClassifyFpLoadStore(const cs_insn& in, Insn& insn) {
  const cs_arm& arm = in.detail->arm;
  switch (in.id) {
    case ARM_INS_VLDR:
    case ARM_INS_VSTR:
      insn.kind = Kind::kFpLoadStore;
      insn.cycles = FirstOperandIsDoubleReg(arm) ? 3 : 2;
      return true;
    case ARM_INS_VLDMIA:
    case ARM_INS_VLDMDB:
    case ARM_INS_VSTMIA:
    case ARM_INS_VSTMDB:
    case ARM_INS_VPUSH:
    case ARM_INS_VPOP: {
      uint32_t words = 0;
      for (int i = 0; i < arm.op_count; ++i) {
        const cs_arm_op& op = arm.operands[i];
        if (op.type == ARM_OP_REG && IsFpReg(op.reg)) words += IsDoubleReg(op.reg) ? 2 : 1;
      }
      insn.kind = Kind::kMultiple;
      insn.cycles = 1 + words;
      if (in.id == ARM_INS_VPUSH || in.id == ARM_INS_VPOP) insn.address_regs = kSpBit;
      return true;
    }
    default:
      return false;
  }
}

// Explicit branches: B/BL/CBZ/CBNZ, BX/BLX, TBB/TBH. False for any other
// instruction (writes to PC are found after classification).
bool ClassifyBranch(const cs_insn& in, Insn& insn) {
  switch (in.id) {
    case ARM_INS_B:
    case ARM_INS_BL:
    case ARM_INS_CBZ:
    case ARM_INS_CBNZ:
      insn.kind = Kind::kBranch;
      insn.terminator = Terminator::kDirect;
      insn.conditional |= in.id == ARM_INS_CBZ || in.id == ARM_INS_CBNZ;
      return true;
    case ARM_INS_BX:
    case ARM_INS_BLX:
      insn.kind = Kind::kBranch;
      insn.terminator = Terminator::kRegister;
      return true;
    case ARM_INS_TBB:
    case ARM_INS_TBH:
      insn.kind = Kind::kBranch;
      insn.cycles = 3;  // 2 for the table load + 1 for the add
      insn.terminator = Terminator::kLoadPc;
      return true;
    default:
      return false;
  }
}

// FPU data processing: arithmetic and conversions, multiply-accumulates,
// divide and square root, VMOV. False for any other instruction.
bool ClassifyFpArithmetic(const cs_insn& in, const CycleParams& p, Insn& insn) {
  const cs_arm& arm = in.detail->arm;
  switch (in.id) {
    case ARM_INS_VADD:
    case ARM_INS_VSUB:
    case ARM_INS_VMUL:
    case ARM_INS_VNMUL:
    case ARM_INS_VABS:
    case ARM_INS_VNEG:
    case ARM_INS_VCVT:
    case ARM_INS_VCVTB:
    case ARM_INS_VCVTT:
    case ARM_INS_VCVTR:
      insn.kind = Kind::kFpArith;
      return true;
    case ARM_INS_VMLA:
    case ARM_INS_VMLS:
    case ARM_INS_VNMLA:
    case ARM_INS_VNMLS:
    case ARM_INS_VFMA:
    case ARM_INS_VFMS:
    case ARM_INS_VFNMA:
    case ARM_INS_VFNMS:
      insn.kind = Kind::kFpMac;
      insn.cycles = 3;
      if (arm.op_count > 0 && arm.operands[0].type == ARM_OP_REG) {
        insn.accumulator = RegBit(arm.operands[0].reg);
      }
      return true;
    case ARM_INS_VDIV:
    case ARM_INS_VSQRT:
      insn.kind = Kind::kFpArith;
      insn.cycles = 14;
      return true;
    case ARM_INS_VMOV: {
      // Between core and FP registers when any operand is a core register.
      bool core = false;
      for (int i = 0; i < arm.op_count; ++i) {
        const cs_arm_op& op = arm.operands[i];
        core |= op.type == ARM_OP_REG && !IsFpReg(op.reg);
      }
      insn.kind = KindFromWrites(insn);
      insn.cycles = core ? p.vmov_core_cycles : 1;
      return true;
    }
    default:
      return false;
  }
}

// Everything else: integer divide, IT, system instructions and the
// single-cycle rest (ALU, multiply, DSP, FP compares and status moves).
void ClassifyOther(const cs_insn& in, const CycleParams& p, Insn& insn) {
  switch (in.id) {
    case ARM_INS_SDIV:
    case ARM_INS_UDIV:
      insn.kind = Kind::kDataProcessing;
      // With the data-dependent model the divide-site hook charges the rest;
      // a divide whose IT condition fails never reaches the hook and costs 1.
      insn.cycles = p.data_dependent_divide ? 1 : p.divide_cycles;
      break;
    case ARM_INS_IT:
      insn.kind = Kind::kOther;  // folding is decided by the caller
      break;
    case ARM_INS_BKPT:
      insn.cycles = 0;
      break;
    case ARM_INS_ISB:
      insn.cycles = 1 + p.branch_penalty;
      break;
    case ARM_INS_VCMP:
    case ARM_INS_VCMPE:
    case ARM_INS_VMRS:
    case ARM_INS_VMSR:
    case ARM_INS_NOP:
    case ARM_INS_DMB:
    case ARM_INS_DSB:
    case ARM_INS_SVC:
    case ARM_INS_WFI:
    case ARM_INS_WFE:
    case ARM_INS_SEV:
    case ARM_INS_YIELD:
      insn.kind = KindFromWrites(insn);
      break;
    default:
      insn.kind = KindFromWrites(insn);
      break;
  }
}

Insn Classify(csh handle, const cs_insn& in, const CycleParams& p) {
  Insn insn = DecodeRegisters(handle, in);
  const bool classified = ClassifyCoreLoadStore(in, insn) || ClassifyFpLoadStore(in, insn) ||
                          ClassifyBranch(in, insn) || ClassifyFpArithmetic(in, p, insn);
  if (!classified) ClassifyOther(in, p, insn);
  // Any other instruction that writes PC is a branch: LDR PC / POP {PC} /
  // LDM {PC} are loads to PC, MOV PC / ADD PC register branches.
  if (insn.terminator == Terminator::kNone && (insn.writes & kPcBit)) {
    insn.terminator = (insn.kind == Kind::kLoad || insn.kind == Kind::kMultiple)
                          ? Terminator::kLoadPc
                          : Terminator::kRegister;
  }
  return insn;
}

uint32_t PenaltyFor(Terminator t, const CycleParams& p) {
  switch (t) {
    case Terminator::kNone:
      return 0;
    case Terminator::kDirect:
      return p.branch_penalty;
    case Terminator::kRegister:
      return p.register_branch_penalty;
    case Terminator::kLoadPc:
      return p.load_pc_penalty;
  }
  return 0;
}

// An instruction that needs CP10/CP11 enabled: it names an FP register, or
// moves the FP status register.
bool UsesFpu(const cs_insn& in, const Insn& insn) {
  if ((insn.reads | insn.writes) & kFpMask) return true;
  if (in.id == ARM_INS_VMRS || in.id == ARM_INS_VMSR) return true;
  const cs_arm& arm = in.detail->arm;
  for (int i = 0; i < arm.op_count; ++i) {
    if (arm.operands[i].type == ARM_OP_REG && IsFpReg(arm.operands[i].reg)) return true;
  }
  return false;
}

// BlockInfo::line_cycles: each instruction's cycles go to the flash line of
// its first byte.
void SplitByLine(BlockInfo& block, uint32_t line_bytes) {
  if (block.instructions == 0 || line_bytes == 0) return;
  const uint32_t first_line = block.address / line_bytes;
  uint32_t previous = 0;
  for (uint32_t i = 0; i < block.instructions; ++i) {
    const uint32_t line = block.insn_address[i] / line_bytes - first_line;
    if (line >= block.line_cycles.size()) block.line_cycles.resize(line + 1, 0);
    const uint32_t cost = block.cycles_through[i] - previous;
    previous = block.cycles_through[i];
    block.line_cycles[line] = static_cast<uint16_t>(
        std::min<uint32_t>(block.line_cycles[line] + cost, 0xFFFF));
  }
}

}  // namespace

uint32_t DivideCycles(uint32_t dividend, uint32_t divisor, bool is_signed) {
  if (is_signed) {
    dividend = static_cast<int32_t>(dividend) < 0 ? 0u - dividend : dividend;
    divisor = static_cast<int32_t>(divisor) < 0 ? 0u - divisor : divisor;
  }
  if (divisor == 0 || divisor > dividend) return 2;
  const int q = (32 - __builtin_clz(dividend)) - (32 - __builtin_clz(divisor)) + 1;
  const uint32_t cycles = 2 + static_cast<uint32_t>((q + 2) / 3);
  return cycles > 12 ? 12 : cycles;
}

BlockAnalyzer::BlockAnalyzer(const CycleParams& params) : params_(params) {
  csh handle = 0;
  if (cs_open(CS_ARCH_ARM, static_cast<cs_mode>(CS_MODE_THUMB | CS_MODE_MCLASS), &handle) !=
      CS_ERR_OK) {
    return;
  }
  cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
  handle_ = handle;
}

BlockAnalyzer::~BlockAnalyzer() {
  if (handle_ != 0) {
    csh handle = handle_;
    cs_close(&handle);
  }
}

BlockInfo BlockAnalyzer::Analyze(uint32_t address, const uint8_t* bytes, uint32_t size,
                                 bool in_flash) const {
  BlockInfo block;
  block.address = address;
  block.size = size;
  cs_insn* insns = nullptr;
  // One call for the whole block: capstone tracks IT state only within a call.
  const size_t count = cs_disasm(handle_, bytes, size, address, 0, &insns);

  uint32_t decoded_bytes = 0;
  uint32_t cycles = 0;
  Insn prev;
  bool have_prev = false;
  bool prev_wide = false;
  uint32_t it_left = 0;  // instructions of the current IT block still to come
  for (size_t i = 0; i < count; ++i) {
    const cs_insn& in = insns[i];
    Insn insn = Classify(handle_, in, params_);
    uint32_t cost = insn.cycles;
    if (in.id == ARM_INS_IT && have_prev && !prev_wide) cost = 0;  // folded
    if (block.first_fpu < 0 && UsesFpu(in, insn)) block.first_fpu = static_cast<int32_t>(i);
    if (have_prev) {
      const bool single_access = insn.kind == Kind::kLoad || insn.kind == Kind::kStore;
      const bool memory =
          single_access || insn.kind == Kind::kMultiple || insn.kind == Kind::kFpLoadStore;
      if (single_access && prev.kind == Kind::kLoad && !(insn.address_regs & prev.writes) &&
          cost > 1) {
        cost -= 1;  // pipelined behind the previous load
      }
      if (params_.address_interlock && memory && prev.kind == Kind::kDataProcessing &&
          (insn.address_regs & prev.writes & kCoreMask)) {
        cost += 1;
      }
      if (prev.kind == Kind::kFpArith || prev.kind == Kind::kFpMac) {
        const RegMask consumed = insn.reads & prev.writes & kFpMask & ~insn.accumulator;
        if (consumed) cost += 1;
      }
    }
    const bool is_store = insn.kind == Kind::kStore || in.id == ARM_INS_STRD ||
                          in.id == ARM_INS_STM || in.id == ARM_INS_STMDB;
    if (block.first_store < 0 && is_store && !(insn.address_regs & kSpBit)) {
      block.first_store = static_cast<int32_t>(i);
    }
    // POP/VPOP only raise SP; everything else that writes it may lower it.
    const bool writes_sp =
        ((insn.writes & kSpBit) && in.id != ARM_INS_POP && in.id != ARM_INS_VPOP) ||
        in.id == ARM_INS_PUSH || in.id == ARM_INS_VPUSH;
    if (writes_sp) block.last_sp_write = static_cast<int32_t>(i);
    cycles += cost;
    if (it_left > 0) {
      BlockInfo::ItBlock& it = block.it_blocks.back();
      it.cc[it.count] = static_cast<uint8_t>(in.detail->arm.cc);
      it.cycles[it.count] = static_cast<uint16_t>(cost);
      ++it.count;
      --it_left;
      // The flags the IT hook reads are stale after an instruction that sets
      // them: the rest of this IT block is charged as executed.
      const bool sets_flags = in.detail->arm.update_flags || in.id == ARM_INS_CMP ||
                              in.id == ARM_INS_CMN || in.id == ARM_INS_TST ||
                              in.id == ARM_INS_TEQ || in.id == ARM_INS_VMRS;
      if (sets_flags) it_left = 0;
    }
    if (in.id == ARM_INS_IT) {
      // "it", "ite", "ittee": one conditional instruction per letter after "i".
      it_left = static_cast<uint32_t>(std::strlen(in.mnemonic)) - 1;
      if (it_left > 4) it_left = 4;
      BlockInfo::ItBlock it;
      it.it_address = static_cast<uint32_t>(in.address);
      block.it_blocks.push_back(it);
    }
    block.insn_address.push_back(static_cast<uint32_t>(in.address));
    block.cycles_through.push_back(cycles);
    block.terminator = insn.terminator;
    block.conditional_terminator = insn.conditional;
    decoded_bytes += in.size;
    prev = insn;
    prev_wide = in.size == 4;
    have_prev = true;
  }
  if (count > 0) {
    const bool wide_first = insns[0].size == 4;
    if (wide_first && (address & 2)) block.entry_penalty += params_.unaligned_wide_target_penalty;
  }
  cs_free(insns, count);

  // Bytes capstone could not decode still ran as instructions in Unicorn;
  // count them as 16-bit single-cycle instructions.
  while (decoded_bytes < size) {
    block.undecodable = true;
    block.last_sp_write = static_cast<int32_t>(block.insn_address.size());
    cycles += 1;
    block.insn_address.push_back(address + decoded_bytes);
    block.cycles_through.push_back(cycles);
    decoded_bytes += 2;
    block.terminator = Terminator::kNone;
  }
  block.instructions = static_cast<uint32_t>(block.insn_address.size());
  block.cycles = cycles;
  block.taken_penalty = PenaltyFor(block.terminator, params_);
  if (in_flash && params_.flash_wait_states > 0) SplitByLine(block, params_.flash_line_bytes);
  return block;
}

std::vector<BlockAnalyzer::MemoryAccess> BlockAnalyzer::MemoryAccesses(uint32_t address,
                                                                       const uint8_t* bytes,
                                                                       uint32_t size) const {
  auto core = [](int reg) {
    if (reg >= ARM_REG_R0 && reg <= ARM_REG_R12) return reg - ARM_REG_R0;
    if (reg == ARM_REG_SP) return 13;
    if (reg == ARM_REG_LR) return 14;
    if (reg == ARM_REG_PC) return 15;
    return -1;
  };
  std::vector<MemoryAccess> accesses;
  cs_insn* insns = nullptr;
  const size_t count = cs_disasm(handle_, bytes, size, address, 0, &insns);
  for (size_t i = 0; i < count; ++i) {
    const cs_insn& in = insns[i];
    const cs_arm& arm = in.detail->arm;
    MemoryAccess access;
    access.insn_address = static_cast<uint32_t>(in.address);
    uint32_t list = 0;
    bool found = false;
    for (int k = 0; k < arm.op_count; ++k) {
      const cs_arm_op& op = arm.operands[k];
      if (op.type == ARM_OP_MEM) {
        found = true;
        access.base = core(op.mem.base);
        access.index = core(op.mem.index);
        access.displacement = op.mem.disp;
        access.shift = static_cast<uint32_t>(op.mem.lshift);
        access.subtract_index = op.subtracted || op.mem.scale == -1;
        access.post_indexed = k + 1 < arm.op_count;
      } else if (op.type == ARM_OP_REG) {
        ++list;
      }
    }
    switch (in.id) {
      case ARM_INS_PUSH:
      case ARM_INS_VPUSH:
      case ARM_INS_STMDB:
      case ARM_INS_LDMDB:
      case ARM_INS_VSTMDB:
      case ARM_INS_VLDMDB:
        found = true;
        access.descending = true;
        [[fallthrough]];
      case ARM_INS_POP:
      case ARM_INS_VPOP:
      case ARM_INS_LDM:
      case ARM_INS_STM:
      case ARM_INS_VLDMIA:
      case ARM_INS_VSTMIA: {
        const bool implicit_sp = in.id == ARM_INS_PUSH || in.id == ARM_INS_POP ||
                                 in.id == ARM_INS_VPUSH || in.id == ARM_INS_VPOP;
        if (implicit_sp) {
          access.base = 13;
        } else if (arm.op_count > 0) {
          access.base = core(arm.operands[0].reg);
          --list;
        }
        found = true;
        access.span = 8 * list;  // generous: D registers are 8 bytes
        break;
      }
      default:
        break;
    }
    if (found) accesses.push_back(access);
  }
  cs_free(insns, count);
  return accesses;
}

std::vector<uint32_t> BlockAnalyzer::FindDivides(uint32_t address, const uint8_t* bytes,
                                                 uint32_t size) const {
  return FindInstructions(address, bytes, size, ARM_INS_SDIV, ARM_INS_UDIV);
}

std::vector<uint32_t> BlockAnalyzer::FindItInstructions(uint32_t address, const uint8_t* bytes,
                                                        uint32_t size) const {
  return FindInstructions(address, bytes, size, ARM_INS_IT, ARM_INS_IT);
}

std::vector<uint32_t> BlockAnalyzer::FindInstructions(uint32_t address, const uint8_t* bytes,
                                                      uint32_t size, unsigned id_a,
                                                      unsigned id_b) const {
  std::vector<uint32_t> sites;
  cs_insn* insn = cs_malloc(handle_);
  const uint8_t* code = bytes;
  size_t left = size;
  uint64_t pc = address;
  while (left >= 2) {
    if (cs_disasm_iter(handle_, &code, &left, &pc, insn)) {
      if (insn->id == id_a || insn->id == id_b) {
        sites.push_back(static_cast<uint32_t>(insn->address));
      }
    } else {
      code += 2;  // data in the code stream
      left -= 2;
      pc += 2;
    }
  }
  cs_free(insn, 1);
  return sites;
}

std::string BlockAnalyzer::Disassemble(uint32_t address, const uint8_t* bytes,
                                       uint32_t size) const {
  cs_insn* insn = nullptr;
  const size_t count = cs_disasm(handle_, bytes, size, address, 1, &insn);
  if (count == 0) {
    uint32_t word = 0;
    for (uint32_t i = 0; i < size && i < 4; ++i) word |= uint32_t{bytes[i]} << (8 * i);
    return fmt::format("<undecodable 0x{:08x}>", word);
  }
  std::string text = fmt::format("{} {}", insn[0].mnemonic, insn[0].op_str);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  cs_free(insn, count);
  return text;
}

}  // namespace tml::emu
