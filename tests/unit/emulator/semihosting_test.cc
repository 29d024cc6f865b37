#include "emulator/semihosting.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>

namespace tml::emu {
namespace {

// Guest memory as a sparse byte map; unmapped bytes fail the read.
class FakeMemory {
 public:
  void Put(uint32_t address, const void* data, size_t size) {
    for (size_t i = 0; i < size; ++i) bytes_[address + i] = static_cast<const uint8_t*>(data)[i];
  }
  void PutWords(uint32_t address, std::initializer_list<uint32_t> words) {
    for (uint32_t w : words) {
      Put(address, &w, 4);
      address += 4;
    }
  }
  Semihosting::ReadMemory Reader() {
    return [this](uint32_t address, void* out, uint32_t size) {
      for (uint32_t i = 0; i < size; ++i) {
        auto it = bytes_.find(address + i);
        if (it == bytes_.end()) return false;
        static_cast<uint8_t*>(out)[i] = it->second;
      }
      return true;
    };
  }

 private:
  std::map<uint32_t, uint8_t> bytes_;
};

TEST(SemihostingTest, WriteOperationsAppendToOutput) {
  FakeMemory memory;
  memory.Put(0x100, "hi\0", 3);
  memory.Put(0x200, "Z", 1);
  memory.Put(0x300, "payload", 7);
  memory.PutWords(0x400, {1, 0x300, 7});  // stdout
  memory.PutWords(0x500, {9, 0x300, 7});  // some file handle: not captured
  Semihosting semihosting(memory.Reader());
  EXPECT_EQ(semihosting.Call(0x04, 0x100, 0, 80).r0, 0u);
  semihosting.Call(0x03, 0x200, 0, 80);
  EXPECT_EQ(semihosting.Call(0x05, 0x400, 0, 80).r0, 0u);
  EXPECT_EQ(semihosting.Call(0x05, 0x500, 0, 80).r0, 7u);  // 7 bytes not written
  EXPECT_EQ(semihosting.output(), "hiZpayload");
}

TEST(SemihostingTest, ExitCodes) {
  FakeMemory memory;
  memory.PutWords(0x100, {kAdpStoppedApplicationExit, 42});
  Semihosting semihosting(memory.Reader());
  auto plain = semihosting.Call(0x18, kAdpStoppedApplicationExit, 0, 80);
  EXPECT_TRUE(plain.exit);
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_EQ(semihosting.Call(0x18, 0x20023, 0, 80).exit_code, 1);  // RunTimeErrorUnknown
  auto extended = semihosting.Call(0x20, 0x100, 0, 80);
  EXPECT_TRUE(extended.exit);
  EXPECT_EQ(extended.exit_code, 42);
}

TEST(SemihostingTest, ClockUnmappedPointersAndUnsupportedCalls) {
  FakeMemory memory;
  Semihosting semihosting(memory.Reader());
  // 80 MHz: 8e6 cycles are 0.1 s = 10 centiseconds.
  EXPECT_EQ(semihosting.Call(0x10, 0, 8'000'000, 80).r0, 10u);
  EXPECT_TRUE(semihosting.Call(0x04, 0xDEAD0000, 0, 80).memory_error);
  EXPECT_EQ(semihosting.Call(0x01, 0, 0, 80).r0, 0xFFFFFFFFu);  // SYS_OPEN
  EXPECT_EQ(semihosting.unsupported_op(), 0x01u);
}

// Issue 19: output is capped; what does not fit is counted, and SYS_WRITE
// does not even read it.
TEST(SemihostingTest, OutputIsCappedAndTheRestCounted) {
  FakeMemory memory;
  memory.Put(0x100, "abcdef\0", 7);
  memory.Put(0x200, "Z", 1);
  memory.Put(0x300, "0123456789", 10);
  memory.PutWords(0x400, {1, 0x300, 10});
  memory.PutWords(0x500, {2, 0x300, 0xFFFFFFF0});  // 4 GiB claimed, never read
  uint64_t bytes_read = 0;
  auto reader = memory.Reader();
  Semihosting semihosting(
      [&](uint32_t address, void* out, uint32_t size) {
        bytes_read += size;
        return reader(address, out, size);
      },
      8);
  EXPECT_EQ(semihosting.Call(0x04, 0x100, 0, 80).r0, 0u);  // "abcdef"
  EXPECT_EQ(semihosting.Call(0x05, 0x400, 0, 80).r0, 0u);  // 2 of 10 kept
  semihosting.Call(0x03, 0x200, 0, 80);                    // dropped
  EXPECT_EQ(semihosting.output(), "abcdef01");
  EXPECT_EQ(semihosting.dropped_bytes(), 9u);
  const uint64_t read_before = bytes_read;
  const SemihostingResult huge = semihosting.Call(0x05, 0x500, 0, 80);
  EXPECT_FALSE(huge.memory_error);
  EXPECT_EQ(huge.r0, 0u);
  EXPECT_EQ(bytes_read - read_before, 12u);  // the parameter block only
  EXPECT_EQ(semihosting.dropped_bytes(), 9u + 0xFFFFFFF0u);
  semihosting.ClearOutput();
  EXPECT_EQ(semihosting.output(), "");
  EXPECT_EQ(semihosting.dropped_bytes(), 0u);
}

TEST(SemihostingTest, Write0RunningIntoUnmappedMemoryIsAMemoryError) {
  FakeMemory memory;
  memory.Put(0x1F0, "0123456789abcdef0123", 20);  // crosses 0x200, no terminator
  Semihosting semihosting(memory.Reader());
  EXPECT_TRUE(semihosting.Call(0x04, 0x1F0, 0, 80).memory_error);
  EXPECT_EQ(semihosting.output(), "0123456789abcdef0123");
  // A string at the very top of the address space ends there.
  FakeMemory top;
  top.Put(0xFFFFFFFC, "top!", 4);
  Semihosting at_top(top.Reader());
  EXPECT_FALSE(at_top.Call(0x04, 0xFFFFFFFC, 0, 80).memory_error);
  EXPECT_EQ(at_top.output(), "top!");
}

}  // namespace
}  // namespace tml::emu
