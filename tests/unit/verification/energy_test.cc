#include "verification/energy.h"

#include <gtest/gtest.h>

namespace tml::verification {
namespace {

TEST(EnergyTest, MicrojoulesFromCycles) {
  EnergyModel m;  // 80 MHz, 100 uA/MHz, 3.0 V
  // 80,000 cycles = 1 ms at 80 MHz; 8 mA * 3 V * 1 ms = 24 uJ.
  const EnergyEstimate e = EstimateEnergy(80000, m);
  EXPECT_DOUBLE_EQ(e.seconds_per_inference, 1e-3);
  EXPECT_DOUBLE_EQ(e.run_current_ua, 8000.0);
  EXPECT_NEAR(e.uj_per_inference, 24.0, 1e-9);
  EXPECT_FALSE(e.has_battery);
}

TEST(EnergyTest, BatteryLifeFromDutyCycle) {
  EnergyModel m;
  m.inferences_per_hour = 3600;  // one per second, 1 ms each: duty 0.1 %
  m.battery_mah = 1000;
  const EnergyEstimate e = EstimateEnergy(80000, m);
  ASSERT_TRUE(e.has_battery);
  EXPECT_NEAR(e.duty_cycle, 1e-3, 1e-12);
  // 0.001 * 8000 + 0.999 * 2 = 9.998 uA -> 1e6 uAh / 9.998 uA.
  EXPECT_NEAR(e.average_current_ua, 9.998, 1e-9);
  EXPECT_NEAR(e.battery_hours, 1e6 / 9.998, 1e-6);
  EXPECT_NE(FormatEnergy(e, m).find("battery"), std::string::npos);
}

TEST(EnergyTest, DutyCycleSaturates) {
  EnergyModel m;
  m.inferences_per_hour = 1e9;
  m.battery_mah = 100;
  const EnergyEstimate e = EstimateEnergy(80000, m);
  EXPECT_DOUBLE_EQ(e.duty_cycle, 1.0);
  EXPECT_DOUBLE_EQ(e.average_current_ua, 8000.0);
}

}  // namespace
}  // namespace tml::verification
