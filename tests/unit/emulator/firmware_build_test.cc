#include "emulator/firmware_build.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "emulator/elf_file.h"
#include "emulator/linker_script.h"
#include "tests/unit/emulator/firmware_fixture.h"

namespace tml::emu {
namespace {

using ::testing::HasSubstr;
using testing::TestDir;

TEST(LinkerScriptTest, FollowsTheProfile) {
  TargetProfile profile;
  profile.flash_size = 512 * 1024;
  profile.sram_base = 0x10000000;
  profile.stack_size = 4096;
  const std::string script = LinkerScript(profile);
  EXPECT_THAT(script, HasSubstr("ORIGIN = 0x08000000, LENGTH = 524288"));
  EXPECT_THAT(script, HasSubstr("ORIGIN = 0x10000000, LENGTH = 262144"));
  EXPECT_THAT(script, HasSubstr("__tml_stack_size = 4096;"));
  EXPECT_THAT(script, HasSubstr("__tml_stack_top"));
  EXPECT_THAT(script, HasSubstr(".isr_vector"));
}

TEST(FirmwareBuildTest, BuildsWithDefinesAndIncludeDirs) {
  const std::string dir = TestDir();
  std::filesystem::create_directories(dir + "/inc");
  std::ofstream(dir + "/inc/answer.h") << "#define ANSWER_BASE 40\n";
  std::ofstream(dir + "/main.c")
      << "#include \"answer.h\"\nint main(void) { return ANSWER_BASE + EXTRA; }\n";
  FirmwareBuild build;
  build.build_dir = dir + "/out";
  build.sources = {dir + "/main.c"};
  build.include_dirs = {dir + "/inc"};
  build.defines = {"EXTRA=2"};
  auto elf = BuildFirmware(build);
  ASSERT_TRUE(elf.ok()) << elf.status().message();
  EXPECT_TRUE(std::filesystem::exists(*elf));
  EXPECT_TRUE(std::filesystem::exists(dir + "/out/link.ld"));
  auto runner = M4Runner::Load(*elf, RunnerOptions{});
  ASSERT_TRUE(runner.ok()) << runner.status().message();
  auto stop = (*runner)->RunUntilBreakpoint();
  ASSERT_TRUE(stop.ok()) << stop.status().message();
  EXPECT_EQ(stop->exit_code, 42);
}

TEST(FirmwareBuildTest, CompileErrorsCarryTheCompilerOutput) {
  const std::string dir = TestDir();
  std::ofstream(dir + "/broken.c") << "int main(void) { return undeclared_thing; }\n";
  FirmwareBuild build;
  build.build_dir = dir;
  build.sources = {dir + "/broken.c"};
  auto elf = BuildFirmware(build);
  ASSERT_FALSE(elf.ok());
  EXPECT_THAT(elf.status().message(), HasSubstr("firmware build failed"));
  EXPECT_THAT(elf.status().message(), HasSubstr("undeclared_thing"));
}

TEST(FirmwareBuildTest, ProgramThatDoesNotFitFailsWithTheFigures) {
  const std::string dir = TestDir();
  std::ofstream(dir + "/big.c") << "const char blob[300 * 1024] = {1};\n"
                                   "int main(void) { volatile int i = 12345; return blob[i]; }\n";
  FirmwareBuild build;
  build.profile.flash_size = 256 * 1024;
  build.build_dir = dir;
  build.sources = {dir + "/big.c"};
  auto elf = BuildFirmware(build);
  ASSERT_FALSE(elf.ok());
  EXPECT_THAT(elf.status().message(), HasSubstr("FLASH' overflowed by"));
}

TEST(FirmwareBuildTest, MissingCompilerIsReported) {
  FirmwareBuild build;
  build.build_dir = TestDir();
  build.sources = {"main.c"};
  build.compiler = "no-such-arm-gcc";
  auto elf = BuildFirmware(build);
  EXPECT_THAT(elf.status().message(), HasSubstr("cannot run 'no-such-arm-gcc'"));
}

}  // namespace
}  // namespace tml::emu
