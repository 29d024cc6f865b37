#include "emulator/flash_model.h"

#include <algorithm>

namespace tml::emu {

LineCache::LineCache(uint32_t lines, uint32_t flash_lines)
    : tag_(std::min<uint32_t>(lines, kNoSlot), 0),
      used_(tag_.size(), false),
      slot_(tag_.empty() ? 0 : flash_lines, kNoSlot) {}

bool LineCache::Access(uint32_t line) {
  if (tag_.empty() || line >= slot_.size()) return false;
  if (slot_[line] != kNoSlot) return true;
  // A miss fills the next slot in turn, evicting the oldest fill.
  if (used_[next_]) slot_[tag_[next_]] = kNoSlot;
  tag_[next_] = line;
  used_[next_] = true;
  slot_[line] = next_;
  next_ = static_cast<uint16_t>(static_cast<size_t>(next_) + 1 == tag_.size() ? 0 : next_ + 1);
  return false;
}

FlashModel::FlashModel(const TargetProfile& p)
    : ws_(p.flash_wait_states),
      flash_base_(p.flash_base),
      line_bytes_(p.flash_line_bytes ? p.flash_line_bytes : 16),
      cache_(p.flash_cache),
      icache_(p.flash_cache ? p.icache_lines : 0, p.flash_size / line_bytes_),
      dcache_(p.flash_cache ? p.dcache_lines : 0, p.flash_size / line_bytes_) {}

uint32_t FlashModel::FetchLine(uint32_t line, uint32_t miss_stall) {
  if (cache_ && icache_.Access(line)) return 0;
  ++icache_misses_;
  return miss_stall;
}

uint32_t FlashModel::FetchBlock(uint32_t first_line, const uint16_t* line_cycles, uint32_t lines,
                                bool sequential) {
  if (lines == 0) return 0;
  // The prefetcher read line k+1 while the core spent c cycles in line k.
  auto sequential_stall = [this](uint32_t c) {
    if (!cache_) return ws_;
    return ws_ + 1 > c ? ws_ + 1 - c : 0u;
  };
  uint32_t stall = 0;
  if (first_line == current_line_) {
    current_line_cycles_ += line_cycles[0];
  } else {
    const bool next_line = sequential && first_line == current_line_ + 1;
    stall += FetchLine(first_line, next_line ? sequential_stall(current_line_cycles_) : ws_);
    current_line_cycles_ = line_cycles[0];
  }
  for (uint32_t k = 1; k < lines; ++k) {
    stall += FetchLine(first_line + k, sequential_stall(current_line_cycles_));
    current_line_cycles_ = line_cycles[k];
  }
  current_line_ = first_line + lines - 1;
  return stall;
}

uint32_t FlashModel::ReadData(uint32_t address) {
  if (cache_ && dcache_.Access((address - flash_base_) / line_bytes_)) return 0;
  ++dcache_misses_;
  return ws_;
}

}  // namespace tml::emu
