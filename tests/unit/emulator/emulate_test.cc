#include "emulator/emulate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "tests/unit/emulator/firmware_fixture.h"

namespace tml::emu {
namespace {

using testing::BuildSource;
using ::testing::HasSubstr;

constexpr char kProgram[] = R"(
  #include <stdio.h>
  volatile int sink;
  __attribute__((noinline)) void busy(int n) { for (int i = 0; i < n; ++i) sink += i; }
  int main(void) {
    busy(2000);
    printf("done\n");
    return 5;
  }
)";

TEST(EmulateTest, ReportsCountsSizesOutputAndFunctions) {
  const std::string elf = BuildSource("main.c", kProgram);
  auto report = EmulateElf(elf, EmulationOptions{});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->exit_code, 5);
  EXPECT_EQ(report->stdout_text, "done\n");
  EXPECT_EQ(report->stopped_by, "bkpt #0");
  EXPECT_GT(report->instructions, 8000u);
  EXPECT_GE(report->cycles, report->instructions);
  EXPECT_GT(report->flash_bytes, 0u);
  EXPECT_GT(report->stack_bytes, 0u);
  ASSERT_FALSE(report->functions.empty());
  EXPECT_EQ(report->functions.front().name, "busy");

  const nlohmann::json json = ReportToJson(*report);
  for (const char* key : {"instructions", "cycles", "stdout", "exit_code", "stack_bytes",
                          "flash_bytes", "ram_bytes", "functions"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["cycles"].get<uint64_t>(), report->cycles);
  EXPECT_EQ(json["functions"][0]["name"], "busy");

  const std::string text = FormatReport(*report);
  EXPECT_THAT(text, HasSubstr("busy"));
  EXPECT_THAT(text, HasSubstr("cycles"));
  EXPECT_THAT(text, HasSubstr("done"));
}

TEST(EmulateTest, StackHighWaterIsUnknownWithoutTheStackSymbols) {
  const std::string elf = BuildSource("main.c", kProgram);
  const std::string stripped = elf + ".stripped";
  const std::string command = "arm-none-eabi-objcopy --strip-all " + elf + " " + stripped;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  auto report = EmulateElf(stripped, EmulationOptions{});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_FALSE(report->stack_known);
  EXPECT_TRUE(ReportToJson(*report)["stack_bytes"].is_null());
  EXPECT_THAT(FormatReport(*report), HasSubstr("stack high-water unknown"));
  auto with_symbols = EmulateElf(elf, EmulationOptions{});
  ASSERT_TRUE(with_symbols.ok());
  EXPECT_TRUE(with_symbols->stack_known);
  EXPECT_THAT(FormatReport(*with_symbols), HasSubstr("stack high-water"));
  EXPECT_THAT(FormatReport(*with_symbols), ::testing::Not(HasSubstr("unknown")));
}

TEST(EmulateTest, ReportNamesTheTargetAndItsFlashSettings) {
  const std::string elf = BuildSource("main.c", kProgram);
  EmulationOptions options;
  auto profile = NamedTargetProfile("stm32l4r5@120");
  ASSERT_TRUE(profile.ok()) << profile.status().message();
  options.runner.profile = *profile;
  auto report = EmulateElf(elf, options);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->flash_wait_states, 5u);
  EXPECT_TRUE(report->flash_cache);
  EXPECT_THAT(FormatReport(*report), HasSubstr("stm32l4r5 @ 120 MHz, 5 flash wait states, ART"));
  EXPECT_EQ(ReportToJson(*report)["flash_wait_states"], 5);
  // The same program at 0 wait states is faster, and the ART keeps the
  // difference small (the loop fits the instruction cache).
  auto zero_ws = EmulateElf(elf, EmulationOptions{});
  ASSERT_TRUE(zero_ws.ok());
  EXPECT_EQ(zero_ws->flash_wait_states, 0u);
  EXPECT_GT(report->cycles, zero_ws->cycles);
  EXPECT_LT(report->cycles, zero_ws->cycles * 11 / 10);
}

TEST(EmulateTest, FloatingPointAndLibm) {
  // newlib's libm for fpv4-sp: every instruction must decode and run.
  const std::string elf = BuildSource("main.c", R"(
    #include <math.h>
    #include <stdio.h>
    volatile float x = 0.5f;
    int main(void) {
      float acc = 0.0f;
      for (int i = 0; i < 100; ++i) acc += expf(x * i * 0.01f) + sqrtf(x + i) + tanhf(x - i * 0.02f);
      printf("%d\n", (int)(acc * 1000.0f));
      return 0;
    }
  )",
                                      TargetProfile{}, "-O3");
  auto report = EmulateElf(elf, EmulationOptions{});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->exit_code, 0);
  // Host reference of the same float computation (to within float rounding).
  float acc = 0.0f;
  const float x = 0.5f;
  for (int i = 0; i < 100; ++i) {
    acc += std::exp(x * i * 0.01f) + std::sqrt(x + i) + std::tanh(x - i * 0.02f);
  }
  EXPECT_NEAR(std::stoi(report->stdout_text), static_cast<int>(acc * 1000.0f), 50);
  bool saw_libm = false;
  for (const FunctionCost& f : report->functions) saw_libm |= f.name == "expf";
  EXPECT_TRUE(saw_libm);
}

TEST(EmulateTest, InstructionBudgetApplies) {
  const std::string elf = BuildSource("main.c", kProgram);
  EmulationOptions options;
  options.runner.max_instructions = 1000;
  auto report = EmulateElf(elf, options);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("did not finish within 1000 instructions"));
}

TEST(EmulateTest, MissingFileIsAnInputError) {
  auto report = EmulateElf("/nonexistent/firmware.elf", EmulationOptions{});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidInput);
}

TEST(EmulateTest, ZeroBudgetIsRejected) {
  const std::string elf = BuildSource("main.c", kProgram);
  EmulationOptions options;
  options.runner.max_instructions = 0;
  auto report = EmulateElf(elf, options);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidInput);
  EXPECT_THAT(report.status().message(), HasSubstr("at least 1"));
}

TEST(EmulateTest, TruncatedOutputIsSaid) {
  const std::string elf = BuildSource("main.c", R"(
    #include <string.h>
    int _write(int fd, const char* buf, int len);
    static char line[1024];
    int main(void) {
      memset(line, 'x', sizeof line);
      line[sizeof line - 1] = '\n';
      for (int i = 0; i < 100; ++i) _write(1, line, sizeof line);
      return 0;
    }
  )");
  auto report = EmulateElf(elf, EmulationOptions{});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->stdout_text.size(), 64u * 1024);
  EXPECT_EQ(report->stdout_dropped_bytes, 100u * 1024 - 64 * 1024);
  EXPECT_THAT(FormatReport(*report), HasSubstr("firmware output truncated: the first 65536 bytes "
                                               "are shown, 36864 more were written and dropped"));
  EXPECT_EQ(ReportToJson(*report)["stdout_dropped_bytes"].get<uint64_t>(), 36864u);
}

}  // namespace
}  // namespace tml::emu
