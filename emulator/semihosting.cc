#include "emulator/semihosting.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace tml::emu {
namespace {

constexpr uint32_t kSysWritec = 0x03;
constexpr uint32_t kSysWrite0 = 0x04;
constexpr uint32_t kSysWrite = 0x05;
constexpr uint32_t kSysClock = 0x10;
constexpr uint32_t kSysTime = 0x11;
constexpr uint32_t kSysErrno = 0x13;
constexpr uint32_t kSysExit = 0x18;
constexpr uint32_t kSysExitExtended = 0x20;
// The longest string one SYS_WRITE0 scans for its terminator.
constexpr uint32_t kMaxWrite = 1 << 20;

}  // namespace

void Semihosting::Append(const char* bytes, size_t size) {
  const size_t keep = std::min(size, Room());
  output_.append(bytes, keep);
  dropped_ += size - keep;
}

SemihostingResult Semihosting::Call(uint32_t op, uint32_t param, uint64_t cycles,
                                    double clock_mhz) {
  SemihostingResult result;
  switch (op) {
    case kSysWritec: {
      char c = 0;
      if (!read_memory_(param, &c, 1))
        result.memory_error = true;
      else
        Append(&c, 1);
      break;
    }
    case kSysWrite0: {
      // Scanned in chunks that never cross a 256-byte boundary (memory is
      // mapped in 4 KiB pages, so such a chunk is normally all mapped or not
      // at all); a chunk that cannot be read whole is read byte by byte.
      char chunk[256];
      uint32_t scanned = 0;
      while (scanned < kMaxWrite) {
        const uint32_t address = param + scanned;
        uint32_t size = std::min<uint32_t>(256 - (address & 255), kMaxWrite - scanned);
        if (!read_memory_(address, chunk, size)) {
          uint32_t n = 0;
          for (; n < size; ++n) {
            if (!read_memory_(address + n, chunk + n, 1)) {
              result.memory_error = true;
              break;
            }
            if (chunk[n] == '\0') break;
          }
          if (result.memory_error) {
            Append(chunk, n);
            break;
          }
          if (n < size) size = n + 1;  // up to and including the NUL
        }
        const auto* nul = static_cast<const char*>(std::memchr(chunk, 0, size));
        const uint32_t length = nul ? static_cast<uint32_t>(nul - chunk) : size;
        Append(chunk, length);
        scanned += length;
        if (nul || address + size < address) break;  // the terminator, or the top of memory
      }
      break;
    }
    case kSysWrite: {
      uint32_t handle = 0, buffer = 0, length = 0;
      if (!ReadWord(param, handle) || !ReadWord(param + 4, buffer) ||
          !ReadWord(param + 8, length)) {
        result.memory_error = true;
        break;
      }
      if (handle != 1 && handle != 2) {
        result.r0 = length;  // nothing written
        break;
      }
      // Only what still fits is read; the rest is counted as written.
      const uint32_t keep = static_cast<uint32_t>(std::min<uint64_t>(length, Room()));
      std::vector<char> bytes(keep);
      if (keep > 0 && !read_memory_(buffer, bytes.data(), keep)) {
        result.memory_error = true;
        break;
      }
      output_.append(bytes.begin(), bytes.end());
      dropped_ += length - keep;
      result.r0 = 0;
      break;
    }
    case kSysClock:
      result.r0 = static_cast<uint32_t>(static_cast<double>(cycles) / (clock_mhz * 1e4));
      break;
    case kSysTime:
    case kSysErrno:
      result.r0 = 0;
      break;
    case kSysExit:
      result.exit = true;
      result.exit_code = param == kAdpStoppedApplicationExit ? 0 : 1;
      break;
    case kSysExitExtended: {
      uint32_t reason = 0, code = 0;
      if (!ReadWord(param, reason) || !ReadWord(param + 4, code)) {
        result.memory_error = true;
        break;
      }
      result.exit = true;
      result.exit_code = reason == kAdpStoppedApplicationExit ? static_cast<int>(code) : 1;
      break;
    }
    default:
      if (unsupported_op_ == 0) unsupported_op_ = op;
      result.r0 = 0xFFFFFFFF;
      break;
  }
  return result;
}

}  // namespace tml::emu
