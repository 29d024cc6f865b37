#include "emulator/m4_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "tests/unit/emulator/firmware_fixture.h"

namespace tml::emu {
namespace {

using testing::BuildSource;
using ::testing::HasSubstr;
using testing::LoadOrDie;

// Runs `source` (C) from reset and returns the error it must end with.
std::string RunExpectingError(const std::string& source, RunnerOptions options = {}) {
  const std::string elf = BuildSource("main.c", source);
  if (elf.empty()) return "";
  auto runner = LoadOrDie(elf, options);
  if (!runner) return "";
  auto stop = runner->RunUntilBreakpoint();
  EXPECT_FALSE(stop.ok()) << "firmware was expected to fail";
  if (stop.ok()) return "";
  // A dead runner refuses to resume instead of hanging or crashing.
  EXPECT_FALSE(runner->RunUntilBreakpoint().ok());
  return stop.status().message();
}

TEST(M4RunnerTest, UnmappedReadNamesPcFunctionAndInstruction) {
  const std::string message = RunExpectingError(R"(
    __attribute__((noinline)) int read_peripheral(void) { return *(volatile int*)0x40000000; }
    int main(void) { return read_peripheral(); }
  )");
  EXPECT_THAT(message, HasSubstr("read from unmapped address 0x40000000"));
  EXPECT_THAT(message, HasSubstr("in function read_peripheral"));
  EXPECT_THAT(message, HasSubstr("PC 0x080"));
  EXPECT_THAT(message, HasSubstr("ldr"));
}

TEST(M4RunnerTest, UnmappedWrite) {
  const std::string message = RunExpectingError(R"(
    __attribute__((noinline)) void write_peripheral(int v) { *(volatile int*)0x50000010 = v; }
    int main(void) { write_peripheral(3); return 0; }
  )");
  EXPECT_THAT(message, HasSubstr("write to unmapped address 0x50000010"));
  EXPECT_THAT(message, HasSubstr("in function write_peripheral"));
  EXPECT_THAT(message, HasSubstr("str"));
}

TEST(M4RunnerTest, UndefinedInstruction) {
  const std::string message = RunExpectingError(R"(
    __attribute__((noinline)) void bad_opcode(void) { __asm volatile("udf #7"); }
    int main(void) { bad_opcode(); return 0; }
  )");
  EXPECT_THAT(message, HasSubstr("undefined"));
  EXPECT_THAT(message, HasSubstr("in function bad_opcode"));
  EXPECT_THAT(message, HasSubstr("udf"));
}

TEST(M4RunnerTest, DoublePrecisionIsRejectedLikeOnAnM4) {
  // fpv4-sp has no double-precision unit; the Cortex-M4 CPU model refuses it.
  const std::string message = RunExpectingError(R"(
    // vadd.f64 d0, d1, d2 (gas refuses it for fpv4-sp-d16, so spell the encoding).
    __attribute__((noinline)) void use_double(void) { __asm volatile(".inst.w 0xee310b02"); }
    int main(void) { use_double(); return 0; }
  )");
  EXPECT_THAT(message, HasSubstr("in function use_double"));
  EXPECT_THAT(message, HasSubstr("vadd.f64"));
}

TEST(M4RunnerTest, FpuWithCpacrOffIsAUsageFault) {
  // The harness's start-up code enables CP10/CP11 as silicon requires; with
  // CPACR cleared again, the next FPU instruction faults (NOCP).
  const std::string message = RunExpectingError(R"(
    volatile float x = 1.5f;
    __attribute__((noinline)) float use_fpu(void) { return x * 2.0f; }
    int main(void) {
      *(volatile unsigned*)0xE000ED88u = 0;
      __asm volatile("dsb\n\tisb" ::: "memory");
      return (int)use_fpu();
    }
  )");
  EXPECT_THAT(message, HasSubstr("UsageFault (NOCP)"));
  EXPECT_THAT(message, HasSubstr("CPACR"));
  EXPECT_THAT(message, HasSubstr("in function use_fpu"));
  EXPECT_THAT(message, HasSubstr("vldr"));
}

TEST(M4RunnerTest, FpuRunsOnceCpacrGrantsCp10AndCp11) {
  const std::string elf = BuildSource("main.c", R"(
    volatile float x = 1.5f;
    int main(void) { return (int)(x * 2.0f); }
  )");
  auto runner = LoadOrDie(elf);
  ASSERT_NE(runner, nullptr);
  auto stop = runner->RunUntilBreakpoint();
  ASSERT_TRUE(stop.ok()) << stop.status().message();
  EXPECT_EQ(stop->exit_code, 3);
}

TEST(M4RunnerTest, TrappedDivideByZero) {
  const std::string message = RunExpectingError(R"(
    #include <stdint.h>
    __attribute__((noinline)) int divide(int a, int b) { return a / b; }
    int main(void) {
      *(volatile uint32_t*)0xE000ED14 |= 1u << 4;  /* SCB->CCR.DIV_0_TRP */
      volatile int zero = 0;
      return divide(10, zero);
    }
  )");
  EXPECT_THAT(message, HasSubstr("divide by zero"));
  EXPECT_THAT(message, HasSubstr("in function divide"));
  EXPECT_THAT(message, HasSubstr("sdiv"));
}

TEST(M4RunnerTest, UntrappedDivideByZeroYieldsZero) {
  auto runner = LoadOrDie(BuildSource("main.c", R"(
    __attribute__((noinline)) int divide(int a, int b) { return a / b; }
    int main(void) { volatile int zero = 0; return divide(10, zero) + 9; }
  )"));
  ASSERT_TRUE(runner);
  auto stop = runner->RunUntilBreakpoint();
  ASSERT_TRUE(stop.ok()) << stop.status().message();
  EXPECT_EQ(stop->exit_code, 9);
}

TEST(M4RunnerTest, FlashIsReadOnlyForTheHost) {
  auto runner =
      LoadOrDie(BuildSource("main.c",
                            "const int weights[4] = {1, 2, 3, 4};\n"
                            "int main(void) { volatile int i = 2; return weights[i]; }\n"));
  ASSERT_TRUE(runner);
  const int32_t value = 5;
  auto status = runner->WriteSymbol("weights", &value, sizeof value);
  EXPECT_THAT(status.message(), HasSubstr("flash is read-only"));
  auto bytes = runner->ReadSymbol("weights");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), 16u);
  EXPECT_EQ((*bytes)[8], 3);
}

TEST(M4RunnerTest, WaitForInterruptAndEventResume) {
  // No interrupt ever arrives; WFI, WFE and YIELD behave as no-ops.
  auto runner = LoadOrDie(BuildSource("main.c", R"(
    int main(void) {
      for (int i = 0; i < 3; ++i) __asm volatile("wfi\n\twfe\n\tyield" ::: "memory");
      return 11;
    }
  )"));
  ASSERT_TRUE(runner);
  auto stop = runner->RunUntilBreakpoint();
  ASSERT_TRUE(stop.ok()) << stop.status().message();
  EXPECT_EQ(stop->exit_code, 11);
}

TEST(M4RunnerTest, SvcWithoutExceptionModelIsAnError) {
  const std::string message = RunExpectingError(R"(
    __attribute__((noinline)) void syscall(void) { __asm volatile("svc #3"); }
    int main(void) { syscall(); return 0; }
  )");
  EXPECT_THAT(message, HasSubstr("SVC"));
  EXPECT_THAT(message, HasSubstr("in function syscall: svc #3"));
}

TEST(M4RunnerTest, JumpToUnmappedAddress) {
  const std::string message = RunExpectingError(R"(
    int main(void) { void (*f)(void) = (void (*)(void))0x30000001; f(); return 0; }
  )");
  EXPECT_THAT(message, HasSubstr("jump to unmapped address 0x30000000"));
  EXPECT_THAT(message, HasSubstr("in function main"));
}

TEST(M4RunnerTest, RunawayLoopHitsTheInstructionBudget) {
  RunnerOptions options;
  options.max_instructions = 100000;
  const std::string message = RunExpectingError(R"(
    volatile int flag;
    __attribute__((noinline)) void spin(void) { while (!flag) {} }
    int main(void) { spin(); return 0; }
  )",
                                                options);
  EXPECT_THAT(message, HasSubstr("did not finish within 100000 instructions (runaway loop?)"));
  EXPECT_THAT(message, HasSubstr("in function spin"));
}

TEST(M4RunnerTest, SemihostingOutputAndExitCode) {
  const std::string elf = BuildSource("main.c", R"(
    #include <stdio.h>
    #include <stdlib.h>
    int main(void) {
      printf("hello %d\n", 42);
      fflush(stdout);
      exit(3);
    }
  )");
  auto runner = LoadOrDie(elf);
  ASSERT_TRUE(runner);
  auto stop = runner->RunUntilBreakpoint();
  ASSERT_TRUE(stop.ok()) << stop.status().message();
  EXPECT_EQ(stop->reason, StopReason::kExit);
  EXPECT_EQ(stop->exit_code, 3);
  EXPECT_EQ(runner->output(), "hello 42\n");
  EXPECT_FALSE(runner->RunUntilBreakpoint().ok());  // exited programs do not resume
}

TEST(M4RunnerTest, SemihostingWrite0AndWritec) {
  const std::string elf = BuildSource("main.c", R"(
    static void semihost(int op, const void* arg) {
      register int r0 __asm__("r0") = op;
      register const void* r1 __asm__("r1") = arg;
      __asm volatile("bkpt #0xab" : "+r"(r0) : "r"(r1) : "memory");
    }
    int main(void) {
      semihost(0x04, "abc");
      char c = '!';
      semihost(0x03, &c);
      return 7;
    }
  )");
  auto runner = LoadOrDie(elf);
  ASSERT_TRUE(runner);
  auto stop = runner->RunUntilBreakpoint();
  ASSERT_TRUE(stop.ok()) << stop.status().message();
  EXPECT_EQ(stop->reason, StopReason::kBreakpoint);
  EXPECT_EQ(stop->breakpoint, 0u);  // the harness's end-of-main BKPT
  EXPECT_EQ(stop->exit_code, 7);    // main's return value in r0
  EXPECT_EQ(runner->output(), "abc!");
}

constexpr char kVerifyHarness[] = R"(
  #include <stdint.h>
  int32_t tml_in[4];
  int32_t tml_out[4];
  __attribute__((noinline)) void model_invoke(const int32_t* in, int32_t* out) {
    for (int i = 0; i < 4; ++i) out[i] = in[i] * in[i] + 1;
  }
  int main(void) {
    for (;;) {
      __asm volatile("bkpt #1" ::: "memory");
      model_invoke(tml_in, tml_out);
    }
  }
)";

TEST(M4RunnerTest, BreakpointProtocolRoundTrip) {
  auto runner = LoadOrDie(BuildSource("main.c", kVerifyHarness));
  ASSERT_TRUE(runner);
  auto ready = runner->RunUntilBreakpoint();
  ASSERT_TRUE(ready.ok()) << ready.status().message();
  ASSERT_EQ(ready->breakpoint, 1u);

  uint64_t first_cycles = 0;
  for (int32_t base : {1, -5, 1000}) {
    const int32_t input[4] = {base, base + 1, base + 2, base + 3};
    ASSERT_TRUE(runner->WriteSymbol("tml_in", input, sizeof input).ok());
    auto stop = runner->RunUntilBreakpoint();
    ASSERT_TRUE(stop.ok()) << stop.status().message();
    EXPECT_EQ(stop->breakpoint, 1u);
    auto bytes = runner->ReadSymbol("tml_out");
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    ASSERT_EQ(bytes->size(), 16u);
    int32_t output[4];
    std::memcpy(output, bytes->data(), sizeof output);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(output[i], input[i] * input[i] + 1);
    // The kernel is data-independent, so every inference costs the same.
    EXPECT_GT(stop->cycles, 10u);
    if (first_cycles == 0) first_cycles = stop->cycles;
    EXPECT_EQ(stop->cycles, first_cycles);
  }
}

TEST(M4RunnerTest, SymbolAccessErrorsNameTheSymbol) {
  auto runner = LoadOrDie(BuildSource("main.c", kVerifyHarness));
  ASSERT_TRUE(runner);
  const uint8_t too_big[17] = {};
  auto status = runner->WriteSymbol("tml_in", too_big, sizeof too_big);
  EXPECT_THAT(status.message(), HasSubstr("'tml_in' holds 16 bytes"));
  auto missing = runner->ReadSymbol("no_such_buffer");
  EXPECT_THAT(missing.status().message(), HasSubstr("no symbol 'no_such_buffer'"));
}

constexpr char kMarkedLayers[] = R"(
  #include "tml_marker.h"
  volatile int sink;
  __attribute__((noinline)) void layer(int n) { for (int i = 0; i < n; ++i) sink += i; }
  int main(void) {
    for (;;) {
      __asm volatile("bkpt #1" ::: "memory");
      TML_MARK(0); layer(100);
      TML_MARK(1); layer(300);
      TML_MARK(2); layer(50);
      TML_MARK(TML_MARK_NONE);
    }
  }
)";

TEST(M4RunnerTest, MarkerAttributionAddsUpToTheTotal) {
  auto runner = LoadOrDie(BuildSource("main.c", kMarkedLayers));
  ASSERT_TRUE(runner);
  ASSERT_TRUE(runner->RunUntilBreakpoint().ok());
  runner->ClearProfile();
  auto stop = runner->RunUntilBreakpoint();
  ASSERT_TRUE(stop.ok()) << stop.status().message();

  const auto profile = runner->MarkerProfile();
  uint64_t all = 0, layers = 0, instructions = 0;
  for (const auto& [id, a] : profile) {
    all += a.cycles;
    instructions += a.instructions;
    if (id != kMarkerNone) layers += a.cycles;
  }
  EXPECT_EQ(all, stop->cycles);
  EXPECT_EQ(instructions, stop->instructions);
  EXPECT_GE(static_cast<double>(layers), 0.99 * static_cast<double>(stop->cycles));
  ASSERT_EQ(profile.count(0), 1u);
  ASSERT_EQ(profile.count(1), 1u);
  ASSERT_EQ(profile.count(2), 1u);
  EXPECT_EQ(profile.at(1).entries, 1u);
  // Layer 1 loops 3x as often as layer 0, layer 2 half as often.
  const double ratio10 = static_cast<double>(profile.at(1).cycles) / profile.at(0).cycles;
  const double ratio20 = static_cast<double>(profile.at(2).cycles) / profile.at(0).cycles;
  EXPECT_NEAR(ratio10, 3.0, 0.05);
  EXPECT_NEAR(ratio20, 0.5, 0.05);
}

TEST(M4RunnerTest, FunctionProfileAndStackHighWater) {
  auto runner = LoadOrDie(BuildSource("main.c", R"(
    #include <string.h>
    volatile int sink;
    __attribute__((noinline)) void hot(int n) { for (int i = 0; i < n; ++i) sink += i; }
    __attribute__((noinline)) int deep(void) {
      volatile char buffer[2000];
      memset((char*)buffer, 1, sizeof buffer);
      return buffer[100];
    }
    int main(void) { hot(1000); return deep(); }
  )"));
  ASSERT_TRUE(runner);
  auto stop = runner->RunUntilBreakpoint();
  ASSERT_TRUE(stop.ok()) << stop.status().message();
  const auto functions = runner->FunctionProfile();
  ASSERT_EQ(functions.count("hot"), 1u);
  uint64_t sum = 0;
  for (const auto& [name, a] : functions) sum += a.cycles;
  EXPECT_EQ(sum, runner->cycles());
  EXPECT_GT(functions.at("hot").cycles, runner->cycles() / 2);
  EXPECT_GE(runner->StackHighWater(), 2000u);
  EXPECT_LT(runner->StackHighWater(), 2300u);
}

TEST(M4RunnerTest, DwtCyccntReadsModelledCycles) {
  auto runner = LoadOrDie(BuildSource("main.c", R"(
    #include <stdint.h>
    volatile int sink;
    uint32_t elapsed;
    int main(void) {
      volatile uint32_t* cyccnt = (volatile uint32_t*)0xE0001004;
      uint32_t start = *cyccnt;
      for (int i = 0; i < 1000; ++i) sink += i;
      elapsed = *cyccnt - start;
      __asm volatile("bkpt #1" ::: "memory");
      return 0;
    }
  )"));
  ASSERT_TRUE(runner);
  auto stop = runner->RunUntilBreakpoint();
  ASSERT_TRUE(stop.ok()) << stop.status().message();
  auto bytes = runner->ReadSymbol("elapsed");
  ASSERT_TRUE(bytes.ok());
  uint32_t elapsed = 0;
  std::memcpy(&elapsed, bytes->data(), 4);
  // ~1000 iterations of ldr/add/str/loop, block-granular reads.
  EXPECT_GT(elapsed, 4000u);
  EXPECT_LT(elapsed, 12000u);
}

// Issue 19 (hostile input): a recursion that never ends is a stack overflow,
// named as such with the function, not a write to unmapped memory after the
// stack ran through .bss and .data.
TEST(M4RunnerTest, StackOverflowIsNamedWithTheFunction) {
  const std::string message = RunExpectingError(R"(
    volatile int sink;
    __attribute__((noinline)) int deep(int n) {
      volatile char frame[64];
      frame[0] = (char)n;
      return deep(n + 1) + frame[0];
    }
    int main(void) { return deep(0); }
  )");
  EXPECT_THAT(message, HasSubstr("stack overflow"));
  EXPECT_THAT(message, HasSubstr("8192-byte stack region"));
  EXPECT_THAT(message, HasSubstr("in function deep"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("unmapped")));
}

TEST(M4RunnerTest, LargeStackFrameIsAStackOverflow) {
  const std::string message = RunExpectingError(R"(
    #include <string.h>
    __attribute__((noinline)) int big_frame(void) {
      volatile char buffer[12000];
      memset((char*)buffer, 1, sizeof buffer);
      return buffer[100];
    }
    int main(void) { return big_frame(); }
  )");
  EXPECT_THAT(message, HasSubstr("stack overflow"));
  EXPECT_THAT(message, HasSubstr("in function big_frame"));
}

TEST(M4RunnerTest, StackRegionComesFromTheLinkerScriptSymbols) {
  auto runner = LoadOrDie(BuildSource("main.c", "int main(void) { return 0; }"));
  ASSERT_TRUE(runner);
  const M4Runner::StackRegion stack = runner->stack_region();
  EXPECT_TRUE(stack.guarded);
  EXPECT_EQ(stack.top - stack.bottom, 8192u);
  EXPECT_EQ(runner->elf().FindSymbol("__tml_stack_top")->address, stack.top);
  auto stop = runner->RunUntilBreakpoint();
  ASSERT_TRUE(stop.ok()) << stop.status().message();
}

// A write loop keeps the first max_output_bytes and counts the rest: 300 MiB
// of SYS_WRITE must neither grow the host's memory nor be read.
TEST(M4RunnerTest, SemihostingOutputIsCapped) {
  auto runner = LoadOrDie(BuildSource("main.c", R"(
    int _write(int fd, const char* buf, int len);
    int main(void) {
      for (int i = 0; i < 300; ++i) _write(1, (const char*)0x08000000, 1 << 20);
      return 0;
    }
  )"));
  ASSERT_TRUE(runner);
  auto stop = runner->RunUntilBreakpoint();
  ASSERT_TRUE(stop.ok()) << stop.status().message();
  EXPECT_EQ(runner->output().size(), 64u * 1024);
  EXPECT_EQ(runner->output_dropped_bytes(), 300ull * (1 << 20) - 64 * 1024);

  RunnerOptions small;
  small.max_output_bytes = 10;
  auto hello = LoadOrDie(BuildSource("hello.c", R"(
    #include <stdio.h>
    int main(void) { printf("hello world\n"); return 0; }
  )"),
                         small);
  ASSERT_TRUE(hello);
  ASSERT_TRUE(hello->RunUntilBreakpoint().ok());
  EXPECT_EQ(hello->output(), "hello worl");
  EXPECT_EQ(hello->output_dropped_bytes(), 2u);
}

// A symbol's size comes from the file: reading "the whole symbol" must not
// allocate 4 GiB.
TEST(M4RunnerTest, HugeSymbolSizeIsAnErrorNotAnAllocation) {
  auto runner = LoadOrDie(BuildSource("main.c", R"(
    __asm(".data\n.global huge\nhuge: .word 7\n.size huge, 0xfffffff0\n.text\n");
    extern volatile int huge;
    int main(void) { return huge - 7; }
  )"));
  ASSERT_TRUE(runner);
  auto bytes = runner->ReadSymbol("huge");
  ASSERT_FALSE(bytes.ok());
  EXPECT_THAT(bytes.status().message(), HasSubstr("not mapped"));
  auto word = runner->ReadSymbol("huge", 4);
  ASSERT_TRUE(word.ok()) << word.status().message();
  EXPECT_EQ((*word)[0], 7);
}

TEST(M4RunnerTest, DefaultBudgetIsFinite) {
  EXPECT_EQ(RunnerOptions{}.max_instructions, kDefaultMaxInstructions);
  EXPECT_GT(kDefaultMaxInstructions, 0u);
}

}  // namespace
}  // namespace tml::emu
