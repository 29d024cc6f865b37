// The wake-up gate's C (codegen/gate_emitter.h), compiled with the host C
// compiler under the generated code's warning flags, decides exactly as the
// host reference (compiler/gate/wake_gate.h) on every window: random windows,
// and the relevant calibration windows themselves (one sits exactly on the
// threshold). The emulated M4 side is e2e.wake_gate.* (verify fails on any
// difference).
#include "codegen/gate_emitter.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "passes/wake_gate_calibration.h"

namespace tml::codegen {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSize = 48, kStride = 2;

std::string Header() {
  return "#ifndef G_H_\n#define G_H_\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n"
         "#define G_INPUT_SIZE 48\n#define G_OUTPUT_SIZE 1\n"
         "int g_invoke(const float *input, float *output);\n"
         "#ifdef __cplusplus\n}\n#endif\n#endif\n";
}

// Windows of varied amplitude, frequency and offset: some near either set.
std::vector<float> Windows(uint32_t seed, int64_t count, float amplitude_scale) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::vector<float> w;
  for (int64_t n = 0; n < count; ++n) {
    const float amplitude = amplitude_scale * u(rng), freq = 0.05f + 0.4f * u(rng), offset = 0.1f * (u(rng) - 0.5f);
    const float noise_level = 0.05f * u(rng);
    for (int64_t i = 0; i < kSize; ++i) {
      w.push_back(offset + amplitude * std::sin(freq * static_cast<float>(i / kStride) + static_cast<float>(i % kStride)) +
                  noise_level * noise(rng));
    }
  }
  return w;
}

// Builds a program around the emitted gate that prints one decision per
// window: of g_gate on the float windows, then of g_gate_s8 on the int8 ones
// (after g_gate_reset for delta: a fresh state), separated by '|'.
std::string RunEmittedGate(const WakeGate& gate, const std::vector<float>& windows, const std::vector<int8_t>& q,
                           const std::string& tag) {
  std::string header = Header();
  std::string source =
      "#include \"g.h\"\nint g_invoke(const float *input, float *output) {\n"
      "  output[0] = input[0];\n  return 0;\n}\n";
  EXPECT_TRUE(AddWakeGate("g", gate, "test", &header, &source).ok());
  const fs::path dir = fs::temp_directory_path() / ("tml_gate_emitter_test_" + tag + "_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "g.h") << header;
  std::ofstream(dir / "g.c") << source;
  std::ofstream(dir / "main.c")
      << "#include <stdio.h>\n#include \"g.h\"\n"
         "int main(int argc, char **argv) {\n"
         "  float in[G_INPUT_SIZE], out[1];\n"
         "  int8_t q[G_INPUT_SIZE];\n"
         "  FILE *f = fopen(argv[1], \"rb\");\n"
         "  FILE *fq = fopen(argv[2], \"rb\");\n"
         "  (void)argc;\n"
         "  while (fread(in, sizeof in, 1, f) == 1) {\n"
         "    putchar(g_gate(in) ? '1' : '0');\n"
         "  }\n"
         "  putchar('|');\n"
         + std::string(gate.kind == WakeGateKind::kDelta ? "  g_gate_reset();\n" : "") +
         "  while (fread(q, sizeof q, 1, fq) == 1) {\n"
         "    putchar(g_gate_s8(q) ? '1' : '0');\n"
         "  }\n"
         "  fclose(f);\n"
         "  fclose(fq);\n"
         "  return g_invoke_gated(in, out) < 0;\n"
         "}\n";
  std::ofstream(dir / "windows.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(windows.data()), static_cast<std::streamsize>(windows.size() * 4));
  std::ofstream(dir / "windows_s8.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(q.data()), static_cast<std::streamsize>(q.size()));
  const std::string exe = (dir / "gate").string();
  const std::string compile = std::string(TML_HOST_CC) +
                              " -std=c99 -O2 -Wall -Wextra -Werror -Wconversion -Wsign-conversion -pedantic -o " + exe +
                              " " + (dir / "g.c").string() + " " + (dir / "main.c").string() + " 2>&1";
  EXPECT_EQ(std::system(compile.c_str()), 0) << compile << "\n" << source;
  std::string decisions;
  FILE* p = popen((exe + " " + (dir / "windows.bin").string() + " " + (dir / "windows_s8.bin").string()).c_str(), "r");
  for (int c = std::fgetc(p); c != EOF; c = std::fgetc(p)) decisions += static_cast<char>(c);
  pclose(p);
  fs::remove_all(dir);
  return decisions;
}

class GateEmitterTest : public ::testing::TestWithParam<WakeGateKind> {};

TEST_P(GateEmitterTest, EmittedCDecidesAsTheHostReference) {
  const std::vector<float> relevant = Windows(1, 200, 1.0f);
  const std::vector<float> irrelevant = Windows(2, 200, 0.15f);
  auto c = CalibrateWakeGate(GetParam(), kSize, kStride, relevant, irrelevant, 0.95, /*int8_twin=*/true);
  ASSERT_TRUE(c.ok()) << c.status().message();
  // The stream: random windows of both kinds, then the relevant calibration set.
  std::vector<float> windows = Windows(3, 300, 0.6f);
  windows.insert(windows.end(), relevant.begin(), relevant.end());
  const int64_t count = static_cast<int64_t>(windows.size()) / kSize;
  const std::vector<uint8_t> host = DecideAll(c->gate, windows, count);
  std::string expected;
  int64_t passed = 0;
  for (uint8_t d : host) {
    expected += d ? '1' : '0';
    passed += d;
  }
  // The int8 twin on the quantized windows, against its own host reference.
  std::vector<int8_t> q;
  for (int64_t w = 0; w < count; ++w) {
    const std::vector<int8_t> one = QuantizeWindowS8(windows.data() + w * kSize, kSize, c->gate.s8_scale);
    q.insert(q.end(), one.begin(), one.end());
  }
  const std::vector<uint8_t> host_s8 = DecideAllS8(c->gate, q, count);
  std::string expected_s8;
  int64_t agree = 0;
  for (size_t w = 0; w < host_s8.size(); ++w) {
    expected_s8 += host_s8[w] ? '1' : '0';
    agree += host_s8[w] == host[w];
  }
  // Both outcomes occur, so the comparison means something.
  EXPECT_GT(passed, 20);
  EXPECT_LT(passed, count - 20);
  // The twin approximates the float gate (the windows' int8 rounding).
  EXPECT_GE(agree, count * 95 / 100);
  EXPECT_EQ(RunEmittedGate(c->gate, windows, q, WakeGateKindName(GetParam())), expected + "|" + expected_s8);
}

INSTANTIATE_TEST_SUITE_P(Kinds, GateEmitterTest,
                         ::testing::Values(WakeGateKind::kEnergy, WakeGateKind::kDelta, WakeGateKind::kLinear),
                         [](const auto& info) { return std::string(WakeGateKindName(info.param)); });

// --gate-frames: the energy loop over the last time steps only, float and int8.
TEST(GateEmitterFramesTest, EnergyOverTheLastFramesDecidesAsTheHostReference) {
  const std::vector<float> relevant = Windows(4, 200, 1.0f);
  const std::vector<float> irrelevant = Windows(5, 200, 0.15f);
  for (WakeGateKind kind : {WakeGateKind::kEnergy, WakeGateKind::kDelta}) {
    auto c = CalibrateWakeGate(kind, kSize, kStride, relevant, irrelevant, 0.95, true, 5);
    ASSERT_TRUE(c.ok()) << c.status().message();
    std::vector<float> windows = Windows(6, 300, 0.6f);
    windows.insert(windows.end(), relevant.begin(), relevant.end());
    const int64_t count = static_cast<int64_t>(windows.size()) / kSize;
    std::vector<int8_t> q;
    for (int64_t w = 0; w < count; ++w) {
      const std::vector<int8_t> one = QuantizeWindowS8(windows.data() + w * kSize, kSize, c->gate.s8_scale);
      q.insert(q.end(), one.begin(), one.end());
    }
    std::string expected;
    for (uint8_t d : DecideAll(c->gate, windows, count)) expected += d ? '1' : '0';
    expected += '|';
    for (uint8_t d : DecideAllS8(c->gate, q, count)) expected += d ? '1' : '0';
    EXPECT_EQ(RunEmittedGate(c->gate, windows, q, std::string("frames_") + WakeGateKindName(kind)), expected);
  }
}

TEST(GateEmitterLayoutTest, DeclarationsGoInsideTheExternCBlock) {
  WakeGate gate;
  gate.kind = WakeGateKind::kDelta;
  gate.size = kSize;
  gate.stride = kStride;
  gate.threshold = 0.25f;
  gate.baseline = 0.01f;
  gate.alpha = 0.0625f;
  std::string header = Header(), source;
  ASSERT_TRUE(AddWakeGate("g", gate, "note", &header, &source).ok());
  const size_t closing = header.rfind("#ifdef __cplusplus\n}");
  for (const char* decl : {"int g_gate(const float *input);", "void g_gate_reset(void);",
                           "int g_invoke_gated(const float *input, float *output);", "#define G_GATE_THRESHOLD 0.25f"}) {
    const size_t at = header.find(decl);
    ASSERT_NE(at, std::string::npos) << decl << "\n" << header;
    EXPECT_LT(at, closing) << decl;
  }
  std::string bad = "int x;\n";
  EXPECT_FALSE(AddWakeGate("g", gate, "", &bad, &source).ok());
}

}  // namespace
}  // namespace tml::codegen
