#include "emulator/m4_runner.h"

#include <unicorn/unicorn.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "emulator/flash_model.h"
#include "emulator/image_loader.h"
#include "emulator/semihosting.h"

namespace tml::emu {
namespace {

constexpr uint32_t kExcpSwi = 2;   // QEMU EXCP_SWI (SVC) as seen by UC_HOOK_INTR
constexpr uint32_t kExcpBkpt = 7;  // QEMU EXCP_BKPT
constexpr uint64_t kNoExit = 0xFFFFFFFF;  // an `until` address no Thumb PC can equal
constexpr size_t kMaxDivideHooks = 4096;  // see AddDivideHooks

const char* ExceptionName(uint32_t intno) {
  switch (intno) {
    case 1:
      return "undefined instruction";
    case 2:
      return "SVC (no handler is modelled)";
    case 3:
      return "prefetch abort";
    case 4:
      return "data abort";
    case 5:
      return "IRQ";
    case 6:
      return "FIQ";
    case 8:
      return "exception return";
    case 9:
      return "kernel trap";
    case 17:
      return "no coprocessor (NOCP)";
    case 18:
      return "invalid state (INVSTATE)";
    default:
      return "CPU exception";
  }
}

}  // namespace

struct M4Runner::Impl {
  enum class Stop { kNone, kBreakpoint, kExit, kFault, kBudget, kStackOverflow };

  RunnerOptions options;
  ElfFile elf;
  uc_engine* uc = nullptr;
  std::unique_ptr<BlockAnalyzer> analyzer;
  std::unique_ptr<Semihosting> semihosting;
  std::vector<uint8_t> flash, sram;  // host memory behind the Unicorn mappings
  std::unordered_map<uint32_t, uint32_t> ppb_words;

  // A cached block plus what it has been charged (per-function attribution
  // is summed from these on demand, keeping the hook to a few additions) and
  // the last two blocks that followed it, which short-cut most lookups.
  // The hook's working set sits in the first cache line.
  struct alignas(64) Cached {
    uint64_t key = 0;  // address | size << 32
    Cached* next[2] = {nullptr, nullptr};
    uint32_t next_cost[2] = {0, 0};  // cycles of this block when next[k] follows
    uint32_t instructions = 0;       // == info.instructions
    bool check_sp = false;           // stack guard on and the block may lower SP
    bool needs_fpu = false;          // info.first_fpu >= 0
    uint32_t first_line = 0;         // flash line of the first instruction (flash model)
    uint64_t charged_cycles = 0;
    uint64_t charged_insns = 0;
    BlockInfo info;
  };
  // Block cost cache: a direct index over flash (2-byte granularity) for the
  // common case, a hash map for everything else (other sizes, code in SRAM).
  std::vector<Cached*> flash_index;
  std::unordered_map<uint64_t, std::unique_ptr<Cached>> blocks;

  // Lazy commit state.
  Cached* pending = nullptr;
  uint32_t pending_done_cycles = 0;  // prefix already committed by a marker split
  uint32_t pending_done_insns = 0;

  uint64_t instructions = 0;
  uint64_t cycles = 0;
  uint64_t budget_end = std::numeric_limits<uint64_t>::max();

  // Attribution.
  std::map<uint32_t, Attribution> marker_stats;
  uint32_t marker = kMarkerNone;
  uint64_t region_start_cycles = 0;
  uint64_t region_start_insns = 0;

  uint32_t stack_bottom = 0, stack_top = 0;
  bool stack_guard = false;  // the region came from __tml_stack_bottom/top

  // CPACR grants CP10 and CP11 (the FPU); 0 at reset, as on silicon.
  bool fpu_enabled = false;
  // Flash wait states and the accelerator (flash_model.h); null at 0 WS.
  std::unique_ptr<FlashModel> flash_model;
  // IT instructions carry a code hook that refunds the skipped instructions.
  bool it_hooks = false;

  // Why the current uc_emu_start ended (set by hooks).
  Stop stop = Stop::kNone;
  uint32_t stop_breakpoint = 0;
  int stop_exit_code = 0;
  uint32_t stop_pc = 0;
  std::string stop_message;
  // The last unmapped/protected access, for fault messages.
  uc_mem_type bad_access_type = UC_MEM_READ;
  uint32_t bad_access_address = 0;
  int bad_access_size = 0;
  uint32_t last_block = 0;

  bool dead = false;
  std::string dead_message;

  ~Impl() {
    if (uc) uc_close(uc);
  }

  Cached* Lookup(uint32_t address, uint32_t size) {
    Cached** slot = nullptr;
    if (address - options.profile.flash_base < flash.size()) {
      slot = &flash_index[(address - options.profile.flash_base) >> 1];
      if (*slot && (*slot)->key == (uint64_t{size} << 32 | address)) return *slot;
    }
    const uint64_t key = (uint64_t{address} << 32) | size;
    auto it = blocks.find(key);
    if (it == blocks.end()) {
      std::vector<uint8_t> bytes(size);
      uc_mem_read(uc, address, bytes.data(), size);
      auto cached = std::make_unique<Cached>();
      cached->info =
          analyzer->Analyze(address, bytes.data(), size, options.profile.InFlash(address));
      cached->info.function_index = elf.FunctionIndexAt(address);
      cached->key = uint64_t{size} << 32 | address;
      cached->instructions = cached->info.instructions;
      cached->check_sp = stack_guard && cached->info.last_sp_write >= 0;
      cached->needs_fpu = cached->info.first_fpu >= 0;
      cached->first_line = (address - options.profile.flash_base) / options.cycles.flash_line_bytes;
      it = blocks.emplace(key, std::move(cached)).first;
    }
    if (slot) *slot = it->second.get();
    return it->second.get();
  }

  void Charge(Cached& block, uint64_t c, uint64_t n) {
    cycles += c;
    instructions += n;
    block.charged_cycles += c;
    block.charged_insns += n;
  }

  // Cycles of block `p` when `next` runs after it: static cost plus the
  // refill when p's branch was taken.
  static uint32_t CostBefore(const BlockInfo& p, const BlockInfo& next) {
    uint32_t c = p.cycles;
    if (p.terminator != Terminator::kNone &&
        (!p.conditional_terminator || next.address != p.address + p.size)) {
      c += p.taken_penalty + next.entry_penalty;
    }
    return c;
  }

  // Ends a uc_emu_start: charges the pending block for what ran of it.
  void FinishRun(uint32_t pc) {
    if (!pending) return;
    Cached& cached = *pending;
    const BlockInfo& p = cached.info;
    last_block = p.address;
    pending = nullptr;
    const uint32_t done_cycles = pending_done_cycles;
    const uint32_t done_insns = pending_done_insns;
    pending_done_cycles = pending_done_insns = 0;
    if (pc == p.address && done_insns == 0) return;  // hooked but never ran
    uint32_t ran = p.instructions;
    if (pc > p.address && pc < p.address + p.size) {
      ran = 0;
      while (ran < p.instructions && p.insn_address[ran] < pc) ++ran;
    }
    const uint32_t ran_cycles = ran == 0 ? 0 : p.cycles_through[ran - 1];
    if (ran > done_insns) Charge(cached, ran_cycles - done_cycles, ran - done_insns);
  }

  void SwitchMarker(uint32_t id) {
    if (pending) {
      // Everything before the marker's store belongs to the old region.
      const BlockInfo& p = pending->info;
      const int32_t split = p.first_store < 0 ? 0 : p.first_store;
      const uint32_t split_cycles = split == 0 ? 0 : p.cycles_through[split - 1];
      if (static_cast<uint32_t>(split) > pending_done_insns) {
        Charge(*pending, split_cycles - pending_done_cycles, split - pending_done_insns);
        pending_done_cycles = split_cycles;
        pending_done_insns = split;
      }
    }
    CloseRegion();
    marker = id;
    marker_stats[id].entries += 1;
  }

  void CloseRegion() {
    Attribution& a = marker_stats[marker];
    a.cycles += cycles - region_start_cycles;
    a.instructions += instructions - region_start_insns;
    region_start_cycles = cycles;
    region_start_insns = instructions;
  }

  std::string Disassemble(uint32_t pc) const {
    uint8_t bytes[4] = {};
    if (uc_mem_read(uc, pc, bytes, 4) != UC_ERR_OK && uc_mem_read(uc, pc, bytes, 2) != UC_ERR_OK) {
      return "<unmapped>";
    }
    return analyzer->Disassemble(pc, bytes, 4);
  }

  std::string DescribePc(uint32_t pc) const {
    const Symbol* f = elf.FunctionAt(pc);
    return fmt::format("PC 0x{:08x} in function {}: {}", pc, f ? f->name : "<unknown>",
                       Disassemble(pc));
  }

  uint32_t PpbWord(uint32_t address) const {
    auto it = ppb_words.find(address);
    return it == ppb_words.end() ? 0 : it->second;
  }

  uint32_t Reg(int reg) const {
    uint32_t value = 0;
    uc_reg_read(uc, reg, &value);
    return value;
  }
  void SetReg(int reg, uint32_t value) { uc_reg_write(uc, reg, &value); }

  // ---- hooks ----

  static void OnBlock(uc_engine* uc, uint64_t address, uint32_t size, void* user) {
    auto* s = static_cast<Impl*>(user);
    const uint64_t key = uint64_t{size} << 32 | address;
    Cached* block;
    Cached* p = s->pending;
    if (p) {
      // Hot path: the successor (and what p costs before it) is remembered.
      uint32_t c;
      if (p->next[0] && p->next[0]->key == key) {
        block = p->next[0];
        c = p->next_cost[0];
      } else if (p->next[1] && p->next[1]->key == key) {
        block = p->next[1];
        c = p->next_cost[1];
      } else {
        block = s->Lookup(static_cast<uint32_t>(address), size);
        c = CostBefore(p->info, block->info);
        p->next[1] = p->next[0];
        p->next_cost[1] = p->next_cost[0];
        p->next[0] = block;
        p->next_cost[0] = c;
      }
      uint32_t n = p->instructions;
      if (__builtin_expect(s->pending_done_insns | s->pending_done_cycles, 0)) {
        c -= s->pending_done_cycles;  // a marker already charged p's head
        n -= s->pending_done_insns;
        s->pending_done_cycles = s->pending_done_insns = 0;
      }
      s->Charge(*p, c, n);
      // p has run: if it may have lowered SP, is SP still inside the stack?
      if (__builtin_expect(p->check_sp, 0) && s->Reg(UC_ARM_REG_SP) < s->stack_bottom &&
          s->stop == Stop::kNone) {
        s->stop = Stop::kStackOverflow;
        s->stop_pc = p->info.insn_address[static_cast<size_t>(p->info.last_sp_write)];
        s->pending = block;
        uc_emu_stop(uc);
        return;
      }
    } else {
      block = s->Lookup(static_cast<uint32_t>(address), size);
    }
    s->pending = block;
    if (__builtin_expect(block->needs_fpu && !s->fpu_enabled, 0) && s->stop == Stop::kNone) {
      s->stop = Stop::kFault;
      s->stop_pc = block->info.insn_address[static_cast<size_t>(block->info.first_fpu)];
      s->stop_message =
          "UsageFault (NOCP): an FPU instruction ran while CPACR (0xE000ED88) leaves CP10/CP11 "
          "disabled; enable the FPU in the start-up code (CPACR |= 0xF << 20) as silicon requires";
      uc_emu_stop(uc);
      return;
    }
    if (__builtin_expect(s->flash_model != nullptr, 0) && !block->info.line_cycles.empty()) {
      const bool sequential = p && p->info.address + p->info.size == address;
      const uint32_t stall = s->flash_model->FetchBlock(
          block->first_line, block->info.line_cycles.data(),
          static_cast<uint32_t>(block->info.line_cycles.size()), sequential);
      s->cycles += stall;
      block->charged_cycles += stall;
    }
    if (__builtin_expect(s->instructions + block->instructions > s->budget_end, 0) &&
        s->stop == Stop::kNone) {
      s->stop = Stop::kBudget;
      s->stop_pc = static_cast<uint32_t>(address);
      uc_emu_stop(uc);
    }
  }

  static void OnInterrupt(uc_engine* uc, uint32_t intno, void* user) {
    auto* s = static_cast<Impl*>(user);
    const uint32_t pc = s->Reg(UC_ARM_REG_PC);
    if (intno != kExcpBkpt) {
      s->stop = Stop::kFault;
      s->stop_pc = intno == kExcpSwi ? pc - 2 : pc;  // SVC reports PC after itself
      s->stop_message = fmt::format("{} (exception {})", ExceptionName(intno), intno);
      uc_emu_stop(uc);
      return;
    }
    uint16_t opcode = 0;
    uc_mem_read(uc, pc, &opcode, 2);
    const uint32_t imm = opcode & 0xFF;
    // PC is still at the BKPT. Writing PC from a hook cancels a pending
    // uc_emu_stop (Unicorn treats it as a request to re-enter), so when we
    // stop, RunUntilBreakpoint moves PC past the BKPT after uc_emu_start returns.
    s->stop_pc = pc;
    if (imm == kSemihostingBkpt) {
      const SemihostingResult r = s->semihosting->Call(s->Reg(UC_ARM_REG_R0), s->Reg(UC_ARM_REG_R1),
                                                       s->cycles, s->options.profile.clock_mhz);
      if (r.memory_error) {
        s->stop = Stop::kFault;
        s->stop_pc = pc;
        s->stop_message = fmt::format("semihosting call 0x{:x} passed an unmapped pointer",
                                      s->Reg(UC_ARM_REG_R0));
        uc_emu_stop(uc);
        return;
      }
      s->SetReg(UC_ARM_REG_R0, r.r0);
      if (!r.exit) s->SetReg(UC_ARM_REG_PC, (pc + 2) | 1);
      if (r.exit) {
        s->stop = Stop::kExit;
        s->stop_exit_code = r.exit_code;
        uc_emu_stop(uc);
      }
      return;
    }
    s->stop = Stop::kBreakpoint;
    s->stop_breakpoint = imm;
    s->stop_exit_code = static_cast<int>(s->Reg(UC_ARM_REG_R0));
    uc_emu_stop(uc);
  }

  static bool OnBadAccess(uc_engine*, uc_mem_type type, uint64_t address, int size, int64_t,
                          void* user) {
    auto* s = static_cast<Impl*>(user);
    s->bad_access_type = type;
    s->bad_access_address = static_cast<uint32_t>(address);
    s->bad_access_size = size;
    return false;
  }

  // On an SDIV/UDIV site, before it executes: the operands are in the
  // registers, so charge the data-dependent cost (the block already has 1).
  static void OnDivide(uc_engine* uc, uint64_t address, uint32_t size, void* user) {
    auto* s = static_cast<Impl*>(user);
    uint32_t insn = 0;
    uc_mem_read(uc, address, &insn, size < 4 ? size : 4);
    // T1 encodings: SDIV 0xFB9n 0xF0mf, UDIV 0xFBBn 0xF0mf (first halfword low).
    const uint32_t rn = insn & 0xF;
    const uint32_t rm = (insn >> 16) & 0xF;
    const bool is_signed = (insn & 0xFFF0) == 0xFB90;
    static constexpr int kRegs[13] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,
                                      UC_ARM_REG_R4, UC_ARM_REG_R5, UC_ARM_REG_R6,  UC_ARM_REG_R7,
                                      UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
                                      UC_ARM_REG_R12};
    if (rn > 12 || rm > 12) return;
    const uint32_t divisor = s->Reg(kRegs[rm]);
    if (divisor == 0 && (s->PpbWord(kCcrAddress) & kCcrDiv0Trp)) {
      s->stop = Stop::kFault;
      s->stop_pc = static_cast<uint32_t>(address);
      s->stop_message = "divide by zero (CCR.DIV_0_TRP is set)";
      uc_emu_stop(uc);
      return;
    }
    const uint32_t extra = DivideCycles(s->Reg(kRegs[rn]), divisor, is_signed) - 1;
    s->cycles += extra;
    if (s->pending) s->pending->charged_cycles += extra;
  }

  // One narrow code hook per divide site and per IT instruction: hooks cost
  // only where they are, and both are rare. Must run before the first
  // uc_emu_start.
  void AddCodeHooks() {
    // Swept per function symbol so data between functions (the vector
    // table, literal pools) cannot desynchronise the decoder.
    // Functions are sorted by address; a byte of flash is swept at most once
    // even when (crafted) symbols overlap, so the work is bounded by flash.
    const TargetProfile& prof = options.profile;
    std::vector<uint32_t> sites, it_sites;
    uint64_t swept_end = 0;
    for (const Symbol& f : elf.functions()) {
      if (f.size < 4 || !prof.RangeInFlash(f.address, f.size)) continue;
      const uint64_t end = uint64_t{f.address} + f.size;
      const uint64_t from = std::max<uint64_t>(f.address, swept_end);
      const auto start = static_cast<uint32_t>((from + 1) & ~uint64_t{1});  // Thumb: halfwords
      if (end <= start) continue;
      swept_end = end;
      const uint8_t* code = &flash[start - prof.flash_base];
      const auto size = static_cast<uint32_t>(end - start);
      for (uint32_t site : analyzer->FindDivides(start, code, size & ~1u)) sites.push_back(site);
      for (uint32_t site : analyzer->FindItInstructions(start, code, size & ~1u)) {
        it_sites.push_back(site);
      }
    }
    // Unicorn checks every code hook for every instruction it translates: a
    // (crafted) image full of divides would make translation quadratic. Past
    // kMaxDivideHooks sites, divides cost the constant divide_cycles instead
    // (no block has been analysed yet, so the analyzer can still change), and
    // IT-skipped instructions are charged as executed.
    if (!options.cycles.data_dependent_divide) sites.clear();
    if (sites.size() > kMaxDivideHooks) {
      options.cycles.data_dependent_divide = false;
      analyzer = std::make_unique<BlockAnalyzer>(options.cycles);
      sites.clear();
    }
    for (uint32_t site : sites) {
      uc_hook hook;
      uc_hook_add(uc, &hook, UC_HOOK_CODE, reinterpret_cast<void*>(&Impl::OnDivide), this, site,
                  site);
    }
    if (sites.size() + it_sites.size() > kMaxDivideHooks) return;
    it_hooks = true;
    for (uint32_t site : it_sites) {
      uc_hook hook;
      uc_hook_add(uc, &hook, UC_HOOK_CODE, reinterpret_cast<void*>(&Impl::OnIt), this, site, site);
    }
  }

  static void OnFlashRead(uc_engine*, uc_mem_type, uint64_t address, int, int64_t, void* user) {
    auto* s = static_cast<Impl*>(user);
    const uint32_t stall = s->flash_model->ReadData(static_cast<uint32_t>(address));
    s->cycles += stall;
    if (s->pending) s->pending->charged_cycles += stall;
  }

  // ARM condition codes as capstone numbers them (ARM_CC_EQ = 1 ... AL = 15)
  // against the APSR's N, Z, C, V (bits 31..28).
  static bool ConditionPasses(uint8_t cc, uint32_t apsr) {
    const bool n = apsr >> 31 & 1, z = apsr >> 30 & 1, c = apsr >> 29 & 1, v = apsr >> 28 & 1;
    switch (cc) {
      case 1: return z;
      case 2: return !z;
      case 3: return c;
      case 4: return !c;
      case 5: return n;
      case 6: return !n;
      case 7: return v;
      case 8: return !v;
      case 9: return c && !z;
      case 10: return !c || z;
      case 11: return n == v;
      case 12: return n != v;
      case 13: return !z && n == v;
      case 14: return z || n != v;
      default: return true;
    }
  }

  // On an IT instruction, before its block's conditional instructions run:
  // the ones whose condition fails are not executed, so they are neither
  // counted as instructions nor charged their full cost. The TRM's cycle
  // tables (DDI 0439B ch. 3) time executed instructions only; a failed one
  // still passes through decode and issue, so it keeps 1 cycle.
  static void OnIt(uc_engine*, uint64_t address, uint32_t, void* user) {
    auto* s = static_cast<Impl*>(user);
    Cached* block = s->pending;
    if (!block) return;
    for (const BlockInfo::ItBlock& it : block->info.it_blocks) {
      if (it.it_address != address) continue;
      const uint32_t apsr = s->Reg(UC_ARM_REG_APSR);
      uint32_t skipped = 0, saved = 0;
      for (uint32_t k = 0; k < it.count; ++k) {
        if (ConditionPasses(it.cc[k], apsr)) continue;
        ++skipped;
        saved += it.cycles[k] > 1 ? it.cycles[k] - 1u : 0u;
      }
      // The block's static cost is charged when it ends; taking the skipped
      // share off now (modulo 2^64) leaves the right totals then.
      s->cycles -= saved;
      s->instructions -= skipped;
      block->charged_cycles -= saved;
      block->charged_insns -= skipped;
      return;
    }
  }

  static uint64_t OnPpbRead(uc_engine*, uint64_t offset, unsigned size, void* user) {
    auto* s = static_cast<Impl*>(user);
    const uint32_t address = kPpbBase + static_cast<uint32_t>(offset);
    const uint32_t word_address = address & ~3u;
    uint32_t word = 0;
    if (word_address == kDwtCyccntAddress) {
      word = static_cast<uint32_t>(s->cycles);
    } else if (word_address == kCpuidAddress) {
      word = 0x410FC241;  // Arm Cortex-M4 r0p1
    } else if (auto it = s->ppb_words.find(word_address); it != s->ppb_words.end()) {
      word = it->second;
    }
    const uint32_t shift = 8 * (address & 3);
    const uint64_t mask = size >= 4 ? 0xFFFFFFFFull : ((1ull << (8 * size)) - 1);
    return (word >> shift) & mask;
  }

  static void OnPpbWrite(uc_engine*, uint64_t offset, unsigned size, uint64_t value, void* user) {
    auto* s = static_cast<Impl*>(user);
    const uint32_t address = kPpbBase + static_cast<uint32_t>(offset);
    if ((address & ~3u) == kMarkerAddress) {
      s->SwitchMarker(static_cast<uint32_t>(value));
      return;
    }
    // CPACR, DEMCR, DWT_CTRL...: remembered so reads see them; CPACR's
    // CP10/CP11 fields (bits 20..23) also switch the FPU.
    uint32_t& word = s->ppb_words[address & ~3u];
    const uint32_t shift = 8 * (address & 3);
    const uint32_t mask = size >= 4 ? 0xFFFFFFFFu : (((1u << (8 * size)) - 1) << shift);
    word = (word & ~mask) | ((static_cast<uint32_t>(value) << shift) & mask);
    if ((address & ~3u) == kCpacrAddress) {
      // Each field: 0b01 privileged or 0b11 full access (the firmware runs
      // privileged); CP10 and CP11 must agree (ARMv7-M ARM B3.2.20).
      const uint32_t cp10 = word >> 20 & 3, cp11 = word >> 22 & 3;
      s->fpu_enabled = (cp10 == 1 || cp10 == 3) && cp10 == cp11;
    }
  }

  // ---- setup ----

  Status Setup() {
    const TargetProfile& prof = options.profile;
    if (prof.flash_size % 4096 || prof.sram_size % 4096 || prof.flash_base % 4096 ||
        prof.sram_base % 4096) {
      return InvalidInput("target '{}': memory regions must be 4 KiB aligned", prof.name);
    }
    const uint32_t line = prof.flash_line_bytes;
    if (line < 4 || line > 256 || (line & (line - 1)) != 0) {
      return InvalidInput("target '{}': the flash line must be a power of two of 4..256 bytes, not {}",
                          prof.name, line);
    }
    uc_err err = uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &uc);
    if (err != UC_ERR_OK) return Internal("unicorn: uc_open: {}", uc_strerror(err));
    // Must precede every other call; UC_MODE_MCLASS would override it with an M33.
    err = uc_ctl_set_cpu_model(uc, UC_CPU_ARM_CORTEX_M4);
    if (err != UC_ERR_OK) return Internal("unicorn: set CPU model: {}", uc_strerror(err));

    flash.assign(prof.flash_size, 0xFF);  // erased flash reads as 0xFF
    sram.assign(prof.sram_size, 0);
    flash_index.assign(prof.flash_size / 2, nullptr);
    if ((err = uc_mem_map_ptr(uc, prof.flash_base, flash.size(), UC_PROT_READ | UC_PROT_EXEC,
                              flash.data())) != UC_ERR_OK ||
        (err = uc_mem_map_ptr(uc, prof.sram_base, sram.size(), UC_PROT_ALL, sram.data())) !=
            UC_ERR_OK ||
        (err = uc_mmio_map(uc, kPpbBase, kPpbSize, &Impl::OnPpbRead, this, &Impl::OnPpbWrite,
                           this)) != UC_ERR_OK) {
      return InvalidInput("target '{}': cannot map memory: {}", prof.name, uc_strerror(err));
    }

    uc_hook hook;
    if (options.cycle_model) {
      uc_hook_add(uc, &hook, UC_HOOK_BLOCK, reinterpret_cast<void*>(&Impl::OnBlock), this, 1, 0);
    }
    uc_hook_add(uc, &hook, UC_HOOK_INTR, reinterpret_cast<void*>(&Impl::OnInterrupt), this, 1, 0);
    uc_hook_add(uc, &hook, UC_HOOK_MEM_INVALID, reinterpret_cast<void*>(&Impl::OnBadAccess), this,
                1, 0);
    if (options.cycle_model && prof.flash_wait_states > 0) {
      flash_model = std::make_unique<FlashModel>(prof);
      // Unicorn sends every load through its slow path once any read hook
      // exists (whatever its range): this costs speed only at WS > 0.
      uc_hook_add(uc, &hook, UC_HOOK_MEM_READ, reinterpret_cast<void*>(&Impl::OnFlashRead), this,
                  prof.flash_base, prof.flash_base + prof.flash_size - 1);
    }
    semihosting = std::make_unique<Semihosting>(
        [this](uint32_t address, void* out, uint32_t size) {
          return uc_mem_read(uc, address, out, size) == UC_ERR_OK;
        },
        options.max_output_bytes);
    return Status::Ok();
  }

  // Places the image into flash/SRAM (image_loader.h checks everything in
  // the ELF against the memory map first) and resets the core.
  Status LoadImage() {
    TML_ASSIGN_OR_RETURN(const ResetState reset, emu::LoadImage(elf, options.profile, flash, sram));
    stack_bottom = reset.stack_bottom;
    stack_top = reset.stack_top;
    stack_guard = reset.stack_guard;
    SetReg(UC_ARM_REG_SP, reset.sp);
    SetReg(UC_ARM_REG_PC, reset.pc);
    if (options.cycle_model) AddCodeHooks();
    return Status::Ok();
  }

  // "stack overflow: SP 0x... is N bytes below the stack region ..." at `pc`.
  Status StackOverflowStatus(uint32_t sp, uint32_t pc) const {
    if (stack_guard) {
      return InvalidInput(
          "firmware fault: stack overflow: SP 0x{:08x} is {} bytes below the {}-byte stack "
          "region 0x{:08x}..0x{:08x} (__tml_stack_bottom..__tml_stack_top) at {}",
          sp, stack_bottom - sp, stack_top - stack_bottom, stack_bottom, stack_top, DescribePc(pc));
    }
    return InvalidInput(
        "firmware fault: stack overflow: the stack ran through all of SRAM (SP 0x{:08x}, "
        "write to 0x{:08x} below SRAM's start 0x{:08x}) at {}",
        sp, bad_access_address, options.profile.sram_base, DescribePc(pc));
  }

  // After a failed or stopped run: did the stack overflow? With the guard,
  // SP below the region says so; without it, a write fault just below SRAM
  // with SP next to it (the stack ran off the start of SRAM).
  bool StackOverflowed(uc_err err) const {
    const uint32_t sp = Reg(UC_ARM_REG_SP);
    if (stack_guard) return sp < stack_bottom;
    const uint32_t base = options.profile.sram_base;
    return err == UC_ERR_WRITE_UNMAPPED && bad_access_address < base &&
           uint64_t{sp} <= uint64_t{base} + 256 && uint64_t{bad_access_address} + 256 >= sp;
  }

  // Unicorn leaves PC at the start of the block after a data fault, with
  // the registers as they were just before the faulting instruction. The
  // instruction is the one in that block whose operand addresses the bad
  // address with the current register values.
  uint32_t LocateDataFault(uint32_t block_start) const {
    uint8_t bytes[1024];
    uint32_t size = 0;
    while (size < sizeof bytes &&
           uc_mem_read(uc, block_start + size, bytes + size, 2) == UC_ERR_OK) {
      size += 2;
    }
    static constexpr int kRegs[16] = {UC_ARM_REG_R0,  UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,
                                      UC_ARM_REG_R4,  UC_ARM_REG_R5, UC_ARM_REG_R6,  UC_ARM_REG_R7,
                                      UC_ARM_REG_R8,  UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
                                      UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR,  UC_ARM_REG_PC};
    for (const auto& a : analyzer->MemoryAccesses(block_start, bytes, size)) {
      if (a.base < 0) continue;
      uint32_t base = a.base == 15 ? ((a.insn_address + 4) & ~3u) : Reg(kRegs[a.base]);
      uint32_t address = base;
      if (!a.post_indexed) {
        address += static_cast<uint32_t>(a.displacement);
        if (a.index >= 0) {
          const uint32_t index = Reg(kRegs[a.index]) << a.shift;
          address = a.subtract_index ? address - index : address + index;
        }
      }
      const uint32_t low = a.descending ? address - a.span : address;
      const uint32_t high = a.descending ? address : address + a.span;
      if (bad_access_address >= low && bad_access_address < high) return a.insn_address;
    }
    return block_start;
  }

  Status FaultStatus(uc_err err, uint32_t pc) const {
    const char* what = "";
    switch (err) {
      case UC_ERR_READ_UNMAPPED:
        what = "read from unmapped address";
        break;
      case UC_ERR_WRITE_UNMAPPED:
        what = "write to unmapped address";
        break;
      case UC_ERR_FETCH_UNMAPPED:
        what = "jump to unmapped address";
        break;
      case UC_ERR_WRITE_PROT:
        what = "write to read-only memory at";
        break;
      case UC_ERR_READ_PROT:
        what = "read from protected memory at";
        break;
      case UC_ERR_FETCH_PROT:
        what = "jump to non-executable address";
        break;
      case UC_ERR_READ_UNALIGNED:
      case UC_ERR_WRITE_UNALIGNED:
      case UC_ERR_FETCH_UNALIGNED:
        what = "unaligned access at";
        break;
      case UC_ERR_INSN_INVALID:
        return InvalidInput("firmware fault: undefined or unsupported instruction at {}",
                            DescribePc(pc));
      default:
        return InvalidInput("firmware fault: {} at {}", uc_strerror(err), DescribePc(pc));
    }
    if (err == UC_ERR_FETCH_UNMAPPED || err == UC_ERR_FETCH_PROT) {
      return InvalidInput("firmware fault: {} 0x{:08x}; the last block started at {}", what,
                          bad_access_address, DescribePc(last_block));
    }
    return InvalidInput("firmware fault: {} 0x{:08x} ({} bytes) at {}", what, bad_access_address,
                        bad_access_size, DescribePc(LocateDataFault(pc)));
  }
};

M4Runner::M4Runner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
M4Runner::~M4Runner() = default;

StatusOr<std::unique_ptr<M4Runner>> M4Runner::Load(const std::string& elf_path,
                                                   const RunnerOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->options.cycles.flash_wait_states = options.profile.flash_wait_states;
  impl->options.cycles.flash_line_bytes = options.profile.flash_line_bytes;
  TML_ASSIGN_OR_RETURN(impl->elf, ElfFile::Read(elf_path));
  impl->analyzer = std::make_unique<BlockAnalyzer>(impl->options.cycles);
  if (!impl->analyzer->ok()) return Internal("capstone: cannot open a Thumb disassembler");
  TML_RETURN_IF_ERROR(impl->Setup());
  TML_RETURN_IF_ERROR(impl->LoadImage());
  return std::unique_ptr<M4Runner>(new M4Runner(std::move(impl)));
}

StatusOr<StopInfo> M4Runner::RunUntilBreakpoint() {
  Impl& s = *impl_;
  if (s.dead) return InvalidInput("the firmware cannot be resumed: {}", s.dead_message);
  const uint64_t start_insns = s.instructions;
  const uint64_t start_cycles = s.cycles;
  const uint64_t max = s.options.max_instructions;
  s.budget_end = max == 0 ? std::numeric_limits<uint64_t>::max() : start_insns + max;

  auto fail = [&](Status status) -> StatusOr<StopInfo> {
    s.dead = true;
    s.dead_message = status.message();
    return status;
  };
  for (;;) {
    s.stop = Impl::Stop::kNone;
    const uint32_t start_pc = s.Reg(UC_ARM_REG_PC);
    const uint64_t before = s.instructions;
    const uc_err err = uc_emu_start(s.uc, start_pc | 1, kNoExit, 0, 0);
    uint32_t pc = s.Reg(UC_ARM_REG_PC);
    if (s.stop == Impl::Stop::kBreakpoint || s.stop == Impl::Stop::kExit) {
      pc = s.stop_pc + 2;  // resume after the BKPT
      s.SetReg(UC_ARM_REG_PC, pc | 1);
    }
    s.FinishRun(pc);

    // A stack overflow explains whatever else went wrong after it.
    if (s.stop == Impl::Stop::kStackOverflow) {
      return fail(s.StackOverflowStatus(s.Reg(UC_ARM_REG_SP), s.stop_pc));
    }
    if (s.StackOverflowed(err)) {
      const bool data_fault = s.stop == Impl::Stop::kNone && err != UC_ERR_OK;
      const uint32_t at = s.stop != Impl::Stop::kNone ? s.stop_pc
                          : data_fault                ? s.LocateDataFault(pc)
                                                      : pc;
      return fail(s.StackOverflowStatus(s.Reg(UC_ARM_REG_SP), at));
    }
    switch (s.stop) {
      case Impl::Stop::kBudget:
        return fail(
            InvalidInput("firmware did not finish within {} instructions (runaway loop?) at {}",
                         max, s.DescribePc(s.stop_pc)));
      case Impl::Stop::kFault:
        return fail(
            InvalidInput("firmware fault: {} at {}", s.stop_message, s.DescribePc(s.stop_pc)));
      case Impl::Stop::kBreakpoint:
      case Impl::Stop::kExit: {
        StopInfo info;
        info.reason = s.stop == Impl::Stop::kExit ? StopReason::kExit : StopReason::kBreakpoint;
        info.breakpoint = s.stop_breakpoint;
        info.exit_code = s.stop_exit_code;
        info.pc = pc & ~1u;
        info.instructions = s.instructions - start_insns;
        info.cycles = s.cycles - start_cycles;
        if (info.reason == StopReason::kExit) {
          s.dead = true;
          s.dead_message = fmt::format("it exited with code {}", info.exit_code);
        }
        return info;
      }
      case Impl::Stop::kNone:
      case Impl::Stop::kStackOverflow:  // handled above
        break;
    }
    if (err == UC_ERR_INSN_INVALID && pc >= 2) {
      // WFE and YIELD stop Unicorn with PC already past them: architecturally a no-op.
      uint16_t previous = 0;
      uc_mem_read(s.uc, pc - 2, &previous, 2);
      if (previous == 0xBF20 || previous == 0xBF10) continue;
    }
    if (err != UC_ERR_OK) return fail(s.FaultStatus(err, pc));
    // A WFI returns UC_ERR_OK with nothing to wake it: resume after it.
    if (pc == start_pc && s.instructions == before) {
      return fail(Internal("emulation made no progress at {}", s.DescribePc(pc)));
    }
  }
}

Status M4Runner::WriteMemory(uint32_t address, const void* data, size_t size) {
  if (size == 0) return Status::Ok();
  if (impl_->options.profile.InFlash(address)) {
    // Translated code and cached block costs assume flash never changes.
    return InvalidInput("cannot write {} bytes at 0x{:08x}: flash is read-only while running", size,
                        address);
  }
  if (uc_mem_write(impl_->uc, address, data, size) != UC_ERR_OK) {
    return InvalidInput("cannot write {} bytes at 0x{:08x}: not mapped", size, address);
  }
  return Status::Ok();
}

StatusOr<std::vector<uint8_t>> M4Runner::ReadMemory(uint32_t address, size_t size) const {
  // Checked before allocating: a symbol's size comes from the ELF file.
  const TargetProfile& prof = impl_->options.profile;
  if (size > 0 && !prof.RangeInFlash(address, size) && !prof.RangeInSram(address, size) &&
      !TargetProfile::RangeInRegion(kPpbBase, kPpbSize, address, size)) {
    return InvalidInput("cannot read {} bytes at 0x{:08x}: not mapped", size, address);
  }
  std::vector<uint8_t> bytes(size);
  if (size > 0 && uc_mem_read(impl_->uc, address, bytes.data(), size) != UC_ERR_OK) {
    return InvalidInput("cannot read {} bytes at 0x{:08x}: not mapped", size, address);
  }
  return bytes;
}

Status M4Runner::WriteSymbol(std::string_view name, const void* data, size_t size) {
  const Symbol* symbol = impl_->elf.FindSymbol(name);
  if (!symbol) return InvalidInput("{}: no symbol '{}'", impl_->elf.path(), name);
  if (symbol->size != 0 && size > symbol->size) {
    return InvalidInput("{}: symbol '{}' holds {} bytes, cannot write {}", impl_->elf.path(), name,
                        symbol->size, size);
  }
  return WriteMemory(symbol->address, data, size);
}

StatusOr<std::vector<uint8_t>> M4Runner::ReadSymbol(std::string_view name, size_t size) const {
  const Symbol* symbol = impl_->elf.FindSymbol(name);
  if (!symbol) return InvalidInput("{}: no symbol '{}'", impl_->elf.path(), name);
  if (size == 0) size = symbol->size;
  if (symbol->size != 0 && size > symbol->size) {
    return InvalidInput("{}: symbol '{}' holds {} bytes, cannot read {}", impl_->elf.path(), name,
                        symbol->size, size);
  }
  return ReadMemory(symbol->address, size);
}

uint32_t M4Runner::ReadRegister(int uc_arm_reg) const { return impl_->Reg(uc_arm_reg); }
uint64_t M4Runner::instructions() const { return impl_->instructions; }
uint64_t M4Runner::cycles() const { return impl_->cycles; }
const std::string& M4Runner::output() const { return impl_->semihosting->output(); }
uint64_t M4Runner::output_dropped_bytes() const { return impl_->semihosting->dropped_bytes(); }
M4Runner::StackRegion M4Runner::stack_region() const {
  return {impl_->stack_bottom, impl_->stack_top, impl_->stack_guard};
}
const ElfFile& M4Runner::elf() const { return impl_->elf; }
const TargetProfile& M4Runner::profile() const { return impl_->options.profile; }
std::string M4Runner::DescribePc(uint32_t pc) const { return impl_->DescribePc(pc); }

std::map<uint32_t, Attribution> M4Runner::MarkerProfile() const {
  std::map<uint32_t, Attribution> profile = impl_->marker_stats;
  Attribution& open = profile[impl_->marker];
  open.cycles += impl_->cycles - impl_->region_start_cycles;
  open.instructions += impl_->instructions - impl_->region_start_insns;
  return profile;
}

std::map<std::string, Attribution> M4Runner::FunctionProfile() const {
  std::map<std::string, Attribution> profile;
  const auto& functions = impl_->elf.functions();
  for (const auto& [key, cached] : impl_->blocks) {
    if (cached->charged_insns == 0) continue;
    const int index = cached->info.function_index;
    Attribution& out = profile[index < 0 ? std::string("<unknown>") : functions[index].name];
    out.cycles += cached->charged_cycles;
    out.instructions += cached->charged_insns;
  }
  return profile;
}

void M4Runner::ClearProfile() {
  Impl& s = *impl_;
  s.marker_stats.clear();
  s.region_start_cycles = s.cycles;
  s.region_start_insns = s.instructions;
  for (auto& [key, cached] : s.blocks) cached->charged_cycles = cached->charged_insns = 0;
}

uint32_t M4Runner::StackHighWater() const {
  const Impl& s = *impl_;
  const uint32_t base = s.options.profile.sram_base;
  uint32_t address = s.stack_bottom;
  while (address < s.stack_top && s.sram[address - base] == kStackFill) ++address;
  return s.stack_top - address;
}

}  // namespace tml::emu
