// Semihosting: the Arm semihosting ABI subset that bare-metal firmware uses
// to print and to exit, served by the runner when the guest executes
// `bkpt 0xab` (Unicorn has semihosting compiled out and reports it as an
// ordinary BKPT).
//
// Calling convention: r0 = operation, r1 = parameter (a value or a pointer
// to a parameter block), the result goes back in r0.
//
//   op    name               parameter                       effect
//   0x03  SYS_WRITEC         -> char                          append one char
//   0x04  SYS_WRITE0         -> NUL-terminated string         append the string
//   0x05  SYS_WRITE          -> {handle, buffer, length}      append when handle is 1 or 2;
//                                                             r0 = bytes NOT written (0)
//   0x10  SYS_CLOCK          -                                r0 = centiseconds of modelled time
//   0x11  SYS_TIME           -                                r0 = 0
//   0x13  SYS_ERRNO          -                                r0 = 0
//   0x18  SYS_EXIT           reason (0x20026 = success)       stop; exit code 0 or 1
//   0x20  SYS_EXIT_EXTENDED  -> {reason, code}                stop; exit code = code
// Anything else returns r0 = -1 and is remembered so reports can flag it.
//
// Output is bounded: the first `max_output` bytes are kept (64 KiB by
// default), the rest is only counted (dropped_bytes()), so a write loop
// cannot exhaust the host's memory. Bytes past the cap are not even read
// for SYS_WRITE (the length is known); SYS_WRITE0 still scans for the NUL.
#ifndef TML_EMULATOR_SEMIHOSTING_H_
#define TML_EMULATOR_SEMIHOSTING_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace tml::emu {

inline constexpr uint32_t kSemihostingBkpt = 0xAB;
inline constexpr uint32_t kAdpStoppedApplicationExit = 0x20026;

struct SemihostingResult {
  uint32_t r0 = 0;
  bool exit = false;
  int exit_code = 0;
  bool memory_error = false;  // a parameter pointed to unmapped memory
};

class Semihosting {
 public:
  // Reads `size` guest bytes at `address` into `out`; false if unmapped.
  using ReadMemory = std::function<bool(uint32_t address, void* out, uint32_t size)>;

  static constexpr size_t kDefaultMaxOutput = 64 * 1024;

  explicit Semihosting(ReadMemory read_memory, size_t max_output = kDefaultMaxOutput)
      : read_memory_(std::move(read_memory)), max_output_(max_output) {}

  // Serves one call. `cycles` and `clock_mhz` give SYS_CLOCK its time base.
  SemihostingResult Call(uint32_t op, uint32_t param, uint64_t cycles, double clock_mhz);

  // The first max_output bytes the firmware wrote to stdout/stderr so far.
  const std::string& output() const { return output_; }
  // Bytes written after output() was full: counted, not kept.
  uint64_t dropped_bytes() const { return dropped_; }
  void ClearOutput() {
    output_.clear();
    dropped_ = 0;
  }
  // The first unsupported operation seen, or 0.
  uint32_t unsupported_op() const { return unsupported_op_; }

 private:
  bool ReadWord(uint32_t address, uint32_t& value) { return read_memory_(address, &value, 4); }
  size_t Room() const { return max_output_ - output_.size(); }
  // Keeps what fits of `bytes`, counts the rest.
  void Append(const char* bytes, size_t size);

  ReadMemory read_memory_;
  size_t max_output_;
  std::string output_;
  uint64_t dropped_ = 0;
  uint32_t unsupported_op_ = 0;
};

}  // namespace tml::emu

#endif  // TML_EMULATOR_SEMIHOSTING_H_
