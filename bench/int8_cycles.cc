// int8 kernel cycles on the emulated Cortex-M4 (TRM cycle model, 0 wait states).
//
// Builds one firmware per case with arm-none-eabi-gcc -O2 (DSP path on), runs one
// call of the kernel between two `bkpt #1` stops and prints cycles and cycles per
// MAC. The figure includes the call, argument checks, input widening and the
// requantization of every output. Cases (ISSUE 8, ISSUE 15):
//   - tml_fully_connected_s8 at 64×64, 128×128, 256×256, 512×128 (rows × cols);
//   - tml_kron_matvec_s8 at the same logical shapes (rank 1, square-ish factors);
//   - one dense 128-unit LSTM step at input 8 (issue 15's target shape) and 128 (and at input
//     8 with R's bias NULL, the compiler's form), and one
//     dense 128-unit GRU step (linear_before_reset 1) at the same inputs, cycles per MAC
//     over W and R (gate activations and the state update included);
//   - one 128-unit LSTM step (input 128) dense, Kronecker (square-ish factors, and the
//     factor shapes `--kronecker auto` picks) and Kronecker + doping, with the compact
//     requantization the compiler emits for recurrent operators, per logical MAC.
//
// Measured (arm-none-eabi-gcc 12.2, -O2, DSP path, issue 15):
//   tml_fully_connected_s8 cycles/MAC: 64×64 1.89, 128×128 1.54, 256×256 1.38, 512×128 1.50
//   (inner loop 19 cycles per 16 MACs; the rest is per-4-row-block requantization and loop
//   overhead, the call, argument checks and input widening);
//   LSTM step dense: input 8 112,338 cycles = 1.613 cycles/MAC (R without a bias, as the
//   compiler emits it: 111,314 = 1.599), input 128 199,292 = 1.52 (the row loop and the cell
//   in assembly; in C 126,012 = 1.81 and 207,188 = 1.58);
//   GRU step dense: input 8 109,654 = 2.10, input 128 164,920 = 1.68;
//   Kronecker with the auto shapes (A [4, 64] ⊗ B [128, 2], rank 2, W+R 64x smaller) 40,474
//   = 4.9x fewer than dense; square-ish rank 1 (102x) 62,560 = 3.2x.
//   (These move by up to ~1 % with code layout.)
//
// Usage: bench_int8_cycles   (needs arm-none-eabi-gcc on PATH; TML_BENCH_PROFILE=1 adds
// the cycles per function)
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
#include "tml_kernels_s8.h"

namespace {

namespace fs = std::filesystem;

template <typename T>
std::string CArray(const char* type, const char* name, const std::vector<T>& v,
                   bool is_const = true) {
  std::ostringstream s;
  s << (is_const ? "static const " : "") << type << " " << name
    << "[] __attribute__((aligned(4))) = {";
  for (size_t i = 0; i < v.size(); ++i) s << (i % 32 == 0 ? "\n" : "") << int64_t(v[i]) << ",";
  s << "};\n";
  return s.str();
}

std::vector<int8_t> RandomS8(size_t n, std::mt19937& rng, int lo = -127, int hi = 127) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

// TML_BENCH_ONLY=SUBSTRING runs only the cases whose name contains it.
bool Skip(const std::string& name) {
  const char* only = std::getenv("TML_BENCH_ONLY");
  return only != nullptr && name.find(only) == std::string::npos;
}

// Builds `data` + main (which calls `call` after every bkpt #1) and returns
// the cycles of the second inference.
bool Measure(const std::string& name, const std::string& data, const std::string& call,
             uint64_t& cycles) {
  const fs::path dir = fs::temp_directory_path() / "tml_bench_int8" / name;
  fs::create_directories(dir);
  const std::string src = (dir / "main.c").string();
  std::ofstream(src) << "#include \"tml_kernels_s8.h\"\n#include <stdint.h>\n"
                     << data << "int main(void) {\n  for (;;) {\n"
                     << "    __asm volatile(\"bkpt #1\");\n    if (" << call
                     << " != TML_OK) return 1;\n  }\n}\n";
  tml::emu::FirmwareBuild build;
  build.build_dir = dir.string();
  build.sources = {src};
  for (const auto& entry : fs::recursive_directory_iterator(TML_RUNTIME_SRC_DIR "/src")) {
    const std::string p = entry.path().string();
    if (p.find("_s8") != std::string::npos || p.find("_s16") != std::string::npos)
      build.sources.push_back(p);
  }
  build.include_dirs = {TML_RUNTIME_SRC_DIR "/include"};
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

// Data + call of tml_fully_connected_s8 for a rows × cols layer.
void FcCase(int rows, int cols, std::mt19937& rng, std::string& data, std::string& call) {
  const auto w = RandomS8(size_t(rows) * cols, rng);
  std::vector<int8_t> packed(tml_pack_weights_s8_size(rows, cols));
  tml_pack_weights_s8(rows, cols, w.data(), packed.data());
  std::vector<int32_t> bias(rows), mult(rows);
  std::vector<double> scales(rows);
  for (int r = 0; r < rows; ++r) {
    bias[r] = int32_t(rng() % 2001) - 1000;
    scales[r] = (1.0 + (r % 5) / 5.0) / (64.0 * cols);
  }
  int32_t left = 0, right = 0;
  tml_quantize_multipliers_s8(rows, scales.data(), mult.data(), &left, &right);
  data = CArray("int8_t", "W", packed) + CArray("int32_t", "BIAS", bias) +
         CArray("int32_t", "MULT", mult) +
         CArray("int8_t", "tml_in", RandomS8(cols, rng), false) +
         "int8_t tml_out[" + std::to_string(rows) + "];\n" +
         "static int32_t scratch[" + std::to_string((cols + 3) / 4 * 2 + (rows + 3) / 4 * 4) +
         "];\n" +
         "static const tml_dims in_dims = {1, {" + std::to_string(cols) + "}};\n" +
         "static const tml_dims out_dims = {1, {" + std::to_string(rows) + "}};\n" +
         "static const tml_dims w_dims = {2, {" + std::to_string(rows) + ", " +
         std::to_string(cols) + "}};\n" +
         "static const tml_fc_s8_params params = {-3, -128, 127, NULL};\n"
         "static const tml_quant_params quant = {MULT, " + std::to_string(left) + ", " +
         std::to_string(right) + "};\n"
         "static tml_context ctx = {scratch, sizeof scratch};\n";
  call =
      "tml_fully_connected_s8(&ctx, &params, &quant, &in_dims, tml_in, &w_dims, W, BIAS, "
      "&out_dims, tml_out)";
}

// C source defining a tml_linear_op_s8 named `name` [rows, cols]: dense (kron_m == 0), or
// a rank-`rank` Kronecker sum with A [kron_m, kron_n] (B the rest), plus `nnz_per_row`
// doping entries per row. Random values: only the cycles matter here.
std::string OpSource(const std::string& name, int rows, int cols, int kron_m, int kron_n,
                     int rank, int nnz_per_row, std::mt19937& rng, bool with_bias = true) {
  std::string src;
  const std::string n = name;
  // The compact requantization the compiler emits for recurrent operators: one
  // multiplier, a right shift per row (Kronecker: per factor row, m1 + m2 of them).
  const std::vector<int32_t> mult(1, 1 << 28), bias(rows, 100);
  std::vector<int8_t> shift(kron_m == 0 ? rows : kron_m + rows / kron_m);
  for (size_t k = 0; k < shift.size(); ++k) shift[k] = int8_t(k % 3);
  src += CArray("int32_t", (n + "_mult").c_str(), mult) + CArray("int32_t", (n + "_bias").c_str(), bias) +
         CArray("int8_t", (n + "_shift").c_str(), shift);
  std::string packed = "NULL", kron = "NULL", a = "NULL", b = "NULL", sparse = "NULL";
  if (kron_m == 0) {
    const auto w = RandomS8(size_t(rows) * cols, rng);
    std::vector<int8_t> p(tml_pack_weights_s8_size(rows, cols));
    tml_pack_weights_s8(rows, cols, w.data(), p.data());
    src += CArray("int8_t", (n + "_w").c_str(), p);
    packed = n + "_w";
  } else {
    const int m1 = kron_m, n1 = kron_n, m2 = rows / m1, n2 = cols / n1;
    const tml_kron_s8_params kp{m1, n1, m2, n2, rank, 8};
    const auto fa = RandomS8(size_t(rank) * m1 * n1, rng), fb = RandomS8(size_t(rank) * m2 * n2, rng);
    std::vector<int8_t> pa(rank * tml_pack_kron_factor_s8_size(m1, n1));
    std::vector<int8_t> pb(rank * tml_pack_kron_factor_s8_size(m2, n2));
    tml_pack_kron_s8(&kp, fa.data(), fb.data(), pa.data(), pb.data());
    src += CArray("int8_t", (n + "_a").c_str(), pa);
    src += CArray("int8_t", (n + "_b").c_str(), pb);
    src += "static const tml_kron_s8_params " + n + "_kron = {" + std::to_string(m1) + ", " +
           std::to_string(n1) + ", " + std::to_string(m2) + ", " + std::to_string(n2) + ", " +
           std::to_string(rank) + ", 8};\n";
    kron = "&" + n + "_kron";
    a = n + "_a";
    b = n + "_b";
  }
  if (nnz_per_row > 0) {
    std::vector<uint16_t> row_ptr(rows + 1);
    std::vector<uint8_t> col_idx;  // cols <= 256: uint8_t indices, as the compiler emits
    for (int r = 0; r < rows; ++r) {
      row_ptr[r] = uint16_t(col_idx.size());
      for (int k = 0; k < nnz_per_row; ++k) col_idx.push_back(uint8_t((r * 7 + k * 13) % cols));
    }
    row_ptr[rows] = uint16_t(col_idx.size());
    src += CArray("uint16_t", (n + "_rp").c_str(), row_ptr) +
           CArray("uint8_t", (n + "_ci").c_str(), col_idx) +
           CArray("int8_t", (n + "_sv").c_str(), RandomS8(col_idx.size(), rng));
    src += "static const tml_sparse_s8 " + n + "_sparse = {" + std::to_string(rows) + ", " +
           std::to_string(cols) + ", " + n + "_rp, " + n + "_ci, " + n + "_sv, 2, 1, 4, NULL, 0};\n";
    sparse = "&" + n + "_sparse";
  }
  src += "static const tml_linear_op_s8 " + n + " = {" + std::to_string(rows) + ", " +
         std::to_string(cols) + ", " + packed + ", " + kron + ", " + a + ", " + b + ", " + sparse +
         ", " + (with_bias ? n + "_bias" : std::string("NULL")) + ", {" + n + "_mult, 0, 16}, " +
         n + "_shift, NULL, 0};\n";
  return src;
}

// A Kronecker layer as a standalone op: acc = (A⊗B)x + bias, then int8 requantization
// (the compact form: one multiplier, m1 + m2 shifts).
void KronCase(int rows, int cols, int m1, int n1, std::mt19937& rng, std::string& data,
              std::string& call) {
  data = "#include \"tml_linear_op_s8_requant.h\"\n" + OpSource("op", rows, cols, m1, n1, 1, 0, rng) +
         CArray("int8_t", "tml_in", RandomS8(cols, rng), false) + "int8_t tml_out[" +
         std::to_string(rows) + "];\nstatic int32_t acc[" + std::to_string(rows) +
         "];\nstatic int16_t scratch[" + std::to_string(n1 * (cols / n1) + (rows / m1) * n1) +
         "];\nstatic tml_context ctx = {scratch, sizeof scratch};\n"
         "static tml_status kron_layer(void) {\n"
         "  int32_t r;\n"
         "  tml_status st = tml_linear_op_s8_apply(&ctx, &op, tml_in, acc);\n"
         "  tml_linear_op_s8_requantize_rows(&op, " + std::to_string(rows) + ", acc);\n"
         "  for (r = 0; r < " + std::to_string(rows) + "; ++r) {\n"
         "    tml_out[r] = (int8_t)(acc[r] < -128 ? -128 : (acc[r] > 127 ? 127 : acc[r]));\n"
         "  }\n  return st;\n}\n";
  call = "kron_layer()";
}

// The W and R operators of one step of the LSTM cases.
struct LstmKind {
  const char* name;
  int m1, n1, rank, nnz_per_row;  // A's shape (B the rest); m1 == 0: dense
};

// dense; Kronecker with square-ish factors A [16, 8] ⊗ B [32, 16], rank 1; the same with
// doping (1 non-zero per row, 0.8 % of the entries, W+R stay >= 15x smaller than dense
// int8); and the factor shapes `--kronecker auto --compress 50` picks for a 512×128
// recurrent matrix (the examples' 128-unit LSTM classifier: A [4, 64] ⊗ B [128, 2],
// rank 2, evaluated A·X first).
const LstmKind kLstmKinds[] = {{"dense", 0, 0, 0, 0},
                               {"kronecker", 16, 8, 1, 0},
                               {"kronecker+doping", 16, 8, 1, 1},
                               {"kronecker_auto_shape", 4, 64, 2, 0}};

// One LSTM step, H = hidden units, I = input, W and R of the given kind.
// r_bias false: R without a bias, as the compiler emits it (both biases in W's).
void LstmCase(int hidden, int input, const LstmKind& kind, std::mt19937& rng, std::string& data,
              std::string& call, double& params_bytes, bool r_bias = true) {
  const int rows = 4 * hidden, cols = hidden;
  const int m1 = kind.m1, n1 = kind.n1, rank = kind.rank, nnz = kind.nnz_per_row;
  if (m1 == 0) {
    data = OpSource("w", rows, input, 0, 0, 0, 0, rng) +
           OpSource("r", rows, cols, 0, 0, 0, 0, rng, r_bias);
    params_bytes = double(rows) * (input + cols);
  } else {
    data = OpSource("w", rows, input, m1, n1, rank, nnz, rng) +
           OpSource("r", rows, cols, m1, n1, rank, nnz, rng);
    // Factors stored int8 + CSR (1-byte column index and 1-byte value per non-zero,
    // 2-byte row pointers).
    params_bytes = 2.0 * (rank * (m1 * n1 + (rows / m1) * (cols / n1)) + nnz * rows * 2.0 +
                          (nnz > 0 ? 2.0 * (rows + 1) : 0.0));
  }
  data += CArray("int8_t", "tml_in", RandomS8(input, rng), false) +
          "static int8_t h[" + std::to_string(hidden) + "];\nstatic int16_t c[" +
          std::to_string(hidden) + "];\nstatic int32_t scratch[" +
          std::to_string(8 * hidden + 2 * rows + input) + "];\n"
          "static tml_context ctx = {scratch, sizeof scratch};\n"
          "static const tml_lstm_s8_params params = {" + std::to_string(input) + ", " +
          std::to_string(hidden) + "};\n";
  call = "tml_lstm_step_s8_s16(&ctx, &params, &w, &r, tml_in, h, c, h, c)";
}

// One dense GRU step (linear_before_reset 1, PyTorch's export), H units, input I.
void GruCase(int hidden, int input, std::mt19937& rng, std::string& data, std::string& call) {
  data = OpSource("w", 3 * hidden, input, 0, 0, 0, 0, rng) +
         OpSource("rzr", 2 * hidden, hidden, 0, 0, 0, 0, rng) +
         OpSource("rh", hidden, hidden, 0, 0, 0, 0, rng);
  data += CArray("int8_t", "tml_in", RandomS8(input, rng), false) +
          "static int8_t h[" + std::to_string(hidden) + "];\nstatic int32_t scratch[" +
          std::to_string(8 * hidden + 2 * hidden + input) + "];\n"
          "static tml_context ctx = {scratch, sizeof scratch};\n"
          "static const tml_gru_s8_params params = {" + std::to_string(input) + ", " +
          std::to_string(hidden) + ", 1};\n";
  call = "tml_gru_step_s8_s16(&ctx, &params, &w, &rzr, &rh, tml_in, h, h)";
}

}  // namespace

int main() {
  std::mt19937 rng(8);
  std::printf("%-34s %12s %10s %12s\n", "kernel", "MACs", "cycles", "cycles/MAC");
  const int shapes[][2] = {{64, 64}, {128, 128}, {256, 256}, {512, 128}};
  for (const auto& s : shapes) {
    std::string data, call;
    FcCase(s[0], s[1], rng, data, call);
    uint64_t cycles = 0;
    const std::string name = "fc_s8_" + std::to_string(s[0]) + "x" + std::to_string(s[1]);
    if (Skip(name)) continue;
    if (!Measure(name, data, call, cycles)) return 1;
    const double macs = double(s[0]) * s[1];
    std::printf("%-34s %12.0f %10llu %12.3f\n", name.c_str(), macs,
                static_cast<unsigned long long>(cycles), cycles / macs);
  }
  // Kronecker at the same logical shapes (rank 1, A [rows/8, cols/8], B [8, 8]): cycles per
  // *logical* MAC (rows·cols), i.e. directly comparable with the dense figures.
  for (const auto& s : shapes) {
    std::string data, call;
    KronCase(s[0], s[1], s[0] / 8, s[1] / 8, rng, data, call);
    uint64_t cycles = 0;
    const std::string name = "kron_s8_" + std::to_string(s[0]) + "x" + std::to_string(s[1]);
    if (Skip(name)) continue;
    if (!Measure(name, data, call, cycles)) return 1;
    const double macs = double(s[0]) * s[1];
    std::printf("%-34s %12.0f %10llu %12.3f  (per logical MAC)\n", name.c_str(), macs,
                static_cast<unsigned long long>(cycles), cycles / macs);
  }
  // Dense LSTM steps (128 units) at input 8 (issue 15's target shape) and 128; cycles per
  // MAC over the 4H·(I + H) MACs of W and R, the gate activations and cell included.
  // The last case: input 8 with R's bias NULL, the form the compiler emits (its LSTMs carry
  // both biases in W's).
  for (const int input : {8, 128, -8}) {
    std::string data, call;
    double bytes = 0;
    LstmCase(128, input < 0 ? -input : input, kLstmKinds[0], rng, data, call, bytes, input > 0);
    uint64_t cycles = 0;
    const std::string name = input > 0 ? "lstm_step_s8_s16_128_in" + std::to_string(input)
                                       : "lstm_step_s8_s16_128_in8_no_r_bias";
    if (Skip(name)) continue;
    if (!Measure(name, data, call, cycles)) return 1;
    const double macs = 4.0 * 128 * ((input < 0 ? -input : input) + 128);
    std::printf("%-34s %12.0f %10llu %12.3f\n", name.c_str(), macs,
                static_cast<unsigned long long>(cycles), cycles / macs);
  }
  for (const int input : {8, 128}) {
    std::string data, call;
    GruCase(128, input, rng, data, call);
    uint64_t cycles = 0;
    const std::string name = "gru_step_s8_s16_128_in" + std::to_string(input);
    if (Skip(name)) continue;
    if (!Measure(name, data, call, cycles)) return 1;
    const double macs = 3.0 * 128 * (input + 128);
    std::printf("%-34s %12.0f %10llu %12.3f\n", name.c_str(), macs,
                static_cast<unsigned long long>(cycles), cycles / macs);
  }
  // W and R of each kind at input 128 (I = H): speed-up and W+R compression against dense.
  uint64_t dense_cycles = 0;
  double dense_bytes = 0;
  for (const LstmKind& kind : kLstmKinds) {
    std::string data, call;
    double bytes = 0;
    LstmCase(128, 128, kind, rng, data, call, bytes);
    uint64_t cycles = 0;
    const std::string name = std::string("lstm_step_s8_s16_128_") + kind.name;
    if (Skip(name)) continue;
    if (!Measure(name, data, call, cycles)) return 1;
    if (kind.m1 == 0) {
      dense_cycles = cycles;
      dense_bytes = bytes;
    }
    const double macs = 4.0 * 128 * 256;
    std::printf("%-34s %12.0f %10llu %12.3f  (per logical MAC) speed-up %.1fx, W+R compression %.1fx\n",
                name.c_str(), macs, static_cast<unsigned long long>(cycles), cycles / macs,
                double(dense_cycles) / cycles, dense_bytes / bytes);
  }
  return 0;
}
