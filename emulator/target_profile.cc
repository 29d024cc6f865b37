#include "emulator/target_profile.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace tml::emu {
namespace {

// A part: its memory, clock range and flash accelerator, and the flash
// latency table (the highest clock in MHz at which 0, 1, 2, ... wait states
// suffice).
struct Part {
  const char* name;
  uint32_t flash_kib, sram_kib;
  double default_mhz, max_mhz;
  std::vector<double> ws_max_mhz;  // empty: no wait states at any clock
  bool cache;
  uint32_t line_bytes, icache_lines, dcache_lines;
};

// Sources (the figures a user would check first):
// - stm32l4r5: STM32L4R5/S5 datasheet DS12023 and RM0432: 2 MB flash, 640 KB
//   SRAM, 120 MHz; flash latency in Range 1 boost mode 0 WS up to 20 MHz, +1
//   per 20 MHz, 5 WS at 120 MHz (also the HAL's UTILS_SCALE1_LATENCYn_FREQ);
//   ART: 64-bit flash reads, instruction cache 32 lines of 4 x 64 bits (1 KB),
//   data cache 8 lines of 4 x 64 bits (256 B), prefetch. Modelled per 64-bit
//   read: 128 instruction and 32 data entries of 8 bytes.
// - stm32f411: RM0383: 512 KB flash, 128 KB SRAM, 100 MHz; at 2.7-3.6 V 0 WS
//   up to 30 MHz, 1 up to 64, 2 up to 90, 3 up to 100 MHz; ART: 128-bit flash
//   reads, 64 instruction lines and 8 data lines of 128 bits, prefetch.
// - nrf52840: product specification: 1 MB flash, 256 KB RAM, 64 MHz, an
//   instruction cache (NVMC ICACHECNF) and no data cache. Nordic publishes
//   neither a wait-state count nor the cache geometry: 2 WS and 64 lines of
//   16 bytes are assumptions of this model.
const std::vector<Part>& Parts() {
  static const std::vector<Part> parts = {
      {"cortex-m4", 1024, 256, 80, 1e9, {}, false, 16, 64, 8},
      {"stm32l4r5", 2048, 640, 120, 120, {20, 40, 60, 80, 100, 120}, true, 8, 128, 32},
      {"stm32f411", 512, 128, 100, 100, {30, 64, 90, 100}, true, 16, 64, 8},
      {"nrf52840", 1024, 256, 64, 64, {0, 0, 64}, true, 16, 64, 0},
  };
  return parts;
}

uint32_t WaitStatesAt(const Part& part, double mhz) {
  for (size_t ws = 0; ws < part.ws_max_mhz.size(); ++ws) {
    if (mhz <= part.ws_max_mhz[ws]) return static_cast<uint32_t>(ws);
  }
  return 0;
}

}  // namespace

std::vector<std::string> TargetProfileNames() {
  std::vector<std::string> names;
  for (const Part& part : Parts()) names.push_back(part.name);
  return names;
}

StatusOr<TargetProfile> NamedTargetProfile(std::string_view spec) {
  const size_t at = spec.find('@');
  const std::string name(spec.substr(0, at));
  const Part* part = nullptr;
  for (const Part& candidate : Parts()) {
    if (name == candidate.name) part = &candidate;
  }
  if (!part) {
    return InvalidInput("--target '{}': unknown target; use one of {} (optionally @MHZ)", spec,
                        fmt::join(TargetProfileNames(), ", "));
  }
  double mhz = part->default_mhz;
  if (at != std::string_view::npos) {
    const std::string text(spec.substr(at + 1));
    char* end = nullptr;
    errno = 0;
    mhz = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(mhz) || mhz <= 0) {
      return InvalidInput("--target '{}': the clock after '@' must be a positive number of MHz",
                          spec);
    }
    if (mhz > part->max_mhz) {
      return InvalidInput("--target '{}': {} runs at most {:g} MHz", spec, part->name,
                          part->max_mhz);
    }
  }
  TargetProfile profile;
  profile.name = part->name;
  profile.flash_size = part->flash_kib * 1024;
  profile.sram_size = part->sram_kib * 1024;
  profile.clock_mhz = mhz;
  profile.flash_wait_states = WaitStatesAt(*part, mhz);
  profile.flash_cache = part->cache;
  profile.flash_line_bytes = part->line_bytes;
  profile.icache_lines = part->icache_lines;
  profile.dcache_lines = part->dcache_lines;
  return profile;
}

StatusOr<TargetProfile> ResolveTarget(const TargetChoice& choice) {
  std::string spec = choice.spec.empty() ? std::string("cortex-m4") : choice.spec;
  if (choice.clock_mhz > 0) spec = fmt::format("{}@{:g}", spec.substr(0, spec.find('@')), choice.clock_mhz);
  TML_ASSIGN_OR_RETURN(TargetProfile profile, NamedTargetProfile(spec));
  if (choice.flash_ws > 15) {
    return InvalidInput("--flash-ws {}: at most 15 wait states", choice.flash_ws);
  }
  if (choice.flash_ws >= 0) profile.flash_wait_states = static_cast<uint32_t>(choice.flash_ws);
  if (choice.flash_cache == "on") {
    profile.flash_cache = true;
  } else if (choice.flash_cache == "off") {
    profile.flash_cache = false;
  } else if (!choice.flash_cache.empty()) {
    return InvalidInput("--flash-cache '{}': use on or off", choice.flash_cache);
  }
  return profile;
}

std::string DescribeTarget(const TargetProfile& p) {
  std::string text = fmt::format("{} @ {:g} MHz, {} flash wait state{}, ", p.name, p.clock_mhz,
                                 p.flash_wait_states, p.flash_wait_states == 1 ? "" : "s");
  if (!p.flash_cache) return text + fmt::format("no flash cache ({}-byte flash reads)", p.flash_line_bytes);
  // ST calls its accelerator ART; other vendors' caches get the plain name.
  const char* kind = p.name.rfind("stm32", 0) == 0 ? "ART" : "flash";
  const std::string data = p.dcache_lines == 0
                               ? std::string("no D-cache")
                               : fmt::format("D-cache {} x {} B", p.dcache_lines, p.flash_line_bytes);
  return text + fmt::format("{} cache on (I-cache {} x {} B, {}, prefetch)", kind, p.icache_lines,
                            p.flash_line_bytes, data);
}

}  // namespace tml::emu
