#include "emulator/emulate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/emulator/firmware_fixture.h"

namespace tml::emu {
namespace {

using ::testing::HasSubstr;
using testing::BuildSource;

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

}  // namespace
}  // namespace tml::emu
