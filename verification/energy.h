// Energy per inference and battery life from the emulated cycle count
// (`compile --verify` / `verify`: --clock-mhz, --ua-per-mhz, --volts,
// --sleep-ua, --inferences-per-hour, --battery-mah).
//
// Model (the MCU core only: no sensor, radio or regulator losses):
//   t      = cycles / f                         seconds per inference
//   I_run  = ua_per_mhz · f[MHz]                run-mode current, µA
//   E      = I_run · V · t                      µJ per inference (µA·V·s = µJ)
//   duty   = inferences_per_hour · t / 3600     share of time running
//   I_avg  = duty · I_run + (1 − duty) · sleep_ua
//   life   = battery_mah · 1000 / I_avg          hours
//
// Default assumptions, a typical low-power Cortex-M4F (datasheet run-mode
// figures of STM32L4-class parts are 80–120 µA/MHz from flash with the ART
// accelerator, stop mode with RTC about 1–3 µA): 80 MHz, 100 µA/MHz, 3.0 V,
// 2 µA asleep. They are assumptions; give the datasheet values of your part.
#ifndef TML_VERIFICATION_ENERGY_H_
#define TML_VERIFICATION_ENERGY_H_

#include <string>

namespace tml::verification {

struct EnergyModel {
  double clock_mhz = 80.0;
  double ua_per_mhz = 100.0;
  double volts = 3.0;
  double sleep_ua = 2.0;
  double inferences_per_hour = 0.0;  // 0: no battery figure
  double battery_mah = 0.0;          // 0: no battery figure
};

struct EnergyEstimate {
  double seconds_per_inference = 0.0;
  double run_current_ua = 0.0;
  double uj_per_inference = 0.0;
  bool has_battery = false;  // inferences_per_hour > 0 and battery_mah > 0
  double duty_cycle = 0.0;
  double average_current_ua = 0.0;
  double battery_hours = 0.0;
};

EnergyEstimate EstimateEnergy(double cycles_per_inference, const EnergyModel& model);

// "energy: 12.3 µJ per inference (...)" and, with a battery, a second line.
std::string FormatEnergy(const EnergyEstimate& e, const EnergyModel& model);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_ENERGY_H_
