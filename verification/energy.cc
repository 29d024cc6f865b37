#include "verification/energy.h"

#include <fmt/format.h>

#include <algorithm>

namespace tml::verification {

EnergyEstimate EstimateEnergy(double cycles_per_inference, const EnergyModel& model) {
  EnergyEstimate e;
  e.seconds_per_inference = cycles_per_inference / (model.clock_mhz * 1e6);
  e.run_current_ua = model.ua_per_mhz * model.clock_mhz;
  e.uj_per_inference = e.run_current_ua * model.volts * e.seconds_per_inference;
  e.has_battery = model.inferences_per_hour > 0 && model.battery_mah > 0;
  if (e.has_battery) {
    // More inferences than fit in an hour: the core never sleeps.
    e.duty_cycle = std::min(1.0, model.inferences_per_hour * e.seconds_per_inference / 3600.0);
    e.average_current_ua = e.duty_cycle * e.run_current_ua + (1.0 - e.duty_cycle) * model.sleep_ua;
    e.battery_hours = model.battery_mah * 1000.0 / e.average_current_ua;
  }
  return e;
}

std::string FormatEnergy(const EnergyEstimate& e, const EnergyModel& model) {
  std::string out = fmt::format(
      "  energy: {:.3g} uJ per inference ({:.3g} ms at {:g} MHz, {:.3g} mA run current = {:g} "
      "uA/MHz, {:g} V; assumed, see --ua-per-mhz/--volts)\n",
      e.uj_per_inference, e.seconds_per_inference * 1e3, model.clock_mhz, e.run_current_ua / 1000.0,
      model.ua_per_mhz, model.volts);
  if (e.has_battery) {
    const double days = e.battery_hours / 24.0;
    out += fmt::format(
        "  battery: {:g} mAh at {:g} inferences/hour: duty {:.3g}%, average {:.3g} uA "
        "(sleep {:g} uA) -> {:.0f} h ({:.1f} days, {:.2f} years), MCU only\n",
        model.battery_mah, model.inferences_per_hour, e.duty_cycle * 100.0, e.average_current_ua,
        model.sleep_ua, e.battery_hours, days, days / 365.0);
  }
  return out;
}

}  // namespace tml::verification
