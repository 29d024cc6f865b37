// Float kernel cycles on the emulated Cortex-M4 (TRM cycle model, 0 wait states), per
// layer kind: cycles and cycles per MAC of one call, so that regressions show. The int8
// kernels have their own program (bench_int8_cycles).
//
// Builds one firmware per case with arm-none-eabi-gcc -O2 -std=c99 (the flags the
// verification firmware uses: fast float math, the VLDM dot products), runs the kernel
// twice between `bkpt #1` stops and prints the second call. The figure includes the call,
// the argument checks and, for the recurrent steps, the gate activations and cell update
// (MACs count only the matrix-vector products).
// Cases: tml_fully_connected_f32 and tml_gemm_f32 (transB 1) at 128×128 and 10×128;
// tml_lstm_step_f32 and tml_gru_step_f32 at 128 units, input 8 (lstm_classifier's layer)
// and input 128; tml_lstm_step_op_f32 with W, R as Kronecker sums (the factor shapes
// `--kronecker auto` picks for lstm_classifier: R = A [4, 64] ⊗ B [128, 2], rank 2;
// per logical MAC).
//
// Measured (arm-none-eabi-gcc 12.2, -O2): see README "Performance".
//
// Usage: bench_kernel_cycles [SUBSTRING]   (only the cases whose name contains it; needs
// arm-none-eabi-gcc on PATH; TML_BENCH_PROFILE=1 adds the cycles per function)
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "emulator/firmware_build.h"
#include "emulator/m4_runner.h"

namespace {

namespace fs = std::filesystem;

std::string FloatArray(const std::string& name, size_t n, std::mt19937& rng, bool is_const = true) {
  std::uniform_real_distribution<float> d(-0.2f, 0.2f);
  std::ostringstream s;
  s << (is_const ? "static const " : "") << "float " << name << "[] = {";
  for (size_t i = 0; i < n; ++i) s << (i % 16 == 0 ? "\n" : "") << d(rng) << "f,";
  s << "};\n";
  return s.str();
}

std::string Dims(const std::string& name, std::vector<int> d) {
  std::string s = "static const tml_dims " + name + " = {" + std::to_string(d.size()) + ", {";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "}};\n";
}

// Builds `data` + main (which calls `call` after every bkpt #1) and returns the cycles of
// the second call.
bool Measure(const std::string& name, const std::string& data, const std::string& call,
             uint64_t& cycles) {
  const fs::path dir = fs::temp_directory_path() / "tml_bench_kernels" / name;
  fs::create_directories(dir);
  const std::string src = (dir / "main.c").string();
  std::ofstream(src) << "#include \"tml_kernels.h\"\n#include <math.h>\n#include <stdint.h>\n"
                     << data << "int main(void) {\n  for (;;) {\n"
                     << "    __asm volatile(\"bkpt #1\");\n    if (" << call
                     << " != TML_OK) return 1;\n  }\n}\n";
  tml::emu::FirmwareBuild build;
  build.build_dir = dir.string();
  build.sources = {src};
  for (const auto& entry : fs::recursive_directory_iterator(TML_RUNTIME_SRC_DIR "/src")) {
    const std::string p = entry.path().string();
    if (p.find("_f32") != std::string::npos) build.sources.push_back(p);
  }
  build.include_dirs = {TML_RUNTIME_SRC_DIR "/include"};
  build.extra_flags = {"-std=c99"};
  auto elf = tml::emu::BuildFirmware(build);
  if (!elf.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), elf.status().message().c_str());
    return false;
  }
  auto runner = tml::emu::M4Runner::Load(*elf, tml::emu::RunnerOptions{});
  if (!runner.ok()) return false;
  uint64_t c = 0;
  for (int k = 0; k < 3; ++k) {  // reset -> bkpt, then two calls (the 2nd is reported)
    (*runner)->ClearProfile();
    auto stop = (*runner)->RunUntilBreakpoint();
    if (!stop.ok() || stop->reason != tml::emu::StopReason::kBreakpoint || stop->breakpoint != 1) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(),
                   stop.ok() ? "exited early" : stop.status().message().c_str());
      return false;
    }
    c = stop->cycles;
  }
  cycles = c;
  if (std::getenv("TML_BENCH_PROFILE") != nullptr) {
    for (const auto& [fn, a] : (*runner)->FunctionProfile())
      std::printf("    %-30s %10llu\n", fn.c_str(), static_cast<unsigned long long>(a.cycles));
  }
  return true;
}

struct Case {
  std::string name;
  std::string data;
  std::string call;
  double macs;
};

Case FullyConnected(int rows, int cols, std::mt19937& rng) {
  const std::string s = std::to_string(rows) + "x" + std::to_string(cols);
  return {"fully_connected_f32_" + s,
          FloatArray("W", size_t(rows) * cols, rng) + FloatArray("B", rows, rng) +
              FloatArray("X", cols, rng, false) + "static float Y[" + std::to_string(rows) +
              "];\n" + Dims("xd", {1, cols}) + Dims("wd", {rows, cols}) + Dims("bd", {rows}) +
              Dims("yd", {1, rows}) + "static const tml_fc_params fc = {-INFINITY, INFINITY};\n",
          "tml_fully_connected_f32(NULL, &fc, &xd, X, &wd, W, &bd, B, &yd, Y)", double(rows) * cols};
}

Case Gemm(int rows, int cols, std::mt19937& rng) {
  const std::string s = std::to_string(rows) + "x" + std::to_string(cols);
  return {"gemm_f32_transB_" + s,
          FloatArray("W", size_t(rows) * cols, rng) + FloatArray("B", rows, rng) +
              FloatArray("X", cols, rng, false) + "static float Y[" + std::to_string(rows) +
              "];\n" + Dims("xd", {1, cols}) + Dims("wd", {rows, cols}) + Dims("bd", {rows}) +
              Dims("yd", {1, rows}) + "static const tml_gemm_params gp = {1.0f, 1.0f, 0, 1};\n",
          "tml_gemm_f32(NULL, &gp, &xd, X, &wd, W, &bd, B, &yd, Y)", double(rows) * cols};
}

// Gemm with transB 0: X [m, k] · W [k, n] (W stored [K, N], as ONNX exporters of Keras
// dense layers write it).
Case GemmNN(int m, int k, int n, std::mt19937& rng) {
  const std::string s = std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n);
  return {"gemm_f32_transB0_" + s,
          FloatArray("W", size_t(k) * n, rng) + FloatArray("B", n, rng) +
              FloatArray("X", size_t(m) * k, rng, false) + "static float Y[" +
              std::to_string(m * n) + "];\n" + Dims("xd", {m, k}) + Dims("wd", {k, n}) +
              Dims("bd", {n}) + Dims("yd", {m, n}) +
              "static const tml_gemm_params gp = {1.0f, 1.0f, 0, 0};\n",
          "tml_gemm_f32(NULL, &gp, &xd, X, &wd, W, &bd, B, &yd, Y)", double(m) * k * n};
}

// MatMul A [m, k] · B [k, n].
Case MatMul(int m, int k, int n, std::mt19937& rng) {
  const std::string s = std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n);
  return {"matmul_f32_" + s,
          FloatArray("A", size_t(m) * k, rng, false) + FloatArray("W", size_t(k) * n, rng) +
              "static float Y[" + std::to_string(m * n) + "];\n" + Dims("ad", {m, k}) +
              Dims("wd", {k, n}) + Dims("yd", {m, n}),
          "tml_matmul_f32(NULL, &ad, A, &wd, W, &yd, Y)", double(m) * k * n};
}

// tml_kron_matvec_f32: y = sum_r (A_r ⊗ B_r) x, A [m1, n1], B [m2, n2], per real MAC of its
// two small products (AX first: rank·(m1·n1·n2 + m1·n2·m2); XBᵀ first: rank·(m2·n1·n2 +
// m1·m2·n1)), not per MAC of the dense matrix it stands for.
Case Kron(int m1, int n1, int m2, int n2, int rank, bool ax_first, std::mt19937& rng) {
  const int rows = m1 * m2, cols = n1 * n2;
  const std::string s = std::to_string(rows) + "x" + std::to_string(cols) + "_r" +
                        std::to_string(rank) + (ax_first ? "_ax" : "_xbt");
  const int scratch = ax_first ? m1 * n2 : n1 * m2;
  return {"kron_matvec_f32_" + s,
          FloatArray("A", size_t(rank) * m1 * n1, rng) + FloatArray("Bk", size_t(rank) * m2 * n2, rng) +
              FloatArray("X", cols, rng, false) + "static float Y[" + std::to_string(rows) +
              "];\nstatic float scratch[" + std::to_string(scratch) + "];\n"
              "static const tml_context ctx = {scratch, sizeof scratch};\n" +
              Dims("xd", {1, cols}) + Dims("yd", {1, rows}) + Dims("ad", {rank, m1, n1}) +
              Dims("bd", {rank, m2, n2}) + "static const tml_kron_params kp = {" +
              std::to_string(m1) + ", " + std::to_string(n1) + ", " + std::to_string(m2) + ", " +
              std::to_string(n2) + ", " + std::to_string(rank) + ", " +
              (ax_first ? "TML_KRON_AX_FIRST" : "TML_KRON_XBT_FIRST") + ", 0};\n",
          "tml_kron_matvec_f32(&ctx, &kp, &xd, X, &ad, A, &bd, Bk, NULL, NULL, &yd, Y)",
          double(rank) * (ax_first ? double(m1) * n1 * n2 + double(m1) * n2 * m2
                                   : double(m2) * n1 * n2 + double(m1) * m2 * n1)};
}

// tml_sparse_matvec_f32, [rows, cols] with about `percent` % non-zeros at random columns
// (uint8_t column indices, uint16_t row pointers: what codegen picks for a doped
// 128-column operator); per stored non-zero.
Case Sparse(int rows, int cols, int percent, std::mt19937& rng) {
  std::vector<int> row_ptr = {0};
  std::vector<int> col;
  std::uniform_int_distribution<int> pick(0, 99);
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j)
      if (pick(rng) < percent) col.push_back(j);
    row_ptr.push_back(int(col.size()));
  }
  std::string data = FloatArray("V", col.size(), rng) + FloatArray("X", cols, rng, false) +
                     "static float Y[" + std::to_string(rows) + "];\n" +
                     Dims("xd", {1, cols}) + Dims("yd", {1, rows});
  data += "static const uint16_t RP[] = {";
  for (int v : row_ptr) data += std::to_string(v) + ",";
  data += "};\nstatic const uint8_t CI[] = {";
  for (int v : col) data += std::to_string(v) + ",";
  data += "};\nstatic const tml_sparse_params sp = {" + std::to_string(rows) + ", " +
          std::to_string(cols) + ", TML_SPARSE_INDEX_U16, TML_SPARSE_INDEX_U8};\n";
  return {"sparse_matvec_f32_" + std::to_string(rows) + "x" + std::to_string(cols) + "_" +
              std::to_string(percent) + "pct",
          data, "tml_sparse_matvec_f32(NULL, &sp, RP, CI, V, &xd, X, &yd, Y)",
          double(col.size())};
}

// One step of an LSTM (gates 4) or GRU (gates 3, linear_before_reset 1), dense W, R.
Case RecurrentStep(const char* kind, int gates, int hidden, int input, std::mt19937& rng) {
  const int rows = gates * hidden;
  const std::string fn = std::string("tml_") + kind + "_step_f32";
  std::string data = FloatArray("W", size_t(rows) * input, rng) +
                     FloatArray("R", size_t(rows) * hidden, rng) + FloatArray("B", 2 * rows, rng) +
                     FloatArray("X", input, rng, false) + FloatArray("H", hidden, rng, false) +
                     FloatArray("C", hidden, rng, false) +
                     "static float scratch[" + std::to_string(8 * hidden) + "];\n"
                     "static const tml_context ctx = {scratch, sizeof scratch};\n"
                     "static const tml_rnn_cell_params cell = {" + std::to_string(input) + ", " +
                     std::to_string(hidden) + ", 0.0f, 0, 1};\n"
                     "static const tml_rnn_weights_f32 wts = {W, R, B, NULL};\n";
  const std::string call = gates == 4 ? fn + "(&ctx, &cell, &wts, X, H, C, H, C)"
                                      : fn + "(&ctx, &cell, &wts, X, H, H)";
  return {std::string(kind) + "_step_f32_" + std::to_string(hidden) + "_in" + std::to_string(input),
          data, call, double(rows) * (input + hidden)};
}

// A Kronecker-sum operator named `n` [rows, cols] = sum of `rank` A [m1, n1] ⊗ B [.., ..].
std::string KronOp(const std::string& n, int rows, int cols, int m1, int n1, int rank,
                   std::mt19937& rng) {
  const int m2 = rows / m1, n2 = cols / n1;
  return FloatArray(n + "_a", size_t(rank) * m1 * n1, rng) +
         FloatArray(n + "_b", size_t(rank) * m2 * n2, rng) + "static const tml_linear_op_f32 " +
         n + " = {" + std::to_string(rows) + ", " + std::to_string(cols) + ", NULL, {" +
         std::to_string(m1) + ", " + std::to_string(n1) + ", " + std::to_string(m2) + ", " +
         std::to_string(n2) + ", " + std::to_string(rank) + ", TML_KRON_AX_FIRST, 0}, " + n +
         "_a, " + n + "_b, 0, NULL, NULL};\n";
}

// One LSTM step with W [512, 8] = A [32, 2] ⊗ B [16, 4] and R [512, 128] = A [4, 64] ⊗
// B [128, 2], rank 2 (the shapes `--kronecker auto` picks for lstm_classifier).
Case KronLstmStep(std::mt19937& rng) {
  const int hidden = 128, input = 8, rows = 4 * hidden;
  std::string data = KronOp("w", rows, input, 32, 2, 2, rng) + KronOp("r", rows, hidden, 4, 64, 2, rng) +
                     FloatArray("B", 2 * rows, rng) + FloatArray("X", input, rng, false) +
                     FloatArray("H", hidden, rng, false) + FloatArray("C", hidden, rng, false) +
                     "static float scratch[4096];\n"
                     "static const tml_context ctx = {scratch, sizeof scratch};\n"
                     "static const tml_rnn_cell_params cell = {8, 128, 0.0f, 0, 0};\n"
                     "static const tml_rnn_op_weights_f32 wts = {&w, &r, B, NULL};\n";
  return {"lstm_step_op_f32_kron_128_in8", data,
          "tml_lstm_step_op_f32(&ctx, &cell, &wts, X, H, C, H, C)", double(rows) * (input + hidden)};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string only = argc > 1 ? argv[1] : "";
  std::mt19937 rng(15);
  std::vector<Case> cases = {FullyConnected(128, 128, rng), Gemm(128, 128, rng),
                             FullyConnected(10, 128, rng),
                             RecurrentStep("lstm", 4, 128, 8, rng),
                             RecurrentStep("lstm", 4, 128, 128, rng),
                             RecurrentStep("gru", 3, 128, 8, rng),
                             RecurrentStep("gru", 3, 128, 128, rng), KronLstmStep(rng),
                             GemmNN(1, 128, 128, rng), GemmNN(1, 127, 10, rng),
                             MatMul(1, 128, 128, rng), MatMul(16, 64, 32, rng),
                             MatMul(5, 33, 7, rng), Kron(4, 64, 128, 2, 2, true, rng),
                             Kron(16, 8, 8, 16, 2, false, rng), Sparse(128, 128, 10, rng),
                             Sparse(512, 128, 3, rng)};
  std::printf("%-34s %12s %10s %12s\n", "kernel", "MACs", "cycles", "cycles/MAC");
  for (const Case& c : cases) {
    if (c.name.find(only) == std::string::npos) continue;
    uint64_t cycles = 0;
    if (!Measure(c.name, c.data, c.call, cycles)) return 1;
    std::printf("%-34s %12.0f %10llu %12.3f%s\n", c.name.c_str(), c.macs,
                static_cast<unsigned long long>(cycles), double(cycles) / c.macs,
                c.name.find("kron_matvec") != std::string::npos ? "  (per real MAC)"
                : c.name.find("kron") != std::string::npos     ? "  (per logical MAC)"
                : c.name.find("sparse") != std::string::npos ? "  (per non-zero)"
                                                              : "");
  }
  return 0;
}
