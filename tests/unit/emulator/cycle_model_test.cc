// Microbenchmarks for the cycle model. Each test runs a short Thumb-2
// sequence between `bkpt #1` and `bkpt #2` (firmware_fixture.h) and asserts
// the exact cycle count that follows by hand from the Cortex-M4 TRM
// (DDI 0439B tables 3-1/7-1, §3.3.2) with the defaults of CycleParams:
// P = 1 for direct and register branches, 3 for loads to PC, +1 for a taken
// branch to a 32-bit instruction at an address that is 2 mod 4, zero wait
// states. The closing BKPT costs nothing.
#include "emulator/cycle_model.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/unit/emulator/firmware_fixture.h"

namespace tml::emu {
namespace {

using testing::MeasureAsm;

// r1, r2, r3 -> a scratch word on the stack that holds its own address, so
// dependent loads stay in SRAM; r5 = 0 for register offsets.
constexpr char kPointers[] = R"(
  sub sp, sp, #16
  mov r1, sp
  mov r2, sp
  mov r3, sp
  str r1, [r1]
  str r1, [r1, #4]
  str r1, [r1, #8]
  movs r5, #0
)";

TEST(CycleModelTest, AluChain) {
  // adds, adds, eor.w, lsls, mul, mla, umull: 1 cycle each (TRM table 3-1;
  // the M4's 32-bit multiplier is single-cycle) = 7.
  auto m = MeasureAsm("", R"(
  adds r0, r0, #1
  adds r1, r0, r2
  eor r2, r1, r0
  lsls r3, r2, #2
  mul r4, r3, r2
  mla r4, r3, r2, r4
  umull r6, r7, r4, r3
)");
  EXPECT_EQ(m.instructions, 7u);
  EXPECT_EQ(m.cycles, 7u);
}

TEST(CycleModelTest, IndependentLoadsPipeline) {
  // TRM §3.3.2: "LDR R0,[R1]; LDR R1,[R2]" = 3 cycles: 2 + 1 (the second
  // load's address does not use R0, so it pipelines).
  auto m = MeasureAsm(kPointers, "  ldr r0, [r1]\n  ldr r1, [r2]\n");
  EXPECT_EQ(m.instructions, 2u);
  EXPECT_EQ(m.cycles, 3u);
}

TEST(CycleModelTest, ThreeLoadsPipeline) {
  // TRM §3.3.2: "LDR R0,[R1,R5]; LDR R1,[R2]; LDR R2,[R3,#4]" = 4 cycles:
  // 2 + 1 + 1.
  auto m = MeasureAsm(kPointers, "  ldr r0, [r1, r5]\n  ldr r1, [r2]\n  ldr r2, [r3, #4]\n");
  EXPECT_EQ(m.cycles, 4u);
}

TEST(CycleModelTest, DependentLoadsDoNotPipeline) {
  // The second load's base is the first load's destination: 2 + 2 = 4.
  auto m = MeasureAsm(kPointers, "  ldr r1, [r2]\n  ldr r0, [r1]\n");
  EXPECT_EQ(m.cycles, 4u);
}

TEST(CycleModelTest, StoreAfterLoad) {
  // ldr 2; str Rt,[Rn,#imm] is always 1 (write buffer); the register-offset
  // str costs 2 and follows a store, after which nothing pipelines.
  // Total 2 + 1 + 2 = 5.
  auto m = MeasureAsm(kPointers, "  ldr r0, [r1]\n  str r0, [r2, #4]\n  str r0, [r2, r5]\n");
  EXPECT_EQ(m.cycles, 5u);
}

TEST(CycleModelTest, RegisterOffsetStorePipelinesBehindLoad) {
  // ldr 2; str r0,[r2,r5] 2 - 1 (pipelined) = 1: total 3.
  auto m = MeasureAsm(kPointers, "  ldr r0, [r1]\n  str r0, [r2, r5]\n");
  EXPECT_EQ(m.cycles, 3u);
}

TEST(CycleModelTest, LoadAfterStoreDoesNotPipeline) {
  // str imm 1; ldr 2 (nothing pipelines after a store) = 3.
  auto m = MeasureAsm(kPointers, "  str r0, [r2, #4]\n  ldr r3, [r1]\n");
  EXPECT_EQ(m.cycles, 3u);
}

TEST(CycleModelTest, AddressInterlockAfterAlu) {
  // adds 1; ldr whose base was just computed by an ALU instruction:
  // 2 + 1 (no forwarding path to the address generator) = 4.
  auto m = MeasureAsm(kPointers, "  adds r1, r2, #0\n  ldr r0, [r1]\n");
  EXPECT_EQ(m.cycles, 4u);
}

TEST(CycleModelTest, LoadStoreMultiple) {
  // ldm of 4 registers: 1+N = 5; stmia of 2: 1+2 = 3; ldrd: 3. Total 11.
  auto m = MeasureAsm(kPointers,
                      "  ldm r1, {r4, r6, r7, r8}\n  stm r2, {r6, r7}\n"
                      "  ldrd r6, r7, [r3]\n");
  EXPECT_EQ(m.cycles, 11u);
}

TEST(CycleModelTest, PushPop) {
  // push {r4-r7} 1+4 = 5; pop {r4-r7} 5. Total 10.
  auto m = MeasureAsm("", "  push {r4-r7}\n  pop {r4-r7}\n");
  EXPECT_EQ(m.instructions, 2u);
  EXPECT_EQ(m.cycles, 10u);
}

TEST(CycleModelTest, BranchTakenToAlignedNarrowTarget) {
  // b taken 1+P = 2; adds 1 = 3. The skipped nop is not executed.
  auto m = MeasureAsm("", "  b 1f\n  nop\n1:\n  adds r0, #1\n");
  EXPECT_EQ(m.instructions, 2u);
  EXPECT_EQ(m.cycles, 3u);
}

TEST(CycleModelTest, ConditionalBranchNotTaken) {
  // cmp 1; bne not taken 1; adds 1; adds 1 = 4.
  auto m = MeasureAsm("", "  cmp r0, r0\n  bne 1f\n  adds r0, #1\n1:\n  adds r1, #1\n");
  EXPECT_EQ(m.instructions, 4u);
  EXPECT_EQ(m.cycles, 4u);
}

TEST(CycleModelTest, ConditionalBranchTaken) {
  // cmp 1; beq taken 2; adds 1 = 4.
  auto m = MeasureAsm("", "  cmp r0, r0\n  beq 1f\n  adds r0, #1\n1:\n  adds r1, #1\n");
  EXPECT_EQ(m.instructions, 3u);
  EXPECT_EQ(m.cycles, 4u);
}

TEST(CycleModelTest, BranchToAlignedWideTarget) {
  // b.w 2; add.w at a word-aligned address 1 = 3.
  auto m = MeasureAsm("", "  b.w 1f\n  .balign 4\n1:\n  add.w r0, r0, #1\n");
  EXPECT_EQ(m.cycles, 3u);
}

TEST(CycleModelTest, BranchToUnalignedWideTarget) {
  // b.w 2; +1 because the target is a 32-bit instruction at 2 mod 4;
  // add.w 1 = 4.
  auto m = MeasureAsm("", "  b.w 1f\n  .balign 4\n  nop\n1:\n  add.w r0, r0, #1\n");
  EXPECT_EQ(m.instructions, 2u);
  EXPECT_EQ(m.cycles, 4u);
}

TEST(CycleModelTest, CallAndReturn) {
  // bl 1+P = 2; bx lr 1+P = 2; adds 1 = 5 ("a call and return cost four").
  auto m =
      MeasureAsm("", "  bl leaf\n  adds r0, #1\n",
                 "  .type leaf, %function\n  .balign 4\nleaf:\n  bx lr\n  .size leaf, .-leaf\n");
  EXPECT_EQ(m.instructions, 3u);
  EXPECT_EQ(m.cycles, 5u);
}

TEST(CycleModelTest, PopToPc) {
  // bl 2; push {r4, lr} 1+2 = 3; pop {r4, pc} 1+2+3 = 6; adds 1 = 12.
  auto m = MeasureAsm("", "  bl frame\n  adds r0, #1\n",
                      "  .type frame, %function\n  .balign 4\nframe:\n  push {r4, lr}\n"
                      "  pop {r4, pc}\n  .size frame, .-frame\n");
  EXPECT_EQ(m.instructions, 4u);
  EXPECT_EQ(m.cycles, 12u);
}

TEST(CycleModelTest, TableBranch) {
  // tbb = 2 (load) + 1 (add) + 3 (refill) = 6; adds 1 = 7. The table's one
  // entry jumps over itself: target = tbb + 4 + 2 * 1.
  auto m = MeasureAsm("  movs r0, #0", "  tbb [pc, r0]\n  .byte 1, 0\n  adds r1, #1\n");
  EXPECT_EQ(m.instructions, 2u);
  EXPECT_EQ(m.cycles, 7u);
}

TEST(CycleModelTest, ItBlockFoldsAndCountsSkippedInstructions) {
  // r0 = 0, so `addeq` fails its condition: it only issues (1 cycle) and is
  // not an executed instruction. cmp 1; it 0 (folded behind a 16-bit
  // instruction); addeq 1; adds 1 = 3 cycles, 3 instructions.
  auto m = MeasureAsm("  movs r0, #0", "  cmp r0, #1\n  it eq\n  addeq r1, #1\n  adds r2, #1\n");
  EXPECT_EQ(m.instructions, 3u);
  EXPECT_EQ(m.cycles, 3u);
}

TEST(CycleModelTest, SmladLoop) {
  // movs 1; then 4 iterations of smlad 1 + subs 1 + bne (taken 2, last
  // not taken 1): 3 * 4 + 3 = 15. The prologue's .balign puts bkpt #1 on a
  // word boundary, so movs is at 2 mod 4 and the loop head (32-bit smlad) is
  // word-aligned: no unaligned-target penalty. Total 16.
  auto m = MeasureAsm("  .balign 4", R"(
  movs r4, #4
1:
  smlad r0, r1, r2, r0
  subs r4, #1
  bne 1b
)");
  EXPECT_EQ(m.instructions, 13u);
  EXPECT_EQ(m.cycles, 16u);
}

TEST(CycleModelTest, IndependentVadd) {
  // Three independent vadd.f32: 1 each = 3.
  auto m = MeasureAsm("", "  vadd.f32 s0, s1, s2\n  vadd.f32 s3, s4, s5\n  vadd.f32 s6, s7, s8\n");
  EXPECT_EQ(m.cycles, 3u);
}

TEST(CycleModelTest, DependentVadd) {
  // Each vadd consumes the previous result: 1 + (1+1) + (1+1) = 5.
  auto m = MeasureAsm("", "  vadd.f32 s0, s1, s2\n  vadd.f32 s3, s0, s4\n  vadd.f32 s5, s3, s6\n");
  EXPECT_EQ(m.cycles, 5u);
}

TEST(CycleModelTest, VmlaChainForwardsAccumulator) {
  // Three vmla.f32 into s0: 3 each, the addend is consumed a cycle late so
  // the chain does not stall = 9; vadd reading s0 right after: 1 + 1 = 2.
  // Total 11.
  auto m = MeasureAsm("", R"(
  vmla.f32 s0, s1, s2
  vmla.f32 s0, s3, s4
  vmla.f32 s0, s5, s6
  vadd.f32 s7, s0, s1
)");
  EXPECT_EQ(m.cycles, 11u);
}

TEST(CycleModelTest, VmlaMultiplicandDependency) {
  // The second vmla multiplies by the first one's result: 3 + (3+1) = 7.
  auto m = MeasureAsm("", "  vmla.f32 s0, s1, s2\n  vmla.f32 s3, s0, s4\n");
  EXPECT_EQ(m.cycles, 7u);
}

TEST(CycleModelTest, Vdiv) {
  // vdiv.f32 14; dependent vadd 1 + 1; independent adds 1. Total 17.
  auto m = MeasureAsm("  vmov.f32 s2, #2.0",
                      "  vdiv.f32 s0, s1, s2\n  vadd.f32 s3, s0, s4\n  adds r0, #1\n");
  EXPECT_EQ(m.cycles, 17u);
}

TEST(CycleModelTest, DivideIsDataDependent) {
  // DivideCycles: 2 + ceil(q / 3), q = quotient bits, capped at 12.
  // 100 / 7: 7 - 3 + 1 = 5 quotient bits -> 2 + 2 = 4.
  EXPECT_EQ(MeasureAsm("  movs r1, #100\n  movs r2, #7", "  sdiv r0, r1, r2\n").cycles, 4u);
  // -100 / 7 behaves like 100 / 7.
  EXPECT_EQ(MeasureAsm("  mvn r1, #99\n  movs r2, #7", "  sdiv r0, r1, r2\n").cycles, 4u);
  // 0x7fffffff / 1: 31 quotient bits -> 2 + 11 = 13, capped at 12.
  EXPECT_EQ(MeasureAsm("  mvn r1, #0x80000000\n  movs r2, #1", "  udiv r0, r1, r2\n").cycles, 12u);
  // Divisor larger than the dividend, and division by zero (not trapped):
  // early termination, 2.
  EXPECT_EQ(MeasureAsm("  movs r1, #3\n  movs r2, #7", "  udiv r0, r1, r2\n").cycles, 2u);
  EXPECT_EQ(MeasureAsm("  movs r1, #3\n  movs r2, #0", "  udiv r0, r1, r2\n").cycles, 2u);
  EXPECT_EQ(DivideCycles(100, 7, true), 4u);
}

TEST(CycleModelTest, SkippedDivideInItBlockCostsOneCycle) {
  // cmp 1; it (folded) 0; sdiveq fails its condition: issue cycle only, 1,
  // and not an executed instruction.
  auto m = MeasureAsm("  movs r1, #100\n  movs r2, #7\n  movs r3, #0",
                      "  cmp r3, #1\n  it eq\n  sdiveq r0, r1, r2\n");
  EXPECT_EQ(m.instructions, 2u);
  EXPECT_EQ(m.cycles, 2u);
}

TEST(CycleModelTest, ConstantDivideCycles) {
  // With the data-dependent model off, every divide costs divide_cycles.
  RunnerOptions options;
  options.cycles.data_dependent_divide = false;
  auto m = MeasureAsm("  movs r1, #100\n  movs r2, #7", "  sdiv r0, r1, r2\n", "", options);
  EXPECT_EQ(m.cycles, 7u);
  options.cycles.divide_cycles = 12;
  auto slow = MeasureAsm("  movs r1, #100\n  movs r2, #7", "  udiv r0, r1, r2\n", "", options);
  EXPECT_EQ(slow.cycles, 12u);
}

TEST(CycleModelTest, VmovCoreAndFpLoads) {
  // vmov s0, r0 (core -> FP) 2; vldr.32 2; vstr.32 2; vpush {s16-s19} 1+4 = 5;
  // vpop 5. Total 16.
  auto m = MeasureAsm(kPointers, R"(
  vmov s0, r0
  vldr s1, [r1]
  vstr s2, [r2, #4]
  vpush {s16-s19}
  vpop {s16-s19}
)");
  EXPECT_EQ(m.cycles, 16u);
}

TEST(CycleModelTest, ItSkippedInstructionsAreNotExecuted) {
  // cmp 1; itt eq folded after the 16-bit cmp (0); then ldreq 2 and addeq 1
  // when Z is set. When it is not, both are skipped: not counted as executed
  // instructions, 1 cycle each (their issue slot).
  const std::string body = "  cmp r5, #{}\n  itt eq\n  ldreq r0, [r1]\n  addeq r4, r4, #1\n";
  auto taken = MeasureAsm(kPointers, fmt::format(body, 0));
  EXPECT_EQ(taken.instructions, 4u);
  EXPECT_EQ(taken.cycles, 4u);
  auto skipped = MeasureAsm(kPointers, fmt::format(body, 1));
  EXPECT_EQ(skipped.instructions, 2u);
  EXPECT_EQ(skipped.cycles, 3u);
}

TEST(CycleModelTest, TheFailingHalfOfAnItElseBlockIsSkipped) {
  // r5 = 0: movne runs, moveq is skipped. cmp 1 + ite (folded) 0 + movne 1
  // + moveq's issue slot 1 = 3 cycles; 3 instructions executed.
  auto m = MeasureAsm(kPointers, "  cmp r5, #1\n  ite ne\n  movne r0, #1\n  moveq r0, #2\n");
  EXPECT_EQ(m.instructions, 3u);
  EXPECT_EQ(m.cycles, 3u);
}

// The runner's stack-overflow check looks at SP only after blocks that may
// lower it: BlockInfo::last_sp_write marks them (not POP, which raises SP).
TEST(CycleModelTest, BlocksThatLowerSpAreMarked) {
  BlockAnalyzer analyzer{CycleParams{}};
  ASSERT_TRUE(analyzer.ok());
  // push {r4, lr}; sub sp, #8; adds r0, #1
  const uint8_t prologue[] = {0x10, 0xB5, 0x82, 0xB0, 0x01, 0x30};
  EXPECT_EQ(analyzer.Analyze(0x08000000, prologue, sizeof prologue, true).last_sp_write, 1);
  // adds r0, #1; str r0, [sp, #4]
  const uint8_t plain[] = {0x01, 0x30, 0x01, 0x90};
  EXPECT_EQ(analyzer.Analyze(0x08000000, plain, sizeof plain, true).last_sp_write, -1);
  // pop {r4, pc}
  const uint8_t epilogue[] = {0x10, 0xBD};
  EXPECT_EQ(analyzer.Analyze(0x08000000, epilogue, sizeof epilogue, true).last_sp_write, -1);
  // vpush {s16}
  const uint8_t vpush[] = {0x2D, 0xED, 0x01, 0x8A};
  EXPECT_EQ(analyzer.Analyze(0x08000000, vpush, sizeof vpush, true).last_sp_write, 0);
}

}  // namespace
}  // namespace tml::emu
