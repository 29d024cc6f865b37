#include "emulator/elf_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "emulator/m4_runner.h"
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

TEST(ElfFileTest, DirectoriesAndDevicesAreNotRead) {
  auto dir = ElfFile::Read(TestDir());
  EXPECT_THAT(dir.status().message(), HasSubstr("not a regular file"));
  auto device = ElfFile::Read("/dev/zero");
  EXPECT_THAT(device.status().message(), HasSubstr("not a regular file"));
}

// Issue 19 (hostile input): truncated and byte-flipped copies of a valid
// firmware, deterministically. Every one must give a value or a clean
// InvalidInput naming the file; the ones that parse must also load into the
// runner (whose image loader checks every segment and symbol against the
// memory map) and run a few instructions without crashing the host. Run it
// under -fsanitize=address,undefined to catch over-reads that do not crash.
TEST(ElfFileTest, TruncatedAndByteFlippedFilesFailCleanly) {
  const std::string original_path = BuildSource("main.c", kProgram);
  ASSERT_FALSE(original_path.empty());
  std::ifstream in(original_path, std::ios::binary);
  const std::vector<char> original((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  ASSERT_GT(original.size(), 1024u);
  const std::string path = TestDir() + "/mutant.elf";

  // The header tables are where a flipped byte matters most.
  uint32_t phoff = 0, shoff = 0;
  std::memcpy(&phoff, &original[28], 4);
  std::memcpy(&shoff, &original[32], 4);
  ASSERT_LT(shoff, original.size());

  std::mt19937 rng(19);  // fixed seed: the same mutants on every run
  std::vector<std::vector<char>> mutants;
  for (size_t size = 0; size < 600; size += 3) {
    mutants.emplace_back(original.begin(), original.begin() + static_cast<long>(size));
  }
  for (size_t k = 1; k <= 100; ++k) {
    const size_t size = original.size() * k / 101;
    mutants.emplace_back(original.begin(), original.begin() + static_cast<long>(size));
  }
  for (int m = 0; m < 1600; ++m) {
    std::vector<char> bytes = original;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      size_t at = 0;
      switch (rng() % 4) {
        case 0:  // ELF header and program headers
          at = rng() % std::min<size_t>(bytes.size(), phoff + 32 * 4);
          break;
        case 1:  // section headers
          at = shoff + rng() % (bytes.size() - shoff);
          break;
        default:  // anywhere
          at = rng() % bytes.size();
          break;
      }
      // Either a random byte or an extreme one (0x00, 0x7f, 0x80, 0xff).
      static constexpr char kExtremes[] = {0x00, 0x7f, static_cast<char>(0x80),
                                           static_cast<char>(0xff)};
      bytes[at] = rng() % 2 ? static_cast<char>(rng()) : kExtremes[rng() % 4];
    }
    if (m % 8 == 7) bytes.resize(rng() % bytes.size());  // flipped and truncated
    mutants.push_back(std::move(bytes));
  }
  // Whole 32-bit fields of the program headers and the symbol table set to
  // values that overflow address arithmetic (a PT_LOAD at 0x20000010 with
  // memsz 0xfffffff8, __tml_stack_top = 0xfffffff0, ...).
  uint32_t symtab = 0, symtab_size = 0;
  uint16_t shnum = 0;
  std::memcpy(&shnum, &original[48], 2);
  for (uint32_t k = 0; k < shnum && shoff + 40 * (k + 1) <= original.size(); ++k) {
    uint32_t type = 0;
    std::memcpy(&type, &original[shoff + 40 * k + 4], 4);
    if (type == 2) {  // SHT_SYMTAB
      std::memcpy(&symtab, &original[shoff + 40 * k + 16], 4);
      std::memcpy(&symtab_size, &original[shoff + 40 * k + 20], 4);
    }
  }
  ASSERT_GT(symtab_size, 0u);
  uint16_t phnum = 0;
  std::memcpy(&phnum, &original[44], 2);
  static constexpr uint32_t kWords[] = {0,          1,          0x7fffffff, 0x80000000,
                                        0xfffffff0, 0xfffffff8, 0xffffffff, 0x20000010,
                                        0x2003fffc, 0x20040000, 0x08000000, 0x080ffffc};
  for (int m = 0; m < 600; ++m) {
    std::vector<char> bytes = original;
    const uint32_t at = m % 2 ? phoff + 4 * static_cast<uint32_t>(rng() % (8u * phnum))
                              : symtab + 4 * static_cast<uint32_t>(rng() % (symtab_size / 4));
    const uint32_t value = kWords[rng() % std::size(kWords)];
    std::memcpy(&bytes[at], &value, 4);
    mutants.push_back(std::move(bytes));
  }

  int parsed = 0, loaded = 0, rejected = 0;
  for (size_t i = 0; i < mutants.size(); ++i) {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(mutants[i].data(), static_cast<std::streamsize>(mutants[i].size()));
    }
    auto elf = ElfFile::Read(path);
    if (!elf.ok()) {
      ++rejected;
      EXPECT_EQ(elf.status().code(), StatusCode::kInvalidInput)
          << "mutant " << i << ": " << elf.status().message();
      EXPECT_EQ(elf.status().message().rfind(path + ": ", 0), 0u)
          << "mutant " << i << ": " << elf.status().message();
      continue;
    }
    ++parsed;
    // Use what was read: every lookup must stay inside the tables.
    for (const Symbol& f : elf->functions()) {
      (void)elf->FunctionAt(f.address);
      (void)elf->FunctionAt(f.address + f.size);
    }
    (void)elf->sizes().flash();
    RunnerOptions options;
    options.max_instructions = 20000;
    auto runner = M4Runner::Load(path, options);
    if (!runner.ok()) {
      EXPECT_EQ(runner.status().code(), StatusCode::kInvalidInput)
          << "mutant " << i << ": " << runner.status().message();
      continue;
    }
    ++loaded;
    auto stop = (*runner)->RunUntilBreakpoint();
    if (!stop.ok()) {
      EXPECT_EQ(stop.status().code(), StatusCode::kInvalidInput)
          << "mutant " << i << ": " << stop.status().message();
    }
    (void)(*runner)->StackHighWater();
  }
  // The campaign exercised all three outcomes.
  EXPECT_GT(rejected, 100);
  EXPECT_GT(parsed, 100);
  EXPECT_GT(loaded, 50);
}

}  // namespace
}  // namespace tml::emu
