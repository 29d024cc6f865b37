// The float kernels' VLDM dot products (TML_MATH_VFP in tml_math_f32.h) give the same
// floats as their pure-C loop and as the host build, bit for bit (same products, same order
// of additions, and the fast exp/sigmoid/tanh are plain IEEE single operations): an LSTM
// step, a GRU step, a fully connected layer, a Gemm (transB), a MatMul (eight columns per
// pass: tml_row8_acc_f32) and a Kronecker matvec in both orders with odd shapes (row, column
// and k tails) are built for the Cortex-M4 as is and with -U__ARM_FP (the C loop), run in
// the emulator, and compared with each other and with the host.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "emulator/firmware_build.h"
#include "emulator/m4_runner.h"
#include "tests/unit/emulator/firmware_fixture.h"
#include "tml_kernels.h"

namespace tml::emu::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kHidden = 13, kInput = 7, kFcRows = 10, kFcCols = 13;
// MatMul [kMm, kMk] · [kMk, kMn]: two blocks of eight columns, one of four, three single.
constexpr int kMm = 2, kMk = 15, kMn = 23;
// Kronecker A [3, 6] ⊗ B [5, 13], rank 2: 15 outputs from 78 inputs.
constexpr int kKm1 = 3, kKn1 = 6, kKm2 = 5, kKn2 = 13, kKRank = 2;
constexpr int kKOut = kKm1 * kKm2, kKIn = kKn1 * kKn2;

// Deterministic values in [-0.75, 0.75] written with %a (exact in C and on the host).
std::vector<float> Values(size_t n, int seed) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = 0.75f * std::sin(float(seed * 131 + int(i) * 7) * 0.37f);
  return v;
}

std::string CArray(const std::string& name, const std::vector<float>& v) {
  std::ostringstream s;
  s << "static const float " << name << "[] = {";
  char buf[64];
  for (float f : v) {
    std::snprintf(buf, sizeof buf, "%af,", double(f));
    s << buf;
  }
  s << "};\n";
  return s.str();
}

struct Data {
  std::vector<float> lstm_w = Values(4 * kHidden * kInput, 1), lstm_r = Values(4 * kHidden * kHidden, 2),
                     lstm_b = Values(8 * kHidden, 3), gru_w = Values(3 * kHidden * kInput, 4),
                     gru_r = Values(3 * kHidden * kHidden, 5), gru_b = Values(6 * kHidden, 6),
                     x = Values(kInput, 7), h0 = Values(kHidden, 8), c0 = Values(kHidden, 9),
                     fc_w = Values(kFcRows * kFcCols, 10), fc_b = Values(kFcRows, 11),
                     fc_x = Values(2 * kFcCols, 12), mm_a = Values(kMm * kMk, 13),
                     mm_b = Values(kMk * kMn, 14), kr_a = Values(kKRank * kKm1 * kKn1, 15),
                     kr_b = Values(kKRank * kKm2 * kKn2, 16), kr_x = Values(kKIn, 17);
};

// Output layout: LSTM h, c; GRU h; FC y [2, rows]; Gemm y [2, rows]; MatMul y; Kronecker y
// (AX first, then XBᵀ first).
constexpr int kMmAt = 3 * kHidden + 4 * kFcRows, kKrAt = kMmAt + kMm * kMn;
constexpr int kOut = kKrAt + 2 * kKOut;

std::string Source(const Data& d) {
  const std::string H = std::to_string(kHidden), I = std::to_string(kInput);
  const std::string R = std::to_string(kFcRows), C = std::to_string(kFcCols);
  return "#include <math.h>\n#include <string.h>\n#include \"tml_kernels.h\"\n" +
         CArray("LW", d.lstm_w) + CArray("LR", d.lstm_r) + CArray("LB", d.lstm_b) +
         CArray("GW", d.gru_w) + CArray("GR", d.gru_r) + CArray("GB", d.gru_b) +
         CArray("X", d.x) + CArray("H0", d.h0) + CArray("C0", d.c0) + CArray("FW", d.fc_w) +
         CArray("FB", d.fc_b) + CArray("FX", d.fc_x) + CArray("MA", d.mm_a) +
         CArray("MB", d.mm_b) + CArray("KA", d.kr_a) + CArray("KB", d.kr_b) +
         CArray("KX", d.kr_x) +
         "float tml_out[" + std::to_string(kOut) + "];\nstatic float scratch[256];\n"
         "int main(void) {\n"
         "  tml_context ctx = {scratch, sizeof scratch};\n"
         "  const tml_rnn_cell_params cell = {" + I + ", " + H + ", 0.0f, 0, 1};\n"
         "  const tml_rnn_weights_f32 lw = {LW, LR, LB, NULL}, gw = {GW, GR, GB, NULL};\n"
         "  const tml_fc_params fc = {-INFINITY, INFINITY};\n"
         "  const tml_gemm_params gp = {1.0f, 1.0f, 0, 1};\n"
         "  const tml_dims xd = {2, {2, " + C + "}}, wd = {2, {" + R + ", " + C + "}},\n"
         "                 bd = {1, {" + R + "}}, yd = {2, {2, " + R + "}};\n"
         "  float *o = tml_out;\n"
         "  memcpy(o, H0, sizeof H0);\n  memcpy(o + " + H + ", C0, sizeof C0);\n"
         "  if (tml_lstm_step_f32(&ctx, &cell, &lw, X, o, o + " + H + ", o, o + " + H +
         ") != TML_OK) return 1;\n"
         "  memcpy(o + 2 * " + H + ", H0, sizeof H0);\n"
         "  if (tml_gru_step_f32(&ctx, &cell, &gw, X, o + 2 * " + H + ", o + 2 * " + H +
         ") != TML_OK) return 1;\n"
         "  if (tml_fully_connected_f32(NULL, &fc, &xd, FX, &wd, FW, &bd, FB, &yd, o + 3 * " + H +
         ") != TML_OK) return 1;\n"
         "  if (tml_gemm_f32(NULL, &gp, &xd, FX, &wd, FW, &bd, FB, &yd, o + 3 * " + H + " + 2 * " +
         R + ") != TML_OK) return 1;\n"
         "  {\n"
         "    const tml_dims mad = {2, {" + std::to_string(kMm) + ", " + std::to_string(kMk) +
         "}}, mbd = {2, {" + std::to_string(kMk) + ", " + std::to_string(kMn) +
         "}}, myd = {2, {" + std::to_string(kMm) + ", " + std::to_string(kMn) + "}};\n"
         "    if (tml_matmul_f32(NULL, &mad, MA, &mbd, MB, &myd, o + " + std::to_string(kMmAt) +
         ") != TML_OK) return 1;\n"
         "  }\n"
         "  {\n"
         "    const tml_dims kxd = {1, {" + std::to_string(kKIn) + "}}, kyd = {1, {" +
         std::to_string(kKOut) + "}}, kad = {3, {" + std::to_string(kKRank) + ", " +
         std::to_string(kKm1) + ", " + std::to_string(kKn1) + "}}, kbd = {3, {" +
         std::to_string(kKRank) + ", " + std::to_string(kKm2) + ", " + std::to_string(kKn2) +
         "}};\n"
         "    tml_kron_params kp = {" + std::to_string(kKm1) + ", " + std::to_string(kKn1) + ", " +
         std::to_string(kKm2) + ", " + std::to_string(kKn2) + ", " + std::to_string(kKRank) +
         ", TML_KRON_AX_FIRST, 0};\n"
         "    if (tml_kron_matvec_f32(&ctx, &kp, &kxd, KX, &kad, KA, &kbd, KB, NULL, NULL, &kyd, o + " +
         std::to_string(kKrAt) + ") != TML_OK) return 1;\n"
         "    kp.order = TML_KRON_XBT_FIRST;\n"
         "    if (tml_kron_matvec_f32(&ctx, &kp, &kxd, KX, &kad, KA, &kbd, KB, NULL, NULL, &kyd, o + " +
         std::to_string(kKrAt + kKOut) + ") != TML_OK) return 1;\n"
         "  }\n"
         "  __asm volatile(\"bkpt #1\");\n  return 0;\n}\n";
}

std::vector<float> Host(Data d) {
  std::vector<float> out(kOut);
  std::vector<float> scratch(256);
  tml_context ctx{scratch.data(), int32_t(scratch.size() * 4)};
  const tml_rnn_cell_params cell{kInput, kHidden, 0.0f, 0, 1};
  const tml_rnn_weights_f32 lw{d.lstm_w.data(), d.lstm_r.data(), d.lstm_b.data(), nullptr};
  const tml_rnn_weights_f32 gw{d.gru_w.data(), d.gru_r.data(), d.gru_b.data(), nullptr};
  float* o = out.data();
  std::memcpy(o, d.h0.data(), kHidden * 4);
  std::memcpy(o + kHidden, d.c0.data(), kHidden * 4);
  EXPECT_EQ(TML_OK, tml_lstm_step_f32(&ctx, &cell, &lw, d.x.data(), o, o + kHidden, o, o + kHidden));
  std::memcpy(o + 2 * kHidden, d.h0.data(), kHidden * 4);
  EXPECT_EQ(TML_OK, tml_gru_step_f32(&ctx, &cell, &gw, d.x.data(), o + 2 * kHidden, o + 2 * kHidden));
  const tml_fc_params fc{-INFINITY, INFINITY};
  const tml_gemm_params gp{1.0f, 1.0f, 0, 1};
  const tml_dims xd{2, {2, kFcCols}}, wd{2, {kFcRows, kFcCols}}, bd{1, {kFcRows}}, yd{2, {2, kFcRows}};
  EXPECT_EQ(TML_OK, tml_fully_connected_f32(nullptr, &fc, &xd, d.fc_x.data(), &wd, d.fc_w.data(), &bd,
                                            d.fc_b.data(), &yd, o + 3 * kHidden));
  EXPECT_EQ(TML_OK, tml_gemm_f32(nullptr, &gp, &xd, d.fc_x.data(), &wd, d.fc_w.data(), &bd,
                                 d.fc_b.data(), &yd, o + 3 * kHidden + 2 * kFcRows));
  const tml_dims mad{2, {kMm, kMk}}, mbd{2, {kMk, kMn}}, myd{2, {kMm, kMn}};
  EXPECT_EQ(TML_OK, tml_matmul_f32(nullptr, &mad, d.mm_a.data(), &mbd, d.mm_b.data(), &myd, o + kMmAt));
  const tml_dims kxd{1, {kKIn}}, kyd{1, {kKOut}}, kad{3, {kKRank, kKm1, kKn1}},
      kbd{3, {kKRank, kKm2, kKn2}};
  tml_kron_params kp{kKm1, kKn1, kKm2, kKn2, kKRank, TML_KRON_AX_FIRST, 0};
  EXPECT_EQ(TML_OK, tml_kron_matvec_f32(&ctx, &kp, &kxd, d.kr_x.data(), &kad, d.kr_a.data(), &kbd,
                                        d.kr_b.data(), nullptr, nullptr, &kyd, o + kKrAt));
  kp.order = TML_KRON_XBT_FIRST;
  EXPECT_EQ(TML_OK, tml_kron_matvec_f32(&ctx, &kp, &kxd, d.kr_x.data(), &kad, d.kr_a.data(), &kbd,
                                        d.kr_b.data(), nullptr, nullptr, &kyd, o + kKrAt + kKOut));
  return out;
}

// Builds and runs the firmware (VLDM path unless `pure_c`); its tml_out.
std::vector<float> Firmware(const std::string& source, bool pure_c, uint64_t* cycles) {
  const std::string dir = TestDir() + (pure_c ? "/c" : "/vfp");
  fs::create_directories(dir);
  std::ofstream(dir + "/main.c") << source;
  FirmwareBuild build;
  build.build_dir = dir;
  for (const char* k : {"recurrent/tml_lstm_step_f32.c", "recurrent/tml_gru_step_f32.c",
                        "linear/tml_fully_connected_f32.c", "linear/tml_gemm_f32.c",
                        "linear/tml_matmul_f32.c", "linear/tml_kron_matvec_f32.c"}) {
    build.sources.push_back(std::string(TML_RUNTIME_SRC_DIR "/src/") + k);
  }
  build.sources.push_back(dir + "/main.c");
  build.include_dirs = {TML_RUNTIME_SRC_DIR "/include"};
  build.extra_flags = {"-std=c99", "-Wall", "-Wextra", "-Werror"};
  if (pure_c) build.extra_flags.push_back("-U__ARM_FP");
  auto elf = BuildFirmware(build);
  if (!elf.ok()) {
    ADD_FAILURE() << elf.status().message();
    return {};
  }
  auto runner = LoadOrDie(*elf);
  if (!runner) return {};
  auto stop = runner->RunUntilBreakpoint();
  if (!stop.ok() || stop->reason != StopReason::kBreakpoint) {
    ADD_FAILURE() << (stop.ok() ? "firmware exited (kernel error)" : stop.status().message());
    return {};
  }
  *cycles = stop->cycles;
  auto bytes = runner->ReadSymbol("tml_out", kOut * 4);
  if (!bytes.ok()) {
    ADD_FAILURE() << bytes.status().message();
    return {};
  }
  std::vector<float> out(kOut);
  std::memcpy(out.data(), bytes->data(), kOut * 4);
  return out;
}

TEST(F32VfpBitExactTest, VldmPathEqualsPureCAndHost) {
  const Data data;
  const std::string source = Source(data);
  uint64_t vfp_cycles = 0, c_cycles = 0;
  const std::vector<float> vfp = Firmware(source, false, &vfp_cycles);
  const std::vector<float> pure = Firmware(source, true, &c_cycles);
  const std::vector<float> host = Host(data);
  ASSERT_EQ(vfp.size(), size_t(kOut));
  ASSERT_EQ(pure.size(), size_t(kOut));
  // The VLDM build really took its own path (fewer cycles on the same work).
  EXPECT_LT(vfp_cycles, c_cycles);
  for (int i = 0; i < kOut; ++i) {
    EXPECT_EQ(std::memcmp(&vfp[i], &pure[i], 4), 0) << i << ": VLDM " << vfp[i] << " C " << pure[i];
    EXPECT_EQ(std::memcmp(&vfp[i], &host[i], 4), 0) << i << ": M4 " << vfp[i] << " host " << host[i];
    EXPECT_TRUE(std::isfinite(vfp[i]));
  }
}

}  // namespace
}  // namespace tml::emu::testing
