#include "emulator/semihosting.h"

#include <algorithm>
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
// A runaway SYS_WRITE0 on a missing terminator must not eat the host's memory.
constexpr uint32_t kMaxWrite = 1 << 20;

}  // namespace

SemihostingResult Semihosting::Call(uint32_t op, uint32_t param, uint64_t cycles,
                                    double clock_mhz) {
  SemihostingResult result;
  switch (op) {
    case kSysWritec: {
      char c = 0;
      if (!read_memory_(param, &c, 1))
        result.memory_error = true;
      else
        output_.push_back(c);
      break;
    }
    case kSysWrite0: {
      for (uint32_t i = 0; i < kMaxWrite; ++i) {
        char c = 0;
        if (!read_memory_(param + i, &c, 1)) {
          result.memory_error = true;
          break;
        }
        if (c == '\0') break;
        output_.push_back(c);
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
      std::vector<char> bytes(std::min(length, kMaxWrite));
      if (!bytes.empty() &&
          !read_memory_(buffer, bytes.data(), static_cast<uint32_t>(bytes.size()))) {
        result.memory_error = true;
        break;
      }
      output_.append(bytes.begin(), bytes.end());
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
