// The flash model (emulator/flash_model.h): the LRU line cache, the stall
// rules on their own, and end to end in the runner on Thumb code placed on
// known flash lines (16-byte lines, the default profile's geometry). Expected
// figures follow by hand from the rules in flash_model.h on top of the TRM
// costs of cycle_model_test.cc.
#include "emulator/flash_model.h"

#include <gtest/gtest.h>

#include "tests/unit/emulator/firmware_fixture.h"

namespace tml::emu {
namespace {

using testing::MeasureAsm;

TEST(LineCacheTest, EvictsTheOldestLine) {
  LineCache cache(2, 100);
  EXPECT_FALSE(cache.Access(1));
  EXPECT_FALSE(cache.Access(2));
  EXPECT_TRUE(cache.Access(1));
  EXPECT_FALSE(cache.Access(3));  // evicts 1, the first filled
  EXPECT_TRUE(cache.Access(2));
  EXPECT_TRUE(cache.Access(3));
  EXPECT_FALSE(cache.Access(1));  // evicts 2
  EXPECT_FALSE(cache.Access(2));
}

TEST(LineCacheTest, NoLinesNeverHits) {
  LineCache cache(0, 100);
  EXPECT_FALSE(cache.Access(1));
  EXPECT_FALSE(cache.Access(1));
}

TEST(TargetProfileTest, NamedBoardsTakeTheirWaitStatesFromTheClock) {
  auto l4 = NamedTargetProfile("stm32l4r5@120");
  ASSERT_TRUE(l4.ok()) << l4.status().message();
  EXPECT_EQ(l4->flash_wait_states, 5u);
  EXPECT_TRUE(l4->flash_cache);
  EXPECT_EQ(l4->flash_size, 2048u * 1024);
  EXPECT_EQ(l4->sram_size, 640u * 1024);
  EXPECT_EQ(NamedTargetProfile("stm32l4r5@80")->flash_wait_states, 3u);
  EXPECT_EQ(NamedTargetProfile("stm32l4r5@20")->flash_wait_states, 0u);
  EXPECT_EQ(NamedTargetProfile("stm32f411")->flash_wait_states, 3u);  // default 100 MHz
  EXPECT_EQ(NamedTargetProfile("stm32f411@64")->flash_wait_states, 1u);
  auto m4 = NamedTargetProfile("cortex-m4");
  ASSERT_TRUE(m4.ok());
  EXPECT_EQ(m4->flash_wait_states, 0u);
  EXPECT_FALSE(m4->flash_cache);
  EXPECT_EQ(m4->clock_mhz, 80.0);
  EXPECT_EQ(DescribeTarget(*m4), "cortex-m4 @ 80 MHz, 0 flash wait states, no flash cache (16-byte flash reads)");
  EXPECT_FALSE(NamedTargetProfile("stm32f411@101").ok());
  EXPECT_FALSE(NamedTargetProfile("stm32h743").ok());
  EXPECT_FALSE(NamedTargetProfile("stm32l4r5@").ok());
  EXPECT_FALSE(NamedTargetProfile("stm32l4r5@-5").ok());
}

TEST(TargetProfileTest, OverridesApplyOnTopOfTheBoard) {
  TargetChoice choice;
  choice.spec = "stm32l4r5@120";
  choice.clock_mhz = 60;  // the part's table gives 2 WS at 60 MHz
  choice.flash_cache = "off";
  auto profile = ResolveTarget(choice);
  ASSERT_TRUE(profile.ok()) << profile.status().message();
  EXPECT_EQ(profile->clock_mhz, 60.0);
  EXPECT_EQ(profile->flash_wait_states, 2u);
  EXPECT_FALSE(profile->flash_cache);
  choice.flash_ws = 7;
  EXPECT_EQ(ResolveTarget(choice)->flash_wait_states, 7u);
  choice.flash_ws = 16;
  EXPECT_FALSE(ResolveTarget(choice).ok());
}

TargetProfile WithFlash(uint32_t wait_states, bool cache) {
  TargetProfile profile;
  profile.flash_wait_states = wait_states;
  profile.flash_cache = cache;
  return profile;
}

TEST(FlashModelTest, StraightLineWithoutCacheWaitsOnEveryLine) {
  // 4 lines of 4 cycles, entered by a branch: each line read waits 4.
  FlashModel flash(WithFlash(4, false));
  const uint16_t per_line[] = {4, 4, 4, 4};
  EXPECT_EQ(flash.FetchBlock(10, per_line, 4, false), 16u);
  // Again: no cache, every line is read again.
  EXPECT_EQ(flash.FetchBlock(10, per_line, 4, false), 16u);
}

TEST(FlashModelTest, PrefetchHidesWhatTheCoreSpendsOnTheLine) {
  // Entry miss 4; the prefetcher reads each next line while the core spends
  // 4 cycles on the current one: 4 + 1 - 4 = 1 per line. Second time all
  // four lines hit the I-cache.
  FlashModel flash(WithFlash(4, true));
  const uint16_t per_line[] = {4, 4, 4, 4};
  EXPECT_EQ(flash.FetchBlock(10, per_line, 4, false), 4u + 3u);
  EXPECT_EQ(flash.FetchBlock(10, per_line, 4, false), 0u);
}

TEST(FlashModelTest, TheLineBufferServesABranchWithinTheLine) {
  FlashModel flash(WithFlash(3, false));
  const uint16_t one[] = {2};
  EXPECT_EQ(flash.FetchBlock(7, one, 1, false), 3u);
  EXPECT_EQ(flash.FetchBlock(7, one, 1, false), 0u);  // same line: no read
}

TEST(FlashModelTest, DataCacheServesRepeatedConstantReads) {
  FlashModel cached(WithFlash(5, true));
  EXPECT_EQ(cached.ReadData(0x08000100), 5u);
  EXPECT_EQ(cached.ReadData(0x08000104), 0u);  // same 16-byte line
  FlashModel uncached(WithFlash(5, false));
  EXPECT_EQ(uncached.ReadData(0x08000100), 5u);
  EXPECT_EQ(uncached.ReadData(0x08000104), 5u);
}

// bkpt #1 starts a 16-byte line (so the code after it needs no new read),
// `b 1f` jumps to an aligned line: the measured code starts on a line of its own.
constexpr char kAlignedStart[] = "  b 0f\n  .balign 16\n0:\n";

std::string Nops(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += "  nop\n";
  return text;
}

RunnerOptions Flash(uint32_t wait_states, bool cache) {
  RunnerOptions options;
  options.profile = WithFlash(wait_states, cache);
  return options;
}

TEST(FlashModelTest, StraightLineCodeAtFourWaitStatesWithoutCache) {
  // b 1f (1 + P = 2); 32 nops (32) on 4 lines, then b 2f (2) on a fifth;
  // bkpt #2 on a sixth line. 0 WS: 36 cycles. 4 WS, no cache: each of the 6
  // line reads waits 4 = 24 more.
  const std::string body = "  b 1f\n  .balign 16\n1:\n" + Nops(32) + "  b 2f\n  .balign 16\n2:\n";
  EXPECT_EQ(MeasureAsm(kAlignedStart, body).cycles, 36u);
  EXPECT_EQ(MeasureAsm(kAlignedStart, body, "", Flash(4, false)).cycles, 36u + 6 * 4);
  // With the ART: the two lines reached by a branch miss (4 each); the
  // prefetcher has every sequential line ready (8 cycles of nops per line >
  // 1 + 4), so those cost nothing.
  EXPECT_EQ(MeasureAsm(kAlignedStart, body, "", Flash(4, true)).cycles, 36u + 2 * 4);
}

// A loop of three lines run `iterations` times; the count is set before bkpt #1.
uint64_t LoopCycles(int iterations, const RunnerOptions& options) {
  const std::string prologue = std::string(kAlignedStart) + "  movs r0, #" +
                               std::to_string(iterations) + "\n";
  const std::string body = "  b 1f\n  .balign 16\n1:\n" + Nops(20) +
                           "  subs r0, #1\n  bne 1b\n  b 2f\n  .balign 16\n2:\n";
  return MeasureAsm(prologue, body, "", options).cycles;
}

TEST(FlashModelTest, WithTheCacheALoopsSecondIterationCostsZeroWaitStateCycles) {
  const uint64_t one_iteration_0ws = LoopCycles(2, RunnerOptions{}) - LoopCycles(1, RunnerOptions{});
  EXPECT_EQ(one_iteration_0ws, 20u + 1u + 2u);  // nops, subs, taken bne
  const RunnerOptions art = Flash(4, true);
  EXPECT_EQ(LoopCycles(2, art) - LoopCycles(1, art), one_iteration_0ws);
  // Without the cache every iteration reads its 3 lines (20 nops, subs, bne:
  // 44 bytes) again after the branch back: 4 wait states each.
  const RunnerOptions plain = Flash(4, false);
  EXPECT_EQ(LoopCycles(2, plain) - LoopCycles(1, plain), one_iteration_0ws + 3 * 4);
}

TEST(FlashModelTest, ConstantLoadsWaitUnlessTheDataCacheHasTheLine) {
  // Two literal loads from the same 16-byte pool line (ldr 2, pipelined 1).
  const std::string body = "  ldr r0, =0x12345678\n  ldr r1, =0x9abcdef0\n";
  const uint64_t zero_ws = MeasureAsm(kAlignedStart, body, "  .ltorg\n").cycles;
  EXPECT_EQ(MeasureAsm(kAlignedStart, body, "  .ltorg\n", Flash(3, false)).cycles, zero_ws + 2 * 3);
  EXPECT_EQ(MeasureAsm(kAlignedStart, body, "  .balign 16\n  .ltorg\n", Flash(3, true)).cycles,
            zero_ws + 3);
}

}  // namespace
}  // namespace tml::emu
