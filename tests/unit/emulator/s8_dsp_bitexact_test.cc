// The int8 kernels' TML_MATH_DSP path (SMLAD/SXTB16) and pure-C path give the same
// bytes: the same kernel source is built twice for the Cortex-M4, once as is and once
// with -U__ARM_FEATURE_DSP (so tml_types.h leaves TML_MATH_DSP undefined), both run in
// the emulator on the same inputs, and their outputs are compared with each other and
// with the host build (pure C).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "emulator/firmware_build.h"
#include "emulator/m4_runner.h"
#include "tests/unit/emulator/firmware_fixture.h"
#include "tml_kernels_s8.h"

namespace tml::emu::testing {
namespace {

namespace fs = std::filesystem;

template <typename T>
std::string CArray(const char* decl, const std::vector<T>& v) {
  std::ostringstream s;
  s << decl << " __attribute__((aligned(4))) = {";
  for (size_t i = 0; i < v.size(); ++i) s << int64_t(v[i]) << (i + 1 < v.size() ? "," : "");
  s << "};\n";
  return s.str();
}

// The runtime sources (under runtime/src/) a test's firmware links: only those, not every
// int8 file (each test was 36 arm-gcc compiles of files --gc-sections then dropped; the
// others build with -Werror in both DSP modes in runtime.conversion_warnings).
const std::vector<std::string> kFcSources = {"linear/tml_fully_connected_s8.c"};
const std::vector<std::string> kKronSources = {"linear/tml_kron_matvec_s8.c"};
// The int8 recurrent steps, their linear operators (dense, Kronecker, sparse overlay) and
// the files defining the q15 tanh / sigmoid tables.
const std::vector<std::string> kRecurrentSources = {
    "recurrent/tml_lstm_step_s8_s16.c", "recurrent/tml_gru_step_s8_s16.c",
    "recurrent/tml_rnn_step_s8_s16.c",  "linear/tml_linear_op_s8_apply.c",
    "linear/tml_kron_matvec_s8.c",      "linear/tml_sparse_matvec_s8.c",
    "activation/tml_tanh_s16.c",        "activation/tml_sigmoid_s16.c"};

// Builds `source` and the runtime's `kernels` with or without the DSP extension macros.
std::string Build(const std::string& source, bool dsp, const std::vector<std::string>& kernels) {
  const std::string dir = TestDir() + (dsp ? "/dsp" : "/nodsp");
  fs::create_directories(dir);
  std::ofstream(dir + "/main.c") << source;
  FirmwareBuild build;
  build.build_dir = dir;
  for (const std::string& k : kernels) build.sources.push_back(TML_RUNTIME_SRC_DIR "/src/" + k);
  build.sources.push_back(dir + "/main.c");
  build.include_dirs = {TML_RUNTIME_SRC_DIR "/include"};
  build.extra_flags = {"-std=c99", "-Wall", "-Wextra", "-Werror"};
  if (!dsp) build.extra_flags.push_back("-U__ARM_FEATURE_DSP");
  auto elf = BuildFirmware(build);
  if (!elf.ok()) {
    ADD_FAILURE() << elf.status().message();
    return "";
  }
  return *elf;
}

// Runs every input through the firmware (tml_in -> tml_out between bkpt #1 stops).
std::vector<std::vector<uint8_t>> RunAll(const std::string& elf,
                                         const std::vector<std::vector<int8_t>>& inputs,
                                         size_t out_bytes, uint64_t* cycles) {
  std::vector<std::vector<uint8_t>> outs;
  auto runner = LoadOrDie(elf);
  if (!runner) return outs;
  auto stop = runner->RunUntilBreakpoint();
  EXPECT_TRUE(stop.ok() && stop->breakpoint == 1);
  for (const auto& in : inputs) {
    EXPECT_TRUE(runner->WriteSymbol("tml_in", in.data(), in.size()).ok());
    stop = runner->RunUntilBreakpoint();
    if (!stop.ok() || stop->reason != StopReason::kBreakpoint || stop->breakpoint != 1) {
      ADD_FAILURE() << (stop.ok() ? "firmware exited (kernel error)" : stop.status().message());
      return outs;
    }
    *cycles = stop->cycles;
    auto out = runner->ReadSymbol("tml_out", out_bytes);
    EXPECT_TRUE(out.ok());
    outs.push_back(out.ok() ? *out : std::vector<uint8_t>{});
  }
  return outs;
}

// One recurrent step in the DSP and the pure-C firmware (tml_in, then to the next bkpt):
// the bytes of `symbols`, back to back, equal `host` (the host build's state after the step).
void ExpectStepEquals(M4Runner* dsp, M4Runner* pure, const void* in, size_t in_bytes,
                      const std::vector<const char*>& symbols, const std::vector<uint8_t>& host,
                      int step) {
  for (M4Runner* runner : {dsp, pure}) {
    ASSERT_TRUE(runner->WriteSymbol("tml_in", in, in_bytes).ok());
    auto stop = runner->RunUntilBreakpoint();
    ASSERT_TRUE(stop.ok() && stop->reason == StopReason::kBreakpoint) << "step " << step;
    std::vector<uint8_t> got;
    for (const char* symbol : symbols) {
      auto bytes = runner->ReadSymbol(symbol);
      ASSERT_TRUE(bytes.ok()) << symbol;
      got.insert(got.end(), bytes->begin(), bytes->end());
    }
    EXPECT_EQ(got, host) << (runner == dsp ? "DSP" : "pure C") << " build, step " << step;
  }
}

// One fully connected layer through the DSP and the pure-C firmware and the host build.
// `big_scale`: the real factor of every third row (>= 0.5 makes the left shift non-zero).
// `compact`: the compact requantization (row r shifts mult[0] right by r % 9).
void ExpectFcDspEqualsPureC(int rows, int cols, tml_fc_s8_params params,
                            bool with_bias, double big_scale, double small_scale,
                            unsigned seed, bool compact = false) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> w8(-127, 127), x8(-128, 127), b32(-50000, 50000);
  std::vector<int8_t> w(size_t(rows) * cols);
  for (auto& v : w) v = int8_t(w8(rng));
  std::vector<int8_t> packed(tml_pack_weights_s8_size(rows, cols));
  ASSERT_EQ(tml_pack_weights_s8(rows, cols, w.data(), packed.data()), TML_OK);
  std::vector<int32_t> bias(rows), mult(rows);
  std::vector<double> scales(rows);
  for (int r = 0; r < rows; ++r) {
    bias[r] = b32(rng);
    scales[r] = r % 3 == 0 ? big_scale : small_scale;
  }
  int32_t left = 0, right = 0;
  tml_quantize_multipliers_s8(rows, scales.data(), mult.data(), &left, &right);
  std::vector<int8_t> shift(rows);
  for (int r = 0; r < rows; ++r) shift[r] = int8_t(r % 9);
  params.row_shift = compact ? shift.data() : nullptr;
  const std::string source =
      "#include \"tml_kernels_s8.h\"\n" + CArray("static const int8_t W[]", packed) +
      (with_bias ? CArray("static const int32_t BIAS[]", bias) : std::string()) + CArray("static const int32_t MULT[]", mult) +
      (compact ? CArray("static const int8_t SHIFT[]", shift) : std::string()) +
      "int8_t tml_in[" +
      std::to_string(cols) + "];\nint8_t tml_out[" + std::to_string(rows) +
      "];\nstatic int32_t scratch[" +
      std::to_string((cols + 3) / 4 * 2 + (rows + 3) / 4 * 4) + "];\n"
      "int main(void) {\n"
      "  const tml_dims in_dims = {1, {" + std::to_string(cols) + "}};\n"
      "  const tml_dims out_dims = {1, {" + std::to_string(rows) + "}};\n"
      "  const tml_dims w_dims = {2, {" + std::to_string(rows) + ", " + std::to_string(cols) +
      "}};\n"
      "  const tml_fc_s8_params params = {" + std::to_string(params.output_offset) + ", " +
      std::to_string(params.act_min) + ", " + std::to_string(params.act_max) +
      (compact ? ", SHIFT" : ", NULL") + "};\n"
      "  const tml_quant_params quant = {MULT, " + std::to_string(left) + ", " +
      std::to_string(right) + "};\n"
      "  tml_context ctx = {scratch, sizeof scratch};\n"
      "  for (;;) {\n"
      "    __asm volatile(\"bkpt #1\");\n"
      "    if (tml_fully_connected_s8(&ctx, &params, &quant, &in_dims, tml_in, &w_dims, W,\n"
      "                               " + (with_bias ? "BIAS" : "NULL") +
      ", &out_dims, tml_out) != TML_OK) return 1;\n"
      "  }\n}\n";
  std::vector<std::vector<int8_t>> inputs(4, std::vector<int8_t>(cols));
  for (auto& in : inputs)
    for (auto& v : in) v = int8_t(x8(rng));
  for (auto& v : inputs[3]) v = -128;  // extreme input
  const std::string dsp_elf = Build(source, true, kFcSources),
                    c_elf = Build(source, false, kFcSources);
  ASSERT_FALSE(dsp_elf.empty());
  ASSERT_FALSE(c_elf.empty());
  uint64_t dsp_cycles = 0, c_cycles = 0;
  const auto dsp = RunAll(dsp_elf, inputs, rows, &dsp_cycles);
  const auto pure = RunAll(c_elf, inputs, rows, &c_cycles);
  ASSERT_EQ(dsp.size(), inputs.size());
  ASSERT_EQ(pure.size(), inputs.size());
  // The DSP build really took the SMLAD path.
  EXPECT_LT(dsp_cycles * 2, c_cycles) << "DSP " << dsp_cycles << " vs pure C " << c_cycles;

  const tml_dims w_dims{2, {rows, cols}}, in_dims{1, {cols}}, out_dims{1, {rows}};
  std::vector<int8_t> scratch(tml_fully_connected_s8_get_buffer_size(&w_dims));
  tml_context ctx{scratch.data(), int32_t(scratch.size())};
  const tml_quant_params quant{mult.data(), left, right};
  for (size_t k = 0; k < inputs.size(); ++k) {
    std::vector<int8_t> host(rows);
    ASSERT_EQ(tml_fully_connected_s8(&ctx, &params, &quant, &in_dims, inputs[k].data(), &w_dims,
                                     packed.data(), with_bias ? bias.data() : nullptr, &out_dims,
                                     host.data()),
              TML_OK);
    int mismatches = 0;
    for (int r = 0; r < rows; ++r) {
      const int d = int8_t(dsp[k][r]), p = int8_t(pure[k][r]);
      if ((d != p || d != host[r]) && ++mismatches <= 10)
        ADD_FAILURE() << "input " << k << " row " << r << ": DSP " << d << ", pure C " << p
                      << ", host " << int(host[r]);
    }
    EXPECT_EQ(mismatches, 0) << "input " << k;
  }
}

TEST(S8DspBitExactTest, FullyConnectedDspEqualsPureC) {
  // Odd rows (a partial row block); > 512 columns so the lanes fold.
  ExpectFcDspEqualsPureC(37, 700, tml_fc_s8_params{-9, -128, 127, nullptr}, true, 2.0 / 700,
                         0.01 / 700, 81);
}

TEST(S8DspBitExactTest, FullyConnectedCompactRequantizationDspEqualsPureC) {
  // One multiplier shifted per row (tml_fc_s8_params::row_shift), a partial row block.
  ExpectFcDspEqualsPureC(30, 96, tml_fc_s8_params{3, -128, 127, nullptr}, true, 0.02, 0.02, 83,
                         /*compact=*/true);
}

TEST(S8DspBitExactTest, FullyConnectedClampNoBiasLeftShiftDspEqualsPureC) {
  // 63 column groups (the 8-group loop, a 4-group step and 3 single groups), rows % 4 == 2,
  // a clamp inside the int8 range (the bytewise SSUB8/SEL clamp), no bias, and a real
  // factor >= 0.5 (left shift > 0).
  ExpectFcDspEqualsPureC(42, 252, tml_fc_s8_params{5, -20, 100, nullptr}, false, 0.6, 0.05 / 252, 82);
}

// One LSTM step per inference with W dense and R a Kronecker sum plus a sparse overlay,
// state kept in the firmware across 5 steps; h and c compared after every step.
// tml_kron_matvec_s8 over the shapes that take each of its code paths, in one firmware:
// T first and A·X first; the block loop (4, 8 and other column-pair widths), the narrow
// stage (1 and 2 column pairs, ranks side by side), odd counts; with and without a bias;
// t_shift small enough that the intermediate saturates. Host, DSP and pure-C sums equal.
TEST(S8DspBitExactTest, KronMatvecAllPathsDspEqualsPureC) {
  const tml_kron_s8_params cases[] = {
      {16, 8, 32, 16, 1, 6},  // T first, block width 4 (A's 8 columns)
      {8, 16, 16, 8, 1, 2},   // T first, width 8, saturating T
      {4, 64, 128, 2, 2, 8},  // A first, narrow width 2 (two terms of B [128, 2])
      {4, 32, 64, 2, 1, 4},   // A first, narrow width 1
      {16, 2, 32, 16, 1, 6},  // T first, narrow width 1
      {8, 4, 8, 4, 3, 5},     // T first, three terms side by side, width 6
      {9, 3, 5, 7, 2, 3},     // odd counts
  };
  const int n = int(sizeof cases / sizeof cases[0]);
  std::mt19937 rng(41);
  std::uniform_int_distribution<int> d8(-127, 127), x8(-128, 127), b32(-90000, 90000);
  struct Case {
    std::vector<int8_t> a, b, x;
    std::vector<int32_t> bias, want;
  };
  std::vector<Case> data(n);
  std::string src = "#include \"tml_kernels_s8.h\"\n";
  std::string calls;
  int scratch_bytes = 0;
  for (int c = 0; c < n; ++c) {
    const tml_kron_s8_params& p = cases[c];
    Case& d = data[c];
    std::vector<int8_t> fa(size_t(p.rank) * p.m1 * p.n1), fb(size_t(p.rank) * p.m2 * p.n2);
    for (auto& v : fa) v = int8_t(d8(rng));
    for (auto& v : fb) v = int8_t(d8(rng));
    d.a.resize(size_t(p.rank) * tml_pack_kron_factor_s8_size(p.m1, p.n1));
    d.b.resize(size_t(p.rank) * tml_pack_kron_factor_s8_size(p.m2, p.n2));
    ASSERT_EQ(tml_pack_kron_s8(&p, fa.data(), fb.data(), d.a.data(), d.b.data()), TML_OK);
    d.x.resize(size_t(p.n1) * p.n2);
    for (auto& v : d.x) v = int8_t(x8(rng));
    const int rows = p.m1 * p.m2;
    const bool with_bias = c % 2 == 0;
    d.bias.resize(rows);
    for (auto& v : d.bias) v = b32(rng);
    d.want.resize(rows);
    std::vector<int8_t> scratch(tml_kron_matvec_s8_get_buffer_size(&p));
    scratch_bytes = std::max<int>(scratch_bytes, int(scratch.size()));
    tml_context ctx{scratch.data(), int32_t(scratch.size())};
    ASSERT_EQ(tml_kron_matvec_s8(&ctx, &p, d.a.data(), d.b.data(), d.x.data(),
                                 with_bias ? d.bias.data() : nullptr, d.want.data()),
              TML_OK);
    const std::string k = "K" + std::to_string(c);
    src += CArray(("static const int8_t " + k + "A[]").c_str(), d.a) +
           CArray(("static const int8_t " + k + "B[]").c_str(), d.b) +
           CArray(("static const int8_t " + k + "X[]").c_str(), d.x) +
           (with_bias ? CArray(("static const int32_t " + k + "C[]").c_str(), d.bias) : "") +
           "static const tml_kron_s8_params " + k + "P = {" + std::to_string(p.m1) + ", " +
           std::to_string(p.n1) + ", " + std::to_string(p.m2) + ", " + std::to_string(p.n2) +
           ", " + std::to_string(p.rank) + ", " + std::to_string(p.t_shift) + "};\n"
           "int32_t tml_out" + std::to_string(c) + "[" + std::to_string(rows) + "];\n";
    calls += "    if (tml_kron_matvec_s8(&ctx, &" + k + "P, " + k + "A, " + k + "B, " + k + "X, " +
             (with_bias ? k + "C" : std::string("NULL")) + ", tml_out" + std::to_string(c) +
             ") != TML_OK) return 1;\n";
  }
  src += "static int32_t scratch[" + std::to_string(scratch_bytes / 4 + 1) + "];\n"
         "int main(void) {\n  tml_context ctx = {scratch, sizeof scratch};\n  for (;;) {\n" +
         calls + "    __asm volatile(\"bkpt #1\");\n  }\n}\n";
  for (bool dsp : {true, false}) {
    const std::string elf = Build(src, dsp, kKronSources);
    ASSERT_FALSE(elf.empty());
    auto runner = LoadOrDie(elf);
    ASSERT_TRUE(runner);
    auto stop = runner->RunUntilBreakpoint();
    ASSERT_TRUE(stop.ok() && stop->reason == StopReason::kBreakpoint)
        << (stop.ok() ? "firmware exited (kernel error)" : stop.status().message());
    for (int c = 0; c < n; ++c) {
      auto bytes = runner->ReadSymbol("tml_out" + std::to_string(c));
      ASSERT_TRUE(bytes.ok());
      std::vector<int32_t> got(data[c].want.size());
      ASSERT_EQ(bytes->size(), got.size() * 4);
      memcpy(got.data(), bytes->data(), bytes->size());
      EXPECT_EQ(got, data[c].want) << (dsp ? "DSP" : "pure C") << " build, case " << c;
    }
  }
}

TEST(S8DspBitExactTest, LstmStepDenseKroneckerSparseDspEqualsPureC) {
  const int in = 20, hs = 16, rows = 4 * hs;
  std::mt19937 rng(82);
  std::uniform_int_distribution<int> d8(-127, 127), x8(-128, 127);
  std::vector<int8_t> w(size_t(rows) * in);
  for (auto& v : w) v = int8_t(d8(rng));
  std::vector<int8_t> packed(tml_pack_weights_s8_size(rows, in));
  ASSERT_EQ(tml_pack_weights_s8(rows, in, w.data(), packed.data()), TML_OK);
  // R [64, 16] = A [8, 4] ⊗ B [8, 4], rank 2.
  const tml_kron_s8_params kp{8, 4, 8, 4, 2, 5};
  std::vector<int8_t> a(2 * 8 * 4), b(2 * 8 * 4);
  for (auto& v : a) v = int8_t(d8(rng));
  for (auto& v : b) v = int8_t(d8(rng));
  {  // the kernel's layout; an even [8, 4] factor packs to 32 bytes per term
    const std::vector<int8_t> fa = a, fb = b;
    ASSERT_EQ(tml_pack_kron_s8(&kp, fa.data(), fb.data(), a.data(), b.data()), TML_OK);
  }
  std::vector<uint16_t> row_ptr(rows + 1), col_idx;
  std::vector<int8_t> values;
  for (int r = 0; r < rows; ++r) {
    row_ptr[r] = uint16_t(col_idx.size());
    if (r % 3 == 0) {
      col_idx.push_back(uint16_t(r % hs));
      values.push_back(int8_t(d8(rng)));
    }
  }
  row_ptr[rows] = uint16_t(col_idx.size());
  std::vector<int32_t> wbias(rows), rbias(rows), wm(rows), rm(rows);
  std::vector<double> wf(rows), rf(rows);
  for (int r = 0; r < rows; ++r) {
    wbias[r] = d8(rng) * 50;
    rbias[r] = d8(rng) * 10;
    wf[r] = 4096.0 / (127.0 * 128.0 * in) * (1 + r % 4);
    rf[r] = 4096.0 / (127.0 * 127.0 * 4.0 * 32.0 * 4.0) * (1 + r % 3);
  }
  int32_t wl = 0, wr = 0, rl = 0, rr = 0;
  tml_quantize_multipliers_s8(rows, wf.data(), wm.data(), &wl, &wr);
  tml_quantize_multipliers_s8(rows, rf.data(), rm.data(), &rl, &rr);
  // uint8_t column indices (cols <= 256), uint16_t row pointers.
  const std::vector<uint8_t> col_idx8(col_idx.begin(), col_idx.end());
  const tml_sparse_s8 sp{rows, hs, row_ptr.data(), col_idx8.data(), values.data(), 2, 1, 5, nullptr, 0};
  const tml_linear_op_s8 wop{rows, in, packed.data(), nullptr, nullptr, nullptr, nullptr,
                             wbias.data(), {wm.data(), wl, wr}, nullptr, nullptr, 0};
  const tml_linear_op_s8 rop{rows, hs, nullptr, &kp, a.data(), b.data(), &sp,
                             rbias.data(), {rm.data(), rl, rr}, nullptr, nullptr, 0};
  const tml_lstm_s8_params params{in, hs};
  const int32_t scratch_bytes = tml_lstm_step_s8_s16_get_buffer_size(&params, &wop, &rop);
  auto i = [](int v) { return std::to_string(v); };
  const std::string source =
      "#include \"tml_kernels_s8.h\"\n" + CArray("static const int8_t W[]", packed) +
      CArray("static const int8_t A[]", a) + CArray("static const int8_t B[]", b) +
      CArray("static const uint16_t RP[]", row_ptr) + CArray("static const uint8_t CI[]", col_idx8) +
      CArray("static const int8_t SV[]", values) + CArray("static const int32_t WB[]", wbias) +
      CArray("static const int32_t RB[]", rbias) + CArray("static const int32_t WM[]", wm) +
      CArray("static const int32_t RM[]", rm) +
      "static const tml_kron_s8_params kp = {8, 4, 8, 4, 2, 5};\n"
      "static const tml_sparse_s8 sp = {" + i(rows) + ", " + i(hs) + ", RP, CI, SV, 2, 1, 5, 0, 0};\n"
      "static const tml_linear_op_s8 wop = {" + i(rows) + ", " + i(in) +
      ", W, 0, 0, 0, 0, WB, {WM, " + i(wl) + ", " + i(wr) + "}, 0, 0, 0};\n"
      "static const tml_linear_op_s8 rop = {" + i(rows) + ", " + i(hs) +
      ", 0, &kp, A, B, &sp, RB, {RM, " + i(rl) + ", " + i(rr) + "}, 0, 0, 0};\n"
      "static const tml_lstm_s8_params params = {" + i(in) + ", " + i(hs) + "};\n"
      "int8_t tml_in[" + i(in) + "];\nint8_t tml_h[" + i(hs) + "];\nint16_t tml_c[" + i(hs) +
      "];\nstatic int32_t scratch[" + i(scratch_bytes / 4 + 1) + "];\n"
      "int main(void) {\n"
      "  tml_context ctx = {scratch, sizeof scratch};\n"
      "  for (;;) {\n"
      "    __asm volatile(\"bkpt #1\");\n"
      "    if (tml_lstm_step_s8_s16(&ctx, &params, &wop, &rop, tml_in, tml_h, tml_c, tml_h,\n"
      "                             tml_c) != TML_OK) return 1;\n"
      "  }\n}\n";
  const std::string dsp_elf = Build(source, true, kRecurrentSources),
                    c_elf = Build(source, false, kRecurrentSources);
  ASSERT_FALSE(dsp_elf.empty());
  ASSERT_FALSE(c_elf.empty());
  std::vector<std::vector<int8_t>> inputs(5, std::vector<int8_t>(in));
  for (auto& x : inputs)
    for (auto& v : x) v = int8_t(x8(rng));
  auto dsp = LoadOrDie(dsp_elf), pure = LoadOrDie(c_elf);
  ASSERT_TRUE(dsp && pure);
  ASSERT_TRUE(dsp->RunUntilBreakpoint().ok());
  ASSERT_TRUE(pure->RunUntilBreakpoint().ok());
  std::vector<int32_t> scratch(scratch_bytes / 4 + 1);
  tml_context ctx{scratch.data(), int32_t(scratch.size() * 4)};
  std::vector<int8_t> h(hs, 0);
  std::vector<int16_t> c(hs, 0);
  for (size_t step = 0; step < inputs.size(); ++step) {
    ASSERT_EQ(tml_lstm_step_s8_s16(&ctx, &params, &wop, &rop, inputs[step].data(), h.data(),
                                   c.data(), h.data(), c.data()),
              TML_OK);
    std::vector<uint8_t> host(hs + 2 * hs);
    memcpy(host.data(), h.data(), hs);
    memcpy(host.data() + hs, c.data(), 2 * hs);
    ASSERT_NO_FATAL_FAILURE(ExpectStepEquals(dsp.get(), pure.get(), inputs[step].data(), in,
                                             {"tml_h", "tml_c"}, host, step));
  }
  // The state is not trivially saturated or zero.
  int distinct = 0;
  for (int j = 1; j < hs; ++j) distinct += h[j] != h[0];
  EXPECT_GT(distinct, 3);
}

// A random dense int8 operator [rows, cols] mapping to Q3.12 (factor scaled for `cols`
// inputs), with its C definition under the name `name`; `compact`: one multiplier and a
// per-row extra right shift (tml_linear_op_s8::row_shift); `left` >= 0 replaces the left
// shift (to exercise it; the values stay random), `with_bias` false leaves the bias NULL.
struct RandomDenseOp {
  std::vector<int8_t> packed, shift;
  std::vector<int32_t> bias, mult;
  tml_linear_op_s8 op{};
  std::string c;
  RandomDenseOp(std::mt19937& rng, const std::string& name, int rows, int cols,
                bool compact = false, int left = -1, bool with_bias = true) {
    std::uniform_int_distribution<int> d8(-127, 127), d4(0, 3);
    std::vector<int8_t> w(size_t(rows) * cols);
    for (auto& v : w) v = int8_t(d8(rng));
    packed.resize(tml_pack_weights_s8_size(rows, cols));
    EXPECT_EQ(tml_pack_weights_s8(rows, cols, w.data(), packed.data()), TML_OK);
    bias.resize(rows);
    mult.resize(rows);
    std::vector<double> f(rows);
    for (int r = 0; r < rows; ++r) {
      bias[r] = d8(rng) * 40;
      f[r] = 4096.0 * 3.0 / (127.0 * 128.0 * cols) * (1 + r % 4);
    }
    int32_t l = 0, rs = 0;
    tml_quantize_multipliers_s8(rows, f.data(), mult.data(), &l, &rs);
    if (left >= 0) l = left;
    std::string shift_c = "0";
    if (compact) {
      mult.resize(1);
      shift.resize(rows);
      for (auto& v : shift) v = int8_t(d4(rng));
      shift_c = name + "_S";
    }
    op = tml_linear_op_s8{rows, cols, packed.data(), nullptr, nullptr, nullptr, nullptr,
                          with_bias ? bias.data() : nullptr, {mult.data(), l, rs},
                          compact ? shift.data() : nullptr, nullptr, 0};
    c = CArray(("static const int8_t " + name + "_W[]").c_str(), packed) +
        (with_bias ? CArray(("static const int32_t " + name + "_B[]").c_str(), bias) : "") +
        CArray(("static const int32_t " + name + "_M[]").c_str(), mult) +
        (compact ? CArray(("static const int8_t " + name + "_S[]").c_str(), shift) : "") +
        "static const tml_linear_op_s8 " + name + " = {" + std::to_string(rows) + ", " +
        std::to_string(cols) + ", " + name + "_W, 0, 0, 0, 0, " + (with_bias ? name + "_B" : "0") +
        ", {" + name + "_M, " +
        std::to_string(l) + ", " + std::to_string(rs) + "}, " + shift_c + ", 0, 0};\n";
  }
};

// Per inference one GRU step with linear_before_reset 0, one with 1 and one RNN step
// (dense operators, some in the compact requantization form, H = 10 so the padded
// accumulator rows are exercised), states kept in
// the firmware across 5 steps; the three h vectors compared after every step.
TEST(S8DspBitExactTest, GruAndRnnStepsDspEqualsPureC) {
  const int in = 13, hs = 10;
  std::mt19937 rng(91);
  std::uniform_int_distribution<int> x8(-128, 127);
  RandomDenseOp gw(rng, "gw", 3 * hs, in), gzr(rng, "gzr", 2 * hs, hs, true),
      gh(rng, "gh", hs, hs);
  RandomDenseOp rw(rng, "rw", hs, in, true), rr(rng, "rr", hs, hs);
  const tml_gru_s8_params g0{in, hs, 0}, g1{in, hs, 1};
  const tml_rnn_s8_params rp{in, hs};
  const int32_t bytes =
      std::max(tml_gru_step_s8_s16_get_buffer_size(&g0, &gw.op, &gzr.op, &gh.op),
               tml_rnn_step_s8_s16_get_buffer_size(&rp, &rw.op, &rr.op));
  ASSERT_GT(bytes, 0);
  auto i = [](int v) { return std::to_string(v); };
  const std::string source =
      "#include \"tml_kernels_s8.h\"\n" + gw.c + gzr.c + gh.c + rw.c + rr.c +
      "static const tml_gru_s8_params g0 = {" + i(in) + ", " + i(hs) + ", 0};\n"
      "static const tml_gru_s8_params g1 = {" + i(in) + ", " + i(hs) + ", 1};\n"
      "static const tml_rnn_s8_params rp = {" + i(in) + ", " + i(hs) + "};\n"
      "int8_t tml_in[" + i(in) + "];\nint8_t tml_h[" + i(3 * hs) + "];\n"
      "static int32_t scratch[" + i(bytes / 4 + 1) + "];\n"
      "int main(void) {\n"
      "  tml_context ctx = {scratch, sizeof scratch};\n"
      "  for (;;) {\n"
      "    __asm volatile(\"bkpt #1\");\n"
      "    if (tml_gru_step_s8_s16(&ctx, &g0, &gw, &gzr, &gh, tml_in, tml_h, tml_h) != TML_OK)\n"
      "      return 1;\n"
      "    if (tml_gru_step_s8_s16(&ctx, &g1, &gw, &gzr, &gh, tml_in, tml_h + " + i(hs) +
      ", tml_h + " + i(hs) + ") != TML_OK)\n"
      "      return 1;\n"
      "    if (tml_rnn_step_s8_s16(&ctx, &rp, &rw, &rr, tml_in, tml_h + " + i(2 * hs) +
      ", tml_h + " + i(2 * hs) + ") != TML_OK)\n"
      "      return 1;\n"
      "  }\n}\n";
  const std::string dsp_elf = Build(source, true, kRecurrentSources),
                    c_elf = Build(source, false, kRecurrentSources);
  ASSERT_FALSE(dsp_elf.empty());
  ASSERT_FALSE(c_elf.empty());
  auto dsp = LoadOrDie(dsp_elf), pure = LoadOrDie(c_elf);
  ASSERT_TRUE(dsp && pure);
  ASSERT_TRUE(dsp->RunUntilBreakpoint().ok());
  ASSERT_TRUE(pure->RunUntilBreakpoint().ok());
  std::vector<int32_t> scratch(bytes / 4 + 1);
  tml_context ctx{scratch.data(), bytes};
  std::vector<int8_t> h(3 * hs, 0), x(in);
  for (int step = 0; step < 5; ++step) {
    for (auto& v : x) v = int8_t(x8(rng));
    ASSERT_EQ(tml_gru_step_s8_s16(&ctx, &g0, &gw.op, &gzr.op, &gh.op, x.data(), h.data(),
                                  h.data()),
              TML_OK);
    ASSERT_EQ(tml_gru_step_s8_s16(&ctx, &g1, &gw.op, &gzr.op, &gh.op, x.data(), h.data() + hs,
                                  h.data() + hs),
              TML_OK);
    ASSERT_EQ(tml_rnn_step_s8_s16(&ctx, &rp, &rw.op, &rr.op, x.data(), h.data() + 2 * hs,
                                  h.data() + 2 * hs),
              TML_OK);
    const std::vector<uint8_t> host(h.begin(), h.end());
    ASSERT_NO_FATAL_FAILURE(ExpectStepEquals(dsp.get(), pure.get(), x.data(), in, {"tml_h"}, host, step));
  }
  // Each state is not trivially saturated or zero.
  for (int k = 0; k < 3; ++k) {
    int distinct = 0;
    for (int j = 1; j < hs; ++j) distinct += h[k * hs + j] != h[k * hs];
    EXPECT_GT(distinct, 2) << "state " << k;
  }
}

// The int8 LSTM step's fused dense path (dense compact W and R, what the compiler emits; the
// Cortex-M4 build runs its row loop in assembly): W inside the row loop (inputs 8 and 20,
// column groups 2 and 5) or before it (input 40), R with 16 + 2 column groups (H 70) or
// fewer than 16, a block straddling the sigmoid and tanh gates (H 11, 70), an odd H (the
// cell's last unit on its own), left shifts,
// R with and without a bias. Per inference one step of each LSTM, states kept in the
// firmware across 5 steps, h and c compared with the host after every step.
TEST(S8DspBitExactTest, LstmStepFusedDenseDspEqualsPureC) {
  struct Case {
    int in, hs, w_left, r_left;
    bool r_bias;
  };
  const Case cases[] = {{8, 24, -1, -1, false}, {20, 11, 2, 1, true}, {40, 70, 0, 3, true},
                        {6, 13, 2, 0, true}};
  std::mt19937 rng(15);
  std::uniform_int_distribution<int> x8(-128, 127);
  std::vector<std::unique_ptr<RandomDenseOp>> ops;
  std::vector<tml_lstm_s8_params> params;
  auto i = [](int v) { return std::to_string(v); };
  std::string source = "#include \"tml_kernels_s8.h\"\n", calls;
  int32_t bytes = 0;
  int in_max = 0, h_total = 0;
  for (size_t k = 0; k < std::size(cases); ++k) {
    const Case& c = cases[k];
    const std::string n = i(int(k));
    ops.push_back(std::make_unique<RandomDenseOp>(rng, "w" + n, 4 * c.hs, c.in, true, c.w_left));
    ops.push_back(std::make_unique<RandomDenseOp>(rng, "r" + n, 4 * c.hs, c.hs, true, c.r_left,
                                                  c.r_bias));
    params.push_back(tml_lstm_s8_params{c.in, c.hs});
    bytes = std::max(bytes, tml_lstm_step_s8_s16_get_buffer_size(
                                &params.back(), &ops[2 * k]->op, &ops[2 * k + 1]->op));
    source += ops[2 * k]->c + ops[2 * k + 1]->c + "static const tml_lstm_s8_params p" + n +
              " = {" + i(c.in) + ", " + i(c.hs) + "};\n";
    calls += "    if (tml_lstm_step_s8_s16(&ctx, &p" + n + ", &w" + n + ", &r" + n +
             ", tml_in, tml_h + " + i(h_total) + ", tml_c + " + i(h_total) + ", tml_h + " +
             i(h_total) + ", tml_c + " + i(h_total) + ") != TML_OK)\n      return 1;\n";
    in_max = std::max(in_max, c.in);
    h_total += c.hs;
  }
  ASSERT_GT(bytes, 0);
  source += "int8_t tml_in[" + i(in_max) + "];\nint8_t tml_h[" + i(h_total) +
            "];\nint16_t tml_c[" + i(h_total) + "];\nstatic int32_t scratch[" +
            i(bytes / 4 + 1) + "];\nint main(void) {\n  tml_context ctx = {scratch, sizeof scratch};\n"
            "  for (;;) {\n    __asm volatile(\"bkpt #1\");\n" + calls + "  }\n}\n";
  const std::string dsp_elf = Build(source, true, kRecurrentSources),
                    c_elf = Build(source, false, kRecurrentSources);
  ASSERT_FALSE(dsp_elf.empty());
  ASSERT_FALSE(c_elf.empty());
  auto dsp = LoadOrDie(dsp_elf), pure = LoadOrDie(c_elf);
  ASSERT_TRUE(dsp && pure);
  ASSERT_TRUE(dsp->RunUntilBreakpoint().ok());
  ASSERT_TRUE(pure->RunUntilBreakpoint().ok());
  std::vector<int32_t> scratch(bytes / 4 + 1);
  tml_context ctx{scratch.data(), bytes};
  std::vector<int8_t> h(h_total, 0), x(in_max);
  std::vector<int16_t> cs(h_total, 0);
  for (int step = 0; step < 5; ++step) {
    for (auto& v : x) v = int8_t(x8(rng));
    int off = 0;
    for (size_t k = 0; k < std::size(cases); ++k) {
      ASSERT_EQ(tml_lstm_step_s8_s16(&ctx, &params[k], &ops[2 * k]->op, &ops[2 * k + 1]->op,
                                     x.data(), h.data() + off, cs.data() + off, h.data() + off,
                                     cs.data() + off),
                TML_OK);
      off += cases[k].hs;
    }
    std::vector<uint8_t> host(h.begin(), h.end());
    host.resize(h_total * 3);
    memcpy(host.data() + h_total, cs.data(), 2 * h_total);
    ASSERT_NO_FATAL_FAILURE(ExpectStepEquals(dsp.get(), pure.get(), x.data(), in_max,
                                             {"tml_h", "tml_c"}, host, step));
  }
  // The states are not trivially saturated or zero.
  int distinct = 0;
  for (int j = 1; j < h_total; ++j) distinct += h[j] != h[0];
  EXPECT_GT(distinct, h_total / 4);
}

}  // namespace
}  // namespace tml::emu::testing
