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

}  // namespace
}  // namespace tml::emu
