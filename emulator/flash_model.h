// FlashModel: the stall cycles that flash wait states add to code and
// constant data read from flash, behind an ST ART-style accelerator.
//
// The Cortex-M4 TRM's cycle counts (cycle_model.h) assume zero-wait-state
// memory. A real part reads its flash `line` bytes at a time (16 on the
// STM32F4, 8 on the STM32L4+), and every read takes 1 + WS cycles at WS
// wait states (TargetProfile::flash_wait_states). The model:
//
//   Instruction side, per executed block (its lines computed once by the
//   BlockAnalyzer: BlockInfo::first_line and the cycles spent in each line):
//   - the line the core is executing from (the line buffer) never stalls;
//   - entering a new line costs nothing on an I-cache hit, otherwise
//       WS                         after a taken branch (the refill waits for
//                                  the flash read on top of the TRM's P),
//       max(0, WS + 1 - c)         for the next sequential line when the
//                                  prefetch buffer is on (it read that line
//                                  while the core spent c cycles on the
//                                  previous one),
//       WS                         for the next sequential line without it;
//     the line then enters the I-cache (fully associative, FIFO).
//   Data side, per load from flash (a Unicorn memory hook, installed only
//   when WS > 0): a D-cache hit costs nothing, a miss WS.
//
// With the accelerator off (flash_cache false) there is no cache and no
// prefetch: every new line costs WS. At 0 WS the model is not used at all
// (the runner skips it), so the default profile's figures and speed are
// those of the TRM tables.
//
// Known simplifications: instruction and data reads do not contend for the
// flash; a 32-bit instruction straddling two lines belongs to the first; the
// L4+'s 32-byte cache lines filled by four 64-bit reads are modelled as four
// independent 8-byte entries.
#ifndef TML_EMULATOR_FLASH_MODEL_H_
#define TML_EMULATOR_FLASH_MODEL_H_

#include <cstdint>
#include <vector>

#include "emulator/target_profile.h"

namespace tml::emu {

// A fully associative cache of flash line numbers with first-in first-out
// replacement (ST does not document the ART's policy; FIFO makes a hit a
// single table read, which keeps the model fast, and agrees with LRU on
// what matters here: a loop that fits stays cached, one that does not
// thrashes).
class LineCache {
 public:
  LineCache(uint32_t lines, uint32_t flash_lines);
  // True on a hit; on a miss the line replaces the oldest one.
  bool Access(uint32_t line);
  uint32_t capacity() const { return static_cast<uint32_t>(tag_.size()); }

 private:
  static constexpr uint16_t kNoSlot = 0xFFFF;
  std::vector<uint32_t> tag_;   // line held by each slot
  std::vector<bool> used_;      // slot holds a line
  std::vector<uint16_t> slot_;  // per flash line: its slot or kNoSlot
  uint16_t next_ = 0;           // the slot the next miss fills
};

class FlashModel {
 public:
  explicit FlashModel(const TargetProfile& profile);

  // Stall cycles of executing a block whose instructions start in flash line
  // `first_line` and spend line_cycles[k] cycles in line first_line + k.
  // `sequential`: the block follows the previous one without a taken branch.
  uint32_t FetchBlock(uint32_t first_line, const uint16_t* line_cycles, uint32_t lines,
                      bool sequential);
  // Stall cycles of a data read at `address` (inside flash).
  uint32_t ReadData(uint32_t address);

  uint64_t icache_misses() const { return icache_misses_; }
  uint64_t dcache_misses() const { return dcache_misses_; }

 private:
  uint32_t FetchLine(uint32_t line, uint32_t miss_stall);

  uint32_t ws_;
  uint32_t flash_base_, line_bytes_;
  bool cache_;
  LineCache icache_, dcache_;
  uint32_t current_line_ = 0xFFFFFFFF;  // the line buffer
  uint32_t current_line_cycles_ = 0;    // cycles spent in it so far
  uint64_t icache_misses_ = 0, dcache_misses_ = 0;
};

}  // namespace tml::emu

#endif  // TML_EMULATOR_FLASH_MODEL_H_
