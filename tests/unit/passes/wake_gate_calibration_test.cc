// The wake-up gate's calibration (passes/wake_gate_calibration.h) and its host
// reference (compiler/gate/wake_gate.h): the recall target holds exactly, the
// linear gate learns what energy alone cannot separate, the delta baseline
// follows a slow drift but wakes on a jump, bad input is refused.
#include "passes/wake_gate_calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace tml {
namespace {

constexpr int64_t kSize = 64, kStride = 1;

// `count` windows: a sine of the given amplitude and frequency (radians per
// sample, each window a random phase and ±20 % amplitude) plus white noise.
std::vector<float> Sines(uint32_t seed, int64_t count, float amplitude, float freq, float noise_level) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::vector<float> w;
  for (int64_t n = 0; n < count; ++n) {
    const float a = amplitude * (0.8f + 0.4f * u(rng)), phase = 6.28f * u(rng);
    for (int64_t i = 0; i < kSize; ++i) {
      w.push_back(a * std::sin(freq * static_cast<float>(i) + phase) + noise_level * noise(rng));
    }
  }
  return w;
}

int64_t Passed(const WakeGate& gate, const std::vector<float>& windows) {
  int64_t passed = 0;
  for (uint8_t d : DecideAll(gate, windows, static_cast<int64_t>(windows.size()) / kSize)) passed += d;
  return passed;
}

TEST(WakeGateCalibrationTest, ThresholdLetsTheRecallTargetPassAndNoMore) {
  const std::vector<float> relevant = Sines(1, 200, 1.0f, 0.3f, 0.05f);
  const std::vector<float> idle = Sines(2, 300, 0.05f, 0.3f, 0.02f);
  for (double recall : {0.9, 0.99, 1.0}) {
    auto c = CalibrateWakeGate(WakeGateKind::kEnergy, kSize, kStride, relevant, idle, recall);
    ASSERT_TRUE(c.ok()) << c.status().message();
    const int64_t must = static_cast<int64_t>(std::ceil(recall * 200 - 1e-9));
    // Distinct statistics: exactly ceil(recall * n) relevant windows pass.
    EXPECT_EQ(Passed(c->gate, relevant), must) << recall;
    EXPECT_DOUBLE_EQ(c->relevant_pass, must / 200.0);
    EXPECT_EQ(c->irrelevant_discard, 1.0);
    EXPECT_EQ(Passed(c->gate, idle), 0);
  }
}

TEST(WakeGateCalibrationTest, LinearSeparatesWhatEnergyCannot) {
  // Same energy; relevant = a slow vibration, irrelevant = fast hiss (zero
  // crossings and first differences tell them apart, the mean square does not).
  const std::vector<float> relevant = Sines(3, 200, 1.0f, 0.2f, 0.05f);
  const std::vector<float> hiss = Sines(4, 200, 0.2f, 2.9f, 0.68f);
  auto energy = CalibrateWakeGate(WakeGateKind::kEnergy, kSize, kStride, relevant, hiss, 0.99);
  auto linear = CalibrateWakeGate(WakeGateKind::kLinear, kSize, kStride, relevant, hiss, 0.99);
  ASSERT_TRUE(energy.ok() && linear.ok());
  EXPECT_LT(energy->irrelevant_discard, 0.5);
  EXPECT_GT(linear->irrelevant_discard, 0.95);
  EXPECT_GE(linear->relevant_pass, 0.99);
  // On fresh windows of both kinds too.
  EXPECT_GE(Passed(linear->gate, Sines(5, 200, 1.0f, 0.2f, 0.05f)), 190);
  EXPECT_LE(Passed(linear->gate, Sines(6, 200, 0.2f, 2.9f, 0.68f)), 10);
}

TEST(WakeGateCalibrationTest, DeltaFollowsSlowDriftAndWakesOnAJump) {
  const std::vector<float> relevant = Sines(7, 100, 1.0f, 0.3f, 0.05f);
  const std::vector<float> idle = Sines(8, 100, 0.1f, 0.3f, 0.0f);
  auto c = CalibrateWakeGate(WakeGateKind::kDelta, kSize, kStride, relevant, idle, 0.99);
  ASSERT_TRUE(c.ok());
  EXPECT_NEAR(c->gate.alpha, 1.0f / 16.0f, 0.0f);
  // An idle level drifting up by 1.5 % per window, to 10x its start (as loud
  // as the relevant windows): a fixed energy threshold wakes up, the delta
  // gate's baseline follows.
  std::vector<float> stream;
  float level = 0.1f;
  constexpr int kDrift = 155;
  for (int w = 0; w < kDrift; ++w, level *= 1.015f) {
    for (int64_t i = 0; i < kSize; ++i) stream.push_back(level * std::sin(0.3f * static_cast<float>(i) + 0.1f * w));
  }
  for (int64_t i = 0; i < kSize; ++i) stream.push_back(4.0f * level * std::sin(0.3f * static_cast<float>(i)));
  const std::vector<uint8_t> d = DecideAll(c->gate, stream, kDrift + 1);
  int64_t woken = 0;
  for (int w = 0; w < kDrift; ++w) woken += d[static_cast<size_t>(w)];
  EXPECT_EQ(woken, 0);
  EXPECT_EQ(d[kDrift], 1);
  auto energy = CalibrateWakeGate(WakeGateKind::kEnergy, kSize, kStride, relevant, idle, 0.99);
  ASSERT_TRUE(energy.ok());
  EXPECT_GT(Passed(energy->gate, std::vector<float>(stream.begin(), stream.begin() + kDrift * kSize)), 5);
}

TEST(WakeGateCalibrationTest, FramesLimitTheEnergyToTheLastTimeSteps) {
  // Relevant: a burst in the last quarter; irrelevant: the same burst in the
  // first quarter. Over the whole window they are alike; over the last 16
  // steps they are not.
  std::vector<float> relevant, early;
  std::mt19937 rng(13);
  std::normal_distribution<float> noise(0.0f, 0.02f);
  for (int w = 0; w < 100; ++w) {
    for (int64_t i = 0; i < kSize; ++i) {
      const float burst = std::sin(0.9f * static_cast<float>(i) + 0.1f * static_cast<float>(w));
      relevant.push_back((i >= 48 ? burst : 0.0f) + noise(rng));
      early.push_back((i < 16 ? burst : 0.0f) + noise(rng));
    }
  }
  auto whole = CalibrateWakeGate(WakeGateKind::kEnergy, kSize, kStride, relevant, early, 0.99);
  auto last = CalibrateWakeGate(WakeGateKind::kEnergy, kSize, kStride, relevant, early, 0.99, false, 16);
  ASSERT_TRUE(whole.ok() && last.ok());
  EXPECT_EQ(WakeGateEnergyStart(last->gate), 48);
  EXPECT_LT(whole->irrelevant_discard, 0.5);
  EXPECT_EQ(last->irrelevant_discard, 1.0);
  auto linear = CalibrateWakeGate(WakeGateKind::kLinear, kSize, kStride, relevant, early, 0.99, false, 16);
  EXPECT_FALSE(linear.ok());
  auto too_many = CalibrateWakeGate(WakeGateKind::kEnergy, kSize, kStride, relevant, early, 0.99, false, 65);
  EXPECT_FALSE(too_many.ok());
}

TEST(WakeGateCalibrationTest, ManifestFormRoundTripsExactly) {
  auto c = CalibrateWakeGate(WakeGateKind::kLinear, kSize, kStride, Sines(10, 50, 1.0f, 0.2f, 0.05f),
                             Sines(11, 50, 0.2f, 2.9f, 0.68f), 0.99);
  ASSERT_TRUE(c.ok());
  auto back = WakeGateFromJson(nlohmann::json::parse(WakeGateToJson(c->gate).dump()));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->threshold, c->gate.threshold);
  EXPECT_EQ(back->bias, c->gate.bias);
  EXPECT_EQ(back->weights, c->gate.weights);
  EXPECT_FALSE(WakeGateFromJson(nlohmann::json{{"kind", "loud"}}).ok());
}

TEST(WakeGateCalibrationTest, RefusesBadRecallAndEmptySets) {
  const std::vector<float> some = Sines(12, 10, 1.0f, 0.3f, 0.0f);
  for (double recall : {0.0, -0.5, 1.5, std::nan("")}) {
    auto c = CalibrateWakeGate(WakeGateKind::kEnergy, kSize, kStride, some, some, recall);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(c.status().message().find("--gate-recall"), std::string::npos);
  }
  auto no_relevant = CalibrateWakeGate(WakeGateKind::kEnergy, kSize, kStride, {}, some, 0.99);
  ASSERT_FALSE(no_relevant.ok());
  EXPECT_NE(no_relevant.status().message().find("--gate-calib"), std::string::npos);
  auto no_idle = CalibrateWakeGate(WakeGateKind::kLinear, kSize, kStride, some, {}, 0.99);
  ASSERT_FALSE(no_idle.ok());
  EXPECT_NE(no_idle.status().message().find("--gate-discard"), std::string::npos);
  EXPECT_FALSE(ParseWakeGateKind("loud").ok());
}

}  // namespace
}  // namespace tml
