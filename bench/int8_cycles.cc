// int8 kernel cycles on the emulated Cortex-M4 (TRM cycle model, 0 wait states).
//
// Builds one firmware per case with arm-none-eabi-gcc -O2 (DSP path on), runs one
// call of the kernel between two `bkpt #1` stops and prints cycles and cycles per
// MAC. The figure includes the call, argument checks, input widening and the
// requantization of every output. Cases (ISSUE 8):
//   - tml_fully_connected_s8 at 64×64, 128×128, 256×256, 512×128 (rows × cols);
//   - tml_kron_matvec_s8 at the same logical shapes (rank 1, square-ish factors);
//   - one 128-unit LSTM step (input 128) dense, Kronecker and Kronecker + doping.
//
// Usage: bench_int8_cycles   (needs arm-none-eabi-gcc on PATH)
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
    if (!stop.ok() || stop->reason != tml::emu::StopReason::kBreakpoint) {
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
         "static int16_t scratch[" + std::to_string((cols + 3) / 4 * 4) + "];\n" +
         "static const tml_dims in_dims = {1, {" + std::to_string(cols) + "}};\n" +
         "static const tml_dims out_dims = {1, {" + std::to_string(rows) + "}};\n" +
         "static const tml_dims w_dims = {2, {" + std::to_string(rows) + ", " +
         std::to_string(cols) + "}};\n" +
         "static const tml_fc_s8_params params = {-3, -128, 127};\n"
         "static const tml_quant_params quant = {MULT, " + std::to_string(left) + ", " +
         std::to_string(right) + "};\n"
         "static tml_context ctx = {scratch, sizeof scratch};\n";
  call =
      "tml_fully_connected_s8(&ctx, &params, &quant, &in_dims, tml_in, &w_dims, W, BIAS, "
      "&out_dims, tml_out)";
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
    if (!Measure(name, data, call, cycles)) return 1;
    const double macs = double(s[0]) * s[1];
    std::printf("%-34s %12.0f %10llu %12.3f\n", name.c_str(), macs,
                static_cast<unsigned long long>(cycles), cycles / macs);
  }
  return 0;
}
