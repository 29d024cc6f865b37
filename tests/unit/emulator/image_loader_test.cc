#include "emulator/image_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "tests/unit/emulator/firmware_fixture.h"

namespace tml::emu {
namespace {

using testing::BuildSource;
using ::testing::HasSubstr;

constexpr char kProgram[] = R"(
  #include <stdint.h>
  int32_t counter = 0x12345678;  /* .data: its image in flash, copied to SRAM */
  int main(void) { return counter; }
)";

std::vector<char> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What the runner starts from, computed without a CPU: the vector table's SP
// and reset handler, the segments at their addresses, the painted stack.
TEST(ImageLoaderTest, PlacesAFirmwareTheWayTheRunnerStartsIt) {
  const std::string path = BuildSource("main.c", kProgram);
  ASSERT_FALSE(path.empty());
  auto elf = ElfFile::Parse(ReadBytes(path), path);
  ASSERT_TRUE(elf.ok()) << elf.status().message();
  auto from_file = ElfFile::Read(path);
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(elf->entry(), from_file->entry());
  EXPECT_EQ(elf->segments().size(), from_file->segments().size());

  const TargetProfile profile;
  std::vector<uint8_t> flash(profile.flash_size, 0xFF), sram(profile.sram_size, 0);
  auto reset = LoadImage(*elf, profile, flash, sram);
  ASSERT_TRUE(reset.ok()) << reset.status().message();
  uint32_t vector_sp = 0, vector_reset = 0;
  std::memcpy(&vector_sp, flash.data(), 4);
  std::memcpy(&vector_reset, flash.data() + 4, 4);
  EXPECT_EQ(reset->sp, vector_sp & ~3u);
  EXPECT_EQ(reset->pc, vector_reset | 1u);

  // The generated linker script names the stack region; it is painted.
  ASSERT_TRUE(reset->stack_guard);
  EXPECT_EQ(reset->stack_bottom, elf->FindSymbol("__tml_stack_bottom")->address);
  EXPECT_EQ(reset->stack_top, elf->FindSymbol("__tml_stack_top")->address);
  EXPECT_TRUE(std::all_of(sram.begin() + (reset->stack_bottom - profile.sram_base),
                          sram.begin() + (reset->stack_top - profile.sram_base),
                          [](uint8_t b) { return b == kStackFill; }));

  // .data: its bytes at the LMA in flash and at the VMA in SRAM.
  const Symbol* counter = elf->FindSymbol("counter");
  ASSERT_NE(counter, nullptr);
  uint32_t value = 0;
  std::memcpy(&value, sram.data() + (counter->address - profile.sram_base), 4);
  EXPECT_EQ(value, 0x12345678u);

  // The same image through M4Runner starts at the same SP.
  auto runner = testing::LoadOrDie(path);
  ASSERT_NE(runner, nullptr);
  EXPECT_EQ(runner->stack_region().bottom, reset->stack_bottom);
}

// A segment moved outside the memory map is refused, naming the file, and
// nothing is written outside the host buffers (ASan builds check that).
TEST(ImageLoaderTest, RefusesASegmentOutsideTheMemoryMap) {
  const std::string path = BuildSource("main.c", kProgram);
  ASSERT_FALSE(path.empty());
  std::vector<char> bytes = ReadBytes(path);
  uint32_t phoff = 0;
  std::memcpy(&phoff, &bytes[28], 4);
  const uint32_t outside = 0x3FFFFFF0;  // neither flash nor SRAM
  std::memcpy(&bytes[phoff + 12], &outside, 4);  // p_paddr of the first program header
  auto elf = ElfFile::Parse(bytes, "moved.elf");
  ASSERT_TRUE(elf.ok()) << elf.status().message();

  const TargetProfile profile;
  std::vector<uint8_t> flash(profile.flash_size, 0xFF), sram(profile.sram_size, 0);
  auto reset = LoadImage(*elf, profile, flash, sram);
  ASSERT_FALSE(reset.ok());
  EXPECT_THAT(reset.status().message(), HasSubstr("moved.elf: segment 0"));
  EXPECT_THAT(reset.status().message(), HasSubstr("does not fit target 'cortex-m4'"));

  std::vector<uint8_t> small(4096);
  EXPECT_FALSE(LoadImage(*elf, profile, small, sram).ok());  // buffers must match the profile
}

}  // namespace
}  // namespace tml::emu
