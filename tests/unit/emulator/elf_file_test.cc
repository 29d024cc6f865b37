#include "emulator/elf_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/unit/emulator/firmware_fixture.h"

namespace tml::emu {
namespace {

using testing::BuildSource;
using ::testing::HasSubstr;
using testing::TestDir;

constexpr char kProgram[] = R"(
  #include <stdint.h>
  const int32_t table[64] = {1, 2, 3};   /* .rodata: 256 bytes */
  int32_t counter = 5;                   /* .data: 4 bytes */
  int32_t scratch[100];                  /* .bss: 400 bytes */
  __attribute__((noinline)) int32_t sum(int n) {
    int32_t s = 0;
    for (int i = 0; i < n; ++i) s += table[i] + scratch[i];
    return s + counter;
  }
  int main(void) { return sum(10); }
)";

TEST(ElfFileTest, SymbolsSectionsAndSegments) {
  const std::string path = BuildSource("main.c", kProgram);
  auto elf = ElfFile::Read(path);
  ASSERT_TRUE(elf.ok()) << elf.status().message();

  const Symbol* table = elf->FindSymbol("table");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->size, 256u);
  EXPECT_FALSE(table->is_function);
  EXPECT_EQ(table->address >> 24, 0x08u);  // flash

  const Symbol* counter = elf->FindSymbol("counter");
  ASSERT_NE(counter, nullptr);
  EXPECT_EQ(counter->address >> 24, 0x20u);  // SRAM

  const Symbol* sum = elf->FindSymbol("sum");
  ASSERT_NE(sum, nullptr);
  EXPECT_TRUE(sum->is_function);
  EXPECT_EQ(sum->address & 1u, 0u);  // Thumb bit cleared
  ASSERT_NE(elf->FunctionAt(sum->address + 2), nullptr);
  EXPECT_EQ(elf->FunctionAt(sum->address + 2)->name, "sum");
  EXPECT_EQ(elf->FunctionAt(0x20000000), nullptr);

  const SectionSizes& sizes = elf->sizes();
  EXPECT_GE(sizes.rodata, 256u);
  EXPECT_GE(sizes.data, 4u);
  EXPECT_GE(sizes.bss, 400u);
  EXPECT_EQ(sizes.stack, 8192u);  // the default profile's stack, reported apart
  EXPECT_EQ(sizes.flash(), sizes.text + sizes.rodata + sizes.data);
  EXPECT_EQ(sizes.ram(), sizes.data + sizes.bss);

  // The .data image is loaded at its flash LMA, while its VMA is in SRAM.
  bool data_segment = false;
  for (const LoadSegment& seg : elf->segments()) {
    if (seg.virtual_address >> 24 == 0x20 && !seg.bytes.empty()) {
      data_segment = true;
      EXPECT_EQ(seg.physical_address >> 24, 0x08u);
    }
  }
  EXPECT_TRUE(data_segment);
}

TEST(ElfFileTest, RejectsFilesThatAreNotArmExecutables) {
  const std::string dir = TestDir();
  std::ofstream(dir + "/junk.elf") << "definitely not an ELF file";
  auto junk = ElfFile::Read(dir + "/junk.elf");
  EXPECT_THAT(junk.status().message(), HasSubstr("not an ELF file"));

  auto missing = ElfFile::Read(dir + "/missing.elf");
  EXPECT_THAT(missing.status().message(), HasSubstr("cannot open"));

  auto host = ElfFile::Read("/proc/self/exe");
  EXPECT_THAT(host.status().message(), HasSubstr("not a 32-bit little-endian ARM ELF"));
}

}  // namespace
}  // namespace tml::emu
