#include <gtest/gtest.h>

#include "tests/unit/emulator/firmware_fixture.h"

namespace tml::emu {
namespace {

using testing::MeasureAsm;

TEST(CycleModelTest, AluChain) {
  auto m = MeasureAsm("", "  adds r0, r0, #1\n  adds r1, r0, r2\n  eor r2, r1, r0\n  lsls r3, r2, #2\n");
  EXPECT_EQ(m.instructions, 4u);
  EXPECT_EQ(m.cycles, 4u);
}

}  // namespace
}  // namespace tml::emu
