#include "codegen/memory_plan.h"

#include <random>

#include <gtest/gtest.h>

namespace tml::codegen {
namespace {

TEST(MemoryPlanTest, ChainReusesMemory) {
  // a -> b -> c -> d: only neighbours are alive together.
  std::vector<BufferRequest> chain = {{400, 0, 1}, {400, 1, 2}, {400, 2, 3}, {400, 3, 4}};
  const MemoryPlan plan = PlanMemory(chain, 16);
  EXPECT_EQ(VerifyMemoryPlan(chain, plan), "");
  EXPECT_EQ(plan.arena_bytes, 800);
}

TEST(MemoryPlanTest, LargestFirstAndFirstFit) {
  // The big buffer lives throughout; the two small ones share the rest.
  std::vector<BufferRequest> b = {{64, 0, 0}, {1000, 0, 2}, {64, 2, 2}};
  const MemoryPlan plan = PlanMemory(b, 16);
  EXPECT_EQ(VerifyMemoryPlan(b, plan), "");
  EXPECT_EQ(plan.offsets[1], 0);
  EXPECT_EQ(plan.offsets[0], plan.offsets[2]);
  EXPECT_EQ(plan.arena_bytes, 1008 + 64);
}

TEST(MemoryPlanTest, OffsetsAreAligned) {
  std::vector<BufferRequest> b = {{3, 0, 1}, {5, 0, 1}, {7, 1, 2}};
  const MemoryPlan plan = PlanMemory(b, 16);
  for (int64_t o : plan.offsets) EXPECT_EQ(o % 16, 0);
  EXPECT_EQ(VerifyMemoryPlan(b, plan), "");
}

TEST(MemoryPlanTest, RandomPlansAreValidAndDeterministic) {
  std::mt19937 rng(3);
  for (int round = 0; round < 200; ++round) {
    std::vector<BufferRequest> b;
    const int n = 1 + static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) {
      const int first = static_cast<int>(rng() % 20);
      b.push_back({1 + static_cast<int64_t>(rng() % 5000), first, first + static_cast<int>(rng() % 6)});
    }
    const MemoryPlan plan = PlanMemory(b, 16);
    ASSERT_EQ(VerifyMemoryPlan(b, plan), "") << "round " << round;
    EXPECT_EQ(PlanMemory(b, 16).offsets, plan.offsets);
  }
}

TEST(MemoryPlanTest, VerifierCatchesOverlap) {
  std::vector<BufferRequest> b = {{64, 0, 1}, {64, 1, 2}};
  MemoryPlan bad;
  bad.offsets = {0, 32};
  bad.arena_bytes = 96;
  EXPECT_NE(VerifyMemoryPlan(b, bad), "");
}

}  // namespace
}  // namespace tml::codegen
